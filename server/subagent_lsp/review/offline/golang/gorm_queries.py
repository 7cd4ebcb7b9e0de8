"""GORM query chains -> shapes: ``db.Where("user_id = ? AND status = ?", id, s).Order("created_at
desc").Find(&orders)``. The table is the chain's ``Model(&Order{})``/``Table("orders")``, else
the type of the variable the result lands in (``var orders []Order``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..schema import Schema
from ..sql import query_shapes
from ..treesitter import Tree, text_of
from .facts import enclosing_function
from .gorm import db_name, plural

if TYPE_CHECKING:
    from tree_sitter import Node

TERMINALS = frozenset(
    {"First", "Find", "Take", "Last", "Count", "Delete", "Updates", "Update", "Pluck", "Scan"}
    | {"Exec", "ScanAndCount", "Exists"}  # Bun's ends of a NewSelect/NewDelete/NewUpdate chain
)
_MODEL_TYPE = re.compile(r"&(?:\w+\.)?(\w+)\{|^\(\*(?:\w+\.)?(\w+)\)\(nil\)$")


def gorm_queries(tree: Tree, schema: Schema) -> list[FoundQuery]:
    models = {t.model: t.name for t in schema.tables.values() if t.origin == "gorm" and t.model}
    found = []
    for call in tree.nodes("call_expression"):
        function = call.child_by_field_name("function")
        if function is None or function.type != "selector_expression":
            continue
        if text_of(function.child_by_field_name("field")) not in TERMINALS:
            continue
        parent = call.parent
        if parent is not None and parent.type == "selector_expression":
            grand = parent.parent
            if grand is not None and grand.type == "call_expression":
                continue  # not the outermost call: .Find(&x).Offset(...) is read from its end
        query = _chain(tree, call, schema, models)
        if query is not None:
            found.append(query)
    return found


def _chain(tree: Tree, outer: Node, schema: Schema, models: dict[str, str]) -> FoundQuery | None:
    where: list[str] = []
    order: list[str] = []
    table: str | None = None
    target: str | None = None
    current: Node | None = outer
    while current is not None and current.type == "call_expression":
        function = current.child_by_field_name("function")
        if function is None or function.type != "selector_expression":
            break
        method = text_of(function.child_by_field_name("field"))
        args = current.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        first = literal_value(items[0]) if items else None
        if method == "Where" and first is not None:
            where.append(first)
        elif method == "Where" and items:
            model, conditions = _struct_conditions(text_of(items[0]))
            where.extend(reversed(conditions))  # the chain is read from its end
            if model and table is None and conditions:
                table = _table(model, schema, models)
        elif method == "Order" and first is not None:
            order.append(first)
        elif method == "Table" and first is not None:
            table = first
        elif method == "Model" and items:
            written = text_of(items[0])
            match = _MODEL_TYPE.search(written)
            model = (match.group(1) or match.group(2)) if match else None
            if model is None and items[0].type == "identifier":
                model = _type_of(outer, written)  # Model(a): a's declared type
            table = table or (_table(model, schema, models) if model else None)
        elif method in TERMINALS and items and target is None:
            target = _target(items[0])
            inline = literal_value(items[1]) if len(items) > 1 else None
            if inline is not None and "?" in inline:  # db.Find(&users, "status = ?", s)
                where.append(inline)
        current = function.child_by_field_name("operand")
    if table is None and target is not None:
        model = _type_of(outer, target)
        table = _table(model, schema, models) if model else None
    if table is None or not (where or order):
        return None
    sql = f"SELECT * FROM {table}"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in reversed(where))
    if order:
        sql += " ORDER BY " + ", ".join(reversed(order))
    shapes = query_shapes(sql)
    if not shapes:
        return None
    code = " ".join(text_of(outer).split())
    return FoundQuery(shapes[0], tree.span(outer), code[:120])


_STRUCT = re.compile(r"&?(?:\w+\.)?([A-Z]\w*)\s*\{(.*)\}", re.S)
_MAP = re.compile(r"map\[string\](?:interface\{\}|any)\s*\{(.*)\}", re.S)
_FIELD = re.compile(r"(?:^|,)\s*([A-Z]\w*)\s*:")
_KEY = re.compile(r'"(\w+)"\s*:')


def _struct_conditions(text: str) -> tuple[str | None, list[str]]:
    """``&Article{AuthorID: id}`` -> (Article, ["author_id = ?"]); a ``map[string]any``
    names its columns. A zero value is left out by GORM, so only the fields written count."""
    found = _MAP.fullmatch(text.strip())
    if found:
        return None, [f"{k} = ?" for k in _KEY.findall(found.group(1))]
    found = _STRUCT.fullmatch(text.strip())
    if not found or found.group(1) == "map":
        return None, []
    return found.group(1), [f"{db_name(f)} = ?" for f in _FIELD.findall(found.group(2))]


def _target(arg: Node) -> str | None:
    text = text_of(arg)
    match = re.fullmatch(r"&(\w+)", text)
    return match.group(1) if match else None


def _type_of(node: Node, variable: str) -> str | None:
    """The struct type of ``variable`` as the enclosing function declares it."""
    func = enclosing_function(node)
    if func is None:
        return None
    text = text_of(func)
    name = re.escape(variable)
    match = re.search(rf"\b{name}\s*:?=\s*&?(?:\[\])?\*?(?:\w+\.)?(\w+)\s*\{{", text) or re.search(
        rf"\b{name}\s+(?:\[\])?\*?(?:\w+\.)?([A-Z]\w*)\b", text
    )
    return match.group(1) if match else None


def _table(model: str, schema: Schema, models: dict[str, str]) -> str | None:
    """The model's table: its GORM declaration, else GORM's default name (plural, or singular
    with ``SingularTable``) among the tables the SQL files create -- also behind a prefix
    configured at run time (``blog_tag``), when exactly one table matches."""
    if model in models:
        return models[model]
    names = (plural(db_name(model)), db_name(model))
    for name in names:
        if name in schema.tables:
            return name
    prefixed = [t for t in schema.tables if any(t.endswith("_" + n) for n in names)]
    return prefixed[0] if len(prefixed) == 1 else None
