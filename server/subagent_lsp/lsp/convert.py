"""Domain values -> LSP types. Positions are converted here, once, with pygls's codec."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec

from ..definitions.findings import Finding, Position, Severity, Span
from ..definitions.rules import RULES
from ..registry import DECLARED, DEPRECATED, UNNECESSARY, Rule

LinesFor = Callable[[str], Sequence[str] | None]

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}
_TAGS = {UNNECESSARY: types.DiagnosticTag.Unnecessary, DEPRECATED: types.DiagnosticTag.Deprecated}
SOURCE = "subagent-lsp"


def diagnostic_tags(rule: Rule | None) -> list[types.DiagnosticTag] | None:
    """The LSP tags of a rule's diagnostics, from the rule's own tags (None: no tag)."""
    if rule is None:
        return None
    tags = [tag for name, tag in _TAGS.items() if name in rule.tags]
    return tags or None


def tags_of(code: str) -> list[types.DiagnosticTag] | None:
    """``diagnostic_tags`` by code, for any family (AGT or BKD)."""
    return diagnostic_tags(DECLARED.get(code))


def units(text: str, codec: PositionCodec) -> int:
    """Length of ``text`` in the client's position units (pygls counts char by char in Python;
    encoding once is ~50x faster on the long lines descriptions live on)."""
    if text.isascii():
        return len(text)
    encoding = codec.encoding
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_position(lines: Sequence[str], pos: Position, codec: PositionCodec) -> types.Position:
    if pos.line >= len(lines):
        last = max(len(lines) - 1, 0)
        text = lines[last] if lines else ""
        return types.Position(last, units(text, codec))
    text = lines[pos.line]
    return types.Position(pos.line, units(text[: pos.column], codec))


def to_range(lines: Sequence[str], span: Span, codec: PositionCodec) -> types.Range:
    return types.Range(to_position(lines, span.start, codec), to_position(lines, span.end, codec))


def from_position(lines: Sequence[str], pos: types.Position, codec: PositionCodec) -> Position:
    if pos.line >= len(lines):
        return Position(max(len(lines) - 1, 0), len(lines[-1]) if lines else 0)
    text = lines[pos.line]
    if text.isascii():
        return Position(pos.line, min(pos.character, len(text)))
    count = 0
    for column, char in enumerate(text):
        if count >= pos.character:
            return Position(pos.line, column)
        count += units(char, codec)
    return Position(pos.line, len(text))


def uri_of(path: str) -> str:
    return from_fs_path(path) or path


def to_diagnostic(
    finding: Finding, lines: Sequence[str], codec: PositionCodec, lines_for: LinesFor
) -> types.Diagnostic:
    rule = RULES[finding.code]
    related = []
    for rel in finding.related:
        other = lines_for(rel.path)
        rng = (
            to_range(other, rel.span, codec)
            if other is not None
            else types.Range(
                types.Position(rel.span.start.line, rel.span.start.column),
                types.Position(rel.span.end.line, rel.span.end.column),
            )
        )
        related.append(
            types.DiagnosticRelatedInformation(types.Location(uri_of(rel.path), rng), rel.message)
        )
    return types.Diagnostic(
        range=to_range(lines, finding.span, codec),
        message=finding.message,
        severity=_SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule.url),
        source=SOURCE,
        related_information=related or None,
        tags=diagnostic_tags(rule),
    )
