"""The JSON configuration kinds through the real server over stdio: diagnostics at exact
UTF-16 ranges (push and pull clients), hover, completion and a quick fix that keeps the JSON
valid."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .waiting import notified

TEXT = '{\n  "env": {"GREETING": "😀 hi"},\n  "permissions": {"defaultMode": "acceptEdit"}\n}\n'


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "subagent_lsp", "serve"]),
    params=["visual-studio-code", "neovim@v0.11.0"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
    )
    lsp_client.tmp = tmp_path  # type: ignore[attr-defined]
    lsp_client.pull = request.param.startswith("neovim")  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        lsp_client.registrations = params  # type: ignore[attr-defined]

    result = await lsp_client.initialize_session(params)
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, text: str) -> str:
    path = client.tmp / ".claude" / "settings.json"  # type: ignore[attr-defined]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "json", 1, text))
    )
    return uri


async def _diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    if client.pull:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)
    return await notified(
        client,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        lambda: client.diagnostics.get(uri) or None,
    )


async def test_settings_file_diagnostics_hover_completion_and_fix(client: LanguageClient) -> None:
    uri = await _open(client, TEXT)
    diags = await _diagnostics(client, uri)
    mode = next(d for d in diags if d.code == "AGT213")
    assert mode.severity == types.DiagnosticSeverity.Error
    assert mode.range == types.Range(types.Position(2, 33), types.Position(2, 45))

    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(1, 5))
    )
    assert hover is not None and "`env`" in str(getattr(hover.contents, "value", hover.contents))

    items = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(2, 36))
    )
    assert items is not None
    labels = [i.label for i in (items.items if isinstance(items, types.CompletionList) else items)]
    assert "acceptEdits" in labels

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            mode.range,
            types.CodeActionContext(diagnostics=[mode]),
        )
    )
    assert actions
    fix = next(a for a in actions if isinstance(a, types.CodeAction) and "acceptEdits" in a.title)
    if fix.edit is None:  # a client that resolves the edit later
        fix = await client.code_action_resolve_async(fix)
    assert fix.edit is not None
    edits = fix.edit.document_changes or []
    change = edits[0]
    assert isinstance(change, types.TextDocumentEdit)
    edit = change.edits[0]
    line = TEXT.split("\n")[2]
    start, end = edit.range.start.character, edit.range.end.character
    fixed = TEXT.replace(line, line[:start] + edit.new_text + line[end:])
    assert json.loads(fixed)["permissions"]["defaultMode"] == "acceptEdits"


async def test_emoji_before_the_error_is_counted_in_the_clients_units(
    client: LanguageClient,
) -> None:
    text = '{"env": {"A": "😀"}, "hooks": {"PreToolUs": []}}'
    uri = await _open(client, text)
    diags = await _diagnostics(client, uri)
    event = next(d for d in diags if d.code == "AGT220")
    before = text[: text.index('"PreToolUs"')]  # 30 code points, one of them an emoji
    units = {"utf-8": len(before.encode("utf-8")), "utf-32": len(before)}
    encoding = client.encoding  # type: ignore[attr-defined]
    assert event.range.start == types.Position(0, units.get(encoding, len(before) + 1))


async def test_definition_from_a_permission_rule_to_the_mcp_server(client: LanguageClient) -> None:
    tmp = client.tmp  # type: ignore[attr-defined]
    config = (
        '{\n  "mcpServers": {\n    "github": {"type": "http", "url": "https://x/mcp"}\n  }\n}\n'
    )
    (tmp / ".mcp.json").write_text(config, encoding="utf-8")
    uri = await _open(client, '{"permissions": {"allow": ["mcp__github__get_issue"]}}')
    found = await client.text_document_definition_async(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), types.Position(0, 33))
    )
    assert isinstance(found, list) and len(found) == 1
    assert found[0].uri == (tmp / ".mcp.json").as_uri()
    assert found[0].range == types.Range(types.Position(2, 4), types.Position(2, 12))
