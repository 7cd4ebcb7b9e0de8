"""Which upstream calls of a handler are not what the request is for, so that their failure is
logged and the handler goes on to its own answer (BKD302's log-and-continue) instead of a 502.

Two shapes, both a statement whose result nothing reads (a value the view goes on to use
cannot be skipped):
- A best-effort notification: what the statement calls says it notifies. The words are read
  in the function it calls (``notify_admins``, ``send_slack_message``), in each project
  function on the way down to the request, and in the request as written: its URL, and the
  setting or variable it posts to (``requests.post(settings.DISCORD_WEBHOOK, ...)``). A Slack
  ping that fails should neither refuse an order nor report a saved one as failed.
- A browser view (html_answers.answers_browser) that has already saved its work when the call
  runs (saving_calls.saved_before): the action succeeded, and an error page would have the
  user repeat it (a second comment, a second sign-up).

Judged on real apps (blind review): a JSON 502 for a Slack webhook, or for a sync after
``db.session.commit()`` in a page that redirects, was rated noise; the accepted fix logs with
the module's own logger and carries on.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .frameworks import ModuleFacts, Route
from .html_answers import answers_browser, module_logger
from .pysource import dotted
from .saving_calls import saved_before
from .upstream_calls import Reach

# Words that name a notification, matched in lower case anywhere in a name or URL
# (``SLACK_WEBHOOK_URL``, ``notify_owner``, ``hooks.slack.com``, ``send_notification``).
_NOTIFY = re.compile(r"webhook|slack|discord|mattermost|notif|analytics|telemetry")


@dataclass(frozen=True)
class Carry:
    """Why the failure is logged and the handler goes on: ``notify`` (best effort) or
    ``saved`` (the view saved ``saved`` before it)."""

    why: str
    saved: ast.Call | None = None


def notifies(*texts: str) -> bool:
    return any(_NOTIFY.search(text.lower()) for text in texts)


def unused(stmt: ast.stmt, call: ast.Call) -> bool:
    """``call`` is the whole statement (``await``-ed or not): its result goes nowhere."""
    if not isinstance(stmt, ast.Expr):
        return False
    value = stmt.value.value if isinstance(stmt.value, ast.Await) else stmt.value
    return value is call


def carry_on(
    facts: ModuleFacts, route: Route, stmt: ast.stmt, call: ast.Call, reach: Reach | None
) -> Carry | None:
    """Whether the failure of ``call`` (in ``route``, reaching ``reach`` when it goes through
    project functions) is logged and passed over, and why; None: it answers as before."""
    if not unused(stmt, call):
        return None
    if reach is not None:
        texts = (dotted(call.func), *reach.chain, reach.written)
    else:
        texts = (facts.source.text_of(call),)
    if notifies(*texts):
        return Carry("notify")
    if answers_browser(facts, route):
        saved = saved_before(route.func, stmt, facts.up)
        if saved is not None:
            return Carry("saved", saved)
    return None


NOTES = {
    "notify": "a notification is best effort: log it and go on",
    "saved": "the change is saved: log it and go on to the page",
    "both": "its callers go on without it: log it",
    # a signal's receiver (receiver_mail.py): the request that sent the signal is not its to fail
    "signal": "the signal's request goes on without it",
    # a helper whose callers take its None as no result (none_fallbacks.py)
    "none": "its callers go on without it",
}


def log_and_go_on(
    facts: ModuleFacts, error: str, what: str, why: str, quote: str = '"'
) -> tuple[list[str], list[str]]:
    """The except that logs the failure (the module's own logger, else
    ``logging.getLogger(__name__)``) and lets the code after it run, and the modules it needs;
    ``why`` picks its comment (NOTES); ``quote``: the one the message is written in."""
    logger = module_logger(facts)
    modules: list[str] = []
    if logger is None:
        bound = next((k for k, v in facts.imports.items() if v == "logging"), None)
        if bound is None:
            bound, modules = "logging", ["logging"]
        logger = f"{bound}.getLogger(__name__)"
    message = f"{quote}{what} failed{quote}"
    return [f"except {error}:  # {NOTES[why]}", f"    {logger}.exception({message})"], modules
