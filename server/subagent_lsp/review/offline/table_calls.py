"""Tables written as calls rather than classes: ``sa.Table("followers", metadata, ...)`` /
``db.Table(...)`` association tables, and Alembic's ``op.create_table``, ``op.create_index``,
``op.create_primary_key``, ``op.create_unique_constraint`` and ``op.add_column``.

Columns passed as ``*timestamps()`` are read from that helper's ``return (sa.Column(...), ...)``
when it is defined in the same file (the shape Alembic migrations use for shared columns).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ...definitions.findings import Position
from .alembic_history import op_name
from .column_makers import MakerCall, maker_call
from .pysource import Source, dotted

_OPS = ("create_index", "create_primary_key", "create_unique_constraint", "add_column")


@dataclass
class CallColumn:
    name: str
    type: str = ""
    primary_key: bool = False
    unique: bool = False
    indexed: bool = False
    references: str = ""
    call_end: Position | None = None  # the Column call's closing parenthesis
    call_has_args: bool = True


@dataclass
class TableCall:
    name: str
    kind: str  # table | alembic (a migration step) | alembic-index (an index, a key, a column)
    columns: list[CallColumn] = field(default_factory=list)
    indexes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    call_end: Position | None = None  # Table(...): the end of its last argument
    prefix: str = ""  # ``db.`` / ``sa.``: how the call reaches Column and Index
    # ``uuid_pk()``, ``created_at(index=True)``: columns a project function makes, known once
    # the workspace's makers are (column_makers)
    makers: list[MakerCall] = field(default_factory=list)
    # ``ForeignKeyConstraint(["cart_id"], ["cart.id"], ondelete="CASCADE")``, a Column's
    # ``ForeignKey(..., ondelete=...)``, ``op.create_foreign_key(..., ondelete=...)``: by column
    delete_rules: dict[str, str] = field(default_factory=dict)


def table_call(source: Source, call: ast.Call) -> TableCall | None:
    func = dotted(call.func)
    last = func.split(".")[-1]
    if last == "Table" and call.args and _string(call.args[0]):
        prefix = func[: -len("Table")]
        out = TableCall(_string(call.args[0]) or "", "table", prefix=prefix)
        # After the last argument, not before ``)``: a trailing comma may sit between them.
        out.call_end = source.end(call.args[-1])
        _items(source, call.args[1:], out)
        return out if out.columns or out.makers else None
    if not func.startswith("op.") and func != "create_table":
        return None
    if last == "create_table" and call.args and _string(call.args[0]):
        out = TableCall(_string(call.args[0]) or "", "alembic")
        _items(source, call.args[1:], out)
        return out if out.columns else None
    if last in _OPS:
        return _operation(source, last, call)
    if last == "create_foreign_key":
        return _foreign_key(call)
    return None


def _foreign_key(call: ast.Call) -> TableCall | None:
    """``op.create_foreign_key(name, "cartitem", "cart", ["cart_id"], ["id"],
    ondelete="CASCADE")``: the rule of the key it adds to its source table."""
    kws = {k.arg: k.value for k in call.keywords if k.arg}
    args = [*call.args, *[None] * 5][:5]
    table = _string(args[1] or kws.get("source_table"))
    columns = args[3] or kws.get("local_cols")
    rule = _string(kws.get("ondelete"))
    if table is None or rule is None or not isinstance(columns, ast.List | ast.Tuple):
        return None
    out = TableCall(table, "alembic-index")
    for name in (_string(e) for e in columns.elts):
        if name:
            out.delete_rules[name] = rule
    return out


def _operation(source: Source, op: str, call: ast.Call) -> TableCall | None:
    args = list(call.args)
    kws = {k.arg: k.value for k in call.keywords if k.arg}
    if op == "add_column":
        if len(args) < 2 or not _string(args[0]):
            return None
        out = TableCall(_string(args[0]) or "", "alembic-index")
        _items(source, args[1:2], out)
        return out
    named = kws.get("index_name") or kws.get("constraint_name")
    name = op_name(args[0] if args else named)
    table = _string(args[1]) if len(args) > 1 else _string(kws.get("table_name"))
    columns = args[2] if len(args) > 2 else kws.get("columns")
    if table is None or not isinstance(columns, ast.List | ast.Tuple):
        return None
    names = tuple(n for n in (_string(e) for e in columns.elts) if n)
    if not names:
        return None
    out = TableCall(table, "alembic-index")
    out.indexes.append((name or op, names))
    return out


def _items(source: Source, items: list[ast.expr], out: TableCall) -> None:
    for item in items:
        if isinstance(item, ast.Starred) and isinstance(item.value, ast.Call):
            _items(source, _helper_columns(source, dotted(item.value.func)), out)
            continue
        if not isinstance(item, ast.Call):
            continue
        kind = dotted(item.func).split(".")[-1]
        if kind == "Column":
            column = _column(source, item)
            if column is not None:
                out.columns.append(column)
                rule = _column_rule(item)
                if rule:
                    out.delete_rules[column.name] = rule
        elif kind == "ForeignKeyConstraint":
            rule = _string(next((k.value for k in item.keywords if k.arg == "ondelete"), None))
            local = item.args[0] if item.args else None
            if rule and isinstance(local, ast.List | ast.Tuple):
                for name in (_string(e) for e in local.elts):
                    if name:
                        out.delete_rules[name] = rule
        elif kind in ("PrimaryKeyConstraint", "UniqueConstraint", "Index"):
            names = [n for n in (_string(a) for a in item.args) if n]
            if kind == "Index":
                names = names[1:]
            if kind == "PrimaryKeyConstraint" and len(names) == 1:
                for column in out.columns:
                    column.primary_key = column.primary_key or column.name == names[0]
            if names:
                out.indexes.append((kind, tuple(names)))
        else:
            made = maker_call(item)
            if made is not None:
                out.makers.append(made)


def _column(source: Source, call: ast.Call) -> CallColumn | None:
    if not call.args or not _string(call.args[0]):
        return None
    flags = {
        k.arg: k.value.value for k in call.keywords if k.arg and isinstance(k.value, ast.Constant)
    }
    column = CallColumn(
        _string(call.args[0]) or "",
        primary_key=bool(flags.get("primary_key")),
        unique=bool(flags.get("unique")),
        indexed=bool(flags.get("index")),
        call_end=_paren(source, call),
    )
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey") and arg.args:
            column.references = (_string(arg.args[0]) or "").rsplit(".", 1)[0]
        elif isinstance(arg, ast.Name | ast.Attribute | ast.Call) and not column.type:
            column.type = dotted(arg.func if isinstance(arg, ast.Call) else arg)
    return column


def _column_rule(call: ast.Call) -> str | None:
    """The ``ondelete=`` of a Column's ``ForeignKey(...)``."""
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey"):
            return _string(next((k.value for k in arg.keywords if k.arg == "ondelete"), None))
    return None


def _helper_columns(source: Source, name: str) -> list[ast.expr]:
    """``*timestamps()``: the columns the same file's ``def timestamps()`` returns."""
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                        return list(node.value.elts)
    return []


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _paren(source: Source, call: ast.Call) -> Position:
    end = source.end(call)
    return Position(end.line, end.column - 1)
