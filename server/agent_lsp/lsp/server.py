"""The language server: thin handlers over the definitions domain.

Diagnostics are pulled by clients that advertise ``textDocument.diagnostic`` and pushed (with
the document version) to the others, never both. Checking a document is sub-millisecond, so
``didChange`` checks synchronously; the workspace index is built off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec

from .. import __version__
from ..config import SECTION, Settings, parse_settings
from ..definitions import assist
from ..definitions.document import Document, parse_document, split_lines
from ..definitions.findings import Finding, Fix
from ..definitions.fixes import apply_edits
from ..definitions.kinds import FileKind, classify
from ..definitions.spec import Kind
from ..definitions.workspace import (
    FileResult,
    check_parsed,
    check_paths,
    duplicate_name_findings,
)
from . import convert

log = logging.getLogger(__name__)
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.agent-lsp"


@dataclass
class OpenDoc:
    uri: str
    path: str
    version: int | None
    text: str
    lines: list[str]
    kind: FileKind | None
    doc: Document | None
    result: FileResult | None


class AgentLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("agent-lsp", __version__)
        self.settings = Settings()
        self.pull = False
        self.open: dict[str, OpenDoc] = {}
        self.index: dict[str, FileResult] = {}  # agent files on disk, by absolute path
        self.indexing: asyncio.Task[None] | None = None

    # --- state -------------------------------------------------------------------------

    @property
    def codec(self) -> PositionCodec:
        return self.workspace.position_codec

    def refresh_open(self, uri: str) -> OpenDoc:
        text_doc = self.workspace.get_text_document(uri)
        path = os.path.abspath(to_fs_path(uri) or uri)
        text = text_doc.source
        kind = classify(path, text, self.settings.globs, explicit=False)
        doc = result = None
        if kind is not None:
            doc = parse_document(path, text)  # parsed once: checks, hover and completion share it
            result = check_parsed(doc, kind, self.settings.options)
        entry = OpenDoc(uri, path, text_doc.version, text, split_lines(text), kind, doc, result)
        self.open[uri] = entry
        return entry

    def results(self) -> list[FileResult]:
        by_path = dict(self.index)
        for entry in self.open.values():
            if entry.result is not None:
                by_path[entry.path] = entry.result
            else:
                by_path.pop(entry.path, None)
        return list(by_path.values())

    def findings_for(self, entry: OpenDoc) -> list[Finding]:
        if entry.result is None:
            return []
        extra = duplicate_name_findings(self.results(), self.settings.options)
        return sorted([*entry.result.findings, *extra.get(entry.path, [])], key=Finding.sort_key)

    def lines_for(self, path: str) -> Sequence[str] | None:
        for entry in self.open.values():
            if entry.path == path:
                return entry.lines
        try:
            with open(path, encoding="utf-8") as fh:
                return split_lines(fh.read())
        except (OSError, UnicodeDecodeError):
            return None

    def diagnostics(self, entry: OpenDoc) -> list[types.Diagnostic]:
        return [
            convert.to_diagnostic(f, entry.lines, self.codec, self.lines_for)
            for f in self.findings_for(entry)
        ]

    def publish(self, entry: OpenDoc) -> None:
        if self.pull:
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=entry.uri, version=entry.version, diagnostics=self.diagnostics(entry)
            )
        )

    def publish_all(self) -> None:
        if self.pull:
            caps = self.client_capabilities.workspace
            refresh = caps and caps.diagnostics and caps.diagnostics.refresh_support
            if refresh:
                self.workspace_diagnostic_refresh(None)
            return
        for entry in self.open.values():
            if entry.kind is not None:
                self.publish(entry)

    def recheck_all(self) -> None:
        for uri in list(self.open):
            self.refresh_open(uri)
        self.publish_all()

    async def build_index(self) -> None:
        folders = [to_fs_path(f.uri) or f.uri for f in (self.workspace.folders or {}).values()] or (
            [self.workspace.root_path] if self.workspace.root_path else []
        )
        roots = [f for f in folders if f and os.path.isdir(f)]
        if not roots:
            return
        opts, globs = self.settings.options, self.settings.globs
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(None, lambda: check_paths(roots, opts, globs))
        self.index = {os.path.abspath(r.path): r for r in results}
        self.publish_all()

    def reindex_path(self, path: str) -> None:
        path = os.path.abspath(path)
        if not os.path.isfile(path):
            self.index.pop(path, None)
            return
        found = check_paths([path], self.settings.options, self.settings.globs)
        kind = classify(path, None, self.settings.globs)
        if found and kind is not None:
            self.index[path] = found[0]
        else:
            self.index.pop(path, None)

    async def load_settings(self) -> None:
        caps = self.client_capabilities.workspace
        if not (caps and caps.configuration):
            return
        try:
            answer = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except Exception as err:  # a client that fails the request keeps the defaults
            log.warning("workspace/configuration failed: %s", err)
            return
        self.apply_settings(answer[0] if answer else None)

    def apply_settings(self, raw: object) -> None:
        self.settings = parse_settings(raw)
        for problem in self.settings.problems:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=problem)
            )


server = AgentLanguageServer()


@server.feature(types.INITIALIZE)
def initialize(ls: AgentLanguageServer, params: types.InitializeParams) -> None:
    text = params.capabilities.text_document
    ls.pull = bool(text and text.diagnostic is not None)
    if params.initialization_options:
        options = params.initialization_options
        if isinstance(options, dict):
            ls.apply_settings(options.get(SECTION, options))


@server.feature(types.INITIALIZED)
async def initialized(ls: AgentLanguageServer, params: types.InitializedParams) -> None:
    await ls.load_settings()
    caps = ls.client_capabilities.workspace
    watch = caps and caps.did_change_watched_files
    if watch and watch.dynamic_registration:
        watchers = [
            types.FileSystemWatcher(glob_pattern="**/*.md"),
            types.FileSystemWatcher(glob_pattern="**/.claude-plugin/plugin.json"),
        ]
        await _register(
            ls,
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="agent-lsp-watch",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers),
                    )
                ]
            ),
        )
    ls.indexing = asyncio.ensure_future(ls.build_index())


async def _register(ls: AgentLanguageServer, params: types.RegistrationParams) -> None:
    try:
        await ls.client_register_capability_async(params)
    except Exception as err:  # a client that refuses keeps working without file watching
        log.warning("client/registerCapability failed: %s", err)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AgentLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _changed(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AgentLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    _changed(ls, params.text_document.uri)


def _changed(ls: AgentLanguageServer, uri: str) -> None:
    before = ls.open.get(uri)
    old_name = before.result.agent_name if before and before.result else None
    entry = ls.refresh_open(uri)
    new_name = entry.result.agent_name if entry.result else None
    if entry.kind is None:
        return
    if (old_name and old_name[0]) != (new_name and new_name[0]):
        ls.publish_all()  # the other files sharing either name change too
    else:
        ls.publish(entry)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AgentLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    entry = ls.open.pop(params.text_document.uri, None)
    if entry is None or entry.kind is None:
        return
    ls.reindex_path(entry.path)
    if not ls.pull:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=entry.uri, diagnostics=[])
        )


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def watched(ls: AgentLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = to_fs_path(change.uri)
        if path:
            ls.reindex_path(path)
    ls.publish_all()


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: AgentLanguageServer, params: types.DidChangeConfigurationParams
) -> None:
    settings = params.settings
    if isinstance(settings, dict) and SECTION in settings:
        ls.apply_settings(settings[SECTION])
    else:
        await ls.load_settings()
    ls.recheck_all()


@server.feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(
        identifier="agent-lsp", inter_file_dependencies=True, workspace_diagnostics=True
    ),
)
def pull_diagnostics(
    ls: AgentLanguageServer, params: types.DocumentDiagnosticParams
) -> types.DocumentDiagnosticReport:
    entry = _entry(ls, params.text_document.uri)
    items = ls.diagnostics(entry) if entry is not None else []
    return types.RelatedFullDocumentDiagnosticReport(items=items)


@server.feature(types.WORKSPACE_DIAGNOSTIC)
def workspace_diagnostics(
    ls: AgentLanguageServer, params: types.WorkspaceDiagnosticParams
) -> types.WorkspaceDiagnosticReport:
    reports: list[types.WorkspaceDocumentDiagnosticReport] = []
    extra = duplicate_name_findings(ls.results(), ls.settings.options)
    open_paths = {e.path: e for e in ls.open.values()}
    for result in ls.results():
        entry = open_paths.get(result.path)
        lines = entry.lines if entry else (ls.lines_for(result.path) or [])
        findings = sorted([*result.findings, *extra.get(result.path, [])], key=Finding.sort_key)
        reports.append(
            types.WorkspaceFullDocumentDiagnosticReport(
                uri=convert.uri_of(result.path),
                version=entry.version if entry else None,
                items=[convert.to_diagnostic(f, lines, ls.codec, ls.lines_for) for f in findings],
            )
        )
    return types.WorkspaceDiagnosticReport(items=reports)


def _entry(ls: AgentLanguageServer, uri: str) -> OpenDoc | None:
    entry = ls.open.get(uri)
    current = ls.workspace.get_text_document(uri)
    if entry is None or entry.version != current.version or entry.text != current.source:
        entry = ls.refresh_open(uri)
    return entry if entry.kind is not None else None


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: AgentLanguageServer, params: types.HoverParams) -> types.Hover | None:
    entry = _entry(ls, params.text_document.uri)
    if entry is None or entry.doc is None or entry.kind is None:
        return None
    pos = convert.from_position(entry.lines, params.position, ls.codec)
    info = assist.hover(entry.doc, entry.kind, pos, ls.findings_for(entry))
    if info is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=info.markdown),
        range=convert.to_range(entry.lines, info.span, ls.codec),
    )


_ITEM_KIND = {
    "key": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.EnumMember,
    "tool": types.CompletionItemKind.Function,
    "model": types.CompletionItemKind.Value,
    "snippet": types.CompletionItemKind.Snippet,
}


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[":", " ", ",", "-"]),
)
def completion(
    ls: AgentLanguageServer, params: types.CompletionParams
) -> types.CompletionList | None:
    entry = _entry(ls, params.text_document.uri)
    if entry is None or entry.doc is None or entry.kind is None:
        return None
    pos = convert.from_position(entry.lines, params.position, ls.codec)
    results = ls.results()
    agents = sorted({r.agent_name[0] for r in results if r.agent_name})
    skills = sorted(
        {
            os.path.basename(os.path.dirname(r.path))
            for r in results
            if r.kind is not None and r.kind.kind is Kind.SKILL
        }
    )
    items = assist.complete(entry.doc, entry.kind, pos, agents, _mcp_servers(ls), skills)
    markup = _doc_markup(ls)
    out = []
    for item in items:
        out.append(
            types.CompletionItem(
                label=item.label,
                kind=_ITEM_KIND.get(item.kind),
                detail=item.detail,
                documentation=types.MarkupContent(kind=markup, value=item.documentation)
                if item.documentation
                else None,
                sort_text=item.sort or None,
                insert_text_format=types.InsertTextFormat.Snippet
                if item.snippet
                else types.InsertTextFormat.PlainText,
                text_edit=types.TextEdit(
                    convert.to_range(entry.lines, item.replace, ls.codec), item.insert_text
                ),
            )
        )
    return types.CompletionList(is_incomplete=False, items=out)


def _doc_markup(ls: AgentLanguageServer) -> types.MarkupKind:
    text = ls.client_capabilities.text_document
    item = text and text.completion and text.completion.completion_item
    formats = (item and item.documentation_format) or []
    if types.MarkupKind.Markdown in formats:
        return types.MarkupKind.Markdown
    return types.MarkupKind.PlainText


def _mcp_servers(ls: AgentLanguageServer) -> list[str]:
    names: set[str] = set()
    for entry in [*ls.open.values()]:
        node = entry.doc.get("mcpServers") if entry.doc is not None else None
        if node is not None and node.kind == "sequence":
            for item in node.items:
                if item.is_scalar:
                    names.add(item.text)
                elif item.kind == "mapping":
                    names.update(k.text for k, _ in item.pairs)
    return sorted(names)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False
    ),
)
def code_action(
    ls: AgentLanguageServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    entry = _entry(ls, params.text_document.uri)
    if entry is None:
        return None
    findings = ls.findings_for(entry)
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    lo = convert.from_position(entry.lines, params.range.start, ls.codec)
    hi = convert.from_position(entry.lines, params.range.end, ls.codec)
    if not wanted or any(types.CodeActionKind.QuickFix.value in str(k) for k in wanted):
        for f in findings:
            if f.span.end < lo or f.span.start > hi:
                continue
            diagnostic = convert.to_diagnostic(f, entry.lines, ls.codec, ls.lines_for)
            for fix in f.fixes:
                actions.append(_action(ls, entry, fix, [diagnostic], f.severity.value == 1))
    if not wanted or any(
        str(k).startswith(types.CodeActionKind.SourceFixAll.value) for k in wanted
    ):
        fix_all = _fix_all(ls, entry, findings)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _action(
    ls: AgentLanguageServer,
    entry: OpenDoc,
    fix: Fix,
    diagnostics: list[types.Diagnostic],
    preferred: bool,
) -> types.CodeAction:
    edits = convert.to_text_edits(fix, entry.lines, ls.codec)
    return types.CodeAction(
        title=fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=diagnostics,
        is_preferred=fix.safe and preferred,
        edit=convert.document_edit(entry.uri, entry.version, edits),
    )


def _fix_all(
    ls: AgentLanguageServer, entry: OpenDoc, findings: Sequence[Finding]
) -> types.CodeAction | None:
    chosen = []
    taken: list[tuple[object, object]] = []
    for f in findings:
        for fix in f.fixes:
            if not fix.safe:
                continue
            spans = [(e.span.start, e.span.end) for e in fix.edits]
            if any(not (b < s or a > t) for a, b in spans for s, t in taken):  # type: ignore[operator]
                continue
            taken.extend(spans)
            chosen.append(fix)
            break
    if not chosen:
        return None
    edits = [e for fix in chosen for e in fix.edits]
    merged = Fix("Fix all safe agent-lsp problems", tuple(edits))
    # Sanity: the combined edits must apply to the text they were computed for.
    apply_edits(entry.text, merged.edits)
    return types.CodeAction(
        title=merged.title,
        kind=FIX_ALL,
        edit=convert.document_edit(
            entry.uri, entry.version, convert.to_text_edits(merged, entry.lines, ls.codec)
        ),
    )


def serve(tcp_port: int | None = None) -> None:
    if tcp_port is not None:
        server.start_tcp("127.0.0.1", tcp_port)
    else:
        server.start_io()
