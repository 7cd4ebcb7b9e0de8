"""Backend code in the editor: the offline engine's suggestions as diagnostics, quick fixes and
hovers, and the "Ask backend-developer" actions when the agent is not called (no API key, or
offline).

Analysis runs off the event loop, debounced per document, on a snapshot of the text; a result is
published only if the document is still at the version it was computed for. A pull client's
request waits for the analysis in flight, so it gets the result for what it sees.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from lsprotocol import types

from ..definitions.findings import Position
from ..review import describe
from ..review.agent_setup import agent_enabled
from ..review.offline.compose import compose, line_edits
from ..review.offline.engine import analyze_file, is_backend_file
from ..review.offline.foreign.tables import SUFFIXES as FOREIGN_SUFFIXES
from ..review.project import Projects
from ..review.scope import scope_of
from ..review.selection import in_scope, on_lines
from ..review.suggestion import SOURCE, Suggestion
from . import convert
from .edits import EditBuilder
from .feature import Client, LanguageFeature, wants
from .fixes import FIX_ALL
from .state import OpenDoc, State

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.25
# The project's other open files, analysed again after a change elsewhere: only once typing
# pauses for this long, so a burst of keystrokes costs their analyses once, not per key.
OTHERS_DEBOUNCE_SECONDS = 1.0
ASK_KIND = types.CodeActionKind.RefactorRewrite
# "Apply all" once a file has two suggestions: with one, its quick fix is the same edit.
FIX_ALL_AT_LEAST = 2
FIX_ALL_FAMILY = types.CodeActionKind.SourceFixAll.value
FIX_ALL_DATA = "fixAllBackend"
CODE_FILES = (".py", ".sql", *FOREIGN_SUFFIXES)


@dataclass
class Analysis:
    version: int | None
    text: str
    suggestions: list[Suggestion]  # as the policy lets them through
    found: list[Suggestion]  # as the engine found them, for a change of settings


class Backend(LanguageFeature):
    def __init__(self, state: State, client: Client) -> None:
        super().__init__(state, client)
        self.results: dict[str, Analysis] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        self.delay = DEBOUNCE_SECONDS
        self.scanning: asyncio.Task[None] | None = None
        self.not_sources = state.projects.not_sources  # what the open files were analysed with

    # --- events --------------------------------------------------------------------------

    async def initialized(self) -> None:
        self.scanning = asyncio.ensure_future(self.scan(self.state.roots()))

    def document_changed(self, entry: OpenDoc, before: OpenDoc | None) -> None:
        self.schedule(entry)
        if before is not None and is_backend_file(entry.path):
            # A model, a helper or an app-wide handler changed: the project's other open
            # files are analysed again under it (each its own debounced run).
            self.state.projects.set_text(entry.path, entry.text)
            project = self.state.projects.of(entry.path)
            for other in list(self.state.open.values()):
                if (
                    other.uri != entry.uri
                    and other.kind is None
                    and is_backend_file(other.path)
                    and self.state.projects.of(other.path) is project
                ):
                    self.schedule(other, max(self.delay, OTHERS_DEBOUNCE_SECONDS))

    def document_closed(self, entry: OpenDoc) -> None:
        task = self.tasks.pop(entry.uri, None)
        if task is not None:
            task.cancel()
        self.state.projects.closed(entry.path)
        shown = self.results.pop(entry.uri, None) is not None
        if shown and not self.state.pull:
            self.client.publish(entry.uri, None, [])

    def files_changed(self, paths: Sequence[str]) -> None:
        if any(p.endswith(CODE_FILES) for p in paths):
            self.scanning = asyncio.ensure_future(self.scan(self.state.roots()))

    async def settings_changed(self) -> None:
        """The same findings through the new policy (no re-analysis), shown again; files
        analysed again only when what counts as a source changed (notSources)."""
        if self.state.projects.not_sources != self.not_sources:
            self.not_sources = self.state.projects.not_sources
            for opened in list(self.state.open.values()):
                if opened.kind is None:
                    self.schedule(opened)
        policy = self.state.settings.options.policy
        for uri, analysis in self.results.items():
            entry = self.state.open.get(uri)
            if entry is not None:
                analysis.suggestions = policy.apply(entry.path, entry.lines, analysis.found)
                self.publish(entry)

    # --- analysis ------------------------------------------------------------------------

    async def scan(self, roots: Sequence[str]) -> None:
        """Read the project's schema, then analyse every open backend file again under it
        (an analysis that ran meanwhile saw the schema half-read)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self.state.projects.scan, list(roots))
        for entry in list(self.state.open.values()):
            if entry.kind is None:
                self.schedule(entry)

    def schedule(self, entry: OpenDoc, delay: float | None = None) -> None:
        if not is_backend_file(entry.path):
            return
        previous = self.tasks.pop(entry.uri, None)
        if previous is not None:
            previous.cancel()
        wait = self.delay if delay is None else delay
        self.tasks[entry.uri] = asyncio.ensure_future(self._run(entry, wait))

    async def _run(self, entry: OpenDoc, delay: float) -> None:
        await asyncio.sleep(delay)
        loop = asyncio.get_running_loop()
        suggestions = await loop.run_in_executor(None, self._analyze, entry)
        current = self.state.open.get(entry.uri)
        if current is None or current.version != entry.version:
            return  # the document moved on: a newer run is scheduled
        self._store(entry, suggestions)
        self.publish(entry)

    async def settled(self, uri: str) -> None:
        """Until neither a schema scan nor an analysis of ``uri`` is pending (a scan, or a
        change, meanwhile starts a new analysis)."""
        while True:
            pending = {t for t in (self.scanning, self.tasks.get(uri)) if t and not t.done()}
            if not pending:
                return
            await asyncio.wait(pending)

    def _analyze(self, entry: OpenDoc) -> list[Suggestion]:
        try:
            projects = self.state.projects
            project = projects.of(entry.path)
            found, own = analyze_file(
                entry.path, entry.text, self.state.schema.schema(), project=project
            )
            projects.edited(entry.path, entry.text, own)  # for the other files' analyses
            return found
        except Exception:
            log.exception("backend analysis failed for %s", entry.path)
            return []

    def _store(self, entry: OpenDoc, found: list[Suggestion]) -> list[Suggestion]:
        policy = self.state.settings.options.policy
        kept = policy.apply(entry.path, entry.lines, found)
        self.results[entry.uri] = Analysis(entry.version, entry.text, kept, found)
        return kept

    def current(self, entry: OpenDoc) -> list[Suggestion]:
        found = self.results.get(entry.uri)
        if found is None or found.text != entry.text:
            return self._store(entry, self._analyze(entry))
        return found.suggestions

    # --- views ---------------------------------------------------------------------------

    def diagnostics(self, entry: OpenDoc) -> list[types.Diagnostic]:
        found = self.results.get(entry.uri)
        if found is None:
            return []
        codec = self.state.codec
        return [
            types.Diagnostic(
                range=convert.to_range(entry.lines, s.span, codec),
                message=describe.message(s),
                severity=types.DiagnosticSeverity(s.severity.value),
                code=s.code,
                source=SOURCE,
                tags=convert.tags_of(s.code),
                data={"index": index, "version": entry.version},
            )
            for index, s in enumerate(found.suggestions)
        ]

    def publish(self, entry: OpenDoc) -> None:
        if self.state.pull:
            self.client.refresh_diagnostics()
        else:
            self.client.publish(entry.uri, entry.version, self.diagnostics(entry))

    async def pull_diagnostics(self, uri: str) -> list[types.Diagnostic] | None:
        entry = self.state.open.get(uri)
        if entry is None or entry.kind is not None:
            return None
        await self.settled(uri)
        entry = self.state.open.get(uri)
        return self.diagnostics(entry) if entry is not None else []

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        entry = self.state.open.get(uri)
        found = self.results.get(uri)
        if entry is None or entry.kind is not None or found is None:
            return None
        pos = convert.from_position(entry.lines, position, self.state.codec)
        shown = describe.hover(found.suggestions, pos)
        if shown is None:
            return None
        text, span = shown
        return types.Hover(
            contents=self.client.content("hover", text),
            range=convert.to_range(entry.lines, span, self.state.codec),
        )

    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        entry = self.state.open.get(params.text_document.uri)
        if entry is None or entry.kind is not None:
            return None
        if not is_backend_file(entry.path):
            return []
        lo = convert.from_position(entry.lines, params.range.start, self.state.codec)
        hi = convert.from_position(entry.lines, params.range.end, self.state.codec)
        only = [str(k) for k in params.context.only or []]
        suggestions = self.current(entry)
        actions: list[types.CodeAction] = []
        if wants(only, types.CodeActionKind.QuickFix.value):
            diagnostics = self.diagnostics(entry)
            for s in on_lines(suggestions, lo.line, hi.line):
                actions.append(
                    types.CodeAction(
                        title=f"backend-developer: {s.title}",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[
                            d
                            for d in diagnostics
                            if d.code == s.code and d.range.start.line == s.span.start.line
                        ],
                        edit=EditBuilder(self.state).suggestions([s]).build(),
                    )
                )
        if len(suggestions) >= FIX_ALL_AT_LEAST and wants(only, FIX_ALL, FIX_ALL_FAMILY):
            action = self._fix_all_action(entry, len(suggestions), eager=bool(only))
            if action is not None:
                actions.append(action)
        if wants(only, ASK_KIND.value, "refactor") and not agent_enabled(self.state.settings):
            actions.extend(self._offline_asks(entry, suggestions, lo, hi))
        return actions

    # --- every suggestion of a file at once ---------------------------------------------

    def _fix_all_action(self, entry: OpenDoc, count: int, eager: bool) -> types.CodeAction | None:
        """ "Apply all": its edit is composed when asked for explicitly (``source.fixAll``, on
        save) or by a client that cannot resolve it later; else on codeAction/resolve, so a
        lightbulb does not compose on every cursor move."""
        action = types.CodeAction(
            title=f"Apply all backend suggestions in this file ({count})",
            kind=FIX_ALL,
            data={FIX_ALL_DATA: entry.uri, "version": entry.version},
        )
        if eager or not self.client.resolves_edits():
            action.edit = self.fix_all(entry)
            if action.edit is None:
                return None
        return action

    async def resolve_fix_all(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        entry = self.state.open.get(str(data.get(FIX_ALL_DATA)))
        if entry is None or entry.version != data.get("version"):
            return action  # the document moved on: no edit for a text it was not made for
        loop = asyncio.get_running_loop()
        action.edit = await loop.run_in_executor(None, self.fix_all, entry)
        return action

    def fix_all(self, entry: OpenDoc) -> types.WorkspaceEdit | None:
        """Every suggestion of the document applied together (review/offline/compose.py), on
        a copy of the project model: the texts it imagines never reach the real one."""
        state = self.state
        projects = Projects(state.schema.copy(), state.projects.folders, state.projects.not_sources)
        texts = {
            e.path: e.text
            for e in state.open.values()
            if e.kind is None and is_backend_file(e.path)
        }
        try:
            composed = compose(
                projects, [entry.path], policy=state.settings.options.policy, texts=texts
            )
        except Exception:
            log.exception("composing the suggestions of %s failed", entry.path)
            return None
        changed = composed.changed()
        if not changed:
            return None
        builder = EditBuilder(state, pinned=entry)
        for path, after in changed.items():
            before = composed.before.get(path)
            if before is None:
                builder.create(path)
            for edit in line_edits(before or "", after):
                builder.replace(path, edit.span, edit.new_text)
        return builder.build()

    def _offline_asks(
        self, entry: OpenDoc, suggestions: Sequence[Suggestion], lo: Position, hi: Position
    ) -> list[types.CodeAction]:
        scope = scope_of(entry.text, lo, hi, entry.path)
        actions = []
        for kind, verb in describe.ASK_VERBS.items():
            chosen = in_scope(suggestions, kind, scope)
            title = f"Ask backend-developer: {verb} (offline engine)"
            if chosen:
                actions.append(
                    types.CodeAction(
                        title=title,
                        kind=ASK_KIND,
                        edit=EditBuilder(self.state).suggestions(chosen).build(),
                        data={"kind": kind, "uri": entry.uri, "version": entry.version},
                    )
                )
            elif self.client.shows_disabled_actions():
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
