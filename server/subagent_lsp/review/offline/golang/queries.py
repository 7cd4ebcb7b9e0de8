"""Where Go code reads the database: SQL strings (literals or constants) passed to
database/sql, sqlx, pgx or GORM's ``Raw``/``Exec``."""

from __future__ import annotations

from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..schema import Schema
from ..sql import looks_like_sql, query_shapes
from ..treesitter import Tree, text_of

_METHODS = frozenset(
    {
        "Query",
        "QueryRow",
        "QueryContext",
        "QueryRowContext",
        "Exec",
        "ExecContext",
        "Get",
        "Select",
        "GetContext",
        "SelectContext",
        "Queryx",
        "QueryRowx",
        "QueryxContext",
        "QueryRowxContext",
        "Raw",
        "NamedQuery",
        "NamedExec",
    }
)


def go_queries(tree: Tree, schema: Schema) -> list[FoundQuery]:
    constants: dict[str, str] = {}
    for node in tree.nodes("const_spec", "var_spec", "short_var_declaration"):
        if node.type in ("const_spec", "var_spec", "short_var_declaration"):
            names = [c for c in node.named_children if c.type in ("identifier", "expression_list")]
            values = node.child_by_field_name("value") or node.child_by_field_name("right")
            if not names or values is None:
                continue
            first = (
                values.named_children[0]
                if values.type == "expression_list" and values.named_children
                else values
            )
            text = literal_value(first)
            if text is not None and looks_like_sql(text):
                constants[text_of(names[0]).split(",")[0].strip()] = text
    found: list[FoundQuery] = []
    for node in tree.nodes("call_expression"):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None or function.type != "selector_expression":
            continue
        if text_of(function.child_by_field_name("field")) not in _METHODS:
            continue
        args = node.child_by_field_name("arguments")
        for arg in args.named_children[:3] if args is not None else []:
            text = literal_value(arg)
            if text is None and arg.type == "identifier":
                text = constants.get(text_of(arg))
            if text is not None and looks_like_sql(text):
                flat = " ".join(text.split())
                found.extend(FoundQuery(s, tree.span(arg), flat[:120]) for s in query_shapes(text))
                break
    return found
