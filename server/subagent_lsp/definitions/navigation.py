"""Names across agent files: where agents and skills are defined, where they are used, symbols.

References: ``Agent(x)`` / ``Task(x)`` in ``tools``, ``skills:`` entries, a skill's ``agent:``
field, and "the x agent" / "x subagent" mentions in Markdown bodies and CLAUDE.md. Which
definition wins when several scopes define one name follows Claude Code's precedence: project
``.claude/agents`` (the nearest wins), then the user's ``~/.claude/agents``, then plugins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .document import Document, parse_document
from .findings import Position, Span
from .imports import import_at
from .kinds import FileKind
from .markdown import outside_fences
from .rules.references import frontmatter_references
from .spec import NAME_FORM, PLUGIN_MANIFEST, SCOPE_PRECEDENCE, TOOLS, USER_CONFIG_DIR, Kind

_HEADING = re.compile(r"(#{1,6})\s+(.+?)\s*#*\s*$")
# Agent(a, b) and its old name Task(a, b): the tools that take agent names (spec.py)
_AGENT_CALL = re.compile(
    r"\b(?:" + "|".join(t.name for t in TOOLS if t.takes_argument) + r")\((?P<args>[^)]*)\)"
)
_NAME = re.compile(r"[a-z0-9][a-z0-9.-]*")
_MENTION = re.compile(
    r"(?:\bthe\s+`?(?P<a>[a-z0-9][a-z0-9.-]*[a-z0-9])`?\s+(?:sub)?agent\b)"
    r"|(?:`?\b(?P<b>[a-z0-9][a-z0-9.-]*[a-z0-9])`?\s+subagent\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Symbol:
    name: str
    kind: str  # key | heading
    span: Span
    selection: Span
    children: tuple[Symbol, ...] = ()


@dataclass(frozen=True)
class Definition:
    name: str
    kind: Kind  # subagent | skill | command
    path: str
    span: Span  # the name's value (or the first line when the name comes from the path)
    scope: str  # project | user | plugin
    value_span: Span | None = None  # the scalar's text without quotes, for rename


@dataclass(frozen=True)
class Reference:
    name: str
    target: Kind  # what it refers to
    path: str
    span: Span
    context: str  # tools | skills | agent-field | mention


@dataclass
class FileNames:
    definitions: list[Definition] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


def document_symbols(doc: Document) -> list[Symbol]:
    out: list[Symbol] = []
    mapping = doc.mapping
    if mapping is not None:
        for k, v in mapping.pairs:
            if k.is_scalar:
                out.append(Symbol(k.text, "key", Span(k.span.start, v.span.end), k.span))
    headings: list[tuple[int, Symbol]] = []
    for line_no, text in _prose_lines(doc):
        m = _HEADING.match(text)
        if m:
            span = Span.of(line_no, 0, line_no, len(text))
            headings.append((len(m.group(1)), Symbol(m.group(2), "heading", span, span)))
    out.extend(_nest(headings, len(doc.lines)))
    return out


def _nest(items: list[tuple[int, Symbol]], end_line: int) -> list[Symbol]:
    """Headings into a tree: each holds the deeper ones that follow it."""
    result: list[Symbol] = []
    i = 0
    while i < len(items):
        level, symbol = items[i]
        j = i + 1
        while j < len(items) and items[j][0] > level:
            j += 1
        stop = items[j][1].span.start.line - 1 if j < len(items) else end_line - 1
        children = tuple(_nest(items[i + 1 : j], stop + 1))
        span = Span(symbol.span.start, Position(max(stop, symbol.span.start.line), 0))
        result.append(Symbol(symbol.name, "heading", span, symbol.selection, children))
        i = j
    return result


def scope_of_path(path: str, fk: FileKind | None) -> str:
    if fk is not None and fk.plugin:
        return "plugin"
    user_dir = os.path.expanduser(USER_CONFIG_DIR) + os.sep
    return "user" if os.path.abspath(path).startswith(user_dir) else "project"


def _value_span(doc: Document, key: str) -> tuple[Span, Span] | None:
    node = doc.get(key)
    if node is None or not node.is_scalar or not isinstance(node.value, str):
        return None
    return node.span, _inner(node.span, node.style)


def names_in(path: str, text: str, fk: FileKind | None) -> FileNames:
    """Definitions and references in one file (agent files, skills, commands, CLAUDE.md)."""
    doc = parse_document(path, text)
    found = FileNames()
    kind = fk.kind if fk is not None else None
    if kind in (Kind.SUBAGENT, Kind.SKILL, Kind.COMMAND):
        spans = _value_span(doc, "name")
        if kind is Kind.SUBAGENT and spans is not None:
            node = doc.get("name")
            assert node is not None
            found.definitions.append(
                Definition(node.text, kind, path, spans[0], scope_of_path(path, fk), spans[1])
            )
        elif kind is Kind.SKILL:
            folder = os.path.basename(os.path.dirname(path))
            name = doc.get("name")
            label = name.text if name is not None and name.is_scalar and name.text else folder
            span = spans[0] if spans is not None else Span.point(0, 0)
            inner = spans[1] if spans is not None else None
            found.definitions.append(
                Definition(label, kind, path, span, scope_of_path(path, fk), inner)
            )
        elif kind is Kind.COMMAND:
            stem = os.path.splitext(os.path.basename(path))[0]
            found.definitions.append(Definition(stem, kind, path, Span.point(0, 0), "project"))
        _frontmatter_refs(doc, kind, found)
    if kind is not None or os.path.basename(path) == "CLAUDE.md":
        _mentions(doc, path, found)
    return found


def _frontmatter_refs(doc: Document, kind: Kind | None, found: FileNames) -> None:
    if kind is None:
        return
    for ref in frontmatter_references(doc, kind):
        if _NAME.fullmatch(ref.name) or ref.context != "tools":
            found.references.append(
                Reference(ref.name, ref.target, doc.path, ref.span, ref.context)
            )


def _inner(span: Span, style: str | None) -> Span:
    if style in ('"', "'") and span.start.line == span.end.line:
        return Span(
            Position(span.start.line, span.start.column + 1),
            Position(span.end.line, span.end.column - 1),
        )
    return span


def _prose_lines(doc: Document) -> Iterable[tuple[int, str]]:
    """The body's lines outside fenced code blocks."""
    return outside_fences(doc.lines, doc.body_start_line)


def _mentions(doc: Document, path: str, found: FileNames) -> None:
    for line_no, text in _prose_lines(doc):
        if "agent" not in text.lower():
            continue
        for m in _MENTION.finditer(text):
            group = "a" if m.group("a") else "b"
            name = m.group(group)
            if name.lower() in (
                "the",
                "an",
                "a",
                "this",
                "that",
                "each",
                "any",
                "same",
                "main",
                "other",
            ):
                continue
            found.references.append(
                Reference(
                    name,
                    Kind.SUBAGENT,
                    path,
                    Span.of(line_no, m.start(group), line_no, m.end(group)),
                    "mention",
                )
            )


@dataclass
class NameIndex:
    files: dict[str, FileNames] = field(default_factory=dict)

    def definitions(self, name: str, kind: Kind = Kind.SUBAGENT) -> list[Definition]:
        return [
            d
            for names in self.files.values()
            for d in names.definitions
            if d.name == name and d.kind is kind
        ]

    def references(self, name: str, kind: Kind = Kind.SUBAGENT) -> list[Reference]:
        refs = [
            r
            for names in self.files.values()
            for r in names.references
            if r.name == name and r.target is kind
        ]
        if kind is Kind.SUBAGENT and not self.definitions(name):
            return [r for r in refs if r.context != "mention"]  # prose mentions of unknown names
        return refs

    def all_definitions(self) -> Iterable[Definition]:
        for names in self.files.values():
            yield from names.definitions

    def at(self, path: str, pos: Position) -> Definition | Reference | None:
        names = self.files.get(path)
        if names is None:
            return None
        for d in names.definitions:
            if d.span.contains(pos) and d.span.start != d.span.end:
                return d
        for r in names.references:
            if r.span.contains(pos):
                if r.context == "mention" and not self.definitions(r.name):
                    continue
                return r
        return None


class NameIndexCache:
    """The names of many files, each file re-read only when it changed: an open document when
    its stamp (version and length) moves, a file on disk when its mtime does."""

    def __init__(self) -> None:
        self.cache: dict[str, tuple[object, FileNames]] = {}

    def index(
        self, kinds: Mapping[str, FileKind | None], open_texts: Mapping[str, tuple[object, str]]
    ) -> NameIndex:
        """``kinds``: every file to index (None: no agent kind, as CLAUDE.md); ``open_texts``:
        path -> (stamp, text) of the documents open in the editor."""
        files: dict[str, FileNames] = {}
        for path, kind in kinds.items():
            text: str | None = None
            if path in open_texts:
                stamp, text = open_texts[path]
            else:
                try:
                    stamp = os.stat(path).st_mtime_ns
                except OSError:
                    continue
            cached = self.cache.get(path)
            if cached is not None and cached[0] == stamp:
                files[path] = cached[1]
                continue
            if text is None:
                try:
                    with open(path, encoding="utf-8") as fh:
                        text = fh.read()
                except (OSError, UnicodeDecodeError):
                    continue
            names = names_in(path, text, kind)
            self.cache[path] = (stamp, names)
            files[path] = names
        return NameIndex(files)


_SCOPE_RANK = {scope: rank for rank, scope in enumerate(SCOPE_PRECEDENCE)}


def winner(definitions: list[Definition], near: str | None = None) -> Definition | None:
    """The definition Claude Code uses: project over user over plugin; among project
    definitions the one nearest to ``near`` (the working directory)."""
    if not definitions:
        return None

    def key(d: Definition) -> tuple[int, int, str]:
        distance = 0
        if near is not None and d.scope == "project":
            rel = os.path.relpath(os.path.dirname(d.path), near)
            distance = rel.count(os.sep)
        return (_SCOPE_RANK.get(d.scope, 3), distance, d.path)

    return sorted(definitions, key=key)[0]


AGENT_NAME = NAME_FORM  # what a rename may give


# --- files a position points at ------------------------------------------------------------
_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def file_target(path: str, lines: list[str], doc: Document | None, pos: Position) -> str | None:
    """The file the text at ``pos`` names: an `@import` of a memory file, or a component path
    (`"agents": ["./agents/x.md"]`) in a plugin's manifest. None when it names no file."""
    if doc is not None and os.path.basename(path) != PLUGIN_MANIFEST[1]:
        imp = import_at(path, lines, doc.body_start_line, pos.line, pos.column)
        return imp.target if imp is not None and imp.exists else None
    if not path.endswith(os.path.join(*PLUGIN_MANIFEST)) or pos.line >= len(lines):
        return None
    line = lines[pos.line]
    for m in _JSON_STRING.finditer(line):
        if not m.start() <= pos.column <= m.end():
            continue
        if line[m.end() :].lstrip().startswith(":"):
            return None  # a key, not a path
        import json

        try:
            value = json.loads(m.group(0))
        except ValueError:
            return None
        if not isinstance(value, str) or not value.startswith(("./", "../")):
            return None
        root = os.path.dirname(os.path.dirname(os.path.abspath(path)))
        target = os.path.normpath(os.path.join(root, value))
        return target if os.path.isfile(target) else None
    return None
