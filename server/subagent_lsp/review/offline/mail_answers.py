"""How a view answers a mail server that fails (BKD302's ``except OSError``), for Flask and
Django alike: one policy, decided from the view's own code.

- ``sent = send(...)`` followed by ``if sent == 1: ... else: ...`` (or ``if not sent``): the
  view already has a path for a send that did not go, so the failure takes it (``sent =
  None``), after logging it.
- Saved before the send (``X.objects.create(...)``, ``form.save()``, ``db.session.commit()``):
  the change is made, so the mail failure must not turn the answer into an error. The except
  logs it, tells a browser user (``flash``, ``messages.warning`` when the project installs
  django.contrib.messages) and carries on to the view's own answer; a JSON view answers its
  success as well.
- Sent before anything is saved, in a browser view: flash or ``messages.error`` and back to a
  page the view redirects to (Flask: the form itself, ``request.url``), so nothing after the
  send runs (a password is not reset by a mail that never left).
- Else (a JSON view that has saved nothing): the 502 of any upstream failure.

Judged on junction (cmp5, cause 7): a JSON 502 from a form POST whose answer is a redirect,
after the comment was created, showed raw JSON for an action that had succeeded.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .django_settings import ATOMIC_REQUESTS, Setting
from .frameworks import ModuleFacts, Route
from .html_answers import (
    assigned_name,
    django_browser,
    module_logger,
    next_sibling,
    redirect_target,
)
from .pysource import dotted
from .saving_calls import saved_before, saving_calls

_MESSAGES_APP = Setting(r"""["']django\.contrib\.messages["']""")
_DJANGO_REDIRECTS = (
    "django.shortcuts.redirect",
    "django.http.HttpResponseRedirect",
    "django.http.response.HttpResponseRedirect",
)
_WARNING = "We could not send the email. Please try again later."
_LOG = '"could not send mail"'


@dataclass
class MailAnswer:
    """The except's lines (None: the generic 502), its imports, what it does and what the
    failure costs as the code stands (both said in the rationale)."""

    lines: list[str] | None
    needed: list[tuple[str, str]] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    how: str = "catching it answers 502 (bad gateway) instead"
    when: str = ""


def mail_answer(facts: ModuleFacts, route: Route, stmt: ast.stmt) -> MailAnswer | None:
    """How the view answers a failed send in ``stmt`` (None: no fix fits here)."""
    saved = _saved_before(facts, route.func, stmt)
    when = _when(facts, route, stmt, saved)
    flask = route.framework == "flask" and _flashes(facts)
    browser = flask or django_browser(facts, route)
    log, needed, modules = _log(facts, route)
    failure = _failure_path(stmt, facts)
    if failure is not None:
        how = (
            f"catching it logs it and sets `{failure}` to None, the path the view already has "
            "for a send that did not go"
        )
        return MailAnswer(_except(log, f"{failure} = None"), needed, modules, how, when)
    if not isinstance(stmt, ast.Expr):
        # ``return send(...)`` / ``msg = send(...)``: carrying on would lose the answer, and
        # a 502 for a change that is saved (or from a page a browser shows) is no better
        return None if flask or saved is not None else MailAnswer(None, when=when)
    tell = _tell(facts, route, "warning" if saved is not None else "error") if browser else None
    lines = [log] if tell is None else [log, tell[0]]
    needed += tell[1] if tell is not None else []
    if saved is not None:
        how = "catching it logs the failure" + (", warns the user" if tell else "")
        how += " and goes on to the view's own answer, since the change is saved"
        return MailAnswer(_except(*lines), needed, modules, how, when)
    if not browser:
        return MailAnswer(None, when=when)
    back = _back(facts, route, stmt)
    if back is None:
        return None if flask else MailAnswer(None, when=when)
    target, more = back
    how = "catching it logs it, tells the user and sends them back to the page"
    return MailAnswer(_except(*lines, f"return {target}"), needed + more, modules, how, when)


def _except(*lines: str) -> list[str]:
    return [
        "except OSError:  # the mail server is down or refused it (SMTPException is an OSError)",
        *(f"    {line}" for line in lines),
    ]


def _flashes(facts: ModuleFacts) -> bool:
    """A Flask module that tells the user through ``flash()`` (an HTML app)."""
    return facts.imports.get("flash") == "flask.flash"


def _bound(facts: ModuleFacts, target: str, name: str) -> str:
    return next((k for k, v in facts.imports.items() if v == target), name)


def _log(facts: ModuleFacts, route: Route) -> tuple[str, list[tuple[str, str]], list[str]]:
    """The module's own logger (Flask: the app's); else ``logging.getLogger(__name__)``."""
    if route.framework == "flask":
        app = _bound(facts, "flask.current_app", "current_app")
        return f"{app}.logger.exception({_LOG})", [("flask", "current_app")], []
    logger = module_logger(facts)
    if logger is not None:
        return f"{logger}.exception({_LOG})", [], []
    bound = _bound(facts, "logging", "logging")
    return f"{bound}.getLogger(__name__).exception({_LOG})", [], ["logging"]


def _tell(facts: ModuleFacts, route: Route, level: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The line that tells a browser user, and its import; None when the app cannot (a Django
    project without django.contrib.messages: only the log)."""
    if route.framework == "flask":
        flash = _bound(facts, "flask.flash", "flash")
        return f'{flash}("{_WARNING}", "{level}")', [("flask", "flash")]
    bound = _bound(facts, "django.contrib.messages", "")
    if not bound and not _MESSAGES_APP.set_for(facts.source.path):
        return None
    request = _request_name(route)
    if request is None:
        return None
    return f'{bound or "messages"}.{level}({request}, "{_WARNING}")', (
        [] if bound else [("django.contrib", "messages")]
    )


def _request_name(route: Route) -> str | None:
    """The request the view was handed (``request``), or a class-based view's
    ``self.request`` (``form_valid(self, form)``)."""
    names = [a.arg for a in route.func.args.args]
    if names and names[0] == "self":
        return names[1] if names[1:2] == ["request"] else "self.request"
    return names[0] if names else None


def _back(
    facts: ModuleFacts, route: Route, stmt: ast.stmt
) -> tuple[str, list[tuple[str, str]]] | None:
    """Where a browser view sends the user when nothing is saved: a page it redirects to."""
    if route.framework == "flask":
        redirect = _bound(facts, "flask.redirect", "redirect")
        request = _bound(facts, "flask.request", "request")
        return f"{redirect}({request}.url)", [("flask", "redirect"), ("flask", "request")]
    target = redirect_target(facts, route, stmt, _DJANGO_REDIRECTS)
    if target is None:
        return None
    return f"{_bound(facts, 'django.shortcuts.redirect', 'redirect')}({target})", (
        []
        if "django.shortcuts.redirect" in facts.imports.values()
        else [("django.shortcuts", "redirect")]
    )


def _saved_before(facts: ModuleFacts, func: ast.AST, stmt: ast.stmt) -> ast.Call | None:
    return saved_before(func, stmt, facts.up)


def _when(facts: ModuleFacts, route: Route, stmt: ast.stmt, saved: ast.Call | None) -> str:
    """What the 500 costs as the code stands, for the rationale."""
    if saved is not None:
        text = facts.source.text_of(saved).strip()
        write = (
            f"`{text if len(text) <= 60 and chr(10) not in text else dotted(saved.func) + '(...)'}`"
        )
        if route.framework == "django" and (
            ATOMIC_REQUESTS.set_for(facts.source.path) or _atomic_view(route)
        ):
            return (
                f", and the request's transaction rolls back what the view saved before it "
                f"({write}): the action fails for want of a mail"
            )
        return (
            f", after the view has saved its work ({write}): the saved change stays, but the "
            "user gets an error page for an action that succeeded (and may repeat it)"
        )
    end = stmt.end_lineno or stmt.lineno
    if any(w.lineno > end for w in saving_calls(route.func)):
        return ", before the view saves its work"
    return ""


def _atomic_view(route: Route) -> bool:
    return any(
        dotted(d.func if isinstance(d, ast.Call) else d).rsplit(".", 1)[-1] == "atomic"
        for d in route.func.decorator_list
    )


def _failure_path(stmt: ast.stmt, facts: ModuleFacts) -> str | None:
    """``name = send(...)`` whose next statement tests ``name`` with a branch for a send that
    did not go (``if name == 1: ... else: ...``, ``if not name: ...``): the name to set to None."""
    name = assigned_name(stmt)
    if name is None:
        return None
    after = next_sibling(stmt, facts.up)
    if not isinstance(after, ast.If):
        return None
    test = after.test
    is_name = isinstance(test, ast.Name) and test.id == name
    sent = is_name or (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq | ast.Is)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value not in (None, False, 0, "")
    )
    failed = (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
        and test.operand.id == name
    )
    return name if (sent and after.orelse) or failed else None
