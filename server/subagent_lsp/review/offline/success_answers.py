"""BKD316: a broad ``except`` in a route that answers its own failure as a success.

``try: handle(event) except Exception: log.debug(...); return "ok", 200`` in a Stripe, GitHub
or Slack receiver: the provider reads only the status, takes the 200 for a delivery and never
sends the event again, and the error went to a log level nobody reads (asked for by blind
judges and planted sets). The same in any API route whose ``try`` writes or calls out
(``except Exception: pass`` and then ``return {"status": "ok"}``): the client is told its
change was made.

What must hold, so that a reviewer would take the fix:
- the handler answers 2xx (a dict, a string, ``jsonify(...)``, ``HttpResponse()`` with no
  status, an explicit 200/204), itself or by carrying on to such a ``return`` after the try;
  it neither re-raises nor answers 4xx/5xx;
- the ``try`` does real work: a database write, an upstream call (and, in a receiver, any
  call of the project's that handles the event); not only a parse, whose failure is the
  client's 400;
- the handler sets no fallback value to go on with (``except Exception: data = {}``) and does
  no work of its own: ``try: M.objects.get(...).delete() / except: M.objects.create(...)``
  is a toggle whose ``except`` is the "not found" branch (a 500 there, the create kept,
  answered every like as a failure after writing it: judged broken on a real app);
- nothing in the ``try`` runs after a write it made (``row.save(); charge(...)``): a 500
  would tell the client nothing was done while the row was made;
- outside a receiver, the failure is logged below warning or not at all, and the answer does
  not name the error (``{"error": ...}`` tells the client, whatever its status). A receiver's
  ``logger.exception`` does not help its sender: it still gets the 200 and never retries.

A FastAPI route's answer made as one of the project's pydantic models (model_answers.py:
``return ResponseModel(success=False, message=str(e))``) is read by its status alone: FastAPI
sends it with the route's 2xx, so a body that says ``success=False`` still tells the client,
its retries and its monitoring that the write was made. Silent where the handler sets a
status field of the model (``Envelope(code=500)``) or ``response.status_code``.

Left alone, as best_effort.py has it: a ``try`` whose only work is a notification (a Slack
ping, a webhook *sent*), or one after the route has saved its work without writing again:
logging that and going on is the right answer there.

The fix logs with ``logger.exception`` (the module's logger) and answers 500 so the sender
retries and the error log hears of it.
"""

from __future__ import annotations

import ast
import re

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .best_effort import notifies
from .block_exits import always_leaves
from .frameworks import ModuleFacts, Route
from .html_answers import module_logger
from .model_answers import ModelAnswer, model_answer
from .pyedits import ensure_imports
from .pysource import Source, block_of, dotted, own_nodes
from .row_uses import short
from .saving_calls import saved_before, saving_calls
from .try_blocks import handler_names, status_code
from .upstream_calls import upstream_library

_BROAD = {"Exception", "BaseException"}
# Answers that are a success unless a status says otherwise.
_ANSWERS = {
    "jsonify",
    "dict",
    "make_response",
    "Response",
    "JsonResponse",
    "HttpResponse",
    "JSONResponse",
    "ORJSONResponse",
    "UJSONResponse",
    "PlainTextResponse",
}
_STATUS_KEYWORDS = ("status", "status_code")
# A model's field that carries a status the client reads (``code=50000`` of an envelope).
_STATUS_FIELDS = frozenset({"status", "status_code", "code", "http_status", "statusCode"})
_LOW = ("debug", "info", "print")
_WARNING = ("warning", "warn")
_ERROR = ("exception", "error", "critical", "fatal", "print_exc", "capture_exception")
_WRITES = {"add", "add_all", "commit", "flush", "execute", "executemany", "merge", "bulk_create"}
# What a handler may call and still only report its failure: undo, log, build the answer.
_CLEANUPS = frozenset({"rollback", "set_rollback", "close", "remove", "expunge", "expunge_all"})
_PURE = frozenset({"str", "repr", "format", "len", "int", "float", "bool", "type", "dict", "list"})
_REPORTS = ("traceback.", "sentry_sdk.", "capture_exception", "logging.")
_LOGGER = re.compile(r"(?:^|_)(?:log|logger|logging)$", re.IGNORECASE)
_DATABASE = re.compile(r"session|\bdb\b|conn|cursor|\bcur\b", re.IGNORECASE)
# What a receiver of someone else's deliveries reads or is called: its sender retries a 5xx.
_RECEIVER = re.compile(
    r"webhook|hook\b|hooks?/|stripe-signature|x-hub-signature|x-github-event|x-gitlab-"
    r"|x-slack-signature|x-twilio-signature|x-shopify-hmac|construct_event|verify_webhook",
    re.IGNORECASE,
)
# What an answer that tells the client of the failure says.
_ERROR_WORDS = re.compile(r"error|fail|invalid|denied", re.IGNORECASE)


def success_answer_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework not in ("flask", "fastapi", "django") or not route.answers:
            continue
        receiver: bool | None = None
        for node in facts.source.nodes_of(route.func):
            if not isinstance(node, ast.Try) or facts.source.function_of(node) is not route.func:
                continue
            if receiver is None:
                receiver = _receiver(facts, route)
            found = _answered_as_success(facts, route, node, receiver)
            if found is not None:
                out.append(found)
    return out


def _answered_as_success(
    facts: ModuleFacts, route: Route, node: ast.Try, receiver: bool
) -> Suggestion | None:
    broad = next((h for h in node.handlers if h.type is None or handler_names(h) & _BROAD), None)
    if broad is None or broad.body[0].lineno == broad.lineno:
        return None  # ``except Exception: pass`` on one line: no edit of its own lines here
    if any(isinstance(n, ast.Raise) for n in own_nodes(broad)) or _aborts(broad):
        return None
    if any(isinstance(n, ast.Assign | ast.AugAssign | ast.AnnAssign) for n in own_nodes(broad)):
        return None  # a fallback value the route goes on with: the failure is handled
    answer = _answer(facts, node, broad)
    if _handler_works(broad, answer):
        return None  # the other branch of the route (``except: X.objects.create(...)``)
    model = model_answer(facts, answer) if answer is not None else None
    if model is not None:
        assert answer is not None
        if not _model_success(route, model, answer):
            return None
    elif answer is None or not _success(answer):
        return None
    level = _log_level(broad)
    # ``Answer(success=False, ...)`` names the failure in a body whose status is still the
    # route's 2xx: a model answer is read by its status alone (model_answers.py).
    if not receiver and (level in ("warning", "error") or (model is None and _names_error(answer))):
        return None
    work = _work(facts, route, node, receiver)
    if work is None:
        return None
    src = facts.source
    caught = src.text_of(broad.type) if broad.type is not None else "everything"
    sender = "the sender" if receiver else "the client"
    told = "to send it again" if receiver else "that it failed"
    heard = {
        "none": "nothing is logged",
        "low": "the error goes to a log level nobody reads",
        "warning": "the error is only a warning",
        "error": "the error is logged",
    }[level]
    retry = (
        "the sender takes the 2xx for a delivery and never sends it again"
        if receiver
        else "the client is told its request was served"
    )
    if model is not None and not receiver:
        retry = _model_retry(route, model, answer)
    return Suggestion(
        "BKD316",
        "error-handling",
        src.path,
        src.span(broad.type if broad.type is not None else broad),
        f"Answer {_label(facts, route)}'s failure with a 500, not a success",
        f"`except {caught}` takes every failure of `{short(src.text_of(work))}` (line "
        f"{src.start(work).line + 1}) and answers `{short(src.text_of(answer))}`: {retry}, "
        f"and {heard}. `logger.exception` and a 500 tell {sender} {told} and the error log "
        "hears of it.",
        _fix(facts, route, broad, answer),
    )


def _route_status(route: Route) -> int:
    """The status the route answers a returned body with: its decorator's ``status_code=``,
    else FastAPI's 200 (-1 when written as something not read here)."""
    for deco in route.func.decorator_list:
        if isinstance(deco, ast.Call):
            for keyword in deco.keywords:
                if keyword.arg == "status_code":
                    return status_code(keyword.value) or -1
    return 200


def _model_success(route: Route, model: ModelAnswer, answer: ast.expr) -> bool:
    """A model answer the client gets as the route's 2xx: no field of the model's carries
    a status the handler sets (``code=500`` in an envelope the client reads), and pydantic
    does not refuse an unknown keyword (``extra="forbid"``: a ValidationError, a 500)."""
    if route.framework != "fastapi" or not 200 <= _route_status(route) < 300:
        return False
    assert isinstance(answer, ast.Call)
    written = {k.arg for k in answer.keywords}
    if None in written or answer.args:
        return False  # ``Answer(**fields)``, positional: what it sets is not read here
    if written & model.fields & _STATUS_FIELDS:
        return False
    return not (model.extra == "forbid" and written - model.fields)


def _model_retry(route: Route, model: ModelAnswer, answer: ast.expr) -> str:
    status = _route_status(route)
    assert isinstance(answer, ast.Call)
    dropped = [k for k in answer.keywords if k.arg in _STATUS_FIELDS and k.arg not in model.fields]
    if dropped and model.extra == "ignore":
        return (
            f"`{dropped[0].arg}=` is no field of `{model.name}`, so pydantic drops it and "
            f"the client gets a {status}"
        )
    return (
        f"the client gets the route's {status}, whatever the body says, so it (and its "
        "retries, its monitoring) takes the failure for a success"
    )


def _label(facts: ModuleFacts, route: Route) -> str:
    """``stripe_webhook``, or ``PaddleWebhookView.post`` for a view class's method."""
    owner = facts.up.get(route.func)
    name = route.func.name
    return f"{owner.name}.{name}" if isinstance(owner, ast.ClassDef) else name


def _aborts(handler: ast.ExceptHandler) -> bool:
    return any(
        isinstance(n, ast.Call) and dotted(n.func).rsplit(".", 1)[-1] == "abort"
        for n in own_nodes(handler)
    )


def _handler_works(handler: ast.ExceptHandler, answer: ast.expr | None) -> bool:
    """The handler does work of its own: it creates, saves or calls something that is not a
    log line, a rollback or the answer's constructor. ``try: row = M.objects.get(...);
    row.delete() / except: M.objects.create(...); return 201`` is a toggle whose ``except``
    is the "not found" branch (judged broken on a real app): a 500 there would tell the client
    it failed after the row was written. Narrowing the ``except`` is the fix, not its answer."""
    made = {id(answer)}
    if isinstance(answer, ast.Tuple):
        made |= {id(e) for e in answer.elts}
    for node in own_nodes(handler):
        if not isinstance(node, ast.Call) or _logging(node) or id(node) in made:
            continue
        name = dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if last in _CLEANUPS or last in _ANSWERS or name in _PURE or name.startswith(_REPORTS):
            continue
        return True
    return False


def _answer(facts: ModuleFacts, node: ast.Try, broad: ast.ExceptHandler) -> ast.expr | None:
    """What the client gets when the handler runs: its own last ``return``, else (when it
    carries on) the next ``return`` of the block the ``try`` is in."""
    returns = [n for n in own_nodes(broad) if isinstance(n, ast.Return)]
    if returns:
        last = broad.body[-1]
        # one answer, the handler's last statement: a branch in it answers who knows what
        if len(returns) != 1 or last is not returns[0]:
            return None
        return last.value
    if always_leaves(broad.body) or node.finalbody or node.orelse:
        return None
    block = block_of(node, facts.up)
    if block is None:
        return None
    after = block[block.index(node) + 1 :]
    for stmt in after:
        if isinstance(stmt, ast.Return):
            return stmt.value
        if not isinstance(stmt, ast.Expr | ast.Assign):
            return None  # a branch or a loop before the answer: not read here
    return None


def _success(value: ast.expr | None) -> bool:
    """A 2xx the handler answers: a body with no status, or an explicit 200-299."""
    if value is None:
        return False
    if isinstance(value, ast.Tuple):
        if len(value.elts) < 2:
            return False
        code = status_code(value.elts[1])
        return code is not None and 200 <= code < 300 and _body(value.elts[0])
    return _body(value)


def _body(value: ast.expr) -> bool:
    if isinstance(value, ast.Dict | ast.List):
        return True
    if isinstance(value, ast.Constant):
        return isinstance(value.value, str)
    if not isinstance(value, ast.Call) or dotted(value.func).rsplit(".", 1)[-1] not in _ANSWERS:
        return False
    for keyword in value.keywords:
        if keyword.arg in _STATUS_KEYWORDS:
            code = status_code(keyword.value)
            return code is not None and 200 <= code < 300
    name = dotted(value.func).rsplit(".", 1)[-1]
    if name in ("make_response", "Response") and len(value.args) >= 2:
        code = status_code(value.args[1])
        return code is not None and 200 <= code < 300
    return True


def _names_error(answer: ast.expr) -> bool:
    """``{"error": ...}``, ``jsonify(success=False)``, ``"failed"``: the body tells of it."""
    for node in ast.walk(answer):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _ERROR_WORDS.search(node.value)
        ):
            return True
        if isinstance(node, ast.keyword) and node.arg and _ERROR_WORDS.search(node.arg):
            return True
        if isinstance(node, ast.Constant) and node.value is False:
            return True
    return False


def _log_level(handler: ast.ExceptHandler) -> str:
    """The highest level the handler logs at: none, low (debug, info, print), warning, error."""
    found = "none"
    for node in own_nodes(handler):
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func)
        head, _, last = name.rpartition(".")
        if last in ("print_exc", "capture_exception") or (last in _ERROR and _is_logger(head)):
            return "error"
        if last in _WARNING and _is_logger(head):
            found = "warning"
        elif found == "none" and (name == "print" or (last in _LOW and _is_logger(head))):
            found = "low"
    return found


def _receiver(facts: ModuleFacts, route: Route) -> bool:
    """The route takes another service's deliveries: its name, its view class's or its path
    says webhook, or it reads a provider's signature header or checks one
    (``stripe.Webhook.construct_event``)."""
    words = [route.func.name]
    owner = facts.up.get(route.func)
    if isinstance(owner, ast.ClassDef):
        words.append(owner.name)  # ``class StripeWebhookView(APIView): def post(...)``
    for deco in route.func.decorator_list:
        words.extend(
            n.value
            for n in ast.walk(deco)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        )
    for node in facts.source.nodes_of(route.func):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.append(node.value)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
    return any(_RECEIVER.search(word) for word in words)


def _work(facts: ModuleFacts, route: Route, node: ast.Try, receiver: bool) -> ast.Call | None:
    """The first call of the ``try`` whose failure matters: a write or an upstream call (in a
    receiver, any call of the project's too); None when there is none, or when what it does
    is a best-effort notification. Not a parse: a body that does not parse is the client's
    mistake, a 400 (BKD305), and a retry would fail the same way."""
    src = facts.source
    found: list[ast.Call] = []
    writes = {id(c) for s in node.body for c in saving_calls(s)}
    for stmt in node.body:
        for call in own_nodes(stmt):
            if not isinstance(call, ast.Call):
                continue
            last = dotted(call.func).rsplit(".", 1)[-1]
            if (
                id(call) in writes
                or (last in _WRITES and _on_database(call))
                or upstream_library(src, call) is not None
                or (receiver and _project_call(facts, call))
            ):
                found.append(call)
    found = [c for c in found if not _logging(c)]
    if not found or all(notifies(src.text_of(c)) for c in found):
        return None
    made = [c for c in found if id(c) in writes]
    if made and any(c.lineno > (made[0].end_lineno or made[0].lineno) for c in found):
        # ``row.save(); charge(...)``: what fails after the write finds the row made, and a
        # 500 would tell the client nothing was done while it was
        return None
    writing = any(id(c) in writes or dotted(c.func).endswith(".commit") for c in found)
    if not writing and saved_before(route.func, node, facts.up) is not None:
        return None  # after the route's own save: a follow-up that may fail on its own
    return min(found, key=lambda c: (c.lineno, c.col_offset))


def _on_database(call: ast.Call) -> bool:
    """``db.session.add(...)``, ``cursor.execute(...)``: not a set's ``add``."""
    if not isinstance(call.func, ast.Attribute):
        return False
    return bool(_DATABASE.search(dotted(call.func.value)))


def _project_call(facts: ModuleFacts, call: ast.Call) -> bool:
    if facts.upstream is None:
        return False
    return facts.upstream.callee(facts.source, call) is not None


def _logging(call: ast.Call) -> bool:
    return _is_logger(dotted(call.func).rpartition(".")[0]) or dotted(call.func) == "print"


def _is_logger(head: str) -> bool:
    """``log``, ``logger``, ``app.logger``, ``logging``, ``_LOG``: not ``blog`` or ``catalog``."""
    return bool(_LOGGER.search(head.rsplit(".", 1)[-1]))


def _fix(
    facts: ModuleFacts, route: Route, broad: ast.ExceptHandler, answer: ast.expr
) -> tuple[Edit, ...]:
    """The handler's body with its low log turned into ``logger.exception`` and its success
    answer into a 500; what else it does (a rollback) stays."""
    src = facts.source
    edits: list[Edit] = []
    modules: list[str] = []
    logger = module_logger(facts)
    if logger is None:
        bound = next((k for k, v in facts.imports.items() if v == "logging"), None)
        if bound is None:
            bound, modules = "logging", ["logging"]
        logger = f"{bound}.getLogger(__name__)"
    what = f"{_label(facts, route)} failed"
    lines: list[str] = []
    logged = False
    for stmt in broad.body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Return) and stmt.value is answer):
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(call, ast.Call) and _logging(call) and not logged:
            if dotted(call.func) == "print" and len(call.args) == 1 and not call.keywords:
                lines.append(f"{logger}.exception({src.text_of(call.args[0])})")
            elif dotted(call.func) == "print" or not call.args:
                lines.append(f'{logger}.exception("{what}")')
            else:
                # the message as written, on the exception's level (and with its traceback)
                head = dotted(call.func).rpartition(".")[0]
                lines.append(f"{head}.exception({_arguments(src, call)})")
            logged = True
            continue
        if isinstance(call, ast.Call) and _logging(call):
            continue  # a second low log line: the exception's says it
        first, last = stmt.lineno - 1, (stmt.end_lineno or stmt.lineno) - 1
        lines.append("\n".join(src.lines[first : last + 1]).strip())
    if not logged:
        lines.insert(0, f'{logger}.exception("{what}")')
    failure, needed = _server_error(facts, route, answer, what, broad.name)
    lines.append(failure)
    edits.extend(ensure_imports(src, needed, modules))
    indent = src.indent_of(broad.body[0].lineno - 1)
    first = broad.body[0].lineno - 1
    last_stmt = broad.body[-1]
    last = (last_stmt.end_lineno or last_stmt.lineno) - 1
    text = f"\n{indent}".join(line.replace("\n", f"\n{indent}") for line in lines)
    span = Span(Position(first, len(indent)), Position(last, len(src.lines[last])))
    edits.append(Edit(src.path, span, text.replace("\n", src.eol)))
    return tuple(edits)


def _arguments(src: Source, call: ast.Call) -> str:
    parts = [src.text_of(a) for a in call.args]
    parts += [
        f"{k.arg}={src.text_of(k.value)}" if k.arg else f"**{src.text_of(k.value)}"
        for k in call.keywords
        if k.arg != "exc_info"
    ]
    return ", ".join(parts)


def _server_error(
    facts: ModuleFacts, route: Route, answer: ast.expr, what: str, caught: str | None
) -> tuple[str, list[tuple[str, str]]]:
    """The 500 answered in the route's own idiom, and the imports it needs."""
    body = answer.elts[0] if isinstance(answer, ast.Tuple) else answer
    called = dotted(body.func) if isinstance(body, ast.Call) else ""
    name = called.rsplit(".", 1)[-1]
    if route.framework == "flask":
        if name == "jsonify":
            return f'return {called}(error="{what}"), 500', []
        if isinstance(body, ast.Dict):
            return f'return {{"error": "{what}"}}, 500', []
        return 'return "", 500', []
    if route.framework == "fastapi":
        bound = next((k for k, v in facts.imports.items() if v == "fastapi.HTTPException"), None)
        needed = [] if bound else [("fastapi", "HTTPException")]
        cause = f" from {caught}" if caught else ""  # the chain linters ask for (B904)
        error = f'{bound or "HTTPException"}(status_code=500, detail="{what}"){cause}'
        return f"raise {error}", needed
    if name in ("JsonResponse", "Response"):
        return f'return {called}({{"error": "{what}"}}, status=500)', []
    if name == "HttpResponse":
        return f"return {called}(status=500)", []
    bound = next((k for k, v in facts.imports.items() if v == "django.http.HttpResponse"), None)
    needed = [] if bound else [("django.http", "HttpResponse")]
    return f"return {bound or 'HttpResponse'}(status=500)", needed
