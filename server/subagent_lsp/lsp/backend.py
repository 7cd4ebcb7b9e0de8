"""Backend code in the editor: the offline engine's suggestions as diagnostics, quick fixes,
hovers and the "Ask backend-developer" actions.

Analysis runs off the event loop, debounced per document, on a snapshot of the text; a result is
published only if the document is still at the version it was computed for.
"""

from __future__ import annotations

import ast
import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from ..definitions.findings import Position, Span
from ..definitions.fixes import spans_overlap
from ..review.offline.engine import analyze_file, is_backend_file
from ..review.offline.schema import SchemaCache
from ..review.rules import BACKEND_RULES
from ..review.suggestion import SOURCE, Suggestion
from . import convert

if TYPE_CHECKING:
    from .features import OpenDoc, Server

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.25
ASK = {
    "index": "suggest indexes",
    "validation": "add input validation",
    "error-handling": "add error handling",
}
ASK_KIND = types.CodeActionKind.RefactorRewrite


@dataclass
class Analysis:
    version: int | None
    text: str
    suggestions: list[Suggestion]  # as the policy lets them through
    found: list[Suggestion]  # as the engine found them, for a change of settings


class Backend:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.schema = SchemaCache()
        self.results: dict[str, Analysis] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.delay = DEBOUNCE_SECONDS
        from .agent_actions import AgentActions

        self.agent = AgentActions(self)

    # --- analysis --------------------------------------------------------------------------

    async def scan(self, roots: Sequence[str]) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.schema.scan, list(roots))
        for uri in list(self.results):
            entry = self.server.state.open.get(uri)
            if entry is not None:
                self.schedule(entry)

    def schedule(self, entry: OpenDoc) -> None:
        if not is_backend_file(entry.path):
            return
        previous = self.tasks.pop(entry.uri, None)
        if previous is not None:
            previous.cancel()
        try:
            self.tasks[entry.uri] = asyncio.ensure_future(self._run(entry))
        except RuntimeError:  # no running loop (unit tests): analyse now
            self._store(entry, self._analyze(entry))

    async def _run(self, entry: OpenDoc) -> None:
        await asyncio.sleep(self.delay)
        loop = asyncio.get_running_loop()
        suggestions = await loop.run_in_executor(None, self._analyze, entry)
        current = self.server.state.open.get(entry.uri)
        if current is None or current.version != entry.version:
            return  # the document moved on: a newer run is scheduled
        self._store(entry, suggestions)
        self.publish(entry)

    def _analyze(self, entry: OpenDoc) -> list[Suggestion]:
        try:
            found, own = analyze_file(entry.path, entry.text, self.schema.schema())
            self.schema.set_schema(entry.path, own)  # parsed once, for the other files' analyses
            return found
        except Exception:
            log.exception("backend analysis failed for %s", entry.path)
            return []

    def _store(self, entry: OpenDoc, found: list[Suggestion]) -> list[Suggestion]:
        policy = self.server.state.settings.options.policy
        kept = policy.apply(entry.path, entry.lines, found)
        self.results[entry.uri] = Analysis(entry.version, entry.text, kept, found)
        return kept

    def reconfigure(self) -> None:
        """New settings: the same findings, through the new policy (no re-analysis)."""
        policy = self.server.state.settings.options.policy
        for uri, analysis in self.results.items():
            entry = self.server.state.open.get(uri)
            if entry is not None:
                analysis.suggestions = policy.apply(entry.path, entry.lines, analysis.found)

    def current(self, entry: OpenDoc) -> list[Suggestion]:
        found = self.results.get(entry.uri)
        if found is None or found.text != entry.text:
            return self._store(entry, self._analyze(entry))
        return found.suggestions

    def closed(self, uri: str, path: str) -> None:
        task = self.tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self.results.pop(uri, None)
        self.schema.overrides.pop(path, None)

    # --- LSP views -------------------------------------------------------------------------

    def diagnostics(self, entry: OpenDoc) -> list[types.Diagnostic]:
        found = self.results.get(entry.uri)
        if found is None:
            return []
        codec = self.server.state.codec
        out = []
        for index, s in enumerate(found.suggestions):
            proven = " (index proven on SQLite)" if s.proven else ""
            out.append(
                types.Diagnostic(
                    range=convert.to_range(entry.lines, s.span, codec),
                    message=f"{s.title}{proven}",
                    severity=types.DiagnosticSeverity(s.severity.value),
                    code=s.code,
                    source=SOURCE,
                    data={"index": index, "version": entry.version},
                )
            )
        return out

    def publish(self, entry: OpenDoc) -> None:
        state = self.server.state
        if state.pull:
            workspace = self.server.caps.workspace
            if workspace and workspace.diagnostics and workspace.diagnostics.refresh_support:
                self.server.ls.workspace_diagnostic_refresh(None)
            return
        self.server.ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=entry.uri, version=entry.version, diagnostics=self.diagnostics(entry)
            )
        )

    def hover(self, entry: OpenDoc, pos: Position) -> types.Hover | None:
        found = self.results.get(entry.uri)
        if found is None:
            return None
        parts = []
        span: Span | None = None
        for s in found.suggestions:
            if s.span.contains(pos):
                rule = BACKEND_RULES.get(s.code)
                head = (
                    f"**{s.code}** `{rule.name}` — {s.title}" if rule else f"**{s.code}** {s.title}"
                )
                parts.append(f"{head}\n\n{s.rationale}")
                span = span or s.span
        if not parts or span is None:
            return None
        text = "\n\n---\n\n".join(parts)
        return types.Hover(
            contents=self.server._content("hover", text),
            range=convert.to_range(entry.lines, span, self.server.state.codec),
        )

    def workspace_edit(self, suggestions: Sequence[Suggestion]) -> types.WorkspaceEdit:
        """Edits of one or more suggestions, per file, each bound to the version it was
        computed for (a file that is not open is edited on disk by the client: no version)."""
        state = self.server.state
        by_path: dict[str, list[types.TextEdit]] = defaultdict(list)
        for suggestion in suggestions:
            for edit in suggestion.edits:
                lines = state.lines_for(edit.path) or []
                by_path[edit.path].append(
                    types.TextEdit(convert.to_range(lines, edit.span, state.codec), edit.new_text)
                )
        changes: list[types.TextDocumentEdit] = []
        open_by_path = {e.path: e for e in state.open.values()}
        for path, edits in by_path.items():
            entry = open_by_path.get(path)
            ident = types.OptionalVersionedTextDocumentIdentifier(
                uri=entry.uri if entry else convert.uri_of(path),
                version=entry.version if entry else None,
            )
            changes.append(types.TextDocumentEdit(text_document=ident, edits=list(edits)))
        return types.WorkspaceEdit(document_changes=list(changes))

    def code_actions(
        self, entry: OpenDoc, lo: Position, hi: Position, wanted: Sequence[str]
    ) -> list[types.CodeAction]:
        if not is_backend_file(entry.path):
            return []
        suggestions = self.current(entry)
        actions: list[types.CodeAction] = []
        quick = not wanted or any(k.startswith(types.CodeActionKind.QuickFix.value) for k in wanted)
        if quick:
            for s in suggestions:
                if s.span.end.line < lo.line or s.span.start.line > hi.line:
                    continue
                actions.append(
                    types.CodeAction(
                        title=f"backend-developer: {s.title}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[
                            d
                            for d in self.diagnostics(entry)
                            if d.code == s.code and d.range.start.line == s.span.start.line
                        ],
                        edit=self.workspace_edit([s]),
                    )
                )
        ask = not wanted or any(
            ASK_KIND.value.startswith(k) or k.startswith("refactor") for k in wanted
        )
        if ask:
            actions.extend(self.ask_actions(entry, suggestions, lo, hi))
        return actions

    def ask_actions(
        self, entry: OpenDoc, suggestions: Sequence[Suggestion], lo: Position, hi: Position
    ) -> list[types.CodeAction]:
        if self.agent.enabled():
            return self.agent.actions(entry, ASK, lo, hi)
        scope = scope_of(entry.text, lo, hi)
        disabled_ok = self._disabled_support()
        actions = []
        for kind, verb in ASK.items():
            inside = [
                s
                for s in suggestions
                if s.kind == kind and scope.start <= s.span.start <= scope.end
            ]
            chosen = _non_overlapping(inside)
            title = f"Ask backend-developer: {verb} (offline engine)"
            if chosen:
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=ASK_KIND,
                        edit=self.workspace_edit(chosen),
                        data={"kind": kind, "uri": entry.uri, "version": entry.version},
                    )
                )
            elif disabled_ok:
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=ASK_KIND,
                        disabled=types.CodeActionDisabled(
                            reason=f"backend-developer (offline) found nothing to {verb} here"
                        ),
                    )
                )
        return actions

    def _disabled_support(self) -> bool:
        text = self.server.caps.text_document
        action = text and text.code_action
        return bool(action and action.disabled_support)


def _non_overlapping(suggestions: Sequence[Suggestion]) -> list[Suggestion]:
    """Suggestions whose edits can all apply together (the first of two that clash wins)."""
    chosen: list[Suggestion] = []
    taken: list[tuple[str, Span]] = []
    for s in suggestions:
        spans = [(e.path, e.span) for e in s.edits]
        if not any(p == q and spans_overlap(a, b) for p, a in spans for q, b in taken):
            chosen.append(s)
            taken.extend(spans)
    return chosen


def scope_of(text: str, lo: Position, hi: Position) -> Span:
    """The selection, or (for a cursor) the function around it, or the whole file."""
    if lo != hi:
        return Span(lo, hi)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return Span(Position(0, 0), Position(10**9, 0))
    best: Span | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            last = (node.end_lineno or node.lineno) - 1
            if first <= lo.line <= last and (best is None or first >= best.start.line):
                best = Span(Position(first, 0), Position(last, 10**6))
    return best or Span(Position(0, 0), Position(10**9, 0))
