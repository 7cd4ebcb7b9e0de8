"""Which files are sources of backend suggestions (issue #15): tests, fixtures, migrations and
test-data scripts are not, by default; the notSources setting says otherwise, in the CLI (a
configuration file) and the server alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.cli.suggest import collect
from subagent_lsp.config import Settings, parse_settings
from subagent_lsp.review.offline.not_sources import DEFAULT_NOT_SOURCES, is_not_a_source

ROUTE = (
    "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
    "@app.get('/rates')\ndef rates():\n"
    "    return requests.get('https://rates.example.com', timeout=5).json()\n"
)
PYPROJECT = '[project]\nname = "app"\ndependencies = ["flask", "requests"]\n'

# path below the project root -> a source by default?
DEFAULTS = {
    "app/views.py": True,
    "app/testing_utils.py": True,
    "app/latest_metadata.py": True,  # "test_" inside a word is not a test-data script
    "tests/test_views.py": False,
    "app/tests/helpers.py": False,
    "app/test_views.py": False,
    "app/views_test.py": False,
    "tests.py": False,
    "conftest.py": False,
    "migrations/versions/0001_init.py": False,
    "app/fixtures/users.py": False,
    "tools/create_test_sponsor_data.py": False,
    "tools/seed_users.py": False,
    "tools/fake_orders.py": False,
    "tools/sync_orders.py": True,
    "scripts/release.py": False,
    "web/src/orders.test.ts": False,
    "web/src/orders.ts": True,
    "web/src/__tests__/orders.js": False,
    "svc/orders_test.go": False,
    "svc/orders.go": True,
    "db/seeds/users.js": False,
    "app/factories.py": False,  # factory_boy's test data
    "app/factories/offers.py": False,
    "app/factory.py": True,  # an app factory (create_app) serves requests
    "static/js/pdf.min.js": False,
    "vendor/lib/client.py": False,
    "api/proto/orders_pb2.py": False,
    "api/orders.py": True,
}


@pytest.mark.parametrize(("rel", "source"), sorted(DEFAULTS.items()))
def test_the_default_patterns(tmp_path: Path, rel: str, source: bool) -> None:
    assert is_not_a_source(str(tmp_path / rel), str(tmp_path)) is not source


def test_folders_above_the_project_root_do_not_count(tmp_path: Path) -> None:
    root = tmp_path / "tests" / "checkout"  # a checkout inside a folder named tests
    assert not is_not_a_source(str(root / "app" / "views.py"), str(root))
    # Outside any project, every folder on the path does.
    assert is_not_a_source(str(root / "app" / "views.py"), None)


def test_the_setting_defaults_to_the_built_in_patterns() -> None:
    assert Settings().not_sources == DEFAULT_NOT_SOURCES
    assert parse_settings({}).not_sources == DEFAULT_NOT_SOURCES
    assert parse_settings({"notSources": []}).not_sources == ()


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_collect_follows_the_patterns(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "tests/app.py": ROUTE,
            "jobs/app.py": ROUTE,
            "notebooks/demo/app.py": ROUTE,
        },
    )

    def where(patterns: tuple[str, ...]) -> set[str]:
        found = collect([str(tmp_path)], ["error-handling"], not_sources=patterns)
        return {Path(s.path).parent.name for s in found}

    assert where(DEFAULT_NOT_SOURCES) == {"jobs"}
    assert where(()) == {"jobs", "tests", "demo"}
    assert where(("jobs/",)) == {"tests", "demo"}


def test_the_cli_reads_the_setting_from_the_configuration_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT + '\n[tool.subagent-lsp]\nnotSources = ["jobs/"]\n',
            "tests/app.py": ROUTE,
            "jobs/app.py": ROUTE,
        },
    )
    main(["suggest", "--format", "json", str(tmp_path)])
    captured = capsys.readouterr()
    paths = {Path(item["path"]).parent.name for item in json.loads(captured.out)}
    assert paths == {"tests"}, captured.err


def test_a_module_named_like_a_test_that_tests_nothing_is_a_source(tmp_path: Path) -> None:
    """A real exam app's ``routes/mock_test.py`` (its practice tests' routes) drew nothing:
    ``*_test.py`` is pytest's name, and also a domain's word."""
    routes = tmp_path / "routes"
    routes.mkdir()
    (routes / "mock_test.py").write_text(
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        "@router.get('/mock-tests')\ndef mock_tests():\n    return []\n"
    )
    (routes / "views_test.py").write_text("def test_views():\n    assert True\n")
    (routes / "client_test.py").write_text(
        "from fastapi.testclient import TestClient\n\nclient = TestClient(None)\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "mock_test.py").write_text("VALUE = 1\n")
    root = str(tmp_path)
    assert not is_not_a_source(str(routes / "mock_test.py"), root)
    assert is_not_a_source(str(routes / "views_test.py"), root)
    assert is_not_a_source(str(routes / "client_test.py"), root)
    assert is_not_a_source(str(tmp_path / "tests" / "mock_test.py"), root)  # its folder says
    # a setting without the pattern keeps its own word
    assert is_not_a_source(str(routes / "mock_test.py"), root, ["mock_test.py"])
