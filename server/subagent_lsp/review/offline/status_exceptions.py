"""BKD322: the project's own exception carries an HTTP status the app never answers with. A real
FastAPI app raised ``CustomException("Token has expired", status_code=401)`` from the token
dependency of every authenticated route, and registered handlers for ``HTTPException`` and
``Exception`` only: FastAPI knows nothing of ``status_code`` on a class of its own, so each bad
token reached the ``Exception`` handler and became a 500 with the message in its body.

Reported once, at the class: its 4xx (a ``status_code`` class attribute, or an ``__init__``
parameter ``status_code``/``status``/``code`` with a 4xx default or passed one where it is
raised), and the raises on a request path (in a route, in a dependency ``Depends`` names, or in
a project function one of those calls, a few calls deep). The fix registers a handler for it on
the app, next to the app's other handlers and in their answer's shape (app_handlers).

Silent when a handler takes the class or one of its project bases (one for ``Exception`` only
answers a 500), when it derives from anything but Python's own exceptions (Starlette's,
werkzeug's and DRF's ``HTTPException``/``APIException`` answer their status themselves), when a
middleware catches, when some ``except`` of the project names it, and when the app is not one
(app_handlers).
"""

from __future__ import annotations

import ast
import builtins
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ...definitions.findings import Position, Span
from ..suggestion import Suggestion
from .app_handlers import AppSite, handler_edits, project_app_site, project_sources
from .frameworks import ModuleFacts, module_facts
from .pysource import Source, caught_types, dotted, imported_from
from .try_blocks import caught, exception_name, status_code

Function = ast.FunctionDef | ast.AsyncFunctionDef
_STATUS_NAMES = ("status_code", "status", "code", "http_status")
_MESSAGE_NAMES = ("message", "detail", "msg", "error", "description", "reason")
_DEPENDS = frozenset({"Depends", "Security"})
_MAX_DEPTH = 3
_MAX_BASES = 5
_BUILTIN_ERRORS = frozenset(
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), Exception)
) | {"BaseException"}
_WORD = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True)
class _Status:
    attr: str  # the instance's attribute holding it: ``exc.status_code``
    default: int | None  # the status when a raise passes none
    param: tuple[int, str] | None  # ``__init__``'s parameter (position without self, name)


@dataclass(frozen=True)
class _Raise:
    source: Source
    node: ast.Raise
    func: Function
    status: int


def status_exception_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.middleware_catches:
        return []
    if _registered_unread(facts):
        return []
    out: list[Suggestion] = []
    site: AppSite | None = None
    looked = False
    for module in facts.source.modules:
        for cls in module.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            lineage = _lineage(facts, facts.source, cls)
            if lineage is None:
                continue
            names = {c.name for _, c in lineage}
            status = _status(lineage)
            if status is None or names & facts.handled or _caught_somewhere(facts, names):
                continue
            raises = _raises(facts, cls, status, names)
            if not raises:
                continue
            if not looked:
                site, looked = project_app_site(facts), True
            if site is None:
                return out
            found = _suggestion(facts, site, lineage, status, raises)
            if found is not None:
                out.append(found)
    return out


_REGISTERS = frozenset(
    {"add_exception_handler", "exception_handler", "register_error_handler", "errorhandler"}
)


def _registered_unread(facts: ModuleFacts) -> bool:
    """Some module registers a handler for a class held in a variable: a loop over
    ``AppError.__subclasses__()`` (a real shipping API answered each of its errors' status
    so; six suggestions there were judged noise). Which classes it takes is not read."""
    sources = [s for name in sorted(_REGISTERS) for s in project_sources(facts, name)]
    for source in {id(s): s for s in sources}.values():
        classes = {c.name for m in source.modules for c in m.body if isinstance(c, ast.ClassDef)}
        for call in source.of(ast.Call):
            if not call.args or dotted(call.func).rsplit(".", 1)[-1] not in _REGISTERS:
                continue
            first = call.args[0]
            if (
                isinstance(first, ast.Name)
                and not imported_from(source, first.id)
                and first.id not in classes
                and not hasattr(builtins, first.id)
            ):
                return True
    return False


def _lineage(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef
) -> list[tuple[Source, ast.ClassDef]] | None:
    """The class and its project bases, nearest first; None unless every base outside the
    project is one of Python's own exceptions (anything else may answer its status itself)."""
    out = [(src, cls)]
    todo = [(src, cls)]
    outside = False
    while todo:
        here, node = todo.pop()
        for base in node.bases:
            parent = facts.upstream.resolve_class(here, base) if facts.upstream else None
            if parent is None and isinstance(base, ast.Name) and base.id != node.name:
                own = [c for m in here.modules for c in m.body if isinstance(c, ast.ClassDef)]
                local = [c for c in own if c.name == base.id]
                parent = (here, local[0]) if local else None
            if parent is not None and parent[1] is not node:
                if len(out) >= _MAX_BASES or any(c is parent[1] for _, c in out):
                    return None
                out.append(parent)
                todo.append(parent)
                continue
            if not (isinstance(base, ast.Name) and base.id in _BUILTIN_ERRORS):
                return None
            if imported_from(here, base.id):
                return None  # ``from x import ValueError``: not Python's own
            outside = True
    return out if outside else None


def _status(lineage: list[tuple[Source, ast.ClassDef]]) -> _Status | None:
    for _, cls in lineage:
        init = next(
            (s for s in cls.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None
        )
        if init is not None:
            found = _init_status(init)
            if found is not None:
                return found
        for stmt in cls.body:
            target, value = _assigned(stmt)
            if isinstance(target, ast.Name) and target.id in _STATUS_NAMES and value is not None:
                code = status_code(value)
                if code is not None and 400 <= code < 500:
                    return _Status(target.id, code, None)
    return None


def _init_status(init: ast.FunctionDef) -> _Status | None:
    args = init.args
    positional = [*args.posonlyargs, *args.args][1:]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    params = list(zip(positional, [*defaults, *args.defaults], strict=True))
    params += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    for index, (arg, default) in enumerate(params):
        if arg.arg not in _STATUS_NAMES:
            continue
        attr = _stored(init, arg.arg)
        if attr is None:
            return None
        code = status_code(default) if default is not None else None
        at = index if index < len(positional) else -1
        return _Status(attr, code, (at, arg.arg))
    return None


def _stored(func: Function, param: str) -> str | None:
    """``self.<attr> = param`` in the function's own body."""
    for stmt in func.body:
        target, value = _assigned(stmt)
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id == "self"
            and isinstance(value, ast.Name)
            and value.id == param
        ):
            return target.attr
    return None


def _assigned(stmt: ast.stmt) -> tuple[ast.expr | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return stmt.targets[0], stmt.value
    if isinstance(stmt, ast.AnnAssign):
        return stmt.target, stmt.value
    return None, None


def _caught_somewhere(facts: ModuleFacts, names: set[str]) -> bool:
    """Some ``except`` of the project names the class or a base: it is answered somewhere,
    and which raises that covers is not read."""
    return any(
        exception_name(expr) in names
        for name in names
        for src in project_sources(facts, name)
        for _, expr in caught_types(src)
    )


def _raises(
    facts: ModuleFacts, cls: ast.ClassDef, status: _Status, names: set[str]
) -> list[_Raise]:
    """The raises of the class itself on a request path, with a 4xx, in the order written."""
    routes: dict[int, set[int]] = {id(facts.source): {id(r.func) for r in facts.routes}}
    out: list[_Raise] = []
    for src in project_sources(facts, cls.name):
        for node in src.of(ast.Raise):
            call = node.exc
            if not isinstance(call, ast.Call) or not _is_class(facts, src, call.func, cls):
                continue
            code = _raised_status(call, status)
            func = src.function_of(node)
            if code is None or not 400 <= code < 500 or not isinstance(func, Function):
                continue
            if caught(node, src.up(), names):
                continue
            if _on_request(facts, src, func, names, routes, 0, set()):
                out.append(_Raise(src, node, func, code))
    return out


def _is_class(facts: ModuleFacts, src: Source, written: ast.expr, cls: ast.ClassDef) -> bool:
    if src is facts.source and isinstance(written, ast.Name) and written.id == cls.name:
        return not imported_from(src, cls.name)
    found = facts.upstream.resolve_class(src, written) if facts.upstream else None
    return found is not None and _same(found[0], found[1], facts.source, cls)


def _same(a_src: Source, a: ast.AST, b_src: Source, b: ast.AST) -> bool:
    return (
        os.path.abspath(a_src.path) == os.path.abspath(b_src.path)
        and getattr(a, "lineno", None) == getattr(b, "lineno", None)
        and getattr(a, "name", None) == getattr(b, "name", None)
    )


def _raised_status(call: ast.Call, status: _Status) -> int | None:
    if status.param is not None:
        index, name = status.param
        for keyword in call.keywords:
            if keyword.arg == name:
                return status_code(keyword.value)
        if 0 <= index < len(call.args):
            return status_code(call.args[index])
        if any(k.arg is None for k in call.keywords) or any(
            isinstance(a, ast.Starred) for a in call.args
        ):
            return None
    return status.default


def _on_request(
    facts: ModuleFacts,
    src: Source,
    func: Function,
    names: set[str],
    routes: dict[int, set[int]],
    depth: int,
    seen: set[tuple[str, int]],
) -> bool:
    """A route runs ``func``, or a dependency is it, or a project function that one of those
    calls (the call not inside a ``try`` that catches it) does."""
    if id(func) in _routes(facts, src, routes):
        return True
    key = (src.path, func.lineno)
    if depth >= _MAX_DEPTH or key in seen:
        return False
    seen.add(key)
    owner = src.up().get(func)
    owner_name = owner.name if isinstance(owner, ast.ClassDef) else None
    for other in project_sources(facts, func.name):
        for call in other.of(ast.Call):
            if _depends_on(call, func.name, owner_name):
                return True
            if dotted(call.func).rsplit(".", 1)[-1] != func.name:
                continue
            target = facts.upstream.callee(other, call) if facts.upstream else None
            if target is None and other is src and isinstance(call.func, ast.Name):
                target = (src, func) if owner_name is None else None
            if target is None or not _same(target[0], target[1], src, func):
                continue
            caller = other.function_of(call)
            if not isinstance(caller, Function) or caught(call, other.up(), names):
                continue
            if _on_request(facts, other, caller, names, routes, depth + 1, seen):
                return True
    return False


def _routes(facts: ModuleFacts, src: Source, routes: dict[int, set[int]]) -> set[int]:
    found = routes.get(id(src))
    if found is None:
        found = routes[id(src)] = {id(r.func) for r in module_facts(src, facts.upstream).routes}
    return found


def _depends_on(call: ast.Call, name: str, owner: str | None) -> bool:
    """``Depends(get_user)`` / ``Depends(CommonService.get_user)`` of the function."""
    if dotted(call.func).rsplit(".", 1)[-1] not in _DEPENDS or not call.args:
        return False
    written = dotted(call.args[0])
    if owner is None:
        return written == name or written.endswith(f".{name}")
    return written.endswith(f"{owner}.{name}")


def _suggestion(
    facts: ModuleFacts,
    site: AppSite,
    lineage: list[tuple[Source, ast.ClassDef]],
    status: _Status,
    raises: list[_Raise],
) -> Suggestion | None:
    src, cls = lineage[0]
    name = _WORD.sub("_", cls.name).lower() + "_handler"
    if any(f.name == name for f in site.source.functions()):
        return None
    imported = None if site.source.path == src.path else _module_of(facts, src, cls)
    if imported == "":
        return None
    edits = handler_edits(site, cls.name, imported, name, f"exc.{status.attr}", _message(lineage))
    codes = sorted({r.status for r in raises})
    said = " or ".join(str(c) for c in codes)
    by_func: dict[tuple[str, str], list[int]] = {}
    for r in raises:
        by_func.setdefault((r.func.name, r.source.path), []).append(r.node.lineno)
    shown = [
        f"`{func}` ({_where(src.path, path)}:{', '.join(map(str, lines))})"
        for (func, path), lines in list(by_func.items())[:3]
    ]
    more = f" and {len(by_func) - 3} more functions" if len(by_func) > 3 else ""
    taken = sorted(n for n in facts.handled if not n.isdigit())
    handlers = (
        f"the app's handlers take {', '.join(f'`{n}`' for n in taken)} only"
        if taken
        else "the app registers no handler for it"
    )
    broad = any(n in ("Exception", "BaseException") for n in taken)
    becomes = "its `Exception` handler's 500" if broad else "a 500"
    app_file = _where(src.path, site.source.path)
    line = cls.lineno - 1
    return Suggestion(
        "BKD322",
        "error-handling",
        src.path,
        Span(Position(line, 0), Position(line, len(src.lines[line]))),
        f"Register a handler for `{cls.name}`: its {said} is answered as a 500",
        f"`{cls.name}` carries an HTTP status (`{status.attr}`, {said} where it is raised) "
        f"that {'FastAPI' if site.framework == 'fastapi' else 'Flask'} knows nothing of, and "
        f"{handlers}: raised on a request path from {', '.join(shown)}{more}, it becomes "
        f"{becomes} instead. A handler on the app in {app_file} answers "
        f"`exc.{status.attr}` in the shape of the app's other answers.",
        tuple(edits),
    )


def _message(lineage: list[tuple[Source, ast.ClassDef]]) -> str:
    for _, cls in lineage:
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                params = [a.arg for a in [*stmt.args.args, *stmt.args.kwonlyargs]]
                for param in params:
                    if param in _MESSAGE_NAMES:
                        attr = _stored(stmt, param)
                        if attr is not None:
                            return f"exc.{attr}"
            target, value = _assigned(stmt)
            if (
                isinstance(target, ast.Name)
                and target.id in _MESSAGE_NAMES
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                return f"exc.{target.id}"
    return "str(exc)"


def _module_of(facts: ModuleFacts, src: Source, cls: ast.ClassDef) -> str:
    """The module the app imports the class from: as the project's own imports of it write it,
    else from the project's root."""
    for other in project_sources(facts, cls.name):
        for module, name in imported_from(other, cls.name):
            if name == cls.name and module and not module.startswith("."):
                return module
    roots: Iterable[str] = facts.upstream.roots if facts.upstream is not None else ()
    path = os.path.abspath(src.path)
    for root in roots:
        if path.startswith(root + os.sep):
            rel = os.path.relpath(path, root)[: -len(".py")]
            return rel.replace(os.sep, ".").removesuffix(".__init__")
    return ""


def _where(base: str, path: str) -> str:
    return os.path.relpath(path, os.path.dirname(base)) if path != base else "this module"
