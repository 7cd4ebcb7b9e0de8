"""A class-based view's own row: Django's DetailView / UpdateView / DeleteView call
``get_object()`` in ``get``/``post`` before ``get_context_data``, ``get_form_kwargs``,
``form_valid`` or any helper they call runs. Once ``get_object`` has looked a model up by the
URL's kwargs (and 404'd on a miss, or is itself the line BKD304 rewrites), a later lookup of the
same model by the same fields and kwargs cannot miss differently: a second get_object_or_404
there is noise (held-out round 16, five rows of one time-tracking app).
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Methods that run before get_object, or are it: a lookup there is the first one.
_FIRST = frozenset(
    {"get_object", "get_queryset", "get_slug_field", "setup", "dispatch", "__init__"}
    | {"get", "post", "put", "patch", "delete", "head", "options"}
    | {"has_permission", "test_func", "get_permission_object", "handle_no_permission"}
)
# Django's generic views whose get()/post() set ``self.object = self.get_object()`` first.
_SINGLE_OBJECT = ("DetailView", "UpdateView", "DeleteView", "SingleObjectMixin")


def resolved_by_get_object(source: Source, up: dict[ast.AST, ast.AST], call: ast.Call) -> bool:
    """``Model.objects.get(field=self.kwargs["k"])`` in a method of a view class whose
    ``get_object`` has already looked ``Model`` up by ``field`` from the same kwarg ``k``
    (or, not overridden, is Django's own by ``pk``/``slug`` of the class's ``model``)."""
    func = source.function_of(call)
    cls = up.get(func) if func is not None else None
    if not isinstance(func, Function) or not isinstance(cls, ast.ClassDef):
        return False
    if func.name in _FIRST or call.args:
        return False
    model = _model_of(call)
    if not model or not call.keywords or any(k.arg is None for k in call.keywords):
        return False
    methods = {s.name: s for s in cls.body if isinstance(s, Function)}
    getter = methods.get("get_object")
    if getter is not None:
        if func.name in _self_calls(source, getter):
            return False  # a helper of get_object itself: it runs first
        covered = _getter_lookups(source, getter, model)
    elif any(dotted(b).rsplit(".", 1)[-1].endswith(_SINGLE_OBJECT) for b in cls.bases):
        covered = _generic_lookups(cls, model)
    else:
        return False
    bound = _kwarg_locals(source, func)
    for keyword in call.keywords:
        key = _kwarg_key(keyword.value)
        if key is None and isinstance(keyword.value, ast.Name):
            key = bound.get(keyword.value.id)
        if key is None or (keyword.arg, key) not in covered:
            return False
    return True


def _getter_lookups(source: Source, getter: Function, model: str) -> set[tuple[str | None, str]]:
    """(field, kwarg) pairs get_object looks ``model`` up by: any field of a ``.get()`` or
    get_object_or_404 on ``model`` with any kwarg get_object reads (``self.report_date`` parsed
    from ``self.kwargs["period"]`` is still that kwarg's row)."""
    keys = {k for n in source.nodes_of(getter) if (k := _kwarg_key(n)) is not None}
    fields: set[str | None] = set()
    for node in source.nodes_of(getter):
        if isinstance(node, ast.Call) and _looks_up(node, model):
            fields.update(k.arg for k in node.keywords)
    return {(f, k) for f in fields for k in keys}


def _looks_up(call: ast.Call, model: str) -> bool:
    """``get_object_or_404(Model, ...)`` or ``Model.objects....get(...)``: one row or an error
    (a ``.filter().first()`` may hand the view None instead)."""
    name = dotted(call.func).rsplit(".", 1)[-1]
    if name == "get_object_or_404":
        return bool(call.args) and _root_model(call.args[0]) == model
    return name == "get" and _model_of(call) == model


def _generic_lookups(cls: ast.ClassDef, model: str) -> set[tuple[str | None, str]]:
    """Django's own get_object: ``pk`` by ``pk_url_kwarg``, ``slug_field`` by
    ``slug_url_kwarg``, on the class's ``model`` (or its ``queryset``'s)."""
    attrs: dict[str, ast.expr] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name):
                attrs[target.id] = stmt.value
    own = attrs.get("model") or attrs.get("queryset")
    if own is None or _root_model(own) != model:
        return set()

    def text(name: str, default: str) -> str:
        value = attrs.get(name)
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
        return default

    pk, slug = text("pk_url_kwarg", "pk"), text("slug_url_kwarg", "slug")
    return {("pk", pk), ("id", pk), (text("slug_field", "slug"), slug)}


def _self_calls(source: Source, func: Function) -> set[str]:
    """``self.helper()`` names called in ``func``."""
    return {
        node.func.attr
        for node in source.nodes_of(func)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and dotted(node.func.value) == "self"
    }


def _kwarg_locals(source: Source, func: Function) -> dict[str, str]:
    """``period = self.kwargs["period"]``: local -> the URL kwarg it holds."""
    out: dict[str, str] = {}
    for node in source.nodes_of(func):
        if isinstance(node, ast.Assign) and (key := _kwarg_key(node.value)) is not None:
            out.update((t.id, key) for t in node.targets if isinstance(t, ast.Name))
    return out


def _kwarg_key(node: ast.AST) -> str | None:
    """ "k" of ``self.kwargs["k"]`` / ``self.kwargs.get("k")``: the URL's, not the context's
    ``**kwargs`` of get_context_data."""
    if isinstance(node, ast.Subscript) and dotted(node.value) == "self.kwargs":
        key = node.slice
    elif (
        isinstance(node, ast.Call)
        and dotted(node.func) == "self.kwargs.get"
        and len(node.args) in (1, 2)
    ):
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _model_of(call: ast.Call) -> str:
    """``Period`` of ``Period.objects.prefetch_related(...).get(...)``."""
    return _root_model(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def _root_model(node: ast.expr) -> str:
    """The model a manager chain, or a bare model, starts at: ``Period.objects.all()`` and
    ``Period`` are both ``Period``."""
    current: ast.expr = node
    while isinstance(current, ast.Call | ast.Attribute):
        if isinstance(current, ast.Attribute) and current.attr == "objects":
            return dotted(current.value)
        current = current.func if isinstance(current, ast.Call) else current.value
    name = dotted(current)
    return name if name.split(".")[-1][:1].isupper() else ""
