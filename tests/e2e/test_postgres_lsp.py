"""A PostgreSQL app in the real server: its index suggestions proven on PostgreSQL (the cluster
started in the server's worker thread, not on its event loop), the plans in the hover."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..pgproof.conftest import APP, needs_postgres
from .waiting import pushed


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"],
        server_env={k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"},
    ),
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    needs_postgres()
    root = tmp_path / "activity_app"
    shutil.copytree(APP, root)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    lsp_client.root = root  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="app")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_postgres_proofs_in_diagnostics_and_hover(client: LanguageClient) -> None:
    path = client.root / "repository.py"  # type: ignore[attr-defined]
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "python", 1, path.read_text(encoding="utf-8"))
        )
    )
    diags = await pushed(client, uri, lambda items: len(items) >= 4)
    index = [d for d in diags if d.code == "BKD101"]
    assert len(index) == 4
    assert all("(index proven on PostgreSQL" in d.message for d in index)
    expression = next(d for d in index if "payload" in d.message)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), expression.range.start)
    )
    assert hover is not None
    text = hover.contents if isinstance(hover.contents, str) else hover.contents.value  # type: ignore[union-attr]
    assert "Plan before:" in text and "Seq Scan on activity" in text
    assert "Bitmap Index Scan using ix_activity_payload_source" in text
