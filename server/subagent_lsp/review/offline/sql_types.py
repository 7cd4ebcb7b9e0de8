"""Whether a migration changes a column's type after the DDL that declares it:
``ALTER TABLE folksonomy ALTER COLUMN product TYPE VARCHAR(24)`` in a later ``.sql`` file or a
yoyo/Python migration's string. The schema reads a table's CREATE TABLE only, so the length it
holds for such a column may be one the database no longer has.

The files read are those beside the one that declares the table (where an app keeps its
migrations), ``.sql`` and ``.py`` ones; they are read again when one changes."""

from __future__ import annotations

import os
import re

from ...textfile import read_utf8

_SUFFIXES = (".sql", ".py")
_MAX_FILES = 400
_MAX_BYTES = 1_000_000
_ALTER = re.compile(r"\bALTER\s+TABLE\b(?P<rest>[^;]*)", re.IGNORECASE)
_cache: dict[str, tuple[tuple[tuple[str, float], ...], tuple[str, ...]]] = {}


def altered(path: str, table: str, column: str) -> bool:
    """Some migration beside ``path`` alters ``table.column``'s type."""
    statements = _alter_statements(os.path.dirname(os.path.abspath(path)))
    if not statements:
        return False
    names = rf"[\"`]?{re.escape(table)}[\"`]?"
    target = re.compile(
        rf"^\s*(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?:\w+\.)?{names}\s"
        rf".*\bALTER\s+(?:COLUMN\s+)?[\"`]?{re.escape(column)}[\"`]?\s+(?:SET\s+DATA\s+)?TYPE\b"
        rf"|^\s*(?:\w+\.)?{names}\s.*\b(?:MODIFY|CHANGE)\s+(?:COLUMN\s+)?[\"`]?{re.escape(column)}\b",
        re.IGNORECASE | re.DOTALL,
    )
    return any(target.search(s) for s in statements)


def _alter_statements(folder: str) -> tuple[str, ...]:
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(_SUFFIXES))[:_MAX_FILES]
    except OSError:
        return ()
    stamps = []
    for name in names:
        try:
            stamps.append((name, os.stat(os.path.join(folder, name)).st_mtime))
        except OSError:
            continue
    signature = tuple(stamps)
    cached = _cache.get(folder)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found: list[str] = []
    for name, _ in signature:
        full = os.path.join(folder, name)
        try:
            if os.path.getsize(full) > _MAX_BYTES:
                continue
            text = read_utf8(full)
        except (OSError, UnicodeDecodeError):
            continue
        if text is None or "alter" not in text.lower():
            continue
        found.extend(m.group("rest") for m in _ALTER.finditer(text))
    _cache[folder] = (signature, tuple(found))
    return _cache[folder][1]
