"""The "Ask backend-developer" actions through the real server, the real anthropic SDK and a
stand-in Messages API on 127.0.0.1: success, faults, cancellation, stale versions, no key."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..conftest import REPO
from ..standin import Reply, StandIn, commit_fix

KEY = "sk-ant-e2e-0123456789abcdefghij"
STANDIN = StandIn().start()


def _env(with_key: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["ANTHROPIC_BASE_URL"] = STANDIN.url
    if with_key:
        env["ANTHROPIC_API_KEY"] = KEY
    return env


async def _start(lsp_client: LanguageClient, tmp_path: Path, caps: str) -> None:
    root = tmp_path / "backend"
    shutil.copytree(REPO / "examples" / "backend", root)
    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.applied = []  # type: ignore[attr-defined]

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        lsp_client.applied.append(params.edit)  # type: ignore[attr-defined]
        return types.ApplyWorkspaceEditResult(applied=True)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(caps),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="backend")],
            initialization_options={"subagentLsp": {"agentTimeout": 2, "agentRetries": 1}},
        )
    )


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"], server_env=_env(True)
    )
)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, tmp_path, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"], server_env=_env(True)
    )
)
async def emacs(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, tmp_path, "emacs")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"], server_env=_env(False)
    )
)
async def keyless(lsp_client: LanguageClient, tmp_path: Path):
    await _start(lsp_client, tmp_path, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, function: str = "create_order") -> tuple[str, int]:
    path = client.root / "flask_shop" / "app.py"  # type: ignore[attr-defined]
    text = path.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), "python", 1, text))
    )
    lines = text.splitlines()
    return path.as_uri(), next(
        i for i, t in enumerate(lines) if t.startswith(f"def {function}(")
    ) + 2


async def _ask(client: LanguageClient, uri: str, line: int, verb: str) -> Any:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(line, 4), types.Position(line, 4)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.RefactorRewrite]),
        )
    )
    found = [a for a in actions or [] if a.title.endswith(verb)]
    assert found, [getattr(a, "title", a) for a in actions or []]
    return found[0]


async def test_resolve_calls_the_agent(client: LanguageClient) -> None:
    STANDIN.answer = lambda body: commit_fix()
    STANDIN.script.clear()
    before = len(STANDIN.requests)
    uri, line = await _open(client)
    action = await _ask(client, uri, line, "add error handling")
    assert action.title == "Ask backend-developer: add error handling" and action.edit is None
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None and resolved.edit.document_changes
    change = resolved.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    edit = change.edits[0]
    assert "db.session.rollback()" in edit.new_text
    assert resolved.edit.change_annotations  # VS Code asks the user to confirm
    body = STANDIN.requests[before]["body"]
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["model"].startswith("claude-") and body["tools"][0]["name"] == "propose_changes"
    assert "def create_order():" in body["messages"][0]["content"]
    reports = [r for token in client.progress_reports.values() for r in token]
    assert any(
        isinstance(r, types.WorkDoneProgressBegin) and "Sending" in (r.message or "")
        for r in reports
    )
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


async def test_secrets_are_counted_and_the_last_request_opens_read_only(
    client: LanguageClient,
) -> None:
    STANDIN.answer = lambda body: {"summary": "nothing", "suggestions": []}
    STANDIN.script.clear()
    before = len(STANDIN.requests)
    stripe = "sk_live_" + "Zq3XbT9wLm2Rk7Vd4Hn8Pc5J"  # fake, format-valid
    path = client.root / "flask_shop" / "app.py"  # type: ignore[attr-defined]
    text = path.read_text().replace(
        "def create_order():\n", f'def create_order():\n    STRIPE = "{stripe}"\n'
    )
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    line = text.splitlines().index("def create_order():") + 2
    await client.code_action_resolve_async(await _ask(client, uri, line, "add error handling"))
    body = STANDIN.requests[before]["body"]
    assert stripe not in str(body) and "[REDACTED:stripe-key]" in str(body)
    reports = [r for token in client.progress_reports.values() for r in token]
    assert any(
        isinstance(r, types.WorkDoneProgressBegin)
        and "1 secret redacted (stripe-key)" in (r.message or "")
        for r in reports
    ), reports
    shown = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="subagent-lsp.showLastAgentRequest")
    )
    assert shown == body
    [document] = client.shown_documents
    opened = Path(uri_to_path(document.uri))
    assert json.loads(opened.read_text()) == body
    assert opened.stat().st_mode & 0o222 == 0  # read-only (root could still write: mode bits)


def uri_to_path(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path)


async def test_overloaded_then_success(client: LanguageClient) -> None:
    STANDIN.answer = lambda body: commit_fix()
    STANDIN.script[:] = [Reply(status=529)]
    uri, line = await _open(client)
    resolved = await client.code_action_resolve_async(
        await _ask(client, uri, line, "add error handling")
    )
    assert resolved.edit is not None


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (Reply(status=401), "rejected the credentials (401)"),
        (Reply(delay=4), "did not answer within 2 s"),
        (Reply(tool_input={"summary": "x", "suggestions": "nope"}), "malformed"),
    ],
)
async def test_faults_give_a_message_and_no_edit(
    client: LanguageClient, reply: Reply, needle: str
) -> None:
    STANDIN.script[:] = [reply, reply, reply]
    uri, line = await _open(client)
    resolved = await client.code_action_resolve_async(
        await _ask(client, uri, line, "add input validation")
    )
    assert resolved.edit is None
    assert any(needle in m.message for m in client.messages), (
        [m.message for m in client.messages],
        [(r["path"], r["body"].get("model")) for r in STANDIN.requests],
        STANDIN.script,
    )
    assert all(KEY not in m.message for m in client.messages)
    assert all(KEY not in m.message for m in client.log_messages)
    STANDIN.script.clear()
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, 4))
    )
    del hover  # the server still answers


async def test_stale_version_gets_no_edit(client: LanguageClient) -> None:
    STANDIN.answer = lambda body: commit_fix()
    STANDIN.script.clear()
    uri, line = await _open(client)
    action = await _ask(client, uri, line, "add error handling")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)), text="# edited\n"
                )
            ],
        )
    )  # a notification: handled before the request that follows it
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is None
    assert any("changed" in m.message for m in client.messages)


async def test_cancel_mid_call(client: LanguageClient) -> None:
    STANDIN.script[:] = [Reply(delay=6)]
    uri, line = await _open(client)
    action = await _ask(client, uri, line, "suggest indexes")
    msg_id = str(uuid.uuid4())
    before = len(STANDIN.requests)
    future = asyncio.ensure_future(  # pytest-lsp's send_request_async sends when first awaited
        client.protocol.send_request_async(types.CODE_ACTION_RESOLVE, action, msg_id=msg_id)
    )
    assert await asyncio.to_thread(STANDIN.wait_for_requests, before + 1)  # the call is out
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id=msg_id))
    try:
        result = await asyncio.wait_for(future, 5)
    except Exception as err:
        result = err
    assert not isinstance(result, types.CodeAction) or result.edit is None
    assert any("cancelled" in m.message for m in client.messages) or isinstance(result, Exception)
    STANDIN.script.clear()
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, 4))
    )
    del hover
    reports = [r for token in client.progress_reports.values() for r in token]
    assert any(isinstance(r, types.WorkDoneProgressEnd) for r in reports)


async def test_client_without_resolve_gets_a_command(emacs: LanguageClient) -> None:
    STANDIN.answer = lambda body: commit_fix()
    STANDIN.script.clear()
    uri, line = await _open(emacs)
    action = await _ask(emacs, uri, line, "add error handling")
    # The client's union decoding may read {title, command: {...}} as a Command: take either.
    command: Any = action.command
    if isinstance(command, types.Command):
        command = {"command": command.command, "arguments": command.arguments}
    if isinstance(command, str):  # the test client's decoder turned the nested object into text
        command = ast.literal_eval(command)
    assert getattr(action, "edit", None) is None and isinstance(command, dict)
    name, arguments = command["command"], command["arguments"]
    await emacs.workspace_execute_command_async(types.ExecuteCommandParams(name, arguments))
    assert len(emacs.applied) == 1  # type: ignore[attr-defined]


async def test_without_a_key_the_offline_engine_serves(keyless: LanguageClient) -> None:
    before = len(STANDIN.requests)
    # create_order's commit is Flask-SQLAlchemy's to roll back: the upstream call is not.
    uri, line = await _open(keyless, "order_total_in")
    action = await _ask(keyless, uri, line, "add error handling (offline engine)")
    assert action.edit is not None and len(STANDIN.requests) == before


async def test_invalid_workspace_agent_falls_back_to_the_bundled_one(
    client: LanguageClient,
) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    own = root / ".claude" / "agents" / "backend-developer.md"
    own.parent.mkdir(parents=True, exist_ok=True)
    # Its unterminated quote fails even Claude Code's quoting retry: not a valid agent.
    own.write_text('---\nname: backend-developer\ndescription: "Reviews code\n---\nMy prompt.\n')
    STANDIN.answer = lambda body: commit_fix()
    STANDIN.script.clear()
    before = len(STANDIN.requests)
    uri, line = await _open(client)
    resolved = await client.code_action_resolve_async(
        await _ask(client, uri, line, "add error handling")
    )
    assert resolved.edit is not None
    assert any(
        "is not a valid agent" in m.message and "bundled" in m.message for m in client.messages
    )
    system = STANDIN.requests[before]["body"]["system"][0]["text"]
    assert "My prompt." not in system and "propose_changes" in system
    own.write_text(
        '---\nname: backend-developer\ndescription: "Use this agent for our backend."\n'
        "model: opus\n---\nOur own prompt: be brief.\n"
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)), text=""
                )
            ],
        )
    )
    resolved = await client.code_action_resolve_async(
        await _ask(client, uri, line, "add error handling")
    )
    body = STANDIN.requests[-1]["body"]
    assert (
        body["system"][0]["text"] == "Our own prompt: be brief."
        and body["model"] == "claude-opus-5-5"
    )
