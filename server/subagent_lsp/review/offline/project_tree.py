"""The folders of a project the engine reads, in a stable order: one walk for every scan (the
schema, the mentions that tell dead code, the OpenAPI specs, the mail senders, the asset
bundles), so each skips the same things.

Skipped: hidden folders (``.git``, ``.venv``, ``.tox``), installed packages (``venv``, ``env``,
``site-packages``, ``node_modules``), bytecode, and build output (``build``, ``dist``), whose
copies of the app's modules would count every table and call twice.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", "venv", "env", "site-packages", "build", "dist"}
)


def folders(
    root: str, depth: int | None = None, skip: frozenset[str] = SKIP_DIRS
) -> Iterator[tuple[str, list[str]]]:
    """Each folder under ``root`` (``root`` first; ``depth``: at most that many levels below
    it; ``skip``: the folder names not entered) with its file names, sorted, folders in
    sorted order; a caller that stops early reads nothing more."""
    top = root.rstrip(os.sep).count(os.sep)
    for folder, dirs, files in os.walk(root):
        below = depth is not None and folder.rstrip(os.sep).count(os.sep) - top >= depth
        dirs[:] = [] if below else sorted(d for d in dirs if d not in skip and d[0] != ".")
        yield folder, sorted(files)


def files_under(root: str, suffixes: tuple[str, ...]) -> Iterator[str]:
    """The paths of the files under ``root`` whose names end with one of ``suffixes``."""
    for folder, names in folders(root):
        for name in names:
            if name.endswith(suffixes):
                yield os.path.join(folder, name)
