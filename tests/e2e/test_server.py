"""The real server over stdio, driven by pytest-lsp with real editors' capability sets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .waiting import index_builds, indexed, notified

CLIENTS = ["visual-studio-code", "neovim@v0.11.0", "emacs"]
GOOD = '---\nname: my-agent\ndescription: "Use this agent to review code for bugs."\ntools: Read\n---\nYou review code.\n'


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "subagent_lsp", "serve"]),
    params=CLIENTS,
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    (tmp_path / ".claude" / "agents").mkdir(parents=True)
    (tmp_path / ".claude" / "agents" / "other.md").write_text(
        GOOD.replace("my-agent", "dup-agent"), encoding="utf-8"
    )
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

    lsp_client.published = {}  # type: ignore[attr-defined]

    features = lsp_client.protocol.fm.features
    default = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def published(params: types.PublishDiagnosticsParams) -> None:
        # Keep pytest-lsp's own bookkeeping, and remember the version too.
        default(params)
        lsp_client.published[params.uri] = (params.version, list(params.diagnostics))  # type: ignore[attr-defined]

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = published

    result = await lsp_client.initialize_session(params)
    lsp_client.encoding = result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, name: str, text: str) -> str:
    path = client.tmp / ".claude" / "agents" / name  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
    )
    return uri


async def _diagnostics(
    client: LanguageClient, uri: str, version: int = 1, want: str | None = None
) -> list[types.Diagnostic]:
    if client.pull:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        assert uri not in client.diagnostics  # never both push and pull
        return list(report.items)

    def check() -> list[types.Diagnostic] | None:
        got = client.published.get(uri)  # type: ignore[attr-defined]
        ready = got is not None and got[0] == version
        if ready and (want is None or any(d.code == want for d in got[1])):
            return list(got[1])
        return None

    return await notified(client, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, check)


def _text(contents: object) -> str:
    return contents if isinstance(contents, str) else str(getattr(contents, "value", contents))


def _units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


async def test_yaml_error_after_emoji_is_exact(client: LanguageClient) -> None:
    text = "---\nname: a-b\ndescription: 😀 Use it: now\n---\nbody\n"
    uri = await _open(client, "a-b.md", text)
    diags = await _diagnostics(client, uri)
    err = next(d for d in diags if d.code == "AGT006")
    encoding = client.encoding  # type: ignore[attr-defined]
    line = text.split("\n")[2]
    assert err.range.start == types.Position(2, _units(line[:13], encoding))
    colon = line.index(": now")
    assert err.range.end == types.Position(2, _units(line[: colon + 1], encoding))
    # Claude Code loads it through its quoting retry: a warning.
    assert err.severity == types.DiagnosticSeverity.Warning
    assert err.code_description is not None and "agt006" in err.code_description.href


async def test_change_updates_diagnostics_and_quick_fix(client: LanguageClient) -> None:
    text = '---\nname: my-agent\ndescripton: "Use this agent to review code for bugs."\n---\nbody\n'
    uri = await _open(client, "my-agent.md", text)
    diags = await _diagnostics(client, uri)
    assert {d.code for d in diags} == {"AGT011", "AGT020"}
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(2, 0), types.Position(2, 3)),
            types.CodeActionContext(diagnostics=diags),
        )
    )
    assert actions
    rename = next(
        a for a in actions if isinstance(a, types.CodeAction) and "description" in a.title
    )
    assert rename.edit is not None and rename.edit.document_changes
    change = rename.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.version == 1
    assert change.edits[0].new_text == "description"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=change.edits[0].range, text="description"
                )
            ],
        )
    )
    assert await _diagnostics(client, uri, version=2) == []


async def test_hover_and_completion_on_model(client: LanguageClient) -> None:
    uri = await _open(client, "my-agent.md", GOOD.replace("tools: Read", "model: sonnet"))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 2))
    )
    assert hover is not None and "`model`" in _text(hover.contents)
    value_hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(3, 9))
    )
    assert value_hover is not None and "alias" in _text(value_hover.contents)
    items = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(3, 7))
    )
    assert items is not None
    labels = [i.label for i in (items.items if isinstance(items, types.CompletionList) else items)]
    assert {"sonnet", "opus", "haiku", "inherit"} <= set(labels)
    assert any(label.startswith("claude-") for label in labels)


async def test_key_completion_offers_missing_keys(client: LanguageClient) -> None:
    text = GOOD.replace("tools: Read\n", "tools: Read\nper\n")
    uri = await _open(client, "my-agent.md", text)
    items = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(4, 3))
    )
    assert items is not None
    labels = {i.label for i in (items.items if isinstance(items, types.CompletionList) else items)}
    assert "permissionMode" in labels and "name" not in labels and "tools" not in labels


async def test_duplicate_name_across_files(client: LanguageClient) -> None:
    uri = await _open(client, "copy.md", GOOD.replace("my-agent", "dup-agent"))
    await indexed(client)  # the workspace index is built in the background
    diags = await _diagnostics(client, uri, want="AGT051")
    dup = next(d for d in diags if d.code == "AGT051")
    assert dup.related_information and dup.related_information[0].location.uri.endswith("other.md")


async def test_fix_all_and_non_agent_files(client: LanguageClient) -> None:
    text = "---\nname: my-agent\ndescription: Use it: now\ntools: Read, MultiEdit\n---\nbody\n"
    uri = await _open(client, "my-agent.md", text)
    await _diagnostics(client, uri)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll]),
        )
    )
    assert actions and len(actions) == 1
    fix_all = actions[0]
    assert isinstance(fix_all, types.CodeAction) and fix_all.edit is not None
    change = fix_all.edit.document_changes[0]  # type: ignore[index]
    assert isinstance(change, types.TextDocumentEdit) and len(change.edits) == 2
    readme = client.tmp / "README.md"  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(readme.as_uri(), "markdown", 1, "# hi\n")
        )
    )
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(readme.as_uri()), types.Position(0, 0))
    )
    assert hover is None


async def test_binary_and_huge_text_do_not_crash(client: LanguageClient) -> None:
    uri = await _open(client, "weird.md", "---\nname: \x00\x01\ufffe\n" + "x: [" * 3000 + "\n---\n")
    diags = await _diagnostics(client, uri)
    assert diags
    uri2 = await _open(client, "huge.md", "a" * 1_200_000)
    diags2 = await _diagnostics(client, uri2)
    assert [d.code for d in diags2] == ["AGT001"]


async def _actions(client: LanguageClient, uri: str, line: int) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(line, 0), types.Position(line, 99)),
            types.CodeActionContext(diagnostics=[]),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def _version_of(action: types.CodeAction) -> int | None:
    assert action.edit is not None and action.edit.document_changes
    change = action.edit.document_changes[0]
    assert isinstance(change, types.TextDocumentEdit)
    return change.text_document.version


async def test_edits_are_bound_to_their_version(client: LanguageClient) -> None:
    text = '---\nname: my-agent\ndescription: "Use this agent to review code for bugs."\ntools: LS\n---\nbody\n'
    uri = await _open(client, "my-agent.md", text)
    await _diagnostics(client, uri)
    stale = next(a for a in await _actions(client, uri, 3) if "Glob" in a.title)
    assert _version_of(stale) == 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(4, 3), types.Position(4, 3)), text="\n"
                )
            ],
        )
    )
    await _diagnostics(client, uri, version=2)
    fresh = next(a for a in await _actions(client, uri, 3) if "Glob" in a.title)
    # The old action still names version 1: a client refuses it on the changed document.
    assert _version_of(fresh) == 2 and _version_of(stale) == 1


async def test_watched_files_update_cross_file_findings(client: LanguageClient) -> None:
    uri = await _open(client, "solo.md", GOOD.replace("my-agent", "solo-agent"))
    first = await _diagnostics(client, uri)
    assert not any(d.code == "AGT051" for d in first)
    twin = client.tmp / ".claude" / "agents" / "twin.md"  # type: ignore[attr-defined]
    twin.write_text(GOOD.replace("my-agent", "solo-agent"), encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(uri=twin.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    # Sent while the first index may still be building: the change must survive it.
    diags = await _diagnostics(client, uri, want="AGT051")
    assert any(d.code == "AGT051" for d in diags)


async def test_settings_change_rechecks_open_files(client: LanguageClient) -> None:
    text = GOOD.replace("name: my-agent", "name: team:reviewer")
    uri = await _open(client, "my-agent.md", text)
    before = await _diagnostics(client, uri)
    assert next(d for d in before if d.code == "AGT012").severity == types.DiagnosticSeverity.Error
    await indexed(client)
    builds = index_builds(client)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "subagentLsp": {"claudeCodeVersion": "2.1.100", "severity": {"AGT015": "off"}}
            }
        )
    )
    await indexed(client, builds + 1)  # new settings: the index is built again, then published
    after = await _diagnostics(client, uri)
    codes = {d.code: d.severity for d in after}
    assert codes.get("AGT012") == types.DiagnosticSeverity.Hint and "AGT015" not in codes


async def test_workspace_diagnostics(client: LanguageClient) -> None:
    if not client.pull:  # type: ignore[attr-defined]
        pytest.skip("workspace diagnostics are a pull-client feature")
    broken = client.tmp / ".claude" / "agents" / "broken.md"  # type: ignore[attr-defined]
    broken.write_text("---\nname: broken\n---\n", encoding="utf-8")
    await indexed(client)
    report = await client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_uri = {r.uri: r for r in report.items}
    assert any(u.endswith("other.md") for u in by_uri)


async def test_agent_file_outside_agent_folders_is_checked_by_content(
    client: LanguageClient,
) -> None:
    path = client.tmp / "drafts" / "reviewer.md"  # type: ignore[attr-defined]
    path.parent.mkdir()
    text = "---\nname: reviewer\ndescription: Use it when: the code needs a review\n---\nbody\n"
    path.write_text(text)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), "markdown", 1, text))
    )
    diags = await _diagnostics(client, path.as_uri())
    assert [d.code for d in diags] == ["AGT006"]
    readme = client.tmp / "notes.md"  # type: ignore[attr-defined]
    plain = "---\ntitle: Notes\ndate: 2026-01-01\n---\n# Notes\n"
    readme.write_text(plain)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(readme.as_uri(), "markdown", 1, plain)
        )
    )
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(readme.as_uri()), types.Position(1, 1))
    )
    assert hover is None  # not an agent file: the server stays out of it
