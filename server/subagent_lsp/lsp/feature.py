"""The pieces every feature is built from: the Client (what the editor can do, and how to tell
it things) and LanguageFeature, whose hooks the session fans each event out to.

As in esbonio, each LSP method is registered once (server.py) and handed to the features that
implement it; a feature sees the State and the Client, never another feature.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .state import OpenDoc, State

log = logging.getLogger(__name__)


class Client:
    """The editor at the other end: its capabilities, and the messages the server sends it."""

    def __init__(self, ls: LanguageServer) -> None:
        self.ls = ls

    @property
    def caps(self) -> types.ClientCapabilities:
        return self.ls.client_capabilities

    def roots(self) -> list[str]:
        workspace = self.ls.workspace
        folders = [to_fs_path(f.uri) or f.uri for f in (workspace.folders or {}).values()]
        if not folders and workspace.root_path:
            folders = [workspace.root_path]
        return [os.path.abspath(f) for f in folders if f and os.path.isdir(f)]

    # --- telling the user ----------------------------------------------------------------

    def show(self, kind: types.MessageType, text: str) -> None:
        self.ls.window_show_message(types.ShowMessageParams(type=kind, message=text))

    def log(self, text: str, kind: types.MessageType = types.MessageType.Log) -> None:
        self.ls.window_log_message(types.LogMessageParams(type=kind, message=text))

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    def refresh_diagnostics(self) -> None:
        """Ask a pull client to pull again, where it lets the server ask."""
        workspace = self.caps.workspace
        if workspace and workspace.diagnostics and workspace.diagnostics.refresh_support:
            self.ls.workspace_diagnostic_refresh(None)

    # --- what the client can do ----------------------------------------------------------

    def markup(self, where: str) -> types.MarkupKind | None:
        """Markdown where the client renders it, plain text where it says so, else None."""
        text = self.caps.text_document
        formats: Sequence[types.MarkupKind] = []
        if where == "hover" and text and text.hover:
            formats = text.hover.content_format or []
        elif text and text.completion and text.completion.completion_item:
            formats = text.completion.completion_item.documentation_format or []
        if types.MarkupKind.Markdown in formats:
            return types.MarkupKind.Markdown
        return types.MarkupKind.PlainText if formats else None

    def content(self, where: str, text: str) -> types.MarkupContent | str:
        kind = self.markup(where)
        return text if kind is None else types.MarkupContent(kind=kind, value=text)

    def snippets(self) -> bool:
        text = self.caps.text_document
        item = text and text.completion and text.completion.completion_item
        return bool(item and item.snippet_support)

    def shows_disabled_actions(self) -> bool:
        text = self.caps.text_document
        action = text and text.code_action
        return bool(action and action.disabled_support)

    def resolves_edits(self) -> bool:
        text = self.caps.text_document
        action = text and text.code_action
        support = action and action.resolve_support
        return bool(support and "edit" in support.properties)

    def annotates_changes(self) -> bool:
        workspace = self.caps.workspace
        edit = workspace and workspace.workspace_edit
        return bool(edit and edit.change_annotation_support)

    def renames_files(self) -> bool:
        workspace = self.caps.workspace
        edit = workspace and workspace.workspace_edit
        return bool(
            edit
            and edit.resource_operations
            and types.ResourceOperationKind.Rename in edit.resource_operations
        )

    def shows_progress(self) -> bool:
        window = self.caps.window
        return bool(window and window.work_done_progress)


class LanguageFeature:
    """One concern of the server. Every hook does nothing unless a feature overrides it."""

    def __init__(self, state: State, client: Client) -> None:
        self.state = state
        self.client = client

    async def initialized(self) -> None:
        """The client is ready and the settings are loaded."""

    def document_changed(self, entry: OpenDoc, before: OpenDoc | None) -> None:
        """A document was opened (``before`` is None) or changed; ``entry`` is checked."""

    def document_closed(self, entry: OpenDoc) -> None:
        """A document was closed."""

    def files_changed(self, paths: Sequence[str]) -> None:
        """Files changed on disk (watched files)."""

    async def settings_changed(self) -> None:
        """New settings; open documents are already checked under them."""

    async def pull_diagnostics(self, uri: str) -> list[types.Diagnostic] | None:
        """This feature's diagnostics for a pull client; None: not this feature's document."""
        return None

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        return None

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return None


def wants(only: Sequence[str], kind: str, family: str | None = None) -> bool:
    """Whether a code action request restricted to ``only`` kinds asks for actions of ``kind``:
    it names ``kind`` or a parent of it (``source`` covers ``source.fixAll.subagent-lsp``), or
    something within ``family`` (``refactor.inline`` still gets ``refactor.rewrite`` actions)."""
    family = family or kind
    return not only or any(kind.startswith(k) or k.startswith(family) for k in only)
