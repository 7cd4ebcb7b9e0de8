"""Rules about several files at once (their checks live in definitions/workspace.py, which
sees the whole workspace)."""

from __future__ import annotations

from ...registry import Example, Rule, table
from .report import W
from .samples import agent

RULES = table(
    Rule(
        "AGT051",
        "duplicate-agent-name",
        W,
        "Another agent in this scope has the same name.",
        "Only one of them loads (filesystem order decides); the other is silently lost.",
        example=Example(text=agent(), files={".claude/agents/copy.md": agent()}),
        fix="Rename one of them, or delete the copy.",
    ),
)
