"""The schema a piece of code touches: tables, columns and indexes, from DDL and ORM models.

Sources: ``CREATE TABLE``/``CREATE INDEX`` in .sql files and migrations, DDL strings passed to
``execute``/``executescript`` in Python, SQLAlchemy declarative models (``Column``,
``mapped_column``, ``index=True``, ``__table_args__``) and Django models (``db_index``,
``unique``, ``Meta.indexes``, foreign keys). Each table remembers where it is written so an index
can be added there. Foreign keys: SQLAlchemy and PostgreSQL do not index them for you; Django
(and MySQL's InnoDB) do, so a Django ``ForeignKey`` counts as indexed.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ...definitions.findings import Position
from ...textfile import read_utf8
from .foreign.model import ForeignTable
from .foreign.tables import SUFFIXES as FOREIGN_SUFFIXES
from .foreign.tables import foreign_tables, is_foreign_schema_file
from .pysource import Source, dotted, parse_source
from .sessions import SessionFacts, mentions_sessions, session_facts
from .sql import table_defs

MAX_SCHEMA_FILES = 3000
MAX_SCHEMA_FILE_BYTES = 1_000_000
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox"}


@dataclass
class Column:
    name: str
    type: str = ""
    primary_key: bool = False
    unique: bool = False
    indexed: bool = False
    call_end: Position | None = None  # ORM: the field call's closing parenthesis
    call_has_args: bool = True
    references: str = ""  # ORM: the table (or model) its ForeignKey points at


@dataclass
class Relationship:
    """``posts = db.relationship("Post", ...)``: walking it reads the target's table by the
    foreign key that points back (``foreign_keys`` names it when there are several)."""

    target: str  # the target model's class name
    foreign_keys: tuple[str, ...] = ()


@dataclass
class Table:
    name: str
    origin: str  # sql | python-sql | sqlalchemy | django
    path: str
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    ddl: list[str] = field(default_factory=list)  # sql, python-sql: its statements as written
    model: str | None = None
    anchor_line: int = 0  # sql: line after the CREATE TABLE; python-sql: the execute call's line
    anchor_indent: str = ""
    anchor_receiver: str = ""  # python-sql: the object whose execute created the table
    class_line: int = 0  # ORM: the `class` line
    class_body_end: int = 0  # ORM: last line of the class body
    class_indent: str = ""
    meta_line: int | None = None  # django: the line of `class Meta:`
    has_table_args: bool = False
    relationships: dict[str, Relationship] = field(default_factory=dict)  # ORM attribute -> it

    def covered(self, columns: Iterable[str]) -> bool:
        """An index (or the primary key) whose leading columns are ``columns`` already exists."""
        wanted = tuple(columns)
        if not wanted:
            return True
        return any(cols[: len(wanted)] == wanted for _, cols in self.all_indexes())

    def all_indexes(self) -> list[tuple[str, tuple[str, ...]]]:
        out = list(self.indexes)
        # A composite primary key is one index, led by its first column: the second column
        # alone is not served by it (a relationship walking it needs its own).
        keys = tuple(c.name for c in self.columns.values() if c.primary_key)
        if len(keys) > 1:
            out.append(("primary key", keys))
        for col in self.columns.values():
            if (col.primary_key and len(keys) == 1) or col.unique or col.indexed:
                out.append((f"{col.name} (column)", (col.name,)))
        return out


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # ORM class name -> table name
    sessions: SessionFacts = field(default_factory=SessionFacts)

    def add(self, table: Table) -> None:
        existing = self.tables.get(table.name)
        if existing is not None and existing.columns and not table.columns:
            # A copy: ``existing`` also belongs to the per-file schema it came from (SchemaCache
            # merges the same tables on every call), which must not grow with each merge.
            self.tables[table.name] = replace(
                existing,
                indexes=[*existing.indexes, *table.indexes],
                ddl=[*existing.ddl, *table.ddl],
            )
            return
        self.tables[table.name] = table
        if table.model:
            self.models[table.model] = table.name

    def merge(self, other: Schema) -> None:
        for table in other.tables.values():
            self.add(table)
        self.sessions.merge(other.sessions)

    def table_for_model(self, model: str) -> Table | None:
        name = self.models.get(model)
        return self.tables.get(name) if name else None


def schema_from_sql(path: str, text: str) -> Schema:
    schema = Schema()
    for tdef in table_defs(text):
        if not tdef.columns:
            # an index on a table defined elsewhere
            schema.add(Table(tdef.name, "sql", path, indexes=tdef.indexes, ddl=tdef.ddl))
            continue
        table = Table(
            tdef.name,
            "sql",
            path,
            indexes=tdef.indexes,
            ddl=tdef.ddl,
            anchor_line=tdef.end_line + 1,
        )
        for col in tdef.columns:
            table.columns[col.name] = Column(col.name, col.type, col.primary_key, col.unique)
        schema.add(table)
    return schema


def schema_from_python(source: Source) -> Schema:
    schema = Schema()
    for node in source.walk():
        if isinstance(node, ast.ClassDef):
            table = _sqlalchemy_model(source, node) or _django_model(source, node)
            if table is not None:
                schema.add(table)
        elif isinstance(node, ast.Call):
            _ddl_call(source, node, schema)
    return schema


def _ddl_call(source: Source, call: ast.Call, schema: Schema) -> None:
    name = dotted(call.func)
    if not name.endswith(("execute", "executescript")) or not call.args:
        return
    arg = call.args[0]
    if isinstance(arg, ast.Call) and dotted(arg.func).endswith("text") and arg.args:
        arg = arg.args[0]
    if not isinstance(arg, ast.Constant) or not isinstance(arg.value, str):
        return
    if "create" not in arg.value.lower():
        return
    receiver = name.rsplit(".", 1)[0] if "." in name else ""
    line = (call.end_lineno or call.lineno) - 1
    for table in schema_from_sql(source.path, arg.value).tables.values():
        if table.columns:
            table.origin = "python-sql"
            table.anchor_line = line + 1
            table.anchor_indent = source.indent_of(call.lineno - 1)
            table.anchor_receiver = receiver
        schema.add(table)


def _keywords(call: ast.Call) -> dict[str, object]:
    out: dict[str, object] = {}
    for kw in call.keywords:
        if kw.arg and isinstance(kw.value, ast.Constant):
            out[kw.arg] = kw.value.value
    return out


def _class_frame(source: Source, cls: ast.ClassDef, table: Table) -> None:
    table.class_line = min([cls.lineno, *(d.lineno for d in cls.decorator_list)]) - 1
    table.class_body_end = (cls.end_lineno or cls.lineno) - 1
    first = cls.body[0]
    table.class_indent = source.indent_of(first.lineno - 1)


def _sqlalchemy_model(source: Source, cls: ast.ClassDef) -> Table | None:
    tablename = None
    for stmt in cls.body:
        named = isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__tablename__" for t in stmt.targets
        )
        if named and isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant):
            tablename = str(stmt.value.value)
    if tablename is None:
        tablename = _flask_sqlalchemy_name(cls)
    if tablename is None:
        return None
    table = Table(tablename, "sqlalchemy", source.path, model=cls.name)
    _class_frame(source, cls, table)
    for stmt in cls.body:
        target, value = _assignment(stmt)
        if target == "__table_args__":
            table.has_table_args = True
            for call in ast.walk(value) if value is not None else []:
                if isinstance(call, ast.Call) and dotted(call.func).split(".")[-1] in (
                    "Index",
                    "UniqueConstraint",
                    "PrimaryKeyConstraint",
                ):
                    cols = tuple(
                        a.value
                        for a in call.args
                        if isinstance(a, ast.Constant) and isinstance(a.value, str)
                    )
                    if dotted(call.func).endswith("Index"):
                        cols = cols[1:]
                    table.indexes.append((dotted(call.func), cols))
            continue
        if target is None or not isinstance(value, ast.Call):
            continue
        func = dotted(value.func).split(".")[-1]
        if func == "relationship":
            annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
            relationship = _relationship(value, annotation)
            if relationship is not None:
                table.relationships[target] = relationship
            continue
        if func not in ("Column", "mapped_column"):
            continue
        kws = _keywords(value)
        column = Column(
            str(kws.get("name") or target),
            primary_key=bool(kws.get("primary_key")),
            unique=bool(kws.get("unique")),
            indexed=bool(kws.get("index")),
            call_end=_paren(source, value),
            call_has_args=bool(value.args or value.keywords),
        )
        for arg in value.args:
            if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey"):
                column.references = _referenced(arg)
                continue  # not a type; SQLAlchemy does not index it by itself
            if isinstance(arg, ast.Name | ast.Attribute | ast.Call):
                column.type = column.type or dotted(arg.func if isinstance(arg, ast.Call) else arg)
        table.columns[column.name] = column
    return table


def _flask_sqlalchemy_name(cls: ast.ClassDef) -> str | None:
    """Flask-SQLAlchemy names a ``db.Model`` without ``__tablename__`` after its class in
    snake case (``BlogPost`` -> ``blog_post``), when the class declares a column itself."""
    if not any(dotted(base) == "db.Model" for base in cls.bases):
        return None
    columns = (
        _assignment(stmt)[1] for stmt in cls.body if isinstance(_assignment(stmt)[1], ast.Call)
    )
    if not any(
        dotted(v.func).split(".")[-1] in ("Column", "mapped_column")  # type: ignore[union-attr]
        for v in columns
    ):
        return None
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", cls.name).lower()


def _relationship(call: ast.Call, annotation: ast.expr | None) -> Relationship | None:
    """The target from the first argument, else from ``Mapped[list["Post"]]`` /
    ``WriteOnlyMapped["Post"]`` (SQLAlchemy 2's typed form)."""
    first: ast.expr | None = call.args[0] if call.args else None
    while first is None and isinstance(annotation, ast.Subscript):
        annotation = annotation.slice
        if not isinstance(annotation, ast.Subscript):
            first = annotation
    if first is None:
        return None
    target = str(first.value) if isinstance(first, ast.Constant) else dotted(first)
    if not target or "." in target:
        return None
    keys: tuple[str, ...] = ()
    for kw in call.keywords:
        if kw.arg == "foreign_keys":
            items = kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
            keys = tuple(
                i.attr
                if isinstance(i, ast.Attribute)
                else str(i.value).strip("[]").rsplit(".", 1)[-1]  # "Message.recipient_id"
                for i in items
                if isinstance(i, ast.Attribute)
                or (isinstance(i, ast.Constant) and isinstance(i.value, str))
            )
    return Relationship(target, keys)


def _referenced(call: ast.Call) -> str:
    """``ForeignKey("users.id")`` -> users; ``ForeignKey(User.id)`` -> User (a model name)."""
    if not call.args:
        return ""
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value.rsplit(".", 1)[0]
    name = dotted(arg)
    return name.rsplit(".", 1)[0] if "." in name else ""


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
    ):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def _paren(source: Source, call: ast.Call) -> Position:
    end = source.end(call)
    return Position(end.line, end.column - 1)


_DJANGO_BASES = ("models.Model", "Model")


def _django_model(source: Source, cls: ast.ClassDef) -> Table | None:
    if not any(dotted(b) in _DJANGO_BASES for b in cls.bases):
        return None
    fields: dict[str, Column] = {}
    db_table = None
    meta_line = None
    indexes: list[tuple[str, tuple[str, ...]]] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            meta_line = stmt.lineno - 1
            for inner in stmt.body:
                target, value = _assignment(inner)
                if target == "db_table" and isinstance(value, ast.Constant):
                    db_table = str(value.value)
                elif target in ("indexes", "constraints") and value is not None:
                    for call in ast.walk(value):
                        if isinstance(call, ast.Call):
                            fields_kw = {k.arg: k.value for k in call.keywords}
                            names = fields_kw.get("fields")
                            if isinstance(names, ast.List | ast.Tuple):
                                indexes.append(
                                    (
                                        dotted(call.func),
                                        tuple(
                                            str(e.value)
                                            for e in names.elts
                                            if isinstance(e, ast.Constant)
                                        ),
                                    )
                                )
                elif target in ("unique_together", "index_together") and value is not None:
                    for group in ast.walk(value):
                        if isinstance(group, ast.Tuple | ast.List) and all(
                            isinstance(e, ast.Constant) for e in group.elts
                        ):
                            values = [e.value for e in group.elts if isinstance(e, ast.Constant)]
                            indexes.append((target, tuple(str(v) for v in values)))
            continue
        target, value = _assignment(stmt)
        if target is None or not isinstance(value, ast.Call):
            continue
        func = dotted(value.func)
        if not func.endswith("Field") and not func.endswith(("ForeignKey", "OneToOneField")):
            continue
        kws = _keywords(value)
        is_fk = func.endswith(("ForeignKey", "OneToOneField"))
        column = Column(
            target,
            func.split(".")[-1],
            primary_key=bool(kws.get("primary_key")),
            unique=bool(kws.get("unique")) or func.endswith("OneToOneField"),
            # ForeignKey and SlugField get an index unless db_index=False says otherwise
            indexed=bool(kws.get("db_index"))
            or ((is_fk or func.endswith("SlugField")) and kws.get("db_index") is not False),
            call_end=_paren(source, value),
            call_has_args=bool(value.args or value.keywords),
        )
        fields[target] = column
    if not any(c.primary_key for c in fields.values()):
        fields = {"id": Column("id", "AutoField", primary_key=True), **fields}
    table = Table(db_table or cls.name.lower(), "django", source.path, model=cls.name)
    table.columns = fields
    table.indexes = indexes
    table.meta_line = meta_line
    _class_frame(source, cls, table)
    return table


def schema_of_file(path: str, text: str, source: Source | None = None) -> Schema:
    if path.endswith(".sql"):
        return schema_from_sql(path, text)
    if is_foreign_schema_file(path):
        return schema_from_foreign(foreign_tables(path, text))
    if not path.endswith(".py"):
        return Schema()
    tables, sessions = _mentions_schema(text), mentions_sessions(text)
    if not (tables or sessions):
        return Schema()
    source = source or parse_source(path, text)
    schema = schema_from_python(source) if tables else Schema()
    if sessions:
        schema.sessions = session_facts(source)
    return schema


def schema_from_foreign(tables: list[ForeignTable]) -> Schema:
    """Prisma, GORM and SQL strings in JS/Go, as tables the planner proofs can use."""
    schema = Schema()
    for found in tables:
        table = Table(
            found.name,
            found.origin,
            found.path,
            indexes=list(found.indexes),
            ddl=[found.written] if found.written else [],
            model=found.model,
            class_line=found.first_line,
            class_body_end=found.last_line,
            class_indent=found.indent,
            anchor_receiver=found.receiver,
        )
        for col in found.columns:
            table.columns[col.name] = Column(
                col.name, col.type, col.primary_key, col.unique, col.indexed
            )
        schema.add(table)
    return schema


def _mentions_schema(text: str) -> bool:
    """A cheap pre-filter before ``ast`` and sqlglot: most Python files define no table, and a
    regex over the raw text says so in microseconds (the DDL itself is read by sqlglot)."""
    return (
        "__tablename__" in text
        or "db.Model" in text  # Flask-SQLAlchemy's default table names
        or "models.Model" in text
        or re.search(r"create\s+table", text, re.IGNORECASE) is not None
    )


def schema_files(root: str) -> Iterable[str]:
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".py", ".sql", *FOREIGN_SUFFIXES)):
                count += 1
                if count > MAX_SCHEMA_FILES:
                    return
                yield os.path.join(folder, name)


class SchemaCache:
    """Schema of a workspace, re-read per file only when its mtime or text changes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[float, Schema]] = {}
        self.overrides: dict[str, Schema] = {}  # open documents' current text

    def scan(self, roots: Iterable[str]) -> None:
        seen = set()
        for root in roots:
            for path in schema_files(root):
                seen.add(path)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                if stat.st_size > MAX_SCHEMA_FILE_BYTES:
                    continue
                cached = self.files.get(path)
                if cached is not None and cached[0] == stat.st_mtime:
                    continue
                text = read_utf8(path)
                if text is None:
                    continue
                self.files[path] = (stat.st_mtime, schema_of_file(path, text))
        for path in list(self.files):
            if path not in seen:
                del self.files[path]

    def set_schema(self, path: str, schema: Schema) -> None:
        """What an open document defines now, in place of its file on disk."""
        self.overrides[os.path.abspath(path)] = schema

    def schema(self) -> Schema:
        merged = Schema()
        for path, (_, schema) in sorted(self.files.items()):
            if os.path.abspath(path) not in self.overrides:
                merged.merge(schema)
        for schema in self.overrides.values():
            merged.merge(schema)
        return merged
