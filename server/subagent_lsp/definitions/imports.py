"""`@path` imports in memory files (CLAUDE.md, CLAUDE.local.md, .claude/rules/*.md).

What counts as an import is Claude Code's own reading (v2.1.332, read from the CLI): the pattern
``(?:^|\\s)@((?:[^\\s\\\\]|\\\\ )+)`` over the Markdown text outside code spans, fenced code and
HTML comments; a ``#fragment`` is dropped, ``\\ `` is a space; the path must start with ``./``,
``~/``, ``/`` or a letter, digit, ``.``, ``_`` or ``-``; it resolves against the importing file's
folder. Files are read depth first, each once, down to ``MAX_IMPORT_HOPS`` hops from the file
Claude Code started from.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator

from ..lazyre import LazyPattern
from ..records import Record
from .findings import Span
from .markdown import outside_fences
from .spec import MAX_IMPORT_HOPS, USER_CONFIG_DIR

_IMPORT = LazyPattern(r"(?:^|(?<=\s))@((?:[^\s\\]|\\ )+)")
_FIRST = LazyPattern(r"[a-zA-Z0-9._-]")
_ONLY_MARKS = LazyPattern(r"[#%^&*()]+")
_CODE_SPAN = LazyPattern(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_COMMENT = LazyPattern(r"<!--.*?-->", re.DOTALL)
MAX_READ = 1_000_000  # bytes of an imported file read to follow its own imports


class Import(Record):
    __slots__ = ("span", "target", "written")

    def __init__(
        self,
        written: str,  # the path as written after `@`
        target: str,  # absolute, normalised
        span: Span,  # from the `@` to the end of the path
    ) -> None:
        self.written = written
        self.target = target
        self.span = span

    @property
    def exists(self) -> bool:
        return os.path.isfile(self.target)


def _masked_lines(lines: list[str], start: int) -> Iterator[tuple[int, str]]:
    """The lines from ``start`` outside fenced code, with code spans and HTML comments blanked
    (same length, so columns stay exact)."""
    text = "\n".join(lines[start:])
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    for offset, line in outside_fences(text.split("\n")):
        yield start + offset, _CODE_SPAN.sub(lambda c: " " * len(c.group(0)), line)


def accepted(path: str) -> bool:
    if path.startswith(("./", "~/")) or (path.startswith("/") and path != "/"):
        return True
    return not path.startswith("@") and not _ONLY_MARKS.match(path) and bool(_FIRST.match(path))


def resolve(written: str, base_dir: str) -> str:
    if written.startswith("~/"):
        return os.path.normpath(os.path.expanduser(written))
    return os.path.normpath(os.path.join(base_dir, written))


def imports_in(path: str, lines: list[str], start: int = 0) -> list[Import]:
    """The imports of a memory file whose body starts at line ``start``."""
    base = os.path.dirname(os.path.abspath(path))
    out: list[Import] = []
    for line_no, line in _masked_lines(lines, start):
        if "@" not in line:
            continue
        for m in _IMPORT.finditer(line):
            written = m.group(1)
            cut = written.find("#")
            path_text = (written[:cut] if cut != -1 else written).replace("\\ ", " ")
            if not path_text or not accepted(path_text):
                continue
            end = m.start(1) + (cut if cut != -1 else len(written))
            out.append(
                Import(
                    path_text, resolve(path_text, base), Span.of(line_no, m.start(), line_no, end)
                )
            )
    return out


@functools.lru_cache(maxsize=1024)
def _imports_of_file(path: str, stamp: int) -> tuple[Import, ...]:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_READ)
    except OSError:
        return ()
    if b"\x00" in data[:8192]:
        return ()
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.splitlines()
    return tuple(imports_in(path, lines, _body_start(lines)))


def _body_start(lines: list[str]) -> int:
    if lines and lines[0].rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip() == "---":
                return i + 1
    return 0


def file_imports(path: str) -> tuple[Import, ...]:
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return ()
    return _imports_of_file(path, stamp)


class Dropped(Record):
    """A file an import chain reaches one hop too far: Claude Code does not load it."""

    __slots__ = ("chain", "via")

    def __init__(
        self,
        via: Import,  # the import in the root file the chain starts with
        chain: tuple[str, ...],  # the files from the root's import down to the dropped one
    ) -> None:
        self.via = via
        self.chain = chain


def too_deep(root: str, own: list[Import]) -> list[Dropped]:
    """Files below ``root`` that a chain of imports reaches past ``MAX_IMPORT_HOPS``, walked as
    Claude Code walks them: depth first, each file once."""
    seen = {os.path.normpath(os.path.abspath(root))}
    dropped: list[Dropped] = []

    def walk(imp: Import, via: Import, depth: int, chain: tuple[str, ...]) -> None:
        target = imp.target
        if target in seen or not os.path.isfile(target):
            return
        if depth > MAX_IMPORT_HOPS:
            dropped.append(Dropped(via, (*chain, target)))
            return
        seen.add(target)
        for nxt in file_imports(target):
            walk(nxt, via, depth + 1, (*chain, target))

    for imp in own:
        walk(imp, imp, 1, ())
    return dropped


def user_scope(path: str) -> bool:
    """``~/.claude/CLAUDE.md`` and ``~/.claude/rules/``: files the user wrote, trusted."""
    user_dir = os.path.expanduser(USER_CONFIG_DIR)
    return os.path.abspath(path).startswith(user_dir + os.sep)


def git_root(path: str) -> str | None:
    probe = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def project_root(path: str) -> str:
    """Where Claude Code would run for this memory file: the repository's root when there is
    one, else the folder that holds its `.claude/` (or the file itself)."""
    root = git_root(path)
    if root is not None:
        return root
    folder = os.path.dirname(os.path.abspath(path))
    marker = os.sep + ".claude"
    at = folder.find(marker + os.sep)
    if at == -1 and folder.endswith(marker):
        at = len(folder) - len(marker)
    return folder[:at] if at != -1 else folder


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def import_at(path: str, lines: list[str], start: int, line: int, column: int) -> Import | None:
    """The import under a position (for hover and go to definition)."""
    if line < start or line >= len(lines) or "@" not in lines[line]:
        return None
    for imp in imports_in(path, lines[: line + 1], start):
        s, e = imp.span.start, imp.span.end
        if s.line == line and s.column <= column <= e.column:
            return imp
    return None


def import_markdown(imp: Import) -> str:
    """What hover says about an import: where it resolves, and the file's first lines."""
    head = f"**Import** `@{imp.written}` → `{imp.target}`"
    if not os.path.isfile(imp.target):
        return head + "\n\nNo such file: Claude Code skips this import."
    try:
        with open(imp.target, encoding="utf-8", errors="replace") as fh:
            first = [next(fh, "").rstrip("\r\n") for _ in range(6)]
    except OSError:
        return head
    preview = "\n".join(first).strip("\n")
    nested = len(file_imports(imp.target))
    more = f"\n\nIt imports {nested} more file(s)." if nested else ""
    return f"{head}\n\n```markdown\n{preview}\n```{more}"
