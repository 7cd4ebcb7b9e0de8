"""The offline backend-developer engine on small realistic apps: planted defects, clean twins,
every suggestion applied, index proofs on SQLite's planner."""

from __future__ import annotations

import ast
import shutil
import sqlite3
from pathlib import Path

import pytest

from subagent_lsp.policy import Policy
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.suggestion import Suggestion

from ..conftest import REPO
from .applied import apply_suggestion

EXAMPLES = REPO / "examples" / "backend"

# (file, 1-based line, code): every planted defect, and nothing else.
EXPECTED = {
    ("django_blog/views.py", 9, "BKD304"),
    ("django_blog/views.py", 14, "BKD101"),
    ("django_blog/views.py", 15, "BKD202"),
    ("django_blog/views.py", 20, "BKD205"),
    ("django_blog/views.py", 25, "BKD305"),
    ("fastapi_notes/main.py", 31, "BKD101"),
    ("fastapi_notes/main.py", 36, "BKD203"),
    ("fastapi_notes/main.py", 40, "BKD303"),
    ("fastapi_notes/main.py", 46, "BKD204"),
    ("fastapi_notes/main.py", 47, "BKD301"),
    ("fastapi_notes/main.py", 47, "BKD302"),
    ("flask_shop/app.py", 12, "BKD202"),
    ("flask_shop/app.py", 14, "BKD101"),
    ("flask_shop/app.py", 32, "BKD201"),
    ("flask_shop/tasks.py", 14, "BKD303"),
    ("flask_shop/app.py", 46, "BKD301"),
    ("flask_shop/app.py", 46, "BKD302"),
    ("raw_sql/reports.sql", 2, "BKD101"),
    ("raw_sql/reports.sql", 5, "BKD101"),
    ("raw_sql/repository.py", 11, "BKD101"),
}
CLEAN = [
    "flask_shop/app_clean.py",
    "fastapi_notes/main_clean.py",
    "django_blog/views_clean.py",
    "raw_sql/repository_clean.py",
    "flask_shop/models.py",
    "django_blog/models.py",
    "raw_sql/schema.sql",
]


def _suggest(root: Path, rel: str) -> list[Suggestion]:
    cache = SchemaCache()
    cache.scan([str(root)])
    path = root / rel
    return analyze(str(path), path.read_text(encoding="utf-8"), cache.schema())


@pytest.fixture()
def app_copy(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "backend")
    return tmp_path / "backend"


def test_every_planted_defect_and_nothing_else() -> None:
    found = set()
    for path in sorted(EXAMPLES.rglob("*.*")):
        if path.suffix not in (".py", ".sql"):
            continue  # Node and Go: tests/offline/test_node_go.py
        rel = path.relative_to(EXAMPLES).as_posix()
        found |= {(rel, s.span.start.line + 1, s.code) for s in _suggest(EXAMPLES, rel)}
    assert found == EXPECTED


@pytest.mark.parametrize("rel", CLEAN)
def test_clean_code_gets_nothing(rel: str) -> None:
    assert _suggest(EXAMPLES, rel) == []


def _valid(path: str, text: str) -> None:
    if path.endswith(".py"):
        ast.parse(text)  # the edited file still parses
    else:
        sqlite3.connect(":memory:").executescript(text)  # and the SQL still runs


@pytest.mark.parametrize("rel", sorted({e[0] for e in EXPECTED}))
def test_each_suggestion_applies_cleanly_and_resolves_itself(app_copy: Path, rel: str) -> None:
    suggestions = _suggest(app_copy, rel)
    assert suggestions
    for index in range(len(suggestions)):
        current = _suggest(app_copy, rel)
        target = next(
            (
                s
                for s in current
                if s.code == suggestions[index].code
                and s.span.start.line >= suggestions[index].span.start.line - 30
            ),
            None,
        )
        if target is None:
            continue  # an earlier edit moved it; it is checked in its own run below
        for path, text in apply_suggestion(target).items():
            _valid(path, text)
        after = {(s.code, s.title) for s in _suggest(app_copy, rel)}
        assert (target.code, target.title) not in after, target.title


def test_index_suggestions_carry_both_plans() -> None:
    index = [s for s in _suggest(EXAMPLES, "raw_sql/reports.sql") if s.code == "BKD101"]
    assert index and all(s.proven for s in index)
    first = index[0]
    assert "Plan before: SCAN events" in first.rationale
    assert "SEARCH events USING INDEX" in first.rationale
    assert first.edits[0].path.endswith("schema.sql")
    assert first.edits[0].new_text.startswith("CREATE INDEX ix_events_account_id_occurred_at")


def test_half_typed_file_still_gets_suggestions_for_what_parses(app_copy: Path) -> None:
    app = app_copy / "flask_shop" / "app.py"
    text = app.read_text()
    app.write_text(
        text.replace(
            '@app.post("/orders")',
            '@app.post("/orders")\ndef half(:\n    x = \n\n\n@app.post("/x")',
        )
    )
    codes = {s.code for s in _suggest(app_copy, "flask_shop/app.py")}
    assert {"BKD202", "BKD101", "BKD301"} <= codes


def test_huge_file_and_unreadable_sql_do_not_crash(tmp_path: Path) -> None:
    big = "def f():\n    return 1\n" * 200_000
    assert analyze(str(tmp_path / "big.py"), big) == []
    assert analyze(str(tmp_path / "q.sql"), "SELECT FROM WHERE ((( ;;; garbage") == []
    assert (
        analyze(str(tmp_path / "x.py"), "cursor.execute('SELECT * FROM nowhere WHERE a = ?')") == []
    )


def test_existing_handling_is_respected(tmp_path: Path) -> None:
    code = """import requests
from flask import Flask, jsonify
from sqlalchemy.exc import SQLAlchemyError

app = Flask(__name__)


@app.errorhandler(requests.RequestException)
def upstream(exc):
    return jsonify(error="upstream"), 502


@app.errorhandler(SQLAlchemyError)
def database(exc):
    db.session.rollback()
    return jsonify(error="database"), 500


@app.get("/x")
def x():
    data = requests.get("https://example.com", timeout=3).json()
    db.session.commit()
    return jsonify(data)
"""
    assert analyze(str(tmp_path / "a.py"), code) == []
    without = code.replace(
        "@app.errorhandler(requests.RequestException)", "@app.errorhandler(KeyError)"
    )
    assert [s.code for s in analyze(str(tmp_path / "a.py"), without)] == ["BKD302"]


def test_suppression_comment(tmp_path: Path) -> None:
    code = "import requests\n\ndef f():\n    return requests.get('https://x')  # subagent-lsp: ignore BKD301\n"
    path = str(tmp_path / "a.py")
    found = analyze(path, code)
    assert [s.code for s in found] == ["BKD301"]  # the engine finds; the policy silences
    assert Policy().apply(path, code.splitlines(), found) == []
    assert [
        s.code
        for s in analyze(
            str(tmp_path / "a.py"), code.replace("  # subagent-lsp: ignore BKD301", "")
        )
    ] == ["BKD301"]


def test_kind_filter() -> None:
    path = EXAMPLES / "flask_shop" / "app.py"
    cache = SchemaCache()
    cache.scan([str(EXAMPLES)])
    only = analyze(str(path), path.read_text(), cache.schema(), kinds=["index"])
    assert {s.kind for s in only} == {"index"}
