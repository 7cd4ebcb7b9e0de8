"""Claude Code's second reading of frontmatter that strict YAML rejects: its quoting retry.

Claude Code parses frontmatter strictly first. When that fails it rewrites the text and parses
once more (measured on 2.1.332): every ``key: value`` line that starts at column 0 and whose value
holds ``: `` or one of ``{}[]*&#!|>%@` `` gets its value wrapped in double quotes (unless the value
is already quoted, or is a whole flow list such as ``[Read, Edit]``), and leading tabs become
spaces. Only when that parse fails too is the frontmatter lost. So ``description: Use when: x``,
``tools: *`` and tab-indented keys load.

Claude Code's key line is a JavaScript regular expression whose ``.`` does not match a carriage
return, so a line ending in CRLF is never quoted: in a file with Windows line endings the retry
only fixes tabs (measured: such a file with an unquoted ``: `` is skipped).

We rewrite the same way, line for line, and remember where every rewritten column came from, so a
tree parsed from the rewrite still points at the text the author wrote.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence

from ..lazyre import LazyPattern
from ..records import Record

# The characters that make Claude Code quote a value, as its frontmatter parser lists them.
_SPECIAL = LazyPattern(r"[{}\[\]*&#!|>%@`]|: ")
# Claude Code's key line: a key of letters, `_` and `-` at column 0 (`x2: a: b` is not one), then
# `:` and whitespace. Its JavaScript `.` stops at CR, LS and PS, so a value holding one is never
# quoted.
_KEY_LINE = LazyPattern(r"([a-zA-Z_-]+):\s+([^\r\n\u2028\u2029]+)\Z")
TAB_WIDTH = 2  # spaces per leading tab (any width of 2 or more reads nested tabs the same way)


class ColumnMap:
    """A rewritten line's column -> the author's column, as a few linear pieces (a line's quotes
    and escapes, or its tabs), so that a 1,000-character description costs no per-column table.
    ``pieces``: (first rewritten column, its original column, 1 to follow along or 0 to stay)."""

    __slots__ = ("_origins", "_slopes", "_starts")

    def __init__(self, pieces: Sequence[tuple[int, int, int]]) -> None:
        self._starts = [p[0] for p in pieces]
        self._origins = [p[1] for p in pieces]
        self._slopes = [p[2] for p in pieces]

    def __call__(self, column: int) -> int:
        i = max(bisect_right(self._starts, column) - 1, 0)
        return self._origins[i] + self._slopes[i] * (column - self._starts[i])


class Rewrite(Record):
    """The retried text and, per rewritten line (index within the text), where its columns came
    from."""

    __slots__ = ("columns", "detabbed", "kept_for_cr", "quoted", "text")

    def __init__(
        self,
        text: str,
        columns: dict[int, ColumnMap],  # empty: nothing rewritten, the retry fails likewise
        quoted: frozenset[int],
        detabbed: frozenset[int],
        kept_for_cr: frozenset[int],  # lines it would quote but for their CR ending
    ) -> None:
        self.text = text
        self.columns = columns
        self.quoted = quoted
        self.detabbed = detabbed
        self.kept_for_cr = kept_for_cr


def needs_quotes(value: str) -> bool:
    """Whether Claude Code's retry would quote this (unquoted) value."""
    return _SPECIAL.search(value) is not None and not is_flow_sequence(value)


def is_flow_sequence(value: str) -> bool:
    """A whole value that is a YAML flow list (``[Read, Edit]``): the retry leaves it as it is,
    so ``tools: [Read, Edit]`` stays a list (measured on 2.1.332). Text after the ``]``
    (``[Read] and [Edit]``, ``[Read, Edit] # the usual``) or a list that does not parse gets
    quoted like any other value; a flow mapping (``{Read: yes}``) is quoted too."""
    if not (value.startswith("[") and value.rstrip().endswith("]")):
        return False
    import yaml  # already loaded: the strict parse that failed before the retry used it

    try:
        return isinstance(yaml.safe_load(value), list)
    except yaml.YAMLError:
        return False


def rewrite(lines: Sequence[str], cr_lines: Collection[int] = ()) -> Rewrite:
    """Claude Code's retry applied to the frontmatter's lines (``cr_lines``: the indexes of the
    lines that end in CR)."""
    out: list[str] = []
    columns: dict[int, ColumnMap] = {}
    quoted: set[int] = set()
    detabbed: set[int] = set()
    kept: set[int] = set()
    for index, line in enumerate(lines):
        tabs = len(line) - len(line.lstrip("\t"))
        if tabs:
            pieces = [(TAB_WIDTH * t, t, 0) for t in range(tabs)]  # each tab's spaces: the tab
            pieces.append((TAB_WIDTH * tabs, tabs, 1))
            columns[index] = ColumnMap(pieces)
            detabbed.add(index)
            out.append(" " * (TAB_WIDTH * tabs) + line[tabs:])
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


_ESCAPED = LazyPattern(r'["\\]')


def _quote(line: str) -> tuple[str, ColumnMap] | None:
    m = _KEY_LINE.match(line)
    if m is None:
        return None
    key, value = m.group(1), m.group(2)
    if value[0] in "\"'" and value.endswith(value[0]):
        return None
    if not needs_quotes(value):
        return None
    start, end = m.start(2), m.end(2)
    # The key, `:` and one space keep their columns; the opening quote stands where the value
    # starts; each escaped character's two columns both map to it.
    head = len(key) + 2
    pieces = [(0, 0, 1), (head, start, 0), (head + 1, start, 1)]
    shift = head + 1 - start
    for found in _ESCAPED.finditer(value, 0):
        at = start + found.start()
        pieces.append((at + shift, at, 0))
        shift += 1
        pieces.append((at + shift + 1, at + 1, 1))
    close = end + shift
    pieces.append((close, max(end - 1, start), 0))  # the closing quote: the last character
    pieces.append((close + 1, end, 0))  # past the closing quote: past the value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}: "{escaped}"', ColumnMap(pieces)
