"""BKD202 for decoding what the client sent (base64, UTF-8 bytes) with nothing to catch its
failure, and for a conversion whose ``try`` catches the wrong class (``int(x)`` under
``except TypeError``): binascii.Error and UnicodeDecodeError are ValueErrors, a 500 either way."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..suggestion import Edit, Suggestion
from .drf import drf_view, uses_drf
from .drf_serializers import drf_validation_error
from .frameworks import ModuleFacts, Route, django_bad_request, enclosing_statement
from .pyedits import ensure_imports, replace_statement, wrapped_in_try
from .pysource import SCOPES, child_nodes, dotted, every_node, top_level_function
from .row_uses import short
from .try_blocks import caught, handler_names, status_code

_B64 = {
    "base64.b64decode",
    "base64.urlsafe_b64decode",
    "base64.standard_b64decode",
    "django.utils.http.urlsafe_base64_decode",
}
# What covers each failure: a ValueError handler (or broader) covers both.
_COVERS_B64 = {"ValueError", "Error", "binascii.Error"}
_COVERS_TEXT = {"ValueError", "UnicodeDecodeError", "UnicodeError"}
# The names a handler raises that answer the client (a 4xx), whatever their arguments.
_CLIENT_RAISES = {"ValidationError", "BadRequest", "SuspiciousOperation", "Http404", "NotFound"}
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)
_NOT_CLIENT = {"self", "cls", "request", "req"}


@dataclass(frozen=True)
class Idioms:
    """validation's readers and answers, handed in (it imports this module)."""

    request_value: Callable[[ast.expr], str | None]
    flask_400: Callable[[ModuleFacts, Route, str], tuple[str, list[Edit]]]
    free_http_exception: Callable[[ModuleFacts], bool]


def decode_guard_suggestions(
    facts: ModuleFacts, helpers: list[Route], idioms: Idioms
) -> list[Suggestion]:
    text = facts.source.text
    # Cheap before any walk: every shape needs a decode call or a TypeError handler by name.
    if "decode" not in text and "TypeError" not in text:
        return []
    out, reported = _wrong_handlers(facts)
    if "decode" not in text:
        return out
    routes = [*facts.routes, *helpers, *_serializer_fields(facts)]
    seen = {id(r.func) for r in routes}
    more = [h for h in _decoding_helpers(facts, idioms) if id(h.func) not in seen]
    for route in [*routes, *more]:
        out.extend(_unguarded(facts, route, reported, idioms))
    return out


def _decoding_helpers(facts: ModuleFacts, idioms: Idioms) -> list[Route]:
    """A function of the module a route hands the client's value (``_decode(token)``), one
    step: its parameters a route's call fills with it. Its fix raises (it returns a value to
    the route, not a response)."""
    sent: dict[str, set[str]] = {}
    frameworks: dict[str, str] = {}
    for route in facts.routes:
        params = _client_params(route)
        for call in _function_calls(route.func):
            if not isinstance(call.func, ast.Name) or caught(call, facts.up, {"ValueError"}):
                continue
            helper = top_level_function(facts.source, call.func.id)
            if helper is None or facts.is_route(helper):
                continue
            names = [a.arg for a in helper.args.args]
            for param, arg in zip(names, call.args, strict=False):
                if _client_text(arg, params, idioms) is not None:
                    sent.setdefault(helper.name, set()).add(param)
                    frameworks[helper.name] = route.framework
    out: list[Route] = []
    for name, params in sent.items():
        helper = top_level_function(facts.source, name)
        assert helper is not None
        out.append(Route(helper, frameworks[name], answers=False, sent=frozenset(params)))
    return out


def _b64(facts: ModuleFacts, call: ast.Call) -> bool:
    name = dotted(call.func)
    if not name or len(call.args) < 1:
        return False
    head, _, rest = name.partition(".")
    full = facts.imports.get(head, head) + ("." + rest if rest else "")
    return full in _B64


def _text_decode(call: ast.Call) -> bool:
    """``x.decode()`` / ``x.decode("utf-8")``: strict, so bad bytes raise (``errors=`` given,
    the caller chose what happens)."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "decode"
        and not call.keywords
        and len(call.args) <= 1
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)
    )


def _function_calls(func: ast.AST) -> list[ast.Call]:
    """``_calls`` of a route or helper: read for the helpers it hands text to, then for its
    own decodes; kept on it (a fact of its text, as ``dotted`` is)."""
    found: list[ast.Call] | None = func.__dict__.get("_decode_calls")
    if found is None:
        found = func.__dict__["_decode_calls"] = list(_calls(func))
    return found


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    """The calls under ``node``, not those of a nested function or class."""
    stack = child_nodes(node)
    while stack:
        current = stack.pop()
        if isinstance(current, SCOPES):
            continue
        if isinstance(current, ast.Call):
            yield current
        stack.extend(child_nodes(current))


def _b64_locals(facts: ModuleFacts, func: ast.AST) -> set[str]:
    """Locals bound (once) to a base64 decode's bytes."""
    if "b64decode" not in facts.source.text and "base64_decode" not in facts.source.text:
        return set()
    bound: dict[str, int] = {}
    decoded: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound[target.id] = bound.get(target.id, 0) + 1
                if isinstance(node.value, ast.Call) and _b64(facts, node.value):
                    decoded.add(target.id)
    return {name for name in decoded if bound[name] == 1}


def _of_b64(facts: ModuleFacts, node: ast.expr, b64_locals: set[str]) -> bool:
    if isinstance(node, ast.Call) and _b64(facts, node):
        return True
    return isinstance(node, ast.Name) and node.id in b64_locals


def _client_handler(handler: ast.ExceptHandler) -> bool:
    """The handler answers the client (a 4xx, a validation error): the ``try`` is there for bad
    input, so the failure it misses is the client's too."""
    for node in ast.walk(handler):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if dotted(exc).rsplit(".", 1)[-1] in _CLIENT_RAISES:
                return True
        if isinstance(node, ast.expr):
            code = status_code(node)
            if code is not None and 400 <= code < 500:
                return True
    return False


def _wrong_handlers(facts: ModuleFacts) -> tuple[list[Suggestion], set[int]]:
    """``try: int(x) except TypeError: <answer 400>``: the handler meant bad input, but the
    class bad input raises is not the one it catches. Its tuple gains that class; the answer
    stays the module's."""
    out: list[Suggestion] = []
    reported: set[int] = set()
    src = facts.source
    for node in (n for module in src.modules for n in every_node(module)):
        if not isinstance(node, ast.Try) or not node.handlers:
            continue
        every = set().union(*(handler_names(h) for h in node.handlers))
        if every & {"ValueError", "Exception", "BaseException"}:
            continue
        func = _function_of(facts, node)
        b64_locals = _b64_locals(facts, func) if func is not None else set()
        missing: dict[str, ast.Call] = {}
        calls = [c for stmt in node.body for c in _calls(stmt)]
        for call in calls:
            if caught(call, facts.up, {"ValueError"}):
                continue  # an inner or outer try already catches it
            if (
                isinstance(call.func, ast.Name)
                and call.func.id in ("int", "float")
                and len(call.args) == 1
                and not isinstance(call.args[0], ast.Constant)
                and "TypeError" in every
            ) or (_b64(facts, call) and not (every & _COVERS_B64) and "TypeError" in every):
                missing.setdefault("ValueError", call)
            elif (
                _text_decode(call)
                and isinstance(call.func, ast.Attribute)
                and _of_b64(facts, call.func.value, b64_locals)
                and every & {"Error", "binascii.Error"}
                and not every & _COVERS_TEXT
            ):
                missing.setdefault("UnicodeDecodeError", call)
        if not missing:
            continue
        added = "ValueError" if "ValueError" in missing else "UnicodeDecodeError"
        call = missing[added]
        handler = _intended(node, added)
        if handler is None or handler.type is None or not _client_handler(handler):
            continue
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        text = "(" + ", ".join(src.text_of(t) for t in types) + f", {added})"
        caught_now = ", ".join(src.text_of(t) for t in types)
        what = (
            "a value that is not a number"
            if added == "ValueError" and not _b64(facts, call)
            else "malformed base64"
            if added == "ValueError"
            else "bytes that are not UTF-8"
        )
        reported.update(id(c) for c in calls)
        out.append(
            Suggestion(
                "BKD202",
                "validation",
                src.path,
                src.span(call),
                f"Catch `{added}` too around `{short(src.text_of(call), 40)}`",
                f"`{short(src.text_of(call))}` raises {added} on {what}, and the handler "
                f"catches only `{caught_now}`: the bad input it meant to answer is a 500. "
                f"The handler now catches {added} too and answers as it does.",
                (Edit(src.path, src.span(handler.type), text),),
            )
        )
    return out, reported


def fixed_in_handler(call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """``int(x)`` in the body of a ``try`` whose TypeError handler answers the client and
    nothing there catches ValueError: the fix is that handler's tuple (``_wrong_handlers``),
    not a new ``try`` inside it."""
    current: ast.AST | None = call
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body and current.handlers:
            every = set().union(*(handler_names(h) for h in current.handlers))
            if every & {"ValueError", "Exception", "BaseException"}:
                return False
            handler = _intended(current, "ValueError")
            return handler is not None and _client_handler(handler)
        child, current = current, up.get(current)
    return False


def _intended(node: ast.Try, added: str) -> ast.ExceptHandler | None:
    """The handler the missing class belongs with: the one for TypeError (a bad number) or
    for binascii.Error (a bad text), the first such."""
    wanted = {"TypeError"} if added == "ValueError" else {"Error", "binascii.Error"}
    for handler in node.handlers:
        if handler_names(handler) & wanted:
            return handler
    return None


def _function_of(facts: ModuleFacts, node: ast.AST) -> ast.AST | None:
    current = facts.up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        current = facts.up.get(current)
    return current


def _serializer_fields(facts: ModuleFacts) -> list[Route]:
    """A DRF field's ``to_internal_value(self, data)``: ``data`` is what the client sent, and
    a ``serializers.ValidationError`` raised there is the serializer's 400."""
    if not uses_drf(facts):
        return []
    out: list[Route] = []
    for cls in (c for module in facts.source.modules for c in module.body):
        if not isinstance(cls, ast.ClassDef):
            continue
        if not any(dotted(b).endswith("Field") for b in cls.bases):
            continue
        for item in cls.body:
            if isinstance(item, ast.FunctionDef) and item.name == "to_internal_value":
                out.append(Route(item, "drf-field", answers=False))
    return out


def _client_params(route: Route) -> set[str]:
    func = route.func
    names = {a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]}
    names -= _NOT_CLIENT
    if route.sent is not None:
        names &= route.sent
    defaults = [*func.args.defaults, *func.args.kw_defaults]
    for arg, default in zip(
        [*func.args.args[len(func.args.args) - len(func.args.defaults) :], *func.args.kwonlyargs],
        defaults,
        strict=False,
    ):
        if isinstance(default, ast.Call) and dotted(default.func).endswith("Depends"):
            names.discard(arg.arg)
    return names


def _client_bytes(node: ast.expr, uploads: set[str]) -> str | None:
    """``request.data`` / ``request.body`` / ``request.get_data()`` / an upload's ``read()``:
    the bytes the client sent, named for the message."""
    text = dotted(node)
    if text in ("request.data", "request.body", "self.request.body"):
        return text
    if isinstance(node, ast.Call) and not node.args:
        name = dotted(node.func)
        if name == "request.get_data":
            return name + "()"
        if isinstance(node.func, ast.Attribute) and node.func.attr == "read":
            owner = node.func.value
            if isinstance(owner, ast.Name) and owner.id in uploads:
                return f"the upload `{owner.id}`"
            if _upload_read(owner):
                return "the upload"
    return None


def _upload_read(node: ast.expr) -> bool:
    """``request.files["f"]`` / ``request.FILES.get("f")``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr != "get":
            return False
        base = node.func.value
    elif isinstance(node, ast.Subscript):
        base = node.value
    else:
        return False
    return dotted(base) in ("request.files", "request.FILES", "self.request.FILES")


def _uploads(func: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in every_node(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _upload_read(node.value):
                found.add(target.id)
    return found


def _client_text(node: ast.expr, params: set[str], idioms: Idioms) -> str | None:
    """What a base64 decode reads that is the client's: a handler's parameter (a path
    segment, a query value), or its ``.encode()``; a request read."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "encode"
    ):
        node = node.func.value
    if isinstance(node, ast.Name) and node.id in params:
        return node.id
    base = idioms.request_value(node)
    if base is not None and isinstance(node, ast.Call | ast.Subscript):
        key = node.args[0] if isinstance(node, ast.Call) else node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
    return None


def _unguarded(
    facts: ModuleFacts, route: Route, reported: set[int], idioms: Idioms
) -> list[Suggestion]:
    """A base64 decode of the client's text, or a strict ``.decode()`` of its bytes, with no
    handler for the ValueError either raises: the statement goes inside ``try`` and answers
    400 in the module's idiom."""
    out: list[Suggestion] = []
    params = _client_params(route)
    uploads = _uploads(route.func)
    b64_locals = _b64_locals(facts, route.func)
    done: set[int] = set()
    for call in _function_calls(route.func):
        if id(call) in reported:
            continue
        found = _client_decode(facts, call, params, uploads, b64_locals, idioms)
        if found is None:
            continue
        name, covers = found
        if caught(call, facts.up, covers, client_error=True):
            continue
        stmt = enclosing_statement(call, facts.up)
        if stmt is None or not isinstance(stmt, _SIMPLE) or id(stmt) in done:
            continue
        texts = any(
            _text_decode(c) for c in ast.walk(stmt) if isinstance(c, ast.Call)
        )  # ``b64decode(x).decode()``: both failures in the one statement
        b64 = any(_b64(facts, c) for c in ast.walk(stmt) if isinstance(c, ast.Call))
        message, failure = _failure(name, b64, texts)
        covered = (
            "binascii.Error and UnicodeDecodeError are both one"
            if b64 and texts
            else "binascii.Error is one"
            if b64
            else "UnicodeDecodeError is one"
        )
        if route.framework == "drf-field":
            # DRF files the message under the field's name: its parameter means nothing there
            message = message.replace(f"{name} is", "the value is", 1)
        answered = _answer(facts, route, message, idioms)
        if answered is None:
            continue
        answer, imports = answered
        done.add(id(stmt))
        text = wrapped_in_try(facts.source, stmt, "ValueError", answer)
        src = facts.source
        out.append(
            Suggestion(
                "BKD202",
                "validation",
                src.path,
                src.span(call),
                f"Guard the decoding of {_shown(name)}",
                f"`{short(src.text_of(stmt))}` raises {failure}: the client gets a 500 for "
                f"its own input. It now catches ValueError ({covered}) and answers 400.",
                (*imports, replace_statement(src, stmt, text)),
            )
        )
    return out


def _client_decode(
    facts: ModuleFacts,
    call: ast.Call,
    params: set[str],
    uploads: set[str],
    b64_locals: set[str],
    idioms: Idioms,
) -> tuple[str, set[str]] | None:
    """(what the client sent, the names that catch the failure) when ``call`` decodes it."""
    if _b64(facts, call):
        name = _client_text(call.args[0], params, idioms)
        return (name, _COVERS_B64) if name is not None else None
    if not (_text_decode(call) and isinstance(call.func, ast.Attribute)):
        return None
    receiver = call.func.value
    name = _client_bytes(receiver, uploads)
    if name is not None:
        return name, _COVERS_TEXT
    if isinstance(receiver, ast.Call) and _b64(facts, receiver):
        name = _client_text(receiver.args[0], params, idioms)
        return (name, _COVERS_TEXT) if name is not None else None
    return None  # a local's bytes: its base64 decode is the client's call, reported there


def _failure(name: str, b64: bool, texts: bool) -> tuple[str, str]:
    """The 400's message and what the rationale says raises."""
    if name.startswith("the upload"):
        return "the uploaded file is not UTF-8 text", f"UnicodeDecodeError when {name} is not UTF-8"
    if name.startswith("request"):
        return (
            "the request body is not UTF-8 text",
            f"UnicodeDecodeError when `{name}` is not UTF-8",
        )
    if b64 and texts:
        return (
            f"{name} is not valid base64 text",
            f"binascii.Error when `{name}` is not valid base64, UnicodeDecodeError when its "
            "bytes are not UTF-8",
        )
    if b64:
        return (
            f"{name} is not valid base64",
            f"binascii.Error (or a ValueError for non-ASCII text) when `{name}` is not valid "
            "base64",
        )
    return f"{name} is not UTF-8 text", f"UnicodeDecodeError when `{name}` is not UTF-8"


def _shown(name: str) -> str:
    return name if name.startswith("the upload") else f"`{name}`"


def _answer(
    facts: ModuleFacts, route: Route, message: str, idioms: Idioms
) -> tuple[str, list[Edit]] | None:
    if route.framework == "flask":
        return idioms.flask_400(facts, route, message)
    if route.framework == "drf-field" or (route.framework == "django" and drf_view(facts, route)):
        # DRF answers a ValidationError raised in a view or a field's parse with a JSON 400
        error = drf_validation_error(facts)
        if error is None:
            return _drf_response(facts, route, message)
        name, wanted = error
        return f'raise {name}("{message}") from None', ensure_imports(facts.source, wanted)
    if route.framework == "django":
        answer, needed = django_bad_request(route, message)
        return answer, ensure_imports(facts.source, [needed])
    if route.framework == "fastapi":
        if not idioms.free_http_exception(facts):
            return None
        answer = f'raise HTTPException(status_code=400, detail="{message}") from None'
        return answer, ensure_imports(facts.source, [("fastapi", "HTTPException")])
    return None


def _drf_response(facts: ModuleFacts, route: Route, message: str) -> tuple[str, list[Edit]] | None:
    """A DRF view whose ``ValidationError`` is Django's: it answers with DRF's ``Response``."""
    if route.framework != "django" or not route.answers:
        return None
    if facts.imports.get("Response") != "rest_framework.response.Response":
        return None
    code = (
        "status.HTTP_400_BAD_REQUEST"
        if facts.imports.get("status") == "rest_framework.status"
        else "400"
    )
    return f'return Response({{"detail": "{message}"}}, status={code})', []
