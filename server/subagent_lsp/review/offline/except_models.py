"""BKD321: ``except Column.DoesNotExist`` around a lookup of another model.

``try: task = Task.objects.select_related(...).get(pk=task_id) ... except
Column.DoesNotExist: return False``: a copied handler names the model of a neighbouring
lookup, the ``Task.DoesNotExist`` the ``try`` raises gets past it, and an unknown id is a 500
(judged a must on a real app's DRF permission). The same where the lookup hides in a project
manager method that turns the miss into another exception: ``Appointment.objects.
get_appointment(...)`` catches ``self.model.DoesNotExist`` and raises ``ValueError``, so the
view's ``except Appointment.DoesNotExist`` never runs (judged a must on another app).

Only where nothing in the ``try`` can raise the caught model's DoesNotExist: every lookup in
it (``Model.objects...get()``, ``.latest()``, ``qs.get()`` of a queryset bound to a model's
manager) is of a model that is neither the caught one nor one of its children (a child's
DoesNotExist is its parent's), no lookup's model is unknown (a related manager's
``board.columns.get(...)``), no project function is called but one read to the end (a
manager method whose every lookup's miss becomes another exception), no unknown method is
called, and no attribute read may be a reverse one-to-one to the caught model (a foreign key
of a row the function looked up is kept by the database: ``task.column`` raises nothing). A
handler for ``ObjectDoesNotExist``, for ``Exception`` or bare is never flagged, nor a ``try``
whose raised error another handler or an enclosing ``try`` takes. The handler must answer a
miss (raise, refuse with ``False``, a 4xx): ``except Place.DoesNotExist: place = ""`` is a
fallback for an optional relation, and a missing reminder must not become that default (a
held-out round's shape, where BKD304's get_object_or_404 is the fix). Fix: the raised class
joins the handler's tuple.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
from dataclasses import dataclass

from ..suggestion import Edit, Suggestion
from .block_exits import always_leaves
from .frameworks import ModuleFacts
from .pysource import Source, dotted, is_self, keyword_value, method_of, own_nodes
from .row_methods import manager_method, model_of, resolve_call
from .row_uses import short
from .try_blocks import catches_miss_of, handler_names, status_code

CODE = "BKD321"
Function = ast.FunctionDef | ast.AsyncFunctionDef

_LOOKUPS = frozenset({"get", "latest", "earliest"})
# Queryset methods a lookup may follow: the model stays the manager's.
_STEPS = frozenset(
    {"select_related", "prefetch_related", "only", "defer", "filter", "exclude", "all"}
    | {"annotate", "using", "order_by", "select_for_update", "distinct", "alias"}
)
# Calls that raise no model's DoesNotExist: queryset methods that give rows or counts, the
# builtin containers' and strings' methods, logging.
_SAFE_METHODS = frozenset(
    _STEPS
    | {"values", "values_list", "exists", "count", "aggregate", "first", "last", "none"}
    | {"in_bulk", "iterator", "reverse", "union", "intersection", "difference", "dates"}
    | {"append", "extend", "insert", "items", "keys", "copy", "setdefault", "add"}
    | {"split", "rsplit", "strip", "lstrip", "rstrip", "lower", "upper", "title", "format"}
    | {"join", "replace", "startswith", "endswith", "encode", "decode", "isoformat"}
    | {"strftime", "isdigit", "isnumeric", "check_password", "build_absolute_uri"}
    | {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}
    | {"is_authenticated", "has_perm", "has_perms"}
)
_BROAD = frozenset({"Exception", "BaseException", "ObjectDoesNotExist", "Http404"})
_RELATIONS = ("ForeignKey", "OneToOneField")


@dataclass(frozen=True)
class _Escape:
    node: ast.AST  # the lookup, or the call of the method that translates the miss
    raised: str  # the class as the fix writes it: ``Task.DoesNotExist``, ``ValueError``
    said: str  # the rationale's sentence
    translated: bool = False  # a project method raises it in place of the caught miss


@dataclass(frozen=True)
class _Wrong:
    handler: ast.ExceptHandler
    expr: ast.expr  # the wrong model's ``X.DoesNotExist``
    escapes: tuple[_Escape, ...]


class _Risky(Exception):
    """Something in the try may raise the caught model's DoesNotExist after all."""


def except_model_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.upstream is None or ".DoesNotExist" not in facts.source.text:
        return []
    src = facts.source
    out: list[Suggestion] = []
    for node in src.of(ast.Try):
        wrong = wrong_model(facts, node)
        if wrong is None:
            continue
        caught = src.text_of(wrong.expr)
        raised = list(dict.fromkeys(e.raised for e in wrong.escapes))
        elts = wrong.handler.type.elts if isinstance(wrong.handler.type, ast.Tuple) else None
        written = [src.text_of(e) for e in elts] if elts is not None else [caught]
        handler = f"({', '.join([*written, *raised])})"
        assert wrong.handler.type is not None
        out.append(
            Suggestion(
                CODE,
                "error-handling",
                src.path,
                src.span(wrong.expr),
                f"Catch {' and '.join(raised)} too: the try raises no {caught}",
                f"{' '.join(dict.fromkeys(e.said for e in wrong.escapes))} `except {caught}` "
                f"{_names(wrong)}: the {raised[0]} gets past the handler, and the client "
                f"gets a 500 where the handler meant its own answer. `except {handler}:` "
                "takes it.",
                (Edit(src.path, src.span(wrong.handler.type), handler),),
            )
        )
    return out


def _names(wrong: _Wrong) -> str:
    if all(e.translated for e in wrong.escapes):
        return "waits for a miss that never gets out of the call"
    return "names another model's miss, and nothing in the `try` raises it"


def reported_lookup(facts: ModuleFacts, call: ast.Call) -> bool:
    """``call`` is a lookup whose miss BKD321 adds to a wrong model's handler: other rules
    (BKD304's get_object_or_404) leave it to that fix."""
    if facts.upstream is None:
        return False
    current = facts.up.get(call)
    child: ast.AST = call
    while current is not None and not isinstance(current, Function):
        if isinstance(current, ast.Try) and child in current.body:
            wrong = wrong_model(facts, current)
            if wrong is not None and any(e.node is call for e in wrong.escapes):
                return True
        child, current = current, facts.up.get(current)
    return False


def wrong_model(facts: ModuleFacts, node: ast.Try) -> _Wrong | None:
    cache = facts.__dict__.setdefault("_except_models", {})
    if id(node) not in cache:
        try:
            cache[id(node)] = _wrong_model(facts, node)
        except _Risky:
            cache[id(node)] = None
    found: _Wrong | None = cache[id(node)]
    return found


def _wrong_model(facts: ModuleFacts, node: ast.Try) -> _Wrong | None:
    src = facts.source
    func = src.function_of(node)
    if not isinstance(func, Function):
        return None
    caught: dict[str, tuple[ast.ExceptHandler, ast.expr]] = {}  # model -> where it is named
    others: set[str] = set()  # the other classes the handlers name
    for handler in node.handlers:
        if handler.type is None:
            return None
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for expr in types:
            if not isinstance(expr, ast.Name | ast.Attribute):
                return None  # ``*ERRORS``, ``A or B`` (BKD311), ``A()`` (BKD320)
            written = dotted(expr)
            last = written.rsplit(".", 1)[-1]
            if last in _BROAD or written == "DoesNotExist" or last.isupper():
                return None
            if last != "DoesNotExist":
                others.add(last)
                continue
            assert isinstance(expr, ast.Attribute)
            model = _model_class(facts, src, expr.value)
            if model is None:
                return None  # ``self.model.DoesNotExist``, a name that is no model
            caught[model] = (handler, expr)
    if not caught:
        return None
    if not all(_answers_miss(handler) for handler, _ in caught.values()):
        return None  # ``except Place.DoesNotExist: place = ""``: a fallback, not the lookup's
    reader = _Reader(facts, set(caught))
    escapes: list[_Escape] = []
    for stmt in node.body:
        for inner in own_nodes(stmt):
            escapes.extend(reader.read(src, func, inner))
    if reader.models & set(caught):
        return None  # a lookup of the caught model itself: the handler is its
    # each escape is neither taken by a handler of this try nor by one around it
    left = [e for e in escapes if not _taken(facts, node, e, others)]
    if not left:
        return None
    wrong = {m: at for m, at in caught.items() if m not in reader.models}
    if len(wrong) != 1:
        return None  # two models named, none looked up: which one the miss is meant for?
    handler, expr = next(iter(wrong.values()))
    return _Wrong(handler, expr, tuple(left))


def _taken(facts: ModuleFacts, node: ast.Try, escape: _Escape, others: set[str]) -> bool:
    last = escape.raised.rsplit(".", 1)[-1]
    if last == "DoesNotExist":
        model = escape.raised.rsplit(".", 1)[0]
        if catches_miss_of(escape.node, facts.up, model):
            return True
        names = {"DoesNotExist", "ObjectDoesNotExist", escape.raised, model.rsplit(".", 1)[-1]}
        return facts.handled_by_app(names)
    if last in others or facts.handled_by_app({last}):
        return True
    # an enclosing try of the function that takes it
    current = facts.up.get(node)
    child: ast.AST = node
    while current is not None and not isinstance(current, Function):
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if handler.type is None or handler_names(handler) & {last, *_BROAD}:
                    return True
        child, current = current, facts.up.get(current)
    return False


class _Reader:
    """Reads a try's nodes: the misses that get out of them, and whether one may raise the
    caught models' DoesNotExist (``_Risky``)."""

    def __init__(self, facts: ModuleFacts, caught: set[str]) -> None:
        self.facts = facts
        self.caught = caught
        self.models: set[str] = set()  # the models the lookups read, by class name
        self._risky_names: dict[str, set[str]] = {}

    def read(self, src: Source, func: Function, node: ast.AST) -> list[_Escape]:
        if isinstance(node, ast.Raise):
            if node.exc is not None and "DoesNotExist" in dotted(node.exc):
                raise _Risky
            return []
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            parent = self.facts.up.get(node)
            if not (isinstance(parent, ast.Call) and parent.func is node):
                self._attribute(src, func, node)
            return []
        if not isinstance(node, ast.Call):
            return []
        return self._call(src, func, node)

    def _call(self, src: Source, func: Function, call: ast.Call) -> list[_Escape]:
        upstream = self.facts.upstream
        assert upstream is not None
        target = call.func
        if isinstance(target, ast.Attribute) and target.attr in _LOOKUPS:
            model = _lookup_model(src, func, call)
            if model == "":
                return []  # a dict's ``.get(key)``
            if model is None:
                raise _Risky  # a related manager's, the view's queryset: of which model?
            if manager_method(upstream, src, model, target.attr) is not None:
                raise _Risky  # the project's manager defines its own get
            if model not in self.caught and not self._known_model(src, model):
                raise _Risky
            self.models.add(model)
            if any(self._derives(src, model, c) for c in self.caught):
                self.models.add(next(c for c in self.caught if self._derives(src, model, c)))
                return []
            text = f"{dotted(_manager_owner(call) or ast.Name(model))}.DoesNotExist"
            said = (
                f"`{short(src.text_of(call))}` (line {src.start(call).line + 1}) raises "
                f"{text} when no row matches."
            )
            return [_Escape(call, text, said)]
        if isinstance(target, ast.Attribute):
            model = model_of(target.value, "objects")
            if model is not None and target.attr not in _SAFE_METHODS:
                found = manager_method(upstream, src, model, target.attr)
                if found is None:
                    if target.attr in ("create", "get_or_create", "update_or_create", "update"):
                        return []  # Django's own: no DoesNotExist
                    raise _Risky
                return self._translated(src, call, model, *found)
        found = resolve_call(upstream, src, call)
        if found is not None:
            return self._translated(src, call, None, *found)
        if isinstance(target, ast.Name):
            built = upstream.resolve_class(src, target)
            if built is not None:
                if method_of(built[1], "__init__") is not None:
                    raise _Risky  # a project class's own constructor: what does it look up?
                return []  # a model, a serializer made
            if _builtin(target.id) or self._library(src, target.id):
                return []  # ``int(...)``, ``Response(...)``
            raise _Risky
        if not isinstance(target, ast.Attribute):
            raise _Risky  # ``handlers[kind](...)``: of what?
        if target.attr in _SAFE_METHODS:
            return []
        receiver = target.value
        if (
            isinstance(receiver, ast.Name)
            and self._library(src, receiver.id)
            and upstream.resolve_class(src, receiver) is None
        ):
            return []  # ``json.dumps``, ``timezone.now``: a library's
        raise _Risky

    def _library(self, src: Source, name: str) -> bool:
        """``name`` is imported from outside the project (``import json``, ``from
        django.utils import timezone``): its functions raise no model's miss."""
        upstream = self.facts.upstream
        assert upstream is not None
        for module in src.modules:
            for stmt in ast.walk(module):
                if isinstance(stmt, ast.Import):
                    for alias in stmt.names:
                        if (alias.asname or alias.name.split(".")[0]) == name:
                            return not list(upstream.module_files_of(src.path, alias.name))
                elif (
                    isinstance(stmt, ast.ImportFrom)
                    and stmt.level == 0
                    and stmt.module
                    and any((a.asname or a.name) == name for a in stmt.names)
                ):
                    return not list(upstream.module_files_of(src.path, stmt.module))
        return False

    def _translated(
        self, src: Source, call: ast.Call, model: str | None, where: Source, method: Function
    ) -> list[_Escape]:
        """A manager method the try calls (``Appointment.objects.get_appointment(...)``):
        every lookup in it must be its manager model's, each one's miss caught there and
        raised again as a builtin exception, and nothing else in it may raise the caught
        model's DoesNotExist."""
        if model is None or model not in self.caught:
            raise _Risky  # a function of the project's: it may look the caught model up
        raised: list[tuple[str, int]] = []
        for node in own_nodes(method):
            if node is method:
                continue
            if isinstance(node, ast.Raise):
                continue  # read with its handler below
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
                if node.attr in self._risky(where, model):
                    raise _Risky
                continue
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _LOOKUPS:
                if not _own_manager_lookup(node):
                    raise _Risky
                translated = _translation(node, method)
                if translated is None:
                    raise _Risky  # the miss gets out as the model's DoesNotExist
                raised.extend(translated)
                continue
            if isinstance(func, ast.Attribute) and (
                func.attr in _SAFE_METHODS or func.attr in ("create", "get_or_create")
            ):
                continue
            if isinstance(func, ast.Name) and _builtin(func.id):
                continue
            raise _Risky
        if not raised:
            return []  # no lookup at all: it raises nothing of the kind
        errors = list(dict.fromkeys(e for e, _ in raised))
        where_at = f"{os.path.basename(where.path)}:{raised[0][1]}"
        said = (
            f"`{short(src.text_of(call))}` (line {src.start(call).line + 1}) raises no "
            f"{model}.DoesNotExist: `{method.name}` catches it and raises "
            f"{' or '.join(errors)} instead ({where_at})."
        )
        return [_Escape(call, e, said, translated=True) for e in errors]

    def _attribute(self, src: Source, func: Function, node: ast.Attribute) -> None:
        """``request.user.profile`` (a reverse one-to-one) read in the try raises the caught
        model's DoesNotExist where the row is missing. A foreign key of a row the function
        looked up (``task.column``) is there (or None, where nullable): the database keeps it."""
        for model in self.caught:
            if node.attr not in self._risky(src, model):
                continue
            owner = _row_model(src, func, node.value)
            if owner is None or not self._forward_relation(src, owner, node.attr, model):
                raise _Risky

    def _risky(self, src: Source, model: str) -> set[str]:
        """The attribute names that may raise ``model``'s DoesNotExist: the reverse accessors
        of its one-to-one fields, and its name in lower and snake case (the accessor Django
        names for it, or a project property's)."""
        key = f"{src.path}:{model}"
        known = self._risky_names.get(key)
        if known is not None:
            return known
        names = {model.lower(), _snake(model)}
        located = self._model(src, model)
        if located is not None:
            for _, call in _relations(located[1]):
                if dotted(call.func).endswith("OneToOneField"):
                    names.add(_keyword_text(call, "related_name") or model.lower())
        self._risky_names[key] = names
        return names

    def _forward_relation(self, src: Source, owner: str, field: str, model: str) -> bool:
        """``owner.field`` is a ForeignKey (or OneToOneField) of ``owner`` to ``model`` whose
        row the database keeps (no ``db_constraint=False``)."""
        located = self._model(src, owner)
        if located is None:
            return False
        for name, call in _relations(located[1]):
            if name == field:
                unchecked = keyword_value(call, "db_constraint")
                kept = not (isinstance(unchecked, ast.Constant) and unchecked.value is False)
                return _target(call) == model and kept
        return False

    def _model(self, src: Source, model: str) -> tuple[Source, ast.ClassDef] | None:
        upstream = self.facts.upstream
        assert upstream is not None
        return upstream.resolve_class(src, ast.Name(model))

    def _known_model(self, src: Source, model: str) -> bool:
        """A model of the project's, or Django's own (``User`` of ``django.contrib.auth``)."""
        if self._model(src, model) is not None:
            return True
        return self.facts.imports.get(model, "").startswith("django.contrib.")

    def _derives(self, src: Source, model: str, parent: str, depth: int = 0) -> bool:
        """``model`` is ``parent`` or a child of it (multi-table or proxy): its DoesNotExist
        is the parent's."""
        if model == parent:
            return True
        located = self._model(src, model)
        if located is None or depth > 3:
            return False
        where, cls = located
        for base in cls.bases:
            name = dotted(base).rsplit(".", 1)[-1]
            if name == parent:
                return True
            upstream = self.facts.upstream
            assert upstream is not None
            found = upstream.resolve_class(where, base)
            if found is not None and self._derives(found[0], found[1].name, parent, depth + 1):
                return True
        return False


def _answers_miss(handler: ast.ExceptHandler) -> bool:
    """The handler answers a miss: it always leaves, raising (``Http404``) or returning a
    refusal (``False``, ``None``) or a 4xx; a handler that carries on with a default or
    answers as served would answer a missing row the same, which the fix must not make it."""
    if not always_leaves(handler.body):
        return False
    for node in own_nodes(handler):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Return) and (
            node.value is None
            or (
                isinstance(node.value, ast.Constant)
                and (node.value.value is False or node.value.value is None)
            )
        ):
            return True
        code = status_code(node) if isinstance(node, ast.expr) else None
        if code is not None and 400 <= code < 500:
            return True
    return False


def _model_class(facts: ModuleFacts, src: Source, owner: ast.expr) -> str | None:
    """The project model ``X`` of an ``except X.DoesNotExist`` names, by class name."""
    if not isinstance(owner, ast.Name | ast.Attribute) or dotted(owner) in ("self.model",):
        return None
    upstream = facts.upstream
    assert upstream is not None
    located = upstream.resolve_class(src, owner)
    if located is None:
        if facts.imports.get(dotted(owner), "").startswith("django.contrib."):
            return dotted(owner)
        return None
    where, cls = located
    bases = upstream.outside_bases(where, cls)
    if not any(b.startswith("django.") or b.endswith("Model") for b in bases):
        return None
    return cls.name if cls.name == dotted(owner).rsplit(".", 1)[-1] else None


def _manager_owner(call: ast.Call) -> ast.expr | None:
    """``Task`` of ``Task.objects.select_related(...).get(...)`` (as written: ``models.Task``)."""
    return _chain_owner(call.func.value) if isinstance(call.func, ast.Attribute) else None


def _chain_owner(node: ast.expr) -> ast.expr | None:
    """``Task`` of ``Task.objects.filter(...)``: the model whose manager a chain starts at."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Attribute) and node.attr == "objects":
        return node.value
    return None


def _lookup_model(src: Source, func: Function, call: ast.Call) -> str | None:
    """The model a ``.get()`` / ``.latest()`` looks up, by class name: through its manager's
    chain, or a local bound (every time) to one; '' for a dict's ``.get(key)``; None when
    unknown."""
    assert isinstance(call.func, ast.Attribute)
    owner = _manager_owner(call)
    if owner is not None:
        name = dotted(owner)
        last = name.rsplit(".", 1)[-1]
        return last if last[:1].isupper() and "(" not in name else None
    if (
        call.func.attr == "get"
        and not call.keywords
        and call.args
        and not any(isinstance(a, ast.Call) and dotted(a.func).endswith("Q") for a in call.args)
    ):
        return ""  # ``request.data.get("id")``: a mapping's
    node = call.func.value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in _STEPS:
            return None
        node = node.func.value
    if not isinstance(node, ast.Name):
        return None
    bound = [
        n.value
        for n in ast.walk(func)
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
    ]
    if not bound or len(_targets(func, node.id)) != len(bound):
        return None
    models = set()
    for value in bound:
        if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
            return None
        if value.func.attr not in _STEPS:
            return None
        owner = _chain_owner(value)
        if owner is None:
            return None
        models.add(dotted(owner).rsplit(".", 1)[-1])
    return models.pop() if len(models) == 1 else None


def _targets(func: Function, name: str) -> list[ast.AST]:
    """Every binding of ``name`` in the function (assignments, loops, withs, parameters)."""
    found: list[ast.AST] = [a for a in func.args.args if a.arg == name]
    for n in ast.walk(func):
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
            found.append(n)
    return found


def _row_model(src: Source, func: Function, node: ast.expr) -> str | None:
    """The model of the row a name holds: bound once, in the function, to a lookup of it."""
    if not isinstance(node, ast.Name):
        return None
    if len(_targets(func, node.id)) != 1:
        return None
    for n in ast.walk(func):
        if (
            isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and n.targets[0].id == node.id
            and isinstance(n.value, ast.Call)
            and isinstance(n.value.func, ast.Attribute)
            and n.value.func.attr in _LOOKUPS
        ):
            model = _lookup_model(src, func, n.value)
            return model or None
    return None


def _own_manager_lookup(call: ast.Call) -> bool:
    """A manager method's lookup of its own model: ``self.get(...)``,
    ``self.model.objects.get(...)``, ``self.filter(...).get(...)``, ``self.get_queryset()...``."""
    node = call.func.value if isinstance(call.func, ast.Attribute) else None
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get_queryset" and is_self(node.func.value):
            return True
        if node.func.attr not in _STEPS:
            return False
        node = node.func.value
    if node is None:
        return False
    return is_self(node) or dotted(node) == "self.model.objects"


def _translation(call: ast.Call, method: Function) -> list[tuple[str, int]] | None:
    """The builtin exceptions the handler around ``call`` in ``method`` raises for its miss;
    None when the miss gets out as it is (no handler, one that re-raises it, or one raising
    an exception of the project's, which the view would need to import)."""
    up = {c: p for p in ast.walk(method) for c in ast.iter_child_nodes(p)}
    child: ast.AST = call
    current = up.get(call)
    while current is not None and current is not method:
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                names = {dotted(t) for t in _types(handler)}
                if not names & {"self.model.DoesNotExist", "ObjectDoesNotExist", "DoesNotExist"}:
                    continue
                raised = []
                for node in own_nodes(handler):
                    if not isinstance(node, ast.Raise):
                        continue
                    if node.exc is None:
                        return None
                    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                    if not isinstance(exc, ast.Name) or not _builtin_exception(exc.id):
                        return None
                    raised.append((exc.id, node.lineno))
                return raised or None
        child, current = current, up.get(current)
    return None


def _types(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]


def _relations(cls: ast.ClassDef) -> list[tuple[str, ast.Call]]:
    """``column = models.ForeignKey(Column, ...)``: each relation field and its call."""
    out = []
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func).rsplit(".", 1)[-1] in _RELATIONS
        ):
            out.append((stmt.targets[0].id, stmt.value))
    return out


def _target(call: ast.Call) -> str:
    """The model a relation points at, by class name (``"app.Column"`` -> Column)."""
    node = call.args[0] if call.args else keyword_value(call, "to")
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1]
    return dotted(node).rsplit(".", 1)[-1] if node is not None else ""


def _keyword_text(call: ast.Call, name: str) -> str:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    return ""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _builtin(name: str) -> bool:
    return hasattr(builtins, name)


def _builtin_exception(name: str) -> bool:
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, Exception)
