"""Client values converted or used as keys outside a route, on the request's path: a DRF filter
backend's ``filter_queryset``, a module function the views hand their ``request`` (Django) or
that reads Flask's ``request`` for them, a django-filter callback that unpacks its text; and,
in routes too, a UUID parsed by hand and a client number that picks an item of a list. Each is
BKD202/BKD213 at its line, its edit applies and parses, and re-analysing the patched file no
longer gives it; the twins (caught, checked first, called where an error is answered, typed
already) stay silent. Small fixtures of our own reproducing the shapes."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

_CODES = ("BKD202", "BKD213")

DRF_VIEWS = """\
import uuid

from rest_framework import filters, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Place

ACTIONS = {"archive": "a", "restore": "r"}


class NearBackend(filters.BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        lat = float(request.query_params.get("lat"))
        return queryset.filter(lat__gte=lat)


def _dispatch(request, pk):
    return ACTIONS[request.data["action"]]


class PlaceAction(APIView):
    def post(self, request, pk):
        return Response({"done": _dispatch(request, pk)})


class PlaceList(generics.ListAPIView):
    def get_queryset(self):
        owner = uuid.UUID(self.request.query_params.get("owner"))
        return Place.objects.filter(owner=owner)


class PlacePick(APIView):
    def get(self, request):
        names = ["a", "b", "c"]
        return Response({"name": names[int(request.query_params["i"])]})
"""

DRF_CLEAN = """\
import re
import uuid

from rest_framework import filters, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Place

ACTIONS = {"archive": "a", "restore": "r"}
NUMBER = re.compile(r"-?[0-9]+(\\.[0-9]+)?")


class NearBackend(filters.BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        try:
            lat = float(request.query_params.get("lat"))
        except (TypeError, ValueError):
            return queryset.none()
        return queryset.filter(lat__gte=lat)


class FarBackend(filters.BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        lon = request.query_params.get("lon", "")
        if not NUMBER.fullmatch(lon):
            return queryset
        return queryset.filter(lon__gte=float(lon))


def _dispatch(request, pk):
    if request.data.get("action") not in ACTIONS:
        return None
    return ACTIONS[request.data["action"]]


def _radius(request):
    return float(request.query_params.get("radius"))


class PlaceAction(APIView):
    def post(self, request, pk):
        return Response({"done": _dispatch(request, pk)})


class PlaceRadius(APIView):
    def get(self, request):
        try:
            radius = _radius(request)
        except ValueError:
            radius = 1.0
        return Response({"radius": radius})


class PlaceList(generics.ListAPIView):
    def get_queryset(self):
        try:
            owner = uuid.UUID(self.request.query_params.get("owner"))
        except (TypeError, ValueError):
            return Place.objects.none()
        return Place.objects.filter(owner=owner)
"""

FLASK_APP = """\
from flask import Flask, jsonify, request

app = Flask(__name__)
KINDS = {"csv": "text/csv", "json": "application/json"}
NAMES = ["a", "b", "c"]


def _lat():
    return float(request.args.get("lat"))


def _kind():
    return KINDS[request.args.get("kind")]


@app.get("/near")
def near():
    return jsonify(lat=_lat(), kind=_kind())


@app.get("/pick")
def pick():
    return jsonify(name=NAMES[int(request.args["i"])])
"""

FLASK_CLEAN = """\
from flask import Flask, jsonify, request

app = Flask(__name__)
KINDS = {"csv": "text/csv", "json": "application/json"}


def _lat():
    return float(request.args.get("lat"))


def _lon():
    return float(request.args.get("lon"))


def _kind():
    kind = request.args.get("kind")
    if kind not in KINDS:
        return None
    return KINDS[kind]


@app.get("/near")
def near():
    try:
        lat = _lat()
    except ValueError:
        lat = 0.0
    return jsonify(lat=lat, kind=_kind(), at=request.args.get("at", type=float))


@app.cli.command("warm")
def warm():
    print(_lon())


HOOKS = [_lon]
"""

FILTERS = """\
from datetime import datetime

from django.db.models import Q
from django_filters import CharFilter, FilterSet

from .models import Entry


class EntryFilter(FilterSet):
    after = CharFilter(method="filter_after")
    before = CharFilter(method="filter_before")

    def filter_after(self, queryset, name, value):
        value = value or "0.0_0"
        stamp, pk = value.split("_")
        when = datetime.fromtimestamp(float(stamp))
        last = int(pk)
        return queryset.filter(Q(created=when, id__gt=last) | Q(created__gt=when))

    def filter_before(self, queryset, name, value):
        try:
            stamp, pk = value.split("_")
            when = datetime.fromtimestamp(float(stamp))
            last = int(pk)
        except (OverflowError, ValueError):
            return queryset.none()
        return queryset.filter(Q(created=when, id__lt=last) | Q(created__lt=when))

    class Meta:
        model = Entry
        fields = ["after", "before"]
"""

MODELS = """\
from django.db import models


class Place(models.Model):
    lat = models.FloatField()
"""


def _write(root: Path, files: dict[str, str], deps: str) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')


def _found(path: Path) -> list[Suggestion]:
    return [s for s in analyze(str(path), path.read_text()) if s.code in _CODES]


def _by_line(found: list[Suggestion]) -> dict[int, Suggestion]:
    return {s.span.start.line + 1: s for s in found}


def _fixed_alone(tmp_path: Path, files: dict[str, str], deps: str, rel: str) -> dict[int, str]:
    """Each finding applied on its own copy: it parses, and the patched file no longer has it
    (nor any new one). The new text of each, by the finding's line."""
    _write(tmp_path / "check", files, deps)
    out = {}
    for line in sorted(_by_line(_found(tmp_path / "check" / rel))):
        root = tmp_path / f"copy{line}"
        _write(root, files, deps)
        path = root / rel
        before = _by_line(_found(path))
        suggestion = before[line]
        for text in apply_suggestion(suggestion).values():
            ast.parse(text)
        after = _found(path)
        assert suggestion.title not in {s.title for s in after}, (line, path.read_text())
        assert len(after) == len(before) - 1, [s.title for s in after]
        out[line] = path.read_text()
    return out


def test_drf_helpers_raise_validation_error(tmp_path: Path) -> None:
    files = {"places/views.py": DRF_VIEWS, "places/models.py": MODELS}
    fixed = _fixed_alone(tmp_path, files, '"django", "djangorestframework"', "places/views.py")
    assert sorted(fixed) == [14, 19, 29, 36]
    # the backend and get_queryset raise DRF's error, answered as a JSON 400
    assert 'raise ValidationError("lat must be a number")' in fixed[14]
    assert "from rest_framework.exceptions import ValidationError" in fixed[14]
    # a helper's check reads the key with ``.get``: no body check ran before it
    assert 'if request.data.get("action") not in ACTIONS:' in fixed[19]
    assert 'raise ValidationError("unknown action")' in fixed[19]
    assert 'raise ValidationError("owner must be a UUID")' in fixed[29]
    # one past the list's end is the client's mistake too
    assert "except (KeyError, TypeError, ValueError, IndexError):" in fixed[36]


def test_drf_helpers_caught_checked_or_answered_stay_silent(tmp_path: Path) -> None:
    files = {"places/views.py": DRF_CLEAN, "places/models.py": MODELS}
    _write(tmp_path, files, '"django", "djangorestframework"')
    assert _found(tmp_path / "places/views.py") == []


def test_flask_helpers_reading_the_request_abort(tmp_path: Path) -> None:
    fixed = _fixed_alone(tmp_path, {"app.py": FLASK_APP}, '"flask"', "app.py")
    assert sorted(fixed) == [9, 13, 23]
    assert "    except (TypeError, ValueError):\n        abort(400)" in fixed[9]
    assert 'if request.args.get("kind") not in KINDS:\n        abort(400)' in fixed[13]
    assert "except (IndexError, TypeError, ValueError):" in fixed[23]


def test_flask_helpers_caught_or_off_the_request_stay_silent(tmp_path: Path) -> None:
    _write(tmp_path, {"app.py": FLASK_CLEAN}, '"flask"')
    assert _found(tmp_path / "app.py") == []


def test_a_filter_callback_unpacking_its_text_is_one_guard(tmp_path: Path) -> None:
    files = {"entries/filters.py": FILTERS, "entries/models.py": MODELS}
    fixed = _fixed_alone(tmp_path, files, '"django", "django-filter"', "entries/filters.py")
    assert sorted(fixed) == [15]
    text = fixed[15]
    assert '        try:\n            stamp, pk = value.split("_")\n' in text
    assert "            last = int(pk)\n        except (OverflowError, ValueError):\n" in text
    assert 'raise BadRequest("malformed after") from None' in text


FASTAPI_APP = """\
from fastapi import FastAPI, Request

app = FastAPI()


async def _limit(request: Request) -> int:
    return int(request.query_params.get("limit"))


@app.get("/items")
async def items(request: Request):
    n = int(request.query_params["n"])
    return {"n": n, "limit": await _limit(request)}
"""

FASTAPI_CLEAN = """\
from fastapi import FastAPI, HTTPException, Request

app = FastAPI()


def _limit(request: Request) -> int:
    return int(request.query_params.get("limit"))


@app.get("/items")
def items(request: Request, n: int, since: float = 0.0):
    try:
        limit = _limit(request)
    except ValueError:
        raise HTTPException(status_code=400, detail="limit") from None
    page = request.query_params.get("page", "1")
    if not page.isdigit():
        raise HTTPException(status_code=400, detail="page")
    return {"n": n, "limit": limit, "page": int(page)}
"""


def test_fastapi_request_reads_raise_http_exception(tmp_path: Path) -> None:
    fixed = _fixed_alone(tmp_path, {"main.py": FASTAPI_APP}, '"fastapi"', "main.py")
    assert sorted(fixed) == [7, 12]
    answer = 'raise HTTPException(status_code=400, detail="{}") from None'
    assert answer.format("limit must be an integer") in fixed[7]
    assert answer.format("n must be an integer") in fixed[12]
    assert "from fastapi import FastAPI, HTTPException, Request" in fixed[12]


def test_fastapi_typed_checked_or_caught_stay_silent(tmp_path: Path) -> None:
    _write(tmp_path, {"main.py": FASTAPI_CLEAN}, '"fastapi"')
    assert _found(tmp_path / "main.py") == []


DJANGO_SENT = """\
from django.http import JsonResponse

RENDERERS = {"csv": "text/csv", "json": "application/json"}


def _render(kind, rows):
    return RENDERERS[kind]


def _render_checked(kind):
    return RENDERERS[kind]


def _render_fixed(kind):
    return RENDERERS[kind]


def export(request):
    kind = request.GET.get("format", "json")
    return JsonResponse({"type": _render(kind, []), "fixed": _render_fixed("csv")})


def export_checked(request):
    kind = request.GET.get("format", "json")
    if kind not in RENDERERS:
        return JsonResponse({"error": "format"}, status=400)
    return JsonResponse({"type": _render_checked(kind)})
"""


def test_a_helper_handed_the_clients_text_checks_it(tmp_path: Path) -> None:
    fixed = _fixed_alone(tmp_path, {"shop/views.py": DJANGO_SENT}, '"django"', "shop/views.py")
    # the caller checked the other value first, and a constant is no client's
    assert sorted(fixed) == [7]
    assert 'if kind not in RENDERERS:\n        raise BadRequest("unknown format")' in fixed[7]


MIXED_VIEWS = """\
from django.views.generic import TemplateView
from rest_framework import generics

from .models import Place


def _lat(request):
    return float(request.GET.get("lat"))


class PlaceList(generics.ListAPIView):
    def get_queryset(self):
        return Place.objects.filter(lat__gte=float(self.request.GET.get("min_lat")))


class PlacePage(TemplateView):
    def get_context_data(self, **kwargs):
        lat = _lat(self.request)
        return {"lat": lat, "lon": float(self.request.GET.get("lon"))}
"""


def test_a_plain_django_view_beside_drf_ones_raises_bad_request(tmp_path: Path) -> None:
    files = {"places/views.py": MIXED_VIEWS, "places/models.py": MODELS}
    fixed = _fixed_alone(tmp_path, files, '"django", "djangorestframework"', "places/views.py")
    assert sorted(fixed) == [8, 13, 19]
    # DRF answers its ValidationError from its own views only
    assert 'raise ValidationError("min_lat must be a number")' in fixed[13]
    assert 'raise BadRequest("lat must be a number")' in fixed[8]
    assert 'raise BadRequest("lon must be a number")' in fixed[19]
