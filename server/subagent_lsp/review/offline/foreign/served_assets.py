"""Which JS files a Python web app serves to browsers through an asset bundle (Flask-Assets,
webassets, django-assets): ``Bundle('../DotLayer.js', 'js/app.js', output='gen/app.js')``.

Such a file may sit beside the app's Python modules rather than under ``static/`` (the bundle
names it as ``../name.js``), and it runs in a tab: a promise chain in one drew a backend
reviewer's rejection advice about Node and requests on a real Flask app, judged noise.
"""

from __future__ import annotations

import os
import re

from ....textfile import read_utf8

_BUNDLERS = re.compile(r"\b(flask_assets|webassets|django_assets)\b")
_ASSET = re.compile(r"""["']([^"'\s]+\.(?:[cm]?js|jsx|tsx?))["']""")
_SKIP = frozenset({"node_modules", "venv", ".venv", "env", "site-packages", "__pycache__"})
_MAX_FILES = 3000
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
    seen = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP and not d.startswith(".")]
        for name in files:
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > _MAX_FILES:
                break
            file = os.path.join(folder, name)
            text = read_utf8(file) or ""
            if "Bundle(" not in text or not _BUNDLERS.search(text):
                continue
            modules.append((file, _mtime(file)))
            for match in _ASSET.finditer(text):
                # relative to the static folder: ``../x.js`` is beside it, ``./x.js`` in it
                asset = match.group(1).replace("\\", "/")
                while asset.startswith(("../", "./")):
                    asset = asset.split("/", 1)[1]
                if asset:
                    found.add(asset.lstrip("/"))
        if seen > _MAX_FILES:
            break
    assets = frozenset(found)
    if len(_cache) > 256:
        _cache.clear()
    _cache[root] = (_mtime(root), tuple(modules), assets)
    return assets
