"""Which JS files a Python web app serves to browsers through an asset bundle (Flask-Assets,
webassets, django-assets): ``Bundle('../DotLayer.js', 'js/app.js', output='gen/app.js')``.

Such a file may sit beside the app's Python modules rather than under ``static/`` (the bundle
names it as ``../name.js``), and it runs in a tab: a promise chain in one drew a backend
reviewer's rejection advice about Node and requests on a real Flask app, judged noise.
"""

from __future__ import annotations

import os
import re

from ..file_memo import FileMemo
from ..project_tree import files_under

_BUNDLERS = re.compile(r"\b(flask_assets|webassets|django_assets)\b")
_ASSET = re.compile(r"""["']([^"'\s]+\.(?:[cm]?js|jsx|tsx?))["']""")
_MAX_FILES = 3000
_MAX_BYTES = 1 << 20


def _named_assets(_path: str, text: str) -> frozenset[str] | None:
    """The asset paths a bundle module names, relative to the static folder (``../x.js`` is
    beside it, ``./x.js`` in it); None for a module that builds no bundle."""
    if "Bundle(" not in text or not _BUNDLERS.search(text):
        return None
    found: set[str] = set()
    for match in _ASSET.finditer(text):
        asset = match.group(1).replace("\\", "/")
        while asset.startswith(("../", "./")):
            asset = asset.split("/", 1)[1]
        if asset:
            found.add(asset.lstrip("/"))
    return frozenset(found)


_MODULES: FileMemo[frozenset[str] | None] = FileMemo(_named_assets, _MAX_BYTES)
# root -> (its mtime, the bundle modules' mtimes, the asset paths they name)
_cache: dict[str, tuple[int, tuple[tuple[str, int], ...], frozenset[str]]] = {}


def served_by_bundle(path: str, root: str | None) -> bool:
    """A Python module below ``root`` names ``path`` in an asset bundle (its path, relative to
    the static folder, is the tail of ``path``)."""
    if root is None:
        return False
    wanted = os.path.abspath(path).replace(os.sep, "/")
    return any(wanted.endswith("/" + asset) for asset in _assets(root))


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def _assets(root: str) -> frozenset[str]:
    """The asset paths the project's bundle modules name, read again when the root folder
    changes or one of those modules is edited (a bundle module added deep in the tree is seen
    after a restart, as the package's async wrapper is)."""
    cached = _cache.get(root)
    if (
        cached is not None
        and cached[0] == _mtime(root)
        and all(_mtime(file) == stamp for file, stamp in cached[1])
    ):
        return cached[2]
    modules: list[tuple[str, int]] = []
    found: set[str] = set()
    for seen, file in enumerate(files_under(root, (".py",)), 1):
        if seen > _MAX_FILES:
            break
        named = _MODULES.get(file)
        if named is not None:
            modules.append((file, _mtime(file)))
            found |= named
    assets = frozenset(found)
    if len(_cache) > 256:
        _cache.clear()
    _cache[root] = (_mtime(root), tuple(modules), assets)
    return assets
