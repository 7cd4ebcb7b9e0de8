"""The project method a call stands for, where the upstream resolver's callee would be the
wrong answer: a constructor is no lookup, and a method named on the class itself
(``Supporter.get(id=...)``) is one only when it is a class or static method. The receiver's
class is the upstream resolver's (receiver_classes): ``self.__get_job(...)`` in a class,
``db.get_job(...)`` on a module-level ``db = Database(...)``, ``br.find(...)`` on a local
``br = BookRepository(db.session)``, ``svc.get_user(...)`` of an injected ``svc: UserService``.
Repository and database wrapper classes are where a route's lookups hide (mquery's
``Database``, lute's repositories), and so are a Flask-SQLAlchemy model's own query class
(``query_class = PersonQuery``, whose ``get(id, project)`` ends in ``.one_or_none()``) and a
Django model's manager. No inheritance is followed: a method the class does not define itself
is not guessed at (Flask-SQLAlchemy's own ``get`` stays the library's)."""

from __future__ import annotations

import ast

from .pysource import Source, method_of
from .receiver_classes import Located
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef


def resolve_call(
    upstream: UpstreamCalls, source: Source, call: ast.Call
) -> tuple[Source, Function] | None:
    """A top-level function (the upstream resolver's answer) or a method of a known class."""
    found = upstream.resolve(source, call.func)
    if found is not None:
        return found
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    model = model_of(func.value, "objects")
    if model is not None:
        return manager_method(upstream, source, model, func.attr)
    model = model_of(func.value, "query")
    if model is not None:
        return _query_class_method(upstream, source, model, func.attr)
    instance = upstream.receiver_class(source, call, func.value)
    if instance is not None:
        method = method_of(instance[1], func.attr)
        return (instance[0], method) if method is not None else None
    if isinstance(func.value, ast.Name) and func.value.id[:1].isupper():
        # ``Supporter.get(id=...)``: a model's classmethod wrapping its own query.
        located = upstream.resolve_class(source, func.value)
        method = method_of(located[1], func.attr) if located is not None else None
        if located is not None and method is not None and class_level(method):
            return located[0], method
    return None


def model_of(node: ast.expr, attribute: str) -> str | None:
    """The model whose ``attribute`` ``node`` reads: ``Person.query`` ("query", a
    Flask-SQLAlchemy model's query) -> Person, ``Application.objects`` ("objects", a Django
    model's manager) -> Application."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr == attribute
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    ):
        return node.value.id
    return None


def _query_class_method(
    upstream: UpstreamCalls, source: Source, model: str, name: str
) -> tuple[Source, Function] | None:
    """``Person.query.get(member_id, project)``: the method of the query class the model
    declares as ``query_class = PersonQuery``, a class nested in the model or one of the
    project's modules."""
    located = upstream.resolve_class(source, ast.Name(model))
    if located is None:
        return None
    model_source, cls = located
    declared = [
        node.value
        for node in cls.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "query_class" for t in node.targets)
    ]
    if len(declared) != 1 or not isinstance(declared[0], ast.Name):
        return None
    spelled = declared[0].id
    nested = next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == spelled), None)
    query = (model_source, nested) if nested is not None else None
    query = query or upstream.resolve_class(model_source, declared[0])
    if query is None:
        return None
    method = method_of(query[1], name)
    return (query[0], method) if method is not None else None


def manager_method(
    upstream: UpstreamCalls, source: Source, model: str, name: str
) -> tuple[Source, Function] | None:
    """``Application.objects.for_type(...)``: the method of the manager class the model
    declares as ``objects = ApplicationManager()``."""
    for located in manager_classes(upstream, source, model):
        method = method_of(located[1], name)
        if method is not None:
            return located[0], method
    return None


def manager_classes(upstream: UpstreamCalls, source: Source, model: str) -> list[Located]:
    """The project classes whose methods ``Model.objects`` has: ``objects = CaseManager()``,
    ``objects = CaseQuerySet.as_manager()``, ``objects = CaseManager.from_queryset(CaseQuerySet)()``
    (the queryset's first, as Django copies them onto the manager)."""
    located = upstream.resolve_class(source, ast.Name(model))
    if located is None:
        return []
    model_source, cls = located
    declared = [
        node.value
        for node in cls.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "objects" for t in node.targets)
    ]
    if len(declared) != 1 or not isinstance(declared[0], ast.Call):
        return []
    names = manager_names(declared[0])
    found = [upstream.resolve_class(model_source, ast.Name(n)) for n in names]
    return [f for f in found if f is not None]


def manager_names(made: ast.Call) -> list[str]:
    """The classes a model's ``objects = ...`` call makes its manager of (queryset first)."""
    func = made.func
    if isinstance(func, ast.Name):
        return [func.id]
    if isinstance(func, ast.Attribute) and func.attr == "as_manager":
        return [func.value.id] if isinstance(func.value, ast.Name) else []
    if (
        isinstance(func, ast.Call)
        and isinstance(func.func, ast.Attribute)
        and func.func.attr == "from_queryset"
        and isinstance(func.func.value, ast.Name)
        and len(func.args) == 1
        and isinstance(func.args[0], ast.Name)
    ):
        return [func.args[0].id, func.func.value.id]
    return []


def class_level(method: Function) -> bool:
    return any(
        isinstance(d, ast.Name) and d.id in ("classmethod", "staticmethod")
        for d in method.decorator_list
    )
