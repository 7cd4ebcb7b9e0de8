"""Hover and completion in the JSON configuration kinds, and their JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from subagent_lsp.cli.schema import json_schema
from subagent_lsp.definitions import assist
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Position
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.spec import Kind

FIXTURES = Path(__file__).parent / "config_fixtures"
SETTINGS = "/p/.claude/settings.json"
TEXT = (
    '{\n  "model": "sonnet",\n  "permissions": {\n    "allow": ["Bash(npm run *)", '
    '"mcp__github__get_issue"],\n    "defaultMode": "plan"\n  },\n'
    '  "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "x"}]}]}\n}\n'
)


def _hover(text: str, line: int, col: int, kind: Kind = Kind.SETTINGS, path: str = SETTINGS) -> str:
    doc = parse_document(path, text)
    info = assist.hover(doc, FileKind(kind), Position(line, col))
    return info.markdown if info else ""


@pytest.mark.parametrize(
    ("line", "col", "words"),
    [
        (1, 4, "`model`** (settings)"),
        (1, 14, "(model alias)"),
        (2, 5, "`permissions`**"),
        (3, 15, "**`Bash`** (tool)"),
        (3, 40, "MCP tool `get_issue` of server `github`"),
        (4, 7, "`permissions.defaultMode`"),
        (4, 21, "(permission mode)"),
        (6, 14, "`Stop`** (hook event)"),
        (6, 43, "(hook handler)"),
    ],
)
def test_hover_on_keys_and_values(line: int, col: int, words: str) -> None:
    assert words in _hover(TEXT, line, col)


def test_hover_in_other_kinds() -> None:
    mcp = '{"mcpServers": {"docs": {"type": "http", "url": "https://x"}}}'
    assert "MCP transport" in _hover(mcp, 0, 35, Kind.MCP, "/p/.mcp.json")
    assert "`mcp__docs__<tool>`" in _hover(mcp, 0, 18, Kind.MCP, "/p/.mcp.json")
    manifest = '{"name": "kit", "agents": "./a.md"}'
    path = "/p/.claude-plugin/plugin.json"
    assert "*Required.*" in _hover(manifest, 0, 3, Kind.PLUGIN_MANIFEST, path)
    hooks = '{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": []}]}}'
    shown = _hover(hooks, 0, 30, Kind.PLUGIN_HOOKS, "/p/hooks/hooks.json")
    assert "filters tool name" in shown


def test_hover_shows_the_finding_under_the_cursor() -> None:
    text = '{"permissions": {"defaultMode": "yolo"}}'
    doc = parse_document(SETTINGS, text)
    from subagent_lsp.definitions.checks import check_document

    findings = check_document(doc, FileKind(Kind.SETTINGS))
    info = assist.hover(doc, FileKind(Kind.SETTINGS), Position(0, 34), findings)
    assert info is not None and "AGT213" in info.markdown


def _complete(text: str, kind: Kind = Kind.SETTINGS, path: str = SETTINGS) -> list[str]:
    line = text.count("\n")
    col = len(text.split("\n")[-1])
    doc = parse_document(path, text)
    items = assist.complete(doc, FileKind(kind), Position(line, col))
    return [i.insert_text for i in items]


def test_completion_of_keys_and_values() -> None:
    top = _complete('{\n  "model": "sonnet",\n  "perm')
    assert '"permissions": ' in top and '"model": ' not in top  # present keys are not offered
    assert '"acceptEdits"' in _complete('{"permissions": {"defaultMode": "ac')
    assert '"allow": ' in _complete('{"permissions": {"al')
    assert '"Bash"' in _complete('{"permissions": {"allow": ["Ba')
    assert '"PreToolUse": ' in _complete('{"hooks": {"Pre')
    assert '"mcp_tool"' in _complete('{"hooks": {"Stop": [{"hooks": [{"type": "')
    assert '"sonnet"' in _complete('{"model": "')
    mcp = _complete('{"mcpServers": {"a": {"type": "', Kind.MCP, "/p/.mcp.json")
    assert mcp == ['"stdio"', '"http"', '"sse"', '"ws"']
    assert '"url": ' in _complete('{"mcpServers": {"a": {"u', Kind.MCP, "/p/.mcp.json")
    manifest = _complete('{\n  "', Kind.PLUGIN_MANIFEST, "/p/.claude-plugin/plugin.json")
    assert '"name": ' in manifest


def test_completion_replaces_the_typed_word_and_its_closing_quote() -> None:
    text = '{"permissions": {"defaultMode": "ac"}}'
    doc = parse_document(SETTINGS, text)
    items = assist.complete(doc, FileKind(Kind.SETTINGS), Position(0, 35))
    item = next(i for i in items if i.label == "acceptEdits")
    assert (item.replace.start.column, item.replace.end.column) == (32, 36)


KINDS = {
    Kind.SETTINGS: ".claude/settings.json",
    Kind.MCP: ".mcp.json",
    Kind.PLUGIN_MANIFEST: "plugin/.claude-plugin/plugin.json",
    Kind.MARKETPLACE: "market/.claude-plugin/marketplace.json",
    Kind.PLUGIN_HOOKS: "plugin/hooks/hooks.json",
}


@pytest.mark.parametrize("kind", list(KINDS), ids=lambda k: k.value)
def test_schema_accepts_the_clean_twin_and_refuses_the_broken_one(kind: Kind) -> None:
    schema = json_schema(kind)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    clean = json.loads((FIXTURES / "clean" / KINDS[kind]).read_text(encoding="utf-8"))
    assert list(validator.iter_errors(clean)) == []
    broken = json.loads((FIXTURES / "broken" / KINDS[kind]).read_text(encoding="utf-8"))
    assert list(validator.iter_errors(broken))


def test_hover_on_hook_fields_and_elsewhere() -> None:
    text = (
        '{"hooks": {"Stop": [{"matcher": "x", "hooks": [{"type": "command", "command": "x", '
        '"if": "Bash(git *)", "timeout": 5}]}]}, "unknownKey": 1}'
    )
    assert "takes no matcher" in _hover(text, 0, 23)
    at = text.index('"if"') + 1
    assert "one permission rule" in _hover(text, 0, at)
    assert "**`Bash`** (tool)" in _hover(text, 0, at + 7)
    assert "seconds before" in _hover(text, 0, text.index('"timeout"') + 1)
    assert _hover(text, 0, text.index('"unknownKey"') + 1) == ""
    assert _hover(text, 0, 0) == ""
    market = '{"name": "m", "owner": {"name": "x"}}'
    assert "Maintainer" in _hover(
        market, 0, 16, Kind.MARKETPLACE, "/p/.claude-plugin/marketplace.json"
    )
    mcp = '{"mcpServers": {"db": {"command": "x"}}}'
    assert "executable" in _hover(mcp, 0, 25, Kind.MCP, "/p/.mcp.json")


def test_completion_in_hook_groups_and_handlers() -> None:
    assert '"matcher": ' in _complete('{"hooks": {"Stop": [{"m')
    assert '"command": ' in _complete('{"hooks": {"Stop": [{"hooks": [{"type": "command", "c')
    hooks = _complete('{"', Kind.PLUGIN_HOOKS, "/p/hooks/hooks.json")
    assert hooks == ['"description": ', '"hooks": ']
    assert _complete('{"mcpServers": {"a": {"args": [', Kind.MCP, "/p/.mcp.json") == []
    assert '"mcpServers": ' in _complete('{"', Kind.MCP, "/p/.mcp.json")
    assert '"owner": ' in _complete('{"', Kind.MARKETPLACE, "/p/.claude-plugin/marketplace.json")


def test_completion_of_enum_settings() -> None:
    assert _complete('{"tui": "') == ['"default"', '"fullscreen"']
