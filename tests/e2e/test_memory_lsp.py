"""Memory files, plugin manifests and catalog notes over the real server: an @import's
diagnostic, hover and definition; a manifest's agent path; a note's agent on hover."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .waiting import indexed, notified

CLAUDE_MD = "# Project\n\nSee @docs/setup.md and @docs/gone.md.\n"
MANIFEST = '{\n  "name": "kit",\n  "agents": ["./agents/helper.md"]\n}\n'
HELPER = '---\nname: helper\ndescription: "Use this agent to help."\ntools: Read\nmodel: haiku\n---\nHelp.\n'
NOTE = "---\ncategories: LLM\ntopics:\n  - Agents\ndateCreated: 2025-01-01\n---\n# Helper Agent\n"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "subagent_lsp", "serve"]),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "setup.md").write_text("# Setup\n\nRun make.\n")
    (tmp_path / "CLAUDE.md").write_text(CLAUDE_MD)
    (tmp_path / "kit" / ".claude-plugin").mkdir(parents=True)
    (tmp_path / "kit" / ".claude-plugin" / "plugin.json").write_text(MANIFEST)
    (tmp_path / "kit" / "agents").mkdir()
    (tmp_path / "kit" / "agents" / "helper.md").write_text(HELPER)
    (tmp_path / "kit" / "notes").mkdir()
    (tmp_path / "kit" / "notes" / "helper.md").write_text(NOTE)
    lsp_client.root = tmp_path  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    capabilities = client_capabilities("visual-studio-code")
    capabilities.text_document.diagnostic = None  # a push client: diagnostics are published
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
        )
    )
    await indexed(lsp_client)
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, rel: str, language: str = "markdown") -> str:
    path = client.root / rel  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(path.as_uri(), language, 1, path.read_text())
        )
    )
    return path.as_uri()


async def test_an_import_is_checked_hovered_and_followed(client: LanguageClient) -> None:
    uri = _open(client, "CLAUDE.md")
    diagnostics = await notified(
        client,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: client.diagnostics.get(uri) or None,
    )
    line = CLAUDE_MD.splitlines()[2]
    gone = line.index("@docs/gone.md")
    assert [(d.code, d.range) for d in diagnostics] == [
        (
            "AGT110",
            types.Range(types.Position(2, gone), types.Position(2, gone + len("@docs/gone.md."))),
        )
    ]
    at = types.Position(2, line.index("setup"))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), at)
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "docs/setup.md" in hover.contents.value and "Run make." in hover.contents.value
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), at)
    )
    assert isinstance(found, list) and found[0].uri.endswith("/docs/setup.md")


async def test_a_manifest_agent_path_leads_to_the_agent(client: LanguageClient) -> None:
    uri = _open(client, "kit/.claude-plugin/plugin.json", "json")
    col = MANIFEST.splitlines()[2].index("./agents") + 3
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(2, col))
    )
    assert isinstance(found, list) and found[0].uri.endswith("/kit/agents/helper.md")


async def test_a_catalog_note_shows_its_agent(client: LanguageClient) -> None:
    uri = _open(client, "kit/notes/helper.md")
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(6, 4))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "model: `haiku`" in hover.contents.value and "tools: `Read`" in hover.contents.value


async def test_creating_the_imported_file_clears_the_finding(client: LanguageClient) -> None:
    uri = _open(client, "CLAUDE.md")
    await notified(
        client,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: client.diagnostics.get(uri) or None,
    )
    gone = client.root / "docs" / "gone.md."  # type: ignore[attr-defined]
    gone.write_text("# Now here\n")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(gone.as_uri(), types.FileChangeType.Created)]
        )
    )
    await notified(
        client,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: True if not client.diagnostics.get(uri) else None,
    )


async def test_hover_on_an_agent_call_shows_the_agent(client: LanguageClient) -> None:
    lead = client.root / "kit" / "agents" / "lead.md"  # type: ignore[attr-defined]
    lead.write_text(
        HELPER.replace("name: helper", "name: lead").replace(
            "tools: Read", "tools: Read, Agent(helper)"
        )
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(lead.as_uri(), types.FileChangeType.Created)]
        )
    )
    uri = _open(client, "kit/agents/lead.md")
    col = lead.read_text().splitlines()[3].index("helper") + 2
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, col))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "**Agent `helper`**" in hover.contents.value and "model: `haiku`" in hover.contents.value
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(3, col))
    )
    assert isinstance(found, list) and found[0].uri.endswith("/kit/agents/helper.md")
