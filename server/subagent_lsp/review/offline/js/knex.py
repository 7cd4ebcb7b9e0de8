"""Knex query-builder chains as query shapes (chains rooted at ``db("orders")``: ``where({ a })``,
``where("a", x)``, ``where("a", ">", x)``, ``whereIn``, ``orderBy``), and the new migration an
index suggestion writes."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ....definitions.findings import Span
from ...suggestion import Edit
from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_WHERE_EQ = ("where", "andWhere", "whereIn", "andWhereIn")
_RANGE_OPS = frozenset({">", ">=", "<", "<=", "like", "ilike"})
_EQ_OPS = frozenset({"=", "in"})
_STAMP = re.compile(r"^(\d{8,14})_")


def knex_queries(tree: Tree, tables: set[str]) -> list[FoundQuery]:
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "identifier":
            continue
        if len(args.named_children) != 1:
            continue
        table = literal_value(args.named_children[0])
        if table is None or table not in tables:
            continue
        query = _shape(tree, call, table)
        if query is not None:
            out.append(query)
    return out


def _column(name: str, table: str) -> str:
    prefix, _, column = name.rpartition(".")
    return column if prefix in ("", table) else ""


def _shape(tree: Tree, root: Node, table: str) -> FoundQuery | None:
    shape = QueryShape(table)
    top = root
    current = root
    while current.parent is not None and current.parent.type == "member_expression":
        call = current.parent.parent
        if call is None or call.type != "call_expression":
            break
        method = text_of(current.parent.child_by_field_name("property"))
        args_node = call.child_by_field_name("arguments")
        args = list(args_node.named_children) if args_node is not None else []
        if method in _WHERE_EQ and args:
            first = args[0]
            if first.type == "object":
                for item in first.named_children:
                    if item.type == "shorthand_property_identifier":
                        shape.eq.append(text_of(item))
                    elif item.type == "pair":
                        key = text_of(item.child_by_field_name("key")).strip("'\"")
                        if _column(key, table):
                            shape.eq.append(_column(key, table))
            else:
                column = _column(literal_value(first) or "", table)
                op = (literal_value(args[1]) or "") if len(args) == 3 else "="
                if column and op.lower() in _RANGE_OPS:
                    shape.ranges.append(column)
                elif column and op.lower() in _EQ_OPS:
                    shape.eq.append(column)
        elif method == "orderBy" and args:
            column = _column(literal_value(args[0]) or "", table)
            if column:
                direction = literal_value(args[1]) if len(args) > 1 else "asc"
                shape.order_by.append(column)
                shape.order_desc.append((direction or "").lower() == "desc")
        top = call
        current = call
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    code = " ".join(text_of(top).split())
    return FoundQuery(shape, tree.span(top), code if len(code) <= 120 else code[:119] + "…")


def new_migration(path: str, table: str, cols: list[str], name: str) -> list[Edit] | None:
    """A new migration beside the one that creates ``table``, numbered after the last one
    (Knex runs them in file-name order; an applied migration is not run again, so editing
    it would change nothing in a database that has it)."""
    folder = os.path.dirname(path)
    try:
        stamps = [int(m.group(1)) for f in os.listdir(folder) if (m := _STAMP.match(f))]
    except OSError:
        return None
    if not stamps:
        return None
    ext = os.path.splitext(path)[1]
    target = os.path.join(folder, f"{max(stamps) + 1}_add_{name}{ext}")
    if os.path.exists(target):
        return None
    columns = ", ".join(f'"{c}"' for c in cols)
    text = (
        "exports.up = function (knex) {\n"
        f'  return knex.schema.alterTable("{table}", (table) => {{\n'
        f'    table.index([{columns}], "{name}");\n  }});\n}};\n\n'
        "exports.down = function (knex) {\n"
        f'  return knex.schema.alterTable("{table}", (table) => {{\n'
        f'    table.dropIndex([{columns}], "{name}");\n  }});\n}};\n'
    )
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            esm = re.search(r"^export\s+(async\s+)?(function|const)\s+up\b", handle.read(), re.M)
    except OSError:
        esm = None
    if ext in (".ts", ".mts") or esm:
        text = (
            'import type { Knex } from "knex";\n\n'
            "export async function up(knex: Knex): Promise<void> {\n"
            f'  await knex.schema.alterTable("{table}", (table) => {{\n'
            f'    table.index([{columns}], "{name}");\n  }});\n}}\n\n'
            "export async function down(knex: Knex): Promise<void> {\n"
            f'  await knex.schema.alterTable("{table}", (table) => {{\n'
            f'    table.dropIndex([{columns}], "{name}");\n  }});\n}}\n'
        )
    return [Edit(target, Span.point(0, 0), text)]
