"""`suggest --agent` honours every agent setting the editor does (the same agent_setup), checked
at the stand-in Messages API: agentFile, the workspace's own backend-developer, model,
agentTimeout, agentRetries, contextTokens, offline; and a broken install is one line, exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.config import Settings
from subagent_lsp.definitions.spec import ALIAS_TO_MODEL_ID
from subagent_lsp.review import agent_setup
from subagent_lsp.review.agent_setup import AgentUnavailable, resolve_agent, setup_agent

from ..conftest import REPO
from ..standin import Reply, StandIn

OURS = (
    '---\nname: backend-developer\ndescription: "Use this agent for our backend."\n'
    "model: opus\n---\nOur own prompt: be brief.\n"
)
# Broken for Claude Code too (an unquoted `: ` would load through its quoting retry).
BROKEN = '---\nname: backend-developer\ndescription: "Unterminated\n---\nMy prompt.\n'


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(REPO / "examples" / "backend" / "flask_shop", root / "flask_shop")
    (root / ".git").mkdir()  # the project marker: the workspace root of its files
    return root


def _suggest(project: Path, *extra: str) -> int:
    app = project / "flask_shop" / "app.py"
    return main(["suggest", "--agent", "--kind", "index", *extra, str(app)])


def test_config_sets_agent_file_model_timeout_retries_and_context(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "agents").mkdir()
    (project / "agents" / "ours.md").write_text(OURS)
    (project / ".subagent-lsp.toml").write_text(
        'agentFile = "agents/ours.md"\nmodel = "haiku"\nagentTimeout = 1\n'
        "agentRetries = 0\ncontextTokens = 500\n"
    )
    standin.script[:] = [Reply(delay=3)]
    assert _suggest(project) == 0
    err = capsys.readouterr().err
    haiku = ALIAS_TO_MODEL_ID["haiku"]  # what the alias resolves to in the pinned release
    assert f"asking backend-developer ({haiku})" in err
    assert "did not answer within 1 s" in err
    assert len(standin.requests) == 1  # agentRetries = 0: the timeout is not retried
    assert _suggest(project) == 0
    body = standin.requests[-1]["body"]
    assert body["model"] == haiku  # the setting wins over the file's opus
    assert body["system"][0]["text"] == "Our own prompt: be brief."
    prompt = body["messages"][0]["content"]
    assert "Left out to stay within the budget" in prompt  # contextTokens = 500


def test_without_context_tokens_the_schema_is_sent(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _suggest(project) == 0
    prompt = standin.requests[-1]["body"]["messages"][0]["content"]
    assert "Left out" not in prompt and "The schema this code touches" in prompt


def test_workspace_agent_is_used(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = project / ".claude" / "agents" / "backend-developer.md"
    own.parent.mkdir(parents=True)
    own.write_text(OURS)
    assert _suggest(project) == 0
    body = standin.requests[-1]["body"]
    assert body["system"][0]["text"] == "Our own prompt: be brief."
    assert body["model"] == ALIAS_TO_MODEL_ID["opus"]
    assert f"({ALIAS_TO_MODEL_ID['opus']})" in capsys.readouterr().err


def test_invalid_workspace_agent_warns_and_uses_the_bundled_one(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = project / ".claude" / "agents" / "backend-developer.md"
    own.parent.mkdir(parents=True)
    own.write_text(BROKEN)
    assert _suggest(project) == 0
    err = capsys.readouterr().err
    assert f"{own} is not a valid agent (" in err
    assert "using the bundled backend-developer instead." in err
    system = standin.requests[-1]["body"]["system"][0]["text"]
    assert "My prompt." not in system and "propose_changes" in system


def test_missing_agent_file_warns(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".subagent-lsp.toml").write_text('agentFile = "nowhere.md"\n')
    assert _suggest(project) == 0
    err = capsys.readouterr().err
    assert "nowhere.md: agentFile names a file that does not exist" in err
    assert len(standin.requests) == 1


def test_offline_setting_sends_nothing(
    standin: StandIn, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".subagent-lsp.toml").write_text("offline = true\n")
    assert _suggest(project) == 2
    assert "offline is set" in capsys.readouterr().err
    assert standin.requests == []


@pytest.mark.parametrize("broken", ["missing", "invalid"])
def test_broken_bundled_agent_is_one_line_and_exit_2(
    standin: StandIn,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    broken: str,
) -> None:
    bundled = tmp_path / "bundled.md"
    if broken == "invalid":
        bundled.write_text(BROKEN)
    monkeypatch.setattr(agent_setup, "bundled_agent_path", lambda: str(bundled))
    assert _suggest(project) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("subagent-lsp: the bundled backend-developer agent cannot be loaded")
    assert standin.requests == []


def test_resolution_order_and_what_the_warning_names(tmp_path: Path) -> None:
    (tmp_path / "mine.md").write_text(BROKEN)
    own = tmp_path / ".claude" / "agents" / "backend-developer.md"
    own.parent.mkdir(parents=True)
    own.write_text(OURS)
    agent, warnings = resolve_agent("mine.md", [str(tmp_path)])
    assert agent.path == str(own)  # the invalid agentFile is passed over for the workspace's
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{tmp_path / 'mine.md'} is not a valid agent (")
    assert warnings[0].endswith(f"); using {own} instead.")
    (tmp_path / "mine.md").write_text(OURS.replace("be brief", "be mine"))
    agent, warnings = resolve_agent("mine.md", [str(tmp_path)])
    assert "be mine" in agent.system_prompt and warnings == []
    agent, _ = resolve_agent(None, [str(tmp_path / "elsewhere")])
    assert agent.name == "backend-developer" and agent.path.endswith("backend-developer.md")


def test_setup_carries_the_options() -> None:
    settings = Settings(model="sonnet", agent_timeout=5.0, agent_retries=4, context_tokens=99)
    setup = setup_agent(settings, [])
    assert (setup.model, setup.timeout, setup.retries, setup.context_tokens) == (
        ALIAS_TO_MODEL_ID["sonnet"],
        5.0,
        4,
        99,
    )


def test_unavailable_names_the_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(agent_setup, "bundled_agent_path", lambda: str(tmp_path / "gone.md"))
    with pytest.raises(AgentUnavailable, match="cannot be loaded"):
        resolve_agent(None, [])
