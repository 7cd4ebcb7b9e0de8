"""An index for a table that only Alembic migrations define: a new revision on top of the head.

The revision id is derived from the index's name (stable across runs, so the same suggestion
gives the same file); the head is the one revision no other names as its ``down_revision``.
With no single head (branches to merge) no migration is proposed.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass

from ...definitions.findings import Span
from ...textfile import read_utf8
from ..suggestion import Edit
from .project_files import declared_packages, project_root
from .schema import Table

_REVISION = re.compile(r"""^revision\s*(?::\s*str\s*)?=\s*["']([0-9A-Za-z_]+)["']""", re.M)
_DOWN = re.compile(r"""^down_revision\s*(?::[^=]+)?=\s*([^\n]+)""", re.M)
_QUOTED = re.compile(r"""["']([0-9A-Za-z_]+)["']""")
MAX_MIGRATIONS = 2000


def head_revision(folder: str) -> str | None:
    revisions: set[str] = set()
    downs: set[str] = set()
    try:
        names = sorted(os.listdir(folder))[:MAX_MIGRATIONS]
    except OSError:
        return None
    for name in names:
        if not name.endswith(".py"):
            continue
        text = read_utf8(os.path.join(folder, name)) or ""
        found = _REVISION.search(text)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(text)
        if down is not None:
            downs.update(_QUOTED.findall(down.group(1)))
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


def new_migration(table: Table, cols: list[str], name: str) -> list[Edit] | None:
    folder = os.path.dirname(table.path)
    head = head_revision(folder)
    if head is None:
        return None
    revision = hashlib.sha1(name.encode()).hexdigest()[:12]
    path = os.path.join(folder, f"{revision}_add_{name}.py")
    if os.path.exists(path):
        return None
    columns = ", ".join(f'"{c}"' for c in cols)
    text = (
        f'"""add {name}\n\nRevision ID: {revision}\nRevises: {head}\n"""\n\n'
        "from alembic import op\n\n"
        f'revision = "{revision}"\ndown_revision = "{head}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        f'    op.create_index("{name}", "{table.name}", [{columns}])\n\n\n'
        "def downgrade() -> None:\n"
        f'    op.drop_index("{name}", table_name="{table.name}")\n'
    )
    return [Edit(path, Span.point(0, 0), text)]


# ``003_add_users_table.sql``; yoyo's ``003-add-user-roles.sql`` (its id is the file's stem)
_NUMBERED = re.compile(r"^(\d+)[a-z]?([_-])[\w-]+\.(?:sql|py)$")
# yoyo's header naming the migrations one runs after: ``-- depends: 002-remove-spaces``
_DEPENDS = re.compile(r"^--\s*depends\s*:", re.I | re.M)


@dataclass(frozen=True)
class Numbered:
    """A folder of numbered migrations, as the next one should be written."""

    number: int
    width: int
    separator: str  # between the number and the words, and between the words
    last: str  # the highest-numbered migration's file name
    depends: bool  # the .sql migrations name the one they follow (yoyo's ``-- depends:``)


def numbered_folder(script: str, beside: bool = False) -> Numbered | None:
    """A .sql script in a folder of numbered migrations (``003_add_users_table.sql``, the
    app's runner applies each file once, by name): how the next one is named, or None.
    ``beside``: the script itself may be unnumbered, the baseline a new database is built
    from (a pg_dump ``schema.sql`` next to ``01_init.sql`` ... ``49_update_index.sql``)."""
    folder = os.path.dirname(os.path.abspath(script))
    if not beside and not _NUMBERED.match(os.path.basename(script)):
        return None
    try:
        names = os.listdir(folder)[:MAX_MIGRATIONS]
    except OSError:
        return None
    matched = sorted(
        (
            (int(m.group(1)), m.group(1), m.group(2), name)
            for name in names
            if (m := _NUMBERED.match(name))
        ),
    )
    if len(matched) < 2:
        return None  # one numbered file is a name, not a sequence
    scripts = [m[3] for m in matched if m[3].endswith(".sql")]
    depends = bool(scripts) and all(
        _DEPENDS.search(read_utf8(os.path.join(folder, n)) or "") for n in scripts[1:] or scripts
    )
    return Numbered(
        matched[-1][0] + 1,
        max(len(m[1]) for m in matched),
        matched[-1][2],  # the newest file's scheme
        matched[-1][3],
        depends,
    )


def new_sql_migration(table: Table, name: str, columns: str) -> list[Edit] | None:
    """An index for a table a numbered SQL migration creates: a new migration after the last
    (the one creating the table has run on every existing database and is not run again),
    safe to run where the index exists already, named as the others are, and naming the last
    as the one it follows when they do so (yoyo runs a migration after those it depends on)."""
    numbered = numbered_folder(table.path) or _beside_dump(table.path)
    if numbered is None:
        return None
    words = f"add_{name}".replace("_", numbered.separator)
    file = f"{numbered.number:0{numbered.width}d}{numbered.separator}{words}.sql"
    path = os.path.join(os.path.dirname(table.path), file)
    if os.path.exists(path):
        return None
    header = f"-- depends: {os.path.splitext(numbered.last)[0]}\n\n" if numbered.depends else ""
    text = f"{header}CREATE INDEX IF NOT EXISTS {name} ON {table.name} ({columns});\n"
    return [Edit(path, Span.point(0, 0), text)]


# pg_dump's header, anywhere near the top: a script may write a statement before it (``echo
# "CREATE EXTENSION ..." > schema.sql`` then ``pg_dump -s >> schema.sql``).
_DUMPED = re.compile(r"^-- (PostgreSQL database dump|Dumped by pg_dump)", re.M)


def _beside_dump(script: str) -> Numbered | None:
    """A schema dumped from a database, among numbered migrations: an existing database gets
    the index from a new migration, as every index change of such an app came, and the dump
    is regenerated from a migrated database (an edit there would be overwritten)."""
    if _NUMBERED.match(os.path.basename(script)):
        return None
    if not _DUMPED.search((read_utf8(script) or "")[:20000]):
        return None
    return numbered_folder(script, beside=True)


_CHANGE_FOLDER = re.compile(
    r"^(?:schema[_-]?(?:changes?|updates?)|migrations?|upgrades?|patches|updates)$", re.I
)


def _schema_change_folder(script: str) -> str | None:
    """A folder of SQL scripts beside (or below) the one that creates the table: where the app
    keeps the changes an existing database gets (``admin/schema_changes/24.sql``)."""
    here = os.path.dirname(os.path.abspath(script))
    for parent in (here, os.path.dirname(here)):
        try:
            names = sorted(os.listdir(parent))
        except OSError:
            continue
        for name in names:
            folder = os.path.join(parent, name)
            if _CHANGE_FOLDER.match(name) and os.path.isdir(folder):
                try:
                    if any(f.endswith(".sql") for f in os.listdir(folder)):
                        return folder
                except OSError:
                    continue
    return None


def sql_script_step(table: Table) -> str:
    """What an existing database needs when the index goes into the SQL script a new one is
    built from."""
    folder = _schema_change_folder(table.path)
    where = ""
    if folder is not None:
        base = project_root(table.path) or os.path.dirname(folder)
        shown = os.path.relpath(folder, base).replace(os.sep, "/")
        where = f" as a new script in {shown}/, where the app keeps its schema changes"
    return (
        "The app builds its schema from SQL scripts, not from the models: the index goes in "
        f"the script. An existing database needs the statement applied too{where} (on "
        "PostgreSQL, `CREATE INDEX CONCURRENTLY` builds it without blocking writes)."
    )


def migration_step(table: Table) -> str:
    """How the app turns a model edit into a schema change, in its own tooling."""
    if table.origin == "sql":
        if numbered_folder(table.path) is not None:
            return (
                "The edit is a new numbered migration: the one that creates the table has "
                "already run on existing databases, and the app does not run it again."
            )
        folder = _schema_change_folder(table.path)
        if folder is None:
            return ""
        base = project_root(table.path) or os.path.dirname(folder)
        shown = os.path.relpath(folder, base).replace(os.sep, "/")
        return (
            f"An existing database needs it too: add the statement as a new script in "
            f"{shown}/, where the app keeps its schema changes."
        )
    if table.origin == "django":
        return "Then `python manage.py makemigrations` writes the migration."
    if table.origin == "alembic":
        return (
            "The edit is a new Alembic revision on the current head; a second such suggestion "
            "starts from the same head, so apply one at a time or merge them into one revision."
        )
    if table.origin not in ("sqlalchemy", "table"):
        return ""
    if table.sql_home is not None and not orm_migration_tool(table):
        return sql_script_step(table.sql_home)
    return orm_migration_tool(table)


def orm_migration_tool(table: Table) -> str:
    """How an ORM model's edit reaches the database (Alembic, Flask-Migrate), or "" when the
    app has no such tool."""
    root = project_root(table.path)
    if root is None:
        return ""
    declared = declared_packages(root) or frozenset()
    folders = [root, os.path.join(root, "backend"), os.path.dirname(os.path.dirname(table.path))]
    alembic = any(
        os.path.isfile(os.path.join(f, "alembic.ini"))
        or os.path.isfile(os.path.join(f, "migrations", "env.py"))
        for f in folders
    )
    if "flask_migrate" in declared:
        return "Then `flask db migrate` (Flask-Migrate) writes the migration."
    if alembic or "alembic" in declared:
        return "Then `alembic revision --autogenerate` writes the migration."
    return ""


_CREATES_INDEX = re.compile(
    r"\bCREATE\s+(?:UNIQUE\s+)?INDEX\b[^;]*?\bON\s+(?:ONLY\s+)?([\w.\"]+)", re.I
)
_CREATES_TABLE = re.compile(r"\bCREATE\s+TABLE\b", re.I)
_CLOSES = ("COMMIT", "END", "COMMIT TRANSACTION", "END TRANSACTION")


def _schema_of(name: str) -> str:
    """``oauth.code`` -> oauth; ``payment`` -> "" (the default schema)."""
    parts = name.replace('"', "").split(".")
    return parts[-2].lower() if len(parts) > 1 else ""


def index_script(create_script: str, schema: str = "") -> str | None:
    """The script beside the one creating the tables that holds their indexes
    (``admin/sql/create_indexes.sql``): CREATE INDEX statements on tables of the same schema
    and no CREATE TABLE. A name saying "index" first, then by name, so every run picks the
    same file."""
    folder = os.path.dirname(os.path.abspath(create_script))
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".sql"))
    except OSError:
        return None
    found = []
    for name in names:
        text = read_utf8(os.path.join(folder, name)) or ""
        on = {_schema_of(m.group(1)) for m in _CREATES_INDEX.finditer(text)}
        if schema in on and not _CREATES_TABLE.search(text):
            found.append(name)
    found.sort(key=lambda n: (0 if "index" in n.lower() else 1, n))
    return os.path.join(folder, found[0]) if found else None


def script_index_edits(home: Table, name: str, columns: str) -> list[Edit] | None:
    """An index for a model whose table a SQL script creates (the app runs the script, not
    ``create_all``): the statement joins the script of indexes, before the COMMIT that closes
    its transaction, else follows the CREATE TABLE."""
    numbered = new_sql_migration(home, name, columns)
    if numbered is not None:
        return numbered
    written = _as_written(home)
    text = f"CREATE INDEX {name} ON {written} ({columns});\n"
    script = index_script(home.path, _schema_of(written))
    if script is None:
        return [Edit(home.path, Span.point(home.anchor_line, 0), text)]
    lines = (read_utf8(script) or "").splitlines()
    at = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        statement = lines[i].strip().rstrip(";").strip().upper()
        if not statement or statement.startswith("--"):
            continue
        if statement in _CLOSES:
            at, text = i, text + "\n"
        break
    return [Edit(script, Span.point(at, 0), text)]


_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"]+)", re.I)


def _as_written(home: Table) -> str:
    """The table's name as its CREATE TABLE writes it: ``oauth.code`` in a schema of its own
    (the parsed name drops the schema)."""
    for statement in home.ddl:
        found = _CREATE_TABLE.search(statement)
        if found and found.group(1).replace('"', "").rsplit(".", 1)[-1] == home.name:
            return found.group(1)
    return home.name
