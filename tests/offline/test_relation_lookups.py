"""A Django lookup across a foreign key (a blind review of a real app, a shape of our own):
``Application.objects.filter(number=n).filter(form__event__page_url=url)`` was read as
``number = ?`` alone, and an index on (number, created) was proven -- but the SQL joins the
form and its event, narrowed by the URL, and finds the applications by the foreign key's own
index. An equality across a foreign key now compares the key, as the join does."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from django.db import models


class Event(models.Model):
    page_url = models.CharField(max_length=200, unique=True)


class Form(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)


class Application(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE)
    number = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(auto_now_add=True)
"""
VIEWS = """\
from django.http import JsonResponse

from .models import Application


def detail(request, page_url, number):
    app = (
        Application.objects.filter(number=number)
        .filter(form__event__page_url=page_url)
        .order_by("-created")
        .first()
    )
    return JsonResponse({"id": app.id})


def by_title(request, title, number):
    app = Application.objects.filter(form__title=title, number=number).first()
    return JsonResponse({"id": app.id})
"""


def _titles(root: Path, views: str) -> list[str]:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "views.py").write_text(views)
    (root / "requirements.txt").write_text("django\n")
    return [s.title for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def test_an_equality_across_a_foreign_key_is_found_by_its_index(tmp_path: Path) -> None:
    assert _titles(tmp_path, VIEWS) == []


def test_a_pattern_across_a_foreign_key_narrows_nothing_by_it(tmp_path: Path) -> None:
    # ``icontains`` on the event's URL matches any number of events: the number is what the
    # query narrows by, as before
    views = VIEWS.replace(
        "form__event__page_url=page_url", "form__event__page_url__icontains=page_url"
    )
    assert _titles(tmp_path, views) == ["Add an index on application (number, created)"]
