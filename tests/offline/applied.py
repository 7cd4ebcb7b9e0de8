"""Applying a suggestion's edits to the files on disk, as the editor would after a preview."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion


def apply_suggestion(suggestion: Suggestion) -> dict[str, str]:
    """Write every edit of ``suggestion``; the new text of each file it changed (each must
    change)."""
    by_path: dict[str, list[TextEdit]] = defaultdict(list)
    for edit in suggestion.edits:
        by_path[edit.path].append(TextEdit(edit.span, edit.new_text))
    out = {}
    for path, edits in by_path.items():
        text = Path(path).read_text(encoding="utf-8")
        new = apply_edits(text, edits)
        assert new != text
        Path(path).write_text(new, encoding="utf-8")
        out[path] = new
    return out
