"""A ``.first()`` in the ``except Model.MultipleObjectsReturned:`` of a ``.get()`` (or
``get_object_or_404``) by the same lookups picks one of several rows: it is never None, so a
404 after it is noise (judged on a real app). Another filter in the handler may match
nothing, and is still reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Venue(models.Model):
    slug = models.SlugField()
    name = models.CharField(max_length=80)
    public = models.BooleanField(default=True)
    opened = models.DateField()
"""

HELPERS = """\
from .models import Venue


def newest_venue(slug):
    try:
        return Venue.objects.get(slug=slug)
    except Venue.MultipleObjectsReturned:
        found = Venue.objects.filter(slug=slug).order_by("-opened").first()
        return found
"""

VIEWS = """\
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from .helpers import newest_venue
from .models import Venue


def venue(request, slug):
    try:
        place = get_object_or_404(Venue, slug=slug.lower())
    except Venue.MultipleObjectsReturned:
        place = Venue.objects.filter(slug=slug.lower()).order_by("-opened").first()
    return JsonResponse({"name": place.name})


def through_helper(request, slug):
    place = newest_venue(slug)
    return JsonResponse({"name": place.name})


def public_venue(request, slug):
    try:
        place = get_object_or_404(Venue, slug=slug)
    except Venue.MultipleObjectsReturned:
        place = Venue.objects.filter(slug=slug, public=True).first()
    return JsonResponse({"name": place.name})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("v/<slug:slug>/", views.venue),
    path("h/<slug:slug>/", views.through_helper),
    path("p/<slug:slug>/", views.public_venue),
]
"""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("several_rows")
    app = root / "venues"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("helpers.py", HELPERS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\n")
    return app / "views.py", collect([str(root)], ["error-handling"])


def test_the_first_of_several_is_never_none(reviewed: tuple[Path, list[Suggestion]]) -> None:
    views, found = reviewed
    # ``venue`` (line 12) is quiet, and so is the first of several in ``through_helper``'s
    # helper (line 17); that helper's ``get`` misses DoesNotExist, a 404 at the view (BKD304).
    # The handler that filters further (``public=True``, line 25) may find no row.
    assert [(s.code, s.path, s.span.start.line + 1) for s in found] == [
        ("BKD304", str(views), 17),
        ("BKD306", str(views), 25),
    ]
    found = found[1:]
    assert found[0].title == "Answer 404 when first() finds no row"
    assert found[0].edits[-1].new_text == (
        '        if place is None:\n            raise Http404("Venue not found")\n'
    )
