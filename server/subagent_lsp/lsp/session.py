"""One server session: the State, the Client and the features, and each event fanned out to
every feature (server.py registers the LSP methods and hands them here).

Imported on the first request after ``initialize`` so start-up stays as fast as a bare pygls
server.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .agent_actions import AgentActions
from .backend import FIX_ALL_DATA, Backend
from .completion import Completions
from .configuration import Configuration
from .diagnostics import Diagnostics
from .feature import Client, LanguageFeature
from .fixes import DefinitionFixes
from .hover import DefinitionHover
from .navigation import Navigation
from .state import OpenDoc, State
from .textsync import apply_change
from .watching import FileWatching

log = logging.getLogger(__name__)


class Session:
    def __init__(self, ls: LanguageServer, pull: bool = False, initial: object = None) -> None:
        self.client = Client(ls)
        self.state = State(ls.workspace.position_codec, self.client.roots)
        self.state.pull = pull
        args = (self.state, self.client)
        self.configuration = Configuration(*args, initial=initial)
        self.backend = Backend(*args)
        self.agent = AgentActions(*args)
        self.diagnostics = Diagnostics(*args)
        self.completion = Completions(*args)
        self.navigation = Navigation(*args)
        # Backend code and agent files are disjoint documents, so the order only matters
        # within one: the backend's quick fixes come before the asks, the index is built
        # before anything waits on it, and the backend hears of new settings first.
        self.features: list[LanguageFeature] = [
            FileWatching(*args),
            self.backend,
            self.agent,
            self.diagnostics,
            DefinitionFixes(*args),
            DefinitionHover(*args),
            self.completion,
            self.navigation,
        ]
        # Each event goes to the features that handle it (a keystroke reaches two, not eight).
        self.on_change = _handling(self.features, "document_changed")
        self.on_close = _handling(self.features, "document_closed")
        self.on_files = _handling(self.features, "files_changed")
        self.on_settings = _handling(self.features, "settings_changed")
        self.pullers = _handling(self.features, "pull_diagnostics")
        self.hovers = _handling(self.features, "hover")
        self.actions = _handling(self.features, "code_actions")

    # --- notifications -------------------------------------------------------------------

    async def initialized(self) -> None:
        await self.configuration.load()
        for feature in self.features:
            await feature.initialized()

    def opened(self, item: types.TextDocumentItem) -> None:
        self._changed(self.state.set_text(item.uri, item.version, item.text), None)

    def changed(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        before = self.state.open.get(uri)
        if before is None:  # a change to a document never opened: nothing to apply it to
            log.warning("didChange for %s, which was never opened", uri)
            return
        text = before.text
        for change in params.content_changes:
            text = apply_change(text, change, self.state.codec)
        self._changed(self.state.set_text(uri, params.text_document.version, text), before)

    def _changed(self, entry: OpenDoc, before: OpenDoc | None) -> None:
        for feature in self.on_change:
            feature.document_changed(entry, before)

    def closed(self, uri: str) -> None:
        entry = self.state.open.pop(uri, None)
        if entry is None:
            return
        for feature in self.on_close:
            feature.document_closed(entry)

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for p in (to_fs_path(c.uri) for c in params.changes) if p]
        for feature in self.on_files:
            feature.files_changed(paths)

    async def configuration_changed(self, params: types.DidChangeConfigurationParams) -> None:
        await self.configuration.changed(params)
        self.state.recheck_open()
        for feature in self.on_settings:
            await feature.settings_changed()

    # --- requests answered by several features -------------------------------------------

    async def document_diagnostics(self, uri: str) -> types.RelatedFullDocumentDiagnosticReport:
        items: list[types.Diagnostic] = []
        for feature in self.pullers:
            items.extend(await feature.pull_diagnostics(uri) or [])
        return types.RelatedFullDocumentDiagnosticReport(items=items)

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        for feature in self.hovers:
            found = feature.hover(params.text_document.uri, params.position)
            if found is not None:
                return found
        return None

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        answers = [f.code_actions(params) for f in self.actions]
        if all(a is None for a in answers):
            return None
        return [action for answer in answers for action in answer or []]

    async def resolve_action(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        if FIX_ALL_DATA in data:
            return await self.backend.resolve_fix_all(action)
        return await self.agent.resolve(action)

    def entry(self, uri: str) -> OpenDoc | None:
        return self.state.entry(uri)


def _handling(features: list[LanguageFeature], hook: str) -> list[LanguageFeature]:
    """The features that override ``hook``, in order."""
    default = getattr(LanguageFeature, hook)
    return [f for f in features if getattr(type(f), hook) is not default]
