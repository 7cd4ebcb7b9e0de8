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
import logging
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ...definitions.findings import Position, Span
from ...textfile import read_utf8
from .alembic_history import Migration, downgrade_nodes, dropped, migration_of
from .column_makers import ColumnMaker, MakerCall, column_makers, made_column
from .foreign.model import ForeignTable
from .foreign.tables import SUFFIXES as FOREIGN_SUFFIXES
from .foreign.tables import foreign_tables, is_foreign_schema_file
from .project_files import is_not_a_source, project_root
from .project_tree import files_under
from .pysource import (
    Source,
    dotted,
    every_node,
    imported_from,
    imported_names,
    keyword_value,
    parse_source,
)
from .sessions import SessionFacts, mentions_sessions, session_facts
from .sql import table_defs
from .table_calls import table_call

log = logging.getLogger(__name__)
MAX_SCHEMA_FILES = 3000
MAX_SCHEMA_FILE_BYTES = 1_000_000


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
    # ORM: the column of it the key holds (``id`` of ``ForeignKey("users.id")``), where written
    references_key: str = ""
    # django: its ForeignKey's ``on_delete`` (``PROTECT``, ``CASCADE``); SQLAlchemy and SQLModel:
    # the ``ondelete=`` the database's foreign key gets (``CASCADE``, ``SET NULL``)
    on_delete: str = ""
    helper: str = ""  # built by a project function (``reference_col(...)``): its name
    flag: str = ""  # the text that indexes it at ``call_end`` (default: by the table's origin)
    boolean: bool = False
    choices: bool = False  # Django ``choices=``: a handful of values
    no_index: bool = False  # ``index=False`` / ``db_index=False`` written out: on purpose
    no_index_at: Span | None = None  # the ``False`` of it, which an index edit turns True
    length: int = 0  # ``db.String(16383)`` / ``max_length=...``: the declared length, if any
    # django: ``null=True`` (``blank=True`` alone is the form's, not the database's): a
    # ForeignKey of it may give None where code reads ``row.rel.attr`` (null_relations)
    null: bool = False
    # SQLAlchemy and SQLModel: whether the model lets it be NULL (``nullable=``, else what the
    # library infers: ``Column`` yes, ``Mapped[int]`` and SQLModel's ``x: int`` no; None: unknown)
    nullable: bool | None = None

    @property
    def few_values(self) -> bool:
        """A flag, an enum or a choice: an index on it alone narrows little."""
        return self.boolean or self.choices or bool(_FEW_VALUED_TYPES.search(self.type))


_FEW_VALUED_TYPES = re.compile(r"bool|enum|choice", re.I)


@dataclass(frozen=True)
class ListSlot:
    """Where one more element goes in a literal list or tuple written in the app
    (``indexes = [...]``, ``__table_args__ = (...)``): inserted at ``at`` as ``text`` (with
    ``{index}`` for it); for a list on one line, also what rewriting it one element per line
    takes, for an element that would make the line too long."""

    at: Position
    text: str
    span: Span | None = None  # the list, brackets included, when it is on one line
    before: tuple[str, ...] = ()  # its elements before the new one, as written
    after: tuple[str, ...] = ()  # and after it (the options dict of ``__table_args__``)
    indent: str = ""  # of the list's line
    width: int = 0  # the length of that line
    brackets: str = "[]"


@dataclass
class Relationship:
    """``posts = db.relationship("Post", ...)``: walking it reads the target's table by the
    foreign key that points back (``foreign_keys`` names it when there are several)."""

    target: str  # the target model's class name
    foreign_keys: tuple[str, ...] = ()
    # ``secondary=followers, primaryjoin=(followers.c.followed_id == id)``: walking it reads
    # the association table (by its name or variable) by that column
    secondary: str = ""
    # ``primaryjoin=organization_id == Organization.id``: the target's columns the join
    # compares (its key, for a many-to-one: walking it is a primary-key lookup)
    joins_on: tuple[str, ...] = ()
    # ``lazy="selectin"`` / ``"joined"`` / ``"subquery"``: read with every load of the owner,
    # whether or not the code walks it
    eager: str = ""
    # ``cascade="all, delete-orphan"`` as written (SQLModel's ``cascade_delete=True``:
    # ``delete``); with ``passive_deletes`` and ``viewonly``, what deleting the owner does to
    # the rows it holds (delete_children.py)
    cascade: str = ""
    passive_deletes: bool = False
    viewonly: bool = False

    @property
    def deletes_targets(self) -> bool:
        """Deleting the owner deletes the rows this relationship holds (the ORM's cascade)."""
        parts = {p.strip() for p in self.cascade.lower().split(",")}
        return bool(parts & {"all", "delete", "delete-orphan"})


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
    # django: where a new ``models.Index`` joins the Meta's ``indexes = [...]``
    meta_indexes_slot: ListSlot | None = None
    # django: where one more ``[...]`` joins the Meta's ``index_together = [[...]]``
    meta_together_slot: ListSlot | None = None
    has_table_args: bool = False
    relationships: dict[str, Relationship] = field(default_factory=dict)  # ORM attribute -> it
    bases: tuple[str, ...] = ()  # ORM: the class's bases by name (columns come from mixins)
    ordering: tuple[tuple[str, bool], ...] | None = None  # django Meta.ordering (None: not set)
    index_import: str = "sqlalchemy"  # where the ORM's ``Index`` is imported from
    call_end: Position | None = None  # table: the end of the ``Table(...)`` call's last argument
    call_prefix: str = ""  # table: the module its Column is reached through (``db.``, ``sa.``)
    step: bool = False  # alembic: a later step (an index, a column) that adds to the table
    # alembic: the ``ondelete=`` its migrations give a foreign key, by column (a model's own
    # is its column's ``on_delete``); kept across the places that write the table
    delete_rules: dict[str, str] = field(default_factory=dict)
    meta_base: str = ""  # django: the abstract base whose Meta (and ordering) it inherits
    # ORM: where an Index joins an existing ``__table_args__ = (...)`` tuple
    table_args_slot: ListSlot | None = None
    table_args_kind: str = ""  # ORM: its own ``__table_args__``: dict | other
    # ``__table_args__ = {"schema": "public"}``: the dict, which an index turns into the
    # trailing options of a tuple
    table_args_dict: Span | None = None
    base_exprs: tuple[str, ...] = ()  # ORM: the bases as written (``db.Model``, ``BaseModel``)
    # ORM, without its own ``__table_args__``: the base it inherits them through, as written,
    # and their kind (a dict of options a new tuple must carry on)
    inherited_args: tuple[str, str] = ("", "")
    # Flask-SQLAlchemy: named after its class through a base imported from another module
    # (cookiecutter-flask's ``Model(CRUDMixin, db.Model)``), kept once the workspace shows
    # that base is an abstract ``db.Model``
    default_named: bool = False
    removed: tuple[str, ...] = ()  # ORM: inherited columns it sets to None (``id = None``)
    # SQLAlchemy: class attribute -> column name where they differ (``title =
    # db.Column("BkTitle", ...)``): queries name the attribute, the database the column
    attributes: dict[str, str] = field(default_factory=dict)
    # ORM: ``relationship("Street", backref="edits")`` gives Street an ``edits`` attribute that
    # reads this table: backref name -> (the other model, the relationship as seen from it)
    # Keyed by (other model, name): ``User.projects``, ``Event.projects`` and
    # ``Category.projects`` are three backrefs from one Project, each by its own foreign key.
    backrefs: dict[tuple[str, str], Relationship] = field(default_factory=dict)
    migrated: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # by migrations
    # ORM: the CREATE TABLE of a .sql script the app builds its schema from, when one mirrors
    # the model (the script, not the model, is what makes the database)
    sql_home: Table | None = None
    bind_key: str = ""  # Flask-SQLAlchemy ``__bind_key__``: the model lives in another database
    # table: ``uuid_pk()`` among its columns, made by a project function (resolved() reads it)
    maker_calls: tuple[MakerCall, ...] = ()

    def covered(self, columns: Iterable[str]) -> bool:
        """An index (or the primary key) whose leading columns are ``columns`` already exists."""
        wanted = tuple(columns)
        if not wanted:
            return True
        return any(cols[: len(wanted)] == wanted for _, cols in self.all_indexes())

    def all_indexes(self) -> list[tuple[str, tuple[str, ...]]]:
        out = [*self.indexes, *self.migrated]
        # A composite primary key is one index, led by its first column: the second column
        # alone is not served by it (a relationship walking it needs its own).
        keys = tuple(c.name for c in self.columns.values() if c.primary_key)
        if len(keys) > 1:
            out.append(("primary key", keys))
        for col in self.columns.values():
            if (col.primary_key and len(keys) == 1) or col.unique or col.indexed:
                out.append((f"{col.name} (column)", (col.name,)))
        # The same key read from two scripts that write it is one index.
        return list(dict.fromkeys(out))


@dataclass
class ClassInfo:
    """A class that is no table itself but gives its subclasses columns: a mixin, an abstract
    base (``__abstract__ = True``, Django's ``Meta.abstract``), a SQLModel without
    ``table=True``."""

    name: str
    bases: tuple[str, ...]
    columns: dict[str, Column]
    ordering: tuple[tuple[str, bool], ...] | None = None
    table_args_kind: str = ""  # its ``__table_args__``: dict | other (subclasses inherit them)
    base_exprs: tuple[str, ...] = ()  # the bases as written
    abstract: bool = False  # ``__abstract__ = True``


# Where a table is written, by trust: a model is the app's own statement of its schema, an
# Alembic migration only one step of its history (the model's edit is where an index goes).
_RANK = {"alembic": 0}


def _rank(table: Table) -> int:
    """A model written in a migration or a test (a private copy, a fixture) ranks with the
    migrations: the app's own model is where an index goes."""
    if _RANK.get(table.origin, 1) == 0:
        return 0
    return 0 if is_private_copy(table) else 1


_STEP_FOLDERS = frozenset({"updates", "migrations", "migrate", "patches", "upgrades", "changes"})


def _sql_home(table: Table) -> tuple[int, str]:
    """The file a SQL table's index belongs in, first: not a dated step of a schema-change
    folder (``admin/updates/20160418-api-keys.sql``, which existing databases already ran),
    then by path, so every run picks the same file."""
    parts = os.path.normpath(table.path).split(os.sep)
    step = any(p in _STEP_FOLDERS for p in parts[:-1]) or parts[-1][:1].isdigit()
    return (1 if step else 0, table.path)


# Tables read from Python code: an ORM class, a Table(...) call, DDL in an execute() call. (SQL
# files are a schema of record even in a migrations folder: Go and Node apps keep theirs there.)
_PYTHON_ORIGINS = ("sqlalchemy", "django", "python-sql", "table")


def is_private_copy(table: Table) -> bool:
    """A table as a migration's private copy of a model or a test's fixture writes it."""
    return table.origin in _PYTHON_ORIGINS and is_not_a_source(table.path, project_root(table.path))


MAX_BASE_DEPTH = 8


@dataclass
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)  # ORM class name -> table name
    sessions: SessionFacts = field(default_factory=SessionFacts)
    classes: dict[str, ClassInfo] = field(default_factory=dict)  # mixins and abstract bases
    helpers: dict[str, str] = field(default_factory=dict)  # column helper -> how it indexes
    # ``uuid_pk = lambda: Column("id", ...)``: functions that make a Table(...)'s column
    column_makers: dict[str, ColumnMaker] = field(default_factory=dict)
    # ``db = SQLAlchemy(model_class=BaseModel)``: db -> BaseModel, the class ``db.Model`` is
    model_classes: dict[str, str] = field(default_factory=dict)
    # ``roles_users = db.Table("user_role", ...)``: the variable code names an association
    # table by (``secondary=roles_users``, ``roles_users.c.role_id``) -> its table's name
    table_variables: dict[str, str] = field(default_factory=dict)
    # Alembic revision -> what its upgrade creates and drops (resolved() applies the drops)
    migrations: dict[str, Migration] = field(default_factory=dict)
    # Made by resolved() and not changed since: it can serve an analysis as it is.
    is_resolved: bool = field(default=False, compare=False, repr=False)

    def add(self, table: Table) -> None:
        self.is_resolved = False
        existing = self.tables.get(table.name)
        if existing is not None:
            rules = {**existing.delete_rules, **table.delete_rules}
            table = self._combined(existing, table)
            if rules != table.delete_rules:  # the database's rules, whichever place wins
                table = replace(table, delete_rules=rules)
        self.tables[table.name] = table
        if table.model:
            self.models[table.model] = table.name

    @staticmethod
    def _combined(existing: Table, table: Table) -> Table:
        """One table from two places that write it. Always copies: ``existing`` also belongs
        to the per-file schema it came from (SchemaCache merges the same tables on every call),
        which must not grow with each merge."""
        if table.step or not table.columns:
            # An index (or column) added later: the table as defined keeps its place. A model
            # read before the migration that adds its column keeps its own statement of the
            # column (its foreign key, its index=True), as it does when read after it.
            model_first = existing.origin in _PYTHON_ORIGINS and table.origin == "alembic"
            # (in the model's order: what reads the columns in order sees the same table)
            columns = {**existing.columns, **table.columns}
            if model_first:
                columns.update(existing.columns)
            return replace(
                existing,
                columns=columns,
                indexes=[*existing.indexes, *table.indexes],
                ddl=[*existing.ddl, *table.ddl],
            )
        if existing.step or not existing.columns:
            return replace(
                table,
                columns={**existing.columns, **table.columns},
                indexes=[*table.indexes, *existing.indexes],
                ddl=[*existing.ddl, *table.ddl],
            )
        origins = {existing.origin, table.origin}
        if "sql" in origins and origins & {"sqlalchemy", "django", "table"}:
            # The model and the schema file the app loads (``schema/baseline.sql``): the
            # file's keys and indexes are in the database; an index goes into the model.
            model, ddl = (table, existing) if existing.origin == "sql" else (existing, table)
            extra = [(n, c) for n, c in ddl.all_indexes() if not model.covered(c)]
            return replace(model, migrated=[*model.migrated, *extra], sql_home=ddl)
        low, high = sorted((existing, table), key=_rank)
        if _rank(low) < _rank(high):
            # The migration's indexes exist in the database: the model's table keeps them.
            extra = [(n, c) for n, c in low.all_indexes() if not high.covered(c)]
            return replace(high, migrated=[*high.migrated, *extra])
        if existing.path != table.path and existing.origin == table.origin == "sql":
            # A SQL schema written twice (the create script and a schema-change script that
            # creates the table again): the keys and indexes either adds are in the database,
            # and an index goes into the create script, whichever file was read first.
            home, other = sorted((existing, table), key=_sql_home)
            extra = [(n, c) for n, c in other.indexes if (n, c) not in home.indexes]
            return replace(
                home,
                columns={**other.columns, **home.columns},
                indexes=[*home.indexes, *extra],
                ddl=[*existing.ddl, *table.ddl],
            )
        # The same model again (an open document's text): what migrations add still holds.
        return replace(
            table,
            migrated=[*existing.migrated, *table.migrated],
            sql_home=table.sql_home or existing.sql_home,
        )

    def is_empty(self) -> bool:
        """Nothing to add to another schema (a file that defines no table)."""
        return not (
            self.tables
            or self.models
            or self.classes
            or self.helpers
            or self.column_makers
            or self.model_classes
            or self.table_variables
            or self.migrations
            or self.sessions.flask_db
            or self.sessions.rollback_handler
            or self.sessions.request_session
        )

    def merge(self, other: Schema) -> None:
        self.is_resolved = False
        for table in other.tables.values():
            self.add(table)
        self.sessions.merge(other.sessions)
        self.classes.update(other.classes)
        self.helpers.update(other.helpers)
        self.column_makers.update(other.column_makers)
        self.model_classes.update(other.model_classes)
        self.table_variables.update(other.table_variables)
        self.migrations.update(other.migrations)

    def resolved(self) -> Schema:
        """The schema with what only the whole workspace knows: columns inherited from mixins
        and abstract bases defined in other files, and columns built by project helpers
        (``reference_col``) kept only where the helper is really one. Tables are copies: the
        per-file schemas they came from stay as they were."""
        out = Schema(dict(self.tables), dict(self.models), self.sessions)
        out.classes, out.helpers = self.classes, self.helpers
        out.model_classes, out.column_makers = self.model_classes, self.column_makers
        out.table_variables = self.table_variables
        out.migrations = self.migrations
        for name, names in dropped(list(self.migrations.values())).items():
            if name in out.tables:
                out.tables[name] = _without_dropped(out.tables[name], names)
        reverse: dict[str, dict[str, Relationship]] = {}
        for table in self.tables.values():
            for (owner, name), relationship in table.backrefs.items():
                reverse.setdefault(owner, {})[name] = relationship
        for owner, relationships in reverse.items():
            owner_table = self.table_for_model(owner)
            if owner_table is not None:
                merged = {**relationships, **owner_table.relationships}
                out.tables[owner_table.name] = replace(owner_table, relationships=merged)
        for name, table in list(out.tables.items()):
            if table.default_named and not self._flask_model_base(table):
                del out.tables[name]
                if table.model and out.models.get(table.model) == name:
                    out.models = {m: t for m, t in out.models.items() if m != table.model}
                continue
            if table.maker_calls:
                table = out.tables[name] = self._made_columns(table)
            pending = any(c.helper for c in table.columns.values())
            if not table.bases and not pending:
                continue
            columns: dict[str, Column] = {}
            ordering = table.ordering
            ancestors = self._ancestors(table.bases, table.base_exprs)
            inherited = table.inherited_args
            if not table.has_table_args:
                inherited = self._inherited_args(table)
            for info in reversed(ancestors):  # nearer bases win
                for column in info.columns.values():
                    if column.helper and column.helper not in self.helpers:
                        continue
                    if column.name in table.removed:
                        continue
                    # Written in the base: an edit there would index every subclass.
                    columns[column.name] = replace(column, call_end=None)
            meta_base = table.meta_base
            for info in ancestors:
                if ordering is None and info.ordering is not None:
                    ordering = info.ordering
                    if table.meta_line is None:
                        meta_base = info.name  # a Meta of its own must derive from this one
            for column in table.columns.values():
                if column.helper:
                    style = self.helpers.get(column.helper)
                    if style is None:
                        continue  # not a column helper after all: the column is unknown
                    end = column.call_end if style else None
                    column = replace(column, flag=style, call_end=end)
                columns[column.name] = column
            out.tables[name] = replace(
                table,
                columns=columns,
                ordering=ordering,
                meta_base=meta_base,
                inherited_args=inherited,
            )
        out.is_resolved = True
        return out

    def _made_columns(self, table: Table) -> Table:
        """``Table("post", metadata, uuid_pk(), created_at(index=True))``: the columns the
        workspace's makers give it, placed before those written out (the call's order). Their
        Column is written in the maker: an index on one goes into the table's own Index."""
        columns: dict[str, Column] = {}
        for call in table.maker_calls:
            maker = self.column_makers.get(call.func)
            made = made_column(maker, call) if maker is not None else None
            if made is None:
                continue
            columns[made.name] = Column(
                made.name,
                made.type,
                made.flags.get("primary_key", False),
                made.flags.get("unique", False),
                made.flags.get("indexed", False),
                references=made.references,
                boolean="bool" in made.type.lower(),
            )
        columns.update(table.columns)
        return replace(table, columns=columns)

    def _inherited_args(self, table: Table) -> tuple[str, str]:
        """The direct base (as written) whose ancestry gives ``table`` its ``__table_args__``
        first, in base order, and their kind."""
        for name, written in zip(table.bases, table.base_exprs, strict=False):
            for info in self._ancestors((name,), (written,)):
                if info.table_args_kind:
                    return written, info.table_args_kind
        return "", ""

    def _flask_model_base(self, table: Table) -> bool:
        """A class named after itself derives from an abstract base of the workspace that
        derives from ``db.Model`` (or ``SQLAlchemy(model_class=...)``'s class)."""
        return any(
            info.abstract
            and any(
                e == "db.Model"
                or (e.endswith(".Model") and e.rpartition(".")[0] in self.model_classes)
                for e in info.base_exprs or info.bases
            )
            for info in self._ancestors(table.bases, table.base_exprs)
        )

    def _ancestors(self, bases: tuple[str, ...], written: tuple[str, ...] = ()) -> list[ClassInfo]:
        """Base classes known to the workspace, nearest first (MRO-like, depth-limited);
        ``written``: the bases as written, where ``db.Model`` may be a ``model_class``."""
        out: list[ClassInfo] = []
        seen: set[str] = set()
        frontier = list(zip(bases, written or bases, strict=False))
        for _ in range(MAX_BASE_DEPTH):
            following: list[tuple[str, str]] = []
            for name, spelled in frontier:
                owner, _, last = spelled.rpartition(".")
                if last == "Model" and owner in self.model_classes:
                    name = self.model_classes[owner]
                info = self.classes.get(name)
                if info is None or name in seen:
                    continue
                seen.add(name)
                out.append(info)
                following.extend(zip(info.bases, info.base_exprs or info.bases, strict=False))
            frontier = following
        return out

    def table_for_model(self, model: str) -> Table | None:
        name = self.models.get(model)
        return self.tables.get(name) if name else None

    def table_named(self, name: str) -> Table | None:
        """The table ``name`` is: its own name, else a variable bound to its ``Table(...)``
        (an association table is often named ``roles_users`` in code and ``user_role`` in
        the database)."""
        found = self.tables.get(name)
        if found is None and name in self.table_variables:
            found = self.tables.get(self.table_variables[name])
        return found


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
            table.columns[col.name] = Column(
                col.name,
                col.type,
                col.primary_key,
                col.unique,
                boolean="bool" in col.type.lower(),
                length=_sql_length(col.type),
            )
        schema.add(table)
    return schema


_SQL_LENGTH = re.compile(r"(?:N?VAR)?N?CHAR\((\d+)\)", re.IGNORECASE)


def _sql_length(type_text: str) -> int:
    """``VARCHAR(24)`` / ``CHAR(3)`` (sqlglot's spelling of ``character varying(24)``): the
    length the database enforces; 0 for any other type (an array of them too)."""
    found = _SQL_LENGTH.fullmatch(type_text)
    return int(found.group(1)) if found else 0


def _without_dropped(table: Table, names: set[str]) -> Table:
    """The table without the indexes and unique constraints a later migration drops: by their
    name, or an unnamed one (``unique=True``) by the name PostgreSQL or SQLAlchemy gives it."""

    def gone(name: str, cols: tuple[str, ...]) -> bool:
        if name in names:
            return True
        if not (name.endswith(" (column)") or name in _UNNAMED):
            return False
        joined = "_".join(cols)
        return bool({f"{table.name}_{joined}_key", f"ix_{table.name}_{joined}"} & names)

    columns = table.columns
    if table.origin == "alembic":
        columns = {
            key: replace(c, unique=False, indexed=False) if gone(" (column)", (c.name,)) else c
            for key, c in columns.items()
        }
    return replace(
        table,
        columns=columns,
        indexes=[(n, c) for n, c in table.indexes if not gone(n, c)],
        migrated=[(n, c) for n, c in table.migrated if not gone(n, c)],
    )


# What an index or constraint written without a name is recorded as (table_calls).
_UNNAMED = frozenset({"UniqueConstraint", "Index", "create_index", "create_unique_constraint"})


def schema_from_python(source: Source) -> Schema:
    schema = Schema()
    # Undoing a revision builds nothing the app runs on.
    skipped = downgrade_nodes(source)
    migration = migration_of(source, skipped)
    if migration is not None:
        schema.migrations[migration.revision] = migration
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.FunctionDef):
                style = _column_helper(stmt)
                if style is not None:
                    schema.helpers[stmt.name] = style
    schema.column_makers = column_makers(source)
    for node in source.walk():
        if isinstance(node, ast.ClassDef):
            found = _sqlalchemy_model(source, node) or _django_model(source, node)
            if isinstance(found, ClassInfo):
                schema.classes[found.name] = found
            elif found is not None:
                schema.add(found)
        elif isinstance(node, ast.Call) and id(node) not in skipped:
            _ddl_call(source, node, schema)
            _table_call(source, node, schema)
    for module in source.modules:
        for stmt in module.body:
            target, value = _assignment(stmt)
            if target and isinstance(value, ast.Call):
                called = table_call(source, value)
                if called is not None and called.kind == "table" and called.name != target:
                    schema.table_variables[target] = called.name
                base = next((k.value for k in value.keywords if k.arg == "model_class"), None)
                if base is not None and dotted(base):
                    schema.model_classes[target] = dotted(base).split(".")[-1]
    return schema


def _column_helper(func: ast.FunctionDef) -> str | None:
    """A module-level function that returns a ``Column`` (cookiecutter-flask's
    ``reference_col``): the text that asks it for an index, "" when there is none (the index
    then goes into ``__table_args__``), None when it is no column helper."""
    returned = [r.value for r in every_node(func) if isinstance(r, ast.Return) and r.value]
    if len(returned) != 1 or not isinstance(returned[0], ast.Call):
        return None
    if dotted(returned[0].func).split(".")[-1] not in ("Column", "mapped_column"):
        return None
    params = [a.arg for a in (*func.args.args, *func.args.kwonlyargs)]
    if func.args.kwarg is not None and any(k.arg is None for k in returned[0].keywords):
        return "index=True"
    if "column_kwargs" in params:
        return 'column_kwargs={"index": True}'
    return ""


def _table_call(source: Source, call: ast.Call, schema: Schema) -> None:
    found = table_call(source, call)
    if found is None:
        return
    origin = "table" if found.kind == "table" else "alembic"
    table = Table(found.name, origin, source.path, indexes=list(found.indexes))
    table.step = found.kind == "alembic-index"
    table.call_end, table.call_prefix = found.call_end, found.prefix
    table.maker_calls = tuple(found.makers)
    table.delete_rules = dict(found.delete_rules)
    for c in found.columns:
        table.columns[c.name] = Column(
            c.name,
            c.type,
            c.primary_key,
            c.unique,
            c.indexed,
            call_end=c.call_end,
            references=c.references,
            boolean="bool" in c.type.lower(),
        )
    schema.add(table)


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


_COLUMN_CALLS = ("Column", "mapped_column", "Field")
_NOT_COLUMNS = {"relationship", "Relationship", "backref", "synonym", "column_property"}


def _sqlalchemy_model(source: Source, cls: ast.ClassDef) -> Table | ClassInfo | None:
    """A SQLAlchemy, Flask-SQLAlchemy or SQLModel model; a class with columns that is no table
    (a mixin, ``__abstract__``, a SQLModel without ``table=True``) is a ClassInfo, for the
    models that inherit from it."""
    tablename = None
    abstract = False
    bind_key = ""
    for stmt in cls.body:
        target, value = _assignment(stmt)
        if target == "__tablename__" and isinstance(value, ast.Constant):
            tablename = str(value.value)
        elif target == "__abstract__" and isinstance(value, ast.Constant):
            abstract = bool(value.value)
        elif target == "__bind_key__" and isinstance(value, ast.Constant):
            bind_key = str(value.value)
    sqlmodel_table = any(
        k.arg == "table" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in cls.keywords
    )
    default_named = False
    if tablename is None and not abstract:
        tablename = _flask_sqlalchemy_name(source, cls, _model_aliases(source))
        if tablename is None and not sqlmodel_table and _imported_base(source, cls):
            tablename, default_named = _snake_case(cls.name), True
    if tablename is None and sqlmodel_table:
        tablename = cls.name.lower()  # SQLModel's default
    table = Table(tablename or "", "sqlalchemy", source.path, model=cls.name, bind_key=bind_key)
    table.default_named = default_named
    table.bases = tuple(dotted(b).split(".")[-1] for b in cls.bases if dotted(b))
    table.base_exprs = tuple(dotted(b) for b in cls.bases if dotted(b))
    if sqlmodel_table:
        table.index_import = "sqlmodel"
    _class_frame(source, cls, table)
    attributes: dict[str, str] = {}  # class attribute -> column name
    # ``Index("ix", business_id)`` in the body or in ``__table_args__``: by attribute names
    bare: list[tuple[str, tuple[str, ...]]] = []
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func).split(".")[-1] == "Index"
        ):
            # an Index statement of the class body names its columns by their attributes:
            # SQLAlchemy binds it to the table all the same
            args = [_unordered(a) for a in stmt.value.args[1:]]
            names = tuple(a.id for a in args if isinstance(a, ast.Name))
            if names and len(names) == len(args):
                bare.append((dotted(stmt.value.func), names))
            continue
        target, value = _assignment(stmt)
        if target == "__table_args__":
            table.has_table_args = True
            table.table_args_kind = "dict" if isinstance(value, ast.Dict) else "other"
            _table_args_slot(source, value, table)
            for call in ast.walk(value) if value is not None else []:
                if isinstance(call, ast.Call) and dotted(call.func).split(".")[-1] in (
                    "Index",
                    "UniqueConstraint",
                    "PrimaryKeyConstraint",
                ):
                    args = call.args[1:] if dotted(call.func).endswith("Index") else call.args
                    args = [_unordered(a) for a in args]
                    names = tuple(a.id for a in args if isinstance(a, ast.Name))
                    if args and len(names) == len(args):
                        # ``db.Index("ix", group_id, cve_id)``: the class's column attributes,
                        # read once they are all known
                        bare.append((dotted(call.func), names))
                        continue
                    cols = tuple(
                        str(a.value) if isinstance(a, ast.Constant) else _sa_text(a) or _sa_func(a)
                        for a in map(_unordered, call.args)
                        if _sa_text(a)
                        or _sa_func(a)
                        or (isinstance(a, ast.Constant) and isinstance(a.value, str))
                    )
                    if dotted(call.func).endswith("Index"):
                        cols = cols[1:]
                    table.indexes.append((dotted(call.func), cols))
            continue
        if target is None or target.startswith("__") or target == "model_config":
            continue
        if isinstance(value, ast.Constant) and value.value is None:
            table.removed += (target,)
            continue
        if not isinstance(value, ast.Call):
            sqlmodel = sqlmodel_table or "SQLModel" in table.bases
            # SQLAlchemy 2: ``created_at: Mapped[datetime]`` alone is a column too.
            mapped = (
                isinstance(stmt, ast.AnnAssign)
                and value is None
                and isinstance(stmt.annotation, ast.Subscript)
                and dotted(stmt.annotation.value).split(".")[-1] == "Mapped"
            )
            if (sqlmodel or mapped) and isinstance(stmt, ast.AnnAssign):
                # ``name: str`` / ``count: int = 0`` on a SQLModel is a column too
                column = Column(target, _annotation_type(stmt.annotation))
                spelled = _mapped_column_spelling(cls)
                if mapped and spelled:
                    # indexed by giving it the mapped_column it leaves implicit
                    column.call_end, column.call_has_args = source.end(stmt.annotation), False
                    column.flag = f" = {spelled}(index=True)"
                table.columns[target] = column
            continue
        func = dotted(value.func).split(".")[-1]
        if func in _NOT_COLUMNS:
            if func in ("relationship", "Relationship"):  # SQLAlchemy, SQLModel
                annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
                relationship = _relationship(value, annotation)
                if relationship is not None:
                    table.relationships[target] = relationship
                    backref = _backref_name(value)
                    if backref:
                        back = (
                            # walked from the other side: by the column referencing it
                            Relationship(cls.name, (), secondary=relationship.secondary)
                            if relationship.secondary
                            else Relationship(cls.name, relationship.foreign_keys)
                        )
                        made = _backref_call(value)
                        if made is not None:  # ``backref("items", cascade="all, ...")``
                            back.cascade, back.passive_deletes, back.viewonly = delete_options(made)
                        table.backrefs[(relationship.target, backref)] = back
            continue
        found = _orm_column(source, target, value, stmt)
        if found is not None:
            table.columns[found.name] = found
            attributes[target] = found.name
            if found.name != target:
                table.attributes[target] = found.name
    for kind, names in bare:
        columns = tuple(attributes.get(n, "") for n in names)
        if all(columns):
            table.indexes.append((kind, columns))
    if tablename and not abstract and not (default_named and not table.columns):
        return table
    if not (abstract or table.table_args_kind) and not any(
        not c.helper for c in table.columns.values()
    ):
        return None  # ``objects = UserManager()`` alone makes no mixin
    kind = table.table_args_kind
    return ClassInfo(
        cls.name, table.bases, table.columns, None, kind, table.base_exprs, abstract=abstract
    )


def _mapped_column_spelling(cls: ast.ClassDef) -> str:
    """How the class itself calls mapped_column (``mapped_column``, ``so.mapped_column``)."""
    for node in ast.walk(cls):
        if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "mapped_column":
            return dotted(node.func)
    return ""


def _unordered(node: ast.expr) -> ast.expr:
    """``col.desc()``, ``desc(col)`` (or ``asc``): a B-tree on ``col`` either way, which serves
    equality, ranges and sorts on it in both directions."""
    if isinstance(node, ast.Call) and not node.keywords:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("desc", "asc") and not node.args:
            return func.value
        if dotted(func).split(".")[-1] in ("desc", "asc") and len(node.args) == 1:
            return node.args[0]
    return node


def _sa_text(node: ast.expr) -> str:
    """``text("(meta ->> 'source')")`` in an ``Index``: the expression, as PostgreSQL's SQL."""
    if (
        isinstance(node, ast.Call)
        and dotted(node.func).split(".")[-1] == "text"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value.strip()
    return ""


def _sa_func(node: ast.expr) -> str:
    """``func.lower(name)`` (``sa.func.lower(Model.name)``, ``func.lower("name")``) in an
    ``Index``: ``lower(name)``; ``func.lower(name).label("name_lower")`` too (the label only
    names the term for ``postgresql_ops``)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "label"
        and isinstance(node.func.value, ast.Call)
    ):
        node = node.func.value
    if not (isinstance(node, ast.Call) and len(node.args) == 1):
        return ""
    parts = dotted(node.func).split(".")
    if len(parts) < 2 or parts[-2] != "func" or parts[-1].lower() not in ("lower", "upper"):
        return ""
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        column = arg.value
    else:
        column = dotted(arg).split(".")[-1] if dotted(arg) else ""
    return f"{parts[-1].lower()}({column})" if column else ""


def _django_f(node: ast.expr) -> str:
    """``models.F("payload__source")`` in a ``models.Index``: ``(payload -> 'source')``; a
    plain ``F("col")`` is the column."""
    if not (
        isinstance(node, ast.Call)
        and dotted(node.func).split(".")[-1] in ("F", "Lower", "Upper")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return ""
    if dotted(node.func).split(".")[-1] in ("Lower", "Upper"):  # ``Lower("name")``
        return f"{dotted(node.func).split('.')[-1].lower()}({node.args[0].value})"
    field, _, key = node.args[0].value.partition("__")
    return f"({field} -> '{key}')" if key and "__" not in key else field


def _table_args_slot(source: Source, value: ast.expr | None, table: Table) -> None:
    """Where a new ``Index(...)`` goes in a ``__table_args__`` tuple: before a trailing options
    dict (SQLAlchemy wants it last), else after the last element."""
    if isinstance(value, ast.Dict):
        table.table_args_dict = source.span(value)
        return
    if not isinstance(value, ast.Tuple) or not value.elts:
        return
    last = value.elts[-1]
    if not isinstance(last, ast.Dict):
        table.table_args_slot = _after(source, value, value.elts)
        return
    start = source.start(last)
    if start.line != source.start(value).line:  # one per line: the index on its own line
        indent = source.indent_of(start.line)
        table.table_args_slot = ListSlot(Position(start.line, 0), f"{indent}{{index}},{source.eol}")
        return
    table.table_args_slot = _one_line(
        source, value, start, "{index}, ", value.elts[:-1], (source.text_of(last),)
    )


def _list_slot(source: Source, value: ast.expr) -> ListSlot | None:
    """Where one more element goes in a literal list or tuple (``indexes = [...]``): after its
    last element, else just inside the opening bracket; None for anything else (a name, a
    concatenation), which no simple edit extends."""
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    if value.elts:
        return _after(source, value, value.elts)
    start = source.start(value)
    if isinstance(value, ast.Tuple) and not source.slice(source.span(value)).startswith("("):
        return None
    inside = Position(start.line, start.column + 1)
    return ListSlot(inside, "{index}," if isinstance(value, ast.Tuple) else "{index}")


def _after(source: Source, value: ast.expr, elements: list[ast.expr]) -> ListSlot:
    """One more element after the last of ``elements`` in the bracketed ``value``: on a line
    of its own, with a trailing comma, when the elements are one per line (as ruff and black
    write a list that does not fit), else after a comma on the same line."""
    last = elements[-1]
    end, close = source.end(last), source.end(value)
    if close.line == end.line:
        return _one_line(source, value, end, ", {index}", elements, ())
    indent = source.indent_of(source.start(last).line)
    rest = source.lines[end.line][end.column :]
    if rest.lstrip().startswith(","):
        comma = Position(end.line, end.column + rest.index(",") + 1)
        return ListSlot(comma, f"{source.eol}{indent}{{index}},")
    return ListSlot(end, f",{source.eol}{indent}{{index}},")


def _one_line(
    source: Source,
    value: ast.expr,
    at: Position,
    text: str,
    before: Sequence[ast.expr],
    after: tuple[str, ...],
) -> ListSlot:
    span = source.span(value)
    if span.start.line != span.end.line or source.slice(span)[:1] not in ("[", "("):
        return ListSlot(at, text)
    return ListSlot(
        at,
        text,
        span,
        tuple(source.text_of(e) for e in before),
        after,
        source.indent_of(span.start.line),
        len(source.lines[span.start.line]),
        "()" if isinstance(value, ast.Tuple) else "[]",
    )


def _orm_column(source: Source, target: str, value: ast.Call, stmt: ast.stmt) -> Column | None:
    func = dotted(value.func).split(".")[-1]
    helper = ""
    if func not in _COLUMN_CALLS:
        if not isinstance(value.func, ast.Name):
            return None  # ``db.String(...)`` and such: not a column written by a helper
        helper = func
    kws = _keywords(value)
    for kw in value.keywords:  # reference_col("users", column_kwargs={"index": True})
        if kw.arg in ("column_kwargs", "sa_column_kwargs") and isinstance(kw.value, ast.Dict):
            for key, val in zip(kw.value.keys, kw.value.values, strict=False):
                if isinstance(key, ast.Constant) and isinstance(val, ast.Constant):
                    kws.setdefault(str(key.value), val.value)
        if kw.arg == "sa_column" and isinstance(kw.value, ast.Call):
            inner = _orm_column(source, target, kw.value, stmt)
            if inner is not None:
                inner.call_end = None  # the edit would go inside sa_column's Column
            return inner
    spelled = value.args[0] if value.args else None
    if isinstance(spelled, ast.Constant) and isinstance(spelled.value, str) and not helper:
        kws.setdefault("name", spelled.value)  # ``db.Column("BkTitle", db.String(200))``
    column = Column(
        str(kws.get("name") or target),
        primary_key=bool(kws.get("primary_key")),
        unique=bool(kws.get("unique")),
        indexed=bool(kws.get("index")),
        call_end=_paren(source, value),
        call_has_args=bool(value.args or value.keywords),
        helper=helper,
        no_index=kws.get("index") is False,
        no_index_at=_false_at(source, value, "index"),
    )
    if func == "Field":
        reference = kws.get("foreign_key")
        if isinstance(reference, str):
            column.references = reference.rsplit(".", 1)[0]
            column.references_key = reference.rpartition(".")[2] if "." in reference else ""
        if isinstance(kws.get("ondelete"), str):
            column.on_delete = str(kws["ondelete"])  # SQLModel 0.0.21's ``Field(ondelete=...)``
        if isinstance(stmt, ast.AnnAssign):
            column.type = _annotation_type(stmt.annotation)
            if column.type == "str":  # SQLModel makes it a VARCHAR of that length
                column.length = _int_or_zero(kws.get("max_length"))
    if helper and value.args and isinstance(value.args[0], ast.Constant):
        column.references = str(value.args[0].value)  # reference_col("users")
    for arg in value.args:
        if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey"):
            column.references = _referenced(arg)
            column.references_key = _referenced_key(arg)
            rule = _keywords(arg).get("ondelete")
            column.on_delete = rule if isinstance(rule, str) else ""
            continue  # not a type; SQLAlchemy does not index it by itself
        if not helper and isinstance(arg, ast.Name | ast.Attribute | ast.Call):
            column.type = column.type or dotted(arg.func if isinstance(arg, ast.Call) else arg)
            if isinstance(arg, ast.Call) and not column.length:
                column.length = _declared_length(arg)
    if isinstance(stmt, ast.AnnAssign) and not column.type:
        column.type = _annotation_type(stmt.annotation)
    column.boolean = "bool" in column.type.lower()
    if not helper:
        column.nullable = _nullable(func, kws, stmt, column.primary_key)
    return column


def _nullable(func: str, kws: dict[str, object], stmt: ast.stmt, primary_key: bool) -> bool:
    """Whether the model lets the column be NULL: ``nullable=`` as written, else as SQLAlchemy
    and SQLModel infer it (a key never; ``Column`` yes; ``Mapped[int]`` and SQLModel's
    ``x: int = Field(...)`` no, ``Mapped[int | None]``, ``Optional[int]`` or a None default
    yes)."""
    written = kws.get("nullable")
    if isinstance(written, bool):
        return written
    if primary_key:
        return False
    annotation = stmt.annotation if isinstance(stmt, ast.AnnAssign) else None
    if func == "Field":
        return ("default" in kws and kws["default"] is None) or (
            annotation is not None and _optional(annotation)
        )
    if (
        func == "mapped_column"
        and isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).split(".")[-1] == "Mapped"
    ):
        return _optional(annotation.slice)
    return True


def _optional(annotation: ast.expr) -> bool:
    """``X | None``, ``Optional[X]``, ``Union[X, None]`` (or the string of one)."""
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        try:
            annotation = ast.parse(annotation.value, mode="eval").body
        except SyntaxError:
            return False
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _optional(annotation.left) or _optional(annotation.right)
    if isinstance(annotation, ast.Constant):
        return annotation.value is None
    if isinstance(annotation, ast.Subscript):
        head = dotted(annotation.value).split(".")[-1]
        if head == "Optional":
            return True
        if head == "Union":
            items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
            return any(_optional(i) for i in items)
    return False


def _false_at(source: Source, call: ast.Call, keyword: str) -> Span | None:
    """Where ``keyword=False`` of ``call`` writes its ``False``."""
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant) and kw.value.value is False:
            return source.span(kw.value)
    return None


def _int_or_zero(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _declared_length(type_call: ast.Call) -> int:
    """``String(16383)`` / ``String(length=255)`` -> the length; 0 when none is written."""
    spelled = type_call.args[0] if type_call.args else None
    for kw in type_call.keywords:
        if kw.arg == "length":
            spelled = kw.value
    return _int_or_zero(spelled.value) if isinstance(spelled, ast.Constant) else 0


def _annotation_type(annotation: ast.expr) -> str:
    """``Mapped[int]`` / ``int | None`` / ``Optional[UUID]`` -> its type name."""
    while isinstance(annotation, ast.Subscript):
        annotation = annotation.slice
    if isinstance(annotation, ast.BinOp):
        annotation = annotation.left
    return dotted(annotation) if isinstance(annotation, ast.Name | ast.Attribute) else ""


def _model_aliases(source: Source) -> frozenset[str]:
    """``BaseModel: DefaultMeta = db.Model`` at a module's top: names of ``db.Model`` there."""
    cached = source.__dict__.get("_db_model_aliases")
    if cached is None:
        found = {"db.Model"}
        for module in source.modules:
            for stmt in module.body:
                target, value = _assignment(stmt)
                if target and value is not None and dotted(value) == "db.Model":
                    found.add(target)
                elif (
                    target
                    and isinstance(value, ast.Call)
                    and dotted(value.func).split(".")[-1] == "SQLAlchemy"
                ):
                    found.add(f"{target}.Model")  # ``db_sql = SQLAlchemy()``: its Model
        cached = source.__dict__["_db_model_aliases"] = frozenset(found)
    return cached


def _flask_sqlalchemy_name(source: Source, cls: ast.ClassDef, models: frozenset[str]) -> str | None:
    """Flask-SQLAlchemy names a ``db.Model`` (or a module's alias of it, or the Model of an
    instance the module imports under another name: ``from . import db_sql``) without
    ``__tablename__`` after its class in snake case (``BlogPost`` -> ``blog_post``), when the
    class declares a column itself."""
    if not any(dotted(base) in models or _imported_db_model(source, base) for base in cls.bases):
        return None
    columns = (
        _assignment(stmt)[1] for stmt in cls.body if isinstance(_assignment(stmt)[1], ast.Call)
    )
    if not any(
        dotted(v.func).split(".")[-1] in ("Column", "mapped_column")  # type: ignore[union-attr]
        for v in columns
    ):
        return None
    return _snake_case(cls.name)


# Libraries whose ``X.Model`` is no Flask-SQLAlchemy base (their fields are no ``Column``
# either, but a class may mix both worlds in a port).
_OTHER_MODEL_LIBRARIES = frozenset(
    {
        "django",
        "peewee",
        "google",
        "ndb",
        "mongoengine",
        "pynamodb",
        "tortoise",
        "ormar",
        "odmantic",
    }
)


def _imported_db_model(source: Source, base: ast.expr) -> bool:
    """``class Users(UserMixin, db_sql.Model)`` with ``from . import db_sql`` (the app's
    ``db_sql = SQLAlchemy()``, named so beside its MongoDB client): the Model of an instance
    imported from the project, which only Flask-SQLAlchemy's is when the class declares its
    columns with ``Column(...)`` (checked by the caller). A real app's users table, read by
    username on every page, was missed with it."""
    if not (
        isinstance(base, ast.Attribute)
        and base.attr == "Model"
        and isinstance(base.value, ast.Name)
    ):
        return False
    origins = imported_from(source, base.value.id)
    if not origins:
        return False
    tops = {module.lstrip(".").split(".")[0] for module, _ in origins}
    return not tops & (_OTHER_MODEL_LIBRARIES | {"pydantic"})


def _snake_case(name: str) -> str:
    """Flask-SQLAlchemy's default table name (``BlogPost`` -> ``blog_post``)."""
    return re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name).lower()


# Libraries whose classes are no Flask-SQLAlchemy base of a project's own.
_NOT_PROJECT_BASES = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy", "pydantic"})


def _imported_base(source: Source, cls: ast.ClassDef) -> bool:
    """A base of ``cls`` is a name the module imports from another module, which may be the
    project's abstract ``db.Model`` (only the workspace can tell: Schema.resolved)."""
    imports = imported_names(source)
    return any(
        isinstance(base, ast.Name)
        and base.id in imports
        and imports[base.id].split(".")[0] not in _NOT_PROJECT_BASES
        for base in cls.bases
    )


def _relationship(call: ast.Call, annotation: ast.expr | None) -> Relationship | None:
    """The target from the first argument, else from ``Mapped[list["Post"]]`` /
    ``WriteOnlyMapped["Post"]`` (SQLAlchemy 2's typed form)."""
    first: ast.expr | None = call.args[0] if call.args else None
    while first is None and isinstance(annotation, ast.Subscript):
        annotation = annotation.slice
        if not isinstance(annotation, ast.Subscript):
            first = annotation
    if first is None and isinstance(annotation, ast.Name | ast.Constant):
        first = annotation  # SQLModel: ``job: Job = Relationship(back_populates="matches")``
    if first is None:
        return None
    target = str(first.value) if isinstance(first, ast.Constant) else dotted(first)
    if not target or "." in target:
        return None
    secondary = _secondary(call, target)
    if secondary is not None:
        return secondary
    keys: tuple[str, ...] = ()
    for kw in call.keywords:
        if kw.arg == "foreign_keys":
            items = kw.value.elts if isinstance(kw.value, ast.List | ast.Tuple) else [kw.value]
            keys = tuple(
                i.attr
                if isinstance(i, ast.Attribute)
                # ``foreign_keys=user_id``: the column of the class body itself
                else i.id
                if isinstance(i, ast.Name)
                else str(i.value).strip("[]").rsplit(".", 1)[-1]  # "Message.recipient_id"
                for i in items
                if isinstance(i, ast.Attribute | ast.Name)
                or (isinstance(i, ast.Constant) and isinstance(i.value, str))
            )
    lazy = next(
        (
            str(kw.value.value)
            for kw in call.keywords
            if kw.arg == "lazy" and isinstance(kw.value, ast.Constant)
        ),
        "",
    )
    eager = lazy if lazy in _EAGER_LAZY else ""
    found = Relationship(target, keys, joins_on=_joined_columns(call, target), eager=eager)
    found.cascade, found.passive_deletes, found.viewonly = delete_options(call)
    return found


def delete_options(call: ast.Call) -> tuple[str, bool, bool]:
    """(cascade, passive_deletes, viewonly) of a ``relationship()`` / ``backref()`` /
    SQLModel ``Relationship()`` call: its keywords, SQLModel's ``cascade_delete=True`` and
    ``sa_relationship_kwargs={...}``, or the ``relationship()`` of ``sa_relationship=``."""
    options: dict[str, object] = dict(_keywords(call))
    for kw in call.keywords:
        if kw.arg == "sa_relationship_kwargs" and isinstance(kw.value, ast.Dict):
            for key, value in zip(kw.value.keys, kw.value.values, strict=False):
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant):
                    options.setdefault(str(key.value), value.value)
        elif kw.arg == "sa_relationship" and isinstance(kw.value, ast.Call):
            return delete_options(kw.value)
    cascade = options.get("cascade")
    written = cascade if isinstance(cascade, str) else ""
    if options.get("cascade_delete") is True:
        written = ", ".join(p for p in (written, "delete") if p)
    passive = options.get("passive_deletes")
    return written, passive is True or passive == "all", options.get("viewonly") is True


_EAGER_LAZY = frozenset({"selectin", "joined", "subquery", "immediate"})


def _joined_columns(call: ast.Call, target: str) -> tuple[str, ...]:
    """The target's columns in ``primaryjoin`` (``organization_id == Organization.id`` or the
    string ``"Organization.owners_id == Team.id"``): the side that names the target model."""
    join = next((k.value for k in call.keywords if k.arg == "primaryjoin"), None)
    if isinstance(join, ast.Lambda):
        join = join.body
    if isinstance(join, ast.Constant) and isinstance(join.value, str):
        try:
            join = ast.parse(join.value.strip(), mode="eval").body
        except SyntaxError:
            return ()
    if not isinstance(join, ast.Compare) or len(join.ops) != 1:
        return ()
    sides = [dotted(s).split(".") for s in (join.left, join.comparators[0])]
    return tuple(p[-1] for p in sides if len(p) == 2 and p[0] == target)


def _secondary(call: ast.Call, target: str) -> Relationship | None:
    kws = {k.arg: k.value for k in call.keywords if k.arg}
    extra = kws.get("sa_relationship_kwargs")
    if isinstance(extra, ast.Dict):
        # SQLModel passes SQLAlchemy's own arguments through: ``{"secondary": "links"}``
        kws.update(
            {
                str(k.value): v
                for k, v in zip(extra.keys, extra.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str) and k.value not in kws
            }
        )
    # SQLModel's ``link_model=EventAttendeeLink`` is the association table, as a model
    table = kws.get("secondary") or kws.get("link_model")
    name = str(table.value) if isinstance(table, ast.Constant) else dotted(table) if table else ""
    if not name or "." in name:
        return None
    join = kws.get("primaryjoin")
    if join is None:
        # The association table's column that references the owner is the one walked
        # (queries.walk_target reads it from the table, which may be in another file).
        return Relationship(target, (), secondary=name)
    if not isinstance(join, ast.Compare) or len(join.ops) != 1:
        return None
    for side in (join.left, join.comparators[0]):
        parts = dotted(side).split(".")
        if len(parts) == 3 and parts[0] == name and parts[1] == "c":
            return Relationship(target, (parts[2],), secondary=name)
    return None


def _backref_call(call: ast.Call) -> ast.Call | None:
    """The ``backref("posts", ...)`` call of ``backref=``, where it is one."""
    for kw in call.keywords:
        if kw.arg == "backref" and isinstance(kw.value, ast.Call):
            return kw.value
    return None


def _backref_name(call: ast.Call) -> str:
    """``backref="posts"`` / ``backref=db.backref("posts", lazy="dynamic")`` -> posts."""
    for kw in call.keywords:
        if kw.arg != "backref":
            continue
        value = kw.value
        if isinstance(value, ast.Call) and value.args:
            value = value.args[0]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return ""


def _referenced(call: ast.Call) -> str:
    """``ForeignKey("users.id")`` -> users; ``ForeignKey(User.id)`` -> User (a model name)."""
    if not call.args:
        return ""
    arg = call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value.rsplit(".", 1)[0]
    name = dotted(arg)
    return name.rsplit(".", 1)[0] if "." in name else ""


def _referenced_key(call: ast.Call) -> str:
    """``ForeignKey("users.id")`` / ``ForeignKey(User.id)`` -> id."""
    arg = call.args[0] if call.args else None
    written = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""
    written = written or (dotted(arg) if arg is not None else "")
    return written.rpartition(".")[2] if "." in written else ""


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
    """Where a keyword joins the call: right after its last argument (so a call closed on a
    line of its own, or after a trailing comma, reads ``nullable=False, index=True``), else
    just inside its closing parenthesis."""
    items: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if items:
        last = max(items, key=lambda n: (n.end_lineno or 0, n.end_col_offset or 0))
        return source.end(last)
    end = source.end(call)
    return Position(end.line, end.column - 1)


_DJANGO_BASES = ("models.Model", "Model")


def _is_django_field(stmt: ast.stmt) -> bool:
    _, value = _assignment(stmt)
    if not isinstance(value, ast.Call):
        return False
    func = dotted(value.func)
    return func.startswith("models.") and func.endswith(("Field", "ForeignKey"))


def _ordering(value: ast.expr | None) -> tuple[tuple[str, bool], ...]:
    """``ordering = ["-created_at", "title"]`` -> ((created_at, True), (title, False)); a
    random order or a lookup across a relation stops at that term (nothing indexes it)."""
    out: list[tuple[str, bool]] = []
    for item in value.elts if isinstance(value, ast.List | ast.Tuple) else []:
        if not isinstance(item, ast.Constant) or not isinstance(item.value, str):
            break
        name = item.value
        if name == "?" or "__" in name:
            break
        out.append((name.lstrip("-"), name.startswith("-")))
    return tuple(out)


def _django_model(source: Source, cls: ast.ClassDef) -> Table | ClassInfo | None:
    """A Django model; an abstract one (``Meta.abstract``) is a ClassInfo. A class counts when
    it derives from ``models.Model`` or declares model fields itself (its base is a project's
    abstract model, resolved over the workspace)."""
    if not any(dotted(b) in _DJANGO_BASES for b in cls.bases) and not any(
        _is_django_field(stmt) for stmt in cls.body
    ):
        return None
    fields: dict[str, Column] = {}
    db_table = None
    meta_line = None
    indexes_slot: ListSlot | None = None
    together_slot: ListSlot | None = None
    abstract = False
    ordering: tuple[tuple[str, bool], ...] | None = None
    indexes: list[tuple[str, tuple[str, ...]]] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            meta_line = stmt.lineno - 1
            # A Meta of its own that does not derive from the parent's drops its ordering.
            ordering = None if any(dotted(b).endswith(".Meta") for b in stmt.bases) else ()
            for inner in stmt.body:
                target, value = _assignment(inner)
                if target == "abstract" and isinstance(value, ast.Constant):
                    abstract = bool(value.value)
                elif target == "ordering":
                    ordering = _ordering(value)
                elif target == "db_table" and isinstance(value, ast.Constant):
                    db_table = str(value.value)
                elif target in ("indexes", "constraints") and value is not None:
                    if target == "indexes":
                        indexes_slot = _list_slot(source, value)
                    for call in ast.walk(value):
                        if isinstance(call, ast.Call):
                            fields_kw = {k.arg: k.value for k in call.keywords}
                            names = fields_kw.get("fields")
                            args = [_unordered(a) for a in call.args]  # ``F("x").desc()``
                            terms = tuple(t for t in map(_django_f, args) if t)
                            if terms and dotted(call.func).endswith(("Index", "Constraint")):
                                indexes.append((dotted(call.func), terms))
                            elif isinstance(names, ast.List | ast.Tuple):
                                indexes.append(
                                    (
                                        dotted(call.func),
                                        tuple(
                                            # ``"-sort_date"``: descending, an index on the
                                            # column all the same
                                            str(e.value).lstrip("-")
                                            for e in names.elts
                                            if isinstance(e, ast.Constant)
                                        ),
                                    )
                                )
                elif target in ("unique_together", "index_together") and value is not None:
                    if (
                        target == "index_together"
                        and isinstance(value, ast.List | ast.Tuple)
                        and value.elts
                        and all(isinstance(e, ast.List | ast.Tuple) for e in value.elts)
                    ):
                        together_slot = _list_slot(source, value)  # a list of groups
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
        if func.endswith("ManyToManyField"):
            continue  # a table of its own, with its own (Django-made) indexes
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
            boolean=func.endswith("BooleanField"),
            choices=any(kw.arg == "choices" for kw in value.keywords),
            no_index=kws.get("db_index") is False,
            no_index_at=_false_at(source, value, "db_index"),
            length=_int_or_zero(kws.get("max_length")),
            null=kws.get("null") is True,
        )
        target_model = value.args[0] if value.args else keyword_value(value, "to")
        if is_fk and target_model is not None:
            # ``ForeignKey("auth.User", ...)`` / ``ForeignKey(to=Team, ...)``: what it points at
            column.references = dotted(target_model) or str(getattr(target_model, "value", ""))
            rule = keyword_value(value, "on_delete")
            if rule is None and len(value.args) > 1:
                rule = value.args[1]  # ``ForeignKey(Team, models.PROTECT)``
            column.on_delete = dotted(rule).rsplit(".", 1)[-1] if rule is not None else ""
        fields[target] = column
    bases = tuple(dotted(b).split(".")[-1] for b in cls.bases if dotted(b))
    if abstract:
        return ClassInfo(cls.name, bases, fields, ordering)
    if not any(c.primary_key for c in fields.values()):
        fields = {"id": Column("id", "AutoField", primary_key=True), **fields}
    table = Table(db_table or cls.name.lower(), "django", source.path, model=cls.name)
    table.columns = fields
    table.indexes = indexes
    table.meta_line = meta_line
    table.meta_indexes_slot = indexes_slot
    table.meta_together_slot = together_slot
    table.bases = bases
    table.ordering = ordering
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
    if text.isascii():
        # The same search, a quarter of the cost: an ASCII text lowered matches the lowered
        # pattern where the text matches the pattern ignoring case (ignoring case, the regex
        # tries every alternative at every character; every file of a project is searched).
        return _SCHEMA_WORDS_LOWER.search(text.lower()) is not None
    return _SCHEMA_WORDS.search(text) is not None


# Models, mixins and abstract bases, column helpers, Table(...) calls, Alembic operations.
_SCHEMA_WORDS = re.compile(
    r"__tablename__|db\.Model|models\.Model|table=True|SQLModel|Column\(|mapped_column|model_class"
    r"|models\.\w*(?:Field|ForeignKey)\(|Table\(|op\.(?:create_|add_column|drop_index|drop_constraint)|create\s+table",
    re.IGNORECASE,
)
# Lowered as a whole: no escape of the pattern carries its meaning in its case (\S, \W).
_SCHEMA_WORDS_LOWER = re.compile(_SCHEMA_WORDS.pattern.lower())


def schema_files(root: str) -> Iterable[str]:
    for count, path in enumerate(files_under(root, (".py", ".sql", *FOREIGN_SUFFIXES)), 1):
        if count > MAX_SCHEMA_FILES:
            return
        yield path


class SchemaCache:
    """Schema of a workspace, re-read per file only when its mtime or text changes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[float, Schema]] = {}
        self.overrides: dict[str, Schema] = {}  # open documents' current text
        self._digests: dict[str, int] = {}  # path -> hash of the text its schema was read from

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
                try:
                    schema = schema_of_file(path, text)
                except Exception:  # a construct nobody foresaw costs this file only
                    log.exception("schema of %s could not be read", path)
                    schema = Schema()
                self.files[path] = (stat.st_mtime, schema)
                self._digests[os.path.abspath(path)] = hash(text)
        for path in list(self.files):
            if path not in seen:
                del self.files[path]
                self._digests.pop(os.path.abspath(path), None)

    def copy(self) -> SchemaCache:
        """A cache of its own over what this one has read (the schemas themselves are not
        changed by anyone: merging makes new ones), for texts that are only imagined."""
        other = SchemaCache()
        other.files = dict(self.files)
        other.overrides = dict(self.overrides)
        other._digests = dict(self._digests)
        return other

    def read_from(self, path: str, text: str) -> Schema | None:
        """The schema the scan read from exactly this text of ``path`` (the CLI analyses each
        file right after the scan: read once, not twice), else None."""
        path = os.path.abspath(path)
        if self._digests.get(path) != hash(text) or path in self.overrides:
            return None
        found = self.files.get(path)
        return found[1] if found is not None else None

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
        # Resolved here too, so the agent's context and its proofs see inherited columns;
        # resolving twice (the engine does again, with the file being edited) changes nothing.
        return merged.resolved()
