"""A baseline: the findings a team accepts today, so CI shows only new ones.

Each finding is keyed by its file (relative to the baseline), its code and the text of its line,
not by its line number, so edits elsewhere in the file do not bring old findings back. The same
key may occur several times; a baseline absorbs as many findings as it recorded.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..definitions.document import split_lines
from ..definitions.findings import Finding
from ..definitions.workspace import FileResult

VERSION = 1


def _key(base: Path, result: FileResult, finding: Finding, lines: Sequence[str]) -> str:
    rel = os.path.relpath(os.path.abspath(result.path), base).replace(os.sep, "/")
    line = finding.span.start.line
    text = lines[line].strip() if 0 <= line < len(lines) else ""
    return f"{rel}\x00{finding.code}\x00{text}"


def _lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return split_lines(fh.read().removeprefix("\ufeff"))
    except OSError:
        return []


def write_baseline(path: Path, results: Sequence[FileResult]) -> int:
    base = path.resolve().parent
    keys: list[dict[str, str]] = []
    for result in results:
        lines = _lines(result.path)
        for f in result.findings:
            rel, code, text = _key(base, result, f, lines).split("\x00")
            keys.append({"path": rel, "code": code, "line": text})
    keys.sort(key=lambda k: (k["path"], k["code"], k["line"]))
    path.write_text(
        json.dumps({"version": VERSION, "findings": keys}, indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return len(keys)


def load_baseline(path: Path) -> Counter[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise ValueError(f"{path}: not an subagent-lsp baseline (version {VERSION})")
    counts: Counter[str] = Counter()
    for item in data.get("findings", []):
        counts[f"{item['path']}\x00{item['code']}\x00{item['line']}"] += 1
    return counts


def filter_new(path: Path, results: Sequence[FileResult]) -> int:
    """Drop the findings the baseline records; return how many were dropped."""
    base = path.resolve().parent
    budget = load_baseline(path)
    dropped = 0
    for result in results:
        lines = _lines(result.path)
        kept = []
        for f in result.findings:
            key = _key(base, result, f, lines)
            if budget[key] > 0:
                budget[key] -= 1
                dropped += 1
            else:
                kept.append(f)
        result.findings = kept
    return dropped
