"""Symbols, definition, references, rename and code lenses for agent and skill names."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from ..definitions.findings import Position
from ..definitions.navigation import (
    AGENT_NAME,
    Definition,
    FileNames,
    NameIndex,
    Reference,
    Symbol,
    document_symbols,
    names_in,
    winner,
)
from ..definitions.spec import Kind
from . import convert

if TYPE_CHECKING:
    from .features import OpenDoc, Server

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__"}


class Navigation:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.cache: dict[str, tuple[object, FileNames]] = {}
        self.claude_md: list[str] = []

    def scan_claude_md(self, roots: list[str]) -> None:
        found = []
        for root in roots:
            for folder, dirs, files in os.walk(root):
                dirs[:] = [
                    d
                    for d in dirs
                    if (d not in SKIP_DIRS and not d.startswith(".")) or d == ".claude"
                ]
                if folder[len(root) :].count(os.sep) > 6:
                    dirs[:] = []
                if "CLAUDE.md" in files:
                    found.append(os.path.join(folder, "CLAUDE.md"))
        self.claude_md = found

    def index(self) -> NameIndex:
        state = self.server.state
        open_by_path = {e.path: e for e in state.open.values()}
        kinds = {r.path: r.kind for r in state.results()}
        paths = set(kinds) | set(self.claude_md)
        files: dict[str, FileNames] = {}
        for path in paths:
            entry = open_by_path.get(path)
            if entry is not None:
                stamp: object = ("open", entry.version, len(entry.text))
                text: str | None = entry.text
            else:
                try:
                    stamp = os.stat(path).st_mtime_ns
                except OSError:
                    continue
                text = None
            cached = self.cache.get(path)
            if cached is not None and cached[0] == stamp:
                files[path] = cached[1]
                continue
            if text is None:
                try:
                    with open(path, encoding="utf-8") as fh:
                        text = fh.read()
                except (OSError, UnicodeDecodeError):
                    continue
            names = names_in(path, text, kinds.get(path))
            self.cache[path] = (stamp, names)
            files[path] = names
        return NameIndex(files)

    # --- requests --------------------------------------------------------------------------

    def _lines(self, path: str) -> list[str]:
        return list(self.server.state.lines_for(path) or [])

    def _location(self, path: str, span: Any) -> types.Location:
        return types.Location(
            convert.uri_of(path), convert.to_range(self._lines(path), span, self.server.state.codec)
        )

    def symbols(self, entry: OpenDoc) -> list[types.DocumentSymbol]:
        if entry.doc is None:
            return []
        codec = self.server.state.codec

        def convert_symbol(symbol: Symbol) -> types.DocumentSymbol:
            return types.DocumentSymbol(
                name=symbol.name,
                kind=types.SymbolKind.Property if symbol.kind == "key" else types.SymbolKind.String,
                range=convert.to_range(entry.lines, symbol.span, codec),
                selection_range=convert.to_range(entry.lines, symbol.selection, codec),
                children=[convert_symbol(c) for c in symbol.children] or None,
            )

        return [convert_symbol(s) for s in document_symbols(entry.doc)]

    def workspace_symbols(self, query: str) -> list[types.WorkspaceSymbol]:
        kinds = {
            Kind.SUBAGENT: types.SymbolKind.Class,
            Kind.SKILL: types.SymbolKind.Function,
            Kind.COMMAND: types.SymbolKind.Event,
        }
        needle = query.lower()
        out = []
        for d in self.index().all_definitions():
            if needle and needle not in d.name.lower():
                continue
            out.append(
                types.WorkspaceSymbol(
                    name=d.name,
                    kind=kinds.get(d.kind, types.SymbolKind.Object),
                    location=self._location(d.path, d.span),
                    container_name=f"{d.kind.value} ({d.scope})",
                )
            )
        return out

    def _target(
        self, entry: OpenDoc, pos: types.Position
    ) -> tuple[NameIndex, Definition | Reference | None]:
        index = self.index()
        at = convert.from_position(entry.lines, pos, self.server.state.codec)
        return index, index.at(entry.path, at)

    @staticmethod
    def _kind_of(found: Definition | Reference) -> Kind:
        return found.kind if isinstance(found, Definition) else found.target

    def definition(self, entry: OpenDoc, pos: types.Position) -> list[types.Location] | None:
        index, found = self._target(entry, pos)
        if found is None:
            return None
        definitions = index.definitions(found.name, self._kind_of(found))
        best = winner(definitions, self._near())
        ordered = [best, *[d for d in definitions if d is not best]] if best else definitions
        return [self._location(d.path, d.span) for d in ordered] or None

    def references(
        self, entry: OpenDoc, pos: types.Position, declaration: bool
    ) -> list[types.Location] | None:
        index, found = self._target(entry, pos)
        if found is None:
            return None
        kind = self._kind_of(found)
        out = [self._location(r.path, r.span) for r in index.references(found.name, kind)]
        if declaration:
            out = [
                self._location(d.path, d.span) for d in index.definitions(found.name, kind)
            ] + out
        return out

    def prepare_rename(
        self, entry: OpenDoc, pos: types.Position
    ) -> types.PrepareRenamePlaceholder | None:
        _, found = self._target(entry, pos)
        if found is None or self._kind_of(found) is Kind.COMMAND:
            return None
        span = (
            found.value_span if isinstance(found, Definition) and found.value_span else found.span
        )
        return types.PrepareRenamePlaceholder(
            range=convert.to_range(entry.lines, span, self.server.state.codec),
            placeholder=found.name,
        )

    def rename(
        self, entry: OpenDoc, pos: types.Position, new_name: str
    ) -> types.WorkspaceEdit | None:
        index, found = self._target(entry, pos)
        if found is None:
            return None
        kind = self._kind_of(found)
        if kind is Kind.COMMAND:
            return None
        if not AGENT_NAME.match(new_name):
            raise ValueError(
                f"{new_name!r} is not a valid name: use lowercase letters, digits and hyphens."
            )
        old = found.name
        state = self.server.state
        edits: dict[str, list[types.TextEdit]] = {}
        renames: list[types.RenameFile] = []
        for d in index.definitions(old, kind):
            if d.value_span is None:
                continue
            edits.setdefault(d.path, []).append(
                types.TextEdit(
                    convert.to_range(self._lines(d.path), d.value_span, state.codec), new_name
                )
            )
            stem, ext = os.path.splitext(os.path.basename(d.path))
            if kind is Kind.SUBAGENT and stem == old:
                renames.append(
                    types.RenameFile(
                        old_uri=convert.uri_of(d.path),
                        new_uri=convert.uri_of(
                            os.path.join(os.path.dirname(d.path), new_name + ext)
                        ),
                        options=types.RenameFileOptions(overwrite=False, ignore_if_exists=False),
                    )
                )
        for r in index.references(old, kind):
            edits.setdefault(r.path, []).append(
                types.TextEdit(convert.to_range(self._lines(r.path), r.span, state.codec), new_name)
            )
        open_by_path = {e.path: e for e in state.open.values()}
        changes: list[Any] = []
        for path, text_edits in edits.items():
            opened = open_by_path.get(path)
            ident = types.OptionalVersionedTextDocumentIdentifier(
                uri=convert.uri_of(path), version=opened.version if opened else None
            )
            changes.append(types.TextDocumentEdit(text_document=ident, edits=text_edits))
        if self._renames_supported():
            changes.extend(renames)  # after the text edits, which address the old names
        return types.WorkspaceEdit(document_changes=changes)

    def _renames_supported(self) -> bool:
        workspace = self.server.caps.workspace
        edit = workspace and workspace.workspace_edit
        return bool(
            edit
            and edit.resource_operations
            and types.ResourceOperationKind.Rename in edit.resource_operations
        )

    def _near(self) -> str | None:
        roots = self.server.roots()
        return roots[0] if roots else None

    def name_summary(self, entry: OpenDoc, pos: Position) -> str | None:
        """Hover text on an agent's name: where it is used and which definition wins."""
        index = self.index()
        found = index.at(entry.path, pos)
        if not isinstance(found, Definition) or found.kind is not Kind.SUBAGENT:
            return None
        return self._summary(index, found)

    def _summary(self, index: NameIndex, d: Definition) -> str:
        refs = index.references(d.name)
        definitions = index.definitions(d.name)
        used = (
            f"Used in {len(refs)} place{'s' if len(refs) != 1 else ''}"
            if refs
            else "Not referenced"
        )
        files = sorted({os.path.relpath(r.path, self._near() or os.getcwd()) for r in refs})[:5]
        text = f"**{d.name}** ({d.scope} agent). {used}" + (
            f": {', '.join(files)}." if files else "."
        )
        if len(definitions) > 1:
            best = winner(definitions, self._near())
            others = [x for x in definitions if x is not best]
            if best is d:
                scopes = ", ".join(o.scope for o in others)
                text += f" This definition wins over {len(others)} other(s) ({scopes})."
            elif best is not None:
                text += (
                    f" Shadowed: the {best.scope} definition in {os.path.basename(best.path)} wins."
                )
        return text

    def code_lenses(self, entry: OpenDoc) -> list[types.CodeLens]:
        if entry.kind is None or entry.kind.kind is not Kind.SUBAGENT:
            return []
        index = self.index()
        names = index.files.get(entry.path)
        if names is None:
            return []
        out = []
        for d in names.definitions:
            refs = index.references(d.name)
            title = f"{len(refs)} reference{'s' if len(refs) != 1 else ''}"
            definitions = index.definitions(d.name)
            if len(definitions) > 1:
                best = winner(definitions, self._near())
                title += " · wins" if best is d else f" · shadowed by {best.scope if best else '?'}"
            out.append(
                types.CodeLens(
                    range=convert.to_range(entry.lines, d.span, self.server.state.codec),
                    command=types.Command(title=title, command=""),
                )
            )
        return out
