"""Nineteenth held-out round, after its measurement (shapes of our own): an app's own
``commands/setup.py`` is no project of its own; a typer command module and the modules only it
imports are off the request path, while the web app's module stays an entry whoever imports
it; a column written ``index=False`` gets no index (and no edit repeating the keyword); a
re-read of a row the view fetched by its own key needs no 404; a workflow's ``State`` table
and ``systemtests/`` get nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.edit_gate import parsed
from subagent_lsp.review.offline.project_files import project_root
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _found(root: Path, kind: str) -> list[Suggestion]:
    return sorted(collect([str(root)], [kind]), key=lambda s: (s.path, s.span.start.line))


def test_a_set_up_command_named_setup_py_starts_no_project(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "app"\ndependencies = ["fastapi"]\n',
            "src/app/commands/setup.py": "import os\n\n\ndef run():\n    os.makedirs('x')\n",
            "src/app/packaged/setup.py": "from setuptools import setup\n\nsetup(name='x')\n",
        },
    )
    assert project_root(str(root / "src/app/commands/setup.py")) == str(root)
    assert project_root(str(root / "src/app/packaged/setup.py")) == str(root / "src/app/packaged")


APP = {
    "pyproject.toml": '[project]\nname = "app"\ndependencies = ["fastapi", "typer", "requests"]\n',
    "src/app/main.py": """\
from fastapi import FastAPI

from app.tasks import _setup


def server():
    app = FastAPI()
    from app.routes import pages

    app.include_router(pages.router)
    return app


def cli():
    import typer

    from app.routes import commands

    main = typer.Typer()
    main.add_typer(commands.router)
    main()
""",
    "src/app/tasks.py": "def _setup():\n    return None\n",
    "src/app/routes/pages.py": """\
from fastapi import APIRouter

from app.clients import fetch_rates

router = APIRouter()


@router.get("/rates")
def rates():
    return fetch_rates()
""",
    "src/app/routes/commands.py": """\
import typer

from ..commands import download

router = typer.Typer()


@router.command("download")
def download_docs():
    download.run()
""",
    "src/app/commands/download.py": """\
import requests

from app.main import server


def run():
    return requests.get("https://docs.example.com/terms").text
""",
    "src/app/clients.py": """\
import requests


def fetch_rates():
    return requests.get("https://rates.example.com/latest").json()
""",
}


def test_what_only_a_typer_command_module_reaches_is_off_the_request_path(tmp_path: Path) -> None:
    root = _write(tmp_path, APP)
    timeouts = [s for s in _found(root, "error-handling") if s.code == "BKD301"]
    # the route's client keeps its timeout; the command's download (in a namespace package,
    # importing the app's entry module) gets none
    assert [Path(s.path).name for s in timeouts] == ["clients.py"]


MODELS = """\
from django.db import models


class State(models.Model):
    name = models.CharField(max_length=20)


class Bundle(models.Model):
    name = models.CharField(max_length=50)
    url = models.CharField(max_length=200, db_index=False)
    owner = models.CharField(max_length=50)
"""

VIEWS = """\
from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from shop.models import Bundle, State


def bundle(request, pk):
    found = get_object_or_404(Bundle, pk=pk)
    again = Bundle.objects.get(pk=found.pk)
    return JsonResponse({"name": again.name})


def by_url(request):
    rows = Bundle.objects.filter(url=request.GET.get("url", ""))
    return JsonResponse({"n": rows.count()})


def by_owner(request):
    rows = Bundle.objects.filter(owner=request.GET.get("owner", ""))
    return JsonResponse({"n": rows.count()})


def state(request):
    found = State.objects.filter(name__iexact=request.GET.get("name", "")).first()
    return JsonResponse({"id": found.pk if found else None})
"""


def _shop(root: Path) -> Path:
    return _write(
        root,
        {
            "requirements.txt": "django>=4.2\n",
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "shop/views.py": VIEWS,
            "systemtests/client.py": "import requests\n\n\ndef ping(url):\n"
            "    return requests.get(url).status_code\n",
        },
    )


def test_index_false_a_state_table_and_a_re_read_get_nothing(tmp_path: Path) -> None:
    root = _shop(tmp_path)
    # ``url`` says db_index=False and State is a workflow's handful of states: only owner
    assert [s.title for s in _found(root, "index")] == ["Add an index on bundle (owner)"]
    rows = [s for s in _found(root, "error-handling") if s.code == "BKD304"]
    assert rows == []  # ``Bundle.objects.get(pk=found.pk)`` re-reads the row it has


def test_systemtests_are_not_sources(tmp_path: Path) -> None:
    root = _shop(tmp_path)
    assert [s for s in _found(root, "error-handling") if "systemtests" in s.path] == []


def test_an_edit_that_repeats_a_keyword_does_not_parse() -> None:
    # ast.parse accepts it; the compiler does not (a SyntaxError on import)
    assert parsed("f(index=False, index=True)\n") is None
    assert parsed("f(index=True)\n") is not None
