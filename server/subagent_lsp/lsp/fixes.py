"""Quick fixes and "fix all" for agent files; each edit bound to the document's version."""

from __future__ import annotations

from lsprotocol import types

from ..definitions.fixes import fix_all, fixes_on_lines
from . import convert
from .edits import EditBuilder
from .feature import LanguageFeature, wants

FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.subagent-lsp"


class DefinitionFixes(LanguageFeature):
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        state = self.state
        entry = state.entry(params.text_document.uri)
        if entry is None:
            return None
        only = [str(k) for k in params.context.only or []]
        findings = state.findings_for(entry)
        actions: list[types.CodeAction] = []
        if wants(only, types.CodeActionKind.QuickFix.value):
            lo = convert.from_position(entry.lines, params.range.start, state.codec)
            hi = convert.from_position(entry.lines, params.range.end, state.codec)
            diagnostics: dict[int, types.Diagnostic] = {}
            for finding, fix in fixes_on_lines(findings, lo.line, hi.line):
                diagnostic = diagnostics.setdefault(
                    id(finding),
                    convert.to_diagnostic(finding, entry.lines, state.codec, state.lines_for),
                )
                actions.append(
                    types.CodeAction(
                        title=fix.title,
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=fix.safe,
                        edit=EditBuilder(state, pinned=entry).fix(entry.path, fix).build(),
                    )
                )
        if wants(only, FIX_ALL, types.CodeActionKind.SourceFixAll.value):
            merged = fix_all(findings)
            if merged is not None:
                actions.append(
                    types.CodeAction(
                        title=merged.title,
                        kind=FIX_ALL,
                        edit=EditBuilder(state, pinned=entry).fix(entry.path, merged).build(),
                    )
                )
        return actions
