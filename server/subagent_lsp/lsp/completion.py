"""Completion in agent files: keys, values, tools, models, and the workspace's names."""

from __future__ import annotations

import re

from lsprotocol import types

from ..definitions.assist import Completion, complete_in_workspace
from . import convert
from .feature import LanguageFeature
from .state import OpenDoc

_ITEM_KIND = {
    "key": types.CompletionItemKind.Property,
    "value": types.CompletionItemKind.EnumMember,
    "tool": types.CompletionItemKind.Function,
    "model": types.CompletionItemKind.Value,
    "snippet": types.CompletionItemKind.Snippet,
}


class Completions(LanguageFeature):
    def complete(self, params: types.CompletionParams) -> types.CompletionList | None:
        entry = self.state.entry(params.text_document.uri)
        if entry is None or entry.doc is None or entry.kind is None:
            return None
        pos = convert.from_position(entry.lines, params.position, self.state.codec)
        items = complete_in_workspace(entry.doc, entry.kind, pos, self.state.results())
        snippets = self.client.snippets()
        return types.CompletionList(
            is_incomplete=False, items=[self._item(entry, item, snippets) for item in items]
        )

    def _item(self, entry: OpenDoc, item: Completion, snippets: bool) -> types.CompletionItem:
        snippet = item.snippet and snippets
        text = item.insert_text if snippets or not item.snippet else _plain(item.insert_text)
        return types.CompletionItem(
            label=item.label,
            kind=_ITEM_KIND.get(item.kind),
            detail=item.detail,
            documentation=self.client.content("completion", item.documentation)
            if item.documentation
            else None,
            sort_text=item.sort or None,
            insert_text_format=types.InsertTextFormat.Snippet
            if snippet
            else types.InsertTextFormat.PlainText,
            text_edit=types.TextEdit(
                convert.to_range(entry.lines, item.replace, self.state.codec), text
            ),
        )


def _plain(snippet: str) -> str:
    """A snippet's text with its placeholders resolved, for clients without snippets."""
    text = re.sub(r"\$\{\d+\|([^,|]*)[^}]*\|\}", r"\1", snippet)
    text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{?\d+\}?", "", text)
