"""Which files ``suggest`` reads, the projects they belong to, and how their paths are shown:
shared by ``suggest`` and ``suggest --diff/--fix``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..review.offline.engine import is_backend_file, workspace_root
from ..review.offline.project_tree import folders
from ..review.project import Projects

# What ``suggest`` lists: a build folder's files too, which git-ignore rules and the settings'
# exclusions then take out with a reason the user sees (the scans skip them silently).
_INSTALLED = frozenset({"node_modules", "__pycache__", "venv"})


def backend_files(paths: Iterable[str]) -> list[str]:
    out: list[str] = []
    for given in paths:
        if os.path.isfile(given):
            out.append(given)
            continue
        for folder, files in folders(given, skip=_INSTALLED):
            out.extend(os.path.join(folder, f) for f in files if is_backend_file(f))
    return out


def open_projects(paths: Sequence[str], not_sources: Sequence[str]) -> Projects:
    """The projects of ``paths``, their schemas read once."""
    projects = Projects(not_sources=not_sources)
    projects.scan(
        sorted({workspace_root(p) for p in paths} | {p for p in paths if os.path.isdir(p)})
    )
    return projects


def display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel
