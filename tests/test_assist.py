from __future__ import annotations

from subagent_lsp.definitions.assist import complete, hover, model_markdown, tool_markdown
from subagent_lsp.definitions.checks import check_document
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Position
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.spec import Kind

TEXT = (
    '---\nname: my-agent\ndescription: "Use this agent to review code."\n'
    "tools: Read, MultiEdit, mcp__gh\nmodel: claude-sonnet-4-5\npermissionMode: plan\n"
    "skills:\n  - \n---\nbody\n"
)
FK = FileKind(Kind.SUBAGENT, plugin_root="/p")


def _doc():  # type: ignore[no-untyped-def]
    return parse_document("/p/agents/my-agent.md", TEXT)


def test_hover_keys_values_tools_and_findings() -> None:
    doc = _doc()
    findings = check_document(doc, FK)
    key = hover(doc, FK, Position(5, 3), findings)
    assert (
        key is not None
        and "permissionMode" in key.markdown
        and "Ignored for plugin" in key.markdown
    )
    value = hover(doc, FK, Position(5, 17))
    assert value is not None and "Plan mode" in value.markdown
    tool = hover(doc, FK, Position(3, 15), findings)
    assert tool is not None and "Removed" in tool.markdown and "AGT041" in tool.markdown
    mcp = hover(doc, FK, Position(3, 26))
    assert mcp is not None and "MCP" in mcp.markdown
    model = hover(doc, FK, Position(4, 10))
    assert model is not None and "Deprecated" in model.markdown
    assert hover(doc, FK, Position(9, 1)) is None


def test_markdown_helpers() -> None:
    assert tool_markdown("Nope") is None
    assert "Alias" in (tool_markdown("Task") or "")
    assert "Alias" in (tool_markdown("KillShell") or "") and "TaskStop" in (
        tool_markdown("KillShell") or ""
    )
    # What the alias resolves to in the pinned release (the truth file's release section).
    assert "resolves to `claude-opus-5-5`" in (model_markdown("opus") or "")
    assert "resolves to `claude-sonnet-5-5`" in (model_markdown("Sonnet") or "")
    assert "v2.1.332" in (model_markdown("inherit") or "")
    assert model_markdown("gpt-4") is None


def test_completion_contexts() -> None:
    doc = _doc()
    tools = complete(doc, FK, Position(3, 13), agent_names=["helper"], mcp_servers=["gh"])
    labels = {c.label for c in tools}
    assert "Read" in labels and "mcp__gh" in labels and "Agent(helper)" in labels
    assert tools[0].replace.start == Position(3, 13)
    assert {c.label for c in complete(doc, FK, Position(5, 16))} >= {"plan", "default"}
    skills = complete(doc, FK, Position(7, 4), skill_names=["sql-review"])
    assert [c.label for c in skills] == ["sql-review"]
    assert complete(doc, FK, Position(9, 2)) == []
    keys = {c.label for c in complete(doc, FK, Position(1, 0))}
    assert "hooks" not in keys and "effort" in keys  # plugin agents: no hooks
    models = {c.label for c in complete(doc, FK, Position(4, 7))}
    # `model: default` is sent as written and fails in a subagent: not offered there.
    assert {"sonnet", "inherit", "opusplan"} <= models and "default" not in models


def test_completion_without_frontmatter_offers_skeleton() -> None:
    doc = parse_document("/a/agents/x.md", "")
    items = complete(doc, FileKind(Kind.SUBAGENT), Position(0, 0))
    assert items[0].snippet and "name:" in items[0].insert_text


def test_completion_skill_values() -> None:
    doc = parse_document(
        "/s/.claude/skills/x/SKILL.md", "---\nagent: \nshell: \nuser-invocable: \n---\n"
    )
    fk = FileKind(Kind.SKILL)
    assert [c.label for c in complete(doc, fk, Position(1, 7), agent_names=["a"])] == ["a"]
    assert {c.label for c in complete(doc, fk, Position(2, 7))} == {"bash", "powershell"}
    assert {c.label for c in complete(doc, fk, Position(3, 16))} == {"true", "false"}
    model = parse_document("/s/.claude/skills/x/SKILL.md", "---\nmodel: \n---\n")
    assert "default" in {c.label for c in complete(model, fk, Position(1, 7))}
