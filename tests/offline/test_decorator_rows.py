"""A view's project decorator that looks a row up by the URL's keyword or a request key, and
calls the view only when it found it, has found the view's row too: the view's own lookup by
the same values cannot miss, so neither a 404 for its None (BKD306) nor letting its
``get_object_or_404`` through a broad except (BKD312) is a fix (both judged noise on real
apps). A lookup by another value, a decorator that calls the view whatever it found, and a
branch of the decorator that fetched by a keyword the view takes, are still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Club(models.Model):
    slug = models.SlugField()
    members = models.ManyToManyField("auth.User")


class Trip(models.Model):
    code = models.CharField(max_length=12)
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)

    def cancel(self):
        self.delete()
"""

HELPERS = """\
from .models import Club


def find_club(slug):
    try:
        return Club.objects.get(slug=slug)
    except Club.DoesNotExist:
        return None
"""

DECORATORS = """\
from functools import wraps

from django.http import Http404, HttpResponseBadRequest, HttpResponseNotFound

from .helpers import find_club
from .models import Trip


def club_member(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        slug = kwargs.get("slug")
        club = find_club(slug)
        if club and request.user in club.members.all():
            return view(request, *args, **kwargs)
        return HttpResponseNotFound()

    return wrapped


def club_noted(view):
    def wrapped(request, *args, **kwargs):
        club = find_club(kwargs["slug"])
        print(club)
        return view(request, *args, **kwargs)

    return wrapped


def trip_owner(view):
    def check(request, *args, **kwargs):
        if "code" in kwargs:
            trip = Trip.objects.get(code=kwargs["code"])
            if trip.owner != request.user:
                raise Http404
            return view(request, *args, **kwargs)
        try:
            trip_id = request.POST["trip-id"]
        except KeyError:
            return HttpResponseBadRequest()
        trip = Trip.objects.get(pk=trip_id)
        if trip.owner != request.user:
            raise Http404
        return view(request, *args, **kwargs)

    return check
"""

VIEWS = """\
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404

from .decorators import club_member, club_noted, trip_owner
from .helpers import find_club
from .models import Trip


@club_member
def roster(request, slug):
    club = find_club(slug)
    return JsonResponse({"members": club.members.count()})


@club_member
def rival(request, slug):
    club = find_club(request.GET["rival"])
    return JsonResponse({"members": club.members.count()})


@club_noted
def noted(request, slug):
    club = find_club(slug)
    return JsonResponse({"members": club.members.count()})


@trip_owner
def cancel(request):
    try:
        trip_id = request.POST["trip-id"]
        trip = get_object_or_404(Trip, pk=trip_id)
        trip.cancel()
        return HttpResponse()
    except Exception:
        return HttpResponse(status=500)


@trip_owner
def merge(request):
    try:
        trip = get_object_or_404(Trip, pk=request.POST["into-trip-id"])
        trip.cancel()
        return HttpResponse()
    except Exception:
        return HttpResponse(status=500)


@trip_owner
def cancel_by_code(request, code):
    try:
        trip = get_object_or_404(Trip, pk=request.POST["trip-id"])
        trip.cancel()
        return HttpResponse()
    except Exception:
        return HttpResponse(status=500)
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/", views.roster),
    path("r/<slug:slug>/", views.rival),
    path("n/<slug:slug>/", views.noted),
    path("cancel/", views.cancel),
    path("merge/", views.merge),
    path("t/<str:code>/cancel/", views.cancel_by_code),
]
"""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("decorator_rows")
    app = root / "clubs"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("helpers.py", HELPERS),
        ("decorators.py", DECORATORS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\n")
    found = collect([str(root)], ["error-handling"])
    return app / "views.py", [s for s in found if s.code in ("BKD306", "BKD312")]


def test_a_row_the_decorator_found_is_not_reported(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    views, found = reviewed
    # ``roster`` (line 11) and ``cancel`` (line 34) look up what their decorator found
    assert [(s.code, s.path, s.span.start.line + 1) for s in found] == [
        ("BKD306", str(views), 17),  # ``rival``: by another key than the decorator's
        ("BKD306", str(views), 23),  # ``noted``: its decorator calls it with no club too
        ("BKD312", str(views), 44),  # ``merge``: by another request key
        ("BKD312", str(views), 54),  # ``cancel_by_code``: its decorator looked up the code
    ]
    assert found[0].edits[-1].new_text == (
        '    if club is None:\n        raise Http404("Club not found")\n'
    )
    assert found[2].edits[-1].new_text == "    except Http404:\n        raise\n"
