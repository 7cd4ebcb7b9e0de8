"""What a Django project's settings modules say (``ATOMIC_REQUESTS``).

The project is the nearest folder up with a ``manage.py``; its settings modules are the
``settings*.py`` files and those of a ``settings`` package, a few folders deep. Which files
those are is read once per project; what each says is read again when it changes (a server
started before a setting was added sees it then).
"""

from __future__ import annotations

import functools
import os
import re

from .file_memo import FileMemo
from .project_tree import folders


class Setting:
    """A setting a settings module may set, found by a pattern over its text."""

    def __init__(self, pattern: str) -> None:
        regex = re.compile(pattern, re.MULTILINE)
        self._says: FileMemo[bool] = FileMemo(lambda _p, text: bool(regex.search(text)), 1 << 20)

    def set_for(self, path: str) -> bool:
        """The settings of the project holding ``path`` set it."""
        root = project_folder(path)
        return root is not None and any(self._says.get(p) for p in settings_files(root))

    def set_in(self, path: str) -> bool:
        """The settings module at ``path`` itself sets it."""
        return bool(self._says.get(path))


# Every view runs in a transaction: only a database's own ``"ATOMIC_REQUESTS": True`` in
# ``DATABASES`` (or ``DATABASES["default"]["ATOMIC_REQUESTS"] = True``) says so. A top-level
# ``ATOMIC_REQUESTS = True`` is no Django setting and does nothing (junction's), and a line
# commented out says nothing either.
ATOMIC_REQUESTS = Setting(
    r"""^[^#\n]*(["']ATOMIC_REQUESTS["']\s*:\s*True|\[\s*["']ATOMIC_REQUESTS["']\s*\]\s*=\s*True)"""
)


@functools.lru_cache(maxsize=64)
def project_folder(path: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(6):
        if os.path.isfile(os.path.join(folder, "manage.py")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


@functools.lru_cache(maxsize=16)
def settings_files(root: str) -> tuple[str, ...]:
    found: list[str] = []
    for here, files in folders(root, depth=3):
        # a settings package's own packages too (pyarweb's ``settings/production/``)
        in_settings = "settings" in os.path.relpath(here, root).split(os.sep)
        found.extend(
            os.path.join(here, name)
            for name in files
            if name.endswith(".py") and (in_settings or name.startswith("settings"))
        )
    return tuple(found)
