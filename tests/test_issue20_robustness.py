"""Bad input never crashes the new parsers: imports, tool instructions, shell lines,
placeholders, skill files and catalog matching, on arbitrary text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.imports import import_at, imports_in
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.rules.shell import ShellGrants, unallowed_command
from subagent_lsp.definitions.spec import Kind
from subagent_lsp.definitions.workspace import check_text

PIECES = st.sampled_from(
    [
        "---\n",
        "tools: ",
        "allowed-tools: ",
        "arguments: [",
        "argument-hint: ",
        "!`",
        "`",
        "@",
        "$",
        "$ARGUMENTS",
        "\n",
        "\r\n",
        "Use the Bash tool",
        "Run `",
        "[x](",
        ")",
        "```!\n",
        "```\n",
        "Agent(",
        "skills:\n  - ",
        "😀",
        "\ufeff",
        "<!--",
        "-->",
        "\\ ",
        "#",
        "~/",
        "../",
        "${CLAUDE_SKILL_DIR}/",
        "scripts/a.py",
        "dateRevised: ",
        "# Title Agent\n",
        "\t",
        "'",
        '"',
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, kind=st.sampled_from(list(Kind)))
def test_no_text_crashes_the_new_checks(tmp_path: Path, text: str, kind: Kind) -> None:
    rel = {
        Kind.SUBAGENT: ".claude/agents/a.md",
        Kind.SKILL: ".claude/skills/s/SKILL.md",
        Kind.COMMAND: ".claude/commands/c.md",
        Kind.CATALOG: "notes/n.md",
        Kind.MEMORY: "CLAUDE.md",
        Kind.SETTINGS: ".claude/settings.json",
        Kind.MCP: ".mcp.json",
        Kind.PLUGIN_MANIFEST: "p/.claude-plugin/plugin.json",
        Kind.MARKETPLACE: "m/.claude-plugin/marketplace.json",
        Kind.PLUGIN_HOOKS: "p/hooks/hooks.json",
    }[kind]
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    result = check_text(str(path), text, FileKind(kind))
    doc = parse_document(str(path), text)
    for line in range(min(len(doc.lines), 5)):
        import_at(str(path), doc.lines, 0, line, 3)
    assert all(f.span.start <= f.span.end for f in result.findings)
    assert isinstance(imports_in(str(path), text.splitlines()), list)


@given(st.text(max_size=60))
def test_no_command_crashes_the_permission_check(command: str) -> None:
    found = unallowed_command(command, ShellGrants(False, ("git *", "npm run test:*", "a*b")))
    assert found is None or isinstance(found, str)
