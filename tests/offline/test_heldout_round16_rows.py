"""Sixteenth held-out round, after its measurement (shapes of our own): a class-based view's
later lookups of the row its ``get_object`` already found (or 404'd on), and ``self.object``'s
own foreign key, need no get_object_or_404; a model's helper that flushes leaves the rollback to
the view that called it; a ``@contextmanager`` session scope that commits in ``else`` and
closes in ``finally`` has nothing left to roll back."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _lines(root: Path, code: str) -> list[int]:
    return sorted(
        s.span.start.line + 1 for s in collect([str(root)], ["error-handling"]) if s.code == code
    )


VIEWS = """\
from django.http import Http404
from django.views.generic import DetailView, UpdateView

from desk.models import Period, Sheet


class SheetView(UpdateView):
    model = Sheet

    def get_object(self, queryset=None):
        try:
            period = Period.objects.get(start_date=self.kwargs["period"])
        except Period.DoesNotExist:
            raise Http404("no such period")
        return Sheet.objects.get_or_create(period=period, user=self.request.user)[0]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = Period.objects.get(start_date=self.kwargs["period"])
        own = Period.objects.get(pk=self.object.period_id)
        other = Period.objects.get(start_date=self.kwargs["other"])
        context.update(base=base, own=own, other=other, rows=self.prefilled())
        return context

    def prefilled(self):
        return Period.objects.prefetch_related("holidays").get(start_date=self.kwargs["period"])

    def form_valid(self, form):
        self.object = form.save(commit=False)
        self.object.period = Period.objects.get(start_date=self.kwargs["period"])
        self.object.save()
        return super().form_valid(form)


class SheetDetail(DetailView):
    model = Sheet

    def get_object(self):
        return Sheet.objects.select_related("period").get(
            period__start_date=self.kwargs["period"], user__username=self.kwargs["username"]
        )

    def get_context_data(self, **kwargs):
        period = self.kwargs["period"]
        username = self.kwargs["username"]
        sheet = Sheet.objects.get(period__start_date=period, user__username=username)
        return super().get_context_data(sheet=sheet, **kwargs)


class PeriodDetail(DetailView):
    model = Period

    def get_context_data(self, **kwargs):
        period = Period.objects.get(pk=self.kwargs["pk"])
        sheet = Sheet.objects.get(pk=self.kwargs["pk"])
        return super().get_context_data(period=period, sheet=sheet, **kwargs)
"""

VIEW_MODELS = """\
from django.contrib.auth.models import User
from django.db import models


class Period(models.Model):
    start_date = models.DateField(unique=True)


class Sheet(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
"""


def test_lookups_after_get_object_are_resolved(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "desk"\ndependencies = ["django"]\n',
            "desk/__init__.py": "",
            "desk/models.py": VIEW_MODELS,
            "desk/views.py": VIEWS,
        },
    )
    # 21: another kwarg than get_object's; 39: get_object's own unhandled lookup (its fix
    # covers the repeat at 46); 55: another model than the generic get_object's. Quiet: the
    # repeats of get_object's lookup (19, 26, 30, 46, 54) and ``self.object.period_id`` (20).
    assert _lines(root, "BKD304") == [21, 39, 55]


ACCOUNT_MODELS = """\
from sqlalchemy import or_

from accounts import db


class Email(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    address = db.Column(db.String(200))


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(80))

    def del_email(self, address):
        found = Email.query.filter(or_(Email.address == address)).first()
        if found:
            db.session.delete(found)
            db.session.flush()


def purge(user):
    db.session.delete(user)
    db.session.commit()
"""


def test_a_model_helper_leaves_the_rollback_to_its_caller(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "flask\nsqlalchemy\n",
            "accounts/__init__.py": "from accounts.base import make_db\n\ndb = make_db()\n",
            "accounts/base.py": "def make_db():\n    raise NotImplementedError\n",
            "accounts/models.py": ACCOUNT_MODELS,
        },
    )
    assert _lines(root, "BKD303") == [25]  # the module's function, not ``User.del_email``


SCOPES = """\
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

factory = sessionmaker(bind=create_engine("sqlite://"))


@contextmanager
def scope():
    session = factory()
    try:
        yield session
    except SQLAlchemyError:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        session.close()


@contextmanager
def kept_scope():
    session = factory()
    try:
        yield session
    except SQLAlchemyError:
        session.rollback()
        raise
    else:
        session.commit()
    finally:
        session.close()
    session.info["done"] = True
"""


def test_a_session_scope_closed_in_finally(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "diary"\ndependencies = ["sqlalchemy"]\n',
            "diary/__init__.py": "",
            "diary/database.py": SCOPES,
        },
    )
    assert _lines(root, "BKD303") == [33]  # the scope whose session outlives its ``try``
