"""BKD312 only where letting the 404 through changes something: a broad except that already
answers a 4xx and logs nothing (``except Exception: return HttpResponseBadRequest()``) turns
the 404 into a 400, a change of number judged noise on a real app. One that logs the error,
redirects or carries on as if served, or answers 5xx is still reported."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

VIEWS = """\
import logging

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from rest_framework import serializers

from .errors import BadgeError
from .models import Badge

logger = logging.getLogger(__name__)


def badge_count(request):
    try:
        badge = get_object_or_404(Badge, pk=request.GET["badge-id"])
        return HttpResponse(badge.holders.count())
    except Exception:
        return HttpResponseBadRequest()


def badge_json(request):
    try:
        badge = get_object_or_404(Badge, pk=request.GET["badge-id"])
        return JsonResponse({"name": badge.name})
    except Exception as exc:
        return JsonResponse({"error": str(exc)}, status=400)


def badge_logged(request):
    try:
        badge = get_object_or_404(Badge, pk=request.GET["badge-id"])
        return HttpResponse(badge.name)
    except Exception:
        logger.exception("could not read the badge")
        return HttpResponseBadRequest()


def badge_award(request):
    try:
        badge = get_object_or_404(Badge, pk=request.POST["badge-id"])
        badge.holders.add(request.user)
    except Exception:
        return redirect("badges")
    return redirect("badges")


def badge_checked(request):
    try:
        badge = get_object_or_404(Badge, pk=request.GET["badge-id"])
        return HttpResponse(badge.name)
    except Exception as exc:
        raise serializers.ValidationError(str(exc))


def badge_own_error(request):
    try:
        badge = get_object_or_404(Badge, pk=request.GET["badge-id"])
        return HttpResponse(badge.name)
    except Exception:
        raise BadgeError("no badge")


def badge_touch(request):
    try:
        badge = get_object_or_404(Badge, pk=request.POST["badge-id"])
        badge.save()
    except Exception:
        pass
    return HttpResponse("ok")
"""

MODELS = """\
from django.db import models


class Badge(models.Model):
    name = models.CharField(max_length=40)
    holders = models.ManyToManyField("auth.User")
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("count/", views.badge_count),
    path("json/", views.badge_json),
    path("logged/", views.badge_logged),
    path("award/", views.badge_award, name="badges"),
    path("touch/", views.badge_touch),
    path("checked/", views.badge_checked),
    path("own/", views.badge_own_error),
]
"""

API = """\
from fastapi import FastAPI, HTTPException, status

app = FastAPI()
BADGES: dict[int, str] = {}


def load(badge_id: int) -> str:
    if badge_id not in BADGES:
        raise HTTPException(status_code=404, detail="no such badge")
    return BADGES[badge_id]


@app.get("/badges/{badge_id}")
def read(badge_id: int) -> str:
    try:
        return load(badge_id)
    except Exception as exc:
        raise HTTPException(status_code=status.HTTP_400_BAD_REQUEST, detail=str(exc))
"""


def test_only_a_broad_except_whose_answer_hides_the_404_is_reported(tmp_path: Path) -> None:
    app = tmp_path / "badges"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
        ("errors.py", "class BadgeError(Exception):\n    pass\n"),
    ]:
        (app / name).write_text(text)
    (tmp_path / "api.py").write_text(API)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\nfastapi\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD312"]
    # badge_count, badge_json, badge_checked (DRF's 400) and the FastAPI read answer 400
    # already; badge_own_error raises the app's own error, whose answer its handler decides
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [
        ("views.py", 33),
        ("views.py", 42),
        ("views.py", 67),
    ]
    logged, redirected, carried_on = found
    assert "logged as an error" in logged.rationale
    assert "as if the request had been served" in redirected.rationale
    assert "as if the request had been served" in carried_on.rationale
    assert logged.edits[-1].new_text == "    except Http404:\n        raise\n"
