"""Reading what Claude Code tells the model: the agent types, skills and deferred tools it lists.

In 2.1.332 these lists are in a ``system``-role message of the first request (earlier releases put
them in the system prompt); we search the whole request text, so both places work:

    Available agent types for the Agent tool:
    - backend-developer: <description> (Tools: All tools)
    - colon-agent: Does things: with colons (Tools: Read, Grep)

    When you launch multiple agents ...

    The following skills are available for use with the Skill tool:

    - deploy-tools (Deploy Tools): <description>

Entries are one per line, but a description may span lines. The built-in entries are learnt from
a baseline run with no files of ours (``builtin_lines``) and removed, so what is left is the entry
of the file under test, however many lines it spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AGENTS_HEADER = "Available agent types for the Agent tool:"
AGENTS_END = "\n\nWhen you launch multiple agents"
SKILLS_HEADER = "The following skills are available for use with the Skill tool:"
DEFERRED_HEADER = "The following deferred tools are now available via ToolSearch."


def _section(text: str, header: str, end: str | None = None) -> str | None:
    start = text.find(header)
    if start < 0:
        return None
    body = text[start + len(header) :]
    body = body.lstrip("\n")
    stop = body.find(end) if end else -1
    if stop < 0:
        # The list ends at the first blank line that is not followed by another entry.
        m = re.search(r"\n\n(?!- )", body)
        stop = m.start() if m else len(body)
    return body[:stop]


def agent_section(text: str) -> str | None:
    return _section(text, AGENTS_HEADER, AGENTS_END)


def skill_section(text: str) -> str | None:
    return _section(text, SKILLS_HEADER)


def deferred_tools(text: str) -> list[str]:
    """Tool names offered through ToolSearch (their schemas are not in ``tools``)."""
    start = text.find(DEFERRED_HEADER)
    if start < 0:
        return []
    rest = text[start:].split("\n", 1)
    if len(rest) < 2:
        return []
    names: list[str] = []
    for line in rest[1].split("\n"):
        line = line.strip()
        if not line or not re.fullmatch(r"[A-Za-z0-9_\-:.]+", line):
            break
        names.append(line)
    return names


def entries(section: str) -> list[str]:
    """Split a list section into entries: each starts with ``- `` at the start of a line."""
    out: list[str] = []
    for line in section.split("\n"):
        if line.startswith("- ") or not out:
            out.append(line)
        else:
            out[-1] += "\n" + line
    return [e for e in out if e.strip()]


def new_entries(section: str | None, builtin: set[str]) -> str | None:
    """The text left once the built-in entries (whole lines) are taken out; None when nothing is."""
    if section is None:
        return None
    lines = [line for line in section.split("\n") if line not in builtin]
    text = "\n".join(lines).strip("\n")
    return text or None


@dataclass
class AgentEntry:
    name: str
    description: str
    tools: str  # as listed: "All tools", "Read, Grep", "*", "All tools except ..."


def parse_agent_entry(text: str) -> AgentEntry | None:
    """``- name: description (Tools: ...)``; the tools part is the last ``(Tools: `` group, as
    tools themselves may hold parentheses (``Agent(worker, researcher)``, ``Bash(git *)``)."""
    text = text.rstrip()
    if not text.startswith("- ") or not text.endswith(")"):
        return None
    cut = text.rfind("(Tools: ")
    if cut < 0:
        return None
    tools = text[cut + len("(Tools: ") : -1]
    head = text[2:cut].rstrip()
    name, sep, desc = head.partition(": ")
    if not sep:
        name, desc = head.rstrip(":"), ""
    if not name:
        return None
    return AgentEntry(name, desc, tools)


@dataclass
class SkillEntry:
    name: str  # as listed: folder name for skills, file stem for commands
    display: str | None  # the frontmatter name, shown in parentheses when it differs
    description: str


_SKILL_HEAD = r"- (?P<name>[^\s:()]+(?::[^\s:()]+)*)(?: \((?P<display>[^\n]*?)\))?"
_SKILL = re.compile(_SKILL_HEAD + r": (?P<desc>.*)", re.S)
_SKILL_BARE = re.compile(_SKILL_HEAD + r":?\s*")


def parse_skill_entry(text: str) -> SkillEntry | None:
    m = _SKILL.fullmatch(text.rstrip("\n")) or _SKILL_BARE.fullmatch(text.rstrip("\n"))
    if m is None:
        return None
    return SkillEntry(m.group("name"), m.group("display"), (m.groupdict().get("desc") or ""))


def builtin_lines(section: str | None) -> set[str]:
    return set(section.split("\n")) if section else set()
