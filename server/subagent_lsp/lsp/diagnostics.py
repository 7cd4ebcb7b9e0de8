"""Agent-file diagnostics, and the workspace index the cross-file ones (AGT051) need.

Pushed with the document version to clients that do not pull; pulled by the others (never both
to one client). Checking a document is sub-millisecond, so a change is published at once; the
index is built off the event loop, and a file that changes meanwhile is checked again after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from lsprotocol import types

from ..definitions.findings import Finding
from ..review.offline.foreign.tables import SUFFIXES as FOREIGN_SUFFIXES
from . import convert
from .feature import Client, LanguageFeature
from .state import OpenDoc, State

CODE_FILES = (".py", ".sql", *FOREIGN_SUFFIXES)  # the backend's, not agent files


class Diagnostics(LanguageFeature):
    def __init__(self, state: State, client: Client) -> None:
        super().__init__(state, client)
        self.indexing: asyncio.Task[None] | None = None
        self.in_flight: list[set[str]] = []  # per index build: files changed while it ran

    async def initialized(self) -> None:
        self.indexing = asyncio.ensure_future(self.build_index())

    async def settings_changed(self) -> None:
        await self.build_index()

    def document_changed(self, entry: OpenDoc, before: OpenDoc | None) -> None:
        if entry.kind is None and (before is None or before.kind is None):
            return
        if self.state.duplicates is None:
            self.publish_all()  # a name changed: the files sharing it change too
        else:
            self.publish(entry)

    def document_closed(self, entry: OpenDoc) -> None:
        if entry.kind is None:
            return
        self.reindex([entry.path])
        if not self.state.pull:
            self.client.publish(entry.uri, None, [])
        self.publish_all()

    def files_changed(self, paths: Sequence[str]) -> None:
        self.reindex([p for p in paths if not p.endswith(CODE_FILES)])
        # An open file's findings may read others (a CLAUDE.md's imports, the agents a note
        # or an `Agent(x)` names): check the open ones again.
        self.state.recheck_open()
        self.publish_all()

    async def pull_diagnostics(self, uri: str) -> list[types.Diagnostic] | None:
        entry = self.state.entry(uri)
        return self.diagnostics(entry) if entry is not None else None

    # --- the index -----------------------------------------------------------------------

    async def build_index(self) -> None:
        """Check the workspace's agent files, publish, then log a line saying so (after the
        diagnostics it implies, so a client that sees the line has them)."""
        roots = self.state.roots()
        if not roots:
            self.publish_all()
            return
        changed: set[str] = set()
        self.in_flight.append(changed)
        start = time.perf_counter()
        try:
            loop = asyncio.get_running_loop()
            index, claude_md = await loop.run_in_executor(None, self.state.scan, roots)
        finally:
            self.in_flight.remove(changed)
        self.state.index, self.state.claude_md = index, claude_md
        for path in changed:  # the walk may have read it before it changed
            self.state.reindex(path)
        self.state.duplicates = None
        self.publish_all()
        ms = (time.perf_counter() - start) * 1000
        self.client.log(f"subagent-lsp: indexed {len(index)} agent files in {ms:.0f} ms")

    def reindex(self, paths: Sequence[str]) -> None:
        for path in paths:
            self.state.reindex(path)
            for changed in self.in_flight:
                changed.add(path)
        self.state.duplicates = None

    # --- views ---------------------------------------------------------------------------

    def diagnostics(self, entry: OpenDoc) -> list[types.Diagnostic]:
        state = self.state
        return [
            convert.to_diagnostic(f, entry.lines, state.codec, state.lines_for)
            for f in state.findings_for(entry)
        ]

    def publish(self, entry: OpenDoc) -> None:
        if self.state.pull or entry.kind is None:
            return
        self.client.publish(entry.uri, entry.version, self.diagnostics(entry))

    def publish_all(self) -> None:
        if self.state.pull:
            self.client.refresh_diagnostics()
            return
        for entry in self.state.open.values():
            self.publish(entry)

    def workspace_diagnostics(self) -> types.WorkspaceDiagnosticReport:
        state = self.state
        extra = state.cross_file()
        open_paths = state.by_path()
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
