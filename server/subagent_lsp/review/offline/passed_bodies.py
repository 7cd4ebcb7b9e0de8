"""BKD305 in a project function that Flask's request is handed to (passed_requests): a
webhook service's ``handle_request`` decoding the delivery with ``json.loads`` of a form field
(``request.form["payload"]``, ``p = request.form.get("payload")`` first) or of the raw body
(``request.data``, ``request.get_data()``). A delivery that is not JSON raises ValueError, a
500 for the sender's mistake (notifico's GitHub, Bitbucket and Travis hooks, all reached from
one receiving route through the registry of hook services).

The fix raises ``abort(400)``: the function answers nothing itself, the route does. Where a
``try`` around the decode already answers the missing field (``except KeyError: return``),
ValueError joins that handler: the function's own answer for a delivery it cannot read. A
missing field needs no fix of its own: Werkzeug's ``form[...]`` raises a 400 already.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, enclosing_statement, flask_abort
from .pyedits import ensure_imports, replace_node, wrap_in_try
from .pysource import dotted
from .try_blocks import caught, innermost_try

Function = ast.FunctionDef | ast.AsyncFunctionDef
PARAM = "request"
_DECODE = {"ValueError", "JSONDecodeError", "json.JSONDecodeError"}
# A read of the delivery: a form field, a value, the raw body.
_MAPPINGS = ("request.form", "request.values", "request.args")
_BODIES = ("request.data", "request.get_data")


def passed_body_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    # An app-wide handler of the decode error answers it; one of 500 (an error page) does not:
    # the sender's mistake is still this server's 500.
    if facts.takes_request is None or facts.handled & _DECODE:
        return []
    out: list[Suggestion] = []
    for func in _candidates(facts):
        decodes = [
            n
            for n in facts.source.nodes_of(func)
            if isinstance(n, ast.Call)
            and dotted(n.func) == "json.loads"
            and len(n.args) == 1
            and facts.source.function_of(n) is func
            and _delivery(func, n)
        ]
        if not decodes or not facts.takes_request(facts.source, func, PARAM, _DECODE):
            continue
        for call in decodes:
            found = _fix(facts, call)
            if found is not None:
                out.append(found)
    return out


def _candidates(facts: ModuleFacts) -> Iterator[Function]:
    """Functions with a ``request`` parameter that are no handler of their own, in a module
    whose own ``request`` is no import (that one is a handler's, read in place)."""
    if facts.imports.get(PARAM):
        return
    for node in facts.source.walk():
        if not isinstance(node, Function) or facts.is_route(node):
            continue
        if any(a.arg == PARAM for a in [*node.args.posonlyargs, *node.args.args]):
            yield node


def _delivery(func: Function, call: ast.Call) -> bool:
    """``json.loads`` of a read of the request, or of the local one binding before it gave."""
    arg = call.args[0]
    if isinstance(arg, ast.Name):
        bound = [
            n.value
            for n in ast.walk(func)
            if isinstance(n, ast.Assign)
            and n.lineno < call.lineno
            and any(isinstance(t, ast.Name) and t.id == arg.id for t in n.targets)
        ]
        if len(bound) != 1:
            return False
        arg = bound[0]
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
        if dotted(arg.func) == "request.get_data":
            return True
        return arg.func.attr == "get" and dotted(arg.func.value) in _MAPPINGS
    if isinstance(arg, ast.Subscript):
        return dotted(arg.value) in _MAPPINGS
    return dotted(arg) in _BODIES


def _fix(facts: ModuleFacts, call: ast.Call) -> Suggestion | None:
    src = facts.source
    text = src.text_of(call)
    if caught(call, facts.up, _DECODE):
        return None
    found = innermost_try(call, facts.up)
    if found is not None:
        # ``except KeyError: return``: the function's own answer for an unreadable delivery
        typed = [h for h in found.handlers if h.type is not None]
        if len(typed) != 1 or len(found.handlers) != 1:
            return None
        handler = typed[0]
        assert handler.type is not None
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        written = "(" + ", ".join([*(src.text_of(t) for t in types), "ValueError"]) + ")"
        return _suggestion(
            facts,
            call,
            "Catch a malformed JSON delivery where a missing one is caught",
            f"`{text}` raises ValueError on a delivery that is not JSON, and "
            f"`except {src.text_of(handler.type)}` does not catch it: a 500 for the sender's "
            "mistake. The handler's own answer takes it too.",
            [replace_node(src, handler.type, written)],
        )
    needs = flask_abort(facts)
    stmt = enclosing_statement(call, facts.up)
    if needs is None or stmt is None:
        return None
    return _suggestion(
        facts,
        call,
        "Answer 400 on a malformed JSON delivery",
        f"`{text}` raises ValueError on a delivery that is not JSON, a 500 for the sender's "
        "mistake; `abort(400)` answers it from here (the route takes what this raises).",
        [
            *ensure_imports(src, needs),
            wrap_in_try(src, stmt, ["except ValueError:", "    abort(400)"]),
        ],
    )


def _suggestion(
    facts: ModuleFacts, call: ast.Call, title: str, rationale: str, edits: list[Edit]
) -> Suggestion:
    src = facts.source
    return Suggestion(
        "BKD305",
        "error-handling",
        src.path,
        src.span(call),
        title,
        rationale,
        tuple(edits),
    )
