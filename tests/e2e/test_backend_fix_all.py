""" "Apply all backend suggestions in this file" in the real server: one source.fixAll action
whose edit is every suggestion composed (review/offline/compose.py), bound to the version it
was computed for. A workspace of its own: another app's tables of the same names would be
looked up with these (tables are shared by name across a workspace's projects)."""

from __future__ import annotations

import ast
import os
import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from subagent_lsp.definitions.findings import Position, Span, TextEdit
from subagent_lsp.definitions.fixes import apply_edits

from .waiting import pushed

FIXTURE = Path(__file__).parent.parent / "offline" / "compose_fixtures" / "django_shop"
FIX_ALL = "source.fixAll.subagent-lsp"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"],
        server_env={k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"},
    ),
    params=["visual-studio-code", "neovim@v0.11.0"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    root = tmp_path / "django_shop"
    shutil.copytree(FIXTURE, root)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.pull = request.param.startswith("neovim")  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="shop")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _opened_shop(client: LanguageClient) -> tuple[str, str, list[types.Diagnostic]]:
    path = client.root / "shop" / "views.py"  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    if client.pull:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        diags = list(report.items)  # type: ignore[union-attr]
    else:
        diags = await pushed(client, uri, lambda items: len(items) >= 9)
    return uri, text, diags


async def _fix_all(
    client: LanguageClient, uri: str, only: list[str] | None
) -> list[types.CodeAction]:
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 0)),
            types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [a for a in actions or [] if isinstance(a, types.CodeAction) and a.kind == FIX_ALL]


def _applied(client: LanguageClient, edit: types.WorkspaceEdit, views: str) -> dict[str, str]:
    """The files as the client would have them after applying ``edit``."""
    out = {}
    for change in edit.document_changes or []:
        assert isinstance(change, types.TextDocumentEdit)
        uri = change.text_document.uri
        name = uri.rsplit("/", 1)[-1]
        if name == "views.py":
            assert change.text_document.version == 1  # bound to the version it was made for
            before = views
        else:
            assert change.text_document.version is None  # not open: edited on disk
            shop = client.root / "shop"  # type: ignore[attr-defined]
            before = (shop / name).read_text(encoding="utf-8")
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
        out[name] = apply_edits(before, edits)
    return out


async def test_fix_all_composes_every_suggestion(client: LanguageClient) -> None:
    uri, text, diags = await _opened_shop(client)
    assert sorted(str(d.code) for d in diags) == [*["BKD101"] * 4, "BKD205", *["BKD304"] * 4]
    (action,) = await _fix_all(client, uri, [types.CodeActionKind.SourceFixAll])
    assert action.title == "Apply all backend suggestions in this file (9)"
    assert action.edit is not None  # asked for by kind (on save): composed at once
    files = _applied(client, action.edit, text)
    assert set(files) == {"views.py", "models.py"}
    views, models = files["views.py"], files["models.py"]
    ast.parse(views)
    ast.parse(models)
    assert views.count("from django.shortcuts import get_object_or_404, redirect, render\n") == 1
    assert views.count("get_object_or_404(") == 4 and ".objects.get(" not in views
    assert models.count("class Meta:") == 1  # Order's; a one-column index is db_index=True
    assert "email = models.CharField(max_length=200, db_index=True)" in models
    for name in ("ix_order_state_placed", "ix_order_number_placed"):
        assert models.count(f'name="{name}"') == 1


async def test_fix_all_from_the_lightbulb_resolves_for_its_version(
    client: LanguageClient,
) -> None:
    uri, text, _ = await _opened_shop(client)
    (action,) = await _fix_all(client, uri, None)
    if not client.pull:  # type: ignore[attr-defined]
        assert action.edit is None  # VS Code resolves edits: none composed per cursor move
    if action.edit is None:  # a client that resolves edits gets it on resolve
        resolved = await client.code_action_resolve_async(action)
        assert resolved.edit is not None
        assert _applied(client, resolved.edit, text)["views.py"].count("get_object_or_404(") == 4
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=2, uri=uri),
                [types.TextDocumentContentChangeWholeDocument(text=text + "\n")],
            )
        )
        stale = await client.code_action_resolve_async(action)
        assert stale.edit is None  # never an edit for a version it was not computed for
    else:
        assert _applied(client, action.edit, text)["views.py"].count("get_object_or_404(") == 4
