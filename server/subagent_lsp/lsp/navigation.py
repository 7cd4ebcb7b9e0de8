"""Symbols, definition, references, rename and code lenses for agent and skill names."""

from __future__ import annotations

from lsprotocol import types

from ..definitions.config_navigation import definitions_at
from ..definitions.findings import Span
from ..definitions.navigation import (
    Definition,
    NameIndex,
    Reference,
    Symbol,
    document_symbols,
    file_target,
)
from ..definitions.spec import Kind
from ..definitions.usage import (
    definitions_of,
    lens_titles,
    matching,
    references_of,
    rename_plan,
    rename_range,
)
from . import convert
from .edits import EditBuilder
from .feature import LanguageFeature
from .state import OpenDoc

_SYMBOL_KIND = {
    Kind.SUBAGENT: types.SymbolKind.Class,
    Kind.SKILL: types.SymbolKind.Function,
    Kind.COMMAND: types.SymbolKind.Event,
}


class Navigation(LanguageFeature):
    def symbols(self, entry: OpenDoc) -> list[types.DocumentSymbol]:
        if entry.doc is None:
            return []
        codec = self.state.codec

        def to_symbol(symbol: Symbol) -> types.DocumentSymbol:
            return types.DocumentSymbol(
                name=symbol.name,
                kind=types.SymbolKind.Property if symbol.kind == "key" else types.SymbolKind.String,
                range=convert.to_range(entry.lines, symbol.span, codec),
                selection_range=convert.to_range(entry.lines, symbol.selection, codec),
                children=[to_symbol(c) for c in symbol.children] or None,
            )

        return [to_symbol(s) for s in document_symbols(entry.doc)]

    def workspace_symbols(self, query: str) -> list[types.WorkspaceSymbol]:
        return [
            types.WorkspaceSymbol(
                name=d.name,
                kind=_SYMBOL_KIND.get(d.kind, types.SymbolKind.Object),
                location=self._location(d.path, d.span),
                container_name=f"{d.kind.value} ({d.scope})",
            )
            for d in matching(self.state.name_index(), query)
        ]

    def definition(self, entry: OpenDoc, pos: types.Position) -> list[types.Location] | None:
        target = self._file_at(entry, pos)
        if target is not None:
            return [target]
        index, found = self._target(entry, pos)
        if found is None:
            return self._mcp_server(entry, pos)
        places = definitions_of(index, found, self.state.near())
        return [self._location(d.path, d.span) for d in places] or None

    def file_definition(self, uri: str, pos: types.Position) -> list[types.Location] | None:
        """Go to definition in a file of no agent kind (a plugin manifest's paths)."""
        entry = self.state.open.get(uri)
        if entry is None:
            return None
        target = self._file_at(entry, pos)
        return [target] if target is not None else None

    def _file_at(self, entry: OpenDoc, pos: types.Position) -> types.Location | None:
        at = convert.from_position(entry.lines, pos, self.state.codec)
        path = file_target(entry.path, entry.lines, entry.doc, at)
        return self._location(path, Span.point(0, 0)) if path is not None else None

    def references(
        self, entry: OpenDoc, pos: types.Position, declaration: bool
    ) -> list[types.Location] | None:
        index, found = self._target(entry, pos)
        if found is None:
            return None
        return [self._location(p, s) for p, s in references_of(index, found, declaration)]

    def prepare_rename(
        self, entry: OpenDoc, pos: types.Position
    ) -> types.PrepareRenamePlaceholder | None:
        _, found = self._target(entry, pos)
        span = rename_range(found) if found is not None else None
        if found is None or span is None:
            return None
        return types.PrepareRenamePlaceholder(
            range=convert.to_range(entry.lines, span, self.state.codec), placeholder=found.name
        )

    def rename(
        self, entry: OpenDoc, pos: types.Position, new_name: str
    ) -> types.WorkspaceEdit | None:
        index, found = self._target(entry, pos)
        plan = rename_plan(index, found, new_name) if found is not None else None
        if plan is None:
            return None
        edits = EditBuilder(self.state)
        for path, span in plan.edits:
            edits.replace(path, span, plan.new_name)
        if self.client.renames_files():
            for old, new in plan.moves:
                edits.rename(old, new)
        return edits.build()

    def code_lenses(self, entry: OpenDoc) -> list[types.CodeLens]:
        if entry.kind is None or entry.kind.kind is not Kind.SUBAGENT:
            return []
        titles = lens_titles(self.state.name_index(), entry.path, self.state.near())
        return [
            types.CodeLens(
                range=convert.to_range(entry.lines, span, self.state.codec),
                command=types.Command(title=title, command=""),
            )
            for span, title in titles
        ]

    def _mcp_server(self, entry: OpenDoc, pos: types.Position) -> list[types.Location] | None:
        """`mcp__server__tool` -> the server's entry in `.mcp.json`; a plugin manifest's path ->
        the file."""
        at = convert.from_position(entry.lines, pos, self.state.codec)
        manifest = entry.doc if entry.kind and entry.kind.kind is Kind.PLUGIN_MANIFEST else None
        roots = self.state.roots()
        places = definitions_at(entry.path, entry.lines, at.line, at.column, roots, manifest)
        return [self._location(path, span) for path, span in places] or None

    def _target(
        self, entry: OpenDoc, pos: types.Position
    ) -> tuple[NameIndex, Definition | Reference | None]:
        index = self.state.name_index()
        at = convert.from_position(entry.lines, pos, self.state.codec)
        return index, index.at(entry.path, at)

    def _location(self, path: str, span: Span) -> types.Location:
        lines = self.state.lines_for(path) or []
        return types.Location(convert.uri_of(path), convert.to_range(lines, span, self.state.codec))
