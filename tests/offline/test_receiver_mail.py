"""BKD302 for mail a signal receiver sends (receiver_mail.py), shapes of our own after
speakerfight's ``user_signed_up`` and ``post_delete`` receivers: each runs in the request that
sent its signal, so the fix logs the failure and goes on (no 502: no client sees what a
receiver returns). Clean twins: a send that fails silently, one in a ``try``, one whose result
the receiver reads, a ``connect`` that is no signal's, an app-wide handler."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from allauth.account.signals import user_signed_up

logger = logging.getLogger(__name__)


class Proposal(models.Model):
    title = models.CharField(max_length=80)
    author_email = models.EmailField()


@receiver(user_signed_up)
def send_welcome_mail(request, user, **kwargs):
    send_mail("Welcome", "Hello", settings.NO_REPLY_EMAIL, [user.email])


@receiver(post_save, sender=Proposal)
def proposal_saved(sender, instance, created, **kwargs):
    if created:
        send_mail("New proposal", instance.title, settings.NO_REPLY_EMAIL, ["jury@example.com"])


def proposal_deleted(sender, instance, **kwargs):
    send_mail("Deleted", instance.title, settings.NO_REPLY_EMAIL, [instance.author_email])


post_delete.connect(proposal_deleted, sender=Proposal)
"""

QUIET = """\
import smtplib

from django.core.mail import send_mail
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver


class Proposal(models.Model):
    title = models.CharField(max_length=80)


@receiver(post_save, sender=Proposal)
def silent(sender, instance, **kwargs):
    send_mail("Saved", instance.title, None, ["jury@example.com"], fail_silently=True)


@receiver(post_save, sender=Proposal)
def guarded(sender, instance, **kwargs):
    try:
        send_mail("Saved", instance.title, None, ["jury@example.com"])
    except smtplib.SMTPException:
        pass


@receiver(post_delete, sender=Proposal)
def counted(sender, instance, **kwargs):
    sent = send_mail("Deleted", instance.title, None, ["jury@example.com"])
    instance.mails = sent


def not_a_receiver(instance):
    send_mail("Hello", instance.title, None, ["jury@example.com"])


def opened(conn):
    send_mail("Hello", "opened", None, ["ops@example.com"])


class Pool:
    def connect(self, func):
        return func


Pool().connect(opened)
"""

NOTIFY = """\
from django.core.mail import EmailMessage


def tell_jury(proposal):
    EmailMessage("New proposal", proposal.title, to=["jury@example.com"]).send()
"""

THROUGH = """\
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver

from .notify import tell_jury


class Talk(models.Model):
    title = models.CharField(max_length=80)


@receiver(post_save, sender=Talk)
def talk_saved(sender, instance, created, **kwargs):
    tell_jury(instance)
"""

PY2 = """\
from django.core.mail import send_mail
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import six

from .models import Proposal


@receiver(post_save, sender=Proposal)
def legacy(sender, instance, **kwargs):
    send_mail("Saved", six.text_type(instance.title), None, ["jury@example.com"])
"""

LISTENER = """\
from flask import Flask
from flask_mail import Mail, Message
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event

app = Flask(__name__)
db = SQLAlchemy(app)
mail = Mail(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120))


@event.listens_for(User, "after_insert")
def welcome(mapper, connection, target):
    mail.send(Message("Welcome", recipients=[target.email]))
"""

HANDLED = """\

@app.errorhandler(Exception)
def oops(error):
    return "sorry", 500
"""


def _app(tmp_path: Path, files: dict[str, str], requirements: str = "django\n") -> list[Suggestion]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    for name, text in files.items():
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text(requirements)
    return [s for s in collect([str(tmp_path)]) if s.code == "BKD302"]


def _where(found: list[Suggestion]) -> list[tuple[str, int, str]]:
    return sorted((Path(s.path).name, s.span.start.line + 1, s.title) for s in found)


def test_mail_sent_by_a_receiver_is_logged_and_the_request_goes_on(tmp_path: Path) -> None:
    found = _app(tmp_path, {"models.py": MODELS})
    assert _where(found) == [
        ("models.py", 20, "Log and go on when send_mail() fails in the send_welcome_mail receiver"),
        ("models.py", 26, "Log and go on when send_mail() fails in the proposal_saved receiver"),
        ("models.py", 30, "Log and go on when send_mail() fails in the proposal_deleted receiver"),
    ]
    saved = next(s for s in found if "proposal_saved" in s.title)
    assert "receives `post_save`" in saved.rationale
    assert "after the row is saved" in saved.rationale
    deleted = next(s for s in found if "proposal_deleted" in s.title)
    assert "after the row is deleted" in deleted.rationale
    (edit,) = saved.edits  # the module's own logger: no import to add
    assert edit.new_text.splitlines() == [
        "        try:",
        '            send_mail("New proposal", instance.title, settings.NO_REPLY_EMAIL, '
        '["jury@example.com"])',
        "        except OSError:  # the signal's request goes on without it",
        '            logger.exception("send_mail failed")',
    ]
    assert not any("502" in s.edits[-1].new_text for s in found)


def test_atomic_requests_say_the_save_is_rolled_back(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "settings.py").write_text('DATABASES = {"default": {"ATOMIC_REQUESTS": True}}\n')
    found = _app(tmp_path, {"models.py": MODELS})
    saved = next(s for s in found if "proposal_saved" in s.title)
    assert "rolls back the row it saved" in saved.rationale


def test_silent_guarded_and_read_sends_and_other_connects_are_left_alone(tmp_path: Path) -> None:
    assert _where(_app(tmp_path, {"models.py": QUIET})) == []


def test_a_receiver_that_sends_through_a_helper(tmp_path: Path) -> None:
    found = _app(tmp_path, {"notify.py": NOTIFY, "models.py": THROUGH})
    assert _where(found) == [
        ("models.py", 14, "Log and go on when tell_jury() fails in the talk_saved receiver")
    ]
    assert "`tell_jury`" in found[0].rationale and "notify.py" in found[0].rationale
    assert "logging.getLogger(__name__).exception" in found[0].edits[-1].new_text
    assert found[0].edits[0].new_text.strip() == "import logging"


def test_a_module_that_still_runs_on_python_2_names_both_errors(tmp_path: Path) -> None:
    found = _app(tmp_path, {"models.py": QUIET, "signals.py": PY2})
    (legacy,) = found
    assert "except (smtplib.SMTPException, socket.error):" in legacy.edits[-1].new_text
    imported = "".join(e.new_text for e in legacy.edits[:-1])
    assert "import smtplib" in imported and "import socket" in imported


def test_a_sqlalchemy_listener_that_sends_mail(tmp_path: Path) -> None:
    found = _app(tmp_path, {"app.py": LISTENER}, "flask\nflask-mail\nflask-sqlalchemy\n")
    assert _where(found) == [
        ("app.py", 18, "Log and go on when mail.send() fails in the welcome listener")
    ]
    assert "listens for SQLAlchemy's `after_insert`" in found[0].rationale
    assert "the commit fails" in found[0].rationale


def test_an_app_wide_handler_answers_the_listener_failure(tmp_path: Path) -> None:
    files = {"app.py": LISTENER + HANDLED}
    assert _app(tmp_path, files, "flask\nflask-mail\nflask-sqlalchemy\n") == []
