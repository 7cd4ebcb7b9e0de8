"""Knex migrations -> tables.

``knex.schema.createTable("orders", (t) => { t.integer("account_id").references(...); ... })``
declares the columns (``increments`` / ``.primary()`` the key, ``.unique()`` and ``.index()``
one-column indexes, ``t.unique([...])`` / ``t.index([...])`` composite ones, ``timestamps()``
its two columns); ``alterTable`` adds indexes. A ``.references()`` column gets no index from
Knex or from PostgreSQL. (js/knex.py reads the queries.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..foreign.model import ForeignColumn, ForeignTable
from ..foreign.strings import literal_value
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_CREATE = ("createTable", "createTableIfNotExists")
_INTS = ("increments", "bigIncrements", "integer", "bigInteger", "bigint", "smallint", "tinyint")
_TIMES = ("timestamp", "timestamps", "datetime", "date", "time", "timestamptz")


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
