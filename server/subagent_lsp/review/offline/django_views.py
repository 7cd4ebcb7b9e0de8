"""Which Django functions are views, and what already guards them before their body runs.

A first parameter called ``request`` does not make a view: a helper such as
``recaptcha_is_valid(request)`` returns a bool to a form, and an edit that makes it return a
``JsonResponse`` (truthy) breaks it. A function is a view when it is decorated, answers with
a response on some path, or is named by a ``urls.py``. Class-based views read the request as
``self.request`` in any method (``get_queryset``, a mixin's ``get_start_date``); only their
handlers (``get``, ``post``, ``dispatch``...) may answer with a response, the rest raise.

A view's decorator (``@author_required``) or its class's ``dispatch`` may already read a
request key and answer 400, fetch the same row and answer 404, or catch an exception around
the whole view: what it guards is not the view's own failure.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import Source, dotted, method_of
from .try_blocks import handlers_around

Function = ast.FunctionDef | ast.AsyncFunctionDef

HANDLERS = ("get", "post", "put", "patch", "delete", "head", "options", "dispatch")
# A DRF viewset's actions take the request and answer with a ``Response`` as a handler does
# (``create`` that reads ``request.data`` and ends in ``super().create(...)``).
DRF_ACTIONS = ("create", "list", "retrieve", "update", "partial_update", "destroy")
# A generic view (``CreateView``, ``UpdateView``) hands a valid or invalid form to these, and
# what they return is the view's response: a fix may answer from them as from ``post``.
FORM_ANSWERS = ("form_valid", "form_invalid")
# The generic views' hooks that run on every request whatever they read (``form_valid(form)``
# holds the client's form; ``get_queryset`` may read nothing of the request at all): they hand
# a value back to the view, so a fix raises (``Http404``, ``BadRequest``) rather than answers.
HOOKS = (
    *FORM_ANSWERS,
    "get_context_data",
    "get_queryset",
    "get_object",
    "get_ordering",
    "get_success_url",
    "get_form_kwargs",
    "get_initial",
)
_VIEW_SUFFIXES = ("View", "ViewSet", "Mixin")
_RESPONSES = {
    "render",
    "redirect",
    "render_to_response",
    "JsonResponse",
    "TemplateResponse",
    "Response",
    "StreamingHttpResponse",
    "FileResponse",
}
_BAD_REQUEST = {"HttpResponseBadRequest", "BadRequest", "SuspiciousOperation"}
_REQUEST_DATA = ("request.GET", "request.POST", "request.data", "request.query_params")


def request_attr(node: ast.AST) -> str:
    """``self.request.GET`` (a class-based view) reads as ``request.GET``, and so does a
    request carried on another object of the view (``context.request.GET`` in a feed)."""
    name = dotted(node)
    head, _, rest = name.partition(".")
    return rest if rest.startswith("request.") and head.isidentifier() else name


def _is_response(call: ast.AST) -> bool:
    if not isinstance(call, ast.Call):
        return False
    name = dotted(call.func).split(".")[-1]
    if name in _RESPONSES or name.startswith("HttpResponse"):
        return True
    # ``return super().get(request, ...)`` / ``return f(request, ...)`` in a wrapper
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and dotted(func.value.func) == "super"
        and func.attr in HANDLERS
    )


def returns_response(source: Source, func: Function) -> bool:
    """Some ``return`` of ``func`` itself hands back a response (or a variable bound to one)."""
    bound: set[str] = set()
    returns: list[ast.expr] = []
    for node in source.nodes_of(func):
        if source.function_of(node) is not func:
            continue
        if isinstance(node, ast.Assign) and _is_response(node.value):
            bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Return) and node.value is not None:
            returns.append(node.value)
    return any(_is_response(r) or (isinstance(r, ast.Name) and r.id in bound) for r in returns)


def is_view_class(cls: ast.ClassDef, source: Source | None = None) -> bool:
    """By its name or a base's (``ApplicationCreateView``, ``LoginRequiredMixin``), or through
    a base class of the same module that is one (``class Edit(OwnedBase)`` over ``class
    OwnedBase(LoginRequiredMixin, UpdateView)``)."""
    return any(
        current.name.endswith(_VIEW_SUFFIXES)
        or any(dotted(b).split(".")[-1].endswith(_VIEW_SUFFIXES) for b in current.bases)
        for current in module_lineage(source, cls)
    )


def is_form_class(cls: ast.ClassDef, source: Source | None = None) -> bool:
    """A Django form (``forms.Form``, ``ModelForm``, a project base over them), mixins and
    all (``class CartForm(RequestMixin, forms.Form)``): no view, though a ``*Mixin`` base
    reads like one. Its methods run inside the view's ``is_valid()``, where a missing row is
    the form's ``ValidationError`` (form_cleans), not a 404."""
    return any(
        dotted(b).split(".")[-1].endswith("Form")
        for current in module_lineage(source, cls)
        for b in current.bases
    )


def module_lineage(source: Source | None, cls: ast.ClassDef) -> list[ast.ClassDef]:
    """``cls`` and the classes of its module it derives from (by plain name), each once, in
    about the order Python looks a method up in (exactly so for single inheritance)."""
    classes: dict[str, ast.ClassDef] = {}
    if source is not None:
        cached = source.__dict__.get("_view_classes")
        if cached is None:
            cached = {
                n.name: n for m in source.modules for n in m.body if isinstance(n, ast.ClassDef)
            }
            # published whole: worker threads share the parse
            cached = source.__dict__.setdefault("_view_classes", cached)
        classes = cached
    out: list[ast.ClassDef] = []
    todo, seen = [cls], set()
    while todo:
        current = todo.pop()
        if current.name in seen:
            continue
        seen.add(current.name)
        out.append(current)
        # the first base next, as Python's method resolution looks there first
        todo.extend(
            classes[b.id]
            for b in reversed(current.bases)
            if isinstance(b, ast.Name) and b.id in classes
        )
    return out


def is_feed_class(source: Source, cls: ast.ClassDef) -> bool:
    """A ``django.contrib.syndication`` feed (or the project's own feed base): Django calls
    its methods with the request (``get_object``) or what ``get_object`` returned."""
    if "django.contrib.syndication" not in source.text:
        return False
    return any(dotted(b).split(".")[-1].endswith("Feed") for b in cls.bases)


def reads_self_request(source: Source, func: Function) -> bool:
    """The method reads the client's request: ``self.request``, or the URL's captured
    values ``self.kwargs`` / ``self.args`` (``Account.objects.get(pk=self.kwargs["pk"])`` in a
    ``get_object``)."""
    return any(
        isinstance(n, ast.Attribute)
        and n.attr in ("request", "kwargs", "args")
        and isinstance(n.value, ast.Name)
        and n.value.id == "self"
        for n in source.nodes_of(func)
    )


def dispatch_catches(source: Source, cls: ast.ClassDef) -> frozenset[str]:
    """Exceptions a ``dispatch`` of the class or of a base defined in this module catches
    around ``super().dispatch(...)``: every handler of the view runs inside that ``try``."""
    up = source.up()
    out: set[str] = set()
    for current in module_lineage(source, cls):
        for stmt in current.body:
            if not (isinstance(stmt, ast.FunctionDef) and stmt.name == "dispatch"):
                continue
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and _is_response(node):
                    out |= handlers_around(node, up)
    return frozenset(out)


# A row a decorator fetched (decorator_rows): what it looked up ("model:Review", "fn:<path>:
# <line>") and, per argument, where the value may come from ("url:page_url", "POST:review-id").
Fetch = tuple[str, tuple[tuple[str, frozenset[str]], ...]]


@dataclass(frozen=True)
class Guards:
    """What the view's decorators check before it runs: request keys whose absence they
    answer with 400, and rows (model, lookup keywords) they fetch first (decorator_rows)."""

    keys: frozenset[str] = frozenset()
    lookups: frozenset[tuple[str, frozenset[str]]] = frozenset()
    # the rows they found before calling the view, by the values they looked them up by
    rows: frozenset[Fetch] = frozenset()


NO_GUARDS = Guards()


def lookup_of(call: ast.Call) -> tuple[str, frozenset[str]] | None:
    """``Model.objects.get(pk=...)`` / ``get_object_or_404(Model, pk=...)`` -> (Model, {pk})."""
    keywords = frozenset(lookup_field(k.arg) for k in call.keywords if k.arg)
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
        and dotted(func.value.value)
    ):
        return dotted(func.value.value).split(".")[-1], keywords
    if dotted(func).split(".")[-1] == "get_object_or_404" and call.args:
        model = dotted(call.args[0])
        if model:
            return model.split(".")[-1], keywords
    return None


def lookup_field(keyword: str | None) -> str:
    """A lookup keyword's field, ``id`` as Django's ``pk`` (the same row either way)."""
    return "pk" if keyword == "id" else keyword or ""


def lookup_positional(call: ast.Call) -> list[ast.expr]:
    """A lookup's positional arguments other than ``get_object_or_404``'s model: ``Q(...)``
    filters, which look rows up by more than the keywords."""
    is_get = isinstance(call.func, ast.Attribute) and call.func.attr == "get"
    return call.args[0 if is_get else 1 :]


def decorator_guards(func: Function, decorators: list[tuple[Source, Function]]) -> Guards:
    """The guards of ``func``'s resolved project decorators (their wrappers' bodies)."""
    keys: set[str] = set()
    lookups: set[tuple[str, frozenset[str]]] = set()
    for _, deco in decorators:
        nodes = list(ast.walk(deco))
        answers_400 = any(
            isinstance(n, ast.Call)
            and (
                dotted(n.func).split(".")[-1] in _BAD_REQUEST
                or any(
                    k.arg == "status" and isinstance(k.value, ast.Constant) and k.value.value == 400
                    for k in n.keywords
                )
            )
            for n in nodes
        )
        for node in nodes:
            if answers_400:
                key = _key_read(node)
                if key is not None:
                    keys.add(key)
            if isinstance(node, ast.Call):
                lookup = lookup_of(node)
                if lookup is not None:
                    lookups.add(lookup)
    return Guards(frozenset(keys), frozenset(lookups))


def _key_read(node: ast.AST) -> str | None:
    """``request.GET["k"]`` / ``request.POST.get("k")`` -> "k"."""
    if isinstance(node, ast.Subscript) and request_attr(node.value).endswith(_REQUEST_DATA):
        key = node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and request_attr(node.func.value).endswith(_REQUEST_DATA)
        and node.args
    ):
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def url_view_names(source: Source) -> frozenset[str]:
    """Functions a ``urls.py`` routes to: ``path("x/", views.detail)`` -> detail."""
    out: set[str] = set()
    for node in source.of(ast.Call):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        if dotted(node.func).split(".")[-1] not in ("path", "re_path", "url"):
            continue
        view = node.args[1]
        if isinstance(view, ast.Attribute):
            out.add(view.attr)
        elif isinstance(view, ast.Name):
            out.add(view.id)
    return frozenset(out)


def request_data(node: ast.AST | None) -> str:
    """``self.request.GET`` / ``request.GET.copy()`` / ``request.POST.dict()`` -> the request
    mapping it is (a copy holds the same client text); "" for anything else."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and not node.args
        and node.func.attr in ("copy", "dict")
    ):
        node = node.func.value
    name = request_attr(node) if node is not None else ""
    return name if name in _REQUEST_DATA else ""


def request_data_method(cls: ast.ClassDef, name: str) -> str:
    """The request mapping a method of the view class hands back: ``get_filter_params`` that
    returns ``params = self.request.GET.copy()`` (defaults added to it, or passed through a
    nested function that returns the mapping it is given). "" when it returns anything else."""
    method = method_of(cls, name)
    return request_data_returned(method) if isinstance(method, ast.FunctionDef) else ""


def request_data_returned(method: ast.FunctionDef) -> str:
    """The request mapping a function hands back (a view class's method, or a module's helper
    ``_json_body()`` that returns ``request.get_json(silent=True)`` once it is a dict)."""
    bound: dict[str, list[str]] = {}
    nested: set[str] = set()
    for node in ast.walk(method):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(request_data(node.value))
        elif isinstance(node, ast.FunctionDef) and node is not method and _returns_its_first(node):
            nested.add(node.name)
    found = set()
    for node in ast.walk(method):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        if _owner_of(node, method) is not method:
            continue  # a nested function's own return
        value = node.value
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in nested
            and value.args
        ):
            value = value.args[0]  # ``return _try_fix_dates(params)``
        if isinstance(value, ast.Name):
            values = bound.get(value.id, [])
            found.add(values[0] if len(values) == 1 else "")
        else:
            found.add(request_data(value))
    return found.pop() if len(found) == 1 else ""


def _returns_its_first(func: ast.FunctionDef) -> bool:
    """Every ``return`` of ``func`` hands back its first parameter (changed in place)."""
    if not func.args.args:
        return False
    first = func.args.args[0].arg
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
    return bool(returns) and all(
        isinstance(r.value, ast.Name) and r.value.id == first for r in returns
    )


def _owner_of(node: ast.AST, method: ast.FunctionDef) -> ast.FunctionDef:
    """The innermost function of ``method`` holding ``node`` (``method`` itself or a nested one)."""
    for inner in ast.walk(method):
        if (
            isinstance(inner, ast.FunctionDef)
            and inner is not method
            and any(n is node for n in ast.walk(inner))
        ):
            return inner
    return method
