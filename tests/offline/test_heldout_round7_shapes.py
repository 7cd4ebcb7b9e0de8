"""Seventh held-out round, after its measurement (verdicts on real apps, reproduced with
fixtures of our own): what reviewers judged already handled stays silent, the same shapes
without the handling still get their suggestion."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.foreign.project import is_browser_code

from .applied import apply_suggestion

FLASK = '[project]\nname = "app"\ndependencies = ["flask", "requests"]\n'
DJANGO = '[project]\nname = "site"\ndependencies = ["django", "requests"]\n'


def _write(root: Path, manifest: str, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": manifest, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _codes(root: Path, kinds: list[str]) -> list[tuple[str, int]]:
    return sorted((s.code, s.span.start.line + 1) for s in collect([str(root)], kinds))


JSON_ROUTES = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/users")
def manage_user():
    try:
        jdata = request.json
        action = jdata["action"]
        return jsonify(done=action)
    except Exception:
        return jsonify(error="bad request"), 400


@app.post("/forward")
def forward():
    jdata = request.get_json(force=True)
    return jsonify(zone=jdata["zone"])


@app.post("/settings")
def setting_edit():
    jdata = request.json
    return jsonify(value=jdata["value"])
"""


def test_a_json_body_the_handlers_try_answers_is_left_alone(tmp_path: Path) -> None:
    root = _write(tmp_path, FLASK, {"app.py": JSON_ROUTES})
    # The unguarded reads; the try/except one stays as it is. get_json(force=True) is checked
    # too (round 22: a connexion app's put), its replacement still reading any content type.
    assert _codes(root, ["validation"]) == [("BKD201", 18), ("BKD201", 24)]


DJANGO_VIEWS = """\
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from site_app.forms import DonationForm
from site_app.models import Profile, Ticket


def charge(request):
    form = DonationForm(request.POST)
    if form.is_valid():
        currency = request.POST["currency"]
        return HttpResponse(currency)
    return HttpResponse(status=400)


def unvalidated(request):
    currency = request.POST["currency"]
    return HttpResponse(currency)


@login_required
def profile(request):
    me = request.user
    if Profile.objects.filter(user=me).exists():
        detail = Profile.objects.get(user=me)
        return HttpResponse(detail.bio)
    own = Ticket.objects.get(owner=me.id)
    return HttpResponse(own.title)


def ticket(request, number):
    found = Ticket.objects.get(number=number)
    return HttpResponse(found.title)
"""
DJANGO_MODELS = """\
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE)
    bio = models.TextField()


class Ticket(models.Model):
    owner = models.IntegerField()
    number = models.IntegerField(unique=True)
    title = models.CharField(max_length=80)
"""


def test_django_reads_already_validated_or_the_signed_in_users(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        DJANGO,
        {
            "site_app/__init__.py": "",
            "site_app/forms.py": "from django import forms\n\n\nclass DonationForm(forms.Form):\n    currency = forms.CharField()\n",
            "site_app/models.py": DJANGO_MODELS,
            "site_app/views.py": DJANGO_VIEWS,
        },
    )
    assert _codes(root, ["validation", "error-handling"]) == [("BKD205", 17), ("BKD304", 32)]


COMMAND_HELPER = """\
import requests


class Explara:
    def tickets(self, event):
        return requests.post("https://api.example.com/tickets", data={"event": event}).json()
"""


def test_a_helper_module_in_management_commands_is_cli_code(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        DJANGO,
        {
            "tickets/management/commands/explara.py": COMMAND_HELPER,
            "tickets/explara.py": COMMAND_HELPER,
        },
    )
    # The copy outside management/commands/ is reviewed (no timeout); the command's is not.
    assert [
        (Path(s.path).parent.name, s.code) for s in collect([str(root)], ["error-handling"])
    ] == [("tickets", "BKD301")]


def test_a_ui_clients_own_api_wrapper_is_browser_code(tmp_path: Path) -> None:
    path = str(tmp_path / "client" / "src" / "lib" / "api" / "http.ts")
    assert is_browser_code(path, set(), {"svelte": "^5", "vite": "^6"})
    # Next.js API routes are server code even in a React package.
    route = str(tmp_path / "web" / "pages" / "api" / "orders.ts")
    assert not is_browser_code(route, set(), {"react-dom": "^19", "next": "^15"})


FK_MODELS = """\
from django.db import models


class Form(models.Model):
    title = models.CharField(max_length=80)


class Question(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20)
    label = models.CharField(max_length=80)
    order = models.IntegerField()
"""
FK_VIEWS = """\
from django.http import JsonResponse

from forms_app.models import Question


def questions(request, form_id):
    rows = Question.objects.filter(form_id=form_id, kind="text").order_by("order")
    return JsonResponse({"ids": [q.id for q in rows]})


def by_label(request, label):
    rows = Question.objects.filter(label=label).order_by("order")
    return JsonResponse({"ids": [q.id for q in rows]})
"""


def test_one_parents_rows_found_by_its_foreign_key_index(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        DJANGO,
        {
            "forms_app/__init__.py": "",
            "forms_app/models.py": FK_MODELS,
            "forms_app/views.py": FK_VIEWS,
        },
    )
    titles = [s.title for s in collect([str(root)], ["index"])]
    assert titles == ["Add an index on question (label, order)"]


MAIL_AND_FETCH = """\
import smtplib
from smtplib import SMTP_SSL

import requests
from flask import Flask, jsonify

app = Flask(__name__)


def fetch_remote(url, timeout=None):
    return requests.get(url, timeout=timeout)


def fetch_bounded(url, timeout=5):
    return requests.get(url, timeout=timeout)


def send_reset(address):
    with smtplib.SMTP("mail.example.com", 587) as server:
        server.sendmail("noreply@example.com", [address], "reset")
    with SMTP_SSL("mail.example.com", timeout=5) as server:
        server.sendmail("noreply@example.com", [address], "reset")


@app.post("/reset")
def reset():
    send_reset("someone@example.com")
    fetch_remote("https://example.com/a")
    fetch_bounded("https://example.com/b")
    return jsonify(sent=True)
"""


def test_mail_connections_and_none_defaults_get_a_timeout(tmp_path: Path) -> None:
    root = _write(tmp_path, FLASK, {"app.py": MAIL_AND_FETCH})
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD301"]
    assert sorted((s.span.start.line + 1, s.title) for s in found) == [
        (11, "Give the requests.get call a timeout"),
        (19, "Give the smtplib.SMTP connection a timeout"),
    ]
    texts = {s.span.start.line + 1: s.edits[0].new_text for s in found}
    assert texts == {11: "10", 19: ", timeout=10"}
    assert found[0].edits[0].span.start.line + 1 == 10  # the default, in the def line


FASTAPI_ROUTES = """\
from fastapi import FastAPI, Query

app = FastAPI()


@app.get("/spools")
def find(vendor_id: str | None = Query(None), limit: int = 20):
    vendor_ids = [int(x) for x in vendor_id.split(",")] if vendor_id is not None else None
    return {"vendors": vendor_ids, "limit": int(limit)}


@app.get("/checked")
def checked(vendor_id: str = ""):
    try:
        ids = [int(x) for x in vendor_id.split(",")]
    except ValueError:
        ids = []
    return {"ids": ids}
"""


def test_fastapi_text_parameters_converted_by_hand(tmp_path: Path) -> None:
    manifest = '[project]\nname = "api"\ndependencies = ["fastapi"]\n'
    root = _write(tmp_path, manifest, {"main.py": FASTAPI_ROUTES})
    (found,) = collect([str(root)], ["validation"])
    assert (found.code, found.span.start.line + 1) == ("BKD202", 8)
    new = apply_suggestion(found)[str(root / "main.py")]
    ast.parse(new)
    assert "from fastapi import FastAPI, HTTPException, Query" in new
    assert '        raise HTTPException(status_code=400, detail="vendor_id must be a list' in new
