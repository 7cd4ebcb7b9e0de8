from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from subagent_lsp.cli import main

from .conftest import REPO, SEEDS, shared

EXAMPLES = REPO / "examples" / "workspace"


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "subagent_lsp", *args], capture_output=True, text=True, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_check_examples_text_output() -> None:
    code, out, _ = run("check", str(EXAMPLES))
    assert code == 1
    # The unquoted `: ` loads in Claude Code (its quoting retry): a warning, not an error.
    assert "api-designer.md:3:14: warning AGT006" in out
    assert "db-tuner.md:3:1: warning AGT020 Unknown key `descripton`" in out
    # Claude Code's JSON files (issue 20): a mode typo skips the settings file, an MCP server
    # with a `url` and no `type` never starts.
    assert "settings.json:6:20: error AGT213" in out
    assert "settings.json:4:39: warning AGT211 `Bsh` is not a Claude Code tool" in out
    assert ".mcp.json:3:5: error AGT230" in out
    assert "Found " in out.splitlines()[-1]


def test_check_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--format", "json", str(shared(SEEDS / "backend-developer.agent.md"))])
    data = json.loads(capsys.readouterr().out)
    # Claude Code loads the seed (through its quoting retry): a warning, so exit 0.
    assert code == 0
    assert data[0] == {
        "path": data[0]["path"],
        "range": {"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 200}},
        "severity": "warning",
        "code": "AGT006",
        "message": data[0]["message"],
        "source": "subagent-lsp",
    }
    assert data[0]["path"].endswith("backend-developer.agent.md")


def test_clean_file_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(REPO / "agents" / "backend-developer.md")]) == 0
    assert "All clear" in capsys.readouterr().out


def test_usage_errors_exit_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "nope.md")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["check", "--claude-code-version", "banana", str(tmp_path)]) == 2
    assert main(["frobnicate"]) == 2
    assert main([]) == 2  # a command is needed (`check` alone checks the current folder)


def test_version_option_changes_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agent = tmp_path / ".claude" / "agents" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_text('---\nname: team:a\ndescription: "Use this agent for code reviews."\n---\nx\n')
    assert main(["check", str(agent)]) == 1
    assert main(["check", "--claude-code-version", "2.1.217", str(agent)]) == 0
    capsys.readouterr()


def test_today_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agent = tmp_path / "agents" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_text(
        '---\nname: a\ndescription: "Use this agent for code reviews."\n'
        "model: claude-sonnet-4-5\n---\nx\n"
    )
    assert main(["check", "--today", "2026-01-01", str(agent)]) == 0
    assert main(["check", "--today", "2027-01-01", str(agent)]) == 1
    capsys.readouterr()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x00\x01binary", "Binary file"),
        (b"---\nname: caf\xe9\n---\n", "Not UTF-8"),
        (b"x" * 1_000_001, "not checked"),
    ],
)
def test_unreadable_files_are_findings(
    tmp_path: Path, content: bytes, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    agent = tmp_path / ".claude" / "agents" / "bad.md"
    agent.parent.mkdir(parents=True)
    agent.write_bytes(content)
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "AGT001" in out and needle in out


def test_bom_crlf_file_checks_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agent = tmp_path / "agents" / "a.md"
    agent.parent.mkdir(parents=True)
    agent.write_bytes(
        '\ufeff---\r\nname: a\r\ndescription: "Use this agent for 😀 reviews."\r\n---\r\nx\r\n'.encode()
    )
    assert main(["check", str(agent)]) == 0
    capsys.readouterr()


def test_gitignore_and_default_excludes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = "---\nname: x\n---\n"
    for folder in ("node_modules/agents", "build/agents", "agents"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.md").write_text(bad)
    (tmp_path / ".gitignore").write_text("build/\n")
    main(["check", "--format", "json", str(tmp_path)])
    paths = {Path(d["path"]).parts[-3:-1] for d in json.loads(capsys.readouterr().out)}
    assert all("node_modules" not in p and "build" not in p for p in paths)
    assert len(paths) == 1


def test_make_run_style_demo_prints_and_python_m_works() -> None:
    code, out, err = run("check", "--format", "json", str(EXAMPLES))
    assert code == 1 and not err
    codes = {d["code"] for d in json.loads(out)}
    assert {"AGT006", "AGT008", "AGT020", "AGT031", "AGT043", "AGT051", "AGT082"} <= codes
