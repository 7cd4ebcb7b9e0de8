"""Hover on agent files: the key, tool or model under the cursor, and for an agent's name where
it is used and which definition wins."""

from __future__ import annotations

from lsprotocol import types

from ..definitions import assist
from ..definitions.usage import name_summary
from . import convert
from .feature import LanguageFeature


class DefinitionHover(LanguageFeature):
    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        state = self.state
        entry = state.entry(uri)
        if entry is None or entry.doc is None or entry.kind is None:
            return None
        pos = convert.from_position(entry.lines, position, state.codec)
        info = assist.hover(entry.doc, entry.kind, pos, state.findings_for(entry))
        usage = name_summary(state.name_index(), entry.path, pos, state.near())
        if info is None and usage is None:
            return None
        text = "\n\n---\n\n".join(t for t in (usage, info.markdown if info else None) if t)
        return types.Hover(
            contents=self.client.content("hover", text),
            range=convert.to_range(entry.lines, info.span, state.codec) if info else None,
        )
