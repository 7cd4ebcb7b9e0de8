from __future__ import annotations

import datetime as dt

from subagent_lsp.config import parse_settings
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
