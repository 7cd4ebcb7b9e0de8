"""Definition, references, rename and symbols for agent names, over the real server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from subagent_lsp.definitions.findings import Position, Span, TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.definitions.workspace import check_paths

from .waiting import indexed

REVIEWER = '---\nname: code-reviewer\ndescription: "Use this agent to review diffs for bugs."\ntools: Read, Grep\nskills:\n  - sql-review\n---\n# Reviewer\n\n## Steps\n\nRead the diff.\n'
LEAD = '---\nname: lead\ndescription: "Use this agent to plan work and hand it out."\ntools: Read, Agent(code-reviewer, tester)\n---\n# Lead\n\nAsk the code-reviewer subagent for a review, then the `tester` agent.\n'
SKILL = "---\nname: sql-review\ndescription: Reviews SQL.\nagent: code-reviewer\n---\nBody.\n"


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "subagent_lsp", "serve"]),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "code-reviewer.md").write_text(REVIEWER)
    (agents / "lead.md").write_text(LEAD)
    (tmp_path / ".claude" / "skills" / "sql-review").mkdir(parents=True)
    (tmp_path / ".claude" / "skills" / "sql-review" / "SKILL.md").write_text(SKILL)
    (tmp_path / "CLAUDE.md").write_text(
        "# Project\n\nUse the code-reviewer agent before merging.\n"
    )
    lsp_client.root = tmp_path  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
        )
    )
    await indexed(lsp_client)  # the workspace index is built in the background
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, rel: str) -> str:
    path = client.root / rel  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(path.as_uri(), "markdown", 1, path.read_text())
        )
    )
    return path.as_uri()


async def test_definition_from_agent_call_and_mentions(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/lead.md")
    line = LEAD.splitlines()[3]
    col = line.index("code-reviewer") + 2
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(3, col))
    )
    assert isinstance(found, list) and found[0].uri.endswith("code-reviewer.md")
    assert found[0].range.start == types.Position(1, 6)
    mention_line = LEAD.splitlines().index(
        "Ask the code-reviewer subagent for a review, then the `tester` agent."
    )
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(mention_line, 9))
    )
    assert isinstance(found, list) and found[0].uri.endswith("code-reviewer.md")


async def test_references_and_hover_on_the_name(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/code-reviewer.md")
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            context=types.ReferenceContext(include_declaration=False),
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(1, 8),
        )
    )
    files = sorted(Path(r.uri).name for r in refs or [])
    assert files == ["CLAUDE.md", "SKILL.md", "lead.md", "lead.md"]
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 8))
    )
    assert hover is not None and "Used in 4 places" in hover.contents.value  # type: ignore[union-attr]
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    assert lenses and lenses[0].command is not None and lenses[0].command.title == "4 references"


async def test_rename_changes_name_references_and_file(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/code-reviewer.md")
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(types.TextDocumentIdentifier(uri), types.Position(1, 8))
    )
    assert prepared is not None
    edit = await client.text_document_rename_async(
        types.RenameParams(types.TextDocumentIdentifier(uri), types.Position(1, 8), "diff-reviewer")
    )
    assert edit is not None and edit.document_changes
    root: Path = client.root  # type: ignore[attr-defined]
    renames = []
    for change in edit.document_changes:
        if isinstance(change, types.RenameFile):
            renames.append(change)
            continue
        assert isinstance(change, types.TextDocumentEdit)
        path = Path(change.text_document.uri.removeprefix("file://"))
        text = path.read_text()
        edits = [
            TextEdit(
                Span(
                    Position(e.range.start.line, e.range.start.character),
                    Position(e.range.end.line, e.range.end.character),
                ),
                e.new_text,
            )
            for e in change.edits
        ]
        path.write_text(apply_edits(text, edits))
    assert len(renames) == 1 and renames[0].new_uri.endswith("diff-reviewer.md")
    old = Path(renames[0].old_uri.removeprefix("file://"))
    old.rename(Path(renames[0].new_uri.removeprefix("file://")))
    assert "Agent(diff-reviewer, tester)" in (root / ".claude" / "agents" / "lead.md").read_text()
    assert "the diff-reviewer agent" in (root / "CLAUDE.md").read_text()
    assert (
        "agent: diff-reviewer"
        in (root / ".claude" / "skills" / "sql-review" / "SKILL.md").read_text()
    )
    # the workspace is clean after the rename
    results = check_paths([str(root)])
    assert all(f.severity.value > 2 for r in results for f in r.findings), [
        (r.path, f.code) for r in results for f in r.findings
    ]


async def test_symbols(client: LanguageClient) -> None:
    uri = _open(client, ".claude/agents/code-reviewer.md")
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    names = [s.name for s in symbols or []]
    assert names[:4] == ["name", "description", "tools", "skills"] and "Reviewer" in names
    heading = next(s for s in symbols or [] if s.name == "Reviewer")
    assert isinstance(heading, types.DocumentSymbol) and [
        c.name for c in heading.children or []
    ] == ["Steps"]
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="review"))
    assert {s.name for s in found or []} == {"code-reviewer", "sql-review"}
