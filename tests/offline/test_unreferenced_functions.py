"""Advice in a top-level function nothing in the project names is dropped, whichever rule made
it; a name written anywhere else (another module, a registry's string, ``__all__``, a test),
a decorator, or a module no other file names keeps the function's advice."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .trees import write_tree

VIEWS = """\
from flask import Flask

from .services import sync_rates

app = Flask(__name__)


@app.get("/rates")
def rates():
    return sync_rates()
"""

SERVICES = """\
import requests


def sync_rates():
    return requests.get("https://rates.example.com").json()


def legacy_rates():
    return requests.get("https://old-rates.example.com").json()
"""


def _bkd301(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    root = write_tree(tmp_path / "app", {"requirements.txt": "flask\nrequests\n", **files})
    found = collect([str(root)], ["error-handling"])
    return sorted((Path(s.path).name, s.span.start.line + 1) for s in found if s.code == "BKD301")


def _app(**more: str) -> dict[str, str]:
    files = {"shop/__init__.py": "", "shop/views.py": VIEWS, "shop/services.py": SERVICES}
    return {**files, **more}


def test_advice_in_a_helper_nothing_names_is_dropped(tmp_path: Path) -> None:
    assert _bkd301(tmp_path, _app()) == [("services.py", 5)]


def test_a_helper_another_module_calls_keeps_its_advice(tmp_path: Path) -> None:
    jobs = "from .services import legacy_rates\n\n\ndef nightly():\n    legacy_rates()\n"
    found = _bkd301(tmp_path, _app(**{"shop/jobs.py": jobs, "shop/cron.py": "import jobs\n"}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_a_helper_named_only_in_a_registry_string_keeps_its_advice(tmp_path: Path) -> None:
    beat = 'CELERY_BEAT_SCHEDULE = {"rates": {"task": "shop.services.legacy_rates"}}\n'
    found = _bkd301(tmp_path, _app(**{"shop/settings.py": beat}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_a_decorated_helper_keeps_its_advice(tmp_path: Path) -> None:
    decorated = SERVICES.replace(
        "def legacy_rates", "from functools import cache\n\n\n@cache\ndef legacy_rates"
    )
    found = _bkd301(tmp_path, _app(**{"shop/services.py": decorated}))
    assert found == [("services.py", 5), ("services.py", 13)]


def test_a_helper_in_all_keeps_its_advice(tmp_path: Path) -> None:
    exported = SERVICES + '\n\n__all__ = ["sync_rates", "legacy_rates"]\n'
    found = _bkd301(tmp_path, _app(**{"shop/services.py": exported}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_a_helper_only_a_test_calls_keeps_its_advice(tmp_path: Path) -> None:
    test = "from shop.services import legacy_rates\n\n\ndef test_it():\n    legacy_rates()\n"
    found = _bkd301(tmp_path, _app(**{"tests/test_services.py": test}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_a_name_a_computed_lookup_may_complete_keeps_its_advice(tmp_path: Path) -> None:
    lookup = (
        "from . import services\n\n\ndef run(kind):\n    getattr(services, f'legacy_{kind}')()\n"
    )
    found = _bkd301(tmp_path, _app(**{"shop/dispatch.py": lookup}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_a_module_no_other_file_names_is_not_judged(tmp_path: Path) -> None:
    # run by its path or a fragment under review: its functions' callers are unknown
    found = _bkd301(tmp_path, {"fetch_rates.py": SERVICES})
    assert found == [("fetch_rates.py", 5), ("fetch_rates.py", 9)]


def test_a_module_its_own_calls_keep_alive(tmp_path: Path) -> None:
    calls = SERVICES + "\n\ndef both():\n    return sync_rates(), legacy_rates()\n"
    found = _bkd301(tmp_path, _app(**{"shop/services.py": calls}))
    assert found == [("services.py", 5), ("services.py", 9)]


def test_recursion_alone_does_not_keep_a_helper_alive(tmp_path: Path) -> None:
    recursive = SERVICES.replace(
        '    return requests.get("https://old-rates.example.com").json()',
        '    return requests.get("https://old-rates.example.com").json() or legacy_rates()',
    )
    assert _bkd301(tmp_path, _app(**{"shop/services.py": recursive})) == [("services.py", 5)]


ROUTES_TS = """\
import express from "express";

const app = express();

async function rates() {
  return fetch("https://rates.example.com");
}

async function legacyRates() {
  return fetch("https://old-rates.example.com");
}

export async function exportedRates() {
  return fetch("https://new-rates.example.com");
}

app.get("/rates", async (req, res) => res.json(await rates()));
"""


def _foreign_bkd301(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int]]:
    root = write_tree(tmp_path / "app", files)
    found = collect([str(root)], ["error-handling"])
    return sorted((Path(s.path).name, s.span.start.line + 1) for s in found if s.code == "BKD301")


def test_a_module_function_nothing_names_in_typescript_is_dropped(tmp_path: Path) -> None:
    found = _foreign_bkd301(tmp_path, {"package.json": "{}", "routes.ts": ROUTES_TS})
    # ``legacyRates`` (line 10) is dead; the route's and the exported one keep theirs
    assert found == [("routes.ts", 6), ("routes.ts", 14)]


def test_a_typescript_function_another_module_names_keeps_its_advice(tmp_path: Path) -> None:
    other = "// the old client still calls legacyRates through the bundle\n"
    found = _foreign_bkd301(
        tmp_path, {"package.json": "{}", "routes.ts": ROUTES_TS, "legacy.js": other}
    )
    assert found == [("routes.ts", 6), ("routes.ts", 10), ("routes.ts", 14)]


GO = """\
package main

import (
	"net/http"
)

func fetchRates() (*http.Response, error) {
	return http.Get("https://rates.example.com")
}

func FetchExported() (*http.Response, error) {
	return http.Get("https://new-rates.example.com")
}

func main() {
	http.ListenAndServe(":8080", nil)
}
"""


def test_a_lower_case_go_function_nothing_names_is_dropped(tmp_path: Path) -> None:
    files = {"go.mod": "module example.com/app\n\ngo 1.22\n", "main.go": GO}
    without = _foreign_bkd301(tmp_path / "a", files)
    called = GO.replace('":8080", nil)', '":8080", nil)\n\tfetchRates()')
    with_call = _foreign_bkd301(tmp_path / "b", {**files, "main.go": called})
    assert {line for _, line in without} < {line for _, line in with_call}
    assert 8 in {line for _, line in with_call} and 8 not in {line for _, line in without}
