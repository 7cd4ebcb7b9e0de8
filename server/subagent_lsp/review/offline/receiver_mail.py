"""BKD302 for mail a signal receiver sends (signal_receivers.py): ``send_mail(...)`` in a
``@receiver(post_save, sender=Proposal)`` runs in the request that saved the proposal, so a
mail server that is down or refuses the message is that request's 500, after the row is saved.

No receiver is a view: nothing it returns reaches the client, so a 502 answers no one. The fix
is best_effort's log-and-go-on around the send, and only for a send that is a statement of its
own (a result the receiver goes on to use cannot be skipped). The silences are the view path's:
``fail_silently=True`` (mail_calls), a ``try`` around the send that catches its failure, an
app-wide handler, and a project helper whose one except already covers its callers.

Judged on speakerfight (round 29): a ``user_signed_up`` receiver's welcome mail got a JSON 502
(noise: allauth drops what a receiver returns), and a ``post_delete`` receiver's identical send
was missed.
"""

from __future__ import annotations

import ast
import os
import re

from ..suggestion import Suggestion
from .best_effort import log_and_go_on, unused
from .django_settings import ATOMIC_REQUESTS
from .frameworks import ModuleFacts, enclosing_statement
from .mail_calls import MAIL
from .pyedits import ensure_imports, wrap_in_try
from .pysource import dotted
from .signal_receivers import Receiver, signal_receivers
from .upstream_calls import Reach, handled_names, upstream_caught, upstream_library

# What a failure in the receiver of each signal costs the request that sent it.
_SAVED = ("post_save", "m2m_changed", "user_signed_up")
_DELETED = ("post_delete",)
_BEFORE = ("pre_save", "pre_delete")
# A mapper's or session's events run in the flush: what they raise fails the commit.
_FLUSH = (
    *("before_insert", "before_update", "before_delete"),
    *("after_insert", "after_update", "after_delete", "before_flush", "after_flush"),
    "before_commit",
)


def receiver_mail_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.handled_by_app(handled_names(MAIL)) or facts.middleware_catches:
        return []  # an app-wide handler answers the failure already
    out: list[Suggestion] = []
    for receiver in signal_receivers(facts.source):
        func = receiver.func
        done: set[int] = set()
        for node in facts.source.nodes_of(receiver.func):
            if not isinstance(node, ast.Call) or facts.source.function_of(node) is not func:
                continue  # a function nested in the receiver runs when something calls it
            stmt = enclosing_statement(node, facts.up)
            if stmt is None or id(stmt) in done or not unused(stmt, node):
                continue
            sends, reach = _mail_reach(facts, node)
            if not sends or upstream_caught(node, facts.up, MAIL):
                continue
            done.add(id(stmt))
            out.append(_suggestion(facts, receiver, stmt, node, reach))
    return out


def _mail_reach(facts: ModuleFacts, call: ast.Call) -> tuple[bool, Reach | None]:
    """Whether ``call`` sends mail nothing on the way catches, and its Reach when it goes
    through project functions to the send (None: it sends itself)."""
    if upstream_library(facts.source, call) == MAIL:
        return True, None
    if facts.upstream is None:
        return False, None
    reach = facts.upstream.reach(facts.source, call)
    if reach is None or reach.library != MAIL:
        return False, None
    target = facts.upstream.callee(facts.source, call)
    if target is not None and facts.shared is not None and facts.shared(*target) is not None:
        return False, None  # the helper's one except covers every caller (shared_helpers)
    return True, reach


def _suggestion(
    facts: ModuleFacts, receiver: Receiver, stmt: ast.stmt, call: ast.Call, reach: Reach | None
) -> Suggestion:
    src = facts.source
    what = dotted(call.func)
    kind = "listener" if receiver.listener else "receiver"
    name = receiver.func.name
    error, failure, modules = _error(facts)
    handler, logging = log_and_go_on(facts, error, what, "signal")
    if reach is None:
        sends = "sends mail"
    else:
        chain = " -> ".join(f"`{step}`" for step in reach.chain)
        where = os.path.relpath(reach.path, os.path.dirname(src.path))
        sends = f"sends mail through {chain} (`{reach.request}` in {where})"
    rationale = (
        f"`{name}` {kind_said(receiver)} and {sends}: it runs inside the request that "
        f"sent the signal, so a mail server that is down or refuses the message raises {failure} "
        f"out of that request as a 500{_cost(facts, receiver)}. No client sees what a {kind} "
        f"returns, so a 502 answers no one; catching `{error}` around the send logs the failure "
        f"and lets `{name}` and the request go on."
    )
    edits = (*ensure_imports(src, [], [*modules, *logging]), wrap_in_try(src, stmt, handler))
    return Suggestion(
        "BKD302",
        "error-handling",
        src.path,
        src.span(call),
        f"Log and go on when {what}() fails in the {name} {kind}",
        rationale,
        edits,
    )


# What says a module still runs on Python 2, where smtplib's errors and socket.error are no
# OSErrors (``except OSError`` would miss both): its compatibility shims.
_PY2 = re.compile(
    r"^\s*(from\s+__future__\s+import\s+(unicode_literals|print_function|absolute_import)"
    r"|(from\s+django\.utils\s+)?import\s+six\b"
    r"|from\s+django\.utils\.encoding\s+import\s+.*python_2_unicode_compatible)",
    re.MULTILINE,
)


def _error(facts: ModuleFacts) -> tuple[str, str, list[str]]:
    """What the except names, what the rationale says raises, and the modules it needs. On
    Python 3 smtplib's errors are OSErrors; a module written for Python 2 as well gets the two
    classes by name, which mean the same on Python 3."""
    if not _PY2.search(facts.source.text):
        return "OSError", "`OSError` (smtplib's errors are OSErrors)", []
    names: list[str] = []
    modules: list[str] = []
    for module in ("smtplib", "socket"):
        bound = next((k for k, v in facts.imports.items() if v == module), None)
        names.append(bound or module)
        modules += [] if bound else [module]
    smtp, sock = names
    error = f"({smtp}.SMTPException, {sock}.error)"
    said = f"`{smtp}.SMTPException` or `{sock}.error` (no OSErrors on Python 2, which it supports)"
    return error, said, modules


def kind_said(receiver: Receiver) -> str:
    if receiver.listener:
        return f"listens for SQLAlchemy's `{receiver.signal}`"
    return f"receives `{receiver.signal}`"


def _cost(facts: ModuleFacts, receiver: Receiver) -> str:
    """What the 500 costs, by the signal (a signal of the project's own: said as a 500 only)."""
    signal = receiver.signal
    if receiver.listener:
        if signal in _FLUSH:
            return ", in the middle of the flush: the commit fails and the change is lost"
        if signal == "after_commit":
            return (
                ", after the change is committed: the user gets an error page for an action "
                "that succeeded (and may repeat it)"
            )
        return ""
    if signal in _BEFORE:
        return ", before the row is written: the change is lost for want of a mail"
    if signal in _SAVED or signal in _DELETED:
        done = "deleted" if signal in _DELETED else "saved"
        if ATOMIC_REQUESTS.set_for(facts.source.path):
            return (
                f", and the request's transaction rolls back the row it {done}: the action "
                "fails for want of a mail"
            )
        return (
            f", after the row is {done}: the user gets an error page for an action that "
            "succeeded (and may repeat it)"
        )
    return ""
