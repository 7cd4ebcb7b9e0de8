"""Catalog notes against the agents they describe: a note whose title, alias or file name is an
agent defined in the workspace is compared with that agent's definition."""

from __future__ import annotations

import functools
import os
import re

from ...lazyre import LazyPattern
from ...records import TYPE_CHECKING, Record
from ...registry import Example, Rule, emits, table
from .. import spec
from ..document import Document, parse_document
from ..findings import Related, Span
from .keys import parse_date
from .references import known_agents
from .report import H, Report
from .samples import agent, catalog
from .tools import split_tools

if TYPE_CHECKING:
    import datetime as dt

_NOTE = "notes/reviewer.md"

RULES = table(
    Rule(
        "AGT115",
        "catalog-tool-missing",
        H,
        "The note promises a tool the agent it describes does not have.",
        "Readers pick agents from the catalog; a note that says the agent can use a tool its "
        "`tools` leaves out sends them to an agent that cannot do the job.",
        example=Example(
            text=catalog("aliases: [Reviewer]\n") + "\nUses the `WebSearch` tool for context.\n",
            path=_NOTE,
            files={".claude/agents/reviewer.md": agent("tools: Read, Grep\n")},
        ),
        fix="Correct the note, or grant the tool in the agent's `tools`.",
    ),
    Rule(
        "AGT116",
        "catalog-outdated",
        H,
        "The agent changed after the note's `dateRevised`.",
        "The note may describe an older version of the agent. The agent's last change is its "
        "last commit when the file is committed and unchanged, else the file's modification "
        "time.",
        example=Example(
            text=catalog("dateCreated: 2020-01-01\ndateRevised: 2020-01-02\naliases: [Reviewer]\n"),
            path=_NOTE,
            files={".claude/agents/reviewer.md": agent()},
        ),
        fix="Review the note against the agent and update `dateRevised`.",
    ),
)

_SUFFIX = LazyPattern(r"\s+(?:sub-?agent|agent)\s*$", re.IGNORECASE)
_TITLE = LazyPattern(r"^#\s+(.+?)\s*#*\s*$")


class AgentFacts(Record):
    __slots__ = ("description", "model", "name", "path", "tools")

    def __init__(
        self,
        name: str,
        path: str,
        model: str | None,
        tools: tuple[str, ...] | None,  # None: every tool (no `tools` key)
        description: str | None,
    ) -> None:
        self.name = name
        self.path = path
        self.model = model
        self.tools = tools
        self.description = description


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _SUFFIX.sub("", text.strip()).lower()).strip("-")


def title_line(doc: Document) -> int | None:
    for line_no in range(doc.body_start_line, len(doc.lines)):
        if _TITLE.match(doc.lines[line_no]):
            return line_no
    return None


def candidate_names(doc: Document) -> list[str]:
    """What the note may call its agent: its title, its aliases, its file name."""
    names: list[str] = []
    line = title_line(doc)
    if line is not None:
        m = _TITLE.match(doc.lines[line])
        assert m is not None
        names.append(m.group(1))
    aliases = doc.get("aliases")
    if aliases is not None:
        if aliases.kind == "sequence":
            names += [a.text for a in aliases.items if a.is_scalar and a.text]
        elif aliases.is_scalar and aliases.text:
            names.append(aliases.text)
    stem = os.path.basename(doc.path)
    for suffix in (".md", ".catalog-note", ".note"):
        stem = stem.removesuffix(suffix)
    names.append(stem)
    return [s for s in dict.fromkeys(slug(n) for n in names) if s]


def agent_facts(path: str) -> AgentFacts | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(spec.MAX_FILE_BYTES)
    except OSError:
        return None
    doc = parse_document(path, text)
    name = doc.get("name")
    if name is None or not name.text:
        return None
    model = doc.get("model")
    tools = doc.get("tools")
    listed = (
        tuple(e.text.split("(", 1)[0].strip() for e in split_tools(doc, tools))
        if tools is not None
        else None
    )
    if listed is not None and spec.ALL_TOOLS in listed:
        listed = None
    description = doc.get("description")
    return AgentFacts(
        name.text,
        path,
        model.text if model is not None and model.is_scalar else None,
        listed,
        description.text if description is not None and description.is_scalar else None,
    )


def described_agent(doc: Document) -> AgentFacts | None:
    """The workspace agent this note describes, if any."""
    candidates = candidate_names(doc)
    if not candidates:
        return None
    agents = known_agents(doc.path)
    for name in candidates:
        if name in agents:
            return agent_facts(agents[name])
    return None


def agent_markdown(facts: AgentFacts) -> str:
    tools = ", ".join(f"`{t}`" for t in facts.tools) if facts.tools is not None else "every tool"
    model = f"`{facts.model}`" if facts.model else "inherits the main session's"
    description = (facts.description or "").strip()
    if len(description) > 400:
        description = description[:400].rstrip() + "…"
    return (
        f"**Agent `{facts.name}`** ({os.path.relpath(facts.path)})\n\n"
        f"- model: {model}\n- tools: {tools}\n\n{description}"
    )


_PROMISE = LazyPattern(r"`(?P<a>[A-Z][A-Za-z]+)`|\bthe\s+(?P<b>[A-Z][A-Za-z]+)\s+tool\b")


def promised_tools(doc: Document) -> list[tuple[str, Span]]:
    """Tools the note says the agent uses: `Bash` in backticks, or "the X tool"."""
    known = spec.tool_index()
    out: list[tuple[str, Span]] = []
    fence = False
    for line_no in range(doc.body_start_line, len(doc.lines)):
        text = doc.lines[line_no]
        if text.lstrip().startswith(("```", "~~~")):
            fence = not fence
            continue
        if fence:
            continue
        for m in _PROMISE.finditer(text):
            group = "a" if m.group("a") else "b"
            name = m.group(group)
            fact = known.get(name)
            if fact is None:
                continue
            canonical = fact.replacement if fact.status is spec.ToolStatus.ALIAS else name
            span = Span.of(line_no, m.start(group), line_no, m.end(group))
            out.append((canonical or name, span))
    return out


@functools.lru_cache(maxsize=1024)
def _last_change(path: str, stamp: int) -> dt.date | None:
    import datetime as dt  # catalog notes only: `check` start-up does without these
    import subprocess

    mtime = dt.date.fromtimestamp(stamp / 1e9)
    folder = os.path.dirname(path)
    try:
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", os.path.basename(path)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if dirty.returncode != 0 or dirty.stdout.strip():
            return mtime  # not in a repository, untracked or changed since the last commit
        log = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", os.path.basename(path)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return mtime
    try:
        return dt.date.fromisoformat(log.stdout.strip())
    except ValueError:
        return mtime


def last_change(path: str) -> dt.date | None:
    """When an agent file last changed: its last commit when it is committed and unchanged
    (a checkout resets modification times), else its modification time."""
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _last_change(os.path.abspath(path), stamp)


@emits("AGT115", "AGT116")
def check_catalog_agent(r: Report) -> None:
    facts = described_agent(r.doc)
    if facts is None:
        return
    here = Span.point(0, 0)
    defined = Related(facts.path, here, f"the `{facts.name}` agent")
    if facts.tools is not None:
        reported: set[str] = set()
        for tool, span in promised_tools(r.doc):
            if tool in facts.tools or tool in reported:
                continue
            reported.add(tool)
            r.add(
                "AGT115",
                span,
                f"The note says the agent uses `{tool}`, but `{facts.name}` "
                f"({os.path.relpath(facts.path)}) does not list it in `tools`.",
                related=(defined,),
            )
    revised = r.doc.get("dateRevised")
    when = parse_date(revised) if revised is not None else None
    changed = last_change(facts.path)
    if revised is not None and when is not None and changed is not None and changed > when:
        r.add(
            "AGT116",
            revised.span,
            f"`{facts.name}` changed on {changed.isoformat()}, after this note's `dateRevised` "
            f"({when.isoformat()}): the note may describe an older version.",
            related=(defined,),
        )
