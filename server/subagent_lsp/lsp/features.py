"""What the server does for each LSP request, over the definitions domain.

Imported on the first request after ``initialize`` (see server.py) so start-up stays as fast as
a bare pygls server. Checking a document is sub-millisecond, so changes are checked at once; the
workspace index is built off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec

from ..config import LEGACY_SECTION, SECTION, Settings, merge_sections, parse_settings
from ..definitions import assist
from ..definitions.document import Document, parse_document, split_lines
from ..definitions.findings import Finding, Fix, Position
from ..definitions.fixes import select_safe_fixes
from ..definitions.kinds import FileKind, classify
from ..definitions.spec import Kind
from ..definitions.workspace import (
    FileResult,
    check_parsed,
    check_paths,
    duplicate_name_findings,
)
from . import convert
from .textsync import apply_change

log = logging.getLogger(__name__)
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.subagent-lsp"


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


@dataclass
class State:
    """Everything the server knows; one per server process."""

    codec: PositionCodec
    settings: Settings = field(default_factory=Settings)
    pull: bool = False
    open: dict[str, OpenDoc] = field(default_factory=dict)
    index: dict[str, FileResult] = field(default_factory=dict)  # agent files on disk
    duplicates: dict[str, list[Finding]] | None = None  # cache; None: stale

    def set_text(self, uri: str, version: int | None, text: str) -> OpenDoc:
        path = os.path.abspath(to_fs_path(uri) or uri)
        # An open document is named explicitly, as a CLI path is: content decides when no
        # pattern does (an agent file kept outside .claude/agents still gets checked).
        kind = classify(path, text, self.settings.globs, explicit=path.endswith(".md"))
        doc = result = None
        if kind is not None:
            doc = parse_document(path, text)  # parsed once: checks, hover, completion share it
            result = check_parsed(doc, kind, self.settings.options)
        entry = OpenDoc(uri, path, version, text, split_lines(text), kind, doc, result)
        previous = self.open.get(uri)
        self.open[uri] = entry
        if _names(previous) != _names(entry):
            self.duplicates = None
        return entry

    def results(self) -> list[FileResult]:
        by_path = dict(self.index)
        for entry in self.open.values():
            if entry.result is not None:
                by_path[entry.path] = entry.result
            else:
                by_path.pop(entry.path, None)
        return list(by_path.values())

    def cross_file(self) -> dict[str, list[Finding]]:
        if self.duplicates is None:
            self.duplicates = duplicate_name_findings(self.results(), self.settings.options)
        return self.duplicates

    def findings_for(self, entry: OpenDoc) -> list[Finding]:
        if entry.result is None:
            return []
        extra = self.cross_file().get(entry.path, [])
        return sorted([*entry.result.findings, *extra], key=Finding.sort_key)

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


def _names(entry: OpenDoc | None) -> str | None:
    if entry is None or entry.result is None or entry.result.agent_name is None:
        return None
    return entry.result.agent_name[0]


# --- notifications -------------------------------------------------------------------------


class Server:
    """The operations server.py's handlers call. ``ls`` is the pygls server (for sending)."""

    def __init__(self, ls: object, codec: PositionCodec) -> None:
        from pygls.lsp.server import LanguageServer

        assert isinstance(ls, LanguageServer)
        self.ls = ls
        self.state = State(codec)
        self.initial: object = None  # initializationOptions
        self.indexing: asyncio.Task[None] | None = None
        from .backend import Backend
        from .navigation import Navigation

        self.backend = Backend(self)
        self.navigation = Navigation(self)

    @property
    def caps(self) -> types.ClientCapabilities:
        return self.ls.client_capabilities

    def configure(self, raw: object, legacy: object = None) -> None:
        """Apply settings: initializationOptions are the base, and what the client's
        configuration says (workspace/configuration, didChangeConfiguration) overrides it;
        ``legacy`` is the section under its old name (``agentLsp``), used where the new is unset."""
        raw, notes = merge_sections(raw, legacy)
        for note in notes:
            self.ls.window_log_message(
                types.LogMessageParams(type=types.MessageType.Info, message=note)
            )
        base = self.initial if isinstance(self.initial, dict) else {}
        if isinstance(raw, dict):
            merged: object = {**base, **{k: v for k, v in raw.items() if v is not None}}
        else:
            merged = base or raw
        self.state.settings = parse_settings(merged)
        self.state.duplicates = None
        for problem in self.state.settings.problems:
            self.ls.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=problem)
            )

    async def load_settings(self) -> None:
        workspace = self.caps.workspace
        if not (workspace and workspace.configuration):
            return
        try:
            answer = await self.ls.workspace_configuration_async(
                types.ConfigurationParams(
                    items=[
                        types.ConfigurationItem(section=SECTION),
                        types.ConfigurationItem(section=LEGACY_SECTION),
                    ]
                )
            )
        except Exception as err:  # a client that fails the request keeps the defaults
            log.warning("workspace/configuration failed: %s", err)
            return
        answer = list(answer or [])
        self.configure(answer[0] if answer else None, answer[1] if len(answer) > 1 else None)

    async def initialized(self) -> None:
        await self.load_settings()
        workspace = self.caps.workspace
        watch = workspace and workspace.did_change_watched_files
        if watch and watch.dynamic_registration:
            watchers = [
                types.FileSystemWatcher(glob_pattern="**/*.md"),
                types.FileSystemWatcher(glob_pattern="**/.claude-plugin/plugin.json"),
                types.FileSystemWatcher(glob_pattern="**/*.{py,sql}"),
            ]
            registration = types.Registration(
                id="subagent-lsp-watch",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers),
            )
            try:
                await self.ls.client_register_capability_async(
                    types.RegistrationParams(registrations=[registration])
                )
            except Exception as err:  # a client that refuses keeps working without watching
                log.warning("client/registerCapability failed: %s", err)
        self.indexing = asyncio.ensure_future(self.build_index())
        self.schema_scan = asyncio.ensure_future(self.backend.scan(self.roots()))
        self.prewarm = asyncio.ensure_future(self.backend.agent.prewarm())

    def roots(self) -> list[str]:
        workspace = self.ls.workspace
        folders = [to_fs_path(f.uri) or f.uri for f in (workspace.folders or {}).values()]
        if not folders and workspace.root_path:
            folders = [workspace.root_path]
        return [os.path.abspath(f) for f in folders if f and os.path.isdir(f)]

    def in_workspace(self, path: str) -> bool:
        return any(path.startswith(root + os.sep) for root in self.roots())

    async def build_index(self) -> None:
        roots = self.roots()
        if not roots:
            return
        opts, globs = self.state.settings.options, self.state.settings.globs
        loop = asyncio.get_running_loop()
        results = await loop.run_in_executor(None, lambda: check_paths(roots, opts, globs))
        await loop.run_in_executor(None, self.navigation.scan_claude_md, roots)
        self.state.index = {os.path.abspath(r.path): r for r in results}
        self.state.duplicates = None
        self.publish_all()

    def publish(self, entry: OpenDoc) -> None:
        if self.state.pull or entry.kind is None:
            return
        self.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=entry.uri, version=entry.version, diagnostics=self.state.diagnostics(entry)
            )
        )

    def publish_all(self) -> None:
        if self.state.pull:
            workspace = self.caps.workspace
            if workspace and workspace.diagnostics and workspace.diagnostics.refresh_support:
                self.ls.workspace_diagnostic_refresh(None)
            return
        for entry in self.state.open.values():
            self.publish(entry)

    def opened(self, item: types.TextDocumentItem) -> None:
        entry = self.state.set_text(item.uri, item.version, item.text)
        self.backend.schedule(entry)
        self._changed(entry, None)

    def changed(self, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        before = self.state.open.get(uri)
        if before is None:  # a change to a document never opened: nothing to apply it to
            log.warning("didChange for %s, which was never opened", uri)
            return
        text = before.text
        for change in params.content_changes:
            text = apply_change(text, change, self.state.codec)
        entry = self.state.set_text(uri, params.text_document.version, text)
        self.backend.schedule(entry)
        self._changed(entry, before)

    def _changed(self, entry: OpenDoc, before: OpenDoc | None) -> None:
        if entry.kind is None and (before is None or before.kind is None):
            return
        if self.state.duplicates is None:
            self.publish_all()  # a name changed: the files sharing it change too
        else:
            self.publish(entry)

    def closed(self, uri: str) -> None:
        entry = self.state.open.pop(uri, None)
        if entry is not None and entry.kind is None and uri in self.backend.results:
            self.backend.closed(uri, entry.path)
            if not self.state.pull:
                self.ls.text_document_publish_diagnostics(
                    types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
                )
        if entry is None or entry.kind is None:
            return
        self.reindex(entry.path)
        self.state.duplicates = None
        if not self.state.pull:
            self.ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=entry.uri, diagnostics=[])
            )
        self.publish_all()

    def reindex(self, path: str) -> None:
        path = os.path.abspath(path)
        if not self.in_workspace(path):
            self.state.index.pop(path, None)
            return
        found = check_paths([path], self.state.settings.options, self.state.settings.globs)
        if os.path.isfile(path) and found and found[0].kind is not None:
            self.state.index[path] = found[0]
        else:
            self.state.index.pop(path, None)

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        code_changed = False
        for change in params.changes:
            path = to_fs_path(change.uri)
            if not path:
                continue
            if path.endswith((".py", ".sql")):
                code_changed = True
            else:
                self.reindex(path)
        self.state.duplicates = None
        self.publish_all()
        if code_changed:
            self.schema_scan = asyncio.ensure_future(self.backend.scan(self.roots()))

    async def configuration_changed(self, params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and (SECTION in settings or LEGACY_SECTION in settings):
            self.configure(settings.get(SECTION), settings.get(LEGACY_SECTION))
        else:
            await self.load_settings()
        for uri, entry in list(self.state.open.items()):
            self.state.set_text(uri, entry.version, entry.text)
        self.backend.reconfigure()
        await self.build_index()
        self.publish_all()

    # --- requests ------------------------------------------------------------------------

    def entry(self, uri: str) -> OpenDoc | None:
        entry = self.state.open.get(uri)
        if entry is None:  # a request about a document the client never opened
            path = to_fs_path(uri)
            if not path or not os.path.isfile(path):
                return None
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                return None
            entry = self.state.set_text(uri, None, text)
            del self.state.open[uri]
        return entry if entry.kind is not None else None

    def document_diagnostics(self, uri: str) -> types.RelatedFullDocumentDiagnosticReport:
        backend = self.state.open.get(uri)
        if backend is not None and backend.kind is None:
            return types.RelatedFullDocumentDiagnosticReport(
                items=self.backend.diagnostics(backend)
            )
        entry = self.entry(uri)
        items = self.state.diagnostics(entry) if entry is not None else []
        return types.RelatedFullDocumentDiagnosticReport(items=items)

    def workspace_diagnostics(self) -> types.WorkspaceDiagnosticReport:
        state = self.state
        extra = state.cross_file()
        open_paths = {e.path: e for e in state.open.values()}
        reports: list[types.WorkspaceDocumentDiagnosticReport] = []
        for result in state.results():
            entry = open_paths.get(result.path)
            lines = entry.lines if entry else (state.lines_for(result.path) or [])
            findings = sorted([*result.findings, *extra.get(result.path, [])], key=Finding.sort_key)
            reports.append(
                types.WorkspaceFullDocumentDiagnosticReport(
                    uri=convert.uri_of(result.path),
                    version=entry.version if entry else None,
                    items=[
                        convert.to_diagnostic(f, lines, state.codec, state.lines_for)
                        for f in findings
                    ],
                )
            )
        return types.WorkspaceDiagnosticReport(items=reports)

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        backend = self.state.open.get(params.text_document.uri)
        if backend is not None and backend.kind is None:
            pos = convert.from_position(backend.lines, params.position, self.state.codec)
            return self.backend.hover(backend, pos)
        entry = self.entry(params.text_document.uri)
        if entry is None or entry.doc is None or entry.kind is None:
            return None
        pos = convert.from_position(entry.lines, params.position, self.state.codec)
        info = assist.hover(entry.doc, entry.kind, pos, self.state.findings_for(entry))
        usage = self.navigation.name_summary(entry, pos)
        if info is None and usage is None:
            return None
        text = "\n\n---\n\n".join(t for t in (usage, info.markdown if info else None) if t)
        span = info.span if info is not None else None
        return types.Hover(
            contents=self._content("hover", text),
            range=convert.to_range(entry.lines, span, self.state.codec) if span else None,
        )

    def _content(self, where: str, text: str) -> types.MarkupContent | str:
        """Markdown where the client renders it, plain text where it says so, else a string."""
        kind = self._markup(where)
        if kind is None:
            return text
        return types.MarkupContent(kind=kind, value=text)

    def _markup(self, where: str) -> types.MarkupKind | None:
        text = self.caps.text_document
        formats: Sequence[types.MarkupKind] = []
        if where == "hover" and text and text.hover:
            formats = text.hover.content_format or []
        elif text and text.completion and text.completion.completion_item:
            formats = text.completion.completion_item.documentation_format or []
        if types.MarkupKind.Markdown in formats:
            return types.MarkupKind.Markdown
        return types.MarkupKind.PlainText if formats else None

    def completion(self, params: types.CompletionParams) -> types.CompletionList | None:
        entry = self.entry(params.text_document.uri)
        if entry is None or entry.doc is None or entry.kind is None:
            return None
        state = self.state
        pos = convert.from_position(entry.lines, params.position, state.codec)
        results = state.results()
        agents = sorted({r.agent_name[0] for r in results if r.agent_name})
        skills = sorted(
            {
                os.path.basename(os.path.dirname(r.path))
                for r in results
                if r.kind is not None and r.kind.kind is Kind.SKILL
            }
        )
        servers = sorted({s for r in results for s in r.mcp_servers})
        items = assist.complete(entry.doc, entry.kind, pos, agents, servers, skills)
        snippets = self._snippets()
        out = []
        for item in items:
            text = item.insert_text if snippets or not item.snippet else _plain(item.insert_text)
            out.append(
                types.CompletionItem(
                    label=item.label,
                    kind=_ITEM_KIND.get(item.kind),
                    detail=item.detail,
                    documentation=self._content("completion", item.documentation)
                    if item.documentation
                    else None,
                    sort_text=item.sort or None,
                    insert_text_format=types.InsertTextFormat.Snippet
                    if item.snippet and snippets
                    else types.InsertTextFormat.PlainText,
                    text_edit=types.TextEdit(
                        convert.to_range(entry.lines, item.replace, state.codec), text
                    ),
                )
            )
        return types.CompletionList(is_incomplete=False, items=out)

    def _snippets(self) -> bool:
        text = self.caps.text_document
        item = text and text.completion and text.completion.completion_item
        return bool(item and item.snippet_support)

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        state = self.state
        wanted = [str(k) for k in params.context.only or []]
        backend = state.open.get(params.text_document.uri)
        if backend is not None and backend.kind is None:
            lo = convert.from_position(backend.lines, params.range.start, state.codec)
            hi = convert.from_position(backend.lines, params.range.end, state.codec)
            return self.backend.code_actions(backend, lo, hi, wanted)
        entry = self.entry(params.text_document.uri)
        if entry is None:
            return None
        findings = state.findings_for(entry)
        lo = convert.from_position(entry.lines, params.range.start, state.codec)
        hi = convert.from_position(entry.lines, params.range.end, state.codec)
        actions: list[types.CodeAction] = []
        if not wanted or any(k.startswith(types.CodeActionKind.QuickFix.value) for k in wanted):
            for f in findings:
                if f.span.end.line < lo.line or f.span.start.line > hi.line:
                    continue
                diagnostic = convert.to_diagnostic(f, entry.lines, state.codec, state.lines_for)
                for fix in f.fixes:
                    actions.append(self._action(entry, fix, diagnostic))
        fix_all_kind = types.CodeActionKind.SourceFixAll.value
        if not wanted or any(k.startswith(fix_all_kind) or FIX_ALL.startswith(k) for k in wanted):
            fix_all = self._fix_all(entry, findings)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _action(self, entry: OpenDoc, fix: Fix, diagnostic: types.Diagnostic) -> types.CodeAction:
        edits = convert.to_text_edits(fix, entry.lines, self.state.codec)
        return types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=fix.safe,
            edit=convert.document_edit(entry.uri, entry.version, edits),
        )

    def _fix_all(self, entry: OpenDoc, findings: Sequence[Finding]) -> types.CodeAction | None:
        chosen = select_safe_fixes(findings)
        if not chosen:
            return None
        merged = Fix(
            "Fix all safe subagent-lsp problems", tuple(e for x in chosen for e in x.edits)
        )
        edits = convert.to_text_edits(merged, entry.lines, self.state.codec)
        return types.CodeAction(
            title=merged.title,
            kind=FIX_ALL,
            edit=convert.document_edit(entry.uri, entry.version, edits),
        )


def _plain(snippet: str) -> str:
    """A snippet's text with its placeholders resolved, for clients without snippets."""
    import re

    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\|\}", r"\1", snippet)
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{?\d+\}?", "", text)


_ITEM_KIND = {
    "key": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.EnumMember,
    "tool": types.CompletionItemKind.Function,
    "model": types.CompletionItemKind.Value,
    "snippet": types.CompletionItemKind.Snippet,
}

__all__ = ["FIX_ALL", "OpenDoc", "Position", "Server", "State"]
