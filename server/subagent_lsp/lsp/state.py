"""What the server knows, one per process: settings, the open documents (checked once per
change), the agent files on disk, and the caches the features share. No LSP types here but the
position codec, which ``convert`` needs."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pygls.uris import to_fs_path
from pygls.workspace.position_codec import PositionCodec

from ..config import Settings
from ..definitions.document import Document, parse_document, split_lines
from ..definitions.findings import Finding
from ..definitions.kinds import FileKind, classify
from ..definitions.navigation import NameIndex, NameIndexCache
from ..definitions.workspace import (
    CLAUDE_MD,
    FileResult,
    check_parsed,
    check_paths,
    claude_md_files,
    duplicate_name_findings,
)
from ..review.offline.schema import SchemaCache
from ..review.project import Projects


@dataclass
class OpenDoc:
    uri: str
    path: str
    version: int | None
    text: str
    lines: list[str]
    kind: FileKind | None  # None: not an agent definition (backend code, or nothing of ours)
    doc: Document | None
    result: FileResult | None


class State:
    def __init__(self, codec: PositionCodec, roots: Callable[[], list[str]]) -> None:
        self.codec = codec
        self.roots = roots  # the workspace folders, as the client last said
        self.settings = Settings()
        self.pull = False  # the client pulls diagnostics: never push to it
        self.open: dict[str, OpenDoc] = {}
        self.index: dict[str, FileResult] = {}  # agent files on disk
        self.duplicates: dict[str, list[Finding]] | None = None  # cache; None: stale
        self.claude_md: list[str] = []  # CLAUDE.md files, for their mentions of agents
        self.names = NameIndexCache()
        self.schema = SchemaCache()  # the backend's tables, for the engine and the agent
        self.projects = Projects(self.schema, roots)  # the rest of each project's model

    # --- documents -----------------------------------------------------------------------

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
        if _name(previous) != _name(entry):
            self.duplicates = None
        return entry

    def recheck_open(self) -> None:
        """New settings: every open document checked again."""
        for uri, entry in list(self.open.items()):
            self.set_text(uri, entry.version, entry.text)

    def entry(self, uri: str) -> OpenDoc | None:
        """The agent definition at ``uri``: the open document, else the file on disk (a
        request about a document the client never opened); None for anything else."""
        entry = self.open.get(uri)
        if entry is None:
            path = to_fs_path(uri)
            if not path or not os.path.isfile(path):
                return None
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                return None
            entry = self.set_text(uri, None, text)
            del self.open[uri]
        return entry if entry.kind is not None else None

    def by_path(self) -> dict[str, OpenDoc]:
        return {e.path: e for e in self.open.values()}

    def lines_for(self, path: str) -> Sequence[str] | None:
        for entry in self.open.values():
            if entry.path == path:
                return entry.lines
        try:
            with open(path, encoding="utf-8") as fh:
                return split_lines(fh.read())
        except (OSError, UnicodeDecodeError):
            return None

    # --- agent files across the workspace ------------------------------------------------

    def results(self) -> list[FileResult]:
        """Every agent file's result: the open ones as typed, the others as on disk."""
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

    def near(self) -> str | None:
        """Where Claude Code would run: the first workspace folder."""
        roots = self.roots()
        return roots[0] if roots else None

    def in_workspace(self, path: str) -> bool:
        return any(path.startswith(root + os.sep) for root in self.roots())

    def scan(self, roots: list[str]) -> tuple[dict[str, FileResult], list[str]]:
        """Check every agent file below ``roots`` and find the CLAUDE.md files (slow: run it
        off the event loop)."""
        opts, globs = self.settings.options, self.settings.globs
        results = {os.path.abspath(r.path): r for r in check_paths(roots, opts, globs)}
        return results, claude_md_files(roots)

    def reindex(self, path: str) -> None:
        """A file on disk changed: check it again (or forget it)."""
        path = os.path.abspath(path)
        self.duplicates = None
        if os.path.basename(path) == CLAUDE_MD:
            known = path in self.claude_md
            if known and not os.path.isfile(path):
                self.claude_md.remove(path)
            elif not known and os.path.isfile(path) and self.in_workspace(path):
                self.claude_md.append(path)
        if not self.in_workspace(path):
            self.index.pop(path, None)
            return
        found = check_paths([path], self.settings.options, self.settings.globs)
        if os.path.isfile(path) and found and found[0].kind is not None:
            self.index[path] = found[0]
        else:
            self.index.pop(path, None)

    def name_index(self) -> NameIndex:
        kinds: dict[str, FileKind | None] = dict.fromkeys(self.claude_md)
        kinds.update((r.path, r.kind) for r in self.results())
        texts = {e.path: (("open", e.version, len(e.text)), e.text) for e in self.open.values()}
        return self.names.index(kinds, texts)


def _name(entry: OpenDoc | None) -> str | None:
    if entry is None or entry.result is None or entry.result.agent_name is None:
        return None
    return entry.result.agent_name[0]
