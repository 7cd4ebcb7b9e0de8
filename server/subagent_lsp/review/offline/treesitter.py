"""tree-sitter for the JavaScript, TypeScript and Go sources, loaded on first use.

The parser and the grammars (the per-language wheels, which ship compiled grammars and never
download anything) are imported only when such a file is analysed: start-up and keystrokes in
other files do not pay for them. tree-sitter counts in bytes; ``Tree`` turns its offsets into
the code-point positions every span of the review domain uses.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ...definitions.findings import Position, Span

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

# suffix -> grammar
LANGUAGES = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".go": "go",
}
MAX_SOURCE_BYTES = 2_000_000  # a bundle or generated file: not code anyone reviews by hand


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    if dot < 0 or path.endswith(".d.ts"):
        return None
    return LANGUAGES.get(path[dot:].lower())


@cache
def parser_for(language: str) -> Parser:
    import tree_sitter

    grammar: Any
    if language == "go":
        import tree_sitter_go

        grammar = tree_sitter_go.language()
    elif language in ("typescript", "tsx"):
        import tree_sitter_typescript

        grammar = (
            tree_sitter_typescript.language_tsx()
            if language == "tsx"
            else tree_sitter_typescript.language_typescript()
        )
    else:
        import tree_sitter_javascript

        grammar = tree_sitter_javascript.language()
    return tree_sitter.Parser(tree_sitter.Language(grammar))


class Tree:
    """A parsed file: its text, its tree, and positions in code points."""

    def __init__(self, path: str, text: str, language: str) -> None:
        self.path = path
        self.text = text
        self.language = language
        self.data = text.encode("utf-8", "surrogatepass")
        self.root: Node = parser_for(language).parse(self.data).root_node
        self.ascii = len(self.data) == len(text)
        self._line_starts = [0]
        at = self.data.find(b"\n")
        while at >= 0:
            self._line_starts.append(at + 1)
            at = self.data.find(b"\n", at + 1)
        self.eol = "\r\n" if "\r\n" in text[:10_000] else "\n"
        self._index: dict[str, list[Node]] | None = None

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._line_starts, offset) - 1
        start = self._line_starts[line]
        if self.ascii:
            return Position(line, offset - start)
        return Position(line, len(self.data[start:offset].decode("utf-8", "replace")))

    def span(self, node: Node) -> Span:
        return Span(self.position(node.start_byte), self.position(node.end_byte))

    def line_text(self, line: int) -> str:
        start = self._line_starts[line]
        end = self._line_starts[line + 1] - 1 if line + 1 < len(self._line_starts) else None
        return self.data[start:end].decode("utf-8", "replace").rstrip("\r")

    def indent_of(self, node: Node) -> str:
        line = self.line_text(node.start_point[0])
        return line[: len(line) - len(line.lstrip())]

    def nodes(self, *kinds: str) -> list[Node]:
        """Every node of the given types, in document order. tree-sitter's own query engine
        selects them, once per file for every type the analyses read (``INDEXED``): far
        faster than walking the tree in Python."""
        indexed = INDEXED.get(self.language, frozenset())
        if not set(kinds) <= indexed:
            return _captured(self, tuple(kinds))
        if self._index is None:
            self._index = {}
            for node in _captured(self, tuple(sorted(indexed))):
                self._index.setdefault(node.type, []).append(node)
        if len(kinds) == 1:
            return self._index.get(kinds[0], [])
        merged = [n for k in kinds for n in self._index.get(k, [])]
        return sorted(merged, key=lambda n: n.start_byte)

    def walk(self, node: Node | None = None) -> Iterator[Node]:
        """Every named node below ``node`` (the root by default), in document order."""
        stack = [node or self.root]
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.named_children))


def _captured(tree: Tree, kinds: tuple[str, ...]) -> list[Node]:
    import tree_sitter

    found = tree_sitter.QueryCursor(_query(tree.language, kinds)).captures(tree.root).get("n", [])
    return sorted(found, key=lambda n: n.start_byte)


_JS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "function",
        "method_definition",
        "call_expression",
        "member_expression",
        "await_expression",
        "variable_declarator",
        "string",
        "template_string",
    }
)
_GO = frozenset(
    {
        "function_declaration",
        "method_declaration",
        "func_literal",
        "call_expression",
        "composite_literal",
        "import_spec",
        "type_spec",
        "const_spec",
        "var_spec",
        "short_var_declaration",
        "interpreted_string_literal",
        "raw_string_literal",
        "return_statement",
    }
)
# The node types the analyses of each language read, selected in one pass per file.
INDEXED = {"javascript": _JS, "typescript": _JS, "tsx": _JS, "go": _GO}


@cache
def _query(language: str, kinds: tuple[str, ...]) -> Any:
    import tree_sitter

    grammar = parser_for(language).language
    assert grammar is not None
    known = [k for k in kinds if grammar.id_for_node_kind(k, True)]  # per grammar
    return tree_sitter.Query(grammar, "[" + " ".join(f"({k})" for k in known or ["ERROR"]) + "] @n")


def innermost(functions: list[Node], nodes: list[Node]) -> dict[int, Node]:
    """node id -> the innermost of ``functions`` that holds it (both in document order): one
    sweep, instead of climbing every node's ancestors."""
    out: dict[int, Node] = {}
    stack: list[Node] = []
    pending = iter(functions)
    upcoming = next(pending, None)
    for node in nodes:
        while upcoming is not None and upcoming.start_byte <= node.start_byte:
            while stack and stack[-1].end_byte <= upcoming.start_byte:
                stack.pop()
            stack.append(upcoming)
            upcoming = next(pending, None)
        while stack and stack[-1].end_byte < node.end_byte:
            stack.pop()
        if stack and stack[-1].id != node.id:
            out[node.id] = stack[-1]
    return out


def text_of(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


@lru_cache(maxsize=4)  # the schema reader and the engine parse the same text in a row
def parse(path: str, text: str) -> Tree | None:
    """The tree of a JavaScript, TypeScript or Go file; None for other files and huge ones."""
    language = language_of(path)
    if language is None or len(text) > MAX_SOURCE_BYTES:
        return None
    return Tree(path, text, language)


def ancestors(node: Node) -> Iterator[Node]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent
