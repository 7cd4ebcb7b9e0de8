"""Project-level facts read from files, not code: which files are not sources of suggestions
(tests, fixtures, migrations) and which packages the project declares.

A query in a test or a commit in a fixture is not production code: advice there was judged
noise on real apps. And an edit that imports a package the project does not declare breaks on
its next install, so the engine asks here before it proposes one.
"""

from __future__ import annotations

import os
import re
import sys

from ...textfile import read_utf8

# Re-exported: callers ask this module which files are sources.
from .not_sources import is_not_a_source as is_not_a_source

MANIFESTS = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED = re.compile(r"""["']([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*[<>=!~;"']""")
# What a declared distribution makes importable without being declared itself: its hard
# dependencies (Flask installs Werkzeug, whose HTTPException its abort() raises), and the
# package it installs under another name.
_BRINGS = {
    "fastapi": ("pydantic", "starlette"),
    "sqlmodel": ("sqlalchemy", "pydantic"),
    "flask": ("werkzeug",),
    "flask_restful": ("flask", "werkzeug"),
    "flask_restx": ("flask", "werkzeug"),
    # boto3 depends on botocore, whose ClientError and BotoCoreError its clients raise.
    "boto3": ("botocore",),
    "pygithub": ("github",),  # imported as ``github``
}


_MARKERS = (".git", "pyproject.toml", "setup.py", "manage.py", "requirements.txt")


def project_root(path: str) -> str | None:
    """The nearest folder with a project marker, or None outside any project."""
    folder = (
        os.path.dirname(os.path.abspath(path)) if os.path.isfile(path) else os.path.abspath(path)
    )
    while True:
        if _is_marked(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# folder -> (its mtime, its setup.py's mtime, marked): every analysis asks for the root of the
# file it reads, and a folder's markers change only when an entry is added or removed (its
# mtime moves) or its setup.py is edited.
_MARKED: dict[str, tuple[int, tuple[int, ...], bool]] = {}
# the markers whose text says whether they mark (their edits move no folder mtime)
_READ_MARKERS = ("setup.py", "manage.py")


def _mtime(path: str) -> int:
    """A file's or folder's mtime (ns), -1 when it is not there: what the caches here are
    keyed on."""
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _is_marked(folder: str) -> bool:
    try:
        stamp = os.stat(folder).st_mtime_ns
    except OSError:
        return False
    setup = tuple(_mtime(os.path.join(folder, name)) for name in _READ_MARKERS)
    cached = _MARKED.get(folder)
    if cached is not None and cached[0] == stamp and cached[1] == setup:
        return cached[2]
    marked = any(_marks(folder, marker) for marker in _MARKERS)
    if len(_MARKED) > 4096:
        _MARKED.clear()
    _MARKED[folder] = (stamp, setup, marked)
    return marked


def _marks(folder: str, marker: str) -> bool:
    """``marker`` in ``folder`` says a project starts there. A ``setup.py`` only when it
    packages (setuptools, distutils): an app's own ``commands/setup.py`` (its set-up command)
    made a package of the app a project of its own, cut off from its models and routes. A
    ``manage.py`` unless it is a Flask or click script."""
    where = os.path.join(folder, marker)
    if marker not in _READ_MARKERS:
        return os.path.exists(where)
    if not os.path.isfile(where):
        return False
    head = read_utf8(where) or ""
    if marker == "manage.py":
        # Django's manage.py sits at its project's root; a Flask app's click ``manage.py``
        # inside its package (ihatemoney) cut the package off from the pyproject above it.
        return "django" in head or not any(w in head for w in ("flask", "click", "typer"))
    return "setuptools" in head or "distutils" in head or "setup(" in head


def workspace_root(path: str) -> str:
    """The project a file belongs to: its project root, else its own folder."""
    root = project_root(path)
    if root is not None:
        return root
    return os.path.dirname(os.path.abspath(path)) if os.path.isfile(path) else os.path.abspath(path)


_cache: dict[str, tuple[tuple[int, ...], frozenset[str] | None]] = {}


def declared_packages(root: str) -> frozenset[str] | None:
    """Normalised names (``flask_sqlalchemy``) of what the project at ``root`` declares, or None
    when it has no manifest at all (then nothing can be said and callers fall back to imports).
    Cached per root until a manifest's mtime changes."""
    files = _manifests(root)
    stamps = tuple(_mtime(f) for f in files)
    cached = _cache.get(root)
    if cached is not None and cached[0] == stamps:
        return cached[1]
    found: frozenset[str] | None = None
    if files:
        names: set[str] = set()
        for file in files:
            names |= _names_in(file)
        for name in list(names):
            names.update(_BRINGS.get(name, ()))
        found = frozenset(names)
    _cache[root] = (stamps, found)
    return found


# root -> (its and its requirements/ folder's mtimes, the manifest files there)
_manifests_by_root: dict[str, tuple[tuple[int, int], list[str]]] = {}


def _manifests(root: str) -> list[str]:
    """The manifest files at ``root``, listed again only when a file is added to or removed
    from its folders (their mtimes change then): asked for every file analysed."""
    folders = (_mtime(root), _mtime(os.path.join(root, "requirements")))
    cached = _manifests_by_root.get(root)
    if cached is not None and cached[0] == folders:
        return cached[1]
    found = _list_manifests(root)
    _manifests_by_root[root] = (folders, found)
    return found


def _list_manifests(root: str) -> list[str]:
    out = [os.path.join(root, m) for m in MANIFESTS if os.path.isfile(os.path.join(root, m))]
    for folder in (root, os.path.join(root, "requirements")):
        try:
            entries = sorted(os.listdir(folder))
        except OSError:
            continue
        out.extend(
            os.path.join(folder, e)
            for e in entries
            if e.endswith(".txt") and (folder != root or e.startswith("requirements"))
        )
    return out


def _names_in(path: str) -> set[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read(200_000)
    except OSError:
        return set()
    if path.endswith(".txt"):
        names = {m.group(1) for line in text.splitlines() if (m := _REQUIREMENT.match(line))}
    elif path.endswith(("pyproject.toml", "Pipfile")) and (read := _toml_names(text)) is not None:
        names = read
    else:
        # pyproject/setup.cfg/Pipfile/setup.py: a quoted requirement or a `name = ...` key line
        names = {m.group(1) for m in _QUOTED.finditer(text)}
        names |= {m.group(1) for line in text.splitlines() if (m := _REQUIREMENT.match(line))}
    return {normalise(n) for n in names}


def _toml_names(text: str) -> set[str] | None:
    """The requirements of a pyproject.toml (PEP 621 with its optional and group lists, Poetry,
    PDM, uv) or a Pipfile, by their tables; None when it does not parse (the loose reading
    above then takes over: better a name too many than an import refused)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    specs: list[object] = []
    keys: list[object] = []
    project = _table(data, "project")
    specs += _list(project.get("dependencies"))
    for extra in _table(project, "optional-dependencies").values():
        specs += _list(extra)
    for group in _table(data, "dependency-groups").values():
        specs += _list(group)
    tool = _table(data, "tool")
    for table in (_table(tool, "pdm"), _table(tool, "uv")):
        for group in (
            _table(table, "dev-dependencies").values()
            if isinstance(table.get("dev-dependencies"), dict)
            else [table.get("dev-dependencies")]
        ):
            specs += _list(group)
    poetry = _table(tool, "poetry")
    keys += list(_table(poetry, "dependencies")) + list(_table(poetry, "dev-dependencies"))
    for group in _table(poetry, "group").values():
        if isinstance(group, dict):
            keys += list(_table(group, "dependencies"))
    keys += list(_table(data, "packages")) + list(_table(data, "dev-packages"))  # Pipfile
    names = {
        m.group(1) for spec in specs if isinstance(spec, str) and (m := _REQUIREMENT.match(spec))
    }
    names |= {k for k in keys if isinstance(k, str) and k.lower() != "python"}
    return names


def _table(data: object, key: str) -> dict[str, object]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def normalise(name: str) -> str:
    return re.sub(r"[-.]+", "_", name).lower()


MYSQL_DRIVERS = frozenset(
    {"mysqlclient", "pymysql", "mysql_connector_python", "aiomysql", "asyncmy"}
)
_OTHER_DRIVERS = frozenset({"psycopg", "psycopg2", "psycopg2_binary", "asyncpg", "aiopg", "pg8000"})


def on_mysql(path: str) -> bool:
    """The app declares a MySQL driver and no PostgreSQL one: InnoDB indexes every foreign key
    by itself, so an index on one is there already."""
    root = project_root(path)
    declared = declared_packages(root) if root else None
    if not declared:
        return False
    names = {normalise(n) for n in declared}
    return bool(names & MYSQL_DRIVERS) and not names & _OTHER_DRIVERS


def declared_version(root: str, package: str) -> tuple[int, int] | None:
    """The lowest (major, minor) the project's manifests allow for ``package``
    (``Django==1.10.5`` -> (1, 10)), None when it is not declared or only bounded above."""
    spec = declared_spec(root, package)
    return spec[1] if spec is not None else None


def declared_spec(root: str, package: str) -> tuple[str, tuple[int, int]] | None:
    """The operator of the requirement that bounds ``package`` from below and the lowest
    (major, minor) it allows: ``("==", (5, 4))``, ``("^", (7, 0))``, ``(">=", (2, 0))``;
    ``""`` for Poetry's bare ``"5.4.0"`` (an exact pin)."""
    found = _declared_release(root, package)
    return (found[0], found[1][:2]) if found is not None else None


def declared_release(root: str, package: str) -> tuple[int, int, int] | None:
    """The lowest (major, minor, patch) the manifests allow for ``package``: what a 0.0.x
    library's features are told apart by (SQLModel's ``cascade_delete`` is 0.0.21's)."""
    found = _declared_release(root, package)
    return found[1] if found is not None else None


def _declared_release(root: str, package: str) -> tuple[str, tuple[int, int, int]] | None:
    spelled = r"[-_.]?".join(re.escape(part) for part in re.split(r"[-_.]", package))
    pattern = re.compile(
        rf"(?im)(?<![\w-]){spelled}(?:\[[^\]]*\])?[\"']?\s*(?:=\s*[\"'{{](?:\s*version\s*=\s*"
        rf"[\"'])?)?\s*([\^~>=<!]*)\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?"
    )
    for file in _manifests(root):
        try:
            with open(file, encoding="utf-8", errors="replace") as handle:
                text = handle.read(200_000)
        except OSError:
            continue
        for found in pattern.finditer(text):
            if found.group(1).startswith(("<", "!")):
                continue
            release = (int(found.group(2)), int(found.group(3) or 0), int(found.group(4) or 0))
            return found.group(1), release
    return None


def declared_major(root: str, package: str) -> int | None:
    """The lowest major version the project's manifests allow for ``package`` (``^3.0.2``,
    ``==2.5.1``, ``>=3.1``), None when it is not declared or only bounded from above."""
    version = declared_version(root, package)
    return version[0] if version is not None else None
