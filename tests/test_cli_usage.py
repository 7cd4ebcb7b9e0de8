"""`subagent-lsp check` as a ruff user expects it: --version, default path, stdin, usage errors,
"no files found", configuration errors with lines, plurals, `rule CODE`, --statistics."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from subagent_lsp import __version__
from subagent_lsp.cli import main

BROKEN = (
    "---\nname: db-tuner\ndescription: Use this agent when queries are slow: it reads plans.\n"
    "tools: Read, MultiEdit, Task\nmodel: claude-sonet-4-5\npermissionMode: AcceptEdits\n"
    "---\nYou tune databases.\n"
)
FIXED = (
    BROKEN.replace(
        "description: Use this agent when queries are slow: it reads plans.",
        'description: "Use this agent when queries are slow: it reads plans."',
    )
    .replace("MultiEdit, Task", "Edit, Agent")
    .replace("AcceptEdits", "acceptEdits")
)
CLEAN = '---\nname: ok\ndescription: "Use this agent for code reviews."\n---\nx\n'


def _agent(root: Path, name: str = "db-tuner", text: str = BROKEN) -> Path:
    path = root / ".claude" / "agents" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str | bytes) -> None:
    data = text.encode() if isinstance(text, str) else text
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _run(*args: str, stdin: bytes = b"", cwd: Path | None = None) -> tuple[int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "subagent_lsp", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        check=False,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


# 1. --version


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"subagent-lsp {__version__}\n"


# 2. no PATH: the current folder


def test_check_without_path_checks_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _agent(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert ".claude/agents/db-tuner.md:3:14: warning AGT006" in out


def test_suggest_without_path_looks_at_the_current_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app.py").write_text(
        "import requests\n\ndef f():\n    return requests.get('https://x.example')\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["suggest", "--kind", "error-handling"]) == 0
    out = capsys.readouterr().out
    assert "app.py:" in out and "BKD301" in out


# 3. `-`: the file text from standard input


def test_stdin_without_a_name_is_classified_by_content(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "-"]) == 1
    out = capsys.readouterr().out
    assert "-:3:14: warning AGT006" in out
    assert "AGT015" not in out  # no file name to compare the agent's name with
    assert out.splitlines()[-1].startswith("Found 5 problems")


def test_stdin_filename_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "--format", "json", "--stdin-filename", ".claude/agents/x.md", "-"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert {d["path"] for d in data} == {".claude/agents/x.md"}
    assert "AGT015" in {d["code"] for d in data}  # `db-tuner` is not `x`
    # --stdin-filename alone: `-` is implied (there is no PATH)
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "--stdin-filename", ".claude/agents/db-tuner.md"]) == 1
    assert ".claude/agents/db-tuner.md:3:14: warning AGT006" in capsys.readouterr().out


def test_stdin_filename_decides_the_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    skill = '---\nname: bar\ndescription: "Formats the changelog."\n---\nx\n'
    _stdin(monkeypatch, skill)
    main(["check", "--format", "json", "--stdin-filename", "skills/foo/SKILL.md", "-"])
    assert "AGT061" in {d["code"] for d in json.loads(capsys.readouterr().out)}  # a skill's rule
    # a name no glob matches: the content decides, as for a path given explicitly
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "--stdin-filename", "notes/db-tuner.md", "-"]) == 1
    assert "notes/db-tuner.md:3:14: warning AGT006" in capsys.readouterr().out
    # not Markdown: not an agent definition
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "--stdin-filename", "notes.txt", "-"]) == 0
    captured = capsys.readouterr()
    assert "no agent definition files in notes.txt" in captured.err
    assert "All clear" not in captured.out


def test_stdin_that_is_no_agent_definition(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, "# Just notes\n")
    assert main(["check", "-"]) == 0
    captured = capsys.readouterr()
    assert "standard input is not an agent definition" in captured.err
    assert "--stdin-filename" in captured.err and captured.out == ""


def test_stdin_unreadable_is_a_finding(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _stdin(monkeypatch, b"---\nname: caf\xe9\n---\n")
    assert main(["check", "-"]) == 1
    out = capsys.readouterr().out
    assert "-:1:1: error AGT001 Not UTF-8" in out


def test_stdin_uses_the_configuration_of_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".subagent-lsp.toml").write_text('ignore = ["AGT006"]\n')
    monkeypatch.chdir(tmp_path.parent)
    _stdin(monkeypatch, BROKEN)
    name = str(tmp_path / ".claude" / "agents" / "db-tuner.md")
    main(["check", "--format", "json", "--stdin-filename", name, "-"])
    codes = {d["code"] for d in json.loads(capsys.readouterr().out)}
    assert codes and "AGT006" not in codes


def test_stdin_fix_prints_the_fixed_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    on_disk = _agent(tmp_path)
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, BROKEN)
    # The misspelt model is left (no safe fix), an error: exit 1.
    assert main(["check", "--fix", "--stdin-filename", ".claude/agents/db-tuner.md", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == FIXED  # stdout: only the fixed text
    assert "Fixed 4 problems." in captured.err
    assert "AGT032" in captured.err  # what is left is reported on stderr
    assert on_disk.read_text() == BROKEN  # no file is written
    # nothing to fix: the text comes back as it was
    _stdin(monkeypatch, CLEAN)
    assert main(["check", "--fix", "--stdin-filename", ".claude/agents/ok.md", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out == CLEAN and "Fixed 0 problems." in captured.err


def test_stdin_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _stdin(monkeypatch, BROKEN)
    assert main(["check", "--diff", "--stdin-filename", ".claude/agents/db-tuner.md", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith("--- a/.claude/agents/db-tuner.md\n+++ b/")
    assert "+tools: Read, Edit, Agent" in captured.out
    assert "Would fix 4 problems." in captured.err


def test_real_stdin_fix_keeps_crlf_and_bom(tmp_path: Path) -> None:
    raw = ("\ufeff" + BROKEN.replace("\n", "\r\n")).encode()
    code, out, err = _run(
        "check", "--fix", "--stdin-filename", ".claude/agents/db-tuner.md", "-", stdin=raw
    )
    assert code == 1 and "error AGT032" in err, err  # the misspelt model is left
    assert out.encode() == ("\ufeff" + FIXED.replace("\n", "\r\n")).encode()
    code, out, err = _run("check", "-", stdin=BROKEN.encode(), cwd=tmp_path)
    assert code == 1 and "-:3:14: warning AGT006" in out


def test_stdin_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-", str(tmp_path)]) == 2
    assert "cannot be checked together with other paths" in capsys.readouterr().err
    assert main(["check", "--stdin-filename", "a.md", str(tmp_path)]) == 2
    assert "give `-` as the PATH" in capsys.readouterr().err


# 4. --fix with --diff


def test_fix_and_diff_together_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _agent(tmp_path)
    assert main(["check", "--fix", "--diff", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "--diff: not allowed with argument --fix" in captured.err and captured.out == ""
    assert path.read_text() == BROKEN


# 5. nothing found


def test_no_agent_files_says_where_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("# notes\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "docs"]) == 0
    captured = capsys.readouterr()
    assert "All clear" not in captured.out and captured.out == ""
    assert captured.err == (
        "subagent-lsp: no agent definition files under docs (looked for "
        "**/.claude/agents/**/*.md, **/agents/**/*.md, **/.claude/skills/*/SKILL.md, "
        "**/skills/*/SKILL.md, **/.claude/commands/**/*.md, **/CLAUDE.md, **/CLAUDE.local.md, "
        "**/.claude/rules/**/*.md; see [tool.subagent-lsp] globs)\n"
    )
    assert main(["check", "--format", "json", "docs"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_no_agent_files_names_the_configured_globs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".subagent-lsp.toml").write_text(
        '[globs]\nsubagent = ["prompts/*.md"]\nskill = []\ncommand = []\nmemory = []\n'
    )
    assert main(["check", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "(looked for **/prompts/*.md; see [tool.subagent-lsp] globs)" in err


# 6. configuration that is not TOML


def test_invalid_toml_given_with_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _agent(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('select = ["AGT006"]\nthis is = = not toml\n')
    assert main(["check", "--fix", "--config", str(bad), str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"subagent-lsp: {bad}:2:6: invalid TOML: Expected '=' after a key in a key/value pair\n"
    )
    assert captured.out == "" and path.read_text() == BROKEN  # nothing checked, nothing fixed


def test_invalid_toml_found_on_the_way_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _agent(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".subagent-lsp.toml").write_text('ignore = ["AGT006"\n')
    assert main(["check", "."]) == 2
    assert re.search(
        r"^subagent-lsp: \.subagent-lsp\.toml:1:19: invalid TOML: Unclosed array$",
        capsys.readouterr().err,
    )
    (tmp_path / ".subagent-lsp.toml").unlink()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n\n[tool.subagent-lsp]\nselect = [AGT006]\n')
    assert main(["check", "."]) == 2
    assert "subagent-lsp: pyproject.toml:5:11: invalid TOML: " in capsys.readouterr().err
    assert main(["suggest", "."]) == 2  # suggest reads the same configuration
    assert "pyproject.toml:5:11: invalid TOML" in capsys.readouterr().err
    # a pyproject.toml with no table of ours is not our configuration, valid or not
    pyproject.write_text("[project\n")
    assert main(["check", "."]) == 1
    assert "invalid TOML" not in capsys.readouterr().err


# 7. problems name the file and line of their setting


def test_configuration_problems_name_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _agent(tmp_path, "ok", CLEAN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n'  # 1-3
        "[tool.subagent-lsp]\n"  # 4
        'claudeCodeVersion = "2.1.100"\n'  # 5
        'selct = ["AGT0"]\n'  # 6
        'today = "tomorrow"\n'  # 7
        "\n[tool.subagent-lsp.severity]\n"  # 8-9
        'agt020 = "loud"\n'  # 10
        'AGT999 = "error"\n'  # 11
        '\n[tool.subagent-lsp.perPathIgnores]\n"legacy/*.md" = ["ZZZ"]\n'  # 12-14
    )
    assert main(["check", "."]) == 0
    err = capsys.readouterr().err.splitlines()
    assert (
        "subagent-lsp: pyproject.toml:6: unknown setting 'selct' (did you mean select?); ignored."
        in err
    )
    assert "subagent-lsp: pyproject.toml:7: today: 'tomorrow' is not a date (YYYY-MM-DD)." in err
    assert any(
        e.startswith("subagent-lsp: pyproject.toml:10: severity.AGT020: 'loud'") for e in err
    )
    assert "subagent-lsp: pyproject.toml:11: severity: unknown rule AGT999." in err
    assert any(
        e.startswith("subagent-lsp: pyproject.toml:14: perPathIgnores.legacy/*.md: ") for e in err
    )


def test_problems_in_a_subagent_lsp_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _agent(tmp_path, "ok", CLEAN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".subagent-lsp.toml").write_text(
        '# comment\nclaudeCodeVerison = "2.1.0"\nselect = "AGT9"\nseverity = { AGT020 = "loud" }\n'
    )
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert ".subagent-lsp.toml:2: unknown setting 'claudeCodeVerison'" in err
    assert ".subagent-lsp.toml:3: select: no rule code starts with 'AGT9'." in err
    assert ".subagent-lsp.toml:4: severity.AGT020: " in err  # inside an inline table: its line


# 8. plurals


def test_summaries_count_in_singular_and_plural(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = _agent(tmp_path / "a", "ok", CLEAN.replace("name: ok", "name: ok\ncolr: red"))
    assert main(["check", str(one)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Found 1 problem (1 warning) in 1 of 1 Claude Code file."
    )
    clean = _agent(tmp_path / "b", "ok", CLEAN)
    assert main(["check", str(clean)]) == 0
    assert capsys.readouterr().out == "All clear: 1 Claude Code file checked.\n"
    two = _agent(tmp_path / "b", "two", CLEAN.replace("name: ok", "name: two"))
    assert main(["check", str(clean), str(two)]) == 0
    assert capsys.readouterr().out == "All clear: 2 Claude Code files checked.\n"
    broken = _agent(tmp_path / "c", "one", BROKEN.replace("db-tuner", "one"))
    assert main(["check", "--select", "AGT041", "--fix", str(broken)]) == 0
    assert "Fixed 1 problem in 1 file." in capsys.readouterr().err
    baseline = tmp_path / "baseline.json"
    main(["check", "--select", "AGT030", "--write-baseline", str(baseline), str(broken)])
    assert "recorded 1 finding in" in capsys.readouterr().err
    main(["check", "--select", "AGT030", "--baseline", str(baseline), str(broken)])
    assert "1 finding is in the baseline and not shown" in capsys.readouterr().err


# 9. rule CODE


def test_rule_explains_a_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "AGT020"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# unknown-key (AGT020)\n")
    assert "Default severity: warning." in out
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## How to fix"):
        assert heading in out
    assert "allowedTools: Read, Grep" in out and "docs/rules.md#agt020" in out
    assert main(["rule", "agt020"]) == 0 and main(["rule", "unknown-key"]) == 0
    capsys.readouterr()
    assert main(["rule", "--format", "json", "AGT006"]) == 0
    data = json.loads(capsys.readouterr().out)
    # Its default is a warning (Claude Code's quoting retry loads most such files); the check
    # raises it to an error where even the retry fails.
    assert data["code"] == "AGT006" and data["severity"] == "warning" and data["fix"]


def test_rule_explains_a_backend_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "BKD301"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# http-without-timeout (BKD301)\n")
    assert "An HTTP call without a timeout can hang the worker forever." in out


def test_rule_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "AGT0200"]) == 2
    err = capsys.readouterr().err
    assert "no rule 'AGT0200' (did you mean AGT020 unknown-key?)" in err
    assert main(["rule", "unknown-kye"]) == 2
    assert "did you mean AGT020 unknown-key?" in capsys.readouterr().err
    assert main(["rule"]) == 2  # a code or --all
    capsys.readouterr()


def test_rule_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "--all"]) == 0
    out = capsys.readouterr().out
    assert "# unknown-key (AGT020)" in out and "# missing-index (BKD101)" in out


# 10. --statistics


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path, "a", BROKEN.replace("db-tuner", "a"))
    _agent(tmp_path, "b", BROKEN.replace("db-tuner", "b").replace("tools:", "colr: red\ntools:"))
    _agent(tmp_path, "c", CLEAN.replace("name: ok", "name: c\ncolr: red"))
    _agent(tmp_path, "d", CLEAN.replace("name: ok", "name: d\ncolr: red"))
    assert main(["check", "--statistics", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "3  AGT020  [ ] unknown-key"
    assert "2  AGT006  [*] yaml-syntax" in lines
    assert all(re.fullmatch(r"\d  AGT\d{3}  \[[* ]\] [a-z0-9-]+", line) for line in lines)
    counts = [int(line.split()[0]) for line in lines]
    assert counts == sorted(counts, reverse=True)
    assert main(["check", "--statistics", "--format", "json", str(tmp_path)]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"code": "AGT020", "name": "unknown-key", "count": 3, "fixable": False}


# 11. --select "" means all rules


def test_empty_select_means_all_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path)
    assert main(["check", "--select", "", str(tmp_path)]) == 1
    assert "warning AGT006" in capsys.readouterr().out
    (tmp_path / ".subagent-lsp.toml").write_text("select = []\n")
    assert main(["check", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "warning AGT006" in captured.out and captured.err == ""


# start-up stays lean


def test_check_imports_no_heavy_dependency(tmp_path: Path) -> None:
    _agent(tmp_path)
    code = (
        "import sys\nfrom subagent_lsp.cli import main\n"
        f"main(['check', '--statistics', {str(tmp_path)!r}])\n"
        "heavy = {'pydantic', 'pygls', 'anthropic', 'sqlglot', 'lsprotocol'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.stdout.splitlines()[-1] == "[]", proc.stderr
