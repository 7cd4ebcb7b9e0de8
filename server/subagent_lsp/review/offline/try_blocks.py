"""What a ``try`` around a node catches: shared by the analyses and by the call following of
upstream_calls.py (which frameworks.py itself uses, so this cannot live there)."""

from __future__ import annotations

import ast
from http import HTTPStatus

from .pysource import FUNCTIONS, Source, dotted, every_node


def own_tries(source: Source, func: ast.AST) -> list[ast.Try]:
    """The ``try`` statements of ``func`` itself, not of a function defined inside it; from
    the parse's index (walking every route again was half of a rule's time)."""
    return [
        node
        for node in source.nodes_of(func)
        if isinstance(node, ast.Try) and source.function_of(node) is func
    ]


def exception_name(node: ast.expr) -> str:
    if isinstance(node, ast.BoolOp):
        # ``A or B`` is A when it is caught (``and``: B); BKD311 says the rest is not
        return exception_name(node.values[0] if isinstance(node.op, ast.Or) else node.values[-1])
    if isinstance(node, ast.Call):
        return exception_name(node.func)  # ``A()`` is meant as A: BKD320 drops the call
    if isinstance(node, ast.Constant):
        return str(node.value)
    return dotted(node).split(".")[-1]


def handler_names(handler: ast.ExceptHandler) -> set[str]:
    """The exception names an ``except`` takes (a bare one: BaseException)."""
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {exception_name(t) for t in types}


def handlers_around(node: ast.AST, up: dict[ast.AST, ast.AST]) -> set[str]:
    """The exception names the ``try`` blocks of its function around ``node`` catch."""
    names: set[str] = set()
    for handler in enclosing_handlers(node, up):
        names |= handler_names(handler)
    return names


def enclosing_handlers(node: ast.AST, up: dict[ast.AST, ast.AST]) -> list[ast.ExceptHandler]:
    """The ``except`` clauses of the ``try`` blocks of its function whose body holds ``node``,
    innermost first."""
    out: list[ast.ExceptHandler] = []
    child, current = node, up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            out.extend(current.handlers)
        child, current = current, up.get(current)
    return out


def caught(
    node: ast.AST, up: dict[ast.AST, ast.AST], names: set[str], *, client_error: bool = False
) -> bool:
    """Inside a ``try`` body whose handlers catch one of ``names`` (or anything broader).
    ``client_error``: a broad handler that answers a 5xx (``except Exception: return ..., 500``)
    does not count: it reports the client's bad input as the server's fault."""
    broad = {"Exception", "BaseException"}
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None:
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if handler.type is None:
                    types: list[ast.expr] = [ast.Name("BaseException")]
                elif isinstance(handler.type, ast.Tuple):
                    types = handler.type.elts
                else:
                    types = [handler.type]
                for t in types:
                    if _named_tuple(t):
                        return True
                    name = exception_name(t)
                    if name in names:
                        return True
                    if name in broad and not (client_error and answers_server_error(handler)):
                        return True
        if isinstance(current, FUNCTIONS):
            return False
        child, current = current, up.get(current)
    return False


def _named_tuple(node: ast.expr) -> bool:
    """``except (SmsError, *MAIL_ERRORS)`` / ``except MAIL_ERRORS``: a tuple of classes kept
    under a constant's name, unread here; taken as catching what is asked (a mail failure
    caught so was reported uncaught on clean code)."""
    if isinstance(node, ast.Starred):
        return True
    name = dotted(node).rsplit(".", 1)[-1]
    return name.isupper() and name.endswith(("ERRORS", "EXCEPTIONS"))


def catches_miss_of(node: ast.AST, up: dict[ast.AST, ast.AST], model: str) -> bool:
    """Inside a ``try`` whose handler catches ``model``'s DoesNotExist: that class, Django's
    ObjectDoesNotExist, Http404 or anything broader. ``except Location.DoesNotExist`` around
    ``Notification.objects.get(...)`` does not (judged a 500 on a real app, round 24)."""
    tail = model.rsplit(".", 1)[-1]
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if handler.type is None:
                    return True
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                # ``A.DoesNotExist or B.DoesNotExist`` reads as meant: BKD311 fixes the ``or``
                types = [v for t in types for v in (t.values if isinstance(t, ast.BoolOp) else [t])]
                # ``A.DoesNotExist()`` as well: BKD320 drops the call
                types = [t.func if isinstance(t, ast.Call) else t for t in types]
                for t in types:
                    parts = dotted(t).split(".")
                    if parts[-1] in ("ObjectDoesNotExist", "Http404", "Exception", "BaseException"):
                        return True
                    # ``Model.DoesNotExist``, ``models.Model.DoesNotExist`` or a bare one
                    if parts[-1] == "DoesNotExist" and (len(parts) == 1 or parts[-2] == tail):
                        return True
        child, current = current, up.get(current)
    return False


def answers_server_error(handler: ast.ExceptHandler) -> bool:
    """The handler answers a 5xx (``return jsonify(...), 500``, ``abort(500)``,
    ``status_code=500``) and no 4xx."""
    # ``response.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR`` says it by name
    found = (status_code(n) for n in every_node(handler) if isinstance(n, ast.expr))
    codes = {code for code in found if code is not None and 400 <= code < 600}
    return bool(codes) and all(code >= 500 for code in codes)


_PHRASES = {s.name: s.value for s in HTTPStatus}


def status_code(node: ast.expr) -> int | None:
    """``400`` / ``status.HTTP_400_BAD_REQUEST`` / ``HTTPStatus.BAD_REQUEST`` -> 400."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, int) else None
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    name = dotted(node).rsplit(".", 1)[-1]
    if name.startswith("HTTP_") and name[5:8].isdigit():
        return int(name[5:8])
    return _PHRASES.get(name)


def in_server_error_try(node: ast.AST, up: dict[ast.AST, ast.AST]) -> ast.ExceptHandler | None:
    """The broad ``except`` answering a 5xx (``except Exception: raise HTTPException(500)``)
    around ``node``, with no handler before it that takes the HTTP error: a 404 raised in its
    body becomes that 500, so a fix that raises one must let it through first."""
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                names = handler_names(handler)
                if names & {"HTTPException", "Http404", "NotFound"}:
                    return None
                if names & {"Exception", "BaseException"}:
                    return handler if answers_server_error(handler) else None
        child, current = current, up.get(current)
    return None


_FORM_CHECKS = ("is_valid", "validate_on_submit", "validate")


def validated_by_form(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """Inside ``if form.is_valid():`` (Django) or ``if form.validate_on_submit():`` (WTForms):
    the form has checked the request's fields the branch reads (a ChoiceField's amount, a
    QuerySelectField's id), so converting or looking them up there does not fail on them."""
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.If) and child in current.body:
            test = current.test
            tests = test.values if isinstance(test, ast.BoolOp) else [test]
            for t in tests:
                if isinstance(t, ast.Call) and dotted(t.func).rsplit(".", 1)[-1] in _FORM_CHECKS:
                    return True
        child, current = current, up.get(current)
    return False


def innermost_try(node: ast.AST, up: dict[ast.AST, ast.AST]) -> ast.Try | None:
    """The ``try`` of the node's function whose body holds it, nearest first."""
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            return current
        child, current = current, up.get(current)
    return None
