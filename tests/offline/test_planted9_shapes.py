"""Blind planted set 9, after its measurement (shapes of our own): Django's
``get_object_or_404(Model, field=value)`` is a query like ``Model.objects.get(field=value)``."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

VIEWS = """\
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, get_list_or_404

from .models import Member


def checkout(request, card):
    member = get_object_or_404(Member, card_number=card)
    return JsonResponse({"name": member.name})


def by_pk(request, pk):
    member = get_object_or_404(Member, pk=pk)
    return JsonResponse({"name": member.name})


def by_email(request, email):
    member = get_object_or_404(Member, email=email)
    return JsonResponse({"name": member.name})


def branch(request, code):
    members = get_list_or_404(Member, branch_code=code)
    return JsonResponse({"names": [m.name for m in members]})
"""


def test_get_object_or_404_reads_the_table_by_its_lookups(tmp_path: Path) -> None:
    app = tmp_path / "lib"
    app.mkdir()
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass Member(models.Model):\n"
        "    card_number = models.CharField(max_length=20)\n"
        "    email = models.EmailField(unique=True)\n"
        "    branch_code = models.CharField(max_length=8)\n"
        "    name = models.CharField(max_length=100)\n"
    )
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n"
        '    path("m/<str:card>", views.checkout),\n'
        '    path("p/<int:pk>", views.by_pk),\n'
        '    path("e/<str:email>", views.by_email),\n'
        '    path("b/<str:code>", views.branch),\n]\n'
    )
    (tmp_path / "requirements.txt").write_text("django\n")
    found = collect([str(tmp_path)], ["index"])
    # the key and a unique column need none
    assert sorted((s.title, s.span.start.line + 1) for s in found) == [
        ("Add an index on member (branch_code)", 23),
        ("Add an index on member (card_number)", 8),
    ]
    assert all(s.proven for s in found)


BRANCH = """\
from django.db import models


class Branch(models.Model):
    # COMMENT
    code = models.CharField(max_length=8)
    name = models.CharField(max_length=120)
"""


def test_a_model_that_counts_its_own_rows_is_a_small_table(tmp_path: Path) -> None:
    app = tmp_path / "lib"
    app.mkdir()
    (app / "views.py").write_text(
        "from django.shortcuts import get_object_or_404, render\n\nfrom .models import Branch\n\n\n"
        "def branch(request, code):\n"
        "    found = get_object_or_404(Branch, code=code)\n"
        '    return render(request, "branch.html", {"branch": found})\n'
    )
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("b/<str:code>", views.branch)]\n'
    )
    (tmp_path / "requirements.txt").write_text("django\n")

    def titles(comment: str) -> list[str]:
        (app / "models.py").write_text(BRANCH.replace("COMMENT", comment))
        return [s.title for s in collect([str(tmp_path)], ["index"])]

    # planted set 9's distractor: the author counts the rows, and keeps them by hand
    assert titles("Fourteen branches across the county.") == []
    assert titles("Edited by hand in the admin a couple of times a year.") == []
    # planted set 11's: the rows themselves counted
    assert titles("Branches open each year (about a dozen rows a year).") == []
    # a count of something else says nothing of the table's size
    assert titles("Codes are ten letters at most.") == ["Add an index on branch (code)"]
