"""BKD325: a framework's ``abort`` called with arguments its signature refuses, so the 4xx it
was written for is a 500.

A real app's signup (bookstore-flask, round 36) did ``abort(401, "Password must at least be 6
characters long")`` with Flask-RESTful's ``abort(http_status_code, **kwargs)``: the positional
message is a TypeError, and every short password got a 500. Flask's (werkzeug's) ``abort(code,
*args, **kwargs)`` looks ``code`` up among its HTTP errors, so ``abort("Not allowed", 403)``
(the message first) raises LookupError, and a keyword its exception class does not take
(``abort(400, message="...")``: werkzeug's errors take ``description``) raises TypeError.

The ``abort`` is resolved by the module's import, never by its name: Flask-RESTX's and
Flask-RESTPlus's ``abort(code, message=None, **kwargs)`` take the message positionally, and a
project's own ``abort`` may take anything. The fix keeps the call's arguments and names them as
the signature wants: ``abort(401, message="...")`` for Flask-RESTful, the status first or
``description=`` for Flask.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pyedits import replace_node
from .pysource import binds_anywhere, dotted, qualified_name, top_level_function
from .row_uses import short

CODE = "BKD325"

_RESTFUL = "flask_restful.abort"
_WERKZEUG = frozenset({"flask.abort", "werkzeug.exceptions.abort", "werkzeug.abort"})

# The keywords werkzeug's HTTP errors take (``HTTPException(description, response)``), and those
# a few of them add.
_TAKEN = frozenset({"description", "response"})
_TAKEN_BY_CODE = {
    401: frozenset({"www_authenticate"}),
    405: frozenset({"valid_methods"}),
    416: frozenset({"length", "units"}),
    429: frozenset({"retry_after"}),
    503: frozenset({"retry_after"}),
}


def abort_argument_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "abort" not in facts.source.text:
        return []
    out: list[Suggestion] = []
    for call in facts.source.of(ast.Call):
        written = dotted(call.func)
        if not written.endswith("abort") or _shadowed(facts, call, written):
            continue
        target = qualified_name(facts.imports, written)
        if any(isinstance(a, ast.Starred) for a in call.args) or any(
            k.arg is None for k in call.keywords
        ):
            continue  # ``abort(*args)`` / ``abort(**error)``: what it passes is not read here
        if target == _RESTFUL:
            made = _restful(facts, call)
        elif target in _WERKZEUG:
            made = _werkzeug(facts, call)
        else:
            made = None
        if made is not None:
            out.append(made)
    return out


def _shadowed(facts: ModuleFacts, call: ast.Call, written: str) -> bool:
    """The name is the module's or the function's own (``def abort(...)``, a parameter, an
    assignment), whatever the import says."""
    head = written.split(".", 1)[0]
    if top_level_function(facts.source, head) is not None:
        return True
    func = facts.source.function_of(call)
    return func is not None and (
        binds_anywhere(func, head)
        or (
            isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
            and head in {a.arg for a in [*func.args.args, *func.args.kwonlyargs]}
        )
    )


def _restful(facts: ModuleFacts, call: ast.Call) -> Suggestion | None:
    """``abort(401, "text")``: Flask-RESTful's abort takes the status alone positionally."""
    if len(call.args) != 2 or any(k.arg == "message" for k in call.keywords):
        return None
    src = facts.source
    first, second = call.args
    if _text(first) and _status(second) is not None:
        status, message = second, first  # ``abort("text", 404)``
    elif _text(first):
        return None
    else:
        status, message = first, second
    # the status where the first argument is, the message as the keyword where the second is
    edits = [replace_node(src, second, f"message={src.text_of(message)}")]
    if status is second:
        edits.insert(0, replace_node(src, first, src.text_of(status)))
    code = _status(status)
    meant = f"the {code}" if code is not None else "the error it names"
    why = (
        f"Flask-RESTful's `abort(http_status_code, **kwargs)` takes nothing but the status "
        f"positionally: `{short(src.text_of(call))}` raises TypeError instead of {meant}, "
        f"{_outcome(facts)}. The message as `message=` is the JSON body Flask-RESTful answers "
        "with."
    )
    title = "Pass abort()'s message as `message=`"
    return Suggestion(CODE, "error-handling", src.path, src.span(call), title, why, tuple(edits))


def _werkzeug(facts: ModuleFacts, call: ast.Call) -> Suggestion | None:
    src = facts.source
    args = call.args
    if args and _text(args[0]):
        # ``abort("Not allowed", 403)``: werkzeug looks the text up as a status
        if len(args) != 2 or _status(args[1]) is None:
            return None
        edits: list[Edit] = [
            replace_node(src, args[0], src.text_of(args[1])),
            replace_node(src, args[1], src.text_of(args[0])),
        ]
        why = (
            f"Flask's `abort(code, *args)` takes the status first and looks it up among "
            f"werkzeug's HTTP errors: `{short(src.text_of(call))}` raises LookupError "
            f"(no exception for {short(src.text_of(args[0]), 40)}) instead of the "
            f"{_status(args[1])}, {_outcome(facts)}. The status first, the text as the "
            "error's description, is the call it meant."
        )
        title = "Give abort() the status first"
        return Suggestion(
            CODE, "error-handling", src.path, src.span(call), title, why, tuple(edits)
        )
    if not args:
        return None
    code = _status(args[0])
    if code is not None:
        taken = _TAKEN | _TAKEN_BY_CODE.get(code, frozenset())
    else:  # a status not written out: any keyword one of them takes may be right
        taken = _TAKEN.union(*_TAKEN_BY_CODE.values())
    refused = [k for k in call.keywords if k.arg not in taken]
    if len(refused) != 1 or len(args) != 1 or any(k.arg == "description" for k in call.keywords):
        return None
    keyword = refused[0]
    meant = f"the {code}" if code is not None else "the error it names"
    why = (
        f"Flask's `abort()` hands its keywords to werkzeug's HTTP error, which takes "
        f"`description` (and `response`), not `{keyword.arg}`: `{short(src.text_of(call))}` "
        f"raises TypeError instead of {meant}, {_outcome(facts)}. `description=` is the "
        "message the error page (or the app's handler of it) shows."
    )
    edit = replace_node(src, keyword, f"description={src.text_of(keyword.value)}")
    title = f"Pass abort()'s `{keyword.arg}` as `description=`"
    return Suggestion(CODE, "error-handling", src.path, src.span(call), title, why, (edit,))


def _outcome(facts: ModuleFacts) -> str:
    if facts.handled & {"TypeError", "LookupError", "Exception", "BaseException"}:
        return "which the app's own handler of it answers, not the status the code chose"
    return "so the client gets a 500"


def _text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _status(node: ast.expr) -> int | None:
    """A status written as a number (``401``), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int and 100 <= node.value < 600:
        return node.value
    return None
