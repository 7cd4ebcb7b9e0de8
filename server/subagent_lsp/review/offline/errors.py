"""Writes and I/O that can fail outside any handler, respecting the handling code already has:
an enclosing ``try``, ``@app.errorhandler``/``exception_handler`` and middleware."""

from __future__ import annotations

import ast
import os

from ..suggestion import Edit, Suggestion
from .abort_arguments import abort_argument_suggestions
from .anonymous_views import anonymous_view_suggestions
from .best_effort import Carry, carry_on, log_and_go_on
from .broad_excepts import broad_except_suggestions, through_server_error
from .catch_all_handlers import catch_all_handler_suggestions
from .client_timeouts import client_timeout_suggestions, none_timeout, passthrough_default
from .default_branches import never_runs
from .delete_children import parent_delete_suggestions
from .delete_lists import delete_list_suggestions
from .django_delete_children import django_parent_delete_suggestions
from .django_rows import session_read
from .django_views import lookup_of, request_attr
from .drf import drf_view
from .drf_permissions import proved_by_permission
from .drf_serializers import serializer_get_suggestions
from .driver_catches import driver_catch_suggestions
from .duplicate_creates import duplicate_create_suggestions
from .empty_rows import empty_rows_suggestions
from .except_calls import except_call_suggestions
from .except_models import except_model_suggestions, reported_lookup
from .except_or import except_or_suggestions
from .exception_attributes import exception_attribute_suggestions
from .exception_details import exception_detail_suggestions
from .fetched_rows import fetchone_suggestions
from .flask_answers import json_error
from .form_cleans import form_clean_suggestions
from .form_rows import keyed_by_django_form
from .frameworks import (
    ModuleFacts,
    Route,
    caught,
    django_bad_request,
    enclosing_statement,
    flask_abort,
    route_guards,
)
from .helper_rows import property_row_suggestions
from .html_answers import html_handler
from .identity_filters import identity_filter_suggestions
from .list_responses import list_response_suggestions
from .mail_answers import MailAnswer, mail_answer
from .mail_calls import MAIL, SMTP_CLASSES
from .mail_timeouts import mail_timeout_suggestions
from .missing_rows import missing_row_suggestions
from .model_cleans import model_clean_suggestions
from .none_fallbacks import none_fallback_suggestions
from .null_relations import null_relation_suggestions
from .oauth_callbacks import oauth_callback_suggestions
from .own_404_helpers import own_404_call
from .passed_bodies import passed_body_suggestions
from .permission_maps import permission_map_suggestions
from .protected_deletes import protected_delete_suggestions
from .pyedits import (
    add_keyword,
    ensure_imports,
    insert_before_line,
    replace_node,
    wrap_in_try,
)
from .pysource import TRIES, Source, bound_as, dotted, qualified_name
from .query_truth_tests import query_truth_suggestions
from .receiver_mail import receiver_mail_suggestions
from .returned_errors import returned_error_suggestions
from .row_uses import fetched_row
from .savepoints import savepoint_suggestions
from .sdk_calls import SDKS
from .sdk_errors import sdk_catch
from .serializer_raises import serializer_raise_suggestions
from .service_gets import service_get_suggestions
from .sessions import in_model_method, owns_lifecycle, pushes_app_context
from .set_after_validation import set_after_validation_suggestions
from .shared_fix import SharedHelper
from .status_exceptions import status_exception_suggestions
from .status_reads import status_read_suggestions, unchecked_response
from .success_answers import success_answer_suggestions
from .swallowed_commits import dbapi_connection, swallowed_commit
from .timeout_catches import read_timeout_missed, widen_handler
from .try_blocks import catches_miss_of, handler_names, innermost_try
from .tuple_results import tuple_result_suggestions
from .unchecked_parents import unchecked_parent_suggestions
from .undefined_names import undefined_name_suggestions
from .unique_updates import unique_update_suggestions
from .upstream_calls import (
    STATUS_HANDLED,
    UPSTREAM_ERRORS,
    Reach,
    handled_names,
    upstream_caught,
    upstream_library,
)
from .upstream_clients import request_library, written_request
from .view_objects import resolved_by_get_object

DEFAULT_TIMEOUT = 10


def error_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = client_timeout_suggestions(facts)
    out.extend(returned_error_suggestions(facts))
    out.extend(except_or_suggestions(facts))
    out.extend(except_call_suggestions(facts))
    out.extend(except_model_suggestions(facts))
    out.extend(list_response_suggestions(facts))
    out.extend(identity_filter_suggestions(facts))
    out.extend(broad_except_suggestions(facts))
    out.extend(success_answer_suggestions(facts))
    out.extend(exception_detail_suggestions(facts))
    out.extend(savepoint_suggestions(facts))
    out.extend(serializer_get_suggestions(facts))
    out.extend(form_clean_suggestions(facts))
    out.extend(_shared_helper_suggestions(facts))
    out.extend(passed_body_suggestions(facts))
    out.extend(receiver_mail_suggestions(facts))
    out.extend(mail_timeout_suggestions(facts))
    out.extend(protected_delete_suggestions(facts))
    out.extend(parent_delete_suggestions(facts))
    out.extend(django_parent_delete_suggestions(facts))
    out.extend(unchecked_parent_suggestions(facts))
    out.extend(model_clean_suggestions(facts))
    out.extend(abort_argument_suggestions(facts))
    out.extend(catch_all_handler_suggestions(facts))
    out.extend(query_truth_suggestions(facts))
    out.extend(undefined_name_suggestions(facts))
    out.extend(tuple_result_suggestions(facts))
    out.extend(exception_attribute_suggestions(facts))
    out.extend(delete_list_suggestions(facts))
    out.extend(serializer_raise_suggestions(facts))
    out.extend(anonymous_view_suggestions(facts))
    out.extend(permission_map_suggestions(facts))
    out.extend(status_exception_suggestions(facts))
    out.extend(null_relation_suggestions(facts))
    out.extend(none_fallback_suggestions(facts, lambda library: _error_binding(facts, library)))
    routes = {id(r.func): r for r in facts.routes}
    answered: set[int] = set()  # statements a BKD302 through a helper already wraps
    for node in facts.source.walk():
        if isinstance(node, ast.Attribute) and _read_property(facts, node):
            # ``post.latest_revision.body``: a model's property that may give None
            where = facts.source.function_of(node)
            on = routes.get(id(where)) if where is not None else None
            if on is not None:
                out.extend(property_row_suggestions(facts, node, on))
            continue
        if not isinstance(node, ast.Call):
            continue
        func = facts.source.function_of(node)
        route = routes.get(id(func)) if func is not None else None
        library = _library(facts, node)
        # A token exchange that raises on a refused sign-in: one handler for the call, the 400
        # of BKD313 (its try and BKD302's would wrap the same statement twice); its timeout
        # stays
        oauth = oauth_callback_suggestions(facts, node, route) if route is not None else []
        http = _http(facts, node, route, library)
        out.extend([s for s in http if s.code != "BKD302"] + oauth if oauth else http)
        if route is not None and not oauth and not any(s.code == "BKD302" for s in http):
            statuses = status_read_suggestions(facts, node, route, library)
            out.extend(statuses or _read_timeout(facts, node, route, library))
        out.extend(_smtp(facts, node))
        out.extend(_urlopen(facts, node))
        if route is not None and facts.upstream is not None and library is None:
            reach = facts.upstream.reach(facts.source, node)
            stmt = enclosing_statement(node, facts.up)
            # ``Client().fetch()``: the constructor and the method both reach; one fix.
            if reach is not None and id(stmt) not in answered:
                # the helper's own except covers every handler that calls it (shared_helpers)
                found = (
                    []
                    if _shared(facts, node, reach)
                    else _through_helper(facts, node, route, reach)
                )
                if found:
                    answered.add(id(stmt))
                out.extend(found)
        out.extend(_commit(facts, node))
        if route is not None and route.framework == "django":
            out.extend(_django_get(facts, node, route))
            out.extend(service_get_suggestions(facts, node, route))
        if route is not None:
            out.extend(_json_body(facts, node, route))
            rows = missing_row_suggestions(facts, node, route, facts.flask_sqlalchemy_major)
            out.extend(through_server_error(facts, route, node, rows))
            out.extend(fetchone_suggestions(facts, node, route))
            out.extend(empty_rows_suggestions(facts, node, route))
    unique = unique_update_suggestions(facts)
    updated = {s.span for s in unique}
    unique += [s for s in duplicate_create_suggestions(facts) if s.span not in updated]
    unique += set_after_validation_suggestions(facts)
    unique += driver_catch_suggestions(facts)
    if unique:
        # One edit of the commit: the duplicate's answer rolls back too (BKD303's wrap of the
        # same statement would conflict with it)
        spans = {s.span for s in unique}
        out = [s for s in out if not (s.code == "BKD303" and s.span in spans)]
    return [*out, *unique]


def _shared(facts: ModuleFacts, call: ast.Call, reach: Reach) -> bool:
    """``call`` runs a project helper whose one except covers all its callers, or reaches a
    request whose function returns None for all of them on its failure (none_fallbacks)."""
    if _falls_back(facts, reach):
        return True
    if facts.shared is None or facts.upstream is None:
        return False
    target = facts.upstream.callee(facts.source, call)
    return target is not None and facts.shared(*target) is not None


def _falls_back(facts: ModuleFacts, reach: Reach) -> bool:
    """The function making ``reach``'s request answers its failure with the None its callers
    take already (none_fallbacks): that fix is the one, not a 502 per handler."""
    if facts.none_fallback is None or reach.origin is None or reach.library != "requests":
        return False
    return facts.none_fallback(*reach.origin) is not None


def _shared_helper_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    """BKD302 once in a helper of this module that several handlers call (shared_helpers)."""
    if facts.shared is None:
        return []
    out: list[Suggestion] = []
    for func in facts.source.functions():
        if facts.is_route(func):
            continue
        shared = facts.shared(facts.source, func)
        if shared is not None and not _falls_back(facts, shared.reach):
            out.extend(_in_helper(facts, func, shared))
    return out


def _in_helper(
    facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef, shared: SharedHelper
) -> list[Suggestion]:
    reach, src = shared.reach, facts.source
    at = reach.at
    stmt = enclosing_statement(at, facts.up) if at is not None else None
    if at is None or stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return []
    binding = _error_binding(facts, reach.library)
    if binding is None:
        return []
    error, modules, names = binding
    if reach.reads_keys:
        error = f"({error}, KeyError)"
    name = _helper_label(facts, func)
    callers = _callers_said(src.path, shared.callers)
    if shared.how == "go_on":
        handler, logging = log_and_go_on(facts, error, name, shared.why)
        modules = [*modules, *logging]
        if not isinstance(stmt, ast.Expr):
            handler.append("    return None")  # the callers read no result
        title = f"Log and go on when {name} fails, once for its callers"
        need = {
            "notify": "it is a notification, not what their requests are for",
            "saved": "each calls it after saving its work, in a page an error would have the "
            "user repeat",
            "both": "each calls it for a notification or after saving its work",
        }[shared.why]
        how = (
            f"{need}, and none reads its result: one `except {error}` here logs the failure "
            "and lets every caller go on to its own answer"
        )
    else:
        handler, more = _raise_502(facts, shared.framework, error)
        names = [*names, *more]
        title = f"Answer 502 from {name} when it fails, once for its callers"
        how = (
            f"one `except {error}` here answers 502 (bad gateway) for each of them, where a "
            "try around every call would be the same fix written again"
        )
    lead = "calls an upstream service" if reach.library in SDKS else "makes an upstream request"
    if reach.library == MAIL:
        lead = "sends mail"
    where = os.path.relpath(reach.path, os.path.dirname(src.path))
    request = f"`{reach.request}`" + (f" in {where}" if reach.path != src.path else "")
    chain = " -> ".join(f"`{step}`" for step in reach.chain)
    rationale = (
        f"{chain} {lead} ({request}) that nothing catches, and {callers}: its failure is a "
        f"500 in each; {how}."
    )
    through = _status_check(facts, at)
    edits = [
        *ensure_imports(src, names, modules),
        *(
            [wrap_in_try(src, stmt, handler, through)]
            if shared.how == "go_on"
            else _handle(src, at, facts.up, stmt, handler, through)
        ),
    ]
    return [
        Suggestion(
            "BKD302", "error-handling", src.path, src.span(at), title, rationale, tuple(edits)
        )
    ]


def _callers_said(path: str, callers: tuple[tuple[str, str], ...]) -> str:
    """``2 handlers call it: `heartbeat` in data/views.py, `home` in interest/views.py``,
    by module."""
    by_module: dict[str, list[str]] = {}
    for where, view in callers:
        rel = os.path.relpath(where, os.path.dirname(path))
        by_module.setdefault(rel, []).append(f"`{view}`")
    said = "; ".join(f"{', '.join(views)} in {rel}" for rel, views in by_module.items())
    return f"{len(callers)} handlers call it ({said})"


def _helper_label(facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    owner = facts.up.get(func)
    return f"{owner.name}.{func.name}" if isinstance(owner, ast.ClassDef) else func.name


def _raise_502(
    facts: ModuleFacts, framework: str, error: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """A helper's 502: Flask's ``abort`` works anywhere in a request, FastAPI's
    ``HTTPException`` is raised through the path operation."""
    if framework == "flask":
        bound = bound_as(facts.imports, "flask.abort")
        return [f"except {error}:", f"    {bound or 'abort'}(502)"], (
            [] if bound else [("flask", "abort")]
        )
    bound = bound_as(facts.imports, "fastapi.HTTPException")
    lines = [
        f"except {error} as exc:",
        f"    raise {bound or 'HTTPException'}("
        'status_code=502, detail="upstream service unavailable") from exc',
    ]
    return lines, [] if bound else [("fastapi", "HTTPException")]


# Built once: tested of every node.
_DEREFERENCES = ast.Attribute | ast.Subscript


def _read_property(facts: ModuleFacts, node: ast.Attribute) -> bool:
    """``recv.attr`` read, then dereferenced or bound: what a property's None would break."""
    parent = facts.up.get(node)
    if isinstance(parent, _DEREFERENCES):
        return parent.value is node and isinstance(node.ctx, ast.Load)
    return isinstance(parent, ast.Assign) and parent.value is node


def _library(facts: ModuleFacts, call: ast.Call) -> str | None:
    return upstream_library(facts.source, call)


def _http(
    facts: ModuleFacts, call: ast.Call, route: Route | None, library: str | None
) -> list[Suggestion]:
    if library is None or never_runs(facts.source, call, facts.callers):
        return []  # ``if requestType == "POST":`` where every caller leaves it at "GET"
    src = facts.source
    out: list[Suggestion] = []
    edit, why = _timeout_edit(facts, call, library)
    if edit is not None:
        # the timeout added raises what the try around the call does not take
        missed = read_timeout_missed(src, call, facts.up) if library == "requests" else None
        widened = widen_handler(src, *missed) if missed is not None else []
        catch = ""
        if missed is not None and missed[0].type is not None and widened:
            catch = (
                f" The `except {src.text_of(missed[0].type)}` around it does not take the "
                "`ReadTimeout` this raises (a `ConnectTimeout` is a ConnectionError, a read "
                "timeout is not): the fix adds `Timeout` to it."
            )
        out.append(
            Suggestion(
                "BKD301",
                "error-handling",
                src.path,
                src.span(call),
                f"Give the {written_request(src, call)} call a timeout",
                f"{why}: {_held(facts, call)}. `timeout={DEFAULT_TIMEOUT}` (seconds) bounds the "
                "wait; pick the value the upstream's latency allows." + catch,
                (edit, *widened),
            )
        )
    binding = _unhandled(facts, call, library) if route is not None else None
    if route is None or binding is None or _wrapped(facts, call, library):
        return out
    error, modules, names = binding
    unchecked = None
    if library in STATUS_HANDLED and _status_check(facts, call) is None:
        read = unchecked_response(facts.source, call, facts.up)
        block = innermost_try(call, facts.up)
        if read is not None and (block is None or read[0] in block.body):
            unchecked = read[1]
    if library == MAIL:
        lead = (
            f"A mail server that is down or refuses the message raises `OSError` (smtplib's "
            f"errors are OSErrors) out of `{route.func.name}` as a 500"
        )
        return [*out, *_mail_fix(facts, call, route, lead)]
    sdk = SDKS.get(library)
    if sdk is not None:
        failures = sdk.failures[0].upper() + sdk.failures[1:]
    elif _status_check(facts, call) is not None:
        failures = "A connection error, timeout or the bad status `raise_for_status()` raises"
        failures += " from the upstream"
    elif unchecked is not None:
        # ``resp.json()["items"]`` of an error page: the check goes in the fix's ``try``
        failures = (
            f"A connection error or timeout from the upstream, or a bad status (`{unchecked}"
            ".json()` is read unchecked: an error page is a JSONDecodeError, an error answer a "
            f"KeyError; the fix calls `{unchecked}.raise_for_status()` in the `try`)"
        )
    else:
        failures = "A connection error or timeout from the upstream"
    failures += _narrow(facts, call)
    suggestion = _answer_502(
        facts,
        call,
        route,
        error,
        modules,
        f"Answer 502 when {written_request(src, call)} fails",
        f"{failures} raises out of "
        f"`{route.func.name}` as a 500 that blames this service; catching "
        f"`{error}` answers 502 (bad gateway) and keeps the stack trace out of the "
        "response.",
        names=names,
        check=unchecked,
    )
    return [*out, *suggestion]


def _read_timeout(
    facts: ModuleFacts, call: ast.Call, route: Route, library: str | None
) -> list[Suggestion]:
    """``requests.get(url, timeout=5)`` in a ``try`` that takes its ``ConnectionError`` only:
    the read timeout the app asked for is a 500 (a call BKD301 gives a timeout has the
    handler widened by that fix)."""
    src = facts.source
    if library != "requests" or not any(k.arg == "timeout" for k in call.keywords):
        return []
    missed = read_timeout_missed(src, call, facts.up)
    if missed is None or missed[0].type is None or _app_handles(facts, library):
        return []
    widened = widen_handler(src, *missed)
    if not widened or none_timeout(src, call) is not None:
        return []
    return [
        Suggestion(
            "BKD302",
            "error-handling",
            src.path,
            src.span(call),
            f"Catch the read timeout of {written_request(src, call)}",
            "The call's timeout raises `ReadTimeout` when the upstream stops answering, and "
            "that is no ConnectionError (a `ConnectTimeout` is): "
            f"`except {src.text_of(missed[0].type)}` lets it out of `{route.func.name}` as a "
            "500. Adding `Timeout` to it answers a slow upstream as the handler answers a dead "
            "one.",
            tuple(widened),
        )
    ]


def _narrow(facts: ModuleFacts, call: ast.Call) -> str:
    """`` past the `except requests.Timeout` around it`` when a ``try`` holds the call: its
    handlers take only part of what the call raises."""
    block = innermost_try(call, facts.up)
    if block is None or not block.handlers:
        return ""
    written = sorted({dotted(t) for h in block.handlers for t in _types(h) if dotted(t)})
    if not written:
        return ""
    return ", past the " + " and ".join(f"`except {w}`" for w in written) + " around it,"


def _types(handler: ast.ExceptHandler) -> list[ast.expr]:
    if handler.type is None:
        return []
    return list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]


def _smtp(facts: ModuleFacts, call: ast.Call) -> list[Suggestion]:
    """``smtplib.SMTP(host, port)`` without a timeout: a mail server that does not answer holds
    the worker (a password-reset request) for as long as the OS keeps the socket."""
    name = dotted(call.func)
    head, _, rest = name.partition(".")
    target = facts.imports.get(head, "")
    qualified = f"{target}.{rest}" if rest else target
    if qualified not in SMTP_CLASSES or len(call.args) >= 4:
        return []
    if any(k.arg in ("timeout", None) for k in call.keywords):
        return []
    src = facts.source
    return [
        Suggestion(
            "BKD301",
            "error-handling",
            src.path,
            src.span(call),
            f"Give the {name} connection a timeout",
            f"`{name}` waits for the mail server with no timeout: one that does not answer holds "
            f"this worker until the OS gives up on the socket. `timeout={DEFAULT_TIMEOUT}` "
            "(seconds) bounds it; `smtplib` raises `TimeoutError` (an OSError) when it runs out.",
            (add_keyword(src, call, f"timeout={DEFAULT_TIMEOUT}"),),
        )
    ]


def _bounded_client(source: Source, call: ast.Call) -> bool:
    """A client whose requests time out by default (rauth's sessions)."""
    found = request_library(source, call)
    return found is not None and found[1] is not None and found[1].bounded


def _timeout_edit(facts: ModuleFacts, call: ast.Call, library: str) -> tuple[Edit | None, str]:
    """The edit that bounds the request's wait, and why it is needed (none: it is bounded)."""
    if library == "aiohttp" or library in SDKS:
        # aiohttp's sessions bound every request (five minutes) by default; each SDK its own
        return None, ""
    src = facts.source
    keywords = {k.arg for k in call.keywords}
    # ``timeout=None``, or ``kwargs.setdefault("timeout", None)`` before ``**kwargs``
    no_timeout = none_timeout(src, call)
    passed = _timeout_parameter_default_none(facts, call)
    if no_timeout is not None:
        return replace_node(src, no_timeout, str(DEFAULT_TIMEOUT)), ("`timeout=None` waits forever")
    if passed is not None:
        # ``def fetch_remote(url, timeout=None): requests.get(url, timeout=timeout)``: every
        # caller that passes nothing waits forever; the default is where the bound belongs.
        return replace_node(src, passed, str(DEFAULT_TIMEOUT)), (
            "the function's `timeout=None` default reaches the call, and waits forever"
        )
    if (
        library == "requests"
        and "timeout" not in keywords
        and None not in keywords
        and not _bounded_client(src, call)
    ):
        return add_keyword(src, call, f"timeout={DEFAULT_TIMEOUT}"), (
            "requests waits forever by default"
        )
    forwarded = passthrough_default(src, call) if library == "requests" else None
    if forwarded is not None and "timeout" not in keywords:
        return forwarded, (
            "this wrapper passes its callers' keywords on, and requests waits forever when "
            "they carry no timeout; a default set in them bounds every call while a caller's "
            "own timeout still wins"
        )
    return None, ""


_URLOPEN = "urllib.request.urlopen"


def _held(facts: ModuleFacts, call: ast.Call) -> str:
    """What waiting forever costs where the call runs: a call at a module's top level runs
    once, as it is imported (a settings module's key download was told as holding a worker,
    judged wrong on a real app)."""
    if facts.source.function_of(call) is None:
        return (
            "a slow or dead upstream stops the app from starting, since this runs when the "
            "module is imported"
        )
    return "a slow or dead upstream holds this worker until the server runs out of them"


def _urlopen(facts: ModuleFacts, call: ast.Call) -> list[Suggestion]:
    """``urllib.request.urlopen(url)`` without a timeout waits on the socket's default, which
    is none: a webhook target that does not answer holds the worker as long as requests' does."""
    name = dotted(call.func)
    if qualified_name(facts.imports, name) != _URLOPEN or len(call.args) >= 3:
        return []
    if any(k.arg in ("timeout", None) for k in call.keywords) or any(
        isinstance(a, ast.Starred) for a in call.args
    ):
        return []
    src = facts.source
    return [
        Suggestion(
            "BKD301",
            "error-handling",
            src.path,
            src.span(call),
            f"Give the {name} call a timeout",
            f"`{name}` waits forever by default: {_held(facts, call)}. "
            f"`timeout={DEFAULT_TIMEOUT}` (seconds) bounds the wait; urllib raises `TimeoutError` "
            "(an OSError) when it runs out.",
            (add_keyword(src, call, f"timeout={DEFAULT_TIMEOUT}"),),
        )
    ]


def _timeout_parameter_default_none(facts: ModuleFacts, call: ast.Call) -> ast.expr | None:
    """The ``None`` default of the enclosing function's parameter that the call's ``timeout=``
    passes on, when it has one."""
    value = next((k.value for k in call.keywords if k.arg == "timeout"), None)
    func = facts.source.function_of(call)
    if not isinstance(value, ast.Name) or not isinstance(
        func, ast.FunctionDef | ast.AsyncFunctionDef
    ):
        return None
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaulted = positional[len(positional) - len(args.defaults) :]
    pairs = list(zip(defaulted, args.defaults, strict=True))
    pairs += [
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None
    ]
    for arg, default in pairs:
        if arg.arg == value.id and isinstance(default, ast.Constant) and default.value is None:
            return default
    return None


def _unhandled(
    facts: ModuleFacts, call: ast.Call, library: str
) -> tuple[str, list[str], list[tuple[str, str]]] | None:
    """The error class to catch (and its imports) when nothing around the call or in the app
    handles the library's failures already."""
    if upstream_caught(call, facts.up, library) or _app_handles(facts, library):
        return None
    return _error_binding(facts, library)


def _wrapped(facts: ModuleFacts, call: ast.Call, library: str) -> bool:
    """The project's own client subclass already answers the library's failure."""
    return facts.upstream is not None and facts.upstream.wrapped(facts.source, call, library)


def _app_handles(facts: ModuleFacts, library: str) -> bool:
    return facts.handled_by_app(handled_names(library)) or facts.middleware_catches


def _through_helper(
    facts: ModuleFacts, call: ast.Call, route: Route, reach: Reach
) -> list[Suggestion]:
    """A route's call to a project function that ends in an uncaught upstream request."""
    library = reach.library
    binding = _unhandled(facts, call, library)
    if binding is None:
        return []
    error, modules, names = binding
    if _calls_view(facts, call):
        return []  # the view it calls answers its own upstream failure (its own BKD302)
    if reach.committed:
        # ``update_job_task_status`` commits the change, then notifies upstream: a failure
        # caught here would report a change that is already saved. The fix belongs at the
        # request itself (a timeout there is BKD301's).
        return []
    chain = " -> ".join(f"`{name}`" for name in reach.chain)
    if library == MAIL:
        where = os.path.relpath(reach.path, os.path.dirname(facts.source.path))
        lead = (
            f"{chain} sends mail (`{reach.request}` in {where}) and nothing on the way catches "
            f"its errors, so a mail server that is down or refuses the message raises "
            f"`OSError` (smtplib's errors are OSErrors) out of `{route.func.name}` as a 500"
        )
        return _mail_fix(facts, call, route, lead, reach)
    sdk = SDKS.get(library)
    does = f"calls {sdk.service}" if sdk is not None else "makes an upstream request"
    if sdk is not None:
        failures = sdk.failures
    elif reach.checks_status:
        failures = "a connection error, timeout or bad status (it calls `raise_for_status()`)"
    else:
        failures = "a connection error or timeout"
    if reach.reads_keys:
        # ``resp.json()["lat"]``: an answer without the key is a KeyError, no RequestException.
        error = f"({error}, KeyError)"
        failures += ", or an answer missing a key it reads (a KeyError),"
    where = os.path.relpath(reach.path, os.path.dirname(facts.source.path))
    return _answer_502(
        facts,
        call,
        route,
        error,
        modules,
        f"Answer 502 when {dotted(call.func)}() fails",
        f"{chain} {does} (`{reach.request}` in {where}) and nothing on the "
        f"way catches its errors, so {failures} raises out of "
        f"`{route.func.name}` as a 500 that blames this service; catching `{error}` here "
        "answers 502 (bad gateway) and keeps the stack trace out of the response.",
        names=names,
        reach=reach,
    )


_ROUTE_DECORATORS = ("route", "get", "post", "put", "patch", "delete", "api_route")


def _calls_view(facts: ModuleFacts, call: ast.Call) -> bool:
    """``project_autoupdate(project.id)`` from another view: the called function is a view
    itself, so the fix inside it (where the upstream call is) covers this caller too."""
    if facts.upstream is None:
        return False
    target = facts.upstream.callee(facts.source, call)
    if target is None:
        return False
    source, func = target
    if os.path.abspath(source.path) == os.path.abspath(facts.source.path):
        # a view class's helper (``self.item()``) is on the request path, but answers no
        # request of its own: its caller answers the 502
        return any(r.func is func and r.answers for r in facts.routes)
    return any(
        isinstance(deco, ast.Call)
        and isinstance(deco.func, ast.Attribute)
        and deco.func.attr in _ROUTE_DECORATORS
        for deco in func.decorator_list
    )


def _error_binding(
    facts: ModuleFacts, library: str
) -> tuple[str, list[str], list[tuple[str, str]]] | None:
    """How the handler names the library's base error (``requests.RequestException``), and the
    ``import`` (and ``from ... import``) it needs when the module only names the library
    through a function or a client (``from requests import get``, ``OAuth2Session``): none
    when the project does not declare the library (requests-oauthlib brings requests, but the
    app does not name it)."""
    if library == MAIL:
        return "OSError", [], []  # smtplib's errors and a refused socket alike: a builtin
    if library in SDKS:
        return sdk_catch(facts, library)
    bound = next((k for k, v in facts.imports.items() if v == library), None)
    modules: list[str] = []
    if bound is None:
        if not facts.can_import(library) and facts.declared is not None:
            return None
        bound = library
        modules = [library]
    return f"{bound}.{UPSTREAM_ERRORS[library]}", modules, []


def _mail_fix(
    facts: ModuleFacts, call: ast.Call, route: Route, lead: str, reach: Reach | None = None
) -> list[Suggestion]:
    """A send on the request path: the except mail_answers picks for this view, and a
    rationale that says what the failure costs (saved already, or not yet) and what it does."""
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    answer = mail_answer(facts, route, stmt)
    if answer is None:
        return []
    return _answer_502(
        facts,
        call,
        route,
        "OSError",
        answer.modules,
        f"Catch a mail server failure of {dotted(call.func)}()",
        f"{lead}{answer.when}; {answer.how}.",
        answer,
        reach=reach,
    )


def _answer_502(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    error: str,
    modules: list[str],
    title: str,
    rationale: str,
    mail: MailAnswer | None = None,
    names: list[tuple[str, str]] | None = None,
    check: str | None = None,
    reach: Reach | None = None,
) -> list[Suggestion]:
    """``names``: the ``from ... import``s the ``except`` needs (an SDK's errors); ``check``:
    the response whose ``raise_for_status()`` the ``try`` calls (its JSON is read unchecked);
    ``reach``: the project functions ``call`` goes through to the request."""
    src = facts.source
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    carry = carry_on(facts, route, stmt, call, reach)
    # A mail the view saved before is mail_answers' (it warns the user too); a notification
    # by mail is best effort like any other.
    if carry is not None and (mail is None or carry.why == "notify"):
        imports = (names or [], modules)
        return _go_on(facts, call, route, stmt, error, (title, rationale), carry, imports)
    if not route.answers:
        return []  # a helper method of a class-based view: a response is not its to return
    handler = _upstream_handler(facts, route, error)
    # One call for every import, so that new lines at the same place come out in order.
    needed = _route_imports(facts, route)
    if mail is not None and mail.lines is not None:
        handler, needed = mail.lines, mail.needed  # the view's own answer, not a 502
    through = _status_check(facts, call)
    html = html_handler(facts, route, stmt, error, through) if error != "OSError" else None
    if html is not None:
        handler, needed, how = html
        if how is not None:
            # A browser view: not a JSON 502 but the page's own answer, and said so.
            title = title.replace("Answer 502 when", "Tell the user when", 1)
            rationale = f"{rationale.partition('; catching')[0]}; {how}."
    edits = [
        *ensure_imports(src, [*(names or []), *needed], modules),
        *_handle(src, call, facts.up, stmt, handler, through, check),
    ]
    return [
        Suggestion(
            "BKD302", "error-handling", src.path, src.span(call), title, rationale, tuple(edits)
        )
    ]


def _go_on(
    facts: ModuleFacts,
    call: ast.Call,
    route: Route,
    stmt: ast.stmt,
    error: str,
    said: tuple[str, str],
    carry: Carry,
    imports: tuple[list[tuple[str, str]], list[str]],
) -> list[Suggestion]:
    """The log-and-continue of best_effort.py, in place of a 502 (``said``: the title and
    rationale of that 502; ``imports``: the names and modules the except needs)."""
    src = facts.source
    what = dotted(call.func)
    title, rationale = said
    handler, logging = log_and_go_on(facts, error, what, carry.why)
    names, modules = imports
    lead = rationale.partition("; catching")[0]
    if carry.why == "notify":
        how = (
            f"it is a notification, not what the request is for: catching `{error}` logs it "
            f"and lets `{route.func.name}` go on to its own answer, so its failure neither "
            "fails the action nor has the client retry one that is done"
        )
    else:
        assert carry.saved is not None
        write = src.text_of(carry.saved).strip()
        if len(write) > 60 or "\n" in write:
            write = f"{dotted(carry.saved.func)}(...)"
        how = (
            f"by then the view has saved its work (`{write}`): catching `{error}` logs it and "
            "goes on to the view's own page, as an error page would have the user repeat an "
            "action that succeeded"
        )
    edits = [
        *ensure_imports(src, names, [*modules, *logging]),
        # its own try, even inside one whose handlers miss it: an except added there would
        # pass over every statement of that try, not this call alone
        wrap_in_try(src, stmt, handler),
    ]
    title = f"Log and go on when {what}{'()' if '()' in title else ''} fails"
    return [
        Suggestion(
            "BKD302",
            "error-handling",
            src.path,
            src.span(call),
            title,
            f"{lead}; {how}.",
            tuple(edits),
        )
    ]


def _handle(
    src: Source,
    call: ast.Call,
    up: dict[ast.AST, ast.AST],
    stmt: ast.stmt,
    handler: list[str],
    through: ast.stmt | None = None,
    check: str | None = None,
) -> list[Edit]:
    """The call sits in a ``try`` whose handlers miss the network failure (``except
    httpx.HTTPStatusError``): one more ``except`` after them, as a reviewer would write it,
    rather than a second ``try`` inside the first. Elsewhere the statement is wrapped, with
    the ``raise_for_status()`` right after it (``through``) when there is one, or the one the
    fix adds (``check``: the response read unchecked)."""
    then = f"{check}.raise_for_status()" if check is not None else None
    block = innermost_try(call, up)
    if block is not None and block.handlers:
        end = block.handlers[-1].end_lineno or block.handlers[-1].lineno
        if end < len(src.lines):
            indent = src.indent_of(block.lineno - 1)
            edits = [insert_before_line(src, end, "\n".join(f"{indent}{h}" for h in handler))]
            if then is not None and stmt in block.body:
                at = stmt.end_lineno or stmt.lineno
                edits.insert(0, insert_before_line(src, at, src.indent_of(stmt.lineno - 1) + then))
            return edits
    return [wrap_in_try(src, stmt, handler, through, then)]


def _status_check(facts: ModuleFacts, call: ast.Call) -> ast.stmt | None:
    """``response = requests.get(...)`` then ``response.raise_for_status()`` as the next
    statement: the check whose HTTPError the 502 must cover too, so it goes in the ``try``."""
    stmt = enclosing_statement(call, facts.up)
    if not isinstance(stmt, ast.Assign | ast.AnnAssign) or stmt.value is not call:
        return None
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    names = {t.id for t in targets if isinstance(t, ast.Name)}
    parent = facts.up.get(stmt)
    for field in ("body", "orelse", "finalbody"):
        body = getattr(parent, field, None)
        if isinstance(body, list) and stmt in body:
            index = body.index(stmt)
            after = body[index + 1] if index + 1 < len(body) else None
            if (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Call)
                and isinstance(after.value.func, ast.Attribute)
                and after.value.func.attr == "raise_for_status"
                and isinstance(after.value.func.value, ast.Name)
                and after.value.func.value.id in names
            ):
                return after
    return None


def _flask_abort(facts: ModuleFacts, route: Route) -> bool:
    """The Flask module already answers errors with ``abort(code)``: the fix does too."""
    return route.framework == "flask" and facts.imports.get("abort") == "flask.abort"


def _upstream_handler(facts: ModuleFacts, route: Route, error: str) -> list[str]:
    if _flask_abort(facts, route):
        return [f"except {error}:", "    abort(502)"]
    if route.framework == "fastapi":
        return [
            f"except {error} as exc:",
            "    raise HTTPException("
            'status_code=502, detail="upstream service unavailable") from exc',
        ]
    if route.framework == "django" and drf_view(facts, route):
        # A DRF view answers with DRF's Response (its renderers, its status names).
        status = bound_as(facts.imports, "rest_framework.status")
        code = f"{status}.HTTP_502_BAD_GATEWAY" if status else "502"
        response = bound_as(facts.imports, "rest_framework.response.Response") or "Response"
        return [
            f"except {error}:",
            f'    return {response}({{"error": "upstream service unavailable"}}, status={code})',
        ]
    if route.framework == "django":
        return [
            f"except {error}:",
            '    return JsonResponse({"error": "upstream service unavailable"}, status=502)',
        ]
    answer, _ = json_error(facts, route.func, 502, [("error", '"upstream service unavailable"')])
    return [f"except {error}:", f"    {answer}"]


def _route_imports(facts: ModuleFacts, route: Route) -> list[tuple[str, str]]:
    if _flask_abort(facts, route):
        return []
    if route.framework == "django" and drf_view(facts, route):
        bound = bound_as(facts.imports, "rest_framework.response.Response")
        return [] if bound else [("rest_framework.response", "Response")]
    if route.framework == "flask":
        return json_error(facts, route.func, 502, [("error", '""')])[1]
    return [
        {
            "fastapi": ("fastapi", "HTTPException"),
            "django": ("django.http", "JsonResponse"),
        }[route.framework]
    ]


def _commit(facts: ModuleFacts, call: ast.Call) -> list[Suggestion]:
    name = dotted(call.func)
    method = name.rsplit(".", 1)[-1]
    if method not in ("commit", "flush") or "." not in name or call.args:
        return []
    receiver = name[: -len(method) - 1]
    sessionish = "session" in receiver.lower() or receiver in ("db", "conn", "connection")
    if not sessionish and receiver.rsplit(".", 1)[-1] not in _CONNECTIONS:
        return []
    if not sessionish or not _sqlalchemy_session(facts, receiver):
        return _dbapi_commit(facts, call, receiver)
    names = {"SQLAlchemyError", "IntegrityError", "DatabaseError", "OperationalError", "DBAPIError"}
    # An AsyncSession's rollback is a coroutine: not awaited, it never runs.
    rollback = f"{'await ' if _async_session(facts, call) else ''}{receiver}.rollback()"
    if caught(call, facts.up, names):
        # Caught here: the handler itself must roll back if the session is used again.
        return swallowed_commit(facts, call, receiver, rollback)
    if facts.handled_by_app(names) or facts.middleware_catches:
        return []
    if _inside_begin(call, facts.up) or _rolled_back_elsewhere(facts, receiver, call):
        return []
    if _closed_in_finally(receiver, call, facts.up) or _dropped_after(facts, receiver, call):
        return []
    stmt = enclosing_statement(call, facts.up)
    if stmt is None:
        return []
    src = facts.source
    error, needed = _sqlalchemy_error(facts)
    handler = [f"except {error}:", f"    {rollback}", "    raise"]
    edits = [*ensure_imports(src, needed), wrap_in_try(src, stmt, handler)]
    return [
        Suggestion(
            "BKD303",
            "error-handling",
            src.path,
            src.span(call),
            f"Roll back when {name}() fails",
            f"A {method} that fails (a constraint, a lost connection) leaves the session in a "
            "failed transaction: every later use raises until it is rolled back. Roll back, then "
            "re-raise so the error still reaches your error handling.",
            tuple(edits),
        )
    ]


def _dropped_after(facts: ModuleFacts, receiver: str, call: ast.Call) -> bool:
    """``session = Session()`` made here, and after the commit only closed: a failed commit
    leaves no one to meet the failed transaction ("every later use raises" was judged false
    three times on a real app). Not in a loop, whose next turn uses the session again."""
    func = facts.source.function_of(call)
    if func is None or "." in receiver:
        return False
    node: ast.AST | None = facts.up.get(call)
    while node is not None and node is not func:
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            return False
        node = facts.up.get(node)
    makers = _session_makers(facts.source)
    made_here = any(
        isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Call)
        and _new_session(n.value, makers)
        and any(isinstance(t, ast.Name) and t.id == receiver for t in n.targets)
        for n in facts.source.nodes_of(func)
    )
    if not made_here:
        return False  # ``get_session()`` may hand out a shared session
    end = (call.end_lineno or call.lineno, call.end_col_offset or 0)
    for n in facts.source.nodes_of(func):
        if not (isinstance(n, ast.Name) and n.id == receiver) or (n.lineno, n.col_offset) <= end:
            continue
        attribute = facts.up.get(n)
        if not (isinstance(attribute, ast.Attribute) and attribute.attr == "close"):
            return False
        if not isinstance(facts.up.get(attribute), ast.Call):
            return False
    return True


_SESSION_CLASSES = ("Session", "AsyncSession")
_SESSION_MAKERS = ("sessionmaker", "async_sessionmaker")


def _session_makers(source: Source) -> frozenset[str]:
    """Names the module binds to a ``sessionmaker(...)``: calling one makes a new session."""
    return frozenset(
        t.id
        for n in source.walk()
        if isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Call)
        and dotted(n.value.func).rsplit(".", 1)[-1] in _SESSION_MAKERS
        for t in n.targets
        if isinstance(t, ast.Name)
    )


def _new_session(call: ast.Call, makers: frozenset[str]) -> bool:
    """``Session(engine)``, ``SessionLocal()`` of a sessionmaker, ``sessionmaker(e)()``."""
    func = call.func
    if isinstance(func, ast.Call):
        return dotted(func.func).rsplit(".", 1)[-1] in _SESSION_MAKERS
    name = dotted(func)
    return name.rsplit(".", 1)[-1] in _SESSION_CLASSES or name in makers


# How a DB-API connection is named when it is no bare local (``g.db``, ``self.conn``).
_CONNECTIONS = ("db", "conn", "connection", "con", "cnx")
_DBAPI_ERRORS = {"Error", "DatabaseError", "OperationalError", "IntegrityError"}


def _dbapi_commit(facts: ModuleFacts, call: ast.Call, receiver: str) -> list[Suggestion]:
    """``try: db.commit() except sqlite3.OperationalError: log(...)`` on a DB-API connection,
    then the connection used again: its handler must roll back (swallowed_commits). An
    uncaught DB-API commit is left alone: the error reaches the app's handling as it is."""
    if call.args or dotted(call.func).rsplit(".", 1)[-1] != "commit":
        return []
    if not caught(call, facts.up, _DBAPI_ERRORS) or not dbapi_connection(facts, call, receiver):
        return []
    return swallowed_commit(facts, call, receiver, f"{receiver}.rollback()", dbapi=True)


_ASYNC_SESSIONS = ("AsyncSession", "async_sessionmaker", "async_scoped_session")


def _async_session(facts: ModuleFacts, call: ast.Call) -> bool:
    """The commit is awaited, or it runs in an ``async def`` of a module that works with
    SQLAlchemy's asyncio sessions (an annotation, a factory, ``AsyncSession(...)``)."""
    if isinstance(facts.up.get(call), ast.Await):
        return True
    if not isinstance(facts.source.function_of(call), ast.AsyncFunctionDef):
        return False
    return any(v.rsplit(".", 1)[-1] in _ASYNC_SESSIONS for v in facts.imports.values())


def _sqlalchemy_error(facts: ModuleFacts) -> tuple[str, list[tuple[str, str]]]:
    """How this module names SQLAlchemyError (``SQLAlchemyError``, ``sa_exc.SQLAlchemyError``)
    and the import it needs, if any: the app's own binding is used as it is."""
    by_target: dict[str, str] = {}
    for name, target in facts.imports.items():
        by_target.setdefault(target, name)
    if "sqlalchemy.exc.SQLAlchemyError" in by_target:
        return by_target["sqlalchemy.exc.SQLAlchemyError"], []
    local = by_target.get("sqlalchemy.exc")
    # ``from sqlalchemy import exc as sa_exc``; ``import sqlalchemy.exc`` binds the root.
    if local is not None:
        module = "sqlalchemy.exc" if local == "sqlalchemy" else local
        return f"{module}.SQLAlchemyError", []
    return "SQLAlchemyError", [("sqlalchemy.exc", "SQLAlchemyError")]


def _sqlalchemy_session(facts: ModuleFacts, receiver: str) -> bool:
    """A SQLAlchemy session (plain, SQLModel or the project's Flask-SQLAlchemy ``db.session``),
    so the fix's ``sqlalchemy.exc`` import is installed: each of these brings SQLAlchemy. A
    DB-API connection (sqlite3, psycopg) has no session to poison and no such import."""
    roots = {v.split(".")[0] for v in facts.imports.values()}
    if roots & {"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "alchemical"}:
        return True
    return facts.sessions.flask_db and receiver.split(".")[0] in facts.imports


def _rolled_back_elsewhere(facts: ModuleFacts, receiver: str, call: ast.Call) -> bool:
    """Someone else ends this session's failed transaction: its owner (a parameter, a ``with``),
    Flask-SQLAlchemy's teardown or an app-wide 500 handler that rolls back. Neither of the last
    two runs for a worker module that pushed its own app context: there the session lives on."""
    if owns_lifecycle(receiver, call, facts.up) is not None:
        return True
    if _request_repository(facts, receiver, call):
        return True
    schema = facts.schema
    models = None if schema is None else (lambda name: schema.table_for_model(name) is not None)
    if in_model_method(call, facts.up, models):
        return True  # a model's helper: the view that called it owns the session
    if pushes_app_context(facts.source):
        return False
    flask_db = receiver.endswith(".session") and facts.sessions.flask_db
    return (
        flask_db
        or facts.sessions.request_session
        or ("flask" in facts.frameworks and facts.sessions.rollback_handler)
    )


def _request_repository(facts: ModuleFacts, receiver: str, call: ast.Call) -> bool:
    """``self._session.commit()`` in a repository that every project construction hands a
    session a generator dependency opens per request (repository_sessions): its ``with`` closes
    the session after the response, and closing rolls the failed transaction back. The class
    must not bind the attribute itself (``self._session = SessionLocal()``)."""
    root, _, attr = receiver.partition(".")
    if root != "self" or not attr or "." in attr or facts.built_per_request is None:
        return False
    method = facts.source.function_of(call)
    cls = facts.up.get(method) if method is not None else None
    if not isinstance(cls, ast.ClassDef):
        return False
    for node in ast.walk(cls):
        if isinstance(node, ast.Assign | ast.AnnAssign) and not isinstance(node.value, ast.Name):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(dotted(t) == receiver for t in targets):
                return False
    return facts.built_per_request(cls.name)


def _closed_in_finally(receiver: str, call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """``try: ... conn.commit() finally: conn.close()``: closing a connection ends its failed
    transaction (a pooled one is reset as it goes back to the pool), so nothing reuses it. The
    commit may sit in the ``try``'s ``else`` too (a ``@contextmanager`` session scope: yield,
    except-rollback, else-commit, finally-close), provided nothing after the ``try`` uses it."""
    current: ast.AST | None = call
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        parent = up.get(current)
        if isinstance(parent, TRIES) and (current in parent.body or current in parent.orelse):
            closes = any(
                isinstance(node, ast.Call) and dotted(node.func) == f"{receiver}.close"
                for stmt in parent.finalbody
                for node in ast.walk(stmt)
            )
            if closes and not _used_after(receiver, parent, up):
                return True
        current = parent
    return False


def _used_after(receiver: str, stmt: ast.stmt, up: dict[ast.AST, ast.AST]) -> bool:
    """``receiver`` is named again after ``stmt`` in its function: the session outlives the
    ``try`` that closed it, so the close is not where its life ends."""
    func: ast.AST | None = stmt
    while func is not None and not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        func = up.get(func)
    if func is None:
        return False
    end = stmt.end_lineno or stmt.lineno
    return any(
        isinstance(node, ast.Name | ast.Attribute)
        and node.lineno > end
        and dotted(node) == receiver
        for node in ast.walk(func)
    )


def _inside_begin(call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    current: ast.AST | None = call
    while current is not None:
        if isinstance(current, ast.With | ast.AsyncWith):
            for item in current.items:
                if "begin" in dotted(item.context_expr):
                    return True
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return False
        current = up.get(current)
    return False


def _django_get(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "get"):
        return []
    base, lookups = _queryset_chain(call)
    if base is None:
        # ``project.examples.get(pk=...)``, ``self.queryset.get(id=pk)``: a related manager
        # or the view's queryset, which get_object_or_404 takes as they are.
        model, lookups = _view_manager_chain(facts, call)
        if model is None:
            return []
    else:
        # ``Child.objects`` or, through the app's models module, ``models.Child.objects``
        model = dotted(base.value)
        if not model or "(" in model or not model.split(".")[-1][:1].isupper():
            return []
    names = {"DoesNotExist", "ObjectDoesNotExist", f"{model}.DoesNotExist", "Http404"}
    # A model's own DoesNotExist is caught only by its class (or a broader one); a related
    # manager's model is not known here, so any DoesNotExist counts.
    named = model.split(".")[-1][:1].isupper()
    handled = catches_miss_of(call, facts.up, model) if named else caught(call, facts.up, names)
    if handled or facts.handled_by_app(names):
        return []
    if reported_lookup(facts, call):
        return []  # BKD321 adds its miss to the handler that names another model's
    if names & route.handled or lookup_of(call) in route_guards(facts, route).lookups:
        return []  # its class's dispatch catches it, or a decorator fetched the row first
    if keyed_by_django_form(facts, call):
        return []  # ``form.cleaned_data["barcode"]``: the form's clean found (or chose) the row
    owner = facts.up.get(route.func)
    if _authorized_by_decorator(route.func) or (
        isinstance(owner, ast.ClassDef) and _authorized_by_decorator(owner)
    ):
        return []  # ``@authorize(course_authorized)``: a checker that may have found the row
    # ``self.object`` is the view's row, already fetched: its ``reporting_period_id`` is data.
    known = _server_known_names(facts, call) | {"self.object"}
    if all(_constant_lookup(c, known) for c in lookups) or _checked_exists(facts, call, model):
        # ``Team.objects.get(name="Support")``: a row the server itself expects; its absence
        # is the server's fault, not a 404 for the client.
        return []
    if resolved_by_get_object(facts.source, facts.up, call):
        return []  # the view's get_object found (or 404'd on) this row first
    if base is not None and proved_by_permission(facts.upstream, facts.source, call, base.value):
        return []  # the view's DRF permission granted only because this row exists
    if _own_key_of_fetched(facts, call):
        return []  # ``Bundle.objects.get(pk=bundle.pk)``: re-reads a row the view has
    src = facts.source
    args = [src.text_of(a) for a in call.args] + [src.text_of(k) for k in call.keywords]
    # Through a chain the queryset itself is passed: get_object_or_404 takes one.
    first = model if base is not None and call.func.value is base else src.text_of(call.func.value)
    text = f"get_object_or_404({', '.join([first, *args])})"
    # A related manager (``project.examples``) is no model's name: its model's error.
    error = f"{model}.DoesNotExist" if model.split(".")[-1][:1].isupper() else "DoesNotExist"
    edits = [*ensure_imports(src, [("django.shortcuts", "get_object_or_404")])]
    fixer = "get_object_or_404"
    # The app's own helper for this very lookup, already imported: its idiom and its 404.
    own = own_404_call(facts.upstream, src, call, model) if first == model else None
    if own is not None:
        fixer, text = own
        edits = []
    edits.append(replace_node(src, call, text))
    return [
        Suggestion(
            "BKD304",
            "error-handling",
            src.path,
            src.span(call),
            f"Use {fixer} for {model}",
            f"`{src.text_of(call)}` raises {error} when nothing matches, "
            f"which Django turns into a 500; {fixer} answers 404.",
            tuple(edits),
        )
    ]


# Queryset methods a ``.get()`` may follow: each still matches the same rows or fewer.
_QUERYSET_STEPS = frozenset(
    {"select_related", "prefetch_related", "only", "defer", "filter", "exclude", "all"}
    | {"annotate", "using", "order_by", "select_for_update"}
)


def _queryset_chain(call: ast.Call) -> tuple[ast.Attribute | None, list[ast.Call]]:
    """``Vehicle.objects.select_related("type").get(vin=...)``: the ``Vehicle.objects`` it
    starts at, and the calls whose arguments pick the row (the ``get``, any ``filter``)."""
    assert isinstance(call.func, ast.Attribute)
    node = call.func.value
    lookups = [call]
    # A project's own manager or queryset method (``objects.everything().get(pk=...)``)
    # still hands ``.get`` a queryset when the lookups are keywords: a dict's ``.get`` takes
    # a key, not ``pk=``.
    custom_ok = bool(call.keywords) and not call.args and all(k.arg for k in call.keywords)
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in _QUERYSET_STEPS and not (
            custom_ok and _custom_step(node.func.attr)
        ):
            return None, []
        if node.func.attr in ("filter", "exclude"):
            lookups.append(node)
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return None, []
    # A lookup by nothing at all (``.get()`` after a bare chain) is by none of the client's.
    return node, [c for c in lookups if c.args or c.keywords] or [call]


def _custom_step(name: str) -> bool:
    """A method name a custom manager or queryset may define: not one of Django's own that
    gives no queryset (``values`` rows are dicts, ``get``/``first`` a row)."""
    return name.islower() and name not in _NOT_QUERYSETS and not name.startswith("_")


_NOT_QUERYSETS = frozenset(
    {"get", "first", "last", "latest", "earliest", "values", "values_list", "in_bulk"}
    | {"get_or_create", "update_or_create", "create", "count", "exists", "aggregate"}
)


def _view_manager_chain(facts: ModuleFacts, call: ast.Call) -> tuple[str | None, list[ast.Call]]:
    """The model (or the manager as written, capitalised for the title) and the lookups of a
    ``.get(**lookups)`` through ``self.queryset`` / ``self.get_queryset()`` of a view class,
    or a related manager of a row the view fetched (``project.examples`` where ``project =
    get_object_or_404(Project, ...)``). Keyword lookups only: ``.get(key)`` is a dict's."""
    assert isinstance(call.func, ast.Attribute)
    if call.args or not call.keywords or any(k.arg is None for k in call.keywords):
        return None, []
    node = call.func.value
    lookups = [call]
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get_queryset" and dotted(node.func.value) == "self":
            return _class_model(facts, call) or "Queryset", lookups
        if node.func.attr not in _QUERYSET_STEPS:
            return None, []
        if node.func.attr in ("filter", "exclude"):
            lookups.append(node)
        node = node.func.value
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
        return None, []
    owner = node.value.id
    if owner == "self":
        if node.attr != "queryset":
            return None, []
        return _class_model(facts, call) or "Queryset", lookups
    if not fetched_row(facts, call, owner):
        return None, []
    return f"{owner}.{node.attr}", lookups


def _class_model(facts: ModuleFacts, call: ast.Call) -> str | None:
    """``queryset = Settings.objects.all()`` / ``model = Settings`` of the call's class."""
    func = facts.source.function_of(call)
    cls = facts.up.get(func) if func is not None else None
    if not isinstance(cls, ast.ClassDef):
        return None
    for stmt in cls.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name) or target.id not in ("queryset", "model"):
            continue
        value: ast.expr = stmt.value
        while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            value = value.func.value
        if isinstance(value, ast.Attribute) and value.attr == "objects":
            value = value.value
        name = dotted(value)
        if name and "(" not in name and name.split(".")[-1][:1].isupper():
            return name
    return None


# Decorators with arguments that only check the method, cache, CSRF or a permission: none of
# them looks up the view's row. Any other decorator called with arguments (``@authorize(
# course_authorized)``, a library's object checker) may have fetched the row, and judged on a
# real app it had, for every view.
_ROUTINE_DECORATORS = frozenset(
    {
        "require_http_methods",
        "cache_page",
        "cache_control",
        "vary_on_headers",
        "permission_required",
        "user_passes_test",
        "login_required",
        "method_decorator",
        "api_view",
        "action",
        "throttle_classes",
        "permission_classes",
        "renderer_classes",
        "parser_classes",
        "authentication_classes",
        "atomic",
        "condition",
        "etag",
        "last_modified",
        "sensitive_post_parameters",
        "decorator_from_middleware",
        "xframe_options_exempt",
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
    }
)


def _authorized_by_decorator(func: ast.AST) -> bool:
    """A decorator called with arguments that is not a routine one, also inside a class's
    ``@method_decorator(authorize(...), "dispatch")``."""
    for decorator in getattr(func, "decorator_list", []):
        if not isinstance(decorator, ast.Call):
            continue
        name = dotted(decorator.func).split(".")[-1]
        if name == "method_decorator" and decorator.args:
            inner = decorator.args[0]
            if isinstance(inner, ast.Call) and (
                dotted(inner.func).split(".")[-1] not in _ROUTINE_DECORATORS
            ):
                return True
        elif name not in _ROUTINE_DECORATORS and not _checks_params_only(name):
            return True
    return False


def _checks_params_only(name: str) -> bool:
    """``@require_post_params(params=[...])``, ``@required_fields(...)``: by its name a check
    that the request carries some keys (a 400 when not), which fetches no row."""
    lowered = name.lower()
    return lowered.startswith(("require_post", "require_get")) or any(
        word in lowered for word in ("param", "field")
    )


def _constant_lookup(call: ast.Call, users: frozenset[str] = frozenset()) -> bool:
    """Every value the lookup is by is a constant (``"Support"``, ``Vote.NOT_ALLOWED``), the
    app's configuration (``settings.DEF_BASELINE["executable"]``), the session's value
    (``request.session["cart_id"]``), the signed-in user
    (``request.user``, ``request.user.id``, a local bound to it) or read from another row
    (``proj.default_branch`` of a queried project): nothing the client sends. A miss there is
    the server's misconfiguration or broken data, which a 404 would hide."""
    values = [*call.args, *(k.value for k in call.keywords)]
    fixed = users | {"request.user", "settings"}
    return bool(values) and all(_fixed_value(v, fixed) for v in values)


def _server_known_names(facts: ModuleFacts, call: ast.Call) -> frozenset[str]:
    """Locals of the call's function bound to ``request.user`` (``username = request.user``),
    to a session's value (``email = request.session.get("verified_email")``) or to rows the
    server read itself (``exe = Executable.objects.get(...)``, ``for proj in
    Project.objects.filter(...)``): their attributes are data, not the client's input."""
    func = facts.source.function_of(call)
    if func is None:
        return frozenset()
    out: set[str] = set()
    # In source order, so a row read by a name bound before it counts (``exe`` then
    # ``exe.project.default_branch``).
    for node in sorted(
        (n for n in facts.source.nodes_of(func) if isinstance(n, ast.Assign | ast.For)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        if isinstance(node, ast.Assign) and (
            request_attr(node.value) == "request.user"
            or session_read(node.value)
            or _queried_by_fixed(node.value, out)
        ):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.For) and _queried_by_fixed(node.iter, out):
            out.update(t.id for t in ast.walk(node.target) if isinstance(t, ast.Name))
    return frozenset(out)


def _own_key_of_fetched(facts: ModuleFacts, call: ast.Call) -> bool:
    """Every lookup value is the primary key of a row the view fetched already
    (``get_object_or_404``, ``.get()``): the row is there, re-reading it cannot miss."""
    values = [*call.args, *(k.value for k in call.keywords)]
    return bool(values) and all(
        isinstance(v, ast.Attribute)
        and v.attr in ("pk", "id")
        and isinstance(v.value, ast.Name)
        and fetched_row(facts, call, v.value.id)
        for v in values
    )


def _queried_by_fixed(node: ast.expr, known: set[str]) -> bool:
    """``Model.objects.get(name=settings.DEF_EXECUTABLE)`` / ``.filter(track=True)``: rows the
    server picks itself. A row looked up by the client's id is not one."""
    if not (isinstance(node, ast.Call) and ".objects." in f"{dotted(node.func)}."):
        return False
    values = [*node.args, *(k.value for k in node.keywords)]
    fixed = frozenset(known | {"request.user", "settings"})
    return all(_fixed_value(v, fixed) for v in values)


def _checked_exists(facts: ModuleFacts, call: ast.Call, model: str) -> bool:
    """``Model.objects.filter(...).exists()`` earlier in the same function: the view has
    asked whether the row is there before it gets it."""
    func = facts.source.function_of(call)
    if func is None:
        return False
    for node in facts.source.nodes_of(func):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "exists"
            and node.lineno <= call.lineno
            and dotted(node.func.value).startswith(f"{model}.objects.")
        ):
            return True
    return False


def _fixed_value(node: ast.expr, users: frozenset[str]) -> bool:
    if isinstance(node, ast.Constant) or session_read(node):
        return True  # ``request.session["cart_id"]``: what the server stored itself
    name = request_attr(node)  # ``self.request.user`` is ``request.user``
    if name.startswith("request.") and not name.startswith("request.user"):
        return False  # ``request.GET``: the client's, however it is spelt
    if name.startswith(("serializer.data", "serializer.instance")):
        # A DRF serializer's output: its related fields were checked to exist when it
        # validated, and the row has been saved.
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return _fixed_value(node.value, users)  # ``settings.DEF_BASELINE["executable"]``
    if name.split(".")[-1].isupper():
        return True
    return any(name == user or name.startswith(f"{user}.") for user in users)


def _form_field(node: ast.expr) -> str | None:
    """``request.POST["payload"]`` -> "payload"."""
    if (
        isinstance(node, ast.Subscript)
        and request_attr(node.value) in ("request.POST", "request.GET")
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value
    return None


def _raw_body(func: ast.AST, node: ast.expr) -> str | None:
    """``await request.body()`` as it is, or the name one binding in ``func`` gives it (and
    no other): the body it reads (``request.body``), None for anything else."""
    if isinstance(node, ast.Name):
        values = [
            n.value
            for n in ast.walk(func)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
        ]
        if len(values) != 1:
            return None
        node = values[0]
    if isinstance(node, ast.Await):
        node = node.value
        if isinstance(node, ast.Call) and dotted(node.func) == "request.body" and not node.args:
            return "request.body"
        return None
    if isinstance(node, ast.Call) and dotted(node.func) == "request.get_data":
        return "request.get_data"
    return request_attr(node) if isinstance(node, ast.Attribute) else None


def _json_body(facts: ModuleFacts, call: ast.Call, route: Route) -> list[Suggestion]:
    if dotted(call.func) not in ("json.loads", "json.load") or not call.args:
        return []
    arg = request_attr(call.args[0])
    if dotted(call.func) == "json.load":
        # ``json.load(request)``: a Django request is a file of its body (round 24)
        if route.framework != "django" or arg not in ("request", "self.request"):
            return []
        arg = "request.body"
    # ``json.loads(request.POST["payload"])`` (a webhook's form field): a missing field
    # raises too, as a KeyError, and the one handler answers both
    field = _form_field(call.args[0]) if route.framework == "django" else None
    if field is not None:
        arg = "request.body"
    if isinstance(call.args[0], ast.Name | ast.Await):
        # ``raw = await request.body()`` (FastAPI, a webhook that checks a signature over the
        # bytes first), ``raw = request.get_data()``: the body, through its one binding
        arg = _raw_body(route.func, call.args[0]) or arg
    if arg not in ("request.body", "request.data") and not arg.startswith("request.get_data"):
        return []
    names = {"JSONDecodeError", "ValueError", "json.JSONDecodeError"}
    if field is not None:
        names |= {"KeyError", "MultiValueDictKeyError"}
    # ``json.loads(request.body)["bill_id"]``: a body without the key raises KeyError (not a
    # ValueError), the same client mistake; the one handler answers both
    key = _body_key(facts, call) if route.framework == "django" else None
    if facts.handled_by_app(names) or facts.middleware_catches or names & route.handled:
        return []
    if caught(call, facts.up, names):
        return _key_beside_decode(facts, call, key, names) if key else []
    stmt = enclosing_statement(call, facts.up)
    if stmt is None:
        return []
    src = facts.source
    if route.framework == "fastapi":
        # bytes that are not UTF-8 raise UnicodeDecodeError before any JSON is read
        exception = bound_as(facts.imports, "fastapi.HTTPException") or "HTTPException"
        status = bound_as(facts.imports, "fastapi.status") or bound_as(
            facts.imports, "starlette.status"
        )
        code = f"{status}.HTTP_400_BAD_REQUEST" if status else "400"
        handler = [
            "except (json.JSONDecodeError, UnicodeDecodeError) as exc:",
            f'    raise {exception}(status_code={code}, detail="invalid JSON") from exc',
        ]
        needs = [] if exception != "HTTPException" else [("fastapi", "HTTPException")]
    elif route.framework == "django":
        answer, needed = django_bad_request(
            route, f"{field} must be JSON" if field else "invalid JSON"
        )
        caught_here = "(KeyError, json.JSONDecodeError)" if field or key else "json.JSONDecodeError"
        handler = [f"except {caught_here}:", f"    {answer}"]
        needs = [needed]
    elif route.answers:
        answer, needs = json_error(facts, route.func, 400, [("error", '"invalid JSON"')])
        handler = ["except json.JSONDecodeError:", f"    {answer}"]
    else:  # a view class's helper method: its caller takes what it returns
        handler = ["except json.JSONDecodeError:", "    abort(400)"]
        needs = flask_abort(facts) or []
    edits = ensure_imports(src, needs)  # json itself is imported: json.loads is in use
    edits.append(wrap_in_try(src, stmt, handler))
    return [
        Suggestion(
            "BKD305",
            "error-handling",
            src.path,
            src.span(call),
            "Answer 400 on a malformed JSON body",
            f"`{src.text_of(call)}` raises "
            + (f"KeyError when `{field}` is missing and " if field else "")
            + (f"KeyError when the body has no `{key}` and " if key else "")
            + "JSONDecodeError on a body that is not JSON, a 500 for what is the client's "
            "mistake; answer 400.",
            tuple(edits),
        )
    ]


def _body_key(facts: ModuleFacts, call: ast.Call) -> str | None:
    """``json.loads(request.body)["bill_id"]``: the key read straight off the decoded body,
    unless a KeyError handler already takes it."""
    read = facts.up.get(call)
    if not (
        isinstance(read, ast.Subscript)
        and read.value is call
        and isinstance(read.ctx, ast.Load)
        and isinstance(read.slice, ast.Constant)
        and isinstance(read.slice.value, str)
    ):
        return None
    if caught(read, facts.up, {"KeyError", "LookupError"}):
        return None
    return read.slice.value


def _key_beside_decode(
    facts: ModuleFacts, call: ast.Call, key: str, names: set[str]
) -> list[Suggestion]:
    """The view catches the decode error around ``json.loads(request.body)["bill_id"]`` but
    not the KeyError (which is no ValueError): KeyError joins that handler."""
    found = innermost_try(call, facts.up)
    handler = None
    while found is not None and handler is None:
        handler = next(
            (
                h
                for h in found.handlers
                if h.type is not None and handler_names(h) & {n.split(".")[-1] for n in names}
            ),
            None,
        )
        if handler is None:
            found = innermost_try(found, facts.up)
    if handler is None or handler.type is None:
        return []  # a broad handler took it: nothing to add
    src = facts.source
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    text = "(" + ", ".join([*(src.text_of(t) for t in types), "KeyError"]) + ")"
    return [
        Suggestion(
            "BKD305",
            "error-handling",
            src.path,
            src.span(call),
            f"Answer 400 when the JSON body has no `{key}`",
            f"`{src.text_of(call)}[{key!r}]` raises KeyError when the body has no `{key}`, "
            f"and `except {src.text_of(handler.type)}` does not catch it (KeyError is no "
            "ValueError): a 500 for the client's mistake. The handler takes it too.",
            (replace_node(src, handler.type, text),),
        )
    ]
