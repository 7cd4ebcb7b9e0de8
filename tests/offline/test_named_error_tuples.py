"""Errors caught through a constant's tuple (``except (SmsError, *MAIL_ERRORS)``, ``except
MAIL_ERRORS``) are caught: a mail failure handled so was reported uncaught on clean code. The
twin catching only its own error still gets the advice."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect

_MAIL = """\
import smtplib

MAIL_ERRORS = (smtplib.SMTPException, OSError)


def send_email(to, text):
    with smtplib.SMTP("localhost", 25, timeout=10) as smtp:
        smtp.sendmail("noreply@example.com", [to], text)
"""

_JOBS = """\
from .mail import MAIL_ERRORS, send_email


class SmsError(Exception):
    pass


def notify_all(people):
    sent = 0
    for person in people:
        try:
            send_email(person, "hello")
        except {handled}:
            continue
        sent += 1
    return sent
"""

_ROUTES = """\
from flask import Flask

from .jobs import notify_all

app = Flask(__name__)


@app.post("/notify")
def notify():
    return {"sent": notify_all(["a@example.com"])}
"""


def _mail_advice(root: Path, handled: str) -> list[str]:
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "mail.py").write_text(_MAIL)
    (root / "app" / "jobs.py").write_text(_JOBS.format(handled=handled))
    (root / "app" / "routes.py").write_text(_ROUTES)
    (root / "requirements.txt").write_text("flask\n")
    return [s.title for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]


@pytest.mark.parametrize("handled", ["(SmsError, *MAIL_ERRORS)", "MAIL_ERRORS"])
def test_errors_caught_through_a_named_tuple_are_caught(tmp_path: Path, handled: str) -> None:
    assert _mail_advice(tmp_path, handled) == []


def test_a_handler_of_another_error_leaves_the_mail_failure_uncaught(tmp_path: Path) -> None:
    assert _mail_advice(tmp_path, "SmsError") != []
