"""GORM models -> tables: structs that carry ``gorm:"..."`` tags, embed ``gorm.Model`` or are
passed to ``AutoMigrate``. Names follow GORM's default naming strategy (snake case, plural
table names; ``TableName()`` methods win), indexes its tags (``index``, ``uniqueIndex``,
``unique``, ``primaryKey``; a named ``index:idx`` shared by fields is one composite index)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..foreign.model import ForeignColumn, ForeignTable
from ..treesitter import Tree, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_GORM_KEY = re.compile(r'gorm:"([^"]*)"')
_MODEL_COLUMNS = (
    ForeignColumn("id", "int", primary_key=True),
    ForeignColumn("created_at", "datetime"),
    ForeignColumn("updated_at", "datetime"),
    ForeignColumn("deleted_at", "datetime", indexed=True),
)


def db_name(name: str) -> str:
    """GORM's column name: ``UserID`` -> ``user_id``, ``HTTPStatus`` -> ``http_status``."""
    return _SPLIT.sub("_", name).lower()


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def mentions_gorm(text: str) -> bool:
    return 'gorm:"' in text or "gorm.Model" in text or "AutoMigrate" in text


def gorm_tables(tree: Tree) -> list[ForeignTable]:
    names = _table_names(tree)
    migrated = _migrated(tree)
    structs: dict[str, Node] = {}
    for node in tree.nodes("type_spec"):
        if node.type == "type_spec":
            kind = node.child_by_field_name("type")
            if kind is not None and kind.type == "struct_type":
                structs[text_of(node.child_by_field_name("name"))] = node
    out = []
    for name, spec in structs.items():
        table = _table(tree, name, spec, set(structs), names.get(name), name in migrated)
        if table is not None:
            out.append(table)
    return out


def _table_names(tree: Tree) -> dict[str, str]:
    """``func (User) TableName() string { return "people" }`` -> {User: people}."""
    out = {}
    for node in tree.root.named_children:
        if node.type != "method_declaration" or text_of(node.child_by_field_name("name")) != (
            "TableName"
        ):
            continue
        receiver = text_of(node.child_by_field_name("receiver"))
        match = re.search(r"\*?(\w+)\s*\)$", receiver)
        literal = re.search(r'return\s+"([^"]+)"', text_of(node.child_by_field_name("body")))
        if match and literal:
            out[match.group(1)] = literal.group(1)
    return out


def _migrated(tree: Tree) -> set[str]:
    out: set[str] = set()
    if "AutoMigrate" not in tree.text:
        return out
    for match in re.finditer(r"AutoMigrate\(([^)]*)\)", tree.text):
        out.update(re.findall(r"&(?:\w+\.)?(\w+)\{", match.group(1)))
    return out


def _table(
    tree: Tree, name: str, spec: Node, structs: set[str], table_name: str | None, migrated: bool
) -> ForeignTable | None:
    body = spec.child_by_field_name("type")
    fields = body.named_children[0] if body is not None and body.named_children else None
    if fields is None:
        return None
    gormish = migrated or 'gorm:"' in text_of(fields) or "gorm.Model" in text_of(fields)
    if not gormish:
        return None
    decl = spec.parent or spec
    table = ForeignTable(
        table_name or plural(db_name(name)),
        "gorm",
        tree.path,
        model=name,
        written=text_of(decl),
        first_line=decl.start_point[0],
        last_line=decl.end_point[0],
    )
    named: dict[str, list[tuple[int, str]]] = {}
    for item in fields.named_children:
        if item.type != "field_declaration":
            continue
        field = item.child_by_field_name("name")
        kind = text_of(item.child_by_field_name("type"))
        tag_node = item.child_by_field_name("tag")
        tag = text_of(tag_node)
        if field is None:
            if kind == "gorm.Model":
                table.columns.extend(
                    ForeignColumn(c.name, c.type, c.primary_key, indexed=c.indexed)
                    for c in _MODEL_COLUMNS
                )
            continue
        if kind.lstrip("*[]") in structs or (kind.startswith("[]") and kind != "[]byte"):
            continue  # a relation
        # Any other named type (time.Time, an enum, sql.NullString) is a column.
        gorm = _GORM_KEY.search(tag)
        settings = _settings(gorm.group(1) if gorm else "")
        if "-" in settings:
            continue
        column = ForeignColumn(
            settings.get("column") or db_name(text_of(field)),
            settings.get("type") or kind,
            primary_key="primarykey" in settings
            or "primary_key" in settings
            or (text_of(field) == "ID" and not any(c.primary_key for c in table.columns)),
            unique="unique" in settings or settings.get("uniqueindex") == "",
            indexed=settings.get("index") == "" or "uniqueindex" in settings,
            field_name=text_of(field),
        )
        for key in ("index", "uniqueindex"):
            value = settings.get(key, "")
            index_name = value.split(",")[0]
            if index_name:
                priority = re.search(r"priority:(\d+)", value)
                named.setdefault(index_name, []).append(
                    (int(priority.group(1)) if priority else 10, column.name)
                )
        if gorm is not None and tag_node is not None:
            column.tag_state = "gorm"
            column.tag_at = tree.position(tag_node.start_byte + gorm.end() - 1)
        elif tag_node is not None:
            column.tag_state = "tag"
            column.tag_at = tree.position(tag_node.end_byte - 1)
        else:
            column.tag_at = tree.position(item.end_byte)
        table.columns.append(column)
    for index_name, members in named.items():
        ordered = tuple(c for _, c in sorted(members, key=lambda m: m[0]))
        table.indexes.append((index_name, ordered))
    return table


def _settings(value: str) -> dict[str, str]:
    """``size:255;index:idx_a,priority:2;not null`` -> {size: 255, index: idx_a,priority:2,
    not null: ""} (keys lowercased, as GORM reads them; jinzhu/gorm v1 spells them with an
    underscore -- ``unique_index``, ``primary_key`` -- which v2 still accepts)."""
    out = {}
    for part in value.split(";"):
        key, _, rest = part.partition(":")
        if key.strip():
            out[key.strip().lower().replace("_", "")] = rest.strip()
    return out
