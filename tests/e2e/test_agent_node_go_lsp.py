"""The "Ask backend-developer" action on a TypeScript Express handler and a Go handler,
through the real server, the real anthropic SDK and the stand-in Messages API: the scope sent
is the handler (and the schema it touches), the edit comes back versioned for that file."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..conftest import REPO
from ..standin import StandIn
from .waiting import pushed

KEY = "sk-ant-e2e-0123456789abcdefghij"
STANDIN = StandIn().start()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_BASE_URL"] = STANDIN.url
    env["ANTHROPIC_API_KEY"] = KEY
    return env


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"], server_env=_env()
    )
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    root = tmp_path / "backend"
    shutil.copytree(REPO / "examples" / "backend", root)
    lsp_client.root = root  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="backend")],
            initialization_options={"subagentLsp": {"agentTimeout": 5, "agentRetries": 1}},
        )
    )
    yield
    await lsp_client.shutdown_session()


def _fix(find: str, replace: str) -> dict[str, Any]:
    return {
        "summary": "Validate the input.",
        "suggestions": [
            {
                "kind": "validation",
                "title": "Validate the request body",
                "rationale": "A bad body should be a 400.",
                "edits": [{"find": find, "replace": replace}],
            }
        ],
    }


async def _ask_at(client: LanguageClient, rel: str, language: str, marker: str) -> Any:
    path = client.root / rel  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), language, 1, text))
    )
    # Once the schema is read, the file's index suggestion (proven on it) is published.
    await pushed(client, path.as_uri(), lambda items: any(d.code == "BKD101" for d in items))
    line = next(i for i, t in enumerate(text.splitlines()) if marker in t) + 1
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(path.as_uri()),
            types.Range(types.Position(line, 2), types.Position(line, 2)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite]),
        )
    )
    found = [a for a in actions or [] if a.title == "Ask backend-developer: add input validation"]
    assert found, [getattr(a, "title", a) for a in actions or []]
    return path.as_uri(), await client.code_action_resolve_async(found[0])


def _only_edit(resolved: Any, uri: str) -> types.TextEdit:
    assert resolved.edit is not None and resolved.edit.document_changes
    (change,) = resolved.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    assert change.text_document.uri == uri and change.text_document.version == 1
    (edit,) = change.edits
    return edit  # type: ignore[return-value]


async def test_typescript_express_handler_gets_the_agents_versioned_edit(
    client: LanguageClient,
) -> None:
    find = "    const { userId, total } = req.body;\n"
    replace = "    const { userId, total } = NewOrder.parse(req.body);\n"
    STANDIN.answer = lambda body: _fix(find, replace)
    before = len(STANDIN.requests)
    uri, resolved = await _ask_at(
        client, "express_prisma/server.ts", "typescript", 'app.post("/orders"'
    )
    edit = _only_edit(resolved, uri)
    assert edit.new_text == replace and edit.range.start.line == 27
    sent = STANDIN.requests[before]["body"]["messages"][0]["content"]
    assert 'app.post("/orders", async (req, res, next) => {' in sent  # the route, whole
    assert "/rates" not in sent  # and not the rest of the file
    assert "(typescript)" in sent and 'import express from "express";' in sent
    assert "model Purchase {" in sent  # the Prisma model the handler touches


async def test_go_handler_gets_the_agents_versioned_edit(client: LanguageClient) -> None:
    find = "\tjson.NewDecoder(r.Body).Decode(&o)\n"
    replace = (
        "\tif err := json.NewDecoder(r.Body).Decode(&o); err != nil {\n"
        '\t\thttp.Error(w, "malformed JSON", http.StatusBadRequest)\n\t\treturn\n\t}\n'
    )
    STANDIN.answer = lambda body: _fix(find, replace)
    before = len(STANDIN.requests)
    uri, resolved = await _ask_at(
        client, "go_orders/handlers.go", "go", "func (s *Server) createOrder("
    )
    edit = _only_edit(resolved, uri)
    assert edit.new_text == replace and edit.range.start.line == 53
    sent = STANDIN.requests[before]["body"]["messages"][0]["content"]
    assert "func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {" in sent
    assert "func (s *Server) getOrder(" not in sent
    assert "(go)" in sent and '"encoding/json"' in sent
    assert "CREATE TABLE invoices" in sent  # the migration of the table it writes
