"""The app's own not-found error: a project exception class an app-wide handler takes
(``@app.errorhandler(NotFoundError)``, FastAPI's ``exception_handler``) that says it is a
404, by its name (``NotFoundError``, ``BookDoesNotExist``) or its status (``code = 404``).
A service that finds no row raises it: the handler answers 404, and the service stays free of
the web framework's own ``abort``/``HTTPException``.

Only a class the service can import as some module of the project already does (the service
itself, or the route calling it) is offered, and only one made with a message alone.
"""

from __future__ import annotations

import ast
import os

from .frameworks import ModuleFacts
from .pysource import Source, imported_from

_SAYS_MISSING = ("NotFound", "DoesNotExist", "Missing")
_STATUS_ATTRS = ("code", "status_code", "status")
_BASES_DEPTH = 3


def own_not_found(
    facts: ModuleFacts, service: Source, label: str, key: str | None = None
) -> tuple[str, list[tuple[str, str]]] | None:
    """``raise NotFoundError("Book not found")`` for ``service``, and its import; for a class
    that takes the missing row's id instead (``UserNotFoundException(user_id)``), ``key``."""
    if facts.upstream is None:
        return None
    for name in sorted(facts.handled):
        if not name.isidentifier() or name[:1].islower():
            continue
        found = _importable(facts, service, name)
        if found is None:
            continue
        where, cls, needed = found
        if not _is_404(facts, where, cls):
            continue
        if _takes_message(facts, where, cls):
            return f'raise {name}("{label} not found")', needed
        if key is not None and _takes_one(facts, where, cls):
            return f"raise {name}({key})", needed
    return None


def _importable(
    facts: ModuleFacts, service: Source, name: str
) -> tuple[Source, ast.ClassDef, list[tuple[str, str]]] | None:
    assert facts.upstream is not None
    here = facts.source
    for src in (service, here):
        cls = facts.upstream.resolve_class(src, ast.Name(id=name))
        if cls is None:
            continue
        if src is service:
            return cls[0], cls[1], []  # bound there already
        for module, original in imported_from(src, name):
            if original != name:
                continue
            same_folder = os.path.dirname(src.path) == os.path.dirname(service.path)
            if module.startswith(".") and not same_folder:
                continue  # a relative import says another thing from another folder
            return cls[0], cls[1], [(module, name)]
    return None


def _lineage(facts: ModuleFacts, where: Source, cls: ast.ClassDef) -> list[ast.ClassDef]:
    """``cls`` and its project bases (one line of them)."""
    assert facts.upstream is not None
    out = [cls]
    for _ in range(_BASES_DEPTH):
        bases = [facts.upstream.resolve_class(where, b) for b in cls.bases]
        known = [b for b in bases if b is not None]
        if len(known) != 1:
            break
        where, cls = known[0]
        out.append(cls)
    return out


def _is_404(facts: ModuleFacts, where: Source, cls: ast.ClassDef) -> bool:
    for klass in _lineage(facts, where, cls):
        for stmt in klass.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else None
            if isinstance(stmt, ast.AnnAssign):
                target = stmt.target
            value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
            if isinstance(target, ast.Name) and target.id in _STATUS_ATTRS:
                return isinstance(value, ast.Constant) and value.value == 404
    return any(word in cls.name for word in _SAYS_MISSING)


def _takes_message(facts: ModuleFacts, where: Source, cls: ast.ClassDef) -> bool:
    """The nearest ``__init__`` of the lineage takes one positional argument (or none is
    written: ``Exception``'s takes any)."""
    for klass in _lineage(facts, where, cls):
        init = next(
            (s for s in klass.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
            None,
        )
        if init is None:
            continue
        args = init.args
        positional = [*args.posonlyargs, *args.args][1:]
        required = len(positional) - len(args.defaults)
        required += sum(1 for d in args.kw_defaults if d is None)
        if positional and not _may_be_text(positional[0].annotation):
            return False  # ``__init__(self, user_id: UUID)``: a message would be the wrong type
        return (required <= 1 and len(positional) >= 1) or args.vararg is not None
    return True


def _takes_one(facts: ModuleFacts, where: Source, cls: ast.ClassDef) -> bool:
    """The nearest ``__init__`` takes exactly one argument, required."""
    for klass in _lineage(facts, where, cls):
        for stmt in klass.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                args = stmt.args
                positional = [*args.posonlyargs, *args.args][1:]
                return (
                    len(positional) == 1
                    and not args.defaults
                    and not args.kwonlyargs
                    and args.vararg is None
                )
    return False


def _may_be_text(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return True
    written = ast.unparse(annotation).replace(" ", "")
    return written in {"str", "Any", "object", "str|None", "Optional[str]", "typing.Any"}
