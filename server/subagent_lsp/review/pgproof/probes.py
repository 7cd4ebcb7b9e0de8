"""A query as PostgreSQL will be asked it: the statement to EXPLAIN, with each placeholder
bound to a value the synthetic rows really hold, and the index shapes worth trying.

PostgreSQL 15 has no generic-plan EXPLAIN, so every ``?``/``%s``/``$1`` gets a literal: an
equality a typical value of its column (a middle histogram bound), a lower bound one near the top
(a selective "recent rows" range), LIMIT 50, OFFSET 0. ORM queries (no SQL text) are rebuilt from
their shape, as the SQLite proof does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..offline.indexes import MAX_INDEX_COLUMNS, probe_query
from ..offline.queries import FoundQuery
from ..offline.schema import Table
from ..offline.sql import normalise_placeholders

if TYPE_CHECKING:
    from sqlglot import exp

# (expression as PostgreSQL SQL over the table, operator) -> the literal to bind, or None
ValueFor = Callable[[str, str], "str | None"]


@dataclass
class Probe:
    table: str
    tree: Any  # the sqlglot statement, placeholders still in it
    alias: str = ""  # what the statement calls the table
    json_terms: list[str] = field(default_factory=list)  # "(payload ->> 'source')", by =
    json_keys: list[tuple[str, str]] = field(default_factory=list)  # (column, key) read
    contains: list[str] = field(default_factory=list)  # columns compared with @> (GIN)
    # conditions on constants ("deleted_at IS NULL", "active = TRUE"): a partial index's WHERE
    partial: dict[str, str] = field(default_factory=dict)  # column -> its condition

    def tables(self) -> set[str]:
        """Every table the statement reads (joins and subqueries too)."""
        from sqlglot import exp

        return {str(t.name) for t in self.tree.find_all(exp.Table)}

    def render(self, value_for: ValueFor) -> str:
        from sqlglot import exp

        tree = self.tree.copy()
        for node in list(tree.find_all(exp.Placeholder)):
            op, other = _context(node)
            literal = value_for(other, op) if other is not None else None
            if op == "limit":
                node.replace(exp.Literal.number(50))
            elif op == "offset":
                node.replace(exp.Literal.number(0))
            elif op == "like":
                node.replace(exp.Literal.string("v1%"))
            elif literal is None:
                node.replace(exp.Null())
            else:
                node.replace(exp.Literal.string(literal))
        return str(tree.sql(dialect="postgres"))


def probe_for(found: FoundQuery, table: Table) -> Probe | None:
    """The probe of ``found`` (its own SQL when it is one statement on ``table``)."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    text = getattr(found, "sql", "") or _orm_probe(found, table)
    try:
        parsed = [p for p in sqlglot.parse(normalise_placeholders(text), read="postgres") if p]
    except (SqlglotError, ValueError, KeyError, RecursionError):
        parsed = []
    if len(parsed) != 1 or not isinstance(parsed[0], exp.Select | exp.Update | exp.Delete):
        try:
            parsed = [sqlglot.parse_one(normalise_placeholders(_orm_probe(found, table)))]
        except (SqlglotError, ValueError, KeyError, RecursionError):
            return None
    tree = parsed[0]
    main = next(iter(tree.find_all(exp.Table)), None)
    if main is None or main.name != table.name:
        return None
    probe = Probe(table.name, tree, main.alias_or_name)
    where = tree.args.get("where")
    for cond in _conjuncts(where.this) if where is not None else []:
        _classify(cond, main, table, probe)
    return probe


def _orm_probe(found: FoundQuery, table: Table) -> str:
    """An ORM chain rebuilt from its shape. An ordered one reads a first page: the slice or
    ``.limit()`` that pages it (``posts[:limit]``) is often out of the chain we see, and an
    ordered read of every row is rare in a request handler."""
    sql = probe_query(found, table)
    fields = [
        f"({_quote(c)} {op} '{k.replace(chr(39), '')}') = ?"
        for c, k, op in found.shape.json_eq
        if c in table.columns
    ]
    if fields:  # the JSON fields compared: PostgreSQL's own ``->>``, which SQLite's probe lacks
        cut = " GROUP BY " if " GROUP BY " in sql else " ORDER BY "
        head, order, tail = sql.partition(cut)
        joiner = " AND " if " WHERE " in head else " WHERE "
        sql = head + joiner + " AND ".join(fields) + order + tail
    return f"{sql} LIMIT 50" if found.shape.order_by else sql


def index_terms(found: FoundQuery, table: Table, probe: Probe, cols: list[str] | None) -> list[str]:
    """The key of the expression index worth trying: the equality columns, the JSON fields
    compared for equality, then the range (at most three); [] when no JSON field is read."""
    if not probe.json_terms:
        return []
    shape = found.shape
    terms = [_quote(c) for c in shape.eq if c in table.columns][: MAX_INDEX_COLUMNS - 1]
    terms += probe.json_terms
    terms = terms[:MAX_INDEX_COLUMNS]
    if len(terms) < MAX_INDEX_COLUMNS and shape.ranges and shape.ranges[0] in table.columns:
        terms.append(_quote(shape.ranges[0]))
    return terms


def _quote(name: str) -> str:
    return name if name.isidentifier() and name.islower() else '"' + name.replace('"', '""') + '"'


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    from sqlglot import exp

    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    if isinstance(node, exp.Paren):
        return _conjuncts(node.this)
    return [node]


def _own_column(node: Any, main: exp.Table, table: Table) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Column) and node.table in ("", main.alias_or_name, main.name):
        return str(node.name) if node.name in table.columns else None
    return None


def _classify(cond: exp.Expression, main: exp.Table, table: Table, probe: Probe) -> None:
    from sqlglot import exp

    left = cond.this if hasattr(cond, "this") else None
    if isinstance(left, exp.Paren):  # ``(payload ->> 'source') = %s``
        left = left.this
    if isinstance(cond, exp.EQ) and isinstance(left, exp.JSONExtractScalar | exp.JSONExtract):
        column = _own_column(left.this, main, table)
        path = left.expression
        keys = [k for k in path.expressions if isinstance(k, exp.JSONPathKey)] if path else []
        if column and len(keys) == 1:
            key = str(keys[0].this)
            op = "->>" if isinstance(left, exp.JSONExtractScalar) else "->"
            probe.json_terms.append(f"({_quote(column)} {op} '{key.replace(chr(39), '')}')")
            probe.json_keys.append((column, key))
    elif isinstance(cond, exp.Is | exp.EQ) and _constant(cond.expression):
        column = _own_column(left, main, table)
        if column:
            op = "IS" if isinstance(cond, exp.Is) else "="
            value = cond.expression.sql(dialect="postgres")
            probe.partial[column] = f"{_quote(column)} {op} {value}"
    elif isinstance(cond, exp.Not) and isinstance(left, exp.Is) and _constant(left.expression):
        column = _own_column(left.this, main, table)
        if column:
            probe.partial[column] = (
                f"{_quote(column)} IS NOT {left.expression.sql(dialect='postgres')}"
            )
    elif isinstance(cond, exp.ArrayContainsAll | exp.JSONBContains):
        column = _own_column(left, main, table)
        if column:
            probe.contains.append(column)


def _constant(node: Any) -> bool:
    """NULL, TRUE/FALSE or a literal written in the query (not a placeholder): the same for
    every call, so a partial index can leave the other rows out."""
    from sqlglot import exp

    return isinstance(node, exp.Null | exp.Boolean | exp.Literal)


def _context(node: exp.Expression) -> tuple[str, str | None]:
    """What a placeholder is compared with: (operator, the other side as SQL)."""
    from sqlglot import exp

    parent = node.parent
    if isinstance(parent, exp.Limit) or (parent is not None and parent.key == "limit"):
        return "limit", None
    if isinstance(parent, exp.Offset):
        return "offset", None
    if isinstance(parent, exp.In):
        return "eq", parent.this.sql(dialect="postgres")
    if isinstance(parent, exp.Between):
        op = "gt" if parent.args.get("low") is node else "lt"
        return op, parent.this.sql(dialect="postgres")
    ops = {exp.EQ: "eq", exp.NEQ: "eq", exp.GT: "gt", exp.GTE: "gt", exp.LT: "lt", exp.LTE: "lt"}
    for kind, op in ops.items():
        if isinstance(parent, kind):
            other = parent.expression if parent.this is node else parent.this
            flipped = {"gt": "lt", "lt": "gt"}.get(op, op) if parent.expression is not node else op
            return flipped, other.sql(dialect="postgres")
    if isinstance(parent, exp.Like | exp.ILike):
        return "like", None
    if isinstance(parent, exp.ArrayContainsAll | exp.JSONBContains):
        return "contains", parent.this.sql(dialect="postgres")
    return "other", None
