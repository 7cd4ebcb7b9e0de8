"""Tables as Prisma, GORM, TypeORM or a SQL string in JS/Go code declare them.

Plain data, read by schema.py into its ``Table`` (so the same index proofs apply) and by the
index edits, which need to know exactly where a model declares its columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ....definitions.findings import Position


@dataclass
class ForeignColumn:
    name: str  # as queries name it (Prisma's field, GORM's column)
    type: str = ""
    primary_key: bool = False
    unique: bool = False
    indexed: bool = False
    # GORM: where an index tag goes, and what is there already ("gorm": a gorm:"..." key
    # ending before ``at``; "tag": a struct tag without one, ending at ``at``; "none": no tag).
    tag_at: Position | None = None
    tag_state: str = "none"
    field_name: str = ""  # GORM/TypeORM: the struct field or property as written


@dataclass
class ForeignTable:
    name: str
    origin: str  # prisma | gorm | typeorm | sql
    path: str
    model: str | None = None
    columns: list[ForeignColumn] = field(default_factory=list)
    indexes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    written: str = ""  # the model or DDL as written (what the agent is shown)
    first_line: int = 0
    last_line: int = 0  # prisma/gorm/typeorm: the closing brace's line; sql: the DDL's end
    indent: str = "  "
    receiver: str = ""  # mongoose: the schema variable its `.index(...)` call goes on
    # sequelize: where an index goes (after the last item of ``indexes`` or of the options),
    # and what is there ("array"/"options", "-empty"/"-comma"; "none": no options argument)
    edit_at: Position | None = None
