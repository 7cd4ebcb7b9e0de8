"""Claude Code's second reading of frontmatter that strict YAML rejects: its quoting retry.

Claude Code parses frontmatter strictly first. When that fails it rewrites the text and parses
once more (measured on 2.1.332): every ``key: value`` line that starts at column 0 and whose value
holds ``: `` or one of ``{}[]*&#!|>%@` `` gets its value wrapped in double quotes (unless the value
is already quoted), and leading tabs become spaces. Only when that parse fails too is the
frontmatter lost. So ``description: Use when: x``, ``tools: *`` and tab-indented keys load.

Claude Code's key line is a JavaScript regular expression whose ``.`` does not match a carriage
return, so a line ending in CRLF is never quoted: in a file with Windows line endings the retry
only fixes tabs (measured: such a file with an unquoted ``: `` is skipped).

We rewrite the same way, line for line, and remember where every rewritten column came from, so a
tree parsed from the rewrite still points at the text the author wrote.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

# The characters that make Claude Code quote a value, as its frontmatter parser lists them.
_SPECIAL = re.compile(r"[{}\[\]*&#!|>%@`]|: ")
# Claude Code's key line: a key of letters, `_` and `-` at column 0 (`x2: a: b` is not one), then
# `:` and whitespace. Its JavaScript `.` stops at CR, LS and PS, so a value holding one is never
# quoted.
_KEY_LINE = re.compile(r"([a-zA-Z_-]+):\s+([^\r\n\u2028\u2029]+)\Z")
TAB_WIDTH = 2  # spaces per leading tab (any width of 2 or more reads nested tabs the same way)


@dataclass(frozen=True)
class Rewrite:
    """The retried text and, per rewritten line (index within the text), the original column of
    each rewritten column (one entry more than the line is long, for end positions)."""

    text: str
    columns: dict[int, tuple[int, ...]]  # empty: nothing rewritten, the retry fails likewise
    quoted: frozenset[int]
    detabbed: frozenset[int]
    kept_for_cr: frozenset[int]  # lines it would quote but for their CR ending


def needs_quotes(value: str) -> bool:
    """Whether Claude Code's retry would quote this (unquoted) value."""
    return _SPECIAL.search(value) is not None


def rewrite(lines: Sequence[str], cr_lines: Collection[int] = ()) -> Rewrite:
    """Claude Code's retry applied to the frontmatter's lines (``cr_lines``: the indexes of the
    lines that end in CR)."""
    out: list[str] = []
    columns: dict[int, tuple[int, ...]] = {}
    quoted: set[int] = set()
    detabbed: set[int] = set()
    kept: set[int] = set()
    for index, line in enumerate(lines):
        tabs = len(line) - len(line.lstrip("\t"))
        if tabs:
            new = " " * (TAB_WIDTH * tabs) + line[tabs:]
            columns[index] = tuple(
                c // TAB_WIDTH if c < TAB_WIDTH * tabs else c - (TAB_WIDTH - 1) * tabs
                for c in range(len(new) + 1)
            )
            detabbed.add(index)
            out.append(new)
            continue
        quoted_line = _quote(line)
        if quoted_line is None or index in cr_lines:
            if quoted_line is not None:
                kept.add(index)
            out.append(line)
            continue
        new, cols = quoted_line
        columns[index] = cols
        quoted.add(index)
        out.append(new)
    return Rewrite("\n".join(out), columns, frozenset(quoted), frozenset(detabbed), frozenset(kept))


def _quote(line: str) -> tuple[str, tuple[int, ...]] | None:
    m = _KEY_LINE.match(line)
    if m is None:
        return None
    key, value = m.group(1), m.group(2)
    if len(value) > 0 and value[0] in "\"'" and value.endswith(value[0]):
        return None
    if not needs_quotes(value):
        return None
    head = f'{key}: "'
    cols = list(range(len(key) + 2))  # the key, `:` and one space keep their columns
    start = m.start(2)
    cols.append(start)  # the opening quote stands where the value starts
    parts = [head]
    for i, ch in enumerate(value):
        escaped = "\\" + ch if ch in '\\"' else ch
        parts.append(escaped)
        cols.extend([start + i] * len(escaped))
    parts.append('"')
    end = m.end(2)
    cols.append(max(end - 1, start))  # the closing quote: the value's last character
    cols.append(end)  # just past the closing quote: just past the value
    return "".join(parts), tuple(cols)
