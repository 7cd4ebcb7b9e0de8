"""Builders for the rules' runnable examples: a valid file with one thing added."""

from __future__ import annotations

AGENT = (
    '---\nname: reviewer\ndescription: "Use this agent to review code for bugs."\n{extra}---\n'
    "You review code.\n"
)
CATALOG = (
    "---\ncategories: LLM\ntopics:\n  - Backend Development\n{extra}---\n# Backend Developer\n"
)
PLUGIN = {".claude-plugin/plugin.json": '{"name": "review-kit"}\n'}


def agent(extra: str = "") -> str:
    return AGENT.format(extra=extra)


def catalog(extra: str = "") -> str:
    return CATALOG.format(extra=extra)


SKILL_PATH = ".claude/skills/review/SKILL.md"
COMMAND_PATH = ".claude/commands/review.md"


def skill(extra: str, body: str) -> str:
    """A skill or command (the same keys) with ``extra`` frontmatter and ``body``."""
    return f"---\ndescription: Review the current change.\n{extra}---\n{body}"
