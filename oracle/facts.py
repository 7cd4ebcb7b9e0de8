"""Facts read from the release's own program: its tool names and the old names it resolves.

The native binary carries Claude Code's JavaScript as text. Two of its tables are found by what
they hold, not by their (minified, per-release) variable names:

* the alias table, the object literal that maps ``Task`` to ``Agent``
  (``{Task:"Agent",KillShell:"TaskStop",...}``);
* the tool-name list, the longest array literal of names that holds every one of
  ``ANCHOR_TOOLS``.

These are only candidates: the calibration runs one agent per name (``tools: <name>``) and the
truth file records what each really does in the release. So a new release's new tool or new
alias is probed without anyone adding it to ``TOOL_NAMES`` first. ``python -m oracle.facts``
prints what it finds.
"""

from __future__ import annotations

import json
import mmap
import re
import sys
from pathlib import Path
from typing import Any

ANCHOR_TOOLS = ("Agent", "Bash", "Edit", "Read", "Skill", "TaskStop", "Write")
_ALIASES = re.compile(rb'\{Task:"Agent"(?:,[A-Za-z_]+:"[A-Za-z_]+")*\}')
_PAIR = re.compile(rb'([A-Za-z_]+):"([A-Za-z_]+)"')
_NAME_LIST = re.compile(rb'\["[A-Za-z_]{2,40}"(?:,"[A-Za-z_]{2,40}"){10,200}\]')
_NAME = re.compile(rb'"([A-Za-z_]+)"')


def extract(binary: Path) -> dict[str, Any]:
    """``{"tool_names": [...], "tool_aliases": {old: new}}`` as the program's text lists them
    (empty when a table is not found: the release changed its shape, which the truth file's
    diff shows)."""
    with binary.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        aliases: dict[str, str] = {}
        for m in _ALIASES.finditer(data):  # type: ignore[call-overload]
            for pair in _PAIR.finditer(m.group(0)):
                aliases[pair.group(1).decode()] = pair.group(2).decode()
        best: list[str] = []
        anchors = set(ANCHOR_TOOLS)
        for m in _NAME_LIST.finditer(data):  # type: ignore[call-overload]
            names = [n.decode() for n in _NAME.findall(m.group(0))]
            if anchors <= set(names) and len(names) > len(best):
                best = names
    return {"tool_names": sorted(set(best)), "tool_aliases": dict(sorted(aliases.items()))}


def main() -> int:
    from . import CLAUDE_CODE_VERSION
    from .__main__ import CACHE
    from .install import ensure_installed

    binary = ensure_installed(CACHE, CLAUDE_CODE_VERSION)
    print(json.dumps(extract(binary), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
