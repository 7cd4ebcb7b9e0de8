"""The app's own tool settings, read from the files its linters read: pyproject.toml,
ruff.toml/.ruff.toml, setup.cfg, .isort.cfg and .python-version at the project root.

An edit is only worth offering if the app's own checks accept it, so the import order and the
Python version come from the app, not from us. Each file is parsed once per mtime.
"""

from __future__ import annotations

import configparser
import os
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

TOML_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
INI_FILES = ("setup.cfg", ".isort.cfg", "tox.ini")
_MAX_BYTES = 200_000
Stamp = tuple[int, int]  # (mtime in ns, size): (0, 0) for a missing file
_cache: dict[str, tuple[Stamp, object]] = {}
T = TypeVar("T")


def toml_file(root: str, name: str) -> dict[str, object]:
    """A TOML file at ``root`` as a dict ({} when it is missing or not TOML)."""
    found = _cached(os.path.join(root, name), _parse_toml)
    return found if isinstance(found, dict) else {}


def ini_section(root: str, name: str, *sections: str) -> dict[str, str]:
    """The first of ``sections`` an INI file at ``root`` has ({} when none)."""
    found = _cached(os.path.join(root, name), _parse_ini)
    if not isinstance(found, configparser.ConfigParser):
        return {}
    for section in sections:
        if found.has_section(section):
            return dict(found.items(section, raw=True))
    return {}


def text_file(root: str, name: str) -> str:
    found = _cached(os.path.join(root, name), lambda text: text)
    return found if isinstance(found, str) else ""


def table(data: object, *keys: str) -> dict[str, object]:
    """``data[k1][k2]...`` when each is a table, else {}."""
    for key in keys:
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, dict):
            return {}
        data = value
    return data if isinstance(data, dict) else {}


# root -> (its mtime, the tool files there)
_tool_files_by_root: dict[str, tuple[Stamp, tuple[str, ...]]] = {}


def stamp(root: str) -> tuple[Stamp, ...]:
    """The mtimes of every file read here: what cached derived settings are keyed on. Which
    of them exist is looked up again only when the folder's own mtime says one was added or
    removed (asked for every file analysed: a stat of each possible name was most of it)."""
    folder = _mtime(root)
    known = _tool_files_by_root.get(root)
    if known is None or known[0] != folder:
        names = (*TOML_FILES, *INI_FILES, ".python-version")
        paths = tuple(p for p in (os.path.join(root, n) for n in names) if os.path.exists(p))
        known = _tool_files_by_root[root] = (folder, paths)
    return (folder, *(_mtime(path) for path in known[1]))


class PerRoot(Generic[T]):
    """Settings derived from a project's tool files, read again only when one of them changes
    (``stamp``): the import order, the target Python."""

    def __init__(self, read: Callable[[str], T]) -> None:
        self.read = read
        self._cache: dict[str, tuple[tuple[Stamp, ...], T]] = {}

    def __call__(self, root: str) -> T:
        key = stamp(root)
        cached = self._cache.get(root)
        if cached is not None and cached[0] == key:
            return cached[1]
        found = self.read(root)
        self._cache[root] = (key, found)
        return found


def _cached(path: str, parse: Callable[[str], object]) -> object:
    mtime = _mtime(path)
    cached = _cache.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    value: object = None
    if mtime != (0, 0):
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text = handle.read(_MAX_BYTES)
        except OSError:
            text = None
        if text is not None:
            value = parse(text)
    _cache[path] = (mtime, value)
    return value


def _parse_toml(text: str) -> object:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def _parse_ini(text: str) -> object:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return parser


def _mtime(path: str) -> Stamp:
    try:
        found = os.stat(path)
    except OSError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_size)
