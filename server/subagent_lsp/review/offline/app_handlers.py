"""Where an app registers its exception handlers, and the answer shape they give: an app-wide
fix (BKD322's handler for a project exception, BKD202's for bson's ``InvalidId``) adds one more
handler there, answering as the app's others do.

Found only when the project constructs exactly one app (``app = FastAPI(...)``, ``app =
Flask(__name__)``), at the top of a module or in a factory: the handler goes after the last one
that app registers in the same block (else right after the construction), so it is on the app
the routes run under. Two apps (an API and an admin, a test app) leave it unknown, and so does
a registration of a name that is no class (a loop over a table of handlers), which may already
take the exception.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from ...definitions.findings import Position, Span
from ..suggestion import Edit
from .frameworks import ModuleFacts
from .pyedits import ensure_imports
from .pysource import Source, dotted, qualified
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
_APPS = {"fastapi": "fastapi", "starlette": "fastapi", "flask": "flask"}
_REGISTER = frozenset({"add_exception_handler", "register_error_handler"})
_DECORATORS = frozenset({"exception_handler", "errorhandler"})
_BROAD = frozenset({"Exception", "BaseException"})
_RESPONSES = frozenset({"JSONResponse", "ORJSONResponse", "UJSONResponse"})
# What a handler of the app answers with the exception's text, and with its status.
_MESSAGE_ATTRS = frozenset({"detail", "description", "message", "msg"})
_STATUS_ATTRS = frozenset({"status_code", "code"})


@dataclass(frozen=True)
class AppSite:
    source: Source
    framework: str  # fastapi | flask
    app: str  # the name the app is bound to there
    indent: str  # of the block the app is made in
    line: int  # 0-based: the new handler goes before this line
    top: bool  # the block is the module's (two blank lines around a def)
    # The app's answer to a client error, key by key: (key as written, "message" | "status" |
    # a literal as written); empty when no handler of the app answers one.
    shape: tuple[tuple[str, str], ...]


def project_sources(facts: ModuleFacts, name: str) -> list[Source]:
    """The project's modules that write ``name`` (this one alone without a project)."""
    if facts.writers is None:
        return [facts.source]
    return list(facts.writers(name))


def project_app_site(facts: ModuleFacts) -> AppSite | None:
    """The app's handlers' site, among the project's modules that make an app."""
    sources = [*project_sources(facts, "FastAPI"), *project_sources(facts, "Flask")]
    return app_site(sources, facts.upstream)


def app_site(sources: Iterable[Source], upstream: UpstreamCalls | None) -> AppSite | None:
    """The project's one app construction and its handlers' block (None: none, several, or
    handlers registered in a way not read)."""
    found: list[tuple[Source, ast.Assign, str, str]] = []
    for source in {id(s): s for s in sources}.values():
        for stmt in source.of(ast.Assign):
            framework = _constructed(source, stmt)
            if framework is not None and isinstance(stmt.targets[0], ast.Name):
                found.append((source, stmt, stmt.targets[0].id, framework))
    if len(found) != 1:
        return None
    source, made, app, framework = found[0]
    block = _block(source, made)
    if block is None:
        return None
    registered: list[tuple[ast.stmt, ast.expr, ast.expr | Function]] = []
    for call in source.of(ast.Call):
        if _registers(call, app):
            said = source.up().get(call)
            if not (isinstance(said, ast.Expr) and said in block and len(call.args) == 2):
                return None  # in a loop, a branch or a helper: what it takes is not read
            registered.append((said, call.args[0], call.args[1]))
    for node in block:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                if _decorates(deco, app):
                    assert isinstance(deco, ast.Call)
                    registered.append((node, deco.args[0], node))
    # a class, or Flask's status code (``errorhandler(404)``)
    if any(
        not isinstance(cls, ast.Name | ast.Attribute | ast.Constant) for _, cls, _ in registered
    ):
        return None
    last = max([made, *(stmt for stmt, _, _ in registered)], key=lambda s: s.end_lineno or 0)
    shapes = [
        _shape(source, handler, framework, upstream)
        for _, cls, handler in registered
        if dotted(cls).rsplit(".", 1)[-1] not in _BROAD
    ]
    return AppSite(
        source,
        framework,
        app,
        source.indent_of(made.lineno - 1),
        last.end_lineno or last.lineno,
        block is source.modules[0].body if source.modules else False,
        next((s for s in shapes if any(what == "message" for _, what in s)), ()),
    )


def handler_edits(
    site: AppSite,
    cls: str,
    imported: str | None,
    name: str,
    status: str,
    message: str,
) -> list[Edit]:
    """A handler of the class ``cls`` (``imported`` from that module; None: bound in the app's
    module already) named ``name``, answering ``status`` and ``message`` (expressions over
    ``exc``) in the app's shape, after the app's other handlers."""
    src = site.source
    needed = [(imported, cls)] if imported is not None else []
    if site.framework == "fastapi":
        needed.append(("fastapi.responses", "JSONResponse"))
        lines = [
            f"@{site.app}.exception_handler({cls})",
            f"async def {name}(request, exc):",
            "    return JSONResponse(",
            f"        status_code={status},",
            f"        content={_content(site, status, message, 'detail')},",
            "    )",
        ]
    else:
        needed.append(("flask", "jsonify"))
        lines = [
            f"@{site.app}.errorhandler({cls})",
            f"def {name}(exc):",
            f"    return jsonify({_content(site, status, message, 'error')}), {status}",
        ]
    blank = 2 if site.top else 1
    following = 0  # the blank lines already after the last handler
    while site.line + following < len(src.lines) and not src.lines[site.line + following].strip():
        following += 1
    body = [""] * blank + [f"{site.indent}{line}" for line in lines]
    body += [""] * max(blank - following, 0)
    insert = Edit(src.path, Span.point(site.line, 0), src.eol.join(body) + src.eol)
    if site.line >= len(src.lines):  # the last line of a file without a final newline
        end = Position(len(src.lines) - 1, len(src.lines[-1]))
        insert = Edit(src.path, Span(end, end), src.eol + src.eol.join(body))
    return [*ensure_imports(src, needed), insert]


def _content(site: AppSite, status: str, message: str, key: str) -> str:
    if not site.shape:
        return f'{{"{key}": {message}}}'
    said = {"message": message, "status": status}
    return "{" + ", ".join(f"{k}: {said.get(v, v)}" for k, v in site.shape) + "}"


def _constructed(source: Source, stmt: ast.Assign) -> str | None:
    if len(stmt.targets) != 1 or not isinstance(stmt.value, ast.Call):
        return None
    written = dotted(stmt.value.func)
    if written.rsplit(".", 1)[-1] not in ("FastAPI", "Flask"):
        return None
    return _APPS.get(qualified(source, written).split(".")[0])


def _block(source: Source, stmt: ast.stmt) -> list[ast.stmt] | None:
    parent = source.up().get(stmt)
    if isinstance(parent, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef):
        return parent.body if stmt in parent.body else None
    return None


def _registers(call: ast.Call, app: str) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in _REGISTER
        and isinstance(func.value, ast.Name)
        and func.value.id == app
    )


def _decorates(deco: ast.expr, app: str) -> bool:
    return (
        isinstance(deco, ast.Call)
        and isinstance(deco.func, ast.Attribute)
        and deco.func.attr in _DECORATORS
        and isinstance(deco.func.value, ast.Name)
        and deco.func.value.id == app
        and len(deco.args) == 1
    )


def _shape(
    source: Source,
    handler: ast.expr | Function,
    framework: str,
    upstream: UpstreamCalls | None,
) -> tuple[tuple[str, str], ...]:
    """The keys a handler's answer has, each as ``message``, ``status`` or a literal."""
    found: tuple[Source, Function] | None = None
    if isinstance(handler, ast.FunctionDef | ast.AsyncFunctionDef):
        found = source, handler
    elif isinstance(handler, ast.Name):
        local = [f for f in source.functions() if f.name == handler.id]
        if local and source.up().get(local[0]) in source.modules:
            found = source, local[0]
        elif upstream is not None:
            found = upstream.resolve(source, handler)
    if found is None:
        return ()
    src, func = found
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    exc = params[1] if framework == "fastapi" and len(params) > 1 else params[0] if params else ""
    for node in src.nodes_of(func):
        if isinstance(node, ast.Return) and node.value is not None:
            content = _answered(node.value)
            if content is not None:
                return _keys(src, content, exc)
    return ()


def _answered(value: ast.expr) -> ast.Dict | None:
    """The dict ``JSONResponse(content={...})``, ``jsonify({...}), 404`` or ``{...}, 404``
    answers."""
    if isinstance(value, ast.Tuple) and value.elts:
        value = value.elts[0]
    if isinstance(value, ast.Dict):
        return value
    if not isinstance(value, ast.Call):
        return None
    name = dotted(value.func).rsplit(".", 1)[-1]
    if name in _RESPONSES:
        for keyword in value.keywords:
            if keyword.arg == "content" and isinstance(keyword.value, ast.Dict):
                return keyword.value
        return value.args[0] if value.args and isinstance(value.args[0], ast.Dict) else None
    if name == "jsonify" and value.args and isinstance(value.args[0], ast.Dict):
        return value.args[0]
    return None


def _keys(src: Source, content: ast.Dict, exc: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for key, value in zip(content.keys, content.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return ()  # ``**extra``, a computed key: the shape is not read
        what = _said(value, exc)
        if what is None and isinstance(value, ast.Constant):
            what = src.text_of(value)
        if what is not None:
            out.append((src.text_of(key), what))
    return tuple(out)


def _said(value: ast.expr, exc: str) -> str | None:
    if isinstance(value, ast.Call) and dotted(value.func) == "str" and len(value.args) == 1:
        value = value.args[0]
        if isinstance(value, ast.Name) and value.id == exc:
            return "message"
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        if value.value.id == exc and value.attr in _MESSAGE_ATTRS:
            return "message"
        if value.value.id == exc and value.attr in _STATUS_ATTRS:
            return "status"
    return None
