"""Which files are run, and as what: found by their place, the way Claude Code finds them.

* ``…/.claude/agents/**/*.md``          subagent (project scope)
* ``…/.claude/commands/**/*.md``        command
* ``…/.claude/skills/<name>/SKILL.md``  skill
* any other ``.md`` below a folder with ``.claude-plugin/plugin.json``: a plugin agent candidate
  (Claude Code decides whether the manifest makes it one). README files are documentation, not
  agents, and are left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from .probe import Case

SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__"}


def _plugin_root(path: Path, top: Path) -> Path | None:
    for folder in path.parents:
        if (folder / ".claude-plugin" / "plugin.json").is_file():
            return folder
        if folder == top:
            break
    return None


def classify(path: Path, top: Path, key: str, section: str) -> Case | None:
    parts = path.parts
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] != ".claude" or i + 1 >= len(parts) - 1:
            continue
        folder = parts[i + 1]
        inner = parts[i + 2 :]
        if folder == "agents":
            return Case(key, section, path, "subagent", "/".join(inner))
        if folder == "commands":
            return Case(key, section, path, "command", "/".join(inner))
        if folder == "skills" and len(inner) == 2 and inner[1] == "SKILL.md":
            return Case(key, section, path, "skill", inner[0])
        return None
    if path.name.lower() in ("readme.md", "changelog.md", "license.md"):
        return None
    root = _plugin_root(path, top)
    if root is not None:
        return Case(key, section, path, "plugin-agent", path.relative_to(root).as_posix(), root)
    return None


def find(top: Path, section: str) -> Iterator[Case]:
    """Every case below ``top``, keyed by its path relative to ``top``, in path order."""
    found: list[Case] = []
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if not name.endswith(".md"):
                continue
            path = Path(folder) / name
            case = classify(path, top, path.relative_to(top).as_posix(), section)
            if case is not None:
                found.append(case)
    yield from sorted(found, key=lambda c: c.key)
