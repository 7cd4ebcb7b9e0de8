"""A PostgreSQL app in the real server: its index suggestions proven on PostgreSQL (the cluster
started in the server's worker thread, not on its event loop), the plans in the hover."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

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


async def test_the_cluster_is_stopped_when_the_server_exits(tmp_path: Path) -> None:
    """``shutdown`` then ``exit``: the server's process ends, and with it the cluster it
    started: its postmaster is gone and its folder removed."""
    needs_postgres()
    root = tmp_path / "activity_app"
    shutil.copytree(APP, root)
    scratch = Path(tempfile.mkdtemp(prefix="lsp-pg-", dir="/tmp"))  # the server's TMPDIR
    scratch.chmod(0o755)  # as root the cluster runs as nobody, who must reach it
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
    env["TMPDIR"] = str(scratch)
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    try:
        await client.start_io(sys.executable, "-m", "subagent_lsp", "serve", env=env)
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="app")],
            )
        )
        path = root / "repository.py"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(path.as_uri(), "python", 1, path.read_text(encoding="utf-8"))
            )
        )
        diags = await pushed(client, path.as_uri(), lambda items: len(items) >= 4)
        assert any("(index proven on PostgreSQL" in d.message for d in diags)
        [pidfile] = scratch.glob("subagent-lsp-pg-*/data/postmaster.pid")
        postmaster = int(pidfile.read_text(encoding="utf-8").split()[0])
        assert _is_postgres(postmaster)
        await client.shutdown_session()  # shutdown, exit, and the process waited for
        assert client._server is not None and client._server.returncode == 0
        assert not _is_postgres(postmaster)
        assert not list(scratch.glob("subagent-lsp-pg-*"))
    finally:
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
        await client.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def _is_postgres(pid: int) -> bool:
    """A live postgres process (a zombie waiting for an init that does not reap is dead)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
    return "postgres" in fields.get("Name", "") and not fields.get("State", "").startswith("Z")
