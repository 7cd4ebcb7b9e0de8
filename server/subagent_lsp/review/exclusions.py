"""Files never read for the agent's context, nor edited by it: environment files, key and
certificate files, anything under a ``secrets`` folder, what git ignores (build output, local
configuration, credentials kept out of the repository) and the globs a user lists
(``agentExclude``). Redaction is the second line; these files are never opened at all.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

# Names as gitignore-style globs, matched against the file name (lower-cased).
SECRET_NAMES = (".env", ".env.*", "*.env", "*.pem", "*.key", "*.p12", "*.pfx", "id_*", ".netrc")
SECRET_DIRS = ("secrets", ".secrets")


def is_secret_file(path: str) -> bool:
    """A file whose name or folder says it holds secrets, wherever it is."""
    name = os.path.basename(path).lower()
    if any(fnmatch.fnmatchcase(name, glob) for glob in SECRET_NAMES):
        return True
    folders = os.path.dirname(os.path.normpath(path)).lower().split(os.sep)
    return any(folder in SECRET_DIRS for folder in folders)


@dataclass
class Exclusions:
    """The agent's exclusions for a workspace: the built-in names, git's ignores below each root
    and the user's ``agentExclude`` globs (relative to ``base``, else to the root)."""

    roots: Sequence[str] = ()
    patterns: Sequence[str] = ()
    base: str | None = None
    _specs: dict[str, object] = field(default_factory=dict)

    def excluded(self, path: str) -> str | None:
        """Why ``path`` is never read for context (None: it may be)."""
        if is_secret_file(path):
            return "it holds secrets by its name"
        real = os.path.realpath(path)
        root = self._root_of(real)
        if self.patterns and self._matches_user_globs(real, root):
            return "agentExclude lists it"
        if root is not None and self._git_ignored(real, root):
            return "git ignores it"
        return None

    def _root_of(self, real: str) -> str | None:
        for root in sorted(map(os.path.realpath, self.roots), key=len, reverse=True):
            if real.startswith(root.rstrip(os.sep) + os.sep):
                return root
        return None

    def _matches_user_globs(self, real: str, root: str | None) -> bool:
        import pathspec  # only when the user lists globs

        base = os.path.realpath(self.base) if self.base else root or os.path.dirname(real)
        spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        rel = os.path.relpath(real, base).replace(os.sep, "/")
        return bool(spec.match_file(rel)) or bool(spec.match_file(os.path.basename(real)))

    def _git_ignored(self, real: str, root: str) -> bool:
        """Each .gitignore from the root down to the file's folder, applied below its own folder
        (as git does; negations inside one file are pathspec's)."""
        folder = os.path.dirname(real)
        chain = []
        while True:
            chain.append(folder)
            if folder == root or len(folder) <= len(root):
                break
            folder = os.path.dirname(folder)
        for folder in reversed(chain):
            spec = self._spec(folder)
            if spec is None:
                continue
            rel = os.path.relpath(real, folder).replace(os.sep, "/")
            parts = rel.split("/")
            # a file is ignored when it or any folder above it (below this .gitignore) is
            for i in range(1, len(parts) + 1):
                candidate = "/".join(parts[:i]) + ("/" if i < len(parts) else "")
                if spec.match_file(candidate):  # type: ignore[attr-defined]
                    return True
        return False

    def _spec(self, folder: str) -> object | None:
        if folder not in self._specs:
            path = os.path.join(folder, ".gitignore")
            spec = None
            if os.path.isfile(path):
                import pathspec

                try:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        spec = pathspec.GitIgnoreSpec.from_lines(fh)
                except OSError:
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]
