"""The sixth blind planted set and round 19, after their measurement (shapes of our own): a
type check (``isinstance(x, int)``) validates a lookup's value; int() of each item of a raw
value's split; an IntegrityError caught inside the request's transaction with no savepoint
(BKD303); an integer lookup across a relation after a form validated in another branch, and
over a ``getlist``; a JSON body from an imported project helper; a date arg named by a loop
variable."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _codes(root: Path, kind: str, code: str) -> list[Suggestion]:
    found = [s for s in collect([str(root)], [kind]) if s.code == code]
    return sorted(found, key=lambda s: s.span.start.line)


def _new_text(found: Suggestion) -> str:
    return "\n".join(e.new_text for e in found.edits)


MODELS = """\
from django.db import models


class Agent(models.Model):
    name = models.CharField(max_length=40)


class Watcher(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="watchers")
    email = models.EmailField()
"""

DRF_VIEWS = """\
from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from desk.models import Agent


@api_view(["POST"])
def assign(request):
    agent_id = request.data.get("agent_id")
    if not isinstance(agent_id, int) or isinstance(agent_id, bool):
        raise serializers.ValidationError({"agent_id": "An agent id is required."})
    return Response({"id": get_object_or_404(Agent, pk=agent_id).pk})


@api_view(["POST"])
def typed(request):
    agent_id = request.data.get("agent_id")
    if type(agent_id) is not int:
        raise serializers.ValidationError({"agent_id": "An agent id is required."})
    return Response({"id": get_object_or_404(Agent, pk=agent_id).pk})


@api_view(["POST"])
def unchecked(request):
    agent_id = request.data.get("agent_id")
    return Response({"id": get_object_or_404(Agent, pk=agent_id).pk})
"""

DJANGO = {"requirements.txt": "django\ndjangorestframework\n", "desk/__init__.py": ""}


def test_a_type_check_validates_the_lookups_value(tmp_path: Path) -> None:
    files = {**DJANGO, "desk/models.py": MODELS, "desk/api.py": DRF_VIEWS}
    root = _write(tmp_path, files)
    found = _codes(root, "validation", "BKD202")
    # only the view that never tests ``agent_id`` (28); isinstance (14) and type() (21) do
    assert [s.span.start.line + 1 for s in found] == [28]


PLAIN_VIEWS = """\
from django.shortcuts import get_object_or_404, render

from desk.forms import AgentForm
from desk.models import Agent, Watcher


def board(request, pk):
    agent = get_object_or_404(Agent, pk=pk)
    if request.POST.get("action") == "rename":
        form = AgentForm(request.POST, instance=agent)
        if form.is_valid():
            form.save()
    if request.POST.get("form") == "reorder":
        first = get_object_or_404(Watcher, agent=agent, agent__id=request.POST.get("start"))
        for watcher_id in request.POST.getlist("order"):
            watcher = get_object_or_404(Watcher, agent=agent, id=watcher_id)
            watcher.save()
    return render(request, "board.html", {"agent": agent, "first": first})
"""


def test_a_form_validated_in_another_branch_checks_no_lookup(tmp_path: Path) -> None:
    files = {
        **DJANGO,
        "desk/models.py": MODELS,
        "desk/forms.py": "from django import forms\n\n\nclass AgentForm(forms.Form):\n"
        "    name = forms.CharField()\n",
        "desk/views.py": PLAIN_VIEWS,
    }
    root = _write(tmp_path, files)
    found = _codes(root, "validation", "BKD202")
    assert [s.span.start.line + 1 for s in found] == [14, 16]
    inline, looped = (_new_text(s) for s in found)
    # a plain view of a project that also has an API: Django's 400, not DRF's (a 500 here)
    assert 'return HttpResponseBadRequest("start must be an integer")' in inline
    assert "ValidationError" not in inline + looped
    # the loop's item is checked first thing in the loop, and is never None
    assert "            if not str(watcher_id).isdigit():\n                return Http" in looped


LOOKUP = """\
from flask import Blueprint, abort, jsonify, request

from .db import get_db

bp = Blueprint("api", __name__)


@bp.get("/items/lookup")
def lookup():
    ids = [int(x) for x in request.args.get("ids").split(",")]
    return jsonify(ids=ids)


@bp.get("/items/safe")
def safe():
    try:
        ids = [int(x) for x in request.args.get("ids", "").split(",")]
    except ValueError:
        abort(400)
    return jsonify(ids=ids)
"""


def test_int_of_each_item_of_a_split_arg_is_guarded(tmp_path: Path) -> None:
    files = {"requirements.txt": "flask\n", "shop/db.py": "def get_db(): ...\n"}
    root = _write(tmp_path, {**files, "shop/api.py": LOOKUP})
    found = _codes(root, "validation", "BKD202")
    assert [s.span.start.line + 1 for s in found] == [10]
    fix = _new_text(found[0])
    assert "    try:\n        ids = [int(x) for x" in fix
    assert "    except (AttributeError, ValueError):\n        abort(400)" in fix


SERVICES = """\
from django.db import IntegrityError, transaction

from desk.models import Watcher


def add_watcher(agent, email):
    try:
        Watcher.objects.create(agent=agent, email=email)
    except IntegrityError:
        pass
    return agent.watchers.count()


def add_watcher_safe(agent, email):
    try:
        with transaction.atomic():
            Watcher.objects.create(agent=agent, email=email)
    except IntegrityError:
        pass
    return agent.watchers.count()


def add_watcher_strict(agent, email):
    try:
        Watcher.objects.create(agent=agent, email=email)
    except IntegrityError:
        raise ValueError("already watching") from None
    return agent.watchers.count()
"""

SETTINGS = 'DATABASES = {"default": {"ENGINE": "x", "ATOMIC_REQUESTS": True}}\n'


def _desk(tmp_path: Path, settings: str, services: str) -> Path:
    files = {
        **DJANGO,
        "manage.py": "",
        "config/__init__.py": "",
        "config/settings.py": settings,
        "desk/models.py": MODELS,
        "desk/services.py": services,
    }
    return _write(tmp_path, files)


def test_an_integrity_error_caught_in_the_request_transaction_needs_a_savepoint(
    tmp_path: Path,
) -> None:
    root = _desk(tmp_path, SETTINGS, SERVICES)
    found = _codes(root, "error-handling", "BKD303")
    assert [s.span.start.line + 1 for s in found] == [8]
    fix = _new_text(found[0])
    assert "        with transaction.atomic():\n            Watcher.objects.create(" in fix


def test_no_savepoint_is_needed_outside_a_transaction(tmp_path: Path) -> None:
    root = _desk(tmp_path, SETTINGS.replace("True", "False"), SERVICES)
    assert _codes(root, "error-handling", "BKD303") == []
    # under ``@transaction.atomic`` the same write needs one, whatever the settings say
    atomic = SERVICES.replace("def add_watcher(", "@transaction.atomic\ndef add_watcher(")
    root = _desk(tmp_path, SETTINGS.replace("True", "False"), atomic)
    assert [s.span.start.line + 1 for s in _codes(root, "error-handling", "BKD303")] == [9]


UTILS = """\
from flask import abort, request


def get_json_from_request():
    data = request.get_json(silent=True)
    if data is None:
        abort(400, "Invalid JSON")
    return data


def only_keys(data, keys):
    if set(data) != set(keys):
        abort(400)
"""

CALLBACKS = """\
from datetime import datetime

from flask import Blueprint, jsonify, request

from app.utils import get_json_from_request, only_keys

bp = Blueprint("callbacks", __name__)
FILTERS = ["created_on", "closed_on"]


@bp.post("/notify")
def notify():
    data = get_json_from_request()
    if data["status"] == "failed":
        return jsonify(to=data["to"])
    return jsonify(status="ok")


@bp.post("/checked")
def checked():
    data = get_json_from_request()
    only_keys(data, ("status",))
    return jsonify(status=data["status"])


@bp.get("/briefs")
def briefs():
    found = []
    for key in [k for k in request.args.keys() if k in FILTERS]:
        found.append(datetime.strptime(request.args.get(key), "%Y-%m-%d"))
    return jsonify(days=[d.isoformat() for d in found])
"""


def test_a_json_body_from_an_imported_helper_has_its_keys_checked(tmp_path: Path) -> None:
    files = {"requirements.txt": "flask\n", "app/__init__.py": "", "app/utils.py": UTILS}
    root = _write(tmp_path, {**files, "app/callbacks.py": CALLBACKS})
    found = _codes(root, "validation", "BKD201")
    # notify (13); checked hands the body to a helper that checks its keys
    assert [s.span.start.line + 1 for s in found] == [13]
    fix = _new_text(found[0])
    assert "    if not isinstance(data, dict) or any(key not in data for key in " in fix
    assert "('status', 'to')" in fix and "jsonify(error=" in fix


def test_a_date_arg_named_by_a_loop_variable_is_guarded(tmp_path: Path) -> None:
    files = {"requirements.txt": "flask\n", "app/__init__.py": "", "app/utils.py": UTILS}
    root = _write(tmp_path, {**files, "app/callbacks.py": CALLBACKS})
    found = _codes(root, "validation", "BKD202")
    assert [s.span.start.line + 1 for s in found] == [30]
    assert "except (TypeError, ValueError):" in _new_text(found[0])
