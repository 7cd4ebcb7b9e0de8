"""Index suggestions for JS/TS and Go code: the same proposal and SQLite proof as Python's,
with the edit written where the table is declared -- ``@@index`` in schema.prisma, a GORM tag
on the struct field, ``CREATE INDEX`` in the SQL migration."""

from __future__ import annotations

from ....definitions.findings import Position, Span
from ....textfile import read_utf8
from ...suggestion import Edit, Suggestion
from ..indexes import _rationale, index_edits, index_name, propose, prove
from ..queries import FoundQuery
from ..schema import Schema, Table
from .model import ForeignTable
from .tables import foreign_tables


def foreign_index_suggestions(
    found: list[FoundQuery], schema: Schema, path: str
) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for query in found:
        table = schema.tables.get(query.shape.table)
        if table is None:
            continue
        cols = propose(query, table)
        if cols is None or (table.name, tuple(cols)) in seen:
            continue
        if table.origin == "mongoose":
            suggestion = _mongo(query, table, cols, path)
            if suggestion is not None:
                seen.add((table.name, tuple(cols)))
                out.append(suggestion)
            continue
        proof = prove(query, table, cols)
        if not proof.proven:
            continue
        edits = _edits(table, cols)
        while not edits and table.origin == "gorm" and len(cols) > 1:
            # A column of an embedded gorm.Model takes no tag here: index the leading ones.
            cols = cols[:-1]
            proof = prove(query, table, cols)
            edits = _edits(table, cols) if proof.proven else None
        if not edits:
            continue
        seen.add((table.name, tuple(cols)))
        out.append(
            Suggestion(
                "BKD101",
                "index",
                path,
                query.span,
                f"Add an index on {table.name} ({', '.join(cols)})",
                _rationale(query, table, cols, proof),
                tuple(edits),
                proven=True,
                data={"table": table.name, "columns": ",".join(cols)},
            )
        )
    return _widest(out)


def _widest(found: list[Suggestion]) -> list[Suggestion]:
    """One index serves every query on a prefix of its columns: a file that filters on
    ``(user)`` and on ``(user, article)`` gets the second index only."""
    keys = [(s.data["table"], tuple(s.data["columns"].split(","))) for s in found]
    return [
        s
        for s, (table, cols) in zip(found, keys, strict=True)
        if not any(t == table and len(c) > len(cols) and c[: len(cols)] == cols for t, c in keys)
    ]


def _edits(table: Table, cols: list[str]) -> list[Edit] | None:
    if table.origin == "prisma":
        at = Position(table.class_body_end, 0)
        return [
            Edit(table.path, Span(at, at), f"{table.class_indent}@@index([{', '.join(cols)}])\n")
        ]
    if table.origin == "gorm":
        return _gorm(table, cols)
    if table.origin == "sql":
        return index_edits(table, cols, {})
    if table.origin == "typeorm":
        return _typeorm(table, cols)
    if table.origin == "sequelize":
        return _sequelize(table, cols)
    if table.origin == "knex":
        from ..js.knex import new_migration

        return new_migration(table.path, table.name, cols, index_name(table, cols))
    return None


def _sequelize(table: Table, cols: list[str]) -> list[Edit] | None:
    """``{ fields: [...] }`` into the model options' ``indexes`` (made if need be)."""
    declared = _declared(table, "sequelize")
    if declared is None or declared.edit_at is None:
        return None
    index = f"{{ fields: [{', '.join(repr(c).replace(chr(39), chr(34)) for c in cols)}] }}"
    mode = declared.receiver
    if mode.startswith("array"):
        new = index if mode == "array-empty" else f", {index}"
    elif mode.startswith("options"):
        entry = f"indexes: [{index}]"
        new = (
            f" {entry} "
            if mode == "options-empty"
            else f" {entry},"
            if mode == "options-comma"
            else f", {entry}"
        )
    else:
        new = f", {{ indexes: [{index}] }}"
    return [Edit(table.path, Span(declared.edit_at, declared.edit_at), new)]


def _declared(table: Table, origin: str) -> ForeignTable | None:
    """The ``origin`` declaration of ``table`` in its own file, as read now."""
    text = read_utf8(table.path)
    if text is None:
        return None
    return next(
        (
            t
            for t in foreign_tables(table.path, text)
            if t.origin == origin and t.name == table.name
        ),
        None,
    )


def _typeorm(table: Table, cols: list[str]) -> list[Edit] | None:
    """``@Index()`` above the property for one column, ``@Index([...])`` (property names)
    above the entity's decorators for several."""
    declared = _declared(table, "typeorm")
    if declared is None:
        return None
    columns = {c.name: c for c in declared.columns}
    if any(c not in columns for c in cols):
        return None
    if len(cols) == 1:
        column = columns[cols[0]]
        if column.tag_at is None:
            return None
        return [
            Edit(table.path, Span(column.tag_at, column.tag_at), f"{column.tag_state}@Index()\n")
        ]
    names = ", ".join(f'"{columns[c].field_name}"' for c in cols)
    at = Position(declared.first_line, 0)
    return [Edit(table.path, Span(at, at), f"{declared.indent}@Index([{names}])\n")]


def _gorm(table: Table, cols: list[str]) -> list[Edit] | None:
    declared = _declared(table, "gorm")
    if declared is None:
        return None
    columns = {c.name: c for c in declared.columns}
    name = index_name(table, cols)
    edits = []
    for priority, col in enumerate(cols, start=1):
        column = columns.get(col)
        if column is None or column.tag_at is None:
            return None
        setting = "index" if len(cols) == 1 else f"index:{name},priority:{priority}"
        if column.tag_state == "gorm":
            new = f";{setting}"
        elif column.tag_state == "tag":
            new = f' gorm:"{setting}"'
        else:
            new = f' `gorm:"{setting}"`'
        edits.append(Edit(table.path, Span(column.tag_at, column.tag_at), new))
    return edits


def _mongo(query: FoundQuery, table: Table, cols: list[str], path: str) -> Suggestion | None:
    desc = dict(zip(query.shape.order_by, query.shape.order_desc, strict=False))
    spec = ", ".join(f"{c}: {-1 if desc.get(c) else 1}" for c in cols)
    existing = ", ".join(f"({', '.join(c)})" for _, c in table.all_indexes()) or "none"
    edits = _mongo_field(table, cols[0]) if len(cols) == 1 else None
    if edits is None and table.anchor_receiver:
        at = Position(table.class_body_end + 1, 0)
        edits = [Edit(table.path, Span(at, at), f"{table.anchor_receiver}.index({{ {spec} }});\n")]
    if edits is None:
        return None
    return Suggestion(
        "BKD102",
        "index",
        path,
        query.span,
        f"Add an index on {table.name} ({', '.join(cols)})",
        f"`{query.description}` filters or sorts {table.name} on {', '.join(cols)}, and no index "
        f"starts with them (existing: {existing}): MongoDB scans the collection. Not proven: "
        "MongoDB's planner is not SQLite's; check with `.explain()` that it becomes an IXSCAN.",
        tuple(edits),
        proven=False,
        data={"table": table.name, "columns": ",".join(cols)},
    )


def _mongo_field(table: Table, col: str) -> list[Edit] | None:
    """``index: true`` on the field itself (``kind: String`` -> ``kind: { type: String,
    index: true }``), as Mongoose schemas usually say it."""
    declared = _declared(table, "mongoose")
    column = next((c for c in declared.columns if c.name == col), None) if declared else None
    if column is None or column.tag_at is None:
        return None
    if column.tag_state in ("object", "empty"):
        text = ", index: true" if column.tag_state == "object" else " index: true "
        return [Edit(table.path, Span(column.tag_at, column.tag_at), text)]
    end = Position(column.tag_at.line, column.tag_at.column + len(column.type))
    return [Edit(table.path, Span(column.tag_at, end), f"{{ type: {column.type}, index: true }}")]
