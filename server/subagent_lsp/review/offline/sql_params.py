"""Which Python value a raw SQL statement binds to each of its placeholders, and what the
statement does with it: the size or offset of a page (``LIMIT %s OFFSET %s``), a column an
``INSERT``/``UPDATE`` writes.

The statement is a call's first argument (``cur.execute(sql, params)``, ``conn.fetch(sql, a,
b)``, ``db_exec(sql, params)``, ``database.fetch_all(query=sql, values={...})``) or the first of
a ``(sql, params)`` pair a function builds for its caller to run. Its text is a literal, an
f-string, a local the function builds (local_sql) or a module's constant; ``"..." % x`` and
``.format()`` are left alone (their ``%s`` is Python's, not the driver's).

Placeholders are read by their style: ``%s`` and ``?`` count through a sequence of values
(a tuple or list written there, or a local list bound once and appended to in the same
block), ``$1`` through the call's further arguments (asyncpg), ``%(name)s`` and ``:name``
through a dict of values written out; an f-string's ``{value}`` is its own value. When the
values cannot be lined up with the placeholders (a count that differs, a list built under an
``if``), nothing is read.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

from .local_sql import local_sql_pieces
from .pysource import Source, block_of, dotted
from .sql import MAX_SQL_CHARS, looks_like_sql
from .sql_helpers import RUNS

_PLACEHOLDER = re.compile(
    r"'(?:[^']|'')*'"  # a string literal: its ``%s`` or ``?`` is text
    r"|%%"
    r"|%\((?P<pyname>\w+)\)s"
    r"|(?P<format>%s)"
    r"|(?P<qmark>\?)"
    r"|\$(?P<number>\d+)"
    r"|(?<![:\w]):(?P<colon>[A-Za-z_]\w*)"
)
_PARAMS_KEYWORDS = ("params", "parameters", "args", "vars", "values")
# Calls that take a text and its ``%s`` values without running it: a log line, a message.
_NOT_RUNS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print",
     "format", "echo", "secho"}
)  # fmt: skip
_WRITES = re.compile(r"\b(insert|update)\b", re.IGNORECASE)
_PAGES = re.compile(r"\b(limit|offset)\b", re.IGNORECASE)
_SAME_LENGTH_SQL = frozenset({"lower", "upper", "trim", "btrim", "ltrim", "rtrim"})


@dataclass(frozen=True)
class BoundSql:
    """A statement's text, its placeholders renamed ``:__N``, and the value each is bound to."""

    text: str
    values: dict[str, ast.expr]
    node: ast.AST  # where the statement is run or built


def call_sql(src: Source, call: ast.Call, wanted: re.Pattern[str]) -> BoundSql | None:
    """The statement a call runs with its values, when its text matches ``wanted`` (a cheap
    test before anything is parsed)."""
    sql = call.args[0] if call.args else _keyword(call, "query")
    if (
        isinstance(sql, ast.Call)
        and len(sql.args) == 1
        and not sql.keywords
        and dotted(sql.func).rsplit(".", 1)[-1] == "text"
    ):
        sql = sql.args[0]  # SQLAlchemy's ``text("... LIMIT :limit")``, its values beside it
    if sql is None or not isinstance(sql, ast.Constant | ast.JoinedStr | ast.Name):
        return None
    named = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    passes = len(call.args) > 1 or any(k.arg in _PARAMS_KEYWORDS for k in call.keywords)
    if (not passes and named not in RUNS) or named in _NOT_RUNS:
        return None  # no values and no driver's name, or a log line: not a statement run here
    pieces = _pieces(src, sql)
    if pieces is None or not _wanted(pieces, wanted):
        return None
    rest = call.args[1:]
    given = next((k.value for k in call.keywords if k.arg in _PARAMS_KEYWORDS), None)
    if given is None and rest:
        given = rest[0]
    return _bind(src, pieces, given, rest, call)


def pair_sql(src: Source, pair: ast.Tuple, wanted: re.Pattern[str]) -> BoundSql | None:
    """``return "INSERT ...", (a, b)``: a statement and its values, built for the caller."""
    if len(pair.elts) != 2:
        return None
    if not isinstance(pair.elts[0], ast.Constant | ast.JoinedStr | ast.Name):
        return None
    pieces = _pieces(src, pair.elts[0])
    if pieces is None or not _wanted(pieces, wanted):
        return None
    return _bind(src, pieces, pair.elts[1], [pair.elts[1]], pair)


def page_values(bound: BoundSql) -> list[tuple[str, ast.expr]]:
    """``("limit", value)`` / ``("offset", value)`` for a placeholder that is a SELECT's whole
    LIMIT or OFFSET."""
    found = _parsed(bound.text)
    return [(kind, bound.values[m]) for kind, m in found[0] if m in bound.values]


def written_values(bound: BoundSql) -> list[tuple[str, str, ast.expr]]:
    """``(table, column, value)`` for each column an INSERT's one row or an UPDATE's SET gives
    a placeholder (as it is, or trimmed or recased)."""
    found = _parsed(bound.text)
    return [(t, c, bound.values[m]) for t, c, m in found[1] if m in bound.values]


PAGES, WRITES = _PAGES, _WRITES


# --- the text and its values -----------------------------------------------------------------


_Piece = str | ast.expr  # text, or an f-string's value


@dataclass(frozen=True)
class _Text:
    """A statement's pieces, each with the line it is written on; ``cut``: the last line that
    appends a piece only on some runs (``if q: sql += " AND v ILIKE %s"``, left out of
    ``pieces``), 0 when every run has the same text."""

    pieces: list[tuple[_Piece, int]]
    cut: int = 0


def _pieces(src: Source, node: ast.expr) -> _Text | None:
    if isinstance(node, ast.Name):
        found = local_sql_pieces(src, node)
        cut = _sometimes_appended(src, node) if found else 0
        if found is None:
            found = _module_string(src, node.id)
        if not found:
            return None
        out: list[tuple[_Piece, int]] = []
        for each in found:
            got = _pieces(src, each)
            if got is None:
                return None
            out.extend(got.pieces)
        return _Text(out, cut)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _Text([(node.value, node.lineno)])
    if isinstance(node, ast.JoinedStr):
        out = []
        for value in node.values:
            piece = _piece(value)
            if piece is None:
                return None
            out.append((piece, node.lineno))
        return _Text(out)
    return None


def _sometimes_appended(src: Source, name: ast.Name) -> int:
    """The last line before ``name`` is read that appends to it under a condition (a piece
    local_sql leaves out), 0 for none."""
    func = src.function_of(name)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return 0
    up = src.up()
    stores = sorted(
        (
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Name)
            and n.id == name.id
            and isinstance(n.ctx, ast.Store)
            and (n.lineno, n.col_offset) < (name.lineno, name.col_offset)
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    base = next((up.get(n) for n in reversed(stores) if isinstance(up.get(n), ast.Assign)), None)
    if not isinstance(base, ast.Assign):
        return 0
    block = block_of(base, up)
    lines = [
        statement.lineno
        for n in stores
        if isinstance(statement := up.get(n), ast.AugAssign)
        and statement.lineno > base.lineno
        and (block is None or statement not in block)
    ]
    return max(lines, default=0)


def _piece(value: ast.expr) -> _Piece | None:
    """An f-string's part: its text, or the value it formats (a ``{x:>4}`` is no placeholder)."""
    if isinstance(value, ast.FormattedValue):
        return value.value if value.format_spec is None else None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def _module_string(src: Source, name: str) -> list[ast.Constant | ast.JoinedStr] | None:
    """A module's name bound once, to a string (``QUERY = "SELECT ..."``)."""
    cache: dict[str, ast.expr | None] | None = src.__dict__.get("_sql_param_strings")
    if cache is None:
        cache = src.__dict__["_sql_param_strings"] = {}
        for module in src.modules:
            for stmt in module.body:
                if not (
                    isinstance(stmt, ast.Assign)
                    and len(stmt.targets) == 1
                    and isinstance(stmt.targets[0], ast.Name)
                ):
                    continue
                target, value = stmt.targets[0].id, stmt.value
                text = isinstance(value, ast.JoinedStr) or (
                    isinstance(value, ast.Constant) and isinstance(value.value, str)
                )
                cache[target] = value if text and target not in cache else None
    found = cache.get(name)
    return [found] if isinstance(found, ast.Constant | ast.JoinedStr) else None


def _wanted(text: _Text, wanted: re.Pattern[str]) -> bool:
    plain = "".join(p if isinstance(p, str) else " " for p, _ in text.pieces)
    return len(plain) <= MAX_SQL_CHARS and looks_like_sql(plain) and bool(wanted.search(plain))


def _bind(
    src: Source,
    written: _Text,
    given: ast.expr | None,
    rest: list[ast.expr],
    node: ast.AST,
) -> BoundSql | None:
    text: list[str] = []
    values: dict[str, ast.expr] = {}
    positional = 0
    styles: set[str] = set()
    numbered: dict[int, str] = {}
    named: dict[str, str] = {}
    tail: list[int] = []  # the positional placeholders written after every conditional piece
    for piece, line in written.pieces:
        if not isinstance(piece, str):
            marker = f"__f{len(values)}"
            values[marker] = piece
            text.append(f":{marker}")
            continue
        last = 0
        for match in _PLACEHOLDER.finditer(piece):
            kind = match.lastgroup
            if kind is None:
                continue  # a literal or ``%%``: kept as written
            text.append(piece[last : match.start()])
            last = match.end()
            if kind in ("format", "qmark"):
                styles.add("positional")
                marker = f"__p{positional}"
                numbered[positional] = marker
                if line > written.cut:
                    tail.append(positional)
                positional += 1
            elif kind == "number":
                styles.add("numbered")
                index = int(match.group("number")) - 1
                marker = f"__p{index}"
                numbered[index] = marker
            else:
                styles.add("named")
                name = match.group(kind)
                marker = f"__k_{name}"
                named[name] = marker
            text.append(f":{marker}")
        text.append(piece[last:])
    if len(styles) > 1:
        return None
    if "positional" in styles:
        found = _sequence(src, given) if given is not None else None
        if found is None:
            return None
        sequence, cut = found
        if not written.cut and not cut:
            if len(sequence) != positional:
                return None
            values.update((numbered[i], v) for i, v in enumerate(sequence))
        elif written.cut and cut:
            # Pieces and values both added under a condition before: the ones after it line
            # up from the end (``sql += " LIMIT %s"`` then ``params.append(limit)``).
            last = min(len(tail), len(sequence))
            for index, value in zip(
                tail[len(tail) - last :], sequence[len(sequence) - last :], strict=True
            ):
                values[numbered[index]] = value
        else:
            return None  # the text or the values differ between runs, and the other not
    elif "numbered" in styles:
        if any(isinstance(a, ast.Starred) for a in rest):
            return None
        sequence = list(rest)
        if len(sequence) == 1:
            listed = _sequence(src, sequence[0])
            if listed is not None and listed[1]:
                return None  # a list that differs between runs
            sequence = listed[0] if listed is not None else sequence
        if len(sequence) != len(numbered) or max(numbered) >= len(sequence):
            return None
        values.update((m, sequence[i]) for i, m in numbered.items())
    elif "named" in styles:
        mapping = _mapping(given) if given is not None else None
        if mapping is None:
            return None
        values.update((named[k], v) for k, v in mapping.items() if k in named)
    return BoundSql("".join(text), values, node)


def _sequence(src: Source, node: ast.expr) -> tuple[list[ast.expr], int] | None:
    """The values of a tuple or list written out, or of a local list bound once to one and
    appended to (``params.append(limit)``), in order; with the last line that appends to it
    under a condition (0: none), after which only the values appended are given."""
    if isinstance(node, ast.Tuple | ast.List):
        written = _written(node)
        return (written, 0) if written is not None else None
    if not isinstance(node, ast.Name):
        return None
    func = src.function_of(node)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    up = src.up()
    base: ast.Assign | None = None
    for n in src.nodes_of(func):
        if isinstance(n, ast.Name) and n.id == node.id and isinstance(n.ctx, ast.Store):
            statement = up.get(n)
            if base is not None or not (
                isinstance(statement, ast.Assign) and statement.targets == [n]
            ):
                return None  # bound twice, or some other way
            base = statement
    if base is None or base.lineno > node.lineno:
        return None
    out = _written(base.value)
    block = block_of(base, up)
    if out is None or block is None:
        return None
    cut = 0
    uses = sorted(
        (
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Name)
            and n.id == node.id
            and n is not node
            and up.get(n) is not base
            and (n.lineno, n.col_offset) < (node.lineno, node.col_offset)
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for n in uses:
        parent = up.get(n)
        call = up.get(parent) if isinstance(parent, ast.Attribute) else None
        statement = up.get(call) if isinstance(call, ast.Call) else None
        if not (
            isinstance(parent, ast.Attribute)
            and parent.attr in ("append", "extend")
            and isinstance(call, ast.Call)
            and len(call.args) == 1
            and isinstance(statement, ast.Expr)
        ):
            return None  # changed in another way
        if statement not in block:
            cut, out = statement.lineno, []  # only on some runs: what follows lines up
            continue
        if parent.attr == "append":
            out.append(call.args[0])
        else:
            more = _written(call.args[0])
            if more is None:
                return None
            out.extend(more)
    return out, cut


def _written(node: ast.expr) -> list[ast.expr] | None:
    if not isinstance(node, ast.Tuple | ast.List):
        return None
    return None if any(isinstance(e, ast.Starred) for e in node.elts) else list(node.elts)


def _mapping(node: ast.expr) -> dict[str, ast.expr] | None:
    if isinstance(node, ast.Dict):
        out = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                return None
            out[key.value] = value
        return out
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        if node.args or any(k.arg is None for k in node.keywords):
            return None
        return {k.arg: k.value for k in node.keywords if k.arg is not None}
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# --- the statement ---------------------------------------------------------------------------

_Parsed = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]


@functools.lru_cache(maxsize=512)
def _parsed(text: str) -> _Parsed:
    """(the page placeholders: (kind, marker)), (the columns written: (table, column,
    marker)) of each statement of ``text``."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        statements = sqlglot.parse(text, read="postgres")
    except (SqlglotError, ValueError, RecursionError):
        return (), ()
    pages: list[tuple[str, str]] = []
    writes: list[tuple[str, str, str]] = []
    for statement in statements:
        if statement is None:
            continue
        for kind, cls in (("limit", exp.Limit), ("offset", exp.Offset)):
            for clause in statement.find_all(cls):
                marker = _marker(clause.expression)
                if marker is not None:
                    pages.append((kind, marker))
        if isinstance(statement, exp.Insert):
            writes.extend(_inserted(statement))
        elif isinstance(statement, exp.Update):
            writes.extend(_updated(statement))
    return tuple(pages), tuple(writes)


def _marker(node: object) -> str | None:
    from sqlglot import exp

    while isinstance(node, exp.Func) and type(node).__name__.lower() in _SAME_LENGTH_SQL:
        node = node.this
    if isinstance(node, exp.Placeholder) and isinstance(node.this, str):
        return node.this if node.this.startswith("__") else None
    return None


def _inserted(statement: object) -> list[tuple[str, str, str]]:
    from sqlglot import exp

    assert isinstance(statement, exp.Insert)
    target = statement.this
    if not isinstance(target, exp.Schema) or not isinstance(target.this, exp.Table):
        return []
    columns = [c.name for c in target.expressions]
    rows = statement.expression
    if not isinstance(rows, exp.Values) or len(rows.expressions) != 1:
        return []
    row = rows.expressions[0]
    if not isinstance(row, exp.Tuple) or len(row.expressions) != len(columns):
        return []
    table = target.this.name
    out = []
    for column, value in zip(columns, row.expressions, strict=True):
        marker = _marker(value)
        if marker is not None:
            out.append((table, column, marker))
    return out


def _updated(statement: object) -> list[tuple[str, str, str]]:
    from sqlglot import exp

    assert isinstance(statement, exp.Update)
    if not isinstance(statement.this, exp.Table):
        return []
    out = []
    for assignment in statement.expressions:
        if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
            marker = _marker(assignment.expression)
            if marker is not None:
                out.append((statement.this.name, assignment.this.name, marker))
    return out
