"""Is this app a PostgreSQL app? What it declares and writes says so: a PostgreSQL driver in its
manifests (Python, JavaScript/TypeScript, Go), a ``postgres://`` URL or Django's postgresql
backend in its configuration, a Prisma datasource, or PostgreSQL-only DDL in its SQL.

The answer is the first piece of evidence found (it goes into the rationale), or None. A walk is
bounded (files, bytes) and cached per root for a minute: it runs once per analysis.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable

from ..offline.project_files import declared_packages

PY_DRIVERS = ("psycopg", "psycopg2", "psycopg2_binary", "psycopg_binary", "asyncpg", "pg8000")
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

_cache: dict[str, tuple[float, str | None]] = {}


def postgres_evidence(root: str) -> str | None:
    """Why the app at ``root`` is a PostgreSQL app (a short phrase), or None."""
    now = time.monotonic()
    cached = _cache.get(root)
    if cached is not None and now - cached[0] < TTL_SECONDS:
        return cached[1]
    found = _declared(root) or _scan(root)
    _cache[root] = (now, found)
    return found


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


def ddl_evidence(statements: Iterable[str]) -> str | None:
    for ddl in statements:
        match = PG_DDL.search(ddl)
        if match:
            return f"its DDL uses {match.group(0).split()[0].upper()}"
    return None


def _declared(root: str) -> str | None:
    declared = declared_packages(root) or frozenset()
    for driver in PY_DRIVERS:
        if driver in declared:
            return f"it declares {driver.replace('_', '-')}"
    return None


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
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
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
