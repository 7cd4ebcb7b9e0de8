"""Which tables a non-Python file declares: schema.prisma models, GORM structs, TypeORM
entities and ``CREATE TABLE`` strings in JS/TS/Go code (a cheap text test first: most files
declare none, and tree-sitter is loaded only for those that might)."""

from __future__ import annotations

import re

from ..sql import table_defs
from ..treesitter import Tree, language_of, parse
from .model import ForeignColumn, ForeignTable
from .prisma import prisma_tables
from .strings import string_literals

SUFFIXES = (".prisma", ".go", ".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx")
_CREATE = re.compile(r"create\s+table", re.I)


def is_foreign_schema_file(path: str) -> bool:
    return path.endswith(".prisma") or language_of(path) is not None


def may_declare_tables(path: str, text: str) -> bool:
    if path.endswith(".prisma"):
        return "model " in text
    if _CREATE.search(text):
        return True
    if path.endswith(".go"):
        from ..golang.gorm import mentions_gorm

        return mentions_gorm(text)
    from ..js.knex_schema import mentions_knex
    from ..js.mongoose_schema import mentions_mongoose
    from ..js.sequelize_schema import mentions_sequelize
    from ..js.typeorm_schema import mentions_typeorm

    return (
        mentions_mongoose(text)
        or mentions_typeorm(text)
        or mentions_knex(text)
        or mentions_sequelize(text)
    )


def foreign_tables(path: str, text: str) -> list[ForeignTable]:
    if path.endswith(".prisma"):
        return prisma_tables(path, text)
    if not may_declare_tables(path, text):
        return []
    tree = parse(path, text)
    if tree is None:
        return []
    out: list[ForeignTable] = []
    if tree.language == "go":
        from ..golang.gorm import gorm_tables

        out.extend(gorm_tables(tree))
    else:
        from ..js.mongoose_schema import mentions_mongoose, mongoose_tables
        from ..js.typeorm_schema import mentions_typeorm, typeorm_tables

        if mentions_mongoose(text):
            out.extend(mongoose_tables(tree))
        if mentions_typeorm(text):
            out.extend(typeorm_tables(tree))
        from ..js.knex_schema import knex_tables, mentions_knex

        if mentions_knex(text):
            out.extend(knex_tables(tree))
        from ..js.sequelize_schema import mentions_sequelize, sequelize_tables

        if mentions_sequelize(text):
            out.extend(sequelize_tables(tree))
    if _CREATE.search(text):
        out.extend(_sql_strings(tree))
    return out


def _sql_strings(tree: Tree) -> list[ForeignTable]:
    out = []
    for node, value in string_literals(tree):
        if not _CREATE.search(value):
            continue
        for tdef in table_defs(value):
            out.append(
                ForeignTable(
                    tdef.name,
                    "sql-string",
                    tree.path,
                    columns=[
                        ForeignColumn(c.name, c.type, c.primary_key, c.unique) for c in tdef.columns
                    ],
                    indexes=list(tdef.indexes),
                    written="\n".join(tdef.ddl),
                    first_line=node.start_point[0],
                    last_line=node.end_point[0],
                )
            )
    return out
