"""BKD302 on two shapes blind judges found: an upstream's JSON read with no look at its status
(``resp.json()["items"]`` after a ``try`` that answers only the request's own failure, or with
no ``try`` at all, directly or in a helper the view calls), and a ``try`` whose handlers take
less than the call raises (``except requests.Timeout``, ``except httpx.RequestError`` around a
``raise_for_status()``). Every fixture is our own, written in the apps' shapes."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["flask", "requests", "httpx"]\n'
HEAD = "import requests\nfrom flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n"

# The try answers a dead upstream with a 502; an error page still reaches ``.json()``.
AFTER_TRY = HEAD + (
    '@app.get("/items")\n'
    "def items():\n"
    "    try:\n"
    '        resp = requests.get("https://catalog.example.com/items", timeout=5)\n'
    "    except requests.RequestException:\n"
    '        return jsonify(error="catalog unavailable"), 502\n'
    '    return jsonify(resp.json()["items"])\n'
)
NO_TRY = HEAD + (
    '@app.get("/items")\n'
    "def items():\n"
    '    resp = requests.get("https://catalog.example.com/items", timeout=5)\n'
    '    return jsonify(resp.json()["items"])\n'
)
TIMEOUT_ONLY = HEAD + (
    '@app.get("/items")\n'
    "def items():\n"
    "    try:\n"
    '        resp = requests.get("https://catalog.example.com/items", timeout=5)\n'
    "    except requests.Timeout:\n"
    '        return jsonify(error="catalog timed out"), 504\n'
    '    return jsonify(resp.json()["items"])\n'
)
HTTPX_TRANSPORT = (
    "import httpx\nfrom flask import Flask, jsonify\n\napp = Flask(__name__)\n\n\n"
    '@app.get("/items")\n'
    "def items():\n"
    "    try:\n"
    '        resp = httpx.get("https://catalog.example.com/items", timeout=5)\n'
    "        resp.raise_for_status()\n"
    "    except httpx.RequestError:\n"
    '        return jsonify(error="catalog unavailable"), 502\n'
    '    return jsonify(resp.json()["items"])\n'
)
HELPER = (
    "import requests\n\n\n"
    "def fetch_items(url):\n"
    "    try:\n"
    "        resp = requests.get(url, timeout=5)\n"
    "    except requests.RequestException:\n"
    "        return []\n"
    '    return resp.json()["items"]\n'
)
VIEWS = (
    "from flask import Flask, jsonify\n\n"
    "from shop.catalog import fetch_items\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.get("/items")\n'
    "def items():\n"
    '    return jsonify(fetch_items("https://catalog.example.com/items"))\n'
)


def _found(root: Path, files: dict[str, str]) -> list[Suggestion]:
    for rel, text in {"pyproject.toml": PYPROJECT, "shop/__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, int, str]]:
    return [
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title) for s in found
    ]


def test_a_read_after_a_try_that_answers_502_gets_the_status_check(tmp_path: Path) -> None:
    found = _found(tmp_path, {"shop/app.py": AFTER_TRY})
    assert _where(tmp_path, found) == [
        ("shop/app.py", 10, "Check the status of the requests.get response before reading its JSON")
    ]
    (suggestion,) = found
    assert "a JSONDecodeError" in suggestion.rationale
    assert "`requests.RequestException` its `except` already answers" in suggestion.rationale
    (new,) = apply_suggestion(suggestion).values()
    ast.parse(new)
    assert (
        '        resp = requests.get("https://catalog.example.com/items", timeout=5)\n'
        "        resp.raise_for_status()\n"
        "    except requests.RequestException:\n"
    ) in new
    assert _found(tmp_path, {}) == []  # applied, the read is checked


def test_a_response_whose_status_the_view_reads_is_left_alone(tmp_path: Path) -> None:
    checked = AFTER_TRY.replace(
        '    return jsonify(resp.json()["items"])\n',
        "    if not resp.ok:\n"
        '        return jsonify(error="catalog refused"), 502\n'
        '    return jsonify(resp.json()["items"])\n',
    )
    assert _found(tmp_path / "ok", {"shop/app.py": checked}) == []
    # ``except ValueError`` around the read is the view's own answer to a body that is not JSON
    decoded = AFTER_TRY.replace(
        '    return jsonify(resp.json()["items"])\n',
        "    try:\n"
        '        return jsonify(resp.json()["items"])\n'
        "    except (ValueError, KeyError):\n"
        '        return jsonify(error="catalog refused"), 502\n',
    )
    assert _found(tmp_path / "decoded", {"shop/app.py": decoded}) == []
    # an app-wide handler of every error answers the KeyError already
    app_wide = AFTER_TRY + (
        "\n\n@app.errorhandler(Exception)\n"
        "def failed(error):\n"
        '    return jsonify(error="failed"), 500\n'
    )
    assert _found(tmp_path / "app_wide", {"shop/app.py": app_wide}) == []


def test_the_502_for_an_unguarded_call_checks_the_status_it_reads(tmp_path: Path) -> None:
    (suggestion,) = _found(tmp_path, {"shop/app.py": NO_TRY})
    assert suggestion.title == "Answer 502 when requests.get fails"
    assert "`resp.json()` is read unchecked" in suggestion.rationale
    (new,) = apply_suggestion(suggestion).values()
    ast.parse(new)
    assert (
        "    try:\n"
        '        resp = requests.get("https://catalog.example.com/items", timeout=5)\n'
        "        resp.raise_for_status()\n"
        "    except requests.RequestException:\n"
    ) in new
    assert _found(tmp_path, {}) == []


def test_a_timeout_handler_alone_gets_the_base_class_after_it(tmp_path: Path) -> None:
    (suggestion,) = _found(tmp_path, {"shop/app.py": TIMEOUT_ONLY})
    assert suggestion.title == "Answer 502 when requests.get fails"
    assert "past the `except requests.Timeout` around it" in suggestion.rationale
    (new,) = apply_suggestion(suggestion).values()
    ast.parse(new)
    # the view's own 504 stays first; the base class after it answers the rest
    assert (
        "        resp.raise_for_status()\n"
        "    except requests.Timeout:\n"
        '        return jsonify(error="catalog timed out"), 504\n'
        "    except requests.RequestException:\n"
    ) in new
    assert _found(tmp_path, {}) == []
    both = TIMEOUT_ONLY.replace(
        "except requests.Timeout:", "except (requests.Timeout, requests.ConnectionError):"
    ).replace('    return jsonify(resp.json()["items"])\n', "    return jsonify(resp.text)\n")
    assert _found(tmp_path / "both", {"shop/app.py": both}) == []


def test_an_httpx_transport_handler_misses_the_status_it_raises(tmp_path: Path) -> None:
    (suggestion,) = _found(tmp_path, {"shop/app.py": HTTPX_TRANSPORT})
    assert "past the `except httpx.RequestError` around it" in suggestion.rationale
    (new,) = apply_suggestion(suggestion).values()
    ast.parse(new)
    assert "    except httpx.RequestError:\n" in new
    assert "    except httpx.HTTPError:\n" in new
    assert _found(tmp_path, {}) == []
    clean = HTTPX_TRANSPORT.replace("except httpx.RequestError:", "except httpx.HTTPError:")
    assert _found(tmp_path / "clean", {"shop/app.py": clean}) == []


def test_a_helper_the_view_calls_gets_the_check_in_its_own_try(tmp_path: Path) -> None:
    found = _found(tmp_path, {"shop/catalog.py": HELPER, "shop/views.py": VIEWS})
    assert _where(tmp_path, found) == [
        (
            "shop/views.py",
            10,
            "Check the status of the requests.get response in fetch_items before reading its JSON",
        )
    ]
    (suggestion,) = found
    assert "`fetch_items` (in catalog.py) reads `resp.json()`" in suggestion.rationale
    changed = apply_suggestion(suggestion)
    assert list(changed) == [str(tmp_path / "shop" / "catalog.py")]
    assert (
        "        resp.raise_for_status()\n    except requests.RequestException:\n"
        in (changed[str(tmp_path / "shop" / "catalog.py")])
    )
    assert _found(tmp_path, {}) == []


def test_a_helper_no_view_calls_is_left_alone(tmp_path: Path) -> None:
    command = (
        "import click\n\nfrom shop.catalog import fetch_items\n\n\n"
        "@click.command()\n"
        "def sync():\n"
        '    print(fetch_items("https://catalog.example.com/items"))\n'
    )
    assert _found(tmp_path, {"shop/catalog.py": HELPER, "shop/cli.py": command}) == []
