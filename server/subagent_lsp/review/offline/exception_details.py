"""BKD318: a FastAPI route's broad ``except`` answers a 5xx whose ``detail`` is the
exception's text: ``except Exception as e: raise HTTPException(status_code=500,
detail=str(e))``. The client reads the server's internals (a SQL error with the statement and
its values, a file path, an upstream URL with its key) and the traceback is logged nowhere:
HTTPException is an answer, not an error, so nothing records what failed.

The fix lets the exception go: FastAPI logs it with its traceback and answers 500 "Internal
Server Error". A handler that only does that raise goes with its ``try``; one that does more
first (a rollback) keeps it and re-raises; one that logs the error already keeps its answer
with a fixed detail (re-raising would log it twice). Only 5xx answers are read: a 4xx
carrying the text says what the client got wrong. Silent when the ``try`` body raises an
HTTPException of its own that the broad ``except`` takes too (BKD312's case), inside another
``try``, or when a body line is part of a multi-line string (the unindented text would change
it). An ``except HTTPException: raise`` before it goes with the ``try`` as well.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .broad_excepts import hides_client_error
from .frameworks import ModuleFacts, Route
from .pyedits import replace_statement, statement_lines
from .pysource import dotted, every_node
from .try_blocks import handler_names, own_tries, status_code

_BROAD = {"Exception", "BaseException"}
_HTTP_ERRORS = ("HTTPException", "StarletteHTTPException")


def exception_detail_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework != "fastapi":
            continue
        for node in own_tries(facts.source, route.func):
            found = _leaked(facts, route, node)
            if found is not None:
                out.append(found)
    return out


def _leaked(facts: ModuleFacts, route: Route, node: ast.Try) -> Suggestion | None:
    if _inside_try(facts, node):
        return None
    lets_through = False
    for handler in node.handlers:
        names = handler_names(handler)
        if names & set(_HTTP_ERRORS):
            if not _only_reraises(handler):
                return None  # the route answers its own HTTP errors some other way
            lets_through = True  # ``except HTTPException: raise``
            continue
        if handler.name is None or not names & _BROAD:
            continue
        if not lets_through and _raises_http_error(node.body):
            return None  # the broad except takes the route's own 4xx too: BKD312's case
        raised = _leaking_raise(handler)
        if raised is None or hides_client_error(facts, route, node):
            return None
        return _suggestion(facts, route, node, handler, raised)
    return None


def _only_reraises(handler: ast.ExceptHandler) -> bool:
    return (
        len(handler.body) == 1
        and isinstance(handler.body[0], ast.Raise)
        and (handler.body[0].exc is None)
    )


def _inside_try(facts: ModuleFacts, node: ast.AST) -> bool:
    current = facts.up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try):
            return True
        current = facts.up.get(current)
    return False


def _raises_http_error(body: list[ast.stmt]) -> bool:
    for stmt in body:
        for node in every_node(stmt):
            if isinstance(node, ast.Raise) and node.exc is not None:
                exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if dotted(exc).split(".")[-1] in _HTTP_ERRORS:
                    return True
    return False


def _leaking_raise(handler: ast.ExceptHandler) -> ast.Raise | None:
    """The handler's last statement, ``raise HTTPException(5xx, detail=<the exception>)``."""
    last = handler.body[-1]
    if not (isinstance(last, ast.Raise) and isinstance(last.exc, ast.Call)):
        return None
    call = last.exc
    if dotted(call.func).split(".")[-1] not in _HTTP_ERRORS:
        return None
    args = {k.arg: k.value for k in call.keywords if k.arg}
    status = args.get("status_code", call.args[0] if call.args else None)
    detail = args.get("detail", call.args[1] if len(call.args) > 1 else None)
    code = status_code(status) if status is not None else None
    if code is None or not 500 <= code < 600 or detail is None:
        return None
    if _mentions_exception(detail, handler.name or ""):
        return last
    return None


def _mentions_exception(detail: ast.expr, name: str) -> bool:
    for node in ast.walk(detail):
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, ast.Call) and dotted(node.func).endswith("format_exc"):
            return True
    return False


def _suggestion(
    facts: ModuleFacts, route: Route, node: ast.Try, handler: ast.ExceptHandler, raised: ast.Raise
) -> Suggestion | None:
    src = facts.source
    others = all(h is handler or _only_reraises(h) for h in node.handlers)
    alone = others and len(handler.body) == 1 and not node.orelse and not node.finalbody
    caught = f"`except {dotted(handler.type) if handler.type else 'Exception'} as {handler.name}`"
    leak = (
        f"{caught} answers the exception's own text as the 500's detail: the client reads the "
        "server's internals (a query and its values, paths, upstream addresses)"
    )
    detail = _detail(raised)
    if _logs(handler) and detail is not None:
        # logged already: re-raising would log it twice, so only the answer changes
        edit = Edit(src.path, src.span(detail), '"Internal Server Error"')
        why = f"{leak}. The handler logs the error already; a fixed detail keeps the 500."
    else:
        if alone:
            found = _unwrapped(facts, node)
            if found is None:
                return None
            edit, how = found, "removing the `try` lets it go"
        else:
            indent = src.indent_of(raised.lineno - 1)
            edit = replace_statement(src, raised, f"{indent}raise")
            how = "re-raising it instead keeps the handler's other work"
        why = (
            f"{leak}, and the error is logged nowhere: an HTTPException is an answer, not a "
            f"failure. Unhandled, FastAPI logs the traceback and answers a plain 500; {how}."
        )
    return Suggestion(
        "BKD318",
        "error-handling",
        src.path,
        src.span(raised),
        f"Keep the exception's text out of {route.func.name}'s 500",
        why,
        (edit,),
    )


_LOG_CALLS = frozenset(
    {"exception", "error", "critical", "warning", "print_exc", "capture_exception"}
)


def _logs(handler: ast.ExceptHandler) -> bool:
    """``logger.exception(...)`` / ``log.error(...)`` / ``sentry_sdk.capture_exception()``."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _LOG_CALLS
        for stmt in handler.body
        for n in ast.walk(stmt)
    )


def _detail(raised: ast.Raise) -> ast.expr | None:
    if not isinstance(raised.exc, ast.Call):
        return None
    call = raised.exc
    for keyword in call.keywords:
        if keyword.arg == "detail":
            return keyword.value
    return call.args[1] if len(call.args) > 1 else None


def _unwrapped(facts: ModuleFacts, node: ast.Try) -> Edit | None:
    """The ``try``'s body in its place, one level out."""
    src = facts.source
    first, last = statement_lines(node)
    body_first = statement_lines(node.body[0])[0]
    body_last = statement_lines(node.body[-1])[1]
    outer, inner = src.indent_of(first), src.indent_of(body_first)
    if not inner.startswith(outer) or len(inner) <= len(outer):
        return None
    if src.lines[first].strip() != "try:":
        return None  # ``try: x()`` on one line, or a comment after it
    for stmt in node.body:
        for child in ast.walk(stmt):
            if (
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and child.lineno != child.end_lineno
            ):
                return None
    cut = len(inner) - len(outer)
    lines = []
    for line in src.lines[body_first : body_last + 1]:
        lines.append(line[cut:] if line[:cut].strip() == "" else line)
    span = Span(Position(first, 0), Position(last, len(src.lines[last])))
    return Edit(src.path, span, src.eol.join(lines))
