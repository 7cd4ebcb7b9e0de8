"""JSON text -> the same node tree as yamltree.py (``YNode``), with exact source spans.

Claude Code reads its JSON files (settings, ``.mcp.json``, plugin manifests, plugin hooks) with
strict ``JSON.parse``: a comment or a trailing comma makes it skip the whole file ("Invalid or
malformed JSON", measured on 2.1.332), so this reader is strict too and says where it stopped.
No library on the index keeps node positions and error positions both without a heavy parser
(tree-sitter is kept off the keystroke path), so this is a small scanner over the stdlib: the
stdlib decodes each string and number, the scanner keeps the spans. On an error the nodes read
so far stay in the tree (``partial``), so checks still run on the part that is typed.
"""

from __future__ import annotations

import bisect

from ..lazyre import LazyPattern
from ..records import Record
from .findings import Position, Span
from .yamltree import YNode

MAX_DEPTH = 128
_WS = LazyPattern(r"[ \t\r\n]*")
_STRING = LazyPattern(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_NUMBER = LazyPattern(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_WORD = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")
_BREAK = LazyPattern(r"\r\n|\r|\n")
_LITERALS: dict[str, object] = {"true": True, "false": False, "null": None}


class JsonProblem(Record):
    __slots__ = ("message", "span")

    def __init__(
        self,
        message: str,
        span: Span,
    ) -> None:
        self.message = message
        self.span = span


class ParsedJson(Record):
    __slots__ = ("duplicate_keys", "problems", "root")

    def __init__(
        self,
        root: YNode | None,
        problems: list[JsonProblem] | None = None,
        duplicate_keys: list[tuple[YNode, YNode]] | None = None,  # (earlier, later)
    ) -> None:
        self.root = root
        self.problems = [] if problems is None else problems
        self.duplicate_keys = [] if duplicate_keys is None else duplicate_keys

    @property
    def partial(self) -> bool:
        return bool(self.problems)


class _Stop(Exception):
    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]
        self.duplicates: list[tuple[YNode, YNode]] = []

    def span(self, start: int, end: int) -> Span:
        starts = self.starts
        line = bisect.bisect_right(starts, start) - 1
        first = Position(line, start - starts[line])
        if line + 1 < len(starts) and end >= starts[line + 1]:  # most spans end on their line
            line = bisect.bisect_right(starts, end, line) - 1
        return Span(first, Position(line, end - starts[line]))

    def skip(self, i: int) -> int:
        m = _WS.match(self.text, i)
        assert m is not None
        i = m.end()
        if self.text.startswith(("//", "/*"), i):
            end = self.text.find("*/", i + 2) + 2 if self.text[i + 1] == "*" else -1
            if end < 2:
                nl = _BREAK.search(self.text, i)
                end = nl.start() if nl else len(self.text)
            raise _Stop(
                "Comments are not JSON: Claude Code reads this file with a strict JSON parser "
                "and skips the whole file.",
                i,
                end,
            )
        return i

    def unexpected(self, i: int, wanted: str) -> _Stop:
        if i >= len(self.text):
            return _Stop(f"The JSON ends here; expected {wanted}.", i, i)
        word = _WORD.match(self.text, i)
        end = word.end() if word else i + 1
        return _Stop(f"Expected {wanted}, found `{self.text[i:end]}`.", i, end)

    def value(self, i: int, depth: int, slot: list[YNode]) -> int:
        """Reads the value at ``i`` (after blanks) into ``slot``; returns the index after it."""
        if depth > MAX_DEPTH:
            raise _Stop(f"Nested deeper than {MAX_DEPTH} levels.", i, i + 1)
        text = self.text
        c = text[i : i + 1]
        if c == "{":
            return self.obj(i, depth, slot)
        if c == "[":
            return self.arr(i, depth, slot)
        if c == '"':
            node, end = self.string(i)
            slot.append(node)
            return end
        m = _NUMBER.match(text, i)
        if m and m.end() > i:
            raw = m.group()
            number: object = float(raw) if any(ch in raw for ch in ".eE") else int(raw)
            slot.append(YNode("scalar", self.span(i, m.end()), number))
            return m.end()
        word = _WORD.match(text, i)
        if word and word.group() in _LITERALS:
            slot.append(YNode("scalar", self.span(i, word.end()), _LITERALS[word.group()]))
            return word.end()
        if c == "'":
            raise _Stop("JSON strings take double quotes, not single quotes.", i, i + 1)
        raise self.unexpected(i, "a value")

    def string(self, i: int) -> tuple[YNode, int]:
        m = _STRING.match(self.text, i)
        if m is None:
            nl = _BREAK.search(self.text, i)
            end = nl.start() if nl else len(self.text)
            close = self.text.find('"', i + 1, end)
            if close != -1:
                raise _Stop("Invalid escape or control character in this string.", i, close + 1)
            raise _Stop("This string is never closed on its line.", i, end)
        raw = m.group()
        value = _unescape(raw) if "\\" in raw else raw[1:-1]  # the stdlib only for escapes
        return YNode("scalar", self.span(i, m.end()), value, style='"'), m.end()

    def obj(self, start: int, depth: int, slot: list[YNode]) -> int:
        node = YNode("mapping", self.span(start, len(self.text)))
        slot.append(node)
        seen: dict[str, YNode] = {}
        i = self.skip(start + 1)
        if self.text.startswith("}", i):
            node.span = self.span(start, i + 1)
            return i + 1
        while True:
            if not self.text.startswith('"', i):
                raise self.unexpected(i, "a key in double quotes")
            key, i = self.string(i)
            i = self.skip(i)
            if not self.text.startswith(":", i):
                raise self.unexpected(i, "`:` after the key")
            value: list[YNode] = []
            i = self.skip(i + 1)
            try:
                i = self.value(i, depth + 1, value)
            finally:
                placeholder = value[0] if value else YNode("scalar", self.span(i, i))
                node.pairs.append((key, placeholder))
                if isinstance(key.value, str):
                    if key.value in seen:
                        self.duplicates.append((seen[key.value], key))
                    seen[key.value] = key
            i = self.skip(i)
            if self.text.startswith(",", i):
                comma = i
                i = self.skip(i + 1)
                if self.text.startswith("}", i):
                    raise _Stop(
                        "Trailing comma: JSON allows none, and Claude Code skips the whole file.",
                        comma,
                        comma + 1,
                    )
                continue
            if self.text.startswith("}", i):
                node.span = self.span(start, i + 1)
                return i + 1
            raise self.unexpected(i, "`,` or `}`")

    def arr(self, start: int, depth: int, slot: list[YNode]) -> int:
        node = YNode("sequence", self.span(start, len(self.text)))
        slot.append(node)
        i = self.skip(start + 1)
        if self.text.startswith("]", i):
            node.span = self.span(start, i + 1)
            return i + 1
        while True:
            i = self.value(i, depth + 1, node.items)
            i = self.skip(i)
            if self.text.startswith(",", i):
                comma = i
                i = self.skip(i + 1)
                if self.text.startswith("]", i):
                    raise _Stop(
                        "Trailing comma: JSON allows none, and Claude Code skips the whole file.",
                        comma,
                        comma + 1,
                    )
                continue
            if self.text.startswith("]", i):
                node.span = self.span(start, i + 1)
                return i + 1
            raise self.unexpected(i, "`,` or `]`")


def parse_json(text: str) -> ParsedJson:
    """Never raises: bad input gives problems (the first error, where it is) and the nodes read
    before it."""
    reader = _Reader(text)
    slot: list[YNode] = []
    problems: list[JsonProblem] = []
    try:
        i = reader.skip(1 if text.startswith("\ufeff") else 0)
        if i >= len(text):  # Claude Code reads an empty file as no settings (2.1.332)
            return ParsedJson(None)
        i = reader.skip(reader.value(i, 0, slot))
        if i < len(text):
            raise _Stop("Text after the end of the JSON value.", i, len(text.rstrip()))
    except _Stop as stop:
        end = max(stop.end, stop.start)
        problems.append(JsonProblem(stop.message, reader.span(stop.start, end)))
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps well below the limit
        problems.append(JsonProblem("Nested too deeply to read.", reader.span(0, 0)))
    return ParsedJson(slot[0] if slot else None, problems, reader.duplicates)


def _unescape(raw: str) -> str:
    import json  # only for a string with escapes: `check` start-up does without it

    value: str = json.loads(raw)
    return value
