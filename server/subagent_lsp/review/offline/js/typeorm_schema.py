"""TypeORM entities -> tables, and the repository calls that read them.

Names follow TypeORM's default naming strategy: ``@Entity("name")`` or the class name in snake
case; a column goes by its property, as ``where`` and ``order`` name it; a ``@ManyToOne`` /
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
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_SNAKE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_PRIMARY = ("PrimaryGeneratedColumn", "PrimaryColumn", "ObjectIdColumn")
_COLUMNS = ("Column", "CreateDateColumn", "UpdateDateColumn", "DeleteDateColumn", "VersionColumn")
_OWNING = ("ManyToOne", "OneToOne")


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


def options_of(arg: Node | None) -> dict[str, Node]:
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
        option = options_of(arg).get("name")
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
        options = options_of(arg)
        if kind in _COLUMNS or kind in _PRIMARY:
            # ``@Column({ name })`` renames it in the database only: ``where`` and ``order``
            # name the property, and so do the tables here.
            unique = unique or ("unique" in options and text_of(options["unique"]) == "true")
        elif kind == "JoinColumn" and "name" in options:
            name = literal_value(options["name"]) or name
    if kinds & set(_OWNING) and not any(
        d[0] == "JoinColumn" and options_of(d[1]).get("name") for d in decorators
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
