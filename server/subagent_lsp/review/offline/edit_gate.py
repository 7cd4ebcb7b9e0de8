"""The last check before a suggestion is offered: its edits, applied to every Python file they
touch, must still parse with the app's target Python. An edit that breaks a file costs the
user more than no suggestion; a file that did not parse before is not held against it.
"""

from __future__ import annotations

import ast
import logging
import os
from collections import defaultdict

from ...definitions.findings import TextEdit
from ...definitions.fixes import apply_edits
from ...textfile import read_utf8
from ..suggestion import Suggestion
from .python_target import Version

log = logging.getLogger(__name__)


def parses(text: str, version: Version) -> bool:
    try:
        ast.parse(text, feature_version=version)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def parse_safe(
    suggestions: list[Suggestion], path: str, text: str, version: Version
) -> list[Suggestion]:
    """``suggestions`` without those whose edits break a Python file; ``text`` is the current
    text of the file at ``path`` (the others are read from disk, once)."""
    texts: dict[str, str | None] = {os.path.abspath(path): text}
    parsed: dict[str, bool] = {}
    kept: list[Suggestion] = []
    for suggestion in suggestions:
        by_path: dict[str, list[TextEdit]] = defaultdict(list)
        for edit in suggestion.edits:
            if edit.path.endswith(".py"):
                by_path[os.path.abspath(edit.path)].append(TextEdit(edit.span, edit.new_text))
        broken = None
        for file, edits in by_path.items():
            if file not in texts:
                texts[file] = read_utf8(file)
            before = texts[file]
            if before is None:
                continue
            if file not in parsed:
                parsed[file] = parses(before, version)
            if parsed[file] and not parses(apply_edits(before, edits), version):
                broken = file
                break
        if broken is None:
            kept.append(suggestion)
        else:
            log.debug(
                "dropped %s %r: its edit does not parse as Python %d.%d in %s",
                suggestion.code,
                suggestion.title,
                *version,
                broken,
            )
    return kept
