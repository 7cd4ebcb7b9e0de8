"""Python source for the offline engine: parsing unit by unit, positions, text of nodes.

A file that does not parse as a whole (the user is typing) is split into top-level blocks
(functions, classes, other statements) and each block that parses is analysed; ``ast`` columns
are UTF-8 byte offsets and are converted to code points here.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import textwrap
import threading
import tokenize
from dataclasses import dataclass
from typing import Any, TypeGuard, TypeVar

from ...definitions.document import span_text, split_lines
from ...definitions.findings import Position, Span

MAX_SOURCE_CHARS = 2_000_000
_N = TypeVar("_N", bound=ast.AST)
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
# ``try`` statements, ``except*`` ones too: ``ast.TryStar`` is Python 3.11's, and the package
# runs on 3.10 (both have the fields the analyses read: body, handlers, orelse, finalbody).
TRIES: tuple[type[ast.Try], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))
# Shared singletons (Load, Store, Add, Eq...) say nothing the analyses need: not indexed.
_LEAF = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)
_BLOCK_START = re.compile(r"(?:async\s+def|def|class|@)\b|@")


def _node_types(base: type) -> set[type]:
    found: set[type] = set()
    todo = [base]
    while todo:
        subs: list[type] = todo.pop().__subclasses__()
        for sub in subs:
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


# Whether the index keeps a field's value, by its type: a dict lookup costs less than the two
# isinstance tests of each child it stands for (a parse holds only these types and the
# constants' and names' values; any other is tested).
_KEPT: dict[type, bool] = {
    **{t: not issubclass(t, _LEAF) for t in _node_types(ast.AST)},
    **dict.fromkeys((type(None), str, int, float, complex, bytes, bool), False),
}


def _kept(value: object) -> TypeGuard[ast.AST]:
    """``value`` is a node the index keeps: an ``ast.AST``, not a shared singleton."""
    kept = _KEPT.get(type(value))
    if kept is None:
        return isinstance(value, ast.AST) and not isinstance(value, _LEAF)
    return kept


@dataclass
class Source:
    path: str
    text: str
    lines: list[str]
    modules: list[ast.Module]  # one for the whole file, or one per block that parsed

    def col(self, line: int, byte_col: int) -> int:
        """ast's UTF-8 byte column -> code point column (lines are 1-based in ast)."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))

    def start(self, node: ast.AST) -> Position:
        return Position(node.lineno - 1, self.col(node.lineno, node.col_offset))  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> Position:
        line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return Position(line - 1, self.col(line, node.end_col_offset or 0))  # type: ignore[attr-defined]

    def span(self, node: ast.AST) -> Span:
        return Span(self.start(node), self.end(node))

    def text_of(self, node: ast.AST) -> str:
        return self.slice(self.span(node))

    def slice(self, span: Span) -> str:
        return span_text(self.lines, span)

    def indent_of(self, line: int) -> str:
        text = self.lines[line] if 0 <= line < len(self.lines) else ""
        return text[: len(text) - len(text.lstrip())]

    @property
    def eol(self) -> str:
        return "\r\n" if "\r\n" in self.text[:4000] else "\n"

    def _index(
        self,
    ) -> tuple[list[ast.AST], dict[ast.AST, ast.AST], dict[int, list[ast.AST]], dict[int, ast.AST]]:
        """One traversal for every node, each node's parent, and each function's nodes (the
        analyses need all three, over and over; ast.walk three times cost 3x)."""
        cached = self.__dict__.get("_index_cache")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        nodes: list[ast.AST] = []
        up: dict[ast.AST, ast.AST] = {}
        per_function: dict[int, list[ast.AST]] = {}
        innermost: dict[int, ast.AST] = {}
        stack: list[tuple[ast.AST, ast.AST | None, tuple[ast.AST, ...]]] = [
            (m, None, ()) for m in reversed(self.modules)
        ]
        kept = _KEPT.get
        while stack:
            node, parent, funcs = stack.pop()
            nodes.append(node)
            if parent is not None:
                up[node] = parent
            if funcs:
                for func in funcs:
                    per_function[id(func)].append(node)
                innermost[id(node)] = funcs[-1]
            if isinstance(node, _FUNCTION):
                per_function[id(node)] = [node]
                funcs = (*funcs, node)
            children: list[ast.AST] = []
            for name in node._fields:
                value: Any = getattr(node, name, None)
                if type(value) is list:
                    children.extend(
                        [v for v in value if (k := kept(type(v))) or (k is None and _kept(v))]
                    )
                elif (k := kept(type(value))) or (k is None and _kept(value)):
                    children.append(value)
            stack.extend([(child, node, funcs) for child in reversed(children)])
        result = (nodes, up, per_function, innermost)
        self.__dict__["_index_cache"] = result
        return result

    def function_of(self, node: ast.AST) -> ast.AST | None:
        """The innermost function a node sits in (the function itself for its own node)."""
        # asked tens of thousands of times a run: the cached index, read without a call
        return (self.__dict__.get("_index_cache") or self._index())[3].get(id(node))

    def up(self) -> dict[ast.AST, ast.AST]:
        """Child -> parent for every node."""
        return (self.__dict__.get("_index_cache") or self._index())[1]

    def nodes_of(self, node: ast.AST) -> list[ast.AST]:
        """Every node inside a function (itself included), like ``ast.walk``."""
        found = (self.__dict__.get("_index_cache") or self._index())[2].get(id(node))
        return found if found is not None else list(ast.walk(node))

    def walk(self) -> list[ast.AST]:
        """Every node."""
        return (self.__dict__.get("_index_cache") or self._index())[0]

    def of(self, kind: type[_N]) -> list[_N]:
        """Every node of a kind (``ast.Call``), in ``walk`` order: the rules walked every node
        and tested each one, twenty times a file; a kind is filtered once per parse."""
        return self._of(kind)  # type: ignore[return-value]

    def functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """Every function and method, ``async`` ones too, in ``walk`` order."""
        return self._of(_FUNCTION)  # type: ignore[return-value]

    def _of(self, kind: object) -> list[ast.AST]:
        kinds: dict[object, list[ast.AST]] = self.__dict__.setdefault("_of_kind", {})
        found = kinds.get(kind)
        if found is None:
            if isinstance(kind, type) and not kind.__subclasses__():
                # A node type of its own (``ast.Call``): its nodes, from one pass that sorted
                # every node by type (a file asks for a dozen kinds, a pass each).
                found = self._by_type().get(kind, [])
            else:  # several types, or a type with others under it (``ast.stmt``)
                found = [n for n in self.walk() if isinstance(n, kind)]  # type: ignore[arg-type]
            kinds[kind] = found
        return found

    def _by_type(self) -> dict[type, list[ast.AST]]:
        by_type: dict[type, list[ast.AST]] | None = self.__dict__.get("_nodes_by_type")
        if by_type is None:
            by_type = {}
            for node in self.walk():
                kind = type(node)
                same = by_type.get(kind)
                if same is None:
                    by_type[kind] = [node]
                else:
                    same.append(node)
            self.__dict__["_nodes_by_type"] = by_type  # published whole: worker threads share it
        return by_type


# The parse of each path's latest text: the schema scan, the project model, the engine and the
# edit gate each asked for the same file, and parsing it again for each was a third of
# ``suggest``'s time on a 5,000-line app. One entry per path (a new text replaces the old), so
# it holds what the project's own module cache holds; every fact cached on a Source is a fact
# of its text alone.
# The server's worker threads parse too: the table changes under a lock, and the facts cached
# on a shared Source are published only once complete.
_LATEST: dict[str, Source] = {}
_LATEST_LOCK = threading.Lock()
_MAX_LATEST = 5000


def parse_source(path: str, text: str) -> Source:
    latest = _LATEST.get(path)
    if latest is not None and latest.text == text:
        return latest
    parsed = _parse_source(path, text)
    with _LATEST_LOCK:
        _LATEST.pop(path, None)
        if len(_LATEST) >= _MAX_LATEST:
            del _LATEST[next(iter(_LATEST))]
        _LATEST[path] = parsed
    return parsed


def _parse_source(path: str, text: str) -> Source:
    lines = split_lines(text)
    if len(text) > MAX_SOURCE_CHARS:
        return Source(path, text, lines, [])
    whole = _parse_or_none(text)
    if whole is not None:
        parsed = Source(path, text, lines, [whole])
        parsed.__dict__["whole"] = True  # the file parses as a whole (not block by block)
        return parsed
    modules = []
    for start, stop in _blocks(lines):
        module = _parse_or_none("\n".join(lines[start:stop]))
        if module is not None:
            ast.increment_lineno(module, start)
            modules.append(module)
    return Source(path, text, lines, modules)


def _parse_or_none(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Top-level blocks: a new block starts at an unindented line that is not a continuation,
    decorators staying with the definition that follows them."""
    starts: list[int] = []
    previous_decorator = False
    for i, line in enumerate(lines):
        if not line or line[0] in " \t#" or line.startswith((")", "]", "}")):
            continue
        if not previous_decorator:
            starts.append(i)
        previous_decorator = line.startswith("@")
    starts.append(len(lines))
    return [(a, b) for a, b in itertools.pairwise(starts) if a < b]


# What starts a scope of its own: the nodes inside it are not the enclosing code's.
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Unions the rules test of every node of a function or a file, built once: written in the test,
# ``ast.A | ast.B`` is a new union for each node it is asked of (a twentieth of suggest's
# instructions on a real app went to building them).
FUNCTIONS = ast.FunctionDef | ast.AsyncFunctionDef
IMPORTS = ast.Import | ast.ImportFrom
WITHS = ast.With | ast.AsyncWith


def every_node(node: ast.AST) -> list[ast.AST]:
    """``node`` and every node under it, in ``ast.walk``'s order (breadth first), as a list:
    ``ast.walk``'s generator, with a generator per node for its children, cost 2.5 times this
    in the analyses that walk each function whole (the edit gate, the rows a route binds)."""
    found = [node]
    add = found.append
    for current in found:  # grows as it is read: each node's children join the queue's end
        for name in current._fields:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        add(item)
            elif isinstance(value, ast.AST):
                add(value)
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))``, without its two generators a node."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            found.append(value)
        elif isinstance(value, list):
            found.extend(item for item in value if isinstance(item, ast.AST))
    return found


def own_nodes(node: ast.AST) -> list[ast.AST]:
    """``node`` and what is inside it, not inside a function or class defined there."""
    found: list[ast.AST] = []
    stack = [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(c for c in child_nodes(current) if not isinstance(c, SCOPES))
    return found


def single_binding(stmt: ast.AST) -> str | None:
    """``name = value`` or ``name: Model = value`` (an annotated assignment, a real app's way
    of writing every lookup: ``user : UserModel = UserModel.query...first()``): the one name
    bound to the statement's value."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target: ast.expr = stmt.targets[0]
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target = stmt.target
    else:
        return None
    return target.id if isinstance(target, ast.Name) else None


def block_of(stmt: ast.AST, up: dict[ast.AST, ast.AST]) -> list[ast.stmt] | None:
    """The statement list ``stmt`` stands in (its parent's body, else or finally), or None."""
    parent = up.get(stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and stmt in block:
            return block
    return None


def string_quote(source: Source, node: ast.AST) -> str:
    """The quote the string literals in ``node`` (a function, a module) are written with,
    most of them: ``'`` in an app that writes ``'format': 'json'``, else ``"``."""
    single = double = 0
    for found in own_nodes(node):
        if isinstance(found, ast.Constant) and isinstance(found.value, str):
            written = source.text_of(found).lstrip("rRbBuUfF")
            if written.startswith(('"""', "'''")):
                continue  # a docstring: triple double quotes whatever the code's own
            single += written.startswith("'")
            double += written.startswith('"')
    return "'" if single > double else '"'


def binds_anywhere(func: ast.AST, name: str) -> bool:
    """``name`` is stored to or deleted anywhere in ``func`` (a nested function's too)."""
    # Asked of one route for parameter after parameter: its stored names are read once, and
    # kept on it (a fact of its text, as ``dotted`` is).
    stored: frozenset[str] | None = func.__dict__.get("_stored_names")
    if stored is None:
        stored = func.__dict__["_stored_names"] = frozenset(
            n.id
            for n in every_node(func)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
        )
    return name in stored


def top_level_class(source: Source, name: str) -> ast.ClassDef | None:
    """The module's own top-level class ``name`` (its first definition)."""
    for module in source.modules:
        for node in module.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return node
    return None


def top_level_function(source: Source, name: str) -> ast.FunctionDef | None:
    """The module's own top-level ``def name`` (its first definition)."""
    for module in source.modules:
        for node in module.body:
            if isinstance(node, ast.FunctionDef) and node.name == name:
                return node
    return None


def caught_types(source: Source) -> list[tuple[ast.ExceptHandler, ast.expr]]:
    """Each class an ``except`` names, as written, with its handler (``except (A, B):``
    gives A and B)."""
    return [
        (node, expr)
        for node in source.walk()
        if isinstance(node, ast.ExceptHandler) and node.type is not None
        for expr in (node.type.elts if isinstance(node.type, ast.Tuple) else [node.type])
    ]


def top_level_calls(source: Source, name: str) -> list[ast.Call]:
    """``NAME = something(...)`` at the top of a module: each call it is bound to, in order."""
    return [
        stmt.value
        for module in source.modules
        for stmt in module.body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    ]


def top_level_call(source: Source, name: str) -> ast.Call | None:
    """The first call ``NAME`` is bound to at the top of a module."""
    calls = top_level_calls(source, name)
    return calls[0] if calls else None


def method_of(cls: ast.ClassDef, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The method ``name`` the class body defines itself (the first one; bases not followed)."""
    for node in cls.body:
        if isinstance(node, FUNCTIONS) and node.name == name:
            return node
    return None


def is_self(node: ast.expr) -> bool:
    """``self``."""
    return isinstance(node, ast.Name) and node.id == "self"


def is_none(node: ast.expr) -> bool:
    """The literal ``None``."""
    return isinstance(node, ast.Constant) and node.value is None


def parameters_with_defaults(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[tuple[ast.arg, ast.expr | None]]:
    """Each parameter (positional, then keyword-only; not ``*args``/``**kwargs``) and its
    default (None: it has none)."""
    positional = [*func.args.posonlyargs, *func.args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(func.args.defaults))
    defaults.extend(func.args.defaults)
    return [
        *zip(positional, defaults, strict=True),
        *zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True),
    ]


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    """The value of ``call``'s ``name=`` keyword."""
    return next((k.value for k in call.keywords if k.arg == name), None)


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for Name/Attribute chains (calls included as ``()``), else ''."""
    # Asked of the same call by a dozen analyses (47,000 times on a 5,000-line app): kept on
    # the node, whose text never changes.
    known: str | None = node.__dict__.get("_dotted")
    if known is None:
        known = node.__dict__["_dotted"] = _dotted(node)
    return known


def unparsed(source: Source, node: ast.AST) -> str:
    """``ast.unparse(node)`` of a node of ``source``, kept on the parse: the same statements
    above a lookup are written out again for every later lookup of the function. Not on the
    node, as ``dotted`` is: ``copy.copy`` of a node would carry the text to a changed copy."""
    texts: dict[ast.AST, str] = source.__dict__.setdefault("_unparsed", {})
    known = texts.get(node)
    if known is None:
        known = texts[node] = ast.unparse(node)
    return known


def _dotted(node: ast.AST) -> str:
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            parts.append("()")
            node = node.func
        else:
            return ""
    return ".".join(reversed(parts)).replace(".()", "()")


def qualified_name(imports: dict[str, str], name: str) -> str:
    """A dotted ``name`` as the import its head stands for names it (``s.Charge`` after
    ``import stripe as s``: ``stripe.Charge``), '' when its head is no import. ``import
    urllib.request`` binds ``urllib`` to the dotted module: the name is already whole."""
    head, _, rest = name.partition(".")
    target = imports.get(head)
    if target is None:
        return ""
    if target.startswith(f"{head}."):
        return name
    return f"{target}.{rest}" if rest else target


def strings_and_comments(code: str) -> list[str]:
    """The string literals' values and the comments' text of Python ``code``, which may be a
    fragment that does not parse (an edit's replacement); reading stops where tokenizing does."""
    out: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(textwrap.dedent(code)).readline):
            if token.type == tokenize.COMMENT:
                out.append(token.string.lstrip("#"))
            elif token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):  # an f-string: its text is not known
                    continue
                if isinstance(value, str):
                    out.append(value)
    except (tokenize.TokenError, SyntaxError):  # an unclosed bracket, a bad dedent
        return out
    return out


# Flask before 1.0 imported its extensions as ``flask.ext.sqlalchemy``: the same package as
# ``flask_sqlalchemy`` (a real app's models and sessions went unread under the old name).
_FLASK_EXT = re.compile(r"^flask\.ext\.")


def imported_names(source: Source) -> dict[str, str]:
    """Local name -> fully qualified import (``jsonify`` -> ``flask.jsonify``)."""
    cached: dict[str, str] | None = source.__dict__.get("_imports")
    if cached is not None:
        return cached
    names = _imports_of(source.walk())
    # published whole: the server's worker threads share a text's parse
    source.__dict__["_imports"] = names
    return names


def module_imported_names(source: Source) -> dict[str, str]:
    """``imported_names`` bound at module level only: not ``from uuid import UUID`` in a
    function's body, which a def's annotation or another function cannot read (an edit that
    counted on it raised NameError on import, judged on a real app)."""
    cached: dict[str, str] | None = source.__dict__.get("_module_imports")
    if cached is not None:
        return cached
    checking = {
        id(n)
        for m in source.modules
        for stmt in own_nodes(m)
        if isinstance(stmt, ast.If) and type_checking(stmt.test)
        for body in stmt.body
        for n in ast.walk(body)
    }  # ``if TYPE_CHECKING:`` imports nothing when the module runs
    top = {id(n) for m in source.modules for n in own_nodes(m)} - checking
    names = _imports_of([n for n in source.walk() if id(n) in top])  # in the file's order
    source.__dict__["_module_imports"] = names
    return names


def type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` / ``if typing.TYPE_CHECKING:``: false when the module runs."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_of(nodes: list[ast.AST]) -> dict[str, str]:
    """Local name -> fully qualified import, for the imports among ``nodes``."""
    names: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = _FLASK_EXT.sub("flask_", node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{module}.{alias.name}"
    return names


def qualified(source: Source, written: str) -> str:
    """A dotted name as the module's imports spell it out (``Resource`` after ``from
    flask_restful import Resource`` is ``flask_restful.Resource``); as written when its head
    is no import."""
    return qualified_name(imported_names(source), written) or written


def imported_from(source: Source, local: str) -> list[tuple[str, str]]:
    """``(module, name)`` pairs a local name may come from, relative imports kept as leading
    dots; ``name`` is empty for ``import a.b as local``."""
    return _import_table(source).get(local, [])


def _import_table(source: Source) -> dict[str, list[tuple[str, str]]]:
    """Every local name bound by an import, read once per source (routes ask per call)."""
    cached: dict[str, list[tuple[str, str]]] | None = source.__dict__.get("_import_table")
    if cached is not None:
        return cached
    table: dict[str, list[tuple[str, str]]] = {}
    for node in source.walk():
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            for a in node.names:
                table.setdefault(a.asname or a.name, []).append((module, a.name))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    table.setdefault(a.asname, []).append((a.name, ""))
    source.__dict__["_import_table"] = table
    return table


def bound_as(imports: dict[str, str], target: str) -> str | None:
    """The module's name for ``target`` (``HTTPException`` of ``fastapi.HTTPException``), as
    ``imported_names`` maps them; None when it does not import it."""
    return next((local for local, full in imports.items() if full == target), None)


def name_for(
    imports: dict[str, str], source: Source, module: str, name: str
) -> tuple[str, list[tuple[str, str]]] | None:
    """How the module writes ``module.name``: the name it imports it as, ``alias.name`` of
    the module it imports, else ``name`` with the import that needs; None when ``name`` is
    another's there (imported from elsewhere, or a class of its own)."""
    full = f"{module}.{name}"
    bound = bound_as(imports, full)
    if bound is not None:
        return bound, []
    alias = bound_as(imports, module)
    if alias is not None:
        return f"{alias}.{name}", []
    if name in imports or top_level_class(source, name) is not None:
        return None
    return name, [(module, name)]
