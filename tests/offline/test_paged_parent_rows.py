"""A parent's rows listed a page at a time in a sort order want an index led by the parent and
then the sort (patchwork's events per project, inboxen's mail per inbox: missed on real apps);
one row of them, or an unpaged list, stays with the parent's own index (a user's few tokens by
date were judged noise)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=100, unique=True)


class Event(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    date = models.DateTimeField()

    class Meta:
        ordering = ["-date"]


class Token(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    created = models.DateTimeField()
"""

VIEWS = """\
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Event, Project, Token


def events(request, name):
    project = get_object_or_404(Project, name=name)
    rows = Event.objects.filter(project=project)[:50]
    return render(request, "events.html", {"rows": rows})


def tokens(request, name):
    project = get_object_or_404(Project, name=name)
    rows = Token.objects.filter(project=project).order_by("-created")
    return render(request, "tokens.html", {"rows": rows})


def newest_token(request, name):
    project = get_object_or_404(Project, name=name)
    token = Token.objects.filter(project=project).order_by("-created")[0]
    return render(request, "token.html", {"token": token})


def token_pages(request, name):
    project = get_object_or_404(Project, name=name)
    rows = Token.objects.filter(project=project).order_by("-created")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "tokens.html", {"page": page})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("p/<str:name>/events", views.events),
    path("p/<str:name>/tokens", views.tokens),
    path("p/<str:name>/token", views.newest_token),
    path("p/<str:name>/token-pages", views.token_pages),
]
"""


def test_a_parents_rows_read_a_page_at_a_time_want_the_parent_then_the_sort(
    tmp_path: Path,
) -> None:
    app = tmp_path / "tracker"
    app.mkdir()
    for name, text in (("models.py", MODELS), ("views.py", VIEWS), ("urls.py", URLS)):
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\n")
    found = collect([str(tmp_path)], ["index"])
    assert sorted((s.title, s.span.start.line + 1) for s in found) == [
        ("Add an index on event (project, date)", 9),
        ("Add an index on token (project, created)", 27),
    ]
    for s in found:
        assert "USE TEMP B-TREE FOR ORDER BY" in s.rationale  # the plan before
        assert s.proven
