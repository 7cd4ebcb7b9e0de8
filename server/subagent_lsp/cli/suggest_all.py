"""``subagent-lsp suggest --diff | --fix``: every suggestion applied together (composed by
re-analysis, review/offline/compose.py), as one patch or written to the files.

The patch goes to stdout alone, so ``suggest --diff . | git apply`` works; what was applied and
skipped goes to stderr, as ``check --fix`` reports there.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ..review.offline.compose import Composed, compose
from ..wording import plural
from .backend_paths import backend_files, display, open_projects

if TYPE_CHECKING:
    from ..config import Settings

NO_NEWLINE = "\\ No newline at end of file\n"


def run_compose(
    paths: Sequence[str],
    kinds: list[str] | None,
    settings: Settings,
    write: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    projects = open_projects(paths, settings.not_sources)
    composed = compose(projects, backend_files(paths), kinds, settings.options.policy)
    changed = composed.changed()
    base = patch_base(paths)
    for path in sorted(changed):
        before = composed.before.get(path)
        old = on_disk(path, before) if before is not None else None
        new = on_disk(path, changed[path])
        if write:
            write_file(path, new)
            out.write(f"{display(path)}: {'created' if before is None else 'changed'}\n")
        else:
            out.write(unified_diff(old, new, os.path.relpath(path, base)))
    _report(composed, len(changed), write, out if write else err)
    return 0


def patch_base(paths: Sequence[str]) -> str:
    """The folder the patch's names are relative to: the current one when the paths are in it
    (``suggest --diff . | git apply`` at the root), else the folder given (a ``--diff`` of
    ``/elsewhere/app`` applies with ``patch -p1`` inside that app, never to absolute paths)."""
    cwd = os.getcwd()
    folders = [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]
    base = os.path.commonpath(folders) if folders else cwd
    inside = os.path.commonpath([base, cwd]) == cwd
    return cwd if inside else base


def on_disk(path: str, text: str) -> str:
    """``text`` with the newlines of the file at ``path`` (CRLF stays CRLF); a new file, and
    one with LF, gets LF. A BOM is part of the text read, so it stays."""
    try:
        with open(path, "rb") as fh:
            crlf = b"\r\n" in fh.read()
    except OSError:
        crlf = False
    return text.replace("\r\n", "\n").replace("\n", "\r\n") if crlf else text


def write_file(path: str, text: str) -> None:
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def unified_diff(before: str | None, after: str, name: str) -> str:
    """A git-style diff of one file (``before`` None: a new file), which ``patch -p1`` and
    ``git apply`` take: a last line without a newline is marked as such."""
    lines: list[str] = []
    for line in difflib.unified_diff(
        (before or "").splitlines(keepends=True),
        after.splitlines(keepends=True),
        "/dev/null" if before is None else f"a/{name}",
        f"b/{name}",
    ):
        lines.append(line if line.endswith("\n") else line + "\n" + NO_NEWLINE)
    if not lines:
        return ""
    return f"diff --git a/{name} b/{name}\n" + "".join(lines)


def _report(composed: Composed, files: int, write: bool, out: TextIO) -> None:
    for suggestion, why in composed.skipped:
        out.write(
            f"subagent-lsp: skipped {display(suggestion.path)}: {suggestion.code} "
            f"{suggestion.title}: {why}\n"
        )
    parts = [f"{len(composed.applied)} applied"]
    if composed.resolved:
        parts.append(f"{len(composed.resolved)} resolved by other edits")
    parts.append(f"{len(composed.skipped)} skipped")
    verb = "changed" if write else "would change"
    out.write(
        f"backend-developer (offline engine): {', '.join(parts)}; {verb} {plural(files, 'file')}.\n"
    )
