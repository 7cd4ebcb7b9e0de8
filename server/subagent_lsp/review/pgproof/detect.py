"""Is this app a PostgreSQL app? What it declares and writes says so: a PostgreSQL driver in its
manifests (Python, JavaScript/TypeScript, Go), a ``postgres://`` URL or Django's postgresql
backend in its configuration, a Prisma datasource, or PostgreSQL-only DDL in its SQL.

Only the app's own declarations count. Going up from the analysed file, the first folder with a
manifest (requirements*.txt, pyproject.toml, setup.cfg, setup.py, Pipfile, package.json, go.mod,
manage.py) or a ``.git`` is the app's root, and the walk stops there: a parent repository's
dependencies are not the app's (this repository declares psycopg itself, and the example apps under
``examples/`` are not PostgreSQL apps for that). A pyproject.toml that says where its packages live
(setuptools ``packages.find``/``package-dir``, Poetry or Hatch ``packages``) does not own a file
outside them: such a file is an app of its own folder. Below the root, a folder with its own
manifest is another project and is not read; dependencies declared only for development or tests
(``[project.optional-dependencies] dev``, Poetry groups, ``requirements-dev.txt``) do not count.

The answer is the first piece of evidence found (it goes into the rationale), or None. A walk is
bounded (files, bytes) and cached per app root for a minute: it runs once per analysis.
``mysql_evidence`` asks the same of MySQL, by the drivers the app declares to run.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

from ..offline.project_files import MYSQL_DRIVERS, normalise

# (aiopg runs psycopg2 under asyncio: PostgreSQL only)
PY_DRIVERS = (
    "psycopg",
    "psycopg2",
    "psycopg2_binary",
    "psycopg_binary",
    "asyncpg",
    "aiopg",
    "pg8000",
)
# package.json dependencies and go.mod requirements that only talk to PostgreSQL
JS_DRIVERS = re.compile(r'"(pg|postgres|pg-promise|@neondatabase/serverless|@vercel/postgres)"\s*:')
GO_DRIVERS = re.compile(r"github\.com/(lib/pq|jackc/pgx)|gorm\.io/driver/postgres")
URL = re.compile(r"\bpostgres(?:ql)?(?:\+\w+)?://|django\.db\.backends\.postgresql")
PRISMA = re.compile(r'provider\s*=\s*"postgres(?:ql)?"')
TYPEORM = re.compile(r"""type\s*:\s*["']postgres["']""")
# Types and clauses no other engine writes.
PG_DDL = re.compile(
    r"\b(BIGSERIAL|SMALLSERIAL|JSONB|TIMESTAMPTZ|TSVECTOR|INET|CITEXT)\b|\bUSING\s+(gin|gist|brin)\b"
    r"|\bCREATE\s+EXTENSION\b|\bGENERATED\s+(ALWAYS|BY\s+DEFAULT)\s+AS\s+IDENTITY\b",
    re.IGNORECASE,
)
CONFIG_NAMES = re.compile(
    r"^(\.env.*|go\.mod|.*\.(ini|cfg|toml|ya?ml|json|py|ts|js|go|prisma|sql|conf))$", re.IGNORECASE
)
SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox", "dist"}
MAX_FILES = 2000
MAX_BYTES = 200_000
TTL_SECONDS = 60.0

# What makes a folder a project of its own (the walk up stops at the first one).
PROJECT_FILES = (
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "Pipfile",
    "package.json",
    "go.mod",
    "manage.py",
    ".git",
)
REQUIREMENTS = re.compile(r"^requirements.*\.txt$", re.IGNORECASE)
# Requirement files and pyproject extras/groups that only a developer's machine installs.
DEV_ONLY = re.compile(r"(dev|test|lint|doc|ci|typing|bench)", re.IGNORECASE)
REQUIREMENT_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

_cache: dict[str, tuple[float, str | None]] = {}


def postgres_evidence(path: str) -> str | None:
    """Why the app that ``path`` (a file, or an app's folder) belongs to is a PostgreSQL app
    (a short phrase), or None."""
    root = app_root(path)
    now = time.monotonic()
    cached = _cache.get(root)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = _declared(root) or _scan(root)
    _cache[root] = (now, found)
    return found


def app_root(path: str) -> str:
    """The folder of the app ``path`` belongs to: the nearest folder at or above it that is a
    project (see the module's docstring), else the file's own folder."""
    start = os.path.abspath(path)
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    folder = start
    while True:
        if _is_project(folder):
            return folder if _owns(folder, start) else start
        parent = os.path.dirname(folder)
        if parent == folder:
            return start
        folder = parent


# Asked for every file of an app by each rule that wants its database, for each folder up to
# its root: a folder's answer, and a pyproject.toml's parse, are kept while their mtime is
# the same (a folder's moves when an entry is added or removed).
_projects: dict[str, tuple[int, bool]] = {}
_pyprojects: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}


def _is_project(folder: str) -> bool:
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return False
    cached = _projects.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    found = any(n in PROJECT_FILES or REQUIREMENTS.match(n) for n in names)
    _projects[folder] = (stamp, found)
    return found


def _owns(root: str, folder: str) -> bool:
    """A project at ``root`` owns ``folder`` unless its pyproject.toml puts its packages
    elsewhere (this repository's packages are under server/, its examples are not in them)."""
    if root == folder:
        return True
    places = _package_places(root)
    if not places:
        return True
    return any(folder == p or folder.startswith(p + os.sep) for p in places)


def _package_places(root: str) -> list[str]:
    doc = _pyproject(root)
    tool = doc.get("tool", {}) if isinstance(doc.get("tool"), dict) else {}
    places: list[str] = []
    setuptools = tool.get("setuptools", {})
    if isinstance(setuptools, dict):
        packages = setuptools.get("packages")
        if isinstance(packages, dict) and isinstance(packages.get("find"), dict):
            where = packages["find"].get("where", [])
            places += [w for w in where if isinstance(w, str)] if isinstance(where, list) else []
        package_dir = setuptools.get("package-dir")
        if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
            places.append(package_dir[""])
    poetry = tool.get("poetry", {})
    if isinstance(poetry, dict) and isinstance(poetry.get("packages"), list):
        for entry in poetry["packages"]:
            if isinstance(entry, dict) and isinstance(entry.get("include"), str):
                places.append(os.path.join(str(entry.get("from", ".")), entry["include"]))
    hatch = tool.get("hatch", {})
    wheel = (
        hatch.get("build", {}).get("targets", {}).get("wheel", {})
        if isinstance(hatch, dict)
        else {}
    )
    if isinstance(wheel, dict) and isinstance(wheel.get("packages"), list):
        places += [p for p in wheel["packages"] if isinstance(p, str)]
    return [os.path.normpath(os.path.join(root, p)) for p in places]


def _pyproject(root: str) -> dict[str, Any]:
    path = os.path.join(root, "pyproject.toml")
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _pyprojects.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    doc = _parsed_pyproject(path)
    _pyprojects[path] = (stamp, doc)
    return doc


def _parsed_pyproject(path: str) -> dict[str, Any]:
    text = _read(path)
    if text is None:
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


SQLITE = re.compile(r"\bimport\s+(sqlite3|aiosqlite)\b|\bsqlite(\+\w+)?://|\bAUTOINCREMENT\b")
_sqlite_cache: dict[str, tuple[float, bool]] = {}


def sqlite_evidence(path: str) -> bool:
    """The file, or a source beside it, talks to SQLite (``import sqlite3``, a ``sqlite://``
    URL, ``AUTOINCREMENT``): that app is proven on SQLite whatever its repository declares."""
    folder = os.path.dirname(os.path.abspath(path))
    now = time.monotonic()
    cached = _sqlite_cache.get(folder)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = False
    try:
        names = sorted(os.listdir(folder))[:MAX_FILES]
    except OSError:
        names = []
    for name in names:
        if name.endswith((".py", ".sql")):
            text = _read(os.path.join(folder, name))
            if text is not None and SQLITE.search(text):
                found = True
                break
    _sqlite_cache[folder] = (now, found)
    return found


def sqlite_app(path: str) -> bool:
    """A configuration file of the app ``path`` belongs to names a SQLite database (its
    ``sqlite:///`` URL, the default of its settings): where an app with no PostgreSQL or MySQL
    of its own stores its rows."""
    root = app_root(path)
    now = time.monotonic()
    cached = _sqlite_app_cache.get(root)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = any(SQLITE.search(_read(f) or "") for f in _files(root))
    _sqlite_app_cache[root] = (now, found)
    return found


_sqlite_app_cache: dict[str, tuple[float, bool]] = {}
# ``cursor.execute("PRAGMA foreign_keys=ON")`` in a connect listener: SQLite then enforces
# foreign keys (each connection must ask; without it none is).
SQLITE_FOREIGN_KEYS = re.compile(r"PRAGMA\s+foreign_keys\s*=\s*(ON|1|TRUE)\b", re.IGNORECASE)
_sqlite_keys_cache: dict[str, tuple[float, str | None]] = {}


def sqlite_foreign_keys(path: str) -> str | None:
    """Where the app ``path`` belongs to turns SQLite's foreign keys on (the file, relative to
    the app's root), or None."""
    root = app_root(path)
    now = time.monotonic()
    cached = _sqlite_keys_cache.get(root)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = next(
        (
            os.path.relpath(f, root)
            for f in _files(root)
            if f.endswith(".py") and SQLITE_FOREIGN_KEYS.search(_read(f) or "")
        ),
        None,
    )
    _sqlite_keys_cache[root] = (now, found)
    return found


def ddl_evidence(statements: Iterable[str]) -> str | None:
    for ddl in statements:
        match = PG_DDL.search(ddl)
        if match:
            return f"its DDL uses {match.group(0).split()[0].upper()}"
    return None


def mysql_evidence(path: str) -> str | None:
    """Why the app that ``path`` belongs to is a MySQL app (a MySQL driver among what it
    installs to run), or None."""
    root = app_root(path)
    now = time.monotonic()
    cached = _mysql_cache.get(root)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = _declared(root, sorted(MYSQL_DRIVERS))
    _mysql_cache[root] = (now, found)
    return found


_mysql_cache: dict[str, tuple[float, str | None]] = {}


def _declared(root: str, drivers: Iterable[str] = PY_DRIVERS) -> str | None:
    declared = _python_requirements(root)
    for driver in drivers:
        if driver in declared:
            return f"it declares {driver.replace('_', '-')}"
    return None


def _python_requirements(root: str) -> set[str]:
    """What the app at ``root`` installs to run (normalised names), without what only its
    developers install."""
    texts: list[str] = []
    doc = _pyproject(root)
    project = doc.get("project", {})
    if isinstance(project, dict):
        texts += [d for d in project.get("dependencies", []) if isinstance(d, str)]
        extras = project.get("optional-dependencies", {})
        if isinstance(extras, dict):
            for extra, deps in extras.items():
                if not DEV_ONLY.search(extra) and isinstance(deps, list):
                    texts += [d for d in deps if isinstance(d, str)]
    poetry = doc.get("tool", {}).get("poetry", {}) if isinstance(doc.get("tool"), dict) else {}
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        texts += list(poetry["dependencies"])
    for name in ("setup.cfg", "setup.py", "Pipfile"):
        text = _read(os.path.join(root, name))
        if text is not None:
            texts += re.findall(r"""["']([A-Za-z0-9][A-Za-z0-9._-]*)""", text)
            texts += text.splitlines()
    for folder in (root, os.path.join(root, "requirements")):
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".txt") or DEV_ONLY.search(entry):
                continue
            if folder == root and not REQUIREMENTS.match(entry):
                continue
            texts += (_read(os.path.join(folder, entry)) or "").splitlines()
    return {normalise(m.group(1)) for t in texts if (m := REQUIREMENT_LINE.match(t))}


def _scan(root: str) -> str | None:
    for path in _files(root):
        text = _read(path)
        if text is None:
            continue
        name = os.path.basename(path)
        rel = os.path.relpath(path, root)
        if name == "package.json":
            match = JS_DRIVERS.search(text)
            if match:
                return f"{rel} depends on {match.group(1)}"
        elif name == "go.mod":
            match = GO_DRIVERS.search(text)
            if match:
                return f"{rel} requires {match.group(0)}"
        elif name.endswith(".prisma"):
            if PRISMA.search(text):
                return f"{rel} has a postgresql datasource"
        elif name.endswith(".sql"):
            why = ddl_evidence([text])
            if why:
                return f"{rel}: {why}"
            continue
        if URL.search(text):
            return f"{rel} names a PostgreSQL database"
        if name.endswith((".ts", ".js")) and TYPEORM.search(text):
            return f"{rel} configures TypeORM for postgres"
    return None


def _files(root: str) -> Iterable[str]:
    count = 0
    for folder, dirs, files in os.walk(root):
        # a folder below with its own manifest is another project: its drivers are not ours
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not _is_project(os.path.join(folder, d))
        )
        for name in sorted(files):
            if CONFIG_NAMES.match(name):
                count += 1
                if count > MAX_FILES:
                    return
                yield os.path.join(folder, name)


def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None
