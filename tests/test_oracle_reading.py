"""The oracle's own reading of files and listings (oracle/): what counts as "as written" and
where it finds the release's tables. Pure functions only: no CLI is run here."""

from __future__ import annotations

from pathlib import Path

from oracle.facts import extract
from oracle.frontmatter import read, retry_text
from oracle.verdict import _environment_refusal, _same_text, judge_skill


def test_listing_escapes_and_literal_newlines_are_the_written_text() -> None:
    assert _same_text(
        "Turns &lt;file&gt; into slides &amp; notes.", "Turns <file> into slides & notes."
    )
    assert _same_text(
        "Reviews code.\n\n<example>x</example>", "Reviews code.\\n\\n<example>x</example>"
    )
    assert not _same_text("Reviews code.", "Reviews tests.")


def test_a_whole_flow_list_is_not_quoted_by_the_retry_imitation() -> None:
    text = retry_text("description: Use when: x\ntools: [Read, Edit]\nmodel: [a] b\n")
    assert text.splitlines() == [
        'description: "Use when: x"',
        "tools: [Read, Edit]",
        'model: "[a] b"',
    ]


def _skill(text: str, listed: str, invoked: bool) -> dict[str, object]:
    obs = {"skill_entry": listed, "invocation": {"invoked": invoked, "text": ""}, "debug": []}
    return judge_skill("skill", read(text), obs, "2.1.332", "s")


def test_when_to_use_follows_the_description_in_the_listing() -> None:
    text = "---\nname: s\ndescription: Writes notes.\nwhen_to_use: notes, changelog\n---\nBody.\n"
    assert _skill(text, "- s: Writes notes. - notes, changelog", True)["verdict"] == (
        "loaded-as-written"
    )
    assert _skill(text, "- s: Writes notes.", True)["verdict"] == "loaded-not-as-written"


def test_a_skill_the_user_may_not_invoke_is_as_written_when_slash_does_not_run_it() -> None:
    hidden = "---\nname: s\ndescription: Knows the build.\nuser-invocable: false\n---\nBody.\n"
    assert _skill(hidden, "- s: Knows the build.", False)["verdict"] == "loaded-as-written"
    shown = "---\nname: s\ndescription: Knows the build.\n---\nBody.\n"
    assert _skill(shown, "- s: Knows the build.", False)["verdict"] == "loaded-not-as-written"


def test_the_release_tables_are_found_by_what_they_hold(tmp_path: Path) -> None:
    program = tmp_path / "claude"
    program.write_bytes(
        b'\x00junk var a=["Bash","Read"];'
        b'var b=["Agent","Bash","Edit","Read","Skill","TaskStop","Write","NewTool","Glob","Grep",'
        b'"WebFetch","WebSearch"];\x01var c={Task:"Agent",KillShell:"TaskStop",ListPeers:"ListAgents"};'
    )
    found = extract(program)
    assert "NewTool" in found["tool_names"] and len(found["tool_names"]) == 12
    assert found["tool_aliases"] == {
        "KillShell": "TaskStop",
        "ListPeers": "ListAgents",
        "Task": "Agent",
    }
    (tmp_path / "other").write_bytes(b"nothing here")
    assert extract(tmp_path / "other") == {"tool_names": [], "tool_aliases": {}}


def test_refusals_the_harness_environment_causes_are_told_apart() -> None:
    # held-out: `isolation: worktree` outside a git repository, and an agent whose tools are
    # all MCP tools (the harness configures no servers) spawn in the file's own project.
    worktree = "Cannot create agent worktree: not in a git repository and no WorktreeCreate hooks"
    assert "git repository" in (_environment_refusal(worktree) or "")
    mcp = "would be spawned with zero tools — refusing. unrecognized [mcp__a__x, mcp__a__y]."
    assert "MCP servers" in (_environment_refusal(mcp) or "")
    assert _environment_refusal("would be spawned with zero tools. unrecognized [Bsh]") is None
    assert _environment_refusal("unrecognized [mcp__a__x, Bsh] zero tools") is None
    assert _environment_refusal(None) is None
