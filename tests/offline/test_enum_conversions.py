"""BKD202 for a project enum built from the client's text (a blind planted set, and real
code): ``ShipmentStatus(status)`` raises ValueError on an unknown value, a 500, as ``int()``
does. FastAPI's fix types the parameter as the enum (FastAPI answers 422); Django's and
Flask's guard the conversion and answer 400."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

ENUMS = """\
import enum


class Base(str, enum.Enum):
    pass


class ShipmentStatus(Base):
    PENDING = "pending"
    SHIPPED = "shipped"
"""

ROUTER = """\
from fastapi import APIRouter

from .enums import ShipmentStatus

router = APIRouter()
ROWS = [{"status": "pending"}]


@router.get("/shipments")
def list_shipments(status: str | None = None):
    rows = ROWS
    if status is not None:
        wanted = ShipmentStatus(status)
        rows = [r for r in rows if r["status"] == wanted.value]
    return rows


@router.get("/shipments/first")
def first_shipment():
    return ShipmentStatus(ROWS[0]["status"])


@router.get("/shipments/checked")
def checked(status: str):
    try:
        return ShipmentStatus(status)
    except ValueError:
        return None


@router.get("/shipments/as-text")
def as_text(status: str):
    print(status.upper())
    return ShipmentStatus(status)
"""

DJANGO_MODELS = """\
from django.db import models


class Copy(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        LOST = "lost", "Lost"

    status = models.CharField(max_length=10, choices=Status.choices)
"""

DJANGO_VIEWS = """\
from django.http import JsonResponse

from .models import Copy


def copies(request):
    status = Copy.Status(request.GET["status"])
    return JsonResponse({"status": status.value})


def first(request):
    row = Copy.objects.first()
    return JsonResponse({"label": Copy.Status(row.status).label})


def checked(request):
    try:
        status = Copy.Status(request.GET.get("status"))
    except ValueError:
        status = Copy.Status.AVAILABLE
    return JsonResponse({"status": status.value})
"""

FLASK_APP = """\
import enum

from flask import Flask, jsonify, request

app = Flask(__name__)


class Status(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


@app.get("/tickets")
def tickets():
    status = Status(request.args.get("status"))
    return jsonify(status=status.value)


@app.get("/tickets/filtered")
def filtered():
    wanted = request.args.get("status")
    if wanted:
        return jsonify(status=Status(wanted).value)
    return jsonify(status=None)


@app.get("/tickets/default")
def default():
    return jsonify(status=Status("open").value)
"""


def _found(tmp_path: Path, files: dict[str, str], deps: str) -> list:
    (tmp_path / "requirements.txt").write_text(deps)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD202"]


def _lines(found: list) -> list[tuple[str, int]]:
    return sorted((Path(s.path).name, s.span.start.line + 1) for s in found)


def test_fastapi_text_parameter_typed_as_the_enum(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/enums.py": ENUMS, "app/routes.py": ROUTER}
    found = _found(tmp_path, files, "fastapi\n")
    # the list's conversion (typed), the one read as text too (guarded); not the row's value
    # nor the caught one
    assert _lines(found) == [("routes.py", 13), ("routes.py", 34)]
    typed, guarded = sorted(found, key=lambda s: s.span.start.line)
    assert typed.title == "Type `status` as ShipmentStatus"
    assert "one of pending, shipped" in typed.rationale
    assert "HTTPException(status_code=400" in "".join(e.new_text for e in guarded.edits)
    [new] = apply_suggestion(typed).values()
    compile(new, "routes.py", "exec")
    assert "def list_shipments(status: ShipmentStatus | None = None):" in new
    assert "        wanted = status\n" in new


def test_django_text_choices_on_the_query(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/models.py": DJANGO_MODELS,
        "app/views.py": DJANGO_VIEWS,
    }
    found = _found(tmp_path, files, "django\n")
    assert _lines(found) == [("views.py", 7)]
    [new] = apply_suggestion(found[0]).values()
    compile(new, "views.py", "exec")
    assert "    except (KeyError, TypeError, ValueError):\n" in new
    assert 'return HttpResponseBadRequest("status must be one of available, lost")' in new
    assert "from django.http import HttpResponseBadRequest, JsonResponse" in new
    # the missing key is answered by this fix: BKD205 does not also check it
    every = collect([str(tmp_path)], ["validation"])
    assert [s for s in every if s.code == "BKD205"] == []


def test_flask_enum_of_the_args(tmp_path: Path) -> None:
    found = _found(tmp_path, {"app.py": FLASK_APP}, "flask\n")
    assert _lines(found) == [("app.py", 15), ("app.py", 23)]
    plain, used = sorted(found, key=lambda s: s.span.start.line)
    [new] = apply_suggestion(plain).values()
    compile(new, "app.py", "exec")
    assert '    status = request.args.get("status", type=Status)\n    if status is None:\n' in new
    assert 'return jsonify(error="status must be one of open, closed"), 400' in new
    (tmp_path / "app.py").write_text(FLASK_APP)  # each fix on the file as it was
    [new] = apply_suggestion(used).values()
    compile(new, "app.py", "exec")
    assert "        try:\n            return jsonify(status=Status(wanted).value)\n" in new
    assert "        except ValueError:\n" in new
