"""BKD204, a model of the project after ``await request.json()``: a FastAPI route parses the
body itself (``data = await request.json()``) and hands it to a pydantic model
(``CartItemPatch(**data)``, ``CartItemPatch.model_validate(data)``), where FastAPI would parse
and validate it as a body parameter.

Each failure is a 500 (a real app's three PATCH routes, judged musts): a body that is not JSON
raises JSONDecodeError, a JSON array or string raises TypeError at ``**data``, and a value the
model refuses raises ValidationError, which is no RequestValidationError (the only one FastAPI
answers with 422). The fix declares the model as the body parameter: FastAPI then answers 422
with the failing field, and the OpenAPI schema documents the body. Only where the parsed body
goes to that one model and nowhere else, the model is a pydantic model of the project (not a
SQLModel table, which does not validate), and nothing catches the errors: a ``try`` around
either call, an app-wide handler for ValidationError or ValueError (or a broad one that does
not answer a 5xx).
"""

from __future__ import annotations

import ast
import re

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .positive_inputs import is_model
from .pysource import Source, dotted

CODE = "BKD204"
Function = ast.FunctionDef | ast.AsyncFunctionDef
# What the parse and the model raise, and what a handler may catch them as.
_ERRORS = frozenset({"ValidationError", "ValueError", "TypeError", "JSONDecodeError"})
_PARSES = ("model_validate", "parse_obj")


def raw_json_model_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    func = route.func
    if route.framework != "fastapi" or facts.upstream is None or app_answers(facts, _ERRORS):
        return []
    src = facts.source
    requests = _request_params(func)
    if not requests:
        return []
    out: list[Suggestion] = []
    for stmt in src.nodes_of(func):
        read = _json_read(stmt, requests)
        if read is None:
            continue
        assert isinstance(stmt, ast.Assign)
        var, call = read
        uses = _uses(src, func, stmt, var)
        if not uses or caught(call, facts.up, set(_ERRORS)):
            continue
        models = {dotted(_model_expr(u)) for u in uses}
        if len(models) != 1 or any(caught(u, facts.up, set(_ERRORS)) for u in uses):
            continue
        found = project_model(facts, src, _model_expr(uses[0]))
        if found is None:
            continue
        made = _suggestion(facts, route, stmt, call, var, uses, requests[dotted(call.func.value)])  # type: ignore[attr-defined]
        if made is not None:
            out.append(made)
    return out


def app_answers(facts: ModuleFacts, names: frozenset[str]) -> bool:
    """An app-wide handler may answer one of ``names`` (one for ``Exception`` that answers only
    a 5xx does not)."""
    if facts.handled & names:
        return True
    broad = facts.handled & {"Exception", "BaseException"}
    server = facts.server_errors() if facts.server_errors is not None else frozenset()
    return bool(broad - server)


def project_model(
    facts: ModuleFacts, src: Source, node: ast.expr
) -> tuple[Source, ast.ClassDef] | None:
    """The project's pydantic model ``node`` names, where building it validates: not a
    SQLModel table (``table=True`` anywhere in its lineage)."""
    if facts.upstream is None or not dotted(node):
        return None
    found = facts.upstream.resolve_class(src, node)
    if found is None or not is_model(facts, *found, 0):
        return None
    if _is_table(facts, *found, 0):
        return None
    return found


def _is_table(facts: ModuleFacts, src: Source, cls: ast.ClassDef, depth: int) -> bool:
    if any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and bool(k.value.value)
        for k in cls.keywords
    ):
        return True
    if depth > 3 or facts.upstream is None:
        return False
    for base in cls.bases:
        parent = facts.upstream.resolve_class(src, base)
        if parent is not None and _is_table(facts, *parent, depth + 1):
            return True
    return False


def _request_params(func: Function) -> dict[str, ast.arg]:
    """Parameters annotated ``Request`` (FastAPI's or Starlette's), by name."""
    args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
    return {
        a.arg: a
        for a in args
        if a.annotation is not None and dotted(a.annotation).split(".")[-1] == "Request"
    }


def _json_read(stmt: ast.AST, requests: dict[str, ast.arg]) -> tuple[str, ast.Call] | None:
    """``data = await request.json()``: the local and the call."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Await)
        and isinstance(stmt.value.value, ast.Call)
    ):
        return None
    call = stmt.value.value
    if (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "json"
        and dotted(call.func.value) in requests
        and not call.args
        and not call.keywords
    ):
        return stmt.targets[0].id, call
    return None


def _uses(src: Source, func: Function, stmt: ast.Assign, var: str) -> list[ast.Call]:
    """The calls the local goes to, each ``Model(**var)`` or ``Model.model_validate(var)``;
    none when it is bound again or read any other way."""
    up = src.up()
    out: list[ast.Call] = []
    for node in src.nodes_of(func):
        if not isinstance(node, ast.Name) or node.id != var or node is stmt.targets[0]:
            continue
        if not isinstance(node.ctx, ast.Load) or node.lineno < stmt.lineno:
            return []
        parent = up.get(node)
        if isinstance(parent, ast.keyword) and parent.arg is None:
            call = up.get(parent)
            if (
                isinstance(call, ast.Call)
                and not call.args
                and len(call.keywords) == 1
                and dotted(call.func)
            ):
                out.append(call)
                continue
        if (
            isinstance(parent, ast.Call)
            and parent.args == [node]
            and not parent.keywords
            and isinstance(parent.func, ast.Attribute)
            and parent.func.attr in _PARSES
        ):
            out.append(parent)
            continue
        return []
    return out


def _model_expr(call: ast.Call) -> ast.expr:
    """The model a use names: ``Model`` of ``Model(**data)`` / ``Model.model_validate(data)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _PARSES and not call.keywords:
        return func.value
    return func


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    stmt: ast.Assign,
    call: ast.Call,
    var: str,
    uses: list[ast.Call],
    request: ast.arg,
) -> Suggestion | None:
    src = facts.source
    func = route.func
    model = dotted(_model_expr(uses[0]))
    name = _param_name(src, func, model.rsplit(".", 1)[-1])
    if name is None:
        return None
    edits: list[Edit] = []
    request_read_elsewhere = any(
        isinstance(n, ast.Name) and n.id == request.arg and n is not call.func.value  # type: ignore[attr-defined]
        for n in src.nodes_of(func)
    )
    declared = f"{name}: {model}"
    if request_read_elsewhere:
        edits.append(Edit(src.path, Span.point(*_end(src, request)), f", {declared}"))
    else:
        edits.append(Edit(src.path, src.span(request), declared))
        edits.extend(_unused_import(src, request))
    first, last = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
    if enclosing_statement(call, facts.up) is not stmt or _shares_lines(src, stmt):
        return None
    edits.append(Edit(src.path, Span(Position(first, 0), Position(last + 1, 0)), ""))
    edits.extend(Edit(src.path, src.span(u), name) for u in uses)
    splat = any(not isinstance(u.func, ast.Attribute) or u.func.attr not in _PARSES for u in uses)
    written = src.text_of(uses[0])
    why = (
        f"`{var} = {src.text_of(stmt.value)}` and then `{written}`: a body that is not JSON "
        "raises JSONDecodeError"
        + (f", a JSON array or string raises TypeError at `**{var}`" if splat else "")
        + f", and a value {model} refuses raises ValidationError, each a 500 (FastAPI answers "
        "422 only for its own parameters). Declared as the body parameter "
        f"(`{declared}`), the body is parsed and validated by FastAPI, which answers 422 with "
        "the failing field, and the OpenAPI schema documents it."
    )
    title = f"Take {model} as the body of {func.name}"
    return Suggestion(CODE, "validation", src.path, src.span(call), title, why, tuple(edits))


def _param_name(src: Source, func: Function, model: str) -> str | None:
    """``cart_item_patch`` for ``CartItemPatch`` (the app's own ``user_create: UserCreate``),
    else ``body``; None when both are taken in the route."""
    taken = {n.id for n in src.nodes_of(func) if isinstance(n, ast.Name)}
    taken |= {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", model).lower()
    for name in (snake, "body", "payload"):
        if name.isidentifier() and name not in taken:
            return name
    return None


def _end(src: Source, arg: ast.arg) -> tuple[int, int]:
    end = src.span(arg).end
    return end.line, end.column


def _shares_lines(src: Source, stmt: ast.stmt) -> bool:
    """Another statement on the assignment's lines (``data = ...; x = 1``)."""
    first, last = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
    before = src.lines[first][: stmt.col_offset]
    after = src.lines[last][stmt.end_col_offset or 0 :]
    return bool(before.strip()) or after.lstrip().startswith(";")


def _unused_import(src: Source, request: ast.arg) -> list[Edit]:
    """The ``Request`` of a one-line ``from fastapi import APIRouter, Request``, where the
    parameter dropped was the module's only use of it (the word written twice: the import
    and the annotation)."""
    annotation = request.annotation
    if not isinstance(annotation, ast.Name):
        return []
    name = annotation.id
    if len(re.findall(rf"\b{re.escape(name)}\b", src.text)) != 2:
        return []
    for stmt in src.walk():
        if not isinstance(stmt, ast.ImportFrom) or stmt.col_offset != 0:
            continue
        if not any(a.name == name and a.asname is None for a in stmt.names):
            continue
        if stmt.lineno != stmt.end_lineno:
            return _unused_line(src, stmt, name)
        kept = [a for a in stmt.names if a.name != name or a.asname is not None]
        line = stmt.lineno - 1
        if "#" in src.lines[line]:
            return []  # a comment of the line would go with it
        if len(kept) == len(stmt.names):
            return []
        if not kept:
            return [Edit(src.path, Span(Position(line, 0), Position(line + 1, 0)), "")]
        listed = ", ".join(f"{a.name} as {a.asname}" if a.asname else a.name for a in kept)
        text = f"from {'.' * stmt.level}{stmt.module or ''} import {listed}"
        end = Position(line, len(src.lines[line]))
        return [Edit(src.path, Span(Position(line, 0), end), text)]
    return []


def _unused_line(src: Source, stmt: ast.ImportFrom, name: str) -> list[Edit]:
    """The ``    Request,`` line of an import written one name a line (as the formatters lay
    out a long one), where other names stay."""
    if len(stmt.names) < 2:
        return []
    for line in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) - 1):
        if src.lines[line].strip() == f"{name},":
            return [Edit(src.path, Span(Position(line, 0), Position(line + 1, 0)), "")]
    return []
