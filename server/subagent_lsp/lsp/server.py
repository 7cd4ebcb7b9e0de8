"""Feature registration: each LSP method registered once, handed to the session (session.py),
which fans it out to the features.

Only pygls and lsprotocol are imported at start-up; the definitions domain (YAML, rapidfuzz,
pathspec...) loads on the first request after ``initialize``, so the server answers
``initialize`` as fast as a bare pygls server.

Diagnostics are pulled by clients that advertise ``textDocument.diagnostic`` and pushed, with the
document version, to the others: never both to one client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from .. import LEGACY_SETTINGS_SECTION, SETTINGS_SECTION, __version__
from ..sections import merge_sections
from .commands import ASK_COMMAND, SHOW_REQUEST_COMMAND

if TYPE_CHECKING:
    from .session import Session


class AgentProtocol(LanguageServerProtocol):
    """pygls applies incremental changes to its own copy with ``str.splitlines`` rules and, when
    a position looks past a (mis-split) line's end, rewrites the change's position in place. The
    server keeps its own copy with LSP's line rules (textsync.py), so the change reaches it as
    the client sent it."""

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Iterator[tuple[Any, tuple[Any, ...], None]]:
        handler = self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None


class AgentLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("subagent-lsp", __version__, protocol_cls=AgentProtocol)
        self._session: Session | None = None
        self.pull = False
        self.initial_settings: Any = None

    @property
    def session(self) -> Session:
        if self._session is None:
            from .session import Session  # the domain loads here, after `initialize`

            self._session = Session(self, self.pull, self.initial_settings)
        return self._session


server = AgentLanguageServer()


@server.feature(types.INITIALIZE)
def initialize(ls: AgentLanguageServer, params: types.InitializeParams) -> None:
    text = params.capabilities.text_document
    ls.pull = bool(text and text.diagnostic is not None)
    options = params.initialization_options
    if isinstance(options, dict):
        legacy = options.get(LEGACY_SETTINGS_SECTION)
        current = options.get(SETTINGS_SECTION, None if legacy is not None else options)
        ls.initial_settings = merge_sections(current, legacy)[0]


@server.feature(types.INITIALIZED)
async def initialized(ls: AgentLanguageServer, params: types.InitializedParams) -> None:
    await ls.session.initialized()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AgentLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.session.opened(params.text_document)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AgentLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.session.changed(params)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AgentLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.session.closed(params.text_document.uri)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched(ls: AgentLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    ls.session.files_changed(params)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: AgentLanguageServer, params: types.DidChangeConfigurationParams
) -> None:
    await ls.session.configuration_changed(params)


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier="subagent-lsp", inter_file_dependencies=True, workspace_diagnostics=True
    ),
)
async def pull_diagnostics(
    ls: AgentLanguageServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    return await ls.session.document_diagnostics(params.text_document.uri)


@server.feature(types.WORKSPACE_DIAGNOSTIC)
def workspace_diagnostics(
    ls: AgentLanguageServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    return ls.session.diagnostics.workspace_diagnostics()


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: AgentLanguageServer, params: types.HoverParams) -> types.Hover | None:
    return ls.session.hover(params)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[":", " ", ",", "-"]),
)
def completion(
    ls: AgentLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    return ls.session.completion.complete(params)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[
            types.CodeActionKind.QuickFix,
            types.CodeActionKind.SourceFixAll,
            types.CodeActionKind.RefactorRewrite,
        ],
        resolve_provider=True,
    ),
)
def code_action(
    ls: AgentLanguageServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    return ls.session.code_actions(params)


@server.feature(types.CODE_ACTION_RESOLVE)
async def code_action_resolve(
    ls: AgentLanguageServer, params: types.CodeAction
) -> types.CodeAction:
    """The agent is called here, when the client asks for the edit (cancellable); "apply all
    backend suggestions" is composed here."""
    return await ls.session.resolve_action(params)


@server.command(ASK_COMMAND)
async def ask_backend_developer(ls: AgentLanguageServer, *args: Any) -> None:
    """For clients that do not resolve edits: call the agent, then workspace/applyEdit."""
    arguments = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
    await ls.session.agent.execute(arguments)


@server.command(SHOW_REQUEST_COMMAND)
async def show_last_agent_request(ls: AgentLanguageServer, *args: Any) -> dict[str, Any] | None:
    """The last request sent to the agent, exactly, opened read-only (and returned)."""
    return await ls.session.agent.show_last_request()


@server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
def progress_cancel(ls: AgentLanguageServer, params: types.WorkDoneProgressCancelParams) -> None:
    ls.session.agent.cancel_progress(str(params.token))


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(
    ls: AgentLanguageServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | None:
    entry = ls.session.entry(params.text_document.uri)
    return ls.session.navigation.symbols(entry) if entry is not None else None


@server.feature(types.WORKSPACE_SYMBOL)
def workspace_symbol(
    ls: AgentLanguageServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    return ls.session.navigation.workspace_symbols(params.query)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(
    ls: AgentLanguageServer, params: types.DefinitionParams
) -> list[types.Location] | None:
    entry = ls.session.entry(params.text_document.uri)
    if entry is None:
        return ls.session.navigation.file_definition(params.text_document.uri, params.position)
    return ls.session.navigation.definition(entry, params.position)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(
    ls: AgentLanguageServer, params: types.ReferenceParams
) -> list[types.Location] | None:
    entry = ls.session.entry(params.text_document.uri)
    if entry is None:
        return None
    return ls.session.navigation.references(
        entry, params.position, params.context.include_declaration
    )


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def prepare_rename(
    ls: AgentLanguageServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    entry = ls.session.entry(params.text_document.uri)
    return ls.session.navigation.prepare_rename(entry, params.position) if entry else None


@server.feature(types.TEXT_DOCUMENT_RENAME)
def rename(ls: AgentLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    entry = ls.session.entry(params.text_document.uri)
    if entry is None:
        return None
    return ls.session.navigation.rename(entry, params.position, params.new_name)


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: AgentLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    entry = ls.session.entry(params.text_document.uri)
    return ls.session.navigation.code_lenses(entry) if entry is not None else []


class _LateCancels(logging.Filter):
    """A client cancelling a request that has already been answered is normal in LSP (VS Code
    does it for every superseded hover or code action); pygls warns about each one, which
    fills the user's output channel with noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Cancel notification for unknown message id")


def serve(tcp_port: int | None = None) -> None:
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_LateCancels())
    if tcp_port is not None:
        server.start_tcp("127.0.0.1", tcp_port)
    else:
        server.start_io()
