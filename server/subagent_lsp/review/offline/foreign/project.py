"""Project facts for Node and Go code: the manifest a file belongs to (package.json, go.mod),
what it declares, and which files are tests rather than sources."""

from __future__ import annotations

import json
import os
import re

from ....textfile import read_utf8

SKIP_PARTS = frozenset(
    {
        "node_modules",
        "dist",
        "build",
        "vendor",
        "test",
        "tests",
        "__tests__",
        "__mocks__",
        "testdata",
    }
)
_TEST_FILE = re.compile(r"(\.(test|spec)\.[cm]?[jt]sx?|_test\.go)$")


def manifest_folder(path: str, manifest: str) -> str | None:
    """The nearest folder above ``path`` holding ``manifest`` (package.json, go.mod)."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(folder, manifest)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def is_test_or_vendored(path: str, root: str | None) -> bool:
    rel = os.path.relpath(os.path.abspath(path), root) if root else os.path.basename(path)
    parts = rel.replace("\\", "/").split("/")
    return bool(SKIP_PARTS & set(parts[:-1])) or _TEST_FILE.search(parts[-1]) is not None


_cache: dict[str, tuple[float, dict[str, str] | None]] = {}


def node_packages(path: str) -> dict[str, str] | None:
    """name -> version range of what the package.json above ``path`` declares (dependencies
    and devDependencies), or None without one. Cached until the manifest's mtime changes."""
    folder = manifest_folder(path, "package.json")
    if folder is None:
        return None
    manifest = os.path.join(folder, "package.json")
    try:
        stamp = os.stat(manifest).st_mtime
    except OSError:
        return None
    cached = _cache.get(manifest)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    found: dict[str, str] | None = None
    text = read_utf8(manifest)
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        found = {}
        for key in ("dependencies", "devDependencies", "peerDependencies"):
            section = data.get(key)
            if isinstance(section, dict):
                found.update({str(k): str(v) for k, v in section.items()})
    _cache[manifest] = (stamp, found)
    return found


def major_version(spec: str | None) -> int | None:
    """``^4.18.2`` -> 4; ``5.0.0-beta`` -> 5; a tag or URL -> None."""
    if not spec:
        return None
    match = re.search(r"(\d+)", spec)
    return int(match.group(1)) if match else None
