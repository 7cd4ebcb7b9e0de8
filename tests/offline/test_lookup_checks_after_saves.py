"""BKD202 on a raw request value handed to an integer lookup (Django), judged on a real app
(round 26): a check that answers 400 to a value the view already treats as "none chosen", or
that answers 400 after the view has saved, breaks a working page."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class Folder(models.Model):
    name = models.CharField(max_length=50)
    documents = models.ManyToManyField("Document")


class Document(models.Model):
    title = models.CharField(max_length=200)
"""

VIEWS = """\
from django.contrib import messages
from django.shortcuts import redirect

from .models import Document, Folder


def copy(request):
    source_id = request.POST.get("from-folder")
    if source_id:
        try:
            documents = Folder.objects.get(pk=source_id).documents.all()
        except Folder.DoesNotExist:
            return redirect("/library/")
    else:
        documents = Document.objects.all()
    return redirect("/library/")


def upload(request):
    saved = []
    for title in request.POST.getlist("title"):
        document = Document(title=title)
        document.save()
        saved.append(document)
    folder_id = request.POST.get("into-folder")
    if folder_id:
        try:
            Folder.objects.get(pk=folder_id).documents.add(*saved)
        except Folder.DoesNotExist:
            messages.error(request, "No such folder.")
    return redirect("/library/")
"""


def _app(root: Path) -> Path:
    app = root / "library"
    app.mkdir()
    (root / "manage.py").write_text("import django\n")
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\n"
        'urlpatterns = [path("copy/", views.copy), path("upload/", views.upload)]\n'
    )
    return app / "views.py"


def test_an_empty_value_the_view_guards_stays_allowed(tmp_path: Path) -> None:
    views = _app(tmp_path)
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD202"]
    assert [(s.path, s.span.start.line + 1) for s in found] == [(str(views), 11)]
    new = apply_suggestion(found[0])[str(views)]
    assert (
        '    source_id = request.POST.get("from-folder")\n'
        "    if source_id and not str(source_id).isdigit():\n"
        '        return HttpResponseBadRequest("from-folder must be an integer")\n'
        "    if source_id:\n"
    ) in new
    ast.parse(new)


def test_no_400_once_the_view_has_saved(tmp_path: Path) -> None:
    _app(tmp_path)
    lines = {s.span.start.line + 1 for s in collect([str(tmp_path)]) if s.code == "BKD202"}
    assert 28 not in lines  # the folder lookup after the documents were saved
