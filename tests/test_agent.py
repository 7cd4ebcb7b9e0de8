from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.findings import Severity
from subagent_lsp.definitions.workspace import check_paths
from subagent_lsp.review.agent import AgentFileError, bundled_agent_path, load_agent, parse_agent

from .conftest import SEEDS, shared


def test_bundled_agent_is_clean_and_loads() -> None:
    path = bundled_agent_path()
    assert check_paths([path])[0].findings == []
    agent = load_agent(path)
    assert agent.name == "backend-developer"
    assert agent.model == "sonnet"
    assert agent.model_id().startswith("claude-")
    assert "propose_changes" in agent.system_prompt
    assert not agent.system_prompt.startswith("---")


def test_model_id_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    agent = parse_agent(
        "a.md", '---\nname: a\ndescription: "Use this agent for reviews."\nmodel: opus\n---\nbody\n'
    )
    assert agent.model_id() == "claude-opus-5-5"  # what `opus` resolves to in 2.1.332
    assert agent.model_id({"opus": "claude-opus-4-8"}) == "claude-opus-4-8"
    monkeypatch.setenv("ANTHROPIC_DEFAULT_OPUS_MODEL", "claude-opus-4-7")
    assert agent.model_id() == "claude-opus-4-7"
    inherit = parse_agent(
        "a.md", '---\nname: a\ndescription: "Use this agent for reviews."\n---\nb\n'
    )
    monkeypatch.delenv("ANTHROPIC_DEFAULT_OPUS_MODEL")
    assert inherit.model_id() == "claude-sonnet-5-5"


def test_invalid_agent_is_refused_with_reasons(tmp_path: Path) -> None:
    broken = tmp_path / "a.md"
    broken.write_text('---\nname: a\ndescription: "Unterminated\nmodel: sonnet\n---\nbody\n')
    with pytest.raises(AgentFileError) as err:
        load_agent(broken)
    assert err.value.findings[0].code == "AGT006"
    assert "YAML error" in str(err.value)


def test_seed_agent_loads_as_claude_code_loads_it() -> None:
    # Its unquoted `: ` parses through Claude Code's quoting retry: a warning, not a refusal.
    agent = load_agent(shared(SEEDS / "backend-developer.agent.md"))
    assert agent.name == "backend-developer" and agent.model == "sonnet"
    assert agent.description.endswith("</commentary></example>")
    (result,) = check_paths([str(shared(SEEDS / "backend-developer.agent.md"))])
    worst = [(f.code, f.severity) for f in result.findings if f.severity <= Severity.WARNING]
    assert worst == [("AGT006", Severity.WARNING)]


def test_agent_without_frontmatter(tmp_path: Path) -> None:
    f = tmp_path / "a.md"
    f.write_text("just text\n")
    with pytest.raises(AgentFileError):
        load_agent(f)
