"""TypeORM entities -> tables, and the repository calls that read them.

Names follow TypeORM's default naming strategy: ``@Entity("name")`` or the class name in snake
case; a column is named like its property (``@Column({ name })`` wins); a ``@ManyToOne`` /
``@OneToOne`` owner gets ``<relation>Id`` (``@JoinColumn({ name })`` wins). Indexes come from
``@Index()`` on a property, ``@Index([...])`` / ``@Unique([...])`` on the class, ``unique: true``
and the primary columns. PostgreSQL and MySQL do not index a foreign key by themselves, and
neither does TypeORM: a relation column is unindexed unless the entity says so."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ....definitions.findings import Position
from ..foreign.model import ForeignColumn, ForeignTable
from ..foreign.strings import literal_value
from ..queries import FoundQuery
from ..sql import QueryShape
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PRIMARY = ("PrimaryGeneratedColumn", "PrimaryColumn", "ObjectIdColumn")
_COLUMNS = ("Column", "CreateDateColumn", "UpdateDateColumn", "DeleteDateColumn", "VersionColumn")
_OWNING = ("ManyToOne", "OneToOne")
# The repository methods whose first argument filters rows: the options object
# (``{ where, order }``) or, in TypeORM 0.2 and for the ``...By`` methods, the filter itself.
_READS = frozenset(
    {
        "find",
        "findOne",
        "findOneOrFail",
        "findAndCount",
        "findBy",
        "findOneBy",
        "findOneByOrFail",
        "findAndCountBy",
        "count",
        "countBy",
        "exist",
        "exists",
        "existsBy",
        "delete",
        "softDelete",
    }
)
_OPTIONS = frozenset(
    {"where", "order", "select", "relations", "skip", "take", "cache", "join", "withDeleted"}
)
_REPOSITORY_TYPE = re.compile(r"(\w+)\s*[?!]?\s*:\s*(?:\w+\.)?Repository\s*<\s*(\w+)\s*>")
_REPOSITORY_CALL = re.compile(r"(\w+)\s*=\s*(?:[\w.]+\.)?getRepository\s*\(\s*(\w+)\s*\)")


def mentions_typeorm(text: str) -> bool:
    return "@Entity" in text and "typeorm" in text


def _snake(name: str) -> str:
    return _SNAKE.sub("_", name).lower()


def _decorators(node: Node) -> list[tuple[str, Node | None, Node]]:
    """(name, first argument, decorator) of each decorator on ``node``."""
    out = []
    for child in node.children:
        if child.type != "decorator":
            continue
        call = next((c for c in child.named_children), None)
        if call is None:
            continue
        if call.type == "call_expression":
            name = text_of(call.child_by_field_name("function"))
            args = call.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            out.append((name.rsplit(".", 1)[-1], first, child))
        else:
            out.append((text_of(call).rsplit(".", 1)[-1], None, child))
    return out


def _options(arg: Node | None) -> dict[str, Node]:
    out: dict[str, Node] = {}
    if arg is None or arg.type != "object":
        return out
    for item in arg.named_children:
        if item.type == "pair":
            key = text_of(item.child_by_field_name("key")).strip("'\"")
            value = item.child_by_field_name("value")
            if value is not None:
                out[key] = value
    return out


def _strings(node: Node | None) -> list[str]:
    if node is None or node.type != "array":
        return []
    return [v for v in (literal_value(c) for c in node.named_children) if v is not None]


def typeorm_tables(tree: Tree) -> list[ForeignTable]:
    out = []
    for klass in tree.nodes("class_declaration"):
        holder = (
            klass.parent
            if klass.parent is not None and klass.parent.type == "export_statement"
            else klass
        )
        decorators = _decorators(holder) + (_decorators(klass) if holder is not klass else [])
        entity = next((d for d in decorators if d[0] == "Entity"), None)
        if entity is None:
            continue
        table = _entity(tree, klass, entity, decorators)
        if table is not None:
            out.append(table)
    return out


def _entity(
    tree: Tree,
    klass: Node,
    entity: tuple[str, Node | None, Node],
    decorators: list[tuple[str, Node | None, Node]],
) -> ForeignTable | None:
    model = text_of(klass.child_by_field_name("name"))
    _, arg, _ = entity
    name = literal_value(arg) if arg is not None else None
    if name is None:
        option = _options(arg).get("name")
        name = literal_value(option) if option is not None else None
    body = klass.child_by_field_name("body")
    if body is None:
        return None
    first = min((d[2] for d in decorators), key=lambda d: d.start_byte)
    table = ForeignTable(
        name or _snake(model),
        "typeorm",
        tree.path,
        model=model,
        written=text_of(klass),
        first_line=first.start_point[0],
        last_line=body.end_point[0],
        indent=tree.indent_of(first),
    )
    by_property: dict[str, str] = {}
    for member in body.named_children:
        if member.type != "public_field_definition":
            continue
        column = _column(tree, member)
        if column is not None:
            table.columns.append(column)
            by_property[column.field_name] = column.name
    for kind, arg, _ in decorators:
        if kind in ("Index", "Unique"):
            # @Index("name", [...]) or @Index([...]); a property list names properties.
            spec = arg
            if arg is not None and arg.type in ("string",) and arg.next_named_sibling is not None:
                spec = arg.next_named_sibling
            cols = [by_property.get(p, p) for p in _strings(spec)]
            if cols:
                table.indexes.append((f"{kind.lower()}_{'_'.join(cols)}", tuple(cols)))
    return table


def _column(tree: Tree, member: Node) -> ForeignColumn | None:
    prop = text_of(member.child_by_field_name("name"))
    decorators = _decorators(member)
    kinds = {d[0] for d in decorators}
    if not kinds & {*_PRIMARY, *_COLUMNS, *_OWNING}:
        return None
    name, unique = prop, False
    for kind, arg, _ in decorators:
        options = _options(arg)
        if kind in _COLUMNS or kind in _PRIMARY:
            if "name" in options:
                name = literal_value(options["name"]) or name
            unique = unique or ("unique" in options and text_of(options["unique"]) == "true")
        elif kind == "JoinColumn" and "name" in options:
            name = literal_value(options["name"]) or name
    if kinds & set(_OWNING) and not any(
        d[0] == "JoinColumn" and _options(d[1]).get("name") for d in decorators
    ):
        name = f"{prop}Id"
    first = min((d[2] for d in decorators), key=lambda d: d.start_byte)
    return ForeignColumn(
        name,
        "int" if kinds & {*_PRIMARY, *_OWNING} else "text",
        primary_key=bool(kinds & set(_PRIMARY)),
        unique=unique,
        indexed="Index" in kinds,
        tag_at=Position(first.start_point[0], 0),
        tag_state=tree.indent_of(first),
        field_name=prop,
    )


def repositories(text: str) -> dict[str, str]:
    """repository variable -> entity class: ``repo: Repository<Order>`` (Nest's
    ``@InjectRepository``) and ``repo = getRepository(Order)``."""
    found = {m.group(1): m.group(2) for m in _REPOSITORY_TYPE.finditer(text)}
    found.update({m.group(1): m.group(2) for m in _REPOSITORY_CALL.finditer(text)})
    return found


def typeorm_queries(tree: Tree, entities: dict[str, str]) -> list[FoundQuery]:
    """``entities``: entity class -> table. Reads the repository calls of ``tree``."""
    repos = {v: entities[e] for v, e in repositories(tree.text).items() if e in entities}
    out = []
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or args is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        if method not in _READS or not args.named_children:
            continue
        target = callee.child_by_field_name("object")
        table = _table_of(target, repos, entities)
        if table is None:
            continue
        query = _shape(tree, call, method, args.named_children[0], table)
        if query is not None:
            out.append(query)
    return out


def _table_of(target: Node | None, repos: dict[str, str], entities: dict[str, str]) -> str | None:
    if target is None:
        return None
    if target.type == "member_expression":  # this.orders
        return repos.get(text_of(target.child_by_field_name("property")))
    if target.type == "identifier":
        return repos.get(text_of(target))
    if target.type == "call_expression" and text_of(
        target.child_by_field_name("function")
    ).endswith("getRepository"):
        args = target.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        return entities.get(text_of(first)) if first is not None else None
    return None


def _shape(tree: Tree, call: Node, method: str, arg: Node, table: str) -> FoundQuery | None:
    if arg.type != "object":
        return None  # findOne(id): the primary key
    options = _options(arg)
    keys = {text_of(i.child_by_field_name("key")) for i in arg.named_children if i.type == "pair"}
    keys |= {text_of(i) for i in arg.named_children if i.type == "shorthand_property_identifier"}
    filters: Node | None = arg
    order: Node | None = None
    if not method.endswith("By") and keys and keys <= _OPTIONS:
        filters, order = options.get("where"), options.get("order")
    shape = QueryShape(table)
    if filters is not None and filters.type == "object":
        for item in filters.named_children:
            if item.type == "shorthand_property_identifier":
                shape.eq.append(text_of(item))
            elif item.type == "pair":
                value = item.child_by_field_name("value")
                if value is not None and value.type == "object":
                    continue  # a relation filter: its own table's key
                if value is not None and value.type == "call_expression":
                    op = text_of(value.child_by_field_name("function"))
                    if op in ("MoreThan", "LessThan", "MoreThanOrEqual", "LessThanOrEqual"):
                        shape.ranges.append(text_of(item.child_by_field_name("key")).strip("'\""))
                    elif op in ("In", "Equal"):
                        shape.eq.append(text_of(item.child_by_field_name("key")).strip("'\""))
                    continue
                shape.eq.append(text_of(item.child_by_field_name("key")).strip("'\""))
    if order is not None and order.type == "object":
        for item in order.named_children:
            if item.type == "pair":
                direction = text_of(item.child_by_field_name("value")).upper()
                shape.order_by.append(text_of(item.child_by_field_name("key")).strip("'\""))
                shape.order_desc.append("DESC" in direction)
    if not (shape.eq or shape.ranges or shape.order_by):
        return None
    code = " ".join(text_of(call).split())
    return FoundQuery(shape, tree.span(call), code if len(code) <= 120 else code[:119] + "…")
