"""BKD313: an OAuth callback's token exchange whose refusal is a 500.

The provider sends the user back with ``?error=access_denied`` when they press "Cancel", and a
stale or replayed callback carries a state the session no longer holds. authlib's
``oauth.<provider>.authorize_access_token()`` (Flask, Starlette, Django clients) raises
``OAuthError`` for both; requests-oauthlib's ``OAuth2Session.fetch_token()`` raises oauthlib's
``OAuth2Error`` (``MismatchingStateError``, ``InvalidGrantError``). Nothing catches it in the
view, so the user who declined gets the server's 500 page. It is the client's doing, not an
upstream outage: BKD302 (502 for a network failure) is a different answer, this one is the
app's own "sign-in failed" (flash and redirect in a browser view, 400 elsewhere).

Seen on gitmostwanted (round 24): ``resp = oauth.github.authorize_access_token()`` then
``if resp is None ...: return redirect(next_url)``; the view already has the path for a
token it did not get, so the fix sets ``resp = None``.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .drf import drf_view
from .frameworks import ModuleFacts, Route, caught, django_bad_request, enclosing_statement
from .html_answers import answers_html, bound_name, none_path, redirect_target, serves_get
from .pyedits import ensure_imports, insert_before_line, wrap_in_try
from .pysource import dotted
from .try_blocks import innermost_try
from .upstream_clients import client_of

# The library's base error of a failed callback, and the names whose handler covers it
# (``MismatchingStateError`` alone leaves ``access_denied`` to raise: not among them).
_AUTHLIB = ("OAuthError", frozenset({"OAuthError", "AuthlibBaseError"}))
_OAUTHLIB = ("OAuth2Error", frozenset({"OAuth2Error"}))
# Where authlib's client error is importable for each framework's integration.
_AUTHLIB_MODULES = {
    "flask": "authlib.integrations.flask_client",
    "fastapi": "authlib.integrations.starlette_client",
    "django": "authlib.integrations.django_client",
}
_OAUTHLIB_MODULE = "oauthlib.oauth2"
_MESSAGE = "Sign-in failed or was cancelled."
# A module's own helper that answers 400 (``return bad_request(msg)``), used as the app does.
_ERROR_HELPERS = ("bad_request",)


def oauth_callback_suggestions(
    facts: ModuleFacts, call: ast.Call, route: Route
) -> list[Suggestion]:
    found = _library(facts, call)
    if found is None:
        return []
    library, (base, names) = found
    handled = set(names)
    if caught(call, facts.up, handled) or handled & route.handled:
        return []
    if facts.handled_by_app(handled) or facts.middleware_catches:
        return []
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or not route.answers:
        return []
    error, imports = _error_binding(facts, route, library, base)
    answer = _answer(facts, route, stmt, error)
    if answer is None:
        return []
    lines, needed, how = answer
    src = facts.source
    block = innermost_try(call, facts.up)
    if block is not None and block.handlers and _after_handlers(block) < len(src.lines):
        # ``except MismatchingStateError``: one more handler after the app's own.
        indent = src.indent_of(block.lineno - 1)
        edit = insert_before_line(
            src, _after_handlers(block), "\n".join(f"{indent}{h}" for h in lines)
        )
    else:
        edit = wrap_in_try(src, stmt, lines)
    edits = (*ensure_imports(src, [*imports, *needed]), edit)
    name = dotted(call.func)
    return [
        Suggestion(
            "BKD313",
            "error-handling",
            src.path,
            src.span(call),
            f"Handle a refused sign-in at {name}()",
            f"`{name}()` raises `{base}` when the user denies access at the provider or the "
            f"callback's state does not match the session (a stale or replayed link); nothing "
            f"in `{route.func.name}` or the app catches it, so the user gets a 500. {how}.",
            edits,
        )
    ]


def _library(facts: ModuleFacts, call: ast.Call) -> tuple[str, tuple[str, frozenset[str]]] | None:
    """``authlib`` for ``<client>.authorize_access_token()`` in a project that has authlib (the
    name is authlib's own; its clients are built in another module as often as not);
    ``oauthlib`` for ``fetch_token()`` on a requests-oauthlib session the code builds."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "authorize_access_token" and facts.can_import("authlib"):
        return "authlib", _AUTHLIB
    if func.attr != "fetch_token":
        return None
    client = client_of(facts.source, func.value)
    if client is None:
        return None
    head = dotted(client.built.func).partition(".")[0]
    if facts.imports.get(head, "").split(".")[0] != "requests_oauthlib":
        return None
    return "oauthlib", _OAUTHLIB


def _error_binding(
    facts: ModuleFacts, route: Route, library: str, base: str
) -> tuple[str, list[tuple[str, str]]]:
    """The app's own name for the error when the module imports it; else the import from the
    integration the module (or its framework) uses."""
    for local, target in facts.imports.items():
        if target.split(".")[0] == library and target.rsplit(".", 1)[-1] == base:
            return local, []
    if library == "oauthlib":
        return base, [(_OAUTHLIB_MODULE, base)]
    used = {
        target.rsplit(".", 1)[0]
        for target in facts.imports.values()
        if target.startswith("authlib.integrations.") and target.count(".") >= 3
    }
    module = next(iter(sorted(used)), None) or _AUTHLIB_MODULES[route.framework]
    return base, [(module, base)]


Answer = tuple[list[str], list[tuple[str, str]], str]


def _answer(facts: ModuleFacts, route: Route, stmt: ast.stmt, error: str) -> Answer | None:
    """The ``except`` lines in the view's own idiom, their imports, and what they do."""
    message = f'"{_MESSAGE}"'
    helper = _error_helper(facts)
    if route.framework == "flask":
        missing = none_path(stmt, None, facts)
        if missing is not None:
            return (
                [f"except {error}:", f"    {missing} = None"],
                [],
                f"Catching it and setting `{missing}` to None takes the path the view already "
                "has for a token it did not get",
            )
        if answers_html(facts, route):
            target = _fixed_target(facts, route) or redirect_target(facts, route, stmt)
            if target is not None or not serves_get(route):
                needed: list[tuple[str, str]] = []
                if target is None:
                    target = _flask_name(facts, "request", needed) + ".url"
                flash = f'{_flask_name(facts, "flash", needed)}({message}, "warning")'
                back = f"return {_flask_name(facts, 'redirect', needed)}({target})"
                return (
                    [f"except {error}:", f"    {flash}", f"    {back}"],
                    needed,
                    "Catching it flashes a message and sends the user back to the page the "
                    "view redirects to",
                )
        if helper is not None:
            return _helper_answer(error, helper, message)
        if facts.imports.get("abort") == "flask.abort" or answers_html(facts, route):
            needed = []
            abort = _flask_name(facts, "abort", needed)
            return [f"except {error}:", f"    {abort}(400)"], needed, "Catching it answers 400"
        needed = []
        jsonify = _flask_name(facts, "jsonify", needed)
        return (
            [f"except {error}:", f"    return {jsonify}(error={message}), 400"],
            needed,
            "Catching it answers 400",
        )
    if helper is not None:
        return _helper_answer(error, helper, message)
    if route.framework == "fastapi":
        return (
            [
                f"except {error} as exc:",
                f"    raise HTTPException(status_code=400, detail={message}) from exc",
            ],
            [("fastapi", "HTTPException")],
            "Catching it answers 400",
        )
    if route.framework == "django":
        if drf_view(facts, route):
            return (
                [
                    f"except {error}:",
                    f'    return Response({{"error": {message}}}, status=400)',
                ],
                [("rest_framework.response", "Response")],
                "Catching it answers 400",
            )
        line, bad_request = django_bad_request(route, _MESSAGE)
        return [f"except {error}:", f"    {line}"], [bad_request], "Catching it answers 400"
    return None


def _flask_name(facts: ModuleFacts, name: str, needed: list[tuple[str, str]]) -> str:
    """How the module names ``flask.<name>``: its own binding, ``flask.<name>`` in a module
    that writes ``import flask`` (anitya), else a new ``from flask import <name>``."""
    if any(v == f"flask.{name}" for v in facts.imports.values()):
        return bound_name(facts, name)
    module = next((k for k, v in facts.imports.items() if v == "flask"), None)
    if module is not None:
        return f"{module}.{name}"
    needed.append(("flask", name))
    return name


def _fixed_target(facts: ModuleFacts, route: Route) -> str | None:
    """A ``return redirect("/")`` / ``redirect(url_for("index"))`` of the view: a page that
    is there whoever signs in. A target read from the session (``next_url``) may be the page
    that sent the user to sign in, and back to the provider."""
    for node in ast.walk(route.func):
        if not (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Call)
            and dotted(node.value.func).rsplit(".", 1)[-1] == "redirect"
            and len(node.value.args) == 1
        ):
            continue
        target = node.value.args[0]
        fixed = isinstance(target, ast.Constant) and isinstance(target.value, str)
        if isinstance(target, ast.Call) and dotted(target.func).rsplit(".", 1)[-1] == "url_for":
            fixed = all(isinstance(a, ast.Constant) for a in target.args) and all(
                isinstance(k.value, ast.Constant) for k in target.keywords
            )
        if fixed:
            return facts.source.text_of(target)
    return None


def _helper_answer(error: str, helper: str, message: str) -> Answer:
    return (
        [f"except {error}:", f"    return {helper}({message})"],
        [],
        f"Catching it answers with the module's own `{helper}()`",
    )


def _error_helper(facts: ModuleFacts) -> str | None:
    """A 400 helper the module already returns (``return bad_request(...)``)."""
    for node in facts.source.of(ast.Return):
        if (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id in _ERROR_HELPERS
        ):
            return node.value.func.id
    return None


def _after_handlers(block: ast.Try) -> int:
    last = block.handlers[-1]
    return last.end_lineno or last.lineno
