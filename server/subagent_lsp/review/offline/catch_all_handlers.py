"""BKD331: a Flask app's handler for ``Exception`` answers every error it takes with a 500,
HTTP errors included.

Since Flask 1.0 a handler registered for ``Exception`` (``@app.errorhandler(Exception)``, a
blueprint's ``app_errorhandler``, ``register_error_handler``) also takes werkzeug's
``HTTPException``: Flask picks the most specific handler along the error's class hierarchy,
and ``Exception`` is in ``NotFound``'s. A real trip-log API's
``return jsonify(...), 500`` there made an unknown URL, a wrong method, an ``abort(403)`` and a
malformed JSON body (``get_json(force=True)``'s 400) all 500s (judged a must). Flask's own
documentation gives the fix: let HTTP errors through first (``if isinstance(e,
HTTPException): return e``).

Read only when every answer of the handler is a 500 (a ``(body, 500)`` tuple, ``abort(500)``,
``status=500``); silent when it looks at the error's class or code (``isinstance``,
``e.code``, ``getattr(e, "code", ...)``, ``get_response``), when it re-raises, when the
project registers a handler for ``HTTPException`` (the more specific one wins), and for a
Flask older than 1.0 (its ``Exception`` handler did not take HTTP errors).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .pyedits import ensure_imports, insert_before_line
from .pysource import Source, dotted, keyword_value, name_for
from .try_blocks import status_code

CODE = "BKD331"

Function = ast.FunctionDef | ast.AsyncFunctionDef
_DECORATORS = frozenset({"errorhandler", "app_errorhandler"})
_BROAD = frozenset({"Exception", "BaseException"})
# What a handler that tells HTTP errors apart reads of the error.
_TELLS_APART = frozenset({"code", "get_response", "status_code", "response", "name"})


def catch_all_handler_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    text = facts.source.text
    if "Exception" not in text or ("rror_handler" not in text and "errorhandler" not in text):
        return []
    declared = facts.declared is not None and "flask" in facts.declared
    if "flask" not in facts.frameworks and not declared:
        return []
    if "HTTPException" in facts.handled:
        return []  # the handler for HTTP errors is the more specific: it takes them
    version = facts.package_version("flask") if facts.package_version else None
    if version is not None and version < (1, 0):
        return []
    out: list[Suggestion] = []
    for func, site in _broad_handlers(facts.source):
        made = _suggestion(facts, func, site)
        if made is not None:
            out.append(made)
    return out


def _broad_handlers(src: Source) -> list[tuple[Function, ast.AST]]:
    """The module's functions registered for ``Exception``, each with where it is."""
    by_name = {f.name: f for f in src.functions()}
    out: list[tuple[Function, ast.AST]] = []
    for func in by_name.values():
        for deco in func.decorator_list:
            if (
                isinstance(deco, ast.Call)
                and dotted(deco.func).rsplit(".", 1)[-1] in _DECORATORS
                and deco.args
                and dotted(deco.args[0]).rsplit(".", 1)[-1] in _BROAD
            ):
                out.append((func, deco))
    for call in src.of(ast.Call):
        if (
            isinstance(call, ast.Call)
            and dotted(call.func).rsplit(".", 1)[-1] == "register_error_handler"
            and len(call.args) == 2
            and dotted(call.args[0]).rsplit(".", 1)[-1] in _BROAD
            and isinstance(call.args[1], ast.Name)
            and call.args[1].id in by_name
        ):
            out.append((by_name[call.args[1].id], call))
    return out


def _suggestion(facts: ModuleFacts, func: Function, site: ast.AST) -> Suggestion | None:
    src = facts.source
    args = [*func.args.posonlyargs, *func.args.args]
    if not args or not func.body or func.body[0].lineno == func.lineno:
        return None
    error = args[0].arg
    if _tells_apart(func, error) or not _answers_only_500(func):
        return None
    named = name_for(facts.imports, src, "werkzeug.exceptions", "HTTPException")
    if named is None:
        return None
    name, needed = named
    first = func.body[0]
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    if docstring and len(func.body) == 1:
        return None
    after = func.body[1] if docstring else first
    indent = src.indent_of(after.lineno - 1)
    guard = f"{indent}if isinstance({error}, {name}):\n{indent}    return {error}"
    edits = [*ensure_imports(src, needed), insert_before_line(src, after.lineno - 1, guard)]
    why = (
        f"`{func.name}` is registered for `Exception`, and since Flask 1.0 that takes "
        "werkzeug's HTTP errors too (Flask picks the most specific handler along the error's "
        "classes, and `Exception` is in every HTTPException's): an unknown URL's 404, a wrong "
        "method's 405, an `abort(403)`, a malformed JSON body's 400 are all answered with "
        "its 500. Returning the HTTP error first, as Flask's documentation does, keeps their "
        "status and answers only the real failures with the 500."
    )
    title = f"Let HTTP errors through {func.name}"
    return Suggestion(CODE, "error-handling", src.path, src.span(site), title, why, tuple(edits))


def _tells_apart(func: Function, error: str) -> bool:
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id in ("HTTPException", "InternalServerError"):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "HTTPException":
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == error
            and node.attr in _TELLS_APART
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and dotted(node.func) in ("getattr", "hasattr", "type")
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == error
        ):
            return True
        if isinstance(node, ast.Call) and dotted(node.func) == "isinstance":
            return True
        if isinstance(node, ast.Raise):
            return True
    return False


def _answers_only_500(func: Function) -> bool:
    """Every ``return`` (or ``abort``) of the handler answers 500, and there is one."""
    found = False
    for node in ast.walk(func):
        if isinstance(node, ast.Return):
            if node.value is None or _status(node.value) != 500:
                return False
            found = True
        elif isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] == "abort":
            if not node.args or status_code(node.args[0]) != 500:
                return False
            found = True
    return found


def _status(value: ast.expr) -> int | None:
    """The status a handler's return gives: ``(body, 500)``, ``Response(..., status=500)``,
    ``make_response(body, 500)``."""
    if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
        return status_code(value.elts[1])
    if isinstance(value, ast.Call):
        named = keyword_value(value, "status") or keyword_value(value, "status_code")
        if named is not None:
            return status_code(named)
        if dotted(value.func).rsplit(".", 1)[-1] == "make_response" and len(value.args) >= 2:
            return status_code(value.args[1])
    return None
