"""Text edits that repair findings, shared by the CLI (``--fix``) and the language server."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..lazyre import LazyPattern
from .document import TOP_KEY, Document, split_lines, top_level_blocks
from .findings import Finding, Fix, Position, Span, TextEdit
from .yamltree import parse_yaml

_KEY_VALUE = LazyPattern(TOP_KEY + r"[ \t]+")  # a top-level key with a value on its line


def replace(span: Span, text: str, title: str, safe: bool = True) -> Fix:
    return Fix(title, (TextEdit(span, text),), safe)


def insert_line(doc: Document, line: int, text: str, title: str, safe: bool = False) -> Fix:
    """Insert ``text`` as a whole new line before ``line`` (keeping the file's line ending)."""
    return Fix(title, (TextEdit(Span.point(line, 0), text + _eol(doc)),), safe)


def delete_lines(start: int, stop: int, title: str, safe: bool = False) -> Fix:
    return Fix(title, (TextEdit(Span.of(start, 0, stop, 0), ""),), safe)


def _eol(doc: Document) -> str:
    return "\r\n" if "\r\n" in doc.text[:2000] else "\n"


def quote_value_fix(doc: Document, problem_line: int, keep_hash: bool = False) -> Fix | None:
    """Quote the plain scalar of the top-level entry holding ``problem_line``.

    Offered only when the quoted entry then parses to exactly the text the author wrote; a value
    with `` #`` (which YAML would have read as a comment) is offered but not marked safe, unless
    ``keep_hash`` says the ` #` is part of the value as Claude Code reads it (its quoting retry).
    """
    fm = doc.frontmatter
    if fm is None:
        return None
    end = doc.body_start_line - 1 if fm.close_span is not None else doc.body_start_line
    for start, stop in top_level_blocks(doc.lines, fm.first_line, end):
        if start <= problem_line < stop:
            return _quote_block(doc, start, stop, keep_hash)
    return None


def _quote_block(doc: Document, start: int, stop: int, keep_hash: bool) -> Fix | None:
    first = doc.lines[start]
    m = _KEY_VALUE.match(first)
    if not m or first[m.end() :].startswith(("'", '"', "|", ">")):
        return None
    parts = [first[m.end() :].strip()]
    last = start
    for i in range(start + 1, stop):
        line = doc.lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[:1].isspace():
            return None
        parts.append(line.strip())
        last = i
    value = " ".join(p for p in parts if p)
    if not value:
        return None
    import json  # only for a fix: a clean file never needs it

    quoted = json.dumps(value, ensure_ascii=False)
    key = m.group(1)
    check = parse_yaml(f"{key}: {quoted}", 0, [])
    if check.root is None or check.problems:
        return None
    parsed = check.root.pairs[0][1] if check.root.pairs else None
    if parsed is None or parsed.value != value:
        return None
    span = Span(Position(start, m.end()), Position(last, len(doc.lines[last])))
    safe = keep_hash or " #" not in value
    return replace(span, quoted, f"Quote the value of `{key.strip(chr(39) + chr(34))}`", safe)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits (positions in code points); later edits first."""
    lines = split_lines(text)
    breaks = _line_breaks(text)
    offsets = [0]
    for line, brk in zip(lines, breaks, strict=False):
        offsets.append(offsets[-1] + len(line) + len(brk))

    def offset(pos: Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return offsets[pos.line] + min(pos.column, len(lines[pos.line]))

    out = text
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end), reverse=True)
    previous_start: int | None = None
    for edit in ordered:
        a, b = offset(edit.span.start), offset(edit.span.end)
        if previous_start is not None and b > previous_start:
            continue  # overlapping edit: skip rather than corrupt the text
        out = out[:a] + edit.new_text + out[b:]
        previous_start = a
    return out


def _line_breaks(text: str) -> list[str]:
    found = re.findall(r"\r\n|\r|\n", text)
    return [*found, ""]


def spans_overlap(a: Span, b: Span) -> bool:
    """Two edits that cannot both apply: their ranges overlap, or both insert at one point."""
    return not (a.end <= b.start or b.end <= a.start) or a.start == b.start


def select_safe_fixes(findings: Iterable[Finding]) -> list[Fix]:
    """One safe fix per finding, skipping any that overlaps one already chosen."""
    chosen: list[Fix] = []
    taken: list[Span] = []
    for finding in findings:
        for fix in finding.fixes:
            spans = [e.span for e in fix.edits]
            if fix.safe and not any(spans_overlap(a, b) for a in spans for b in taken):
                taken.extend(spans)
                chosen.append(fix)
                break
    return chosen


FIX_ALL_TITLE = "Fix all safe subagent-lsp problems"


def fixes_on_lines(findings: Iterable[Finding], first: int, last: int) -> list[tuple[Finding, Fix]]:
    """The quick fixes offered for lines ``first``..``last``: every fix of every finding whose
    range touches them, each with its finding."""
    return [
        (f, fix)
        for f in findings
        if f.span.end.line >= first and f.span.start.line <= last
        for fix in f.fixes
    ]


def fix_all(findings: Iterable[Finding]) -> Fix | None:
    """The safe fixes that apply together, as one fix; None when there is none."""
    chosen = select_safe_fixes(findings)
    if not chosen:
        return None
    return Fix(FIX_ALL_TITLE, tuple(e for x in chosen for e in x.edits))
