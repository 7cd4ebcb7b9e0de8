"""YAML text -> a node tree with exact source spans, parsed the way Claude Code reads it.

PyYAML's libyaml composer gives nodes with line/column marks (code points). Scalars are resolved
with the YAML 1.2 core schema rather than PyYAML's YAML 1.1 rules, because Claude Code parses
frontmatter with a YAML 1.2 parser: ``yes`` stays a string and ``2025-09-02`` is not a date
object. The resolver is ours (a dozen lines) since PyYAML offers no 1.2 mode.

Aliases are shared, never expanded: a tree whose expansion would exceed a budget is flagged (the
"billion laughs" bomb), and nesting deeper than a limit is cut, so no input can hang or overflow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from ..lazyre import LazyPattern
from ..records import TYPE_CHECKING, Record
from .findings import Position, Span
from .yamlfast import compose_simple

if TYPE_CHECKING:
    from typing import Literal

    import yaml

    NodeKind = Literal["scalar", "mapping", "sequence"]

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 10_000

_INT = LazyPattern(r"[-+]?[0-9]+\Z")
_OCT = LazyPattern(r"0o[0-7]+\Z")
_HEX = LazyPattern(r"0x[0-9a-fA-F]+\Z")
_FLOAT = LazyPattern(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = LazyPattern(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = LazyPattern(r"\.(nan|NaN|NAN)\Z")
_NUMBER_FIRST = frozenset("-+.0123456789")  # how every pattern above starts
# Characters that PyYAML treats as line breaks but LSP does not; they would shift every line after.
_EXTRA_BREAKS = str.maketrans({"\x85": " ", "\u2028": " ", "\u2029": " "})


def resolve_plain(text: str) -> object:
    """YAML 1.2 core schema resolution of a plain (unquoted) scalar."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text[0] not in _NUMBER_FIRST:  # no number pattern below can match (most values)
        return text
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


class YNode:
    """A node: compared by identity (aliases share one)."""

    __slots__ = ("items", "kind", "pairs", "span", "style", "value")

    def __init__(
        self,
        kind: NodeKind,
        span: Span,
        value: object = None,  # scalars only: the resolved Python value
        style: str | None = None,  # scalars: None (plain), '"', "'", '|', '>'
    ) -> None:
        self.kind = kind
        self.span = span
        self.value = value
        self.style = style
        self.items: list[YNode] = []
        self.pairs: list[tuple[YNode, YNode]] = []

    def __repr__(self) -> str:
        return f"YNode({self.kind!r}, {self.span!r}, value={self.value!r}, style={self.style!r})"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def text(self) -> str:
        """A scalar's value as the author wrote it (after YAML unescaping)."""
        return "" if self.value is None else str(self.value)

    # A key set twice: Claude Code (its YAML parser) uses the last value, so these do too.
    def get(self, key: str) -> YNode | None:
        for k, v in reversed(self.pairs):
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> YNode | None:
        for k, _ in reversed(self.pairs):
            if k.value == key:
                return k
        return None

    def to_python(self) -> object:
        """Plain Python data (aliases already bounded by the parse)."""
        return _to_python(self, 0)


def _to_python(node: YNode, depth: int) -> object:
    if depth > MAX_DEPTH:
        return None
    if node.kind == "scalar":
        return node.value
    if node.kind == "sequence":
        return [_to_python(i, depth + 1) for i in node.items]
    out: dict[object, object] = {}
    for k, v in node.pairs:
        key = k.value if k.is_scalar else repr(k.span)
        out[key if isinstance(key, str | int | float | bool) or key is None else str(key)] = (
            _to_python(v, depth + 1)
        )
    return out


class YamlProblem(Record):
    """A YAML error, positioned in the coordinates of the whole file."""

    __slots__ = ("kind", "message", "problem", "span")

    def __init__(
        self,
        message: str,
        span: Span,
        kind: Literal["syntax", "tab", "control", "alias-bomb", "too-deep"],
        problem: str = "",
    ) -> None:
        self.message = message
        self.span = span
        self.kind = kind
        self.problem = problem


class ParsedYaml(Record):
    __slots__ = ("duplicate_keys", "problems", "root")

    def __init__(
        self,
        root: YNode | None,
        problems: list[YamlProblem],
        duplicate_keys: list[tuple[YNode, YNode]],  # (earlier key, later key)
    ) -> None:
        self.root = root
        self.problems = problems
        self.duplicate_keys = duplicate_keys


class _Builder:
    def __init__(
        self, line_offset: int, lines: list[str], columns: Mapping[int, Callable[[int], int]]
    ) -> None:
        self.line_offset = line_offset
        self.lines = lines
        self.columns = columns
        self.memo: dict[int, YNode] = {}
        self.sizes: dict[int, float] = {}
        self.duplicates: list[tuple[YNode, YNode]] = []
        self.problems: list[YamlProblem] = []
        import yaml  # once per parse, not per node (a builder exists only for PyYAML's nodes)

        self.scalar, self.sequence = yaml.ScalarNode, yaml.SequenceNode

    def position(self, mark: yaml.error.Mark) -> Position:
        column = mark.column
        moved = self.columns.get(mark.line) if self.columns else None
        if moved is not None:
            column = moved(column)
        return Position(mark.line + self.line_offset, column)

    def span(self, node: yaml.Node) -> Span:
        return Span(self.position(node.start_mark), self.position(node.end_mark))

    def expanded_size(self, node: yaml.Node) -> float:
        """How many nodes the tree has with aliases expanded; inf for a cycle."""
        stack: list[tuple[yaml.Node, bool]] = [(node, False)]
        while stack:
            current, done = stack.pop()
            key = id(current)
            if done:
                children = _children(current)
                self.sizes[key] = 1 + sum(self.sizes[id(c)] for c in children)
                continue
            if key in self.sizes:
                if self.sizes[key] < 0:  # still open: the node contains itself
                    self.sizes[key] = math.inf
                continue
            self.sizes[key] = -1
            stack.append((current, True))
            stack.extend((c, False) for c in _children(current))
        return self.sizes[id(node)]

    def build(self, node: yaml.Node, depth: int = 0) -> YNode:
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        span = self.span(node)
        if isinstance(node, self.scalar):
            style = node.style or None
            value: object = node.value if style else resolve_plain(node.value)
            if style is None and node.tag not in _IMPLICIT_TAGS:
                value = node.value  # an explicit tag such as !!str
            built = YNode("scalar", span, value=value, style=style)
            self.memo[key] = built
            return built
        if depth >= MAX_DEPTH:
            self.problems.append(
                YamlProblem(
                    f"YAML nested deeper than {MAX_DEPTH} levels; the rest is not checked.",
                    span,
                    "too-deep",
                )
            )
            built = YNode("scalar", span, value=None)
            self.memo[key] = built
            return built
        if isinstance(node, self.sequence):
            built = YNode("sequence", span)
            self.memo[key] = built
            built.items = [self.build(child, depth + 1) for child in node.value]
            return built
        built = YNode("mapping", span)
        self.memo[key] = built
        seen: dict[object, YNode] = {}
        for k, v in node.value:
            kn, vn = self.build(k, depth + 1), self.build(v, depth + 1)
            if kn.is_scalar:
                hashable = kn.value if not isinstance(kn.value, float) else repr(kn.value)
                if hashable in seen:
                    self.duplicates.append((seen[hashable], kn))
                else:
                    seen[hashable] = kn
            built.pairs.append((kn, vn))
        return built


_IMPLICIT_TAGS = frozenset(
    "tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp", "value")
)


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def parse_yaml(
    text: str,
    line_offset: int,
    lines: list[str],
    columns: Mapping[int, Callable[[int], int]] | None = None,
) -> ParsedYaml:
    """Parse one YAML document. ``lines`` are the whole file's lines (for error ranges).

    ``columns`` is for a rewritten text (Claude Code's quoting retry): per changed line of
    ``text``, its column -> the author's column, so the nodes' spans point at what was written.
    """
    safe_text = text.translate(_EXTRA_BREAKS)
    deep = _too_deep_flow(safe_text)
    if deep is not None:
        # Decided here, not by the YAML library: libyaml versions differ on where they give up.
        line, col = deep
        span = Span.of(line + line_offset, col, line + line_offset, col + 1)
        message = f"YAML nested deeper than {MAX_DEPTH} levels; the rest is not checked."
        return ParsedYaml(None, [YamlProblem(message, span, "too-deep")], [])
    if not columns:
        simple = _compose_simple(safe_text, line_offset)
        if simple is not None:
            return simple
    return _parse_with_pyyaml(safe_text, line_offset, lines, columns or {})


def _parse_with_pyyaml(
    safe_text: str, line_offset: int, lines: list[str], columns: Mapping[int, Callable[[int], int]]
) -> ParsedYaml:
    # PyYAML only now: its import is most of a `check FILE` start-up (see yamlfast.py).
    import yaml

    try:  # libyaml is ~25x faster; the pure-Python loader is a fallback for odd installs
        loader: type = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        loader = yaml.SafeLoader
    try:
        node = yaml.compose(safe_text, Loader=loader)
    except yaml.reader.ReaderError as err:
        return ParsedYaml(None, [_reader_problem(err, safe_text, line_offset)], [])
    except yaml.MarkedYAMLError as err:
        return ParsedYaml(None, [_marked_problem(err, line_offset, lines)], [])
    except (yaml.YAMLError, RecursionError, MemoryError) as err:  # pragma: no cover - defensive
        span = Span.point(line_offset, 0)
        return ParsedYaml(None, [YamlProblem(f"YAML error: {err}", span, "syntax")], [])
    if node is None:
        return ParsedYaml(None, [], [])
    builder = _Builder(line_offset, lines, columns)
    # Without an alias (`*`) nothing can expand; the text's size already bounds the tree.
    size = builder.expanded_size(node) if "*" in safe_text else 0
    if size > MAX_EXPANDED_NODES:
        what = "refer to themselves" if math.isinf(size) else f"expand to {int(size):,} nodes"
        problem = YamlProblem(
            f"YAML aliases {what}; a parser that expands them can hang or run out of memory. "
            "Write the values out instead of using anchors (&) and aliases (*).",
            builder.span(node),
            "alias-bomb",
        )
        return ParsedYaml(None, [problem], [])
    root = builder.build(node)
    return ParsedYaml(root, builder.problems, builder.duplicates)


def _compose_simple(text: str, line_offset: int) -> ParsedYaml | None:
    """The tree of a flat one-line-per-key mapping, as the libyaml path builds it, or None."""
    simple = compose_simple(text)
    if simple is None:
        return None
    entries, end_line = simple
    first = entries[0][0] + line_offset
    root = YNode("mapping", Span.of(first, 0, end_line + line_offset, 0))
    seen: dict[object, YNode] = {}
    duplicates: list[tuple[YNode, YNode]] = []
    for line, key, start, end, raw, style in entries:
        at = line + line_offset
        kn = YNode("scalar", Span.of(at, 0, at, len(key)), value=resolve_plain(key))
        value = raw if style else resolve_plain(raw)
        vn = YNode("scalar", Span.of(at, start, at, end), value=value, style=style)
        hashable = kn.value if not isinstance(kn.value, float) else repr(kn.value)
        if hashable in seen:
            duplicates.append((seen[hashable], kn))
        else:
            seen[hashable] = kn
        root.pairs.append((kn, vn))
    return ParsedYaml(root, [], duplicates)


def _too_deep_flow(text: str) -> tuple[int, int] | None:
    """Where ``[``/``{`` nesting first goes past MAX_DEPTH (line, column), outside quotes and
    comments; None when it never does. Counting first keeps the common case to two C calls."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth, line, col, quote = 0, 0, 0, ""
    prev = "\n"
    skip_to_eol = False
    for ch in text:
        if ch == "\n":
            line, col, prev, skip_to_eol = line + 1, 0, ch, False
            if depth == 0:
                quote = ""
            continue
        if skip_to_eol:
            col += 1
            continue
        if quote:
            if ch == quote:
                quote = ""
        elif ch == "#" and prev in " \t\n":
            skip_to_eol = True
        elif depth and ch in "'\"" and prev in " \t[{,:":
            quote = ch
        elif ch in "[{" and (depth or prev in " \t\n:-"):
            depth += 1
            if depth > MAX_DEPTH:
                return line, col
        elif ch in "]}" and depth:
            depth -= 1
        prev = ch
        col += 1
    return None


def _reader_problem(err: yaml.reader.ReaderError, text: str, line_offset: int) -> YamlProblem:
    # libyaml reports a byte offset into the UTF-8 encoding of the text
    prefix = text.encode("utf-8")[: max(err.position, 0)].decode("utf-8", "replace")
    line = prefix.count("\n")
    col = len(prefix) - (prefix.rfind("\n") + 1)
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or " ")
    return YamlProblem(
        f"Control character U+{code:04X} is not allowed in YAML; remove it.",
        Span.of(line + line_offset, col, line + line_offset, col + 1),
        "control",
        problem=str(err.reason),
    )


_VALUE_START = LazyPattern(r"^\s*(?:-\s+)?[^\s:#][^:]*:\s+")


def _marked_problem(err: yaml.MarkedYAMLError, line_offset: int, lines: list[str]) -> YamlProblem:
    pm = err.problem_mark
    assert pm is not None
    p_line, p_col = pm.line + line_offset, pm.column
    problem = err.problem or "invalid YAML"
    start = Position(p_line, p_col)
    cm = err.context_mark
    if cm is not None and (cm.line + line_offset, cm.column) < (p_line, p_col):
        start = Position(cm.line + line_offset, cm.column)
    elif p_line < len(lines):
        # No context: the construct that failed is the value on the problem's line.
        m = _VALUE_START.match(lines[p_line])
        if m and m.end() <= p_col:
            start = Position(p_line, m.end())
    line_len = len(lines[p_line]) if p_line < len(lines) else p_col
    end = Position(p_line, min(p_col + 1, max(line_len, p_col)))
    if end <= start and start.line == end.line:
        end = Position(p_line, start.column + 1 if start.column < line_len else start.column)
    at_tab = p_line < len(lines) and lines[p_line][p_col : p_col + 1] == "\t"
    is_tab = "tab" in problem or at_tab
    if is_tab:
        message = "A tab indents this YAML; YAML allows only spaces for indentation."
        kind: Literal["syntax", "tab"] = "tab"
    elif "mapping values are not allowed" in problem:
        message = (
            "YAML error: `: ` inside an unquoted value starts a new mapping, so strict YAML "
            "does not parse this frontmatter. Quote the whole value."
        )
        kind = "syntax"
    else:
        context = f" {err.context}" if err.context else ""
        message = f"YAML error: {problem}{context and ' (' + context.strip() + ')'}."
        kind = "syntax"
    return YamlProblem(message, Span(start, end), kind, problem=problem)
