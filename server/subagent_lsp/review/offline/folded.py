"""Case-folded equality (``lower(name) = ?``): the expression index that serves it.

A comparison that wraps the column in ``lower()`` / ``upper()`` is served by no index on the
column itself (nor by a unique constraint on it): only an index on the same expression finds
the row. Terms are written as SQL, ``lower(name)``, next to plain column names in an index key,
so that SQLite (which has indexes on expressions) proves them like any other key.
"""

from __future__ import annotations

import re

from .schema import Table
from .small_tables import few_valued
from .sql import QueryShape

MAX_TERMS = 3
_TERM = re.compile(r'^\s*(lower|upper)\s*\(\s*"?(\w+)"?\s*(?:::\s*text\s*)?\)\s*$', re.I)


def term(function: str, column: str) -> str:
    return f"{function}({column})"


def parsed(text: str) -> tuple[str, str] | None:
    """``LOWER("name")`` (an index key as sqlglot, SQLAlchemy's text() or Django write it):
    (lower, name)."""
    found = _TERM.match(text)
    return (found.group(1).lower(), found.group(2)) if found else None


def normal(text: str) -> str:
    """An index key part compared as written by us: ``LOWER("name")`` -> ``lower(name)``."""
    found = parsed(text)
    return term(*found) if found else text


def term_sql(text: str) -> str:
    """A key part as SQLite's SQL: a quoted column, or ``lower("name")``."""
    found = parsed(text)
    column = found[1] if found else text
    quoted = '"' + column.replace('"', '""') + '"'
    return f"{found[0]}({quoted})" if found else quoted


def known_term(table: Table, text: str) -> bool:
    """A key part SQLite can build for ``table``: one of its columns, or lower/upper of one."""
    found = parsed(text)
    return (found[1] if found else text) in table.columns


def propose(shape: QueryShape, table: Table) -> list[str] | None:
    """The key of an expression index for a query with a case-folded equality: the plain
    equality columns (the few-valued ones dropped when others narrow), the folded terms, then
    one range or the ORDER BY, at most three; None when an index already finds its rows."""
    folded = [(f, c) for f, c in shape.folded_eq if c in table.columns]
    known = table.columns
    if not folded or any(c not in known for c in [*shape.eq, *shape.ranges, *shape.order_by]):
        return None
    single_key = sum(c.primary_key for c in known.values()) == 1
    if any((known[c].primary_key and single_key) or known[c].unique for c in shape.eq):
        return None  # an equality on a unique column already finds one row by its index
    terms = [term(f, c) for f, c in folded]
    existing = [tuple(normal(c) for c in cols) for _, cols in table.all_indexes()]
    if any(cols and cols[0] in terms for cols in existing):
        return None  # an expression index already leads with one of the folded terms
    eq = list(dict.fromkeys(shape.eq))
    if any(cols and cols[0] in eq and not few_valued(known[cols[0]]) for cols in existing):
        return None  # an index on a column compared as such already narrows the rows
    selective = [c for c in eq if not few_valued(known[c])]
    if all(few_valued(known[c]) for _, c in folded) and not selective:
        return None  # a status compared case-insensitively still matches most rows
    eq = selective or eq
    key = list(dict.fromkeys([*eq, *terms]))[:MAX_TERMS]
    if len(key) < MAX_TERMS:
        if shape.ranges:
            key.append(shape.ranges[0])
        elif shape.order_by and len(set(shape.order_desc)) <= 1:
            key += [c for c in shape.order_by if c not in key][: MAX_TERMS - len(key)]
    return key


def name_part(text: str) -> str:
    """``lower(name)`` in an index's name: ``lower_name``."""
    found = parsed(text)
    return f"{found[0]}_{found[1]}" if found else text


def folded_only(cols: list[str]) -> bool:
    return any(parsed(c) for c in cols)
