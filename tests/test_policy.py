"""The one policy path: what each user setting does to findings and suggestions, wherever they
come from (one file's checks, cross-file checks, unreadable files, the backend engine)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.cli.suggest import collect
from subagent_lsp.config import parse_settings
from subagent_lsp.definitions.findings import Finding, Severity, Span
from subagent_lsp.definitions.workspace import check_paths
from subagent_lsp.policy import Policy

AGENT = (
    '---\nname: {name}\ndescription: "Use this agent to review code for bugs."\n---\nYou review.\n'
)


def _workspace(tmp_path: Path, comment: str = "") -> Path:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "one.md").write_text(AGENT.format(name="twin" + comment), encoding="utf-8")
    (agents / "two.md").write_text(AGENT.format(name="twin"), encoding="utf-8")
    (agents / "blob.md").write_bytes(b"\x00\xff\xfe binary")
    return agents


def _codes(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> dict[str, set[str]]:
    main(["check", "--format", "json", *argv, str(tmp_path)])
    out: dict[str, set[str]] = {}
    for f in json.loads(capsys.readouterr().out):
        out.setdefault(Path(f["path"]).name, set()).add(f["code"])
    return out


def test_unreadable_and_duplicate_findings_are_reported_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path)
    codes = _codes(tmp_path, [], capsys)
    assert codes["blob.md"] == {"AGT001"}
    assert "AGT051" in codes["one.md"] and "AGT051" in codes["two.md"]


def test_ignore_reaches_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path)
    assert "blob.md" not in _codes(tmp_path, ["--ignore", "AGT001"], capsys)


def test_ignore_in_configuration_reaches_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path)
    (tmp_path / ".subagent-lsp.toml").write_text('ignore = ["AGT001"]\n', encoding="utf-8")
    assert "blob.md" not in _codes(tmp_path, [], capsys)


@pytest.mark.parametrize("spelling", ["subagent-lsp", "agent-lsp"])
def test_inline_comment_silences_a_cross_file_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    _workspace(tmp_path, comment=f"  # {spelling}: ignore AGT051")
    codes = _codes(tmp_path, [], capsys)
    assert "AGT051" not in codes.get("one.md", set())
    assert "AGT051" in codes["two.md"]  # the other file did not ask


def test_per_path_ignores_silence_a_cross_file_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _workspace(tmp_path)
    (tmp_path / ".subagent-lsp.toml").write_text(
        '[perPathIgnores]\n".claude/agents/two.md" = ["AGT051"]\n', encoding="utf-8"
    )
    codes = _codes(tmp_path, [], capsys)
    assert "AGT051" in codes["one.md"] and "AGT051" not in codes.get("two.md", set())


def test_severity_reaches_cross_file_findings(tmp_path: Path) -> None:
    _workspace(tmp_path)
    settings = parse_settings({"severity": {"AGT051": "hint"}})
    results = check_paths([str(tmp_path)], settings.options)
    dup = [f for r in results for f in r.findings if f.code == "AGT051"]
    assert len(dup) == 2 and {f.severity for f in dup} == {Severity.HINT}


def test_empty_select_is_no_restriction(tmp_path: Path) -> None:
    _workspace(tmp_path)
    everything = check_paths([str(tmp_path)])
    with_empty = check_paths([str(tmp_path)], parse_settings({"select": []}).options)
    assert [r.findings for r in with_empty] == [r.findings for r in everything]
    assert any(r.findings for r in with_empty)


BACKEND = """\
import sqlite3

db = sqlite3.connect("app.db")
db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, email TEXT, total INTEGER)")


def by_email(email):{comment}
    return db.execute("SELECT * FROM orders WHERE email = ?", (email,)).fetchall()
"""


def test_backend_suggestions_take_the_same_policy(tmp_path: Path) -> None:
    app = tmp_path / "store.py"
    app.write_text(BACKEND.format(comment=""), encoding="utf-8")
    plain = collect([str(app)])
    assert [s.code for s in plain] == ["BKD101"]
    assert plain[0].severity is Severity.INFORMATION
    rated = collect(
        [str(app)], policy=parse_settings({"severity": {"BKD101": "warning"}}).options.policy
    )
    assert [s.severity for s in rated] == [Severity.WARNING]
    assert collect([str(app)], policy=parse_settings({"ignore": ["BKD1"]}).options.policy) == []
    line = BACKEND.splitlines().index("def by_email(email):{comment}") + 1
    assert (
        plain[0].span.start.line == line
    )  # the query's line: a comment on the line above silences it
    app.write_text(BACKEND.format(comment="\n    # subagent-lsp: ignore BKD101"), encoding="utf-8")
    assert collect([str(app)]) == []


def test_ranges_are_kept_inside_the_document() -> None:
    lines = ["---", "name: x"]
    far = Finding("AGT006", Severity.ERROR, Span.of(5, 0, 9, 3), "m")
    (kept,) = Policy().apply("a.md", lines, [far])
    assert kept.span == Span.of(1, 7, 1, 7)
