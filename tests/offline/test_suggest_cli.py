from __future__ import annotations

import json

import pytest

from subagent_lsp.cli import main

from ..conftest import REPO

BACKEND = REPO / "examples" / "backend"


def test_suggest_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--format", "json", str(BACKEND / "raw_sql" / "reports.sql")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["kind"] for d in data] == ["index", "index"]
    first = data[0]
    assert set(first) >= {"path", "kind", "range", "title", "rationale", "engine", "edits"}
    assert first["engine"] == "offline" and first["proven"] is True
    assert first["range"]["start"] == {"line": 1, "character": 0}
    edit = first["edits"][0]
    assert edit["path"].endswith("schema.sql") and edit["newText"].startswith("CREATE INDEX")


def test_suggest_text_shows_diffs_and_kind_filter(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "--kind", "error-handling", str(BACKEND / "flask_shop")]) == 0
    out = capsys.readouterr().out
    assert "BKD303 [error-handling]" in out and "+            db.session.rollback()" in out
    assert "[index]" not in out and "[validation]" not in out
    assert out.rstrip().endswith("backend-developer (offline engine): 3 error-handling.")


def test_suggest_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["suggest", "/no/such/file.py"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_configuration_turns_backend_codes_off(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    import shutil

    shutil.copytree(BACKEND / "flask_shop", tmp_path / "flask_shop")
    (tmp_path / ".subagent-lsp.toml").write_text('ignore = ["BKD30"]\n')
    assert main(["suggest", "--format", "json", str(tmp_path / "flask_shop" / "app.py")]) == 0
    codes = {d["code"] for d in json.loads(capsys.readouterr().out)}
    assert codes == {"BKD101", "BKD201", "BKD202"}


def test_flush_without_rollback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from subagent_lsp.review.offline.engine import analyze

    # The function opens the session itself, so nobody else will roll it back (a session passed
    # in belongs to the caller: see test_real_patterns.py).
    code = (
        "from sqlalchemy.orm import Session\n\n\n"
        "def save(engine, item):\n"
        "    session = Session(engine)\n"
        "    session.add(item)\n"
        "    session.flush()\n"
        "    return session.get(type(item), item.id)\n"
    )
    assert [s.code for s in analyze(str(tmp_path / "a.py"), code)] == ["BKD303"]
