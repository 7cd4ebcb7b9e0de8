"""Fifteenth held-out round, after its measurement (shapes of our own): MySQL indexes a
foreign key by itself; a lookup keyed by a validated form's ``cleaned_data`` has its row."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Ban(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    reason = db.Column(db.String(200))
"""
VIEWS = """\
from flask import Flask

from tracker.models import Ban

app = Flask(__name__)


@app.get("/users/<int:user>/bans")
def bans(user):
    return [b.reason for b in Ban.query.filter_by(user_id=user).all()]
"""


def _flask(root: Path, driver: str) -> Path:
    files = {
        "requirements.txt": f"flask\nflask-sqlalchemy\n{driver}\n",
        "tracker/__init__.py": "",
        "tracker/models.py": MODELS,
        "tracker/views.py": VIEWS,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_mysql_indexes_a_foreign_key_by_itself(tmp_path: Path) -> None:
    mysql = _flask(tmp_path / "mysql", "mysqlclient==1.4.3")
    assert [s.title for s in collect([str(mysql)], ["index"])] == []
    postgres = _flask(tmp_path / "pg", "psycopg2==2.9.9")
    assert [s.title for s in collect([str(postgres)], ["index"])] == [
        "Add an index on ban (user_id)"
    ]


FORM_VIEWS = """\
from django import forms
from django.http import HttpResponse
from django.views.generic.edit import FormView

from desk.models import Ticket


class ClaimForm(forms.Form):
    barcode = forms.CharField()

    def clean_barcode(self):
        barcode = self.cleaned_data["barcode"]
        if not Ticket.objects.filter(barcode=barcode).exists():
            raise forms.ValidationError("no such ticket")
        return barcode


class Claim(FormView):
    form_class = ClaimForm

    def form_valid(self, form):
        ticket = Ticket.objects.get(barcode=form.cleaned_data["barcode"])
        return HttpResponse(ticket.barcode)


def claim(request, code):
    return HttpResponse(Ticket.objects.get(barcode=code).barcode)
"""


def test_a_lookup_keyed_by_a_validated_form(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "desk"\ndependencies = ["django"]\n',
        "desk/__init__.py": "",
        "desk/models.py": (
            "from django.db import models\n\n\nclass Ticket(models.Model):\n"
            "    barcode = models.CharField(max_length=20, unique=True)\n"
        ),
        "desk/views.py": FORM_VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [
        s.span.start.line + 1
        for s in collect([str(tmp_path)], ["error-handling"])
        if s.code == "BKD304"
    ]
    assert found == [27]  # the URL's code, not the form's checked barcode
