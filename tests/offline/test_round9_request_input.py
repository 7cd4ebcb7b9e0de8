"""Request-input misses of held-out round 9 and planted set 2: a django-filter ``method=``
callback converting a CharFilter's text, a raw DRF value in an integer ORM lookup, body keys
read straight off ``request.json`` / ``request.data``, ``await request.json()`` in a FastAPI
dependency, and mass assignment of a raw body. Small fixtures of our own that reproduce each
shape: the suggestion appears at its line with an edit that applies and parses, and its clean
twin stays silent."""

from __future__ import annotations

from pathlib import Path

from .test_planted_misses import _each_applies, _sites

DJANGO = '"django", "djangorestframework", "django-filter"'

FILTERS = """\
from django_filters import filters
from django_filters.rest_framework import FilterSet

from .models import Ticket


class TicketFilter(FilterSet):
    ids = filters.CharFilter(field_name="id", method="filter_ids")
    tags = filters.CharFilter(field_name="tags", method="filter_tags")
    size_lt = filters.CharFilter(field_name="size", method="filter_size")
    min_size = filters.NumberFilter(field_name="size", method="filter_min")

    class Meta:
        model = Ticket
        fields = []

    def filter_ids(self, queryset, name, value):
        values = [int(n) for n in value.split(",")]
        return queryset.filter(**{name + "__in": values})

    def filter_tags(self, queryset, name, value):
        try:
            values = [int(t) for t in value.split(",")]
        except ValueError:
            return queryset.none()
        return queryset.filter(**{name + "__id__in": values})

    def filter_size(self, queryset, name, value):
        return queryset.filter(size__lt=float(value) * 2)

    def filter_min(self, queryset, name, value):
        return queryset.filter(size__gte=int(value))
"""

VIEWS = """\
from rest_framework.decorators import api_view
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from .models import Ticket, Vote


@api_view(["POST"])
def vote(request):
    user_id = request.data.get("user")
    votes = Vote.objects.filter(active=True, user__id=user_id)
    return Response({"votes": votes.count()})


@api_view(["PATCH"])
def move(request):
    if "actor" not in request.data:
        raise ParseError("actor is required")
    tickets = Ticket.objects.filter(actor__id=request.data["actor"])
    return Response({"moved": tickets.count()})


@api_view(["POST"])
def vote_checked(request):
    user_id = request.data.get("user")
    if user_id is not None and not str(user_id).isdigit():
        raise ParseError("user must be an integer")
    votes = Vote.objects.filter(active=True, user__id=user_id)
    return Response({"votes": votes.count()})


@api_view(["POST"])
def by_slug(request):
    tickets = Ticket.objects.filter(slug=request.data.get("slug"))
    return Response({"n": tickets.count()})


@api_view(["POST"])
def add_feature(request):
    feature = {}
    feature["osm_id"] = request.data["properties"]["osm:id"]
    feature["kind"] = request.data["properties"]["osm:type"]
    return Response(feature)


@api_view(["POST"])
def add_feature_checked(request):
    if "properties" not in request.data:
        raise ParseError("properties is required")
    return Response({"id": request.data["properties"].get("osm:id")})
"""

MODELS = """\
from django.db import models


class Ticket(models.Model):
    slug = models.SlugField()
    size = models.IntegerField()
    actor = models.ForeignKey("auth.User", on_delete=models.CASCADE)


class Vote(models.Model):
    active = models.BooleanField()
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
"""


def _django(tmp_path: Path) -> tuple[list, Path]:
    files = {"app/filters.py": FILTERS, "app/views.py": VIEWS, "app/models.py": MODELS}
    found = _each_applies(tmp_path, files, DJANGO)
    return found, tmp_path / "check"


def test_filterset_method_conversions(tmp_path: Path) -> None:
    found, root = _django(tmp_path)
    sites = {s for s in _sites(found, root) if s[0] == "app/filters.py"}
    # filter_ids and filter_size; the caught one and the NumberFilter's stay silent
    assert sites == {("app/filters.py", 18, "BKD202"), ("app/filters.py", 29, "BKD202")}
    text = next(s for s in found if s.span.start.line == 17).edits
    assert any("ValidationError" in e.new_text for e in text)


def test_drf_raw_value_in_integer_lookup(tmp_path: Path) -> None:
    found, root = _django(tmp_path)
    sites = {s for s in _sites(found, root) if s[0] == "app/views.py" and s[2] == "BKD202"}
    assert sites == {("app/views.py", 11, "BKD202"), ("app/views.py", 19, "BKD202")}


def test_drf_nested_body_keys(tmp_path: Path) -> None:
    found, root = _django(tmp_path)
    sites = {s for s in _sites(found, root) if s[2] == "BKD201"}
    assert sites == {("app/views.py", 41, "BKD201")}


FLASK_APP = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/evaluate")
def evaluate():
    form = request.json["form"]
    if not form:
        return jsonify(error="no form"), 400
    for rec in request.json["metadata"]:
        print(rec)
    return jsonify(ok=True)


@app.post("/evaluate-checked")
def evaluate_checked():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "form" not in body:
        return jsonify(error="invalid"), 400
    return jsonify(form=request.json.get("form"))
"""


def test_flask_direct_body_keys(tmp_path: Path) -> None:
    found = _each_applies(tmp_path, {"app.py": FLASK_APP}, '"flask"')
    assert _sites(found, tmp_path / "check") == {("app.py", 8, "BKD201")}


FASTAPI_DEPS = """\
from fastapi import Depends, FastAPI, Request

app = FastAPI()


async def user_key(request: Request) -> str:
    payload = await request.json()
    return str(payload.get("user"))


class Limiter:
    async def __call__(self, request: Request) -> None:
        user = (await request.json()).get("user")
        if not user:
            return


async def checked_key(request: Request) -> str:
    try:
        payload = await request.json()
    except ValueError:
        return ""
    return str(payload.get("user"))


@app.post("/tasks", dependencies=[Depends(Limiter())])
async def create_task(key: str = Depends(user_key), other: str = Depends(checked_key)) -> dict:
    return {"key": key}
"""


def test_fastapi_dependency_json(tmp_path: Path) -> None:
    found = _each_applies(tmp_path, {"main.py": FASTAPI_DEPS}, '"fastapi"')
    assert _sites(found, tmp_path / "check") == {
        ("main.py", 7, "BKD305"),
        ("main.py", 13, "BKD305"),
    }


CLINIC_MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
"""

CLINIC_ROUTES = """\
from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from clinic.db import get_session
from clinic.models import Patient

router = APIRouter()


@router.patch("/{patient_id}")
async def update_patient(
    patient_id: int, request: Request, session: Session = Depends(get_session)
) -> dict:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise HTTPException(status_code=404)
    data = await request.json()
    for field, value in data.items():
        setattr(patient, field, value)
    session.commit()
    return {"id": patient.id}


@router.patch("/{patient_id}/safe")
async def update_patient_safe(
    patient_id: int, request: Request, session: Session = Depends(get_session)
) -> dict:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise HTTPException(status_code=404)
    data = await request.json()
    for field, value in data.items():
        if field in ("full_name", "phone"):
            setattr(patient, field, value)
    session.commit()
    return {"id": patient.id}
"""

CLINIC_DB = """\
from sqlalchemy.orm import Session


def get_session() -> Session:
    raise NotImplementedError
"""


def test_mass_assignment(tmp_path: Path) -> None:
    files = {
        "clinic/__init__.py": "",
        "clinic/models.py": CLINIC_MODELS,
        "clinic/routes.py": CLINIC_ROUTES,
        "clinic/db.py": CLINIC_DB,
    }
    found = _each_applies(tmp_path, files, '"fastapi", "sqlalchemy"')
    sites = {s for s in _sites(found, tmp_path / "check") if s[2] == "BKD207"}
    assert sites == {("clinic/routes.py", 18, "BKD207")}
    fix = next(s for s in found if s.code == "BKD207")
    listed = " ".join(e.new_text for e in fix.edits)
    assert '"full_name", "phone"' in listed and "clinic_id" not in listed


def test_the_body_check_it_adds_clears_its_own_finding(tmp_path: Path) -> None:
    from subagent_lsp.cli.suggest import collect

    from .applied import apply_suggestion

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\ndependencies = ["flask"]\n')
    (tmp_path / "app.py").write_text(FLASK_APP)
    [found] = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD201"]
    apply_suggestion(found)
    # ``body = request.get_json(silent=True)`` and its key check guard the reads after it
    assert [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD201"] == []


DRF_METHOD = """\
from rest_framework import generics
from rest_framework.response import Response


class Prepare(generics.CreateAPIView):
    def post(self, *args, **kwargs):
        name = self.request.data["model_name"]
        return Response({"name": name})
"""


def test_a_view_method_without_a_request_parameter_checks_self_request(tmp_path: Path) -> None:
    from subagent_lsp.cli.suggest import collect

    from .applied import apply_suggestion

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "a"\ndependencies = ["django", "djangorestframework"]\n'
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/views.py").write_text(DRF_METHOD)
    [found] = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD201"]
    text = apply_suggestion(found)[str(tmp_path / "app/views.py")]
    # ``request`` is no name in ``post(self, ...)``: the check reads what the method reads
    assert '"model_name" not in self.request.data' in text
    assert " request.data" not in text.replace("self.request.data", "")
