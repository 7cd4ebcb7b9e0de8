"""Where Go code reads the database: every SQL string in the file (a literal passed to
database/sql, sqlx, pgx or GORM's ``Raw``, or bound to a ``query :=`` first and handed to a
helper -- a SELECT written in a Go string is a query the program runs), and GORM and Bun
chains (Bun's ``NewSelect().Model(m).Where("a = ?", x).Scan(ctx)`` reads like GORM's)."""

from __future__ import annotations

from ..foreign.sql_strings import sql_string_queries
from ..queries import FoundQuery
from ..schema import Schema
from ..treesitter import Tree


def go_queries(tree: Tree, schema: Schema) -> list[FoundQuery]:
    found = sql_string_queries(tree)
    if "gorm" in tree.text or "uptrace/bun" in tree.text:
        from .gorm_queries import gorm_queries

        found.extend(gorm_queries(tree, schema))
    return found
