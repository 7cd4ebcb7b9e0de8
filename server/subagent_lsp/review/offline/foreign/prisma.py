"""schema.prisma -> tables. Written here (no Python library reads Prisma's schema language):
the subset the planner needs is small and regular -- ``model`` blocks, scalar fields with
``@id``/``@unique``/``@map``, and the block attributes ``@@id``, ``@@unique``, ``@@index``,
``@@map``. Relation fields (whose type is another model) are no columns; their foreign key
scalars are, and Prisma does not index them on PostgreSQL."""

from __future__ import annotations

import re

from .model import ForeignColumn, ForeignTable

_MODEL = re.compile(r"^[ \t]*model[ \t]+(\w+)[ \t]*\{", re.M)
_FIELD = re.compile(r"^[ \t]*(\w+)[ \t]+(\w+)(\[\])?(\?)?(.*)$")
_BLOCK = re.compile(r"^[ \t]*@@(id|unique|index|map)\s*\((.*)\)")
_LIST = re.compile(r"\[([^\]]*)\]")
_QUOTED = re.compile(r'"([^"]*)"')


def _names(args: str) -> tuple[str, ...]:
    match = _LIST.search(args)
    if match is None:
        return ()
    out = []
    for item in match.group(1).split(","):
        name = item.strip().split("(")[0].strip()
        if name:
            out.append(name)
    return tuple(out)


def prisma_tables(path: str, text: str) -> list[ForeignTable]:
    text = text.replace("\r\n", "\n")
    models = set(_MODEL.findall(text))
    out: list[ForeignTable] = []
    for match in _MODEL.finditer(text):
        close = text.find("\n}", match.end())
        body_end = close if close >= 0 else len(text)
        body = text[match.end() : body_end]
        first = text.count("\n", 0, match.start())
        table = ForeignTable(
            match.group(1),
            "prisma",
            path,
            model=match.group(1),
            written=text[match.start() : body_end + 2].rstrip(),
            first_line=first,
            last_line=text.count("\n", 0, body_end + 1),
        )
        for line in body.split("\n"):
            code = line.split("//", 1)[0].rstrip()
            block = _BLOCK.match(code)
            if block is not None:
                kind, args = block.groups()
                if kind == "map":
                    quoted = _QUOTED.search(args)
                    table.name = quoted.group(1) if quoted else table.name
                elif kind == "id":
                    for column in table.columns:
                        column.primary_key = column.primary_key or column.name in _names(args)
                    table.indexes.append(("@@id", _names(args)))
                else:
                    table.indexes.append((f"@@{kind}", _names(args)))
                continue
            field = _FIELD.match(code)
            if field is None or field.group(1) in ("model", "enum"):
                continue
            name, kind, many, _, attrs = field.groups()
            if kind in models or many:
                continue  # a relation (or a list): no column of this table
            if not table.indent.strip() and line[: len(line) - len(line.lstrip())]:
                table.indent = line[: len(line) - len(line.lstrip())]
            table.columns.append(
                ForeignColumn(
                    name,
                    kind,
                    primary_key="@id" in attrs.split("@default")[0] or " @id" in attrs,
                    unique="@unique" in attrs,
                    field_name=name,
                )
            )
        out.append(table)
    return out
