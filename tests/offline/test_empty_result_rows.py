"""A query's list of rows, keyed by what the client sent, indexed ``[0]`` / ``[-1]`` with no
test that it has any (a blind review's ``?lookback=0`` that empties the list: IndexError, a
500). Fixtures of our own in Flask and Django: the check is added right after the binding,
and the twins that test the list, or ask ``.first()``, stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

FLASK = '"flask", "flask-sqlalchemy>=3"'

FLASK_APP = """\
from flask import Flask, abort
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Download(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    package = db.Column(db.String(80))
    date = db.Column(db.Date)


@app.route("/packages/<package>")
def package_page(package):
    records = Download.query.filter_by(package=package).order_by(Download.date).all()
{check}    return {{"first": str(records[0].date), "last": str(records[-1].date)}}
"""

DJANGO_VIEW = """\
from django.http import JsonResponse

from .models import Download


def package_page(request, package):
    records = list(Download.objects.filter(package=package))
{check}    return JsonResponse({{"first": str(records[0].date)}})
"""

DJANGO_URLS = """\
from django.urls import path

from . import views

urlpatterns = [path("packages/<str:package>/", views.package_page)]
"""

DJANGO_MODELS = """\
from django.db import models


class Download(models.Model):
    package = models.CharField(max_length=80)
    date = models.DateField()
"""


def _project(root: Path, files: dict[str, str], deps: str) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')
    return root


def _found(root: Path) -> list[tuple[str, int, str, dict[str, str]]]:
    out = []
    for s in collect([str(root)]):
        if s.code != "BKD306":
            continue
        texts = {Path(p).relative_to(root).as_posix(): t for p, t in apply_suggestion(s).items()}
        for text in texts.values():
            ast.parse(text)
        out.append((Path(s.path).name, s.span.start.line + 1, s.title, texts))
    return out


def test_flask_all_indexed_gets_the_check(tmp_path: Path) -> None:
    found = _found(_project(tmp_path, {"app.py": FLASK_APP.format(check="")}, FLASK))
    assert [f[:3] for f in found] == [("app.py", 16, "Answer 404 when the query finds no rows")]
    assert found[0][3]["app.py"] == FLASK_APP.format(
        check="    if not records:\n        abort(404)\n"
    )


def test_django_list_indexed_gets_the_check(tmp_path: Path) -> None:
    files = {
        "shop/views.py": DJANGO_VIEW.format(check=""),
        "shop/urls.py": DJANGO_URLS,
        "shop/models.py": DJANGO_MODELS,
    }
    found = _found(_project(tmp_path, files, '"django"'))
    assert [f[:3] for f in found] == [("views.py", 7, "Answer 404 when the query finds no rows")]
    view = DJANGO_VIEW.format(
        check='    if not records:\n        raise Http404("Download not found")\n'
    )
    assert found[0][3]["shop/views.py"] == view.replace(
        "from django.http import JsonResponse", "from django.http import Http404, JsonResponse"
    )


def test_tested_lists_and_first_stay_silent(tmp_path: Path) -> None:
    checked = FLASK_APP.format(check="    if not records:\n        abort(404)\n")
    assert _found(_project(tmp_path / "a", {"app.py": checked}, FLASK)) == []
    sized = FLASK_APP.format(check="    if len(records) == 0:\n        abort(404)\n")
    assert _found(_project(tmp_path / "b", {"app.py": sized}, FLASK)) == []
    first = (
        FLASK_APP.format(check="")
        .replace(".all()\n", ".first_or_404()\n")
        .replace("records[0].date", "records.date")
        .replace("records[-1].date", "records.date")
    )
    assert _found(_project(tmp_path / "c", {"app.py": first}, FLASK)) == []
    unkeyed = FLASK_APP.format(check="").replace(".filter_by(package=package)", "")
    assert _found(_project(tmp_path / "d", {"app.py": unkeyed}, FLASK)) == []
    files = {
        "shop/views.py": DJANGO_VIEW.format(check="    if not records:\n        return None\n"),
        "shop/urls.py": DJANGO_URLS,
        "shop/models.py": DJANGO_MODELS,
    }
    assert _found(_project(tmp_path / "e", files, '"django"')) == []
