"""The project method a call stands for, where the upstream resolver knows only functions:
``self.__get_job(...)`` in a class, ``db.get_job(...)`` on a module-level ``db = Database(...)``,
``br.find(...)`` on a local ``br = BookRepository(db.session)``. Repository and database
wrapper classes are where a route's lookups hide (mquery's ``Database``, lute's repositories).
No inheritance is followed: a method the class does not define itself is not guessed at."""

from __future__ import annotations

import ast

from .pysource import Source, imported_from, top_level_class
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
    if isinstance(func, ast.Attribute) and _objects_of(func.value) is not None:
        return _manager_method(upstream, source, _objects_of(func.value), func.attr)
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    owner = func.value.id
    where = source.function_of(call)
    if owner == "self" and isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef):
        cls = source.up().get(where)
        if isinstance(cls, ast.ClassDef):
            method = method_of(cls, func.attr)
            return (source, method) if method is not None else None
        return None
    made = _constructed(source, where, owner)
    if made is None and owner[:1].isupper():
        # ``Supporter.get(id=...)``: a model's classmethod wrapping its own query.
        located = _class(upstream, source, owner)
        method = method_of(located[1], func.attr) if located is not None else None
        if located is not None and method is not None and class_level(method):
            return located[0], method
        return None
    if made is None:
        return None
    located = _class(upstream, source, made)
    if located is None:
        return None
    cls_source, cls = located
    method = method_of(cls, func.attr)
    return (cls_source, method) if method is not None else None


def _objects_of(node: ast.expr) -> str | None:
    """``Application.objects`` -> Application: a Django model's manager."""
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    ):
        return node.value.id
    return None


def _manager_method(
    upstream: UpstreamCalls, source: Source, model: str | None, name: str
) -> tuple[Source, Function] | None:
    """``Application.objects.for_type(...)``: the method of the manager class the model
    declares as ``objects = ApplicationManager()``."""
    located = _class(upstream, source, model)
    if located is None:
        return None
    model_source, cls = located
    managers = {
        node.value.func.id
        for node in cls.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "objects" for t in node.targets)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
    }
    manager = _class(upstream, model_source, next(iter(managers))) if len(managers) == 1 else None
    if manager is None:
        return None
    method = method_of(manager[1], name)
    return (manager[0], method) if method is not None else None


def method_of(cls: ast.ClassDef, name: str) -> Function | None:
    """The method ``name`` the class body defines itself (the first one)."""
    for node in cls.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node
    return None


def class_level(method: Function) -> bool:
    return any(
        isinstance(d, ast.Name) and d.id in ("classmethod", "staticmethod")
        for d in method.decorator_list
    )


def _constructed(source: Source, where: ast.AST | None, name: str) -> str | None:
    """The class ``name`` is an instance of: ``name = Cls(...)`` in the function, else in the
    module (one binding only: a name bound twice may be either)."""
    scopes: list[dict[str, set[str | None]]] = []
    if isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef):
        scopes.append(_bindings(source.nodes_of(where)))
    scopes.append(_module_bindings(source))
    for bound in scopes:
        classes = bound.get(name)
        if classes is None:
            continue
        return next(iter(classes)) if len(classes) == 1 else None
    return None


def _module_bindings(source: Source) -> dict[str, set[str | None]]:
    # Asked once per call in a route: walking the module each time made a 2,000-line file cost
    # seconds, so the module's answer is kept on its Source.
    cached = source.__dict__.get("_row_method_bindings")
    if cached is None:
        cached = _bindings(source.walk())
        source.__dict__["_row_method_bindings"] = cached
    return cached


def _bindings(nodes: list[ast.AST]) -> dict[str, set[str | None]]:
    bound: dict[str, set[str | None]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, set()).add(_class_name(node.value))
    return bound


def _class_name(value: ast.expr) -> str | None:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        name = value.func.id
        return name if name[:1].isupper() else None
    return None


def _class(
    upstream: UpstreamCalls, source: Source, name: str | None
) -> tuple[Source, ast.ClassDef] | None:
    if name is None:
        return None
    own = top_level_class(source, name)
    if own is not None:
        return source, own
    for module, imported in imported_from(source, name):
        for path in upstream.module_files_of(source.path, module):
            loaded = upstream.loader(path)
            found = top_level_class(loaded, imported or name) if loaded is not None else None
            if loaded is not None and found is not None:
                return loaded, found
    return None
