"""Thirteenth held-out round, after its measurement (shapes of our own): a class-based view's
``get_object`` keyed by the URL's ``self.kwargs``; an app pinned to a Django without
``Meta.indexes``; a key read first in an ``if`` gets its check before the ``if``."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class Account(models.Model):
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20)
    created = models.DateTimeField()
"""
VIEWS = """\
from django.http import HttpResponse
from django.views.generic import ListView

from books.models import Account


class AccountDetail(ListView):
    model = Account

    def get_object(self):
        return Account.objects.get(pk=self.kwargs["pk"])


def by_name(request, name):
    rows = Account.objects.filter(name=name).order_by("-created")
    return HttpResponse(str(len(rows)))


def mark(request):
    if request.method == "POST":
        if request.POST["action"] in ("read", "unread"):
            label = request.POST["action"]
            return HttpResponse(label)
    return HttpResponse("")


def other(request):
    if request.method == "GET":
        return HttpResponse("")
    elif request.POST["mode"] == "x":
        return HttpResponse("x")
    return HttpResponse("")
"""


def _project(root: Path, django: str) -> Path:
    files = {
        "requirements.txt": f"Django=={django}\n",
        "books/__init__.py": "",
        "books/models.py": MODELS,
        "books/views.py": VIEWS,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_get_object_keyed_by_the_url_and_a_key_read_in_an_if(tmp_path: Path) -> None:
    root = _project(tmp_path, "5.2")
    found = {(s.code, s.span.start.line + 1): s for s in collect([str(root)])}
    assert ("BKD304", 11) in found  # get_object: the URL's pk may name no account
    assert ("BKD205", 21) in found  # the ``if``'s own read, not the one inside it
    assert not any(line == 22 or (code == "BKD205" and line == 29) for code, line in found)
    text = apply_suggestion(found[("BKD205", 21)])[str(root / "books/views.py")]
    ast.parse(text)
    lines = text.splitlines()
    guard = lines.index('        if "action" not in request.POST:')
    assert lines[guard + 2].startswith('        if request.POST["action"] in')
    # an index in Meta.indexes on a current Django
    assert any(s.code == "BKD101" for s in found.values())


def test_no_meta_indexes_for_a_django_that_has_none(tmp_path: Path) -> None:
    root = _project(tmp_path, "1.10.5")
    # (name, created) in Meta.indexes, which Django 1.10 does not know, would stop the models
    # importing: the composite goes in Meta.index_together, which it has (round 16)
    (found,) = collect([str(root)], ["index"])
    assert all("index_together" in e.new_text for e in found.edits)
    assert not any("models.Index" in e.new_text for e in found.edits)
