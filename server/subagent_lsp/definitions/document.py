"""Text of an agent definition file -> Document: frontmatter fences, YAML tree, body.

The frontmatter is read the way Claude Code reads it: a ``---`` line first, then the YAML up to the
next ``---`` wherever it stands (a ``-----`` line, ``--- end`` and a ``---`` inside a value all
close it: Claude Code looks for the three dashes, not for a line). YAML that does not parse
strictly gets Claude Code's second reading (yamlretry.py): when that parses, the document holds
what Claude Code loads, and the strict problems are kept to be reported as portability warnings.
When even the retry fails, each top-level entry is parsed on its own so the entries that do parse
are still checked while the user types; the keys of broken entries are remembered so "missing
key" checks do not fire for a key that is only half-typed.
"""

from __future__ import annotations

from ..lazyre import LazyPattern
from ..records import TYPE_CHECKING
from .findings import Position, Span
from .jsontree import parse_json
from .yamltree import ParsedYaml, YamlProblem, YNode, parse_yaml

if TYPE_CHECKING:
    from typing import Literal

MAX_TEXT_CHARS = 1_000_000
_LINE_BREAK = LazyPattern(r"\r\n|\r|\n")
_FENCE = LazyPattern(r"---[ \t]*\Z")
# A top-level key at the start of a line and its colon, as YAML reads one: plain (not starting
# with a blank, ``#``, ``:``, ``-`` or a quote) or quoted; group 1 is the key as written. The
# one definition for every line-level reader (fence recovery, quick fixes, classification by
# content, completion), which never need a YAML parse.
TOP_KEY = r"""([^\s#:\-'"][^:]*?|'[^']*'|"[^"]*")[ \t]*:"""
_TOP_KEY = LazyPattern(
    TOP_KEY + r"(?:[ \t]|\Z)"
)  # an entry: the colon ends the line or a blank follows
_DASHES = LazyPattern(r"-+")


def split_lines(text: str) -> list[str]:
    """Lines as LSP counts them: only CR, LF and CRLF end a line."""
    if "\r" not in text:
        return text.split("\n")
    return _LINE_BREAK.split(text)


def span_text(lines: list[str], span: Span) -> str:
    """The text a span covers, its lines joined with LF."""
    if span.start.line == span.end.line:
        return lines[span.start.line][span.start.column : span.end.column]
    parts = [lines[span.start.line][span.start.column :]]
    parts.extend(lines[span.start.line + 1 : span.end.line])
    parts.append(lines[span.end.line][: span.end.column])
    return "\n".join(parts)


class Frontmatter:
    __slots__ = ("close_span", "first_line", "open_span", "yaml_lines", "yaml_text")

    def __init__(
        self,
        open_span: Span,
        close_span: Span | None,  # None: never closed
        yaml_text: str,
        first_line: int,  # file line of the first YAML line
        # The YAML's lines; the last is cut short when a `---` inside a line closed it.
        yaml_lines: list[str],
    ) -> None:
        self.open_span = open_span
        self.close_span = close_span
        self.yaml_text = yaml_text
        self.first_line = first_line
        self.yaml_lines = yaml_lines

    @property
    def closed_mid_line(self) -> bool:
        return self.close_span is not None and self.close_span.start.column > 0


class Document:
    def __init__(self, path: str, text: str, lines: list[str], too_large: bool = False) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.too_large = too_large
        self.frontmatter: Frontmatter | None = None
        self.root: YNode | None = None
        self.problems: list[YamlProblem] = []
        self.duplicate_keys: list[tuple[YNode, YNode]] = []
        self.broken_keys: dict[str, Span] = {}
        self.body_start_line = 0
        # Frontmatter that does not open on the first line (indented, or after blank lines)
        self.misplaced_fence: Span | None = None
        # Claude Code's quoting retry: "" when the strict parse succeeds (or there is no YAML),
        # "rescued" when only the retry parses (``problems`` are then the strict parse's, which
        # other YAML readers still hit), "failed" when neither parses.
        self.yaml_retry: Literal["", "rescued", "failed"] = ""
        # The retry would have quoted a value but for the line's CRLF ending (Windows endings).
        self.crlf_kept = False

    def __repr__(self) -> str:
        return f"Document({self.path!r})"

    @property
    def rescued(self) -> bool:
        return self.yaml_retry == "rescued"

    @property
    def partial(self) -> bool:
        return bool(self.problems)

    @property
    def body(self) -> str:
        return "\n".join(self.lines[self.body_start_line :])

    @property
    def mapping(self) -> YNode | None:
        return self.root if self.root is not None and self.root.kind == "mapping" else None

    def get(self, key: str) -> YNode | None:
        m = self.mapping
        return m.get(key) if m is not None else None

    def has_key(self, key: str) -> bool:
        m = self.mapping
        return (m is not None and m.key_node(key) is not None) or key in self.broken_keys

    def line_span(self, line: int) -> Span:
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        return Span.of(line, 0, line, len(text))

    def text_of(self, span: Span) -> str:
        return span_text(self.lines, span)


def parse_document(path: str, text: str) -> Document:
    if len(text) > MAX_TEXT_CHARS:
        lines = split_lines(text[:1000])
        return Document(path, text[:0], lines[:1], too_large=True)
    lines = split_lines(text)
    doc = Document(path, text, lines)
    if path.lower().endswith(".json"):
        return _parse_json(doc)
    first = lines[0].lstrip("\ufeff") if lines else ""
    if not _FENCE.match(first):
        _detect_misplaced_fence(doc)
        return doc
    # The first `---` after the opening line closes, even inside a line (measured on 2.1.332).
    close = next((i for i in range(1, len(lines)) if "---" in lines[i]), None)
    open_span = Span.of(0, 0, 0, len(lines[0]))
    end = close if close is not None else _plausible_end(lines)
    yaml_lines = lines[1:end]
    close_span = None
    if close is not None:
        column = lines[close].index("---")
        if column:
            yaml_lines.append(lines[close][:column])
            dashes = _DASHES.match(lines[close], column)
            assert dashes is not None
            close_span = Span.of(close, column, close, dashes.end())
        else:
            close_span = Span.of(close, 0, close, len(lines[close]))
    doc.frontmatter = Frontmatter(open_span, close_span, "\n".join(yaml_lines), 1, yaml_lines)
    # Without a closing fence Claude Code sees no frontmatter; the lines that look like YAML are
    # parsed anyway so the other findings still help while the user is typing.
    doc.body_start_line = close + 1 if close is not None else end
    _parse_frontmatter(doc)
    return doc


def _parse_json(doc: Document) -> Document:
    """A JSON configuration file: the whole text is the tree (no frontmatter, no body)."""
    parsed = parse_json(doc.text)
    doc.root = parsed.root
    doc.duplicate_keys.extend(parsed.duplicate_keys)
    doc.problems.extend(YamlProblem(p.message, p.span, "syntax") for p in parsed.problems)
    doc.body_start_line = len(doc.lines)
    return doc


def _plausible_end(lines: list[str]) -> int:
    for i in range(1, len(lines)):
        line = lines[i]
        if not line.strip() or line[:1] in (" ", "\t", "#", "-") or _TOP_KEY.match(line):
            continue
        return i
    return len(lines)


def _detect_misplaced_fence(doc: Document) -> None:
    for i, line in enumerate(doc.lines[:20]):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        if stripped == "---":
            col = len(line) - len(line.lstrip())
            doc.misplaced_fence = Span.of(i, col, i, col + 3)
        return


def _parse_frontmatter(doc: Document) -> None:
    fm = doc.frontmatter
    assert fm is not None
    parsed = parse_yaml(fm.yaml_text, fm.first_line, doc.lines)
    recoverable = all(p.kind in ("syntax", "tab") for p in parsed.problems)
    if not parsed.problems or parsed.root is not None or not recoverable:
        _adopt(doc, parsed)
        return
    # Only a strict failure pays for the retry: valid frontmatter is parsed once per keystroke.
    if _retry(doc, parsed.problems):
        return
    doc.yaml_retry = "failed"
    _recover(doc, parsed.problems)


def _yaml_end(doc: Document) -> int:
    """The file line after the last YAML line."""
    fm = doc.frontmatter
    assert fm is not None
    return fm.first_line + len(fm.yaml_lines)


def _yaml_source(doc: Document) -> list[str]:
    """The file's lines with the YAML's last line cut where the frontmatter closes (for parsing
    parts of the YAML by file line)."""
    fm = doc.frontmatter
    assert fm is not None
    if not fm.closed_mid_line:
        return doc.lines
    return [*doc.lines[: fm.first_line], *fm.yaml_lines]


def _cr_lines(text: str, first: int, count: int) -> frozenset[int]:
    """Which of ``count`` lines from file line ``first`` end in CR (CRLF or a lone CR), as
    indexes from ``first``: Claude Code's retry leaves such lines as they are."""
    if "\r" not in text:
        return frozenset()
    breaks = [m.group() for m in _LINE_BREAK.finditer(text)]
    return frozenset(
        i - first for i in range(first, min(first + count, len(breaks))) if breaks[i] != "\n"
    )


def _retry(doc: Document, strict_problems: list[YamlProblem]) -> bool:
    """Claude Code's quoting retry; True when it parses (the document then holds its tree)."""
    fm = doc.frontmatter
    assert fm is not None
    end = _yaml_end(doc)
    cr = _cr_lines(doc.text, fm.first_line, len(fm.yaml_lines))
    from .yamlretry import rewrite  # only for YAML that fails the strict parse

    rewritten = rewrite(fm.yaml_lines, cr)
    doc.crlf_kept = bool(rewritten.kept_for_cr)
    if not rewritten.columns:
        return False  # nothing to rewrite: the retry fails as the strict parse did
    again = parse_yaml(rewritten.text, fm.first_line, doc.lines, rewritten.columns)
    if again.problems or again.root is None or again.root.kind != "mapping":
        return False
    doc.yaml_retry = "rescued"
    doc.root = again.root
    doc.duplicate_keys.extend(again.duplicate_keys)
    changed = {fm.first_line + i for i in rewritten.columns}
    detabbed = {fm.first_line + i for i in rewritten.detabbed}
    doc.problems.extend(_strict_problems(doc, end, changed, detabbed) or strict_problems)
    return True


def _strict_problems(
    doc: Document, end: int, changed: set[int], detabbed: set[int]
) -> list[YamlProblem]:
    """What strict YAML readers reject, entry by entry: each top-level entry the retry rewrote,
    parsed on its own (the whole-document parse stops at the first problem). A tab problem is
    reported on every tab-indented line of its entry, each with its own fix."""
    fm = doc.frontmatter
    assert fm is not None
    source = _yaml_source(doc)
    found: list[YamlProblem] = []
    for start, stop in top_level_blocks(source, fm.first_line, end):
        if not any(start <= line < stop for line in changed):
            continue
        parsed = parse_yaml("\n".join(source[start:stop]), start, doc.lines)
        for problem in parsed.problems:
            tabbed = sorted(n for n in detabbed if start <= n < stop)
            if problem.kind != "tab" or not tabbed:
                found.append(problem)
                continue
            for line in tabbed:
                tabs = len(doc.lines[line]) - len(doc.lines[line].lstrip("\t"))
                found.append(
                    YamlProblem(
                        problem.message, Span.of(line, 0, line, tabs), "tab", problem.problem
                    )
                )
    return found


def _adopt(doc: Document, parsed: ParsedYaml) -> None:
    doc.root = parsed.root
    doc.problems.extend(parsed.problems)
    doc.duplicate_keys.extend(parsed.duplicate_keys)


def top_level_blocks(lines: list[str], first: int, end: int) -> list[tuple[int, int]]:
    """(start, end) file-line ranges of the top-level entries of a block mapping."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    for i in range(first, end):
        line = lines[i]
        if line[:1] not in ("", " ", "\t", "#", "-") and start is not None:
            blocks.append((start, i))
            start = i
        elif start is None and line.strip() and not line.lstrip().startswith("#"):
            start = i
    if start is not None:
        blocks.append((start, end))
    return blocks


def _recover(doc: Document, whole_problems: list[YamlProblem]) -> None:
    fm = doc.frontmatter
    assert fm is not None
    end = _yaml_end(doc)
    source = _yaml_source(doc)
    merged = YNode("mapping", Span(Position(fm.first_line, 0), Position(end, 0)))
    problems: list[YamlProblem] = []
    seen: dict[object, YNode] = {}
    for start, stop in top_level_blocks(source, fm.first_line, end):
        block = "\n".join(source[start:stop])
        parsed = parse_yaml(block, start, doc.lines)
        if parsed.root is None or parsed.root.kind != "mapping":
            problems.extend(parsed.problems)
            if not parsed.problems:
                text = doc.lines[start]
                problems.append(
                    YamlProblem(
                        "Expected a `key: value` line here; YAML reads it as part of the "
                        "entry before.",
                        Span.of(start, 0, start, len(text)),
                        "syntax",
                        problem="not a mapping entry",
                    )
                )
            m = _TOP_KEY.match(source[start])
            if m:
                key = m.group(1).strip("'\"")
                doc.broken_keys[key] = Span.of(start, 0, start, len(m.group(1)))
            continue
        problems.extend(parsed.problems)
        for k, v in parsed.root.pairs:
            if k.is_scalar and k.value in seen:
                doc.duplicate_keys.append((seen[k.value], k))
            elif k.is_scalar:
                seen[k.value] = k
            merged.pairs.append((k, v))
        doc.duplicate_keys.extend(parsed.duplicate_keys)
    if not problems:
        # Each entry parses alone but not together (an unclosed flow collection across
        # entries...): report the whole-document error and check nothing more.
        doc.problems.extend(whole_problems)
        return
    doc.problems.extend(problems)
    doc.root = merged
