"""BKD312: a broad ``except`` around a 4xx the handler itself raises.

``try: item = db.one_or_404(...) ... except Exception as exc: return jsonify(error=str(exc)),
500``: the client's unknown id raises the framework's 404, the handler takes it for a failure
and answers 500 (or 502), often with the exception's text (judged twice on blind planted sets:
a Flask void endpoint, a FastAPI shipment lookup). The fix lets the HTTP error through first
(``except HTTPException: raise``), leaving the broad handler to what it was written for.

Only where the handler's answer differs from the 404 in what it does: a 5xx, an error logged
(``logger.exception``), or a redirect or carrying on as if served. ``except Exception: return
HttpResponseBadRequest()`` with no logging answers the client's mistake as one already: a 404
instead changes the number only (judged noise on a real app). A ``get_object_or_404`` of the
row the view's decorator found first (decorator_rows) raises no 404 at all.

Any other 4xx the ``try`` raises (client_errors: ``raise HTTPException(status_code=403)``,
``abort(409)``, a project's ``HTTP_400_BAD_REQUEST_EXCEPTION``) the same way, but only where
the handler answers it with a 5xx or as served: ``try: ... raise HTTP_400_... except
Exception: logger.error(e); raise HTTP_500_UNEXPECTED_EXCEPTION`` answers every bad request,
forbidden user and wrong password with a 500 (a real FastAPI app's password change).

In a Django or DRF view, the classes its code raises (django_client_errors): DRF's
``serializer.is_valid(raise_exception=True)`` (a weak password answered "Error resetting
password", 500, judged a must on a real app's password reset), ``self.get_object()`` of a
generic view, ``raise NotFound(...)`` / ``PermissionDenied`` / ``serializers.ValidationError``.
The fix names them, in the module's own spelling: ``except ValidationError: raise``, ``except
(ValidationError, Http404): raise``. A raise that an ``except`` before the broad one (``except
ValidationError as e: return Response(e.detail, status=400)``) or a ``try`` inside takes is
not hidden.
"""

from __future__ import annotations

import ast
import dataclasses
import re

from ..suggestion import Edit, Suggestion
from .block_exits import always_leaves
from .client_errors import client_error, raised_status
from .django_client_errors import Raised, django_client_error
from .frameworks import ModuleFacts, Route
from .pyedits import ensure_imports, insert_before_line
from .pysource import dotted, own_nodes
from .row_uses import short
from .try_blocks import handler_names, in_server_error_try, own_tries, status_code

_BROAD = {"Exception", "BaseException"}
# (the class a 404 is raised as, where the fix imports it from)
_HTTP_ERROR = {
    "flask": ("HTTPException", "werkzeug.exceptions"),
    "fastapi": ("HTTPException", "fastapi"),
    "django": ("Http404", "django.http"),
}
_FASTAPI_ERRORS = {"fastapi.HTTPException", "fastapi.exceptions.HTTPException"}
_LETS_THROUGH = {"HTTPException", "Http404", "NotFound", "StarletteHTTPException"}


def broad_except_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework not in _HTTP_ERROR:
            continue
        for node in own_tries(facts.source, route.func):
            found = _hidden_client_error(facts, route, node)
            if found is not None:
                out.append(found)
    for helper in _fastapi_helpers(facts):
        for node in own_tries(facts.source, helper.func):
            found = _hidden_client_error(facts, helper, node)
            if found is not None:
                out.append(found)
    return out


def _fastapi_helpers(facts: ModuleFacts) -> list[Route]:
    """A service's functions in a module that imports FastAPI's ``HTTPException``: one that
    raises it means it for the request that runs it, whichever route calls it (a real app's
    ``JobSkillService.bulk_upload`` raises its 400s inside ``try: ... except Exception:
    raise HTTPException(500)``, every bad upload a 500)."""
    if facts.imports.get("HTTPException") not in _FASTAPI_ERRORS:
        return []
    routed = {id(r.func) for r in facts.routes}
    return [
        Route(func, "fastapi", answers=False)
        for func in facts.source.functions()
        if id(func) not in routed
    ]


def hides_client_error(facts: ModuleFacts, route: Route, node: ast.Try) -> bool:
    """BKD312 reports this ``try``: its fix comes first (exception_details.py waits)."""
    return _hidden_client_error(facts, route, node) is not None


def _hidden_client_error(facts: ModuleFacts, route: Route, node: ast.Try) -> Suggestion | None:
    broad = None
    earlier: list[ast.ExceptHandler] = []
    for handler in node.handlers:
        names = handler_names(handler)
        if handler.type is None or names & _BROAD:
            broad = handler
            break
        earlier.append(handler)
    if broad is None or _reraises(broad):
        return None
    raisers = [
        (n, raised)
        for s in node.body
        for n in own_nodes(s)
        if (raised := _raised(facts, n, route)) is not None
        and not _taken_first(facts, n, raised, node, earlier)
    ]
    if not raisers:
        return None
    missing = all(raised.status == 404 for _, raised in raisers)
    hides = _what_it_hides(facts, broad, missing=missing)
    if hides is None:
        return None
    raiser, first = raisers[0][0], raisers[0][1].status
    statuses = list(dict.fromkeys(raised.status for _, raised in raisers))
    src = facts.source
    classes = list(dict.fromkeys(raised.name for _, raised in raisers))
    name = classes[0] if len(classes) == 1 else f"({', '.join(classes)})"
    caught = src.text_of(broad.type) if broad.type is not None else "everything"
    said = "a missing row" if first == 404 else "the client's request"
    if raisers[0][1].name.endswith("ValidationError"):
        said = "invalid input"  # DRF's 400, with the field errors
    others = list(dict.fromkeys(str(raised.status) for _, raised in raisers[1:]))
    more = f" ({len(raisers) - 1} more in it: {', '.join(others)})" if others else ""
    needed = [i for _, raised in raisers for i in raised.imports if not facts.imports.get(i[1])]
    return Suggestion(
        "BKD312",
        "error-handling",
        src.path,
        src.span(broad.type if broad.type is not None else broad),
        f"Let the {'/'.join(map(str, statuses))} through the broad except of {route.func.name}",
        f"`{short(src.text_of(raiser))}` (line {src.start(raiser).line + 1}) answers {said} "
        f"with a {first}{more}, "
        f"and `except {caught}` below takes it for a failure: {hides}. `except "
        f"{name}: raise` first lets the framework answer it.",
        _let_names_through(facts, broad, name, list(dict.fromkeys(needed))),
    )


@dataclasses.dataclass(frozen=True)
class _Legacy:
    """A 4xx of the framework's HTTP error (``abort(404)``, ``get_or_404``, an
    ``HTTPException``): let through as the framework's class."""

    status: int
    caught_by: frozenset[str]
    name: str
    imports: tuple[tuple[str, str], ...] = ()


def _raised(facts: ModuleFacts, node: ast.AST, route: Route) -> Raised | _Legacy | None:
    if route.framework == "django":
        found = django_client_error(facts, node, route)
        if found is not None:
            return found
    status = client_error(facts, node, route)
    if status is None:
        return None
    name, module = _HTTP_ERROR[route.framework]
    return _Legacy(status, frozenset(_LETS_THROUGH), name, ((module, name),))


def _taken_first(
    facts: ModuleFacts,
    node: ast.AST,
    raised: Raised | _Legacy,
    outer: ast.Try,
    earlier: list[ast.ExceptHandler],
) -> bool:
    """An ``except`` before the broad one names its class (``except ValidationError:``), or a
    ``try`` inside the outer one takes it and does not raise it again."""
    if any(handler_names(h) & raised.caught_by for h in earlier):
        return True
    child, current = node, facts.up.get(node)
    while current is not None and current is not outer:
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                names = handler_names(handler)
                if (names & (raised.caught_by | _BROAD)) and not _reraises(handler):
                    return True
        child, current = current, facts.up.get(current)
    return False


def let_through(
    facts: ModuleFacts, route: Route, broad: ast.ExceptHandler, *, imports: bool
) -> tuple[Edit, ...]:
    """``except HTTPException: raise`` before the broad handler (and its import when
    ``imports``: a fix that raises the 404 may import the same name itself)."""
    name, module = _HTTP_ERROR[route.framework]
    needed = [(module, name)] if imports and not facts.imports.get(name) else []
    return _let_names_through(facts, broad, name, needed)


def _let_names_through(
    facts: ModuleFacts, broad: ast.ExceptHandler, name: str, needed: list[tuple[str, str]]
) -> tuple[Edit, ...]:
    src = facts.source
    indent = src.indent_of(broad.lineno - 1)
    edit = insert_before_line(src, broad.lineno - 1, f"{indent}except {name}:\n{indent}    raise")
    return (*(ensure_imports(src, needed) if needed else []), edit)


def through_server_error(
    facts: ModuleFacts, route: Route, node: ast.AST, found: list[Suggestion]
) -> list[Suggestion]:
    """BKD306 fixes inside ``try: ... except Exception: raise HTTPException(500)``: the 404
    they raise would become that 500, so each also lets the HTTP error through the broad
    handler. Where that needs an import the fix does not make itself (Flask's ``abort``
    beside werkzeug's ``HTTPException``, ``get_object_or_404`` beside ``Http404``), that fix
    is not suggested: two imports of one module would clash, and without it it fails."""
    broad = in_server_error_try(node, facts.up) if found else None
    if broad is None or route.framework not in _HTTP_ERROR:
        return found
    name = _HTTP_ERROR[route.framework][0]
    bound = bool(facts.imports.get(name))
    out = []
    for s in found:
        if s.code != "BKD306":
            out.append(s)
            continue
        if not bound and not any(
            re.search(rf"\bimport\b.*\b{name}\b", e.new_text) for e in s.edits
        ):
            continue
        edits = (*s.edits, *let_through(facts, route, broad, imports=False))
        why = f"{s.rationale} `except {name}: raise` before the broad except lets the 404 out."
        out.append(dataclasses.replace(s, rationale=why, edits=edits))
    return out


# What an answer's class says of its status, when no ``status=`` says it.
_STATUS_OF = {
    "HttpResponseBadRequest": 400,
    "BadRequest": 400,
    "SuspiciousOperation": 400,
    "HttpResponseForbidden": 403,
    "PermissionDenied": 403,
    "Forbidden": 403,
    "Unauthorized": 401,
    "HttpResponseNotFound": 404,
    "Http404": 404,
    "NotFound": 404,
    "HttpResponseNotAllowed": 405,
    "HttpResponseGone": 410,
    "HttpResponseServerError": 500,
    # DRF's and werkzeug's own errors, each answered with its status
    "ParseError": 400,
    "NotAuthenticated": 401,
    "AuthenticationFailed": 401,
    "MethodNotAllowed": 405,
    "NotAcceptable": 406,
    "Conflict": 409,
    "UnsupportedMediaType": 415,
    "UnprocessableEntity": 422,
    "RequestValidationError": 422,
    "Throttled": 429,
    "TooManyRequests": 429,
}
# DRF's ValidationError is a 400 where it is written through its module (Django's own
# ValidationError, raised in a view, is a 500: a bare name says neither).
_DRF_VALIDATION = ("serializers.ValidationError", "exceptions.ValidationError")
_UNKNOWN = -1  # an exception of the app's own: an app handler may answer it with anything
_STATUS_KEYWORDS = ("status", "status_code", "code")
# ``logger.exception(...)``, ``logging.error(...)``: the error log (and its alerts) hears of it.
_LOG_LEVELS = ("exception", "error", "critical")
_REPORTS = ("print_exc", "capture_exception")


def _what_it_hides(facts: ModuleFacts, handler: ast.ExceptHandler, *, missing: bool) -> str | None:
    """What taking the 404 for a failure costs the client or the team; None when the handler
    already answers a 4xx and logs nothing: ``except Exception: return HttpResponseBadRequest()``
    turns the 404 into a 400, a change of number that was judged noise on a real app.
    Another 4xx (``missing`` False: a 400, a 403, a 409) only where the handler answers it
    with a 5xx or as served: a handler that logs and carries on to an answer after the
    ``try`` (``raise INVALID_LOGIN``) may answer the client's error as one still."""
    statuses = [_exit_status(facts, n) for n in own_nodes(handler) if _is_exit(n)]
    carries_on = not always_leaves(handler.body)
    if carries_on:
        statuses.append(None)  # it carries on after the except as if the row were there
    if not missing:
        if any(s is not None and s >= 500 for s in statuses):
            return (
                "the client gets the handler's 5xx for its own mistake, so it cannot tell "
                "what to fix"
            )
        if carries_on or _UNKNOWN in statuses or any(s is not None for s in statuses):
            return None
        return "the client gets the handler's answer instead, as if the request had been served"
    if _UNKNOWN in statuses and not _logs_error(handler):
        return None  # what the client gets is not known here: no claim to make
    if any(s is not None and s >= 500 for s in statuses):
        return (
            "the client gets the handler's 5xx instead (with the exception's text if it shows it)"
        )
    if _logs_error(handler):
        return (
            "it is logged as an error of the server's, so every unknown id a client sends "
            "lands in the error log"
        )
    if statuses and all(s is not None and 400 <= s < 500 for s in statuses):
        return None
    return "the client gets the handler's answer instead, as if the request had been served"


def _is_exit(node: ast.AST) -> bool:
    return isinstance(node, ast.Return | ast.Raise) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _is_abort(node.value)
    )


def _exit_status(facts: ModuleFacts, node: ast.AST) -> int | None:
    """The status a ``return`` / ``raise`` / ``abort(...)`` of the handler answers with: None
    for a page or redirect (a success), ``_UNKNOWN`` for an exception no framework maps to a
    status (the app's own: its handler decides)."""
    if isinstance(node, ast.Expr):
        node = node.value
    if isinstance(node, ast.Call) and _is_abort(node):
        return status_code(node.args[0]) if node.args else None
    if isinstance(node, ast.Raise):
        if node.exc is None:
            return None
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        status = _answer_status(node.exc)
        if status is None:
            status = raised_status(facts, node.exc)  # ``raise HTTP_500_UNEXPECTED_EXCEPTION``
        written = dotted(exc)
        if status is None and written.endswith(_DRF_VALIDATION):
            return 400
        if status is None and not written.rsplit(".", 1)[-1].endswith("HTTPException"):
            return _UNKNOWN
        return status
    value = node.value if isinstance(node, ast.Return) else None
    if isinstance(value, ast.Tuple) and len(value.elts) >= 2:
        return status_code(value.elts[1])  # Flask's ``return body, 400``
    return _answer_status(value) if value is not None else None


def _answer_status(node: ast.expr) -> int | None:
    """``JsonResponse(..., status=400)`` / ``HTTPException(status_code=404)`` /
    ``HttpResponseBadRequest()`` -> its status."""
    if isinstance(node, ast.Call):
        for keyword in node.keywords:
            if keyword.arg in _STATUS_KEYWORDS:
                return status_code(keyword.value)
        name = dotted(node.func).rsplit(".", 1)[-1]
        if name.endswith("HTTPException") and node.args:
            return status_code(node.args[0])
        return _STATUS_OF.get(name)
    return _STATUS_OF.get(dotted(node).rsplit(".", 1)[-1])


def _is_abort(call: ast.Call) -> bool:
    return dotted(call.func).rsplit(".", 1)[-1] == "abort"


def _logs_error(handler: ast.ExceptHandler) -> bool:
    for node in own_nodes(handler):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        head, _, last = name.rpartition(".")
        if last in _REPORTS or (last in _LOG_LEVELS and "log" in head.lower()):
            return True
    return False


def _reraises(handler: ast.ExceptHandler) -> bool:
    """A bare ``raise`` (or ``raise exc``) anywhere in it: the error goes on as it was."""
    caught = handler.name
    for node in own_nodes(handler):
        if isinstance(node, ast.Raise):
            if node.exc is None:
                return True
            if caught and isinstance(node.exc, ast.Name) and node.exc.id == caught:
                return True
    return False
