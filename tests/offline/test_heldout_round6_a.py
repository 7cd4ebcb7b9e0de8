"""Sixth held-out round, its noise causes outside the request path and in async sessions:
management and CLI commands, build scripts and end-to-end tests get no advice; a rollback on
an ``AsyncSession`` is awaited; browser JavaScript (a client-code folder, a bundler-only
package, DOM calls) is not server code. Small fixtures of our own that reproduce each shape:
what a reviewer rejected stays silent, what a reviewer accepted is still suggested, and every
edit applies and parses."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.not_sources import is_not_a_source
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

DJANGO = '[project]\nname = "site"\ndependencies = ["django", "requests"]\n'
FLASK = (
    '[project]\nname = "site"\ndependencies = ["flask", "flask-sqlalchemy", "click", "requests"]\n'
)
FASTAPI = '[project]\nname = "api"\ndependencies = ["fastapi", "sqlalchemy"]\n'


def _project(root: Path, manifest: str, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": manifest, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _applies(s: Suggestion) -> dict[str, str]:
    originals = {e.path: Path(e.path).read_text() for e in s.edits}
    out = apply_suggestion(s)
    for text in out.values():
        ast.parse(text)
    for path, text in originals.items():
        Path(path).write_text(text)
    return out


# --- 1. code no request runs: commands, CLI, scripts, e2e tests ---

DJANGO_MODELS = """\
from django.db import models


class Feed(models.Model):
    url = models.CharField(max_length=200)
    title = models.CharField(max_length=200)
"""

FEED_LOOKUP = """\
def _lookup(url):
    return Feed.objects.filter(url=url).first()
"""

COMMAND = f"""\
import requests
from django.core.management.base import BaseCommand

from feeds.models import Feed


{FEED_LOOKUP}

class Command(BaseCommand):
    help = "Refresh every feed."

    def handle(self, *args, **options):
        for url in options["urls"]:
            self.refresh(url)

    def refresh(self, url):
        body = requests.get(url).text
        feed = Feed.objects.filter(url=url).first()
        feed.title = body[:200]
        feed.save()
"""

FEED_VIEWS = """\
from django.http import HttpResponse

from feeds.models import Feed


def by_url(request):
    feed = Feed.objects.filter(url=request.GET.get("url", "")).first()
    return HttpResponse(feed.title if feed else "")
"""


def test_a_management_command_and_its_helpers_get_nothing(tmp_path: Path) -> None:
    # A module of its own, away from management/commands/: the base class says what it is.
    root = _project(
        tmp_path, DJANGO, {"feeds/models.py": DJANGO_MODELS, "feeds/jobs/refresh.py": COMMAND}
    )
    assert collect([str(root)]) == []


def test_the_same_query_in_a_view_is_still_told(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        DJANGO,
        {
            "feeds/models.py": DJANGO_MODELS,
            "feeds/management/commands/refresh.py": COMMAND,
            "feeds/views.py": FEED_VIEWS,
        },
    )
    found = collect([str(root)])
    assert _sites(found, root) == {("feeds/views.py", 7, "BKD101")}
    for s in found:
        _applies(s)


FLASK_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Rank(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    unit_id = db.Column(db.Integer)
    name = db.Column(db.String(50))
"""

CLICK_COMMANDS = """\
import click
from flask.cli import with_appcontext

from site_app.models import Rank, db


def rank_of(unit_id, name):
    return Rank.query.filter_by(unit_id=unit_id, name=name).first()


@click.command()
@click.argument("unit_id")
@with_appcontext
def add_rank(unit_id):
    if rank_of(unit_id, "officer") is None:
        db.session.add(Rank(unit_id=unit_id, name="officer"))
        db.session.commit()
"""

GROUP_COMMANDS = """\
import requests

from site_app.cli.main import tools
from site_app.models import Rank


@tools.command("sync")
def sync():
    for rank in Rank.query.filter_by(unit_id=1).all():
        requests.get("https://ranks.example/" + rank.name)
"""

APP_WITH_COMMAND = """\
import requests
from flask import Flask

from site_app.models import Rank

app = Flask(__name__)


@app.cli.command("warm")
def warm():
    requests.get("https://cache.example/warm")


@app.route("/ranks/<int:unit_id>")
def ranks(unit_id):
    requests.get("https://audit.example/ranks")
    return {"ranks": [r.name for r in Rank.query.filter_by(unit_id=unit_id).all()]}
"""


def test_click_and_group_commands_get_nothing(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        FLASK,
        {
            "site_app/models.py": FLASK_MODELS,
            "site_app/commands.py": CLICK_COMMANDS,
            "site_app/cli/tools.py": GROUP_COMMANDS,
        },
    )
    assert collect([str(root)]) == []


def test_a_cli_command_in_the_app_module_is_skipped_not_its_routes(tmp_path: Path) -> None:
    root = _project(
        tmp_path, FLASK, {"site_app/models.py": FLASK_MODELS, "site_app/app.py": APP_WITH_COMMAND}
    )
    found = collect([str(root)])
    sites = _sites(found, root)
    assert ("site_app/app.py", 11, "BKD301") not in sites  # the command's download
    assert ("site_app/app.py", 16, "BKD301") in sites  # the route's
    assert ("site_app/app.py", 17, "BKD101") in sites
    for s in found:
        _applies(s)


BUILD_SCRIPT = """\
import sys

import requests

URL = "https://data.example/{}/list.txt".format(sys.argv[1])


def rows():
    return requests.get(URL).text.splitlines()


with open("out.js", "w") as out:
    out.write(repr(rows()))
"""

MAIN_SCRIPT = """\
import requests


def latest():
    return requests.get("https://releases.example/latest").json()


if __name__ == "__main__":
    print(latest())
"""

SERVED_MAIN = """\
import requests
from flask import Flask

app = Flask(__name__)


@app.route("/latest")
def latest():
    return requests.get("https://releases.example/latest").json()


if __name__ == "__main__":
    app.run()
"""


def test_build_scripts_get_nothing_but_a_served_app_run_as_main_does(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        FLASK,
        {
            "site_app/themes/build_list.py": BUILD_SCRIPT,
            "tools/release.py": MAIN_SCRIPT,
            "scripts/changelog.py": MAIN_SCRIPT.replace("__main__", "__not_main__"),
            "site_app/server.py": SERVED_MAIN,
        },
    )
    sites = _sites(collect([str(root)]), root)
    assert ("site_app/server.py", 9, "BKD301") in sites
    assert {rel for rel, _, _ in sites} == {"site_app/server.py"}


E2E = """\
from feeds.models import Feed


def test_titles(page):
    assert Feed.objects.filter(title="x").count() == 1
"""


@pytest.mark.parametrize(
    "rel",
    [
        "feeds/tests_e2e/e2e_feeds.py",
        "e2e/feeds.py",
        "feeds/browser_tests/feeds.py",
        "scripts/load.py",
    ],
)
def test_e2e_and_script_folders_are_not_sources(tmp_path: Path, rel: str) -> None:
    root = _project(tmp_path, DJANGO, {"feeds/models.py": DJANGO_MODELS, rel: E2E})
    assert collect([str(root)]) == []
    assert is_not_a_source(str(root / rel), str(root))


@pytest.mark.parametrize("rel", ["feeds/scripts.py", "feeds/tests_helper.py", "subscripts/a.py"])
def test_names_that_only_look_like_those_folders_are_sources(tmp_path: Path, rel: str) -> None:
    assert not is_not_a_source(str(tmp_path / rel), str(tmp_path))


# --- 2. BKD303 on an async SQLAlchemy session ---

# The repository opens its session itself (one given by its creator is the creator's to roll
# back: test_heldout_round6_sessions.py).
ASYNC_REPOSITORY = """\
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

make = async_sessionmaker()
class Repository:
    def __init__(self) -> None:
        self.session: AsyncSession = make()

    async def create(self, row):
        self.session.add(row)
        await self.session.commit()
        return row

    async def update(self, row):
        self.session.add(row)
        await self.session.commit()
"""

ALIASED_REPOSITORY = """\
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import async_sessionmaker

make_session = async_sessionmaker()


async def save(row):
    session = make_session()
    session.add(row)
    await session.flush()
    if sa_exc:
        await session.refresh(row)
        return row
    return None
"""

SYNC_REPOSITORY = """\
from sqlalchemy.orm import sessionmaker

make_session = sessionmaker()


def save(row):
    session = make_session()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
"""


def _bkd303(tmp_path: Path, text: str) -> list[Suggestion]:
    root = _project(tmp_path, FASTAPI, {"api/repositories.py": text})
    return [s for s in collect([str(root)]) if s.code == "BKD303"]


def test_an_async_session_rollback_is_awaited_and_imported_once(tmp_path: Path) -> None:
    found = _bkd303(tmp_path, ASYNC_REPOSITORY)
    assert [s.span.start.line + 1 for s in found] == [10, 15]
    for s in found:
        (text,) = _applies(s).values()
        assert "await self.session.rollback()" in text
        assert text.count("from sqlalchemy.exc import SQLAlchemyError") == 1
        assert "        except SQLAlchemyError:" in text


def test_the_apps_own_exc_module_names_the_error(tmp_path: Path) -> None:
    (s,) = _bkd303(tmp_path, ALIASED_REPOSITORY)
    (text,) = _applies(s).values()
    assert "except sa_exc.SQLAlchemyError:" in text
    assert "await session.rollback()" in text
    assert "import SQLAlchemyError" not in text


def test_a_sync_session_rollback_is_not_awaited(tmp_path: Path) -> None:
    (s,) = _bkd303(tmp_path, SYNC_REPOSITORY)
    (text,) = _applies(s).values()
    assert "        session.rollback()" in text and "await" not in text


# --- 3. browser JavaScript ---

FETCHES = """\
export class Api {
  list(url) {
    return fetch(url)
      .then((response) => response.json())
      .then((data) => data.results);
  }
}
"""

BUNDLED = '{"scripts": {"build": "rollup -c"}, "dependencies": {"@rollup/plugin-node-resolve": "^16.0.0", "lit": "^3.0.0"}}'


@pytest.mark.parametrize("folder", ["frontend", "static/js", "public", "assets"])
def test_client_code_folders_get_no_backend_advice(tmp_path: Path, folder: str) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"lit": "^3.0.0"}}')
    path = tmp_path / "app" / folder / "api.js"
    path.parent.mkdir(parents=True)
    path.write_text(FETCHES)
    assert analyze(str(path), FETCHES) == []


def test_a_bundler_only_package_is_browser_code(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(BUNDLED)
    path = tmp_path / "src/api.js"
    path.parent.mkdir()
    path.write_text(FETCHES)
    assert analyze(str(path), FETCHES) == []


def test_a_module_that_uses_the_dom_is_browser_code(tmp_path: Path) -> None:
    text = FETCHES + 'document.body.addEventListener("click", () => new Api().list("/x"));\n'
    path = tmp_path / "widget.js"
    path.write_text(text)
    assert analyze(str(path), text) == []


def test_a_bundled_server_package_is_still_told(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"express": "^4.18.2", "esbuild": "^0.20.0"}}'
    )
    path = tmp_path / "src/api.js"
    path.parent.mkdir()
    path.write_text(FETCHES)
    assert "BKD301" in {s.code for s in analyze(str(path), FETCHES)}
