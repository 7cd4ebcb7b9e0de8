"""From `mcp__server__tool` to the server's entry in `.mcp.json`; from a plugin manifest's path
to the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.config_navigation import definitions_at, mcp_configs, server_at
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Span


@pytest.mark.parametrize(
    ("line", "column", "server"),
    [
        ('"allow": ["mcp__github__get_issue"]', 15, "github"),
        ('"allow": ["mcp__github__get_issue"]', 30, "github"),
        ("tools: Read, mcp__my_db__query", 20, "my_db"),
        ('"matcher": "mcp__memory__.*"', 14, "memory"),
        ('"deny": ["mcp__puppeteer"]', 14, "puppeteer"),
        ('"allow": ["Bash(ls)"]', 12, None),
    ],
)
def test_server_under_the_cursor(line: str, column: int, server: str | None) -> None:
    assert server_at(line, column) == server


def test_the_project_config_is_found_upwards(tmp_path: Path) -> None:
    project = tmp_path / "app"
    (project / ".claude").mkdir(parents=True)
    (project / ".mcp.json").write_text(
        '{"mcpServers": {\n  "github": {"command": "gh-mcp"}\n}}', encoding="utf-8"
    )
    (tmp_path / ".mcp.json").write_text("{broken", encoding="utf-8")
    settings = project / ".claude" / "settings.json"
    lines = ['{"permissions": {"deny": ["mcp__github__delete_repo"]}}']
    assert mcp_configs(str(settings), [str(tmp_path)]) == [
        str(project / ".mcp.json"),
        str(tmp_path / ".mcp.json"),
    ]
    found = definitions_at(str(settings), lines, 0, 30, [str(tmp_path)])
    assert found == [(str(project / ".mcp.json"), Span.of(1, 2, 1, 10))]
    assert definitions_at(str(settings), lines, 0, 5) == []
    assert definitions_at(str(settings), lines, 3, 0) == []


def test_a_manifest_path_leads_to_the_file(tmp_path: Path) -> None:
    manifest = tmp_path / ".claude-plugin" / "plugin.json"
    manifest.parent.mkdir()
    (tmp_path / "agents").mkdir()
    (tmp_path / "agents" / "reviewer.md").write_text("x", encoding="utf-8")
    text = '{"name": "kit", "agents": ["./agents/reviewer.md", "./agents/gone.md", "agents/x"]}'
    doc = parse_document(str(manifest), text)
    lines = [text]
    found = definitions_at(str(manifest), lines, 0, 32, manifest=doc)
    assert found == [(str(tmp_path / "agents" / "reviewer.md"), Span.point(0, 0))]
    assert definitions_at(str(manifest), lines, 0, 55, manifest=doc) == []
    assert definitions_at(str(manifest), lines, 0, 75, manifest=doc) == []
    assert definitions_at(str(manifest), lines, 0, 3, manifest=doc) == []
