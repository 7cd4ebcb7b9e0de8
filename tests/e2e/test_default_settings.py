"""What a user has right after installing the VS Code extension: every setting at its default.

VS Code sends the whole ``subagentLsp`` section, defaults included (``"select": []`` among them),
in initializationOptions, in answers to workspace/configuration and in didChangeConfiguration.
With exactly that payload a broken agent file must show its problems. The payload is read from
the extension's own package.json, so a new setting with a new default is covered too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPO = Path(__file__).resolve().parents[2]
BROKEN = "---\nname: my-agent\ndescription: Use it: now\nmodel: sonet\n---\nYou review code.\n"


def vscode_defaults() -> dict[str, Any]:
    manifest = json.loads((REPO / "client-vscode" / "package.json").read_text(encoding="utf-8"))
    props = manifest["contributes"]["configuration"]["properties"]
    section = "subagentLsp."
    return {
        key.removeprefix(section): prop["default"]
        for key, prop in props.items()
        if key.startswith(section) and "default" in prop
    }


def test_the_defaults_include_the_empty_lists() -> None:
    # The case that once silenced everything: an empty `select` sent as a default.
    assert vscode_defaults()["select"] == []


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "subagent_lsp", "serve"]),
    params=["visual-studio-code", "neovim@v0.11.0"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    defaults = vscode_defaults()
    # pytest-lsp answers workspace/configuration from what is set here.
    lsp_client.set_configuration(defaults, section="subagentLsp")

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    capabilities = client_capabilities(request.param)
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
            initialization_options={"subagentLsp": defaults},
        )
    )
    lsp_client.tmp = tmp_path  # type: ignore[attr-defined]
    lsp_client.pull = request.param.startswith("neovim")  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _codes(client: LanguageClient, uri: str) -> set[str]:
    if client.pull:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return {str(d.code) for d in report.items}
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return {str(d.code) for d in client.diagnostics.get(uri, [])}


async def test_broken_file_shows_problems_with_default_settings(client: LanguageClient) -> None:
    path = client.tmp / ".claude" / "agents" / "my-agent.md"  # type: ignore[attr-defined]
    path.write_text(BROKEN, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, BROKEN))
    )
    assert "AGT006" in await _codes(client, uri)
    # And again after VS Code re-sends the whole section, defaults and all.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"subagentLsp": vscode_defaults()})
    )
    assert "AGT006" in await _codes(client, uri)
