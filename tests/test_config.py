from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from subagent_lsp.config import ConfigError, Problem, load_config_file, locate, parse_settings
from subagent_lsp.definitions.findings import Severity
from subagent_lsp.definitions.spec import Kind


def test_defaults() -> None:
    s = parse_settings(None)
    assert s.problems == [] and not s.offline
    assert parse_settings([1]).problems


def test_valid_settings() -> None:
    s = parse_settings(
        {
            "claudeCodeVersion": "2.1.100",
            "today": "2026-01-02",
            "severity": {"agt020": "error", "AGT015": "off", "AGT013": False, "AGT016": True},
            "globs": {"subagent": "prompts/*.md", "skill": ["s/*/SKILL.md"]},
            "agentFile": "agents/x.md",
            "model": "claude-opus-5",
            "offline": True,
        }
    )
    assert s.problems == []
    assert s.options.claude_code_version == (2, 1, 100)
    assert s.options.today == dt.date(2026, 1, 2)
    assert s.options.severities == {"AGT020": Severity.ERROR, "AGT015": None, "AGT013": None}
    assert s.globs.match("/r/prompts/a.md") is Kind.SUBAGENT
    assert s.agent_file == "agents/x.md" and s.model == "claude-opus-5" and s.offline


def test_bad_values_are_reported_not_fatal() -> None:
    s = parse_settings(
        {
            "claudeCodeVersion": "latest",
            "today": "tomorrow",
            "severity": {"AGT999": "error", "AGT020": "loud"},
            "rules": [1],
            "globs": {"widget": ["x"], "skill": [1]},
            "colour": "red",
        }
    )
    assert len(s.problems) == 8  # one per bad value, each named
    assert parse_settings({"globs": "x"}).problems


def test_problems_know_their_setting_but_read_as_before() -> None:
    s = parse_settings({"selct": ["AGT0"], "severity": {"agt020": "loud"}})
    assert s.problems == [
        "subagentLsp: unknown setting 'selct' (did you mean select?); ignored.",
        "subagentLsp.severity.AGT020: 'loud' is not a severity "
        "(error, warning, information, hint or off).",
    ]  # the LSP has no file: no line numbers
    assert [p.keys for p in s.problems if isinstance(p, Problem)] == [
        ("selct",),
        ("severity", "agt020"),
    ]


def test_locate_finds_the_line_of_a_setting() -> None:
    text = (
        '[project]\nname = "x"\n'  # 1-2
        "[tool.subagent-lsp]\n"  # 3
        'select = ["AGT0"]\n'  # 4
        'tool.subagent-lsp.today = "x"\n'  # 5 (dotted keys below the root table)
        "[ tool . 'subagent-lsp' . severity ]\n"  # 6
        '"AGT020" = "loud"\n'  # 7
        "[tool.subagent-lsp.perPathIgnores]\n"  # 8
        '"docs/*.md" = { } \n'  # 9
        "globs = { skill = 1 }\n"  # 10 (inside perPathIgnores: not our globs)
    )
    table = ("tool", "subagent-lsp")
    assert locate(text, table, ("select",)) == 4
    assert locate(text, table, ()) == 3
    assert locate(text, table, ("severity",)) == 6
    assert locate(text, table, ("severity", "AGT020")) == 7
    assert locate(text, table, ("perPathIgnores", "docs/*.md")) == 9
    assert locate(text, table, ("globs", "skill")) == 3  # not there: the table's header
    assert locate(text, ("tool", "other"), ("select",)) is None
    assert locate('select = "x"\n[globs]\nskill = 1\n', (), ("globs", "skill")) == 3


def test_load_config_file_locates_problems_and_rejects_bad_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    legacy = tmp_path / "pyproject.toml"
    legacy.write_text('[tool.agent-lsp]\nignore = ["AGT020"]\nselct = 1\n')
    problems = load_config_file(legacy).problems
    assert problems[0].startswith("pyproject.toml: [tool.agent-lsp] is the old name")
    assert (
        problems[1] == "pyproject.toml:3: unknown setting 'selct' (did you mean select?); ignored."
    )
    bad = tmp_path / ".subagent-lsp.toml"
    bad.write_text('select = ["AGT020"]\nselect = ["AGT030"]\n')
    with pytest.raises(ConfigError, match=r"^\.subagent-lsp\.toml:2:\d+: invalid TOML: "):
        load_config_file(bad)
    bad.write_bytes(b"select = '\xe9'\n")
    with pytest.raises(ConfigError, match="invalid TOML: not UTF-8"):
        load_config_file(bad)
