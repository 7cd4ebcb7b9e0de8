"""BKD212: the client picks the sort column and nothing checks it.

``sort = request.args.get("sort", "created_at")`` (or a FastAPI ``sort_by: str = "name"``)
reaches the query as ``order_by(getattr(Post, sort))`` (an unknown name is an AttributeError,
a 500, and any attribute of the class is reachable), ``order_by(text(sort))`` or an f-string's
``ORDER BY {sort}`` (SQL injection), or ``order_by(sort)`` (SQLAlchemy resolves the string as
SQL text: an unknown name fails the query). The fix is an allow-list of the model's own
columns, from the workspace schema, answered as the app answers a bad request: Flask's 400 in
the module's idiom, FastAPI's ``HTTPException``, or, for a plain ``str`` query parameter on a
Python with ``typing.Literal``, a ``Literal[...]`` annotation (FastAPI answers 422 itself).

A check that does nothing (``if col not in ALLOWED: pass``, or only a log line) is no check:
the fix puts the answer in place of its ``pass`` (after its log line), keeping the app's own
allow-list. Silent when the value is checked in the handler (``in``/``not in`` a collection,
``hasattr``, a call in a condition, a dict lookup), when it is typed (an enum, a ``Literal``,
a ``pattern``), when it is not the client's, and when the model or table being sorted is not
known. A ``getattr`` that is a sort key is this rule's, not BKD209's (client_attributes.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..suggestion import Edit, Suggestion
from .client_text import (
    ClientText,
    TextReader,
    allow_listed,
    bindings,
    binds,
    client_text,
    holders,
    idle_guards,
    mentions,
    string_value,
    tested_inline,
    text_reader,
)
from .django_querysets import adds_names, django_refusal, manager_model, view_queryset
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .pyedits import LINE_LENGTH, ensure_imports, insert_before_line, replace_node, statement_lines
from .pysource import Source, binds_anywhere, dotted
from .schema import Table

Function = ast.FunctionDef | ast.AsyncFunctionDef
# How a Flask route answers 400 (validation.py's ``_flask_400``): the statement and its imports.
FlaskAnswer = Callable[[ModuleFacts, Route, str], tuple[str, list[Edit]]]

# ``desc(key)``, ``key.desc()``, ``nullslast(key)``: the key, sorted one way.
_DIRECTIONS = {"desc", "asc", "nullsfirst", "nullslast", "nulls_first", "nulls_last"}
# A query chain whose rows come from more than the one model: a textual key may name any.
_MORE_TABLES = {
    "join", "outerjoin", "join_from", "select_from", "add_columns", "add_entity",
    "with_entities", "from_statement", "union", "union_all",
}  # fmt: skip
_ORDER_BY = re.compile(r"\border\s+by\s*$", re.IGNORECASE)
_SECRET_PARTS = {"password", "passwd", "pwd", "secret", "token", "salt", "hash", "otp", "apikey"}
_MESSAGE = "unknown sort column"
_UNSIGNED = '.lstrip("-")'


@dataclass(frozen=True)
class _Site:
    node: ast.expr  # where the finding points
    key: ClientText
    kind: str  # attribute | text | string | sql
    table: Table
    owner: str  # the model (or, for raw SQL without one, the table) sorted
    direction: str = ""  # raw SQL: the client's value that follows the column (``{order}``)


@dataclass(frozen=True)
class _Allowed:
    constant: str
    names: tuple[str, ...]  # sorted
    defined: bool  # the module already binds the constant to these names
    secrets: bool  # columns that hold secrets were left out


def sort_key_suggestions(facts: ModuleFacts, flask_400: FlaskAnswer) -> list[Suggestion]:
    if facts.schema is None or not re.search(r"order_by|order\s+by", facts.source.text, re.I):
        return []
    # (site, allow-list, the edits, how they fix it: literal | check | the idle guard answered)
    found: list[tuple[_Site, _Allowed, list[Edit], str | ast.If]] = []
    for route in facts.routes:
        if route.framework not in ("flask", "fastapi", "django"):
            continue
        done: set[str] = set()
        reader = text_reader(facts, route)
        for site in _sites(facts, reader):
            identity = site.key.name or ast.dump(site.key.expr)
            if identity in done:
                continue
            done.add(identity)
            allowed = _allowed(facts, reader, site)
            if allowed is None or "\n" in as_written(facts.source, site.key.expr):
                continue
            answered = _answered_guard(facts, route, reader, site, flask_400)
            if answered is not None:
                found.append((site, allowed, answered[1], answered[0]))
                continue
            literal = _literal_edits(facts, site.key, allowed)
            check = _check(facts, route, site, allowed, flask_400) if literal is None else None
            if literal is not None or check is not None:
                found.append(
                    (site, allowed, literal or check or [], "check" if check else "literal")
                )
    # One constant per model, defined above the first handler that checks against it: every
    # finding proposes the same definition, so applying several defines it once.
    anchors: dict[str, int] = {}
    for site, allowed, _, fix in found:
        if fix == "check":
            line = _top_level_line(facts, site.node)
            anchors[allowed.constant] = min(anchors.get(allowed.constant, line), line)
    out = []
    for site, allowed, edits, fix in found:
        if fix == "check" and not allowed.defined:
            definition = _definition(allowed) + "\n\n"
            edits = [
                *edits,
                insert_before_line(facts.source, anchors[allowed.constant], definition),
            ]
        out.append(_suggestion(facts, site, allowed, edits, fix))
    return out


def sort_key_getattrs(facts: ModuleFacts, func: Function) -> set[int]:
    """The ``getattr(Model, name)`` calls of ``func`` that pick an ``order_by``'s column
    (directly, wrapped in ``desc()``, or through a local): BKD212's sites, not BKD209's."""
    return {
        id(found[1])
        for call in order_by_calls(facts.source, func)
        for arg in call.args
        for expr in directed(through_local(func, arg))
        if (found := getattr_of(func, expr)) is not None
    }


def literal_allowed(facts: ModuleFacts) -> bool:
    """``typing.Literal`` exists on the Python the app runs on (3.8 and later)."""
    return facts.python is None or facts.python >= (3, 8)


# --- where a client value picks the sort --------------------------------------------------


def _sites(facts: ModuleFacts, reader: TextReader) -> Iterator[_Site]:
    func = reader.func
    found: list[_Site] = []
    for call in order_by_calls(facts.source, func):
        for arg in call.args:
            for expr in directed(through_local(func, arg)):
                site = _order_site(facts, reader, call, expr)
                if site is not None:
                    found.append(site)
    for node in facts.source.nodes_of(func):
        site = _sql_site(facts, reader, node)
        if site is not None:
            found.append(site)
    yield from sorted(found, key=lambda s: (s.node.lineno, s.node.col_offset))


def order_by_calls(source: Source, func: Function) -> list[ast.Call]:
    return [
        n
        for n in source.nodes_of(func)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "order_by"
    ]


def through_local(func: Function, arg: ast.expr) -> ast.expr:
    """``order = col.desc() if ... else col.asc()`` then ``order_by(order, ...)``: the
    direction a local bound once holds, read as if written in place."""
    if isinstance(arg, ast.Name):
        values = bindings(func, arg.id) or []
        if len(values) == 1 and isinstance(values[0], ast.IfExp | ast.Call):
            value = values[0]
            if isinstance(value, ast.IfExp) or dotted(value.func).split(".")[-1] in _DIRECTIONS:
                return value
    return arg


def directed(arg: ast.expr) -> Iterator[ast.expr]:
    """The sort keys of an ``order_by`` argument, through ``desc(...)``/``.desc()`` and a
    conditional (``col.desc() if sort.startswith("-") else col``)."""
    if isinstance(arg, ast.IfExp):
        yield from directed(arg.body)
        yield from directed(arg.orelse)
    elif (
        isinstance(arg, ast.Call)
        and dotted(arg.func).split(".")[-1] in _DIRECTIONS
        and not arg.keywords
        and len(arg.args) <= 1
    ):
        if arg.args:  # ``desc(key)``, ``sa.desc(key)``
            yield from directed(arg.args[0])
        elif isinstance(arg.func, ast.Attribute):  # ``key.desc()``
            yield from directed(arg.func.value)
    else:
        yield arg


def getattr_of(func: Function, expr: ast.expr) -> tuple[ast.expr, ast.Call] | None:
    """``getattr(Model, key)`` (two arguments: a default answers an unknown name itself), or
    a local bound to one (and otherwise only to itself, sorted: ``col = col.desc()``)."""
    if isinstance(expr, ast.Name):
        values = bindings(func, expr.id)
        calls = [v for v in values or [] if _is_getattr(v)]
        if len(calls) != 1 or not all(
            v is calls[0] or mentions(v, {expr.id}) for v in values or []
        ):
            return None
        expr = calls[0]
    if _is_getattr(expr):
        assert isinstance(expr, ast.Call)
        return expr.args[1], expr
    return None


def _is_getattr(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) == 2
        and not node.keywords
    )


def _order_site(
    facts: ModuleFacts, reader: TextReader, call: ast.Call, expr: ast.expr
) -> _Site | None:
    func, schema = reader.func, facts.schema
    assert schema is not None
    attribute = getattr_of(func, expr)
    if attribute is not None:
        value, node = attribute
        model = _model_name(facts, node.args[0])
        # a handler that answers the miss itself (not one that calls it a 500)
        if model is None or caught(node, facts.up, {"AttributeError"}, client_error=True):
            return None
        key = _sort_key(reader, value)
        table = schema.table_for_model(model)
        return _Site(node, key, "attribute", table, model) if key and table else None
    kind, node = "string", call
    if isinstance(expr, ast.Call) and _is_text(facts, expr.func) and len(expr.args) == 1:
        kind, node, expr = "text", expr, _leading(expr.args[0])
    if isinstance(expr, ast.Constant):
        return None
    key = _sort_key(reader, expr)
    if key is None:
        return None
    if kind == "string" and caught(call, facts.up, {"Exception", "FieldError"}, client_error=True):
        return None
    assert isinstance(call.func, ast.Attribute)
    model = _chain_model(facts, func, call.func.value)
    table = schema.table_for_model(model) if model else None
    if table is None or not model:
        return None
    if table.origin == "django":
        # Django resolves the string as a field path, relations included
        return _Site(node, key, "django", table, model) if kind == "string" else None
    if kind == "string" and table.attributes:
        return None  # attributes named apart from their columns: which one the string resolves
    return _Site(node, key, kind, table, model)


def _sort_key(reader: TextReader, expr: ast.expr) -> ClientText | None:
    """The client's text ``expr`` reads, unless read inline and maybe None: ``order_by(None)``
    is a valid "no order", and a test of the inline read would have to read it twice."""
    key = client_text(reader, expr)
    return None if key is None or (key.nullable and not key.name) else key


def _leading(clause: ast.expr) -> ast.expr:
    """What leads a textual ORDER BY clause: ``sort`` in ``f"{sort} {direction}"`` or
    ``sort + " " + direction``."""
    while isinstance(clause, ast.BinOp) and isinstance(clause.op, ast.Add):
        clause = clause.left
    if isinstance(clause, ast.JoinedStr) and clause.values and _interpolated(clause.values[0]):
        first = clause.values[0]
        assert isinstance(first, ast.FormattedValue)
        return first.value
    return clause


def _sql_site(facts: ModuleFacts, reader: TextReader, node: ast.AST) -> _Site | None:
    """``f"SELECT ... FROM posts ORDER BY {sort}"`` or ``"... ORDER BY " + sort``: the
    client's text is the SQL."""
    value: ast.expr | None = None
    literal, then = "", ""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        for at, part in enumerate(parts[1:], 1):
            if _interpolated(part) and _ORDER_BY.search(string_value(parts[at - 1]) or ""):
                assert isinstance(part, ast.FormattedValue)
                value, then = part.value, _direction(reader, parts[at + 1 : at + 3])
                break
        literal = "".join(string_value(v) or " ? " for v in parts)
    elif (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Add)
        and _ORDER_BY.search(string_value(node.left) or "")
    ):
        value, literal = node.right, string_value(node.left) or ""
    if value is None:
        return None
    key = _sort_key(reader, value)
    if key is None:
        return None
    name = _sql_table(literal + " " + _built_before(facts, reader.func, node))
    schema = facts.schema
    table = schema.tables.get(name) if schema is not None and name else None
    if table is None or not table.columns:
        return None
    assert isinstance(node, ast.expr)
    return _Site(node, key, "sql", table, table.model or table.name, then)


def _direction(reader: TextReader, following: list[ast.expr]) -> str:
    """``ORDER BY {sort} {direction}``: the client's name of a value that follows the column
    after a space ("" when none does)."""
    space = string_value(following[0]) if len(following) == 2 else None
    if space is None or space.strip():
        return ""
    value = following[1]
    found = _sort_key(reader, value.value) if isinstance(value, ast.FormattedValue) else None
    return found.label if found is not None and _interpolated(value) else ""


def _interpolated(part: ast.expr) -> bool:
    """``{value}`` in an f-string, as it is (no ``!r``, no format spec)."""
    return isinstance(part, ast.FormattedValue) and part.conversion == -1 and not part.format_spec


def _built_before(facts: ModuleFacts, func: Function, node: ast.AST) -> str:
    """The rest of a query built in steps (``sql = "SELECT ... FROM posts"`` then
    ``sql += f" ORDER BY {sort}"``): the other string parts bound to the same local."""
    stmt = facts.up.get(node)
    if not isinstance(stmt, ast.Assign | ast.AugAssign) or stmt.value is not node:
        return ""
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
    if not isinstance(target, ast.Name):
        return ""
    parts: list[str] = []
    for other in facts.source.nodes_of(func):
        if isinstance(other, ast.Assign | ast.AugAssign) and other is not stmt:
            bound = other.targets if isinstance(other, ast.Assign) else [other.target]
            if any(isinstance(t, ast.Name) and t.id == target.id for t in bound):
                parts.extend(
                    n.value
                    for n in ast.walk(other.value)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                )
    return " ".join(parts)


def _sql_table(sql: str) -> str | None:
    """The one table a SELECT reads (None: a join, a subquery, several FROMs, no SELECT)."""
    if not re.search(r"\bselect\b", sql, re.I) or re.search(r"\b(join|union)\b", sql, re.I):
        return None
    if len(re.findall(r"\bfrom\b", sql, re.I)) != 1:
        return None
    found = re.search(
        r"\bfrom\s+[\"`\[]?([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)[\"`\]]?(.*?)"
        r"(?=\bwhere\b|\bgroup\b|\border\b|\blimit\b|\bhaving\b|$)",
        sql,
        re.I | re.S,
    )
    if found is None or "," in found.group(2) or "(" in found.group(2):
        return None
    return found.group(1).split(".")[-1]


def _is_text(facts: ModuleFacts, func: ast.expr) -> bool:
    """SQLAlchemy's ``text``: imported from it, or through its module or a Flask-SQLAlchemy
    ``db`` (``sa.text``, ``db.text``)."""
    if isinstance(func, ast.Name):
        return facts.imports.get(func.id, "").startswith("sqlalchemy") and func.id == "text"
    if isinstance(func, ast.Attribute) and func.attr == "text" and isinstance(func.value, ast.Name):
        module = facts.imports.get(func.value.id, "")
        return module.startswith("sqlalchemy") or func.value.id == "db"
    return False


def _model_name(facts: ModuleFacts, node: ast.expr) -> str | None:
    """A SQLAlchemy model of the schema, by its name or through its module (``models.Post``)."""
    assert facts.schema is not None
    name = dotted(node)
    if name.count(".") == 1 and name.split(".")[1] in facts.schema.models:
        name = name.split(".")[1]
    table = facts.schema.table_for_model(name) if name else None
    return name if table is not None and table.origin == "sqlalchemy" else None


def _chain_model(facts: ModuleFacts, func: Function, node: ast.expr, depth: int = 0) -> str | None:
    """The one model an ``order_by``'s query reads: ``Post.query...``, ``session.query(Post)``,
    ``select(Post)``, or a local built from one in steps (``q = q.filter(...)``)."""
    while isinstance(node, ast.Call):
        step = node.func
        name = step.attr if isinstance(step, ast.Attribute) else dotted(step)
        if name in _MORE_TABLES or adds_names(name):
            return None
        mirrored = view_queryset(facts.up, node)
        if mirrored is not None:
            return _chain_model(facts, func, mirrored, depth + 1) if depth <= 3 else None
        if name in ("query", "select"):
            if len(node.args) != 1:
                return None
            return _model_name(facts, node.args[0])
        if not isinstance(step, ast.Attribute):
            return None
        node = step.value
    if isinstance(node, ast.Attribute) and node.attr == "query":
        return _model_name(facts, node.value)
    if isinstance(node, ast.Attribute) and node.attr == "objects":
        assert facts.schema is not None
        return manager_model(facts.schema, node)
    mirrored = view_queryset(facts.up, node)
    if mirrored is not None:
        return _chain_model(facts, func, mirrored, depth + 1) if depth <= 3 else None
    if not isinstance(node, ast.Name) or depth > 3:
        return None
    values = bindings(func, node.id)
    if not values:
        return None
    models: set[str | None] = set()
    for value in values:
        if _chain_root(value) == node.id:  # ``q = q.filter(...)``: one more step of the same
            if _more_tables(value):
                return None
            continue
        models.add(_chain_model(facts, func, value, depth + 1))
    return models.pop() if len(models) == 1 else None


def _chain_root(node: ast.expr) -> str:
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    return node.id if isinstance(node, ast.Name) else ""


def _more_tables(node: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _MORE_TABLES
        for n in ast.walk(node)
    )


# --- the allow-list -----------------------------------------------------------------------


def _allowed(facts: ModuleFacts, reader: TextReader, site: _Site) -> _Allowed | None:
    key, func = site.key, reader.func
    related = holders(reader, key)
    if allow_listed(func, related) or _special_values(func, related, site):
        return None
    if not key.name and tested_inline(func, key.expr):
        return None
    if site.kind in ("attribute", "string"):
        columns = attribute_names(site.table)
    elif site.kind == "django":
        # a ForeignKey by its field's name: Django sorts by the related model's ordering
        columns = list(site.table.columns)
    else:
        columns = list(site.table.columns)
    kept = sorted(c for c in columns if not _secret(c))
    # SQL's names and getattr's differ where a column is renamed (``created =
    # Column("created_at")``): one constant cannot serve both kinds of site then
    by_sql = site.kind not in ("attribute", "string", "django")
    renamed = attribute_names(site.table) != list(site.table.columns)
    constant = f"{_constant_stem(site.owner)}_SORT_{'COLUMNS' if by_sql and renamed else 'KEYS'}"
    existing = _module_constant(facts.source, constant)
    if existing is False or binds_anywhere(func, constant):
        return None  # the name is taken by something else
    names = tuple(existing) if isinstance(existing, tuple) else tuple(kept)
    default = key.default
    if default is not None and site.kind == "django":
        default = default.lstrip("-")  # ``"-created_at"``: descending, the field all the same
    if not names or (default is not None and default not in names):
        return None  # the default is no column: the value means something else too
    return _Allowed(constant, names, isinstance(existing, tuple), len(kept) < len(columns))


def _special_values(func: Function, names: set[str], site: _Site) -> bool:
    """``if sort == "popular": ...``: a value the handler gives its own meaning (it is no
    column): checking the others against the columns would refuse it."""
    columns = set(site.table.columns) | set(site.table.attributes)
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and mentions(node.left, names):
            for op, other in zip(node.ops, node.comparators, strict=False):
                value = string_value(other) if isinstance(op, ast.Eq | ast.NotEq) else None
                if value is not None and value.lstrip("-") not in columns:
                    return True
    return False


def attribute_names(table: Table) -> list[str]:
    """The model's attribute for each column, in table order: what ``getattr(Model, name)``
    takes (``title = Column("BkTitle")`` is ``title``, not ``BkTitle``)."""
    by_column = {c: a for a, c in table.attributes.items()}
    return [by_column.get(c, c) for c in table.columns]


def offered_attributes(table: Table) -> list[str]:
    """The attributes a client may be offered to pick, sorted: no secret's column."""
    return sorted(c for c in attribute_names(table) if not _secret(c))


def _secret(column: str) -> bool:
    """A column whose order would leak it (a password hash, a token)."""
    parts = set(column.lower().split("_"))
    return bool(parts & _SECRET_PARTS) or "password" in column.lower()


def _constant_stem(owner: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", owner).upper()


def _module_constant(source: Source, name: str) -> tuple[str, ...] | bool | None:
    """What the module binds ``name`` to at its top level: a collection of strings (as a
    tuple), False for anything else, None when it binds nothing by that name."""
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.Assign | ast.AnnAssign) and binds(
                stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target, name
            ):
                value = stmt.value
                if (
                    isinstance(value, ast.Call)
                    and dotted(value.func) in ("frozenset", "set", "tuple")
                    and len(value.args) == 1
                ):
                    value = value.args[0]
                items = value.elts if isinstance(value, ast.Tuple | ast.List | ast.Set) else []
                texts = [t for t in map(string_value, items) if t is not None]
                return tuple(texts) if items and len(texts) == len(items) else False
            if isinstance(
                stmt,
                ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Import | ast.ImportFrom,
            ):
                bound = (
                    [stmt.name]
                    if not isinstance(stmt, ast.Import | ast.ImportFrom)
                    else [(a.asname or a.name).split(".")[0] for a in stmt.names]
                )
                if name in bound:
                    return False
    return None


# --- the fix --------------------------------------------------------------------------------


def _suggestion(
    facts: ModuleFacts, site: _Site, allowed: _Allowed, edits: list[Edit], fix_: str | ast.If
) -> Suggestion:
    src, key = facts.source, site.key
    whose = f"{site.owner}'s" if site.table.model else f"the {site.owner} table's"
    if isinstance(fix_, ast.If):
        return _guard_suggestion(facts, site, edits, fix_)
    checks = fix_ == "check"
    if checks and site.kind == "django":
        fix = f"Checking it (less a leading `-`) against `{allowed.constant}` answers 400 to "
        fix += "anything else"
    elif checks:
        fix = f"Checking it against `{allowed.constant}` answers 400 to anything else"
    else:
        fix = f"`{key.name}: Literal[...]` of {whose} columns makes FastAPI answer 422"
        fix += " to anything else"
    also = ""
    if site.direction:  # the check is the column's: the direction is the reviewer's
        also = f" `{site.direction}` follows it into the SQL unchecked too: allow only ASC/DESC."
    noun = "fields" if site.kind == "django" else "columns"
    trim = f" (trim it to the {noun} meant to be offered"
    trim += f"; {noun} that hold secrets are left out)" if allowed.secrets else ")"
    return Suggestion(
        "BKD212",
        "validation",
        src.path,
        src.span(site.node),
        f"Allow only {whose} {noun} as the sort key `{key.label}`",
        f"{_problem(src, site)} {fix}{'' if allowed.defined else trim}.{also}",
        tuple(edits),
    )


def _guard_suggestion(
    facts: ModuleFacts, site: _Site, edits: list[Edit], guard: ast.If
) -> Suggestion:
    src = facts.source
    logs = not isinstance(guard.body[0], ast.Pass) or len(guard.body) > 1
    where = "after its log line" if logs else "in place of its `pass`"
    return Suggestion(
        "BKD212",
        "validation",
        src.path,
        src.span(site.node),
        f"Answer 400 where the check of the sort key `{site.key.label}` lets it through",
        f"`if {src.text_of(guard.test)}:` {'only logs' if logs else 'does nothing'}: the "
        f"name it refuses goes on to the query all the same. {_problem(src, site)} "
        f"Answering 400 {where} refuses what the check refuses.",
        tuple(edits),
    )


def _answered_guard(
    facts: ModuleFacts, route: Route, reader: TextReader, site: _Site, flask_400: FlaskAnswer
) -> tuple[ast.If, list[Edit]] | None:
    """``if col not in ALLOWED: pass`` before the sort: the answer in place of its ``pass``
    (after its log line), for a check that refuses the key and runs before every read of it."""
    names = holders(reader, site.key)
    guards = [
        g
        for g in idle_guards(reader.func)
        if _refuses(g.test, names) and _runs_before(facts.up, g, site.node)
    ]
    if len(guards) != 1:
        return None
    guard = guards[0]
    answered = answer_400(facts, route, site.key, flask_400)
    if answered is None:
        return None
    answer, imports, catching = answered
    if not answer.startswith("return ") and caught(guard, facts.up, catching):
        return None  # a broad ``except`` around it would take the 400 for a failure
    src, body = facts.source, guard.body
    if isinstance(body[0], ast.Pass) and len(body) == 1:
        if src.lines[body[0].lineno - 1].strip() != "pass":
            return None  # ``if ...: pass`` on one line
        return guard, [*imports, replace_node(src, body[0], answer)]
    last = body[-1]
    if src.lines[last.lineno - 1][: last.col_offset].strip():
        return None
    indent = src.indent_of(last.lineno - 1)
    return guard, [*imports, insert_before_line(src, statement_lines(last)[1] + 1, indent + answer)]


def _refuses(test: ast.expr, names: set[str]) -> bool:
    """The test holds for a value the check refuses: ``col not in ALLOWED``, ``not
    hasattr(Model, col)``."""
    if isinstance(test, ast.Compare):
        return (
            len(test.ops) == 1 and isinstance(test.ops[0], ast.NotIn) and mentions(test.left, names)
        )
    return (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Call)
        and dotted(test.operand.func) == "hasattr"
        and any(mentions(a, names) for a in test.operand.args)
    )


def _runs_before(up: dict[ast.AST, ast.AST], guard: ast.If, node: ast.AST) -> bool:
    """``guard`` is a statement of a block that holds ``node`` further down."""
    parent = up.get(guard)
    block = next(
        (b for b in (getattr(parent, f, None) for f in ("body", "orelse", "finalbody"))
         if isinstance(b, list) and any(s is guard for s in b)),
        None,
    )  # fmt: skip
    at: ast.AST | None = node
    while at is not None and up.get(at) is not parent:
        at = up.get(at)
    if block is None or at is None:
        return False
    index = {id(s): i for i, s in enumerate(block)}
    return id(at) in index and index[id(at)] > index[id(guard)]


def _problem(src: Source, site: _Site) -> str:
    label, owner = site.key.label, site.owner
    if site.kind == "attribute":
        return (
            f"`{src.text_of(site.node)}` sorts by whatever attribute the client names in "
            f"`{label}`: an unknown name raises AttributeError (a 500), and any attribute of "
            f"{owner} is reachable, not only its columns."
        )
    if site.kind == "django":
        related = next((c for c, col in site.table.columns.items() if col.references), "")
        example = f" (`{related}__password`)" if related else ""
        return (
            f"`{src.text_of(site.node)}` sorts by whatever field the client names in "
            f"`{label}`: an unknown name raises FieldError (a 500), and a related model's "
            f"field{example} is reachable too, its values given away by the order of the rows."
        )
    if site.kind == "text":
        return (
            f"`{src.text_of(site.node)}` puts the client's `{label}` into the ORDER BY "
            "as SQL: anything the client sends runs (SQL injection), and an unknown column is "
            "a 500."
        )
    if site.kind == "string":
        return (
            f"`{src.text_of(site.node)}` hands SQLAlchemy the client's `{label}` as SQL text "
            "to resolve: SQLAlchemy 1.4 and later fail the query on an unknown name (a 500), "
            "older versions send it to the database as written (SQL injection)."
        )
    return (
        f"The query puts the client's `{label}` after ORDER BY as written: anything the "
        "client sends runs (SQL injection), and an unknown column is a 500."
    )


def _literal_edits(facts: ModuleFacts, key: ClientText, allowed: _Allowed) -> list[Edit] | None:
    """``sort: str = "name"`` -> ``sort: Literal[...] = "name"``, for a parameter the query
    reads as it is, where the app's Python has ``typing.Literal``."""
    param = key.param
    if param is None or param.annotation is None or key.constrained or not literal_allowed(facts):
        return None
    if not (isinstance(key.expr, ast.Name) and key.expr.id == param.arg):
        return None  # read through ``lstrip("-")``: its values are no columns
    texts = [n for n in ast.walk(param.annotation) if isinstance(n, ast.Name) and n.id == "str"]
    if len(texts) != 1:
        return None
    names = ", ".join(f'"{n}"' for n in allowed.names)
    src = facts.source
    return [
        *ensure_imports(src, [("typing", "Literal")]),
        replace_node(src, texts[0], f"Literal[{names}]"),
    ]


def _check(
    facts: ModuleFacts, route: Route, site: _Site, allowed: _Allowed, flask_400: FlaskAnswer
) -> list[Edit] | None:
    """The ``if key not in ALLOWED:`` that answers 400, after the key's binding, at the top
    of the handler (a parameter), or before the statement that reads it inline."""
    return membership_check(facts, route, site.key, site.node, allowed.constant, flask_400)


def membership_check(
    facts: ModuleFacts,
    route: Route,
    key: ClientText,
    node: ast.expr,
    against: str,
    flask_400: FlaskAnswer | None,
) -> list[Edit] | None:
    """``_check``'s edits, testing ``key`` against the collection ``against`` names, for the
    sort key read at ``node`` (``flask_400`` None: a Flask route gets none)."""
    src, func = facts.source, route.func
    answered = answer_400(facts, route, key, flask_400)
    if answered is None:
        return None
    answer, imports, catching = answered
    if key.after is not None:
        at, line = key.after, statement_lines(key.after)[1] + 1
    elif key.param is not None:
        body = func.body
        first = body[1] if len(body) > 1 and _docstring(body[0]) else body[0]
        if _docstring(first):
            return None
        at, line = first, statement_lines(first)[0]
    else:
        stmt = enclosing_statement(node, facts.up)
        if stmt is None or stmt is func:
            return None
        at, line = stmt, statement_lines(stmt)[0]
        if src.lines[at.lineno - 1].lstrip().startswith("elif"):
            return None
    if src.lines[at.lineno - 1][: at.col_offset].strip() or at.lineno == func.lineno:
        return None  # the statement shares its line (``if x: sort = ...``)
    if not answer.startswith("return ") and caught(at, facts.up, catching):
        return None  # a broad ``except`` around it would take the 400 for a failure
    indent = src.indent_of(at.lineno - 1)
    guard = f"{key.name} and " if key.nullable and key.name else ""
    value = as_written(src, key.expr)
    if route.framework == "django" and not value.endswith(_UNSIGNED):
        value += _UNSIGNED  # Django's ``"-price"`` sorts by ``price`` descending
    test = f"{guard}{value} not in {against}"
    text = f"{indent}if {test}:\n{indent}    {answer}"
    return [*imports, insert_before_line(src, line, text)]


def answer_400(
    facts: ModuleFacts, route: Route, key: ClientText, flask_400: FlaskAnswer | None
) -> tuple[str, list[Edit], set[str]] | None:
    """How the route answers an unknown sort key: the statement, its imports, and the
    classes a broad ``except`` would take it for."""
    catching = {"HTTPException"}
    if route.framework == "flask":
        if flask_400 is None:
            return None
        answer, imports = flask_400(facts, route, _MESSAGE)
    elif route.framework == "django":
        refusal = django_refusal(facts, route, key.label, _MESSAGE)
        if refusal is None:
            return None
        answer, imports, catching = refusal
    else:
        if "HTTPException" not in facts.imports and not facts.can_import("fastapi"):
            return None
        answer = f'raise HTTPException(status_code=400, detail="{_MESSAGE}")'
        imports = ensure_imports(facts.source, [("fastapi", "HTTPException")])
    return answer, imports, catching


def as_written(src: Source, expr: ast.expr) -> str:
    """``expr`` as the source writes it; inside an f-string, where older Pythons place the
    nodes loosely, as it reads back (``ast.unparse``) when the slice is not it."""
    text = src.text_of(expr)
    try:
        same = ast.dump(ast.parse(text, mode="eval").body) == ast.dump(expr)
    except (SyntaxError, ValueError, RecursionError):
        same = False
    return text if same else ast.unparse(expr)


def _docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and string_value(stmt.value) is not None


def _definition(allowed: _Allowed) -> str:
    items = ", ".join(f'"{n}"' for n in allowed.names)
    one = f"{allowed.constant} = ({items}{',' if len(allowed.names) == 1 else ''})"
    if len(one) <= LINE_LENGTH:
        return one
    lines = "".join(f'    "{n}",\n' for n in allowed.names)
    return f"{allowed.constant} = (\n{lines})"


def _top_level_line(facts: ModuleFacts, inner: ast.AST) -> int:
    """The first line (decorators included) of the module statement holding ``inner``."""
    node = inner
    while not isinstance(facts.up.get(node), ast.Module) and facts.up.get(node) is not None:
        node = facts.up[node]
    assert isinstance(node, ast.stmt)
    return statement_lines(node)[0]
