"""Knex migrations -> tables, and the query-builder chains that read them.

``knex.schema.createTable("orders", (t) => { t.integer("account_id").references(...); ... })``
declares the columns (``increments`` / ``.primary()`` the key, ``.unique()`` and ``.index()``
one-column indexes, ``t.unique([...])`` / ``t.index([...])`` composite ones, ``timestamps()``
its two columns); ``alterTable`` adds indexes. A ``.references()`` column gets no index from
Knex or from PostgreSQL. Queries are chains rooted at ``db("orders")``: ``where({ a })``,
``where("a", x)``, ``where("a", ">", x)``, ``whereIn``, ``orderBy``."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ....definitions.findings import Span
from ...suggestion import Edit
from ..foreign.model import ForeignColumn, ForeignTable
from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_CREATE = ("createTable", "createTableIfNotExists")
_INTS = ("increments", "bigIncrements", "integer", "bigInteger", "bigint", "smallint", "tinyint")
_TIMES = ("timestamp", "timestamps", "datetime", "date", "time", "timestamptz")
_WHERE_EQ = ("where", "andWhere", "whereIn", "andWhereIn")
_RANGE_OPS = frozenset({">", ">=", "<", "<=", "like", "ilike"})
_EQ_OPS = frozenset({"=", "in"})
_STAMP = re.compile(r"^(\d{8,14})_")


def mentions_knex(text: str) -> bool:
    return "createTable" in text or "alterTable" in text


def _chain(call: Node) -> tuple[Node | None, list[tuple[str, list[Node]]]]:
    """``t.integer("a").notNullable().index()`` -> (``t``, [(integer, args), ...])."""
    steps: list[tuple[str, list[Node]]] = []
    current: Node | None = call
    while current is not None and current.type == "call_expression":
        callee = current.child_by_field_name("function")
        args = current.child_by_field_name("arguments")
        if callee is None or callee.type != "member_expression":
            break
        steps.append(
            (
                text_of(callee.child_by_field_name("property")),
                list(args.named_children) if args else [],
            )
        )
        current = callee.child_by_field_name("object")
    steps.reverse()
    return current, steps


def _names(node: Node | None) -> list[str]:
    if node is None:
        return []
    if node.type == "array":
        return [v for v in (literal_value(c) for c in node.named_children) if v is not None]
    value = literal_value(node)
    return [value] if value is not None else []


def knex_tables(tree: Tree) -> list[ForeignTable]:
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        if method not in (*_CREATE, "alterTable", "table") or len(args.named_children) < 2:
            continue
        name = literal_value(args.named_children[0])
        builder = args.named_children[1]
        if name is None or builder.type not in (
            "arrow_function",
            "function_expression",
            "function",
        ):
            continue
        if method == "table" and "schema" not in text_of(callee.child_by_field_name("object")):
            continue
        table = _table(tree, name, builder, created=method in _CREATE)
        if table is not None:
            out.append(table)
    return out


def _table(tree: Tree, name: str, builder: Node, created: bool) -> ForeignTable | None:
    params = builder.child_by_field_name("parameters")
    param = params.named_children[0] if params is not None and params.named_children else None
    if param is None:
        param = builder.child_by_field_name("parameter")
    body = builder.child_by_field_name("body")
    if param is None or body is None:
        return None
    receiver = text_of(param)
    table = ForeignTable(
        name,
        "knex",
        tree.path,
        written=text_of(builder.parent.parent) if builder.parent and builder.parent.parent else "",
        first_line=builder.start_point[0],
        last_line=body.end_point[0],
        receiver=receiver,
    )
    for statement in body.named_children:
        expr = (
            statement.named_children[0] if statement.type == "expression_statement" else statement
        )
        if expr.type != "call_expression":
            continue
        root, steps = _chain(expr)
        if root is None or text_of(root) != receiver or not steps:
            continue
        kind, args = steps[0]
        if kind in ("index", "unique", "primary"):
            cols = tuple(_names(args[0] if args else None))
            if cols and kind != "primary":
                table.indexes.append((f"{name}_{'_'.join(cols)}_{kind}", cols))
            elif cols:
                table.indexes.append((f"{name}_pkey", cols))
            continue
        if kind == "timestamps":
            table.columns += [
                ForeignColumn("created_at", "datetime"),
                ForeignColumn("updated_at", "datetime"),
            ]
            continue
        if not created or not args:
            continue
        column = literal_value(args[0])
        if column is None:
            continue
        modifiers = {step for step, _ in steps[1:]}
        table.columns.append(
            ForeignColumn(
                column,
                "int" if kind in _INTS else "datetime" if kind in _TIMES else "text",
                primary_key=kind in ("increments", "bigIncrements") or "primary" in modifiers,
                unique="unique" in modifiers,
                indexed="index" in modifiers,
            )
        )
    if created and not table.columns:
        return None
    if not created:
        table.columns = []
    return table


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
