"""Tool lists: `tools`, `disallowedTools`, a skill's `allowed-tools`."""

from __future__ import annotations

import re

from ...lazyre import LazyPattern
from ...records import Record
from ...registry import UNNECESSARY, Example, Rule, emits, table
from .. import fixes, spec
from ..document import Document
from ..findings import Fix, Position, Severity, Span
from ..spec import KeySpec, Kind, ToolStatus, VType
from ..suggest import closest_sure
from ..yamltree import YNode
from .report import E, H, Report, W
from .samples import agent

RULES = table(
    Rule(
        "AGT040",
        "tool-unknown",
        W,
        "Not a Claude Code tool.",
        "An unknown tool name grants nothing; the agent lacks the tool the author meant.",
        example=Example(text=agent("tools: Read, Websearch\n")),
        fix="Use the tool's real name: `WebSearch` (safe fix).",
        applicability="safe",
        tags=frozenset({"version"}),
    ),
    Rule(
        "AGT041",
        "tool-removed",
        W,
        "This tool was removed from Claude Code.",
        "Removed tools resolve to nothing; the replacement does the job now.",
        example=Example(text=agent("tools: Read, MultiEdit\n")),
        fix="Use the replacement: `Edit` (safe fix).",
        applicability="safe",
    ),
    Rule(
        "AGT042",
        "tool-alias",
        H,
        "An old tool name that Claude Code still resolves.",
        "`Task` resolves to `Agent`, `KillShell` and `KillBash` to `TaskStop` (v2.1.332): they "
        "work, but the current name is clearer and survives the alias being dropped.",
        example=Example(text=agent("tools: Read, Task\n")),
        fix="Write the current name: `Agent` (safe fix).",
        applicability="safe",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT043",
        "no-tool-resolves",
        E,
        "No entry of `tools` resolves to a tool.",
        "Claude Code refuses to spawn an agent that would have zero tools (v2.1.208+).",
        example=Example(text=agent("tools: Reed, Grap\n"), note="no entry is a tool"),
        fix="Separate with commas: `Read, Grep, Glob` (safe fix).",
        tags=frozenset({"version"}),
    ),
    Rule(
        "AGT044",
        "tool-unavailable-to-subagents",
        W,
        "Subagents never get this tool.",
        "Claude Code strips it from every subagent, whatever `tools` says.",
        example=Example(text=agent("tools: Read, AskUserQuestion\n")),
        fix="Remove the tool from the list.",
    ),
    Rule(
        "AGT045",
        "tool-duplicate",
        H,
        "The tool is listed twice.",
        "Harmless but noisy.",
        example=Example(text=agent("tools: Read, Grep, Read\n")),
        fix="Remove the repeated entry.",
        tags=frozenset({UNNECESSARY}),
    ),
    Rule(
        "AGT046",
        "tool-list-syntax",
        W,
        "The tool list is malformed.",
        "Entries must be tool names separated by commas (or a YAML list of names).",
        example=Example(text=agent("tools: Read Grep\n")),
        fix="Separate tool names with commas.",
        applicability="safe",
    ),
)


class ToolEntry(Record):
    __slots__ = ("span", "text")

    def __init__(
        self,
        text: str,
        span: Span,
    ) -> None:
        self.text = text
        self.span = span


def source_exact(doc: Document, node: YNode) -> bool:
    """True when the scalar's value is written verbatim on one line (no escapes or folding)."""
    s, e = node.span.start, node.span.end
    if s.line != e.line or not node.is_scalar:
        return False
    raw = doc.lines[s.line][s.column : e.column]
    if node.style in ('"', "'"):
        raw = raw[1:-1]
    return raw == node.text


def split_tools(doc: Document, node: YNode, skill_syntax: bool = False) -> list[ToolEntry]:
    """Entries of a tool list with their source spans (the whole value when not exact)."""
    if node.kind == "sequence":
        out: list[ToolEntry] = []
        for item in node.items:
            if item.is_scalar and isinstance(item.value, str):
                out.extend(_split_scalar(doc, item, skill_syntax))
        return out
    if node.is_scalar and isinstance(node.value, str):
        return _split_scalar(doc, node, skill_syntax)
    return []


def _split_scalar(doc: Document, node: YNode, skill_syntax: bool) -> list[ToolEntry]:
    text = node.text
    exact = source_exact(doc, node)
    base = node.span.start.column + (1 if node.style in ('"', "'") else 0)
    entries: list[ToolEntry] = []
    depth, start = 0, 0
    separators = ",; \t" if skill_syntax else ","
    for i, ch in enumerate([*text, ","]):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif (ch in separators and depth == 0) or i == len(text):
            raw = text[start:i]
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                a = start + lead
                span = (
                    Span.of(
                        node.span.start.line,
                        base + a,
                        node.span.start.line,
                        base + a + len(stripped),
                    )
                    if exact
                    else node.span
                )
                entries.append(ToolEntry(stripped, span))
            start = i + 1
    return entries


_TOOL_ENTRY = LazyPattern(r"([A-Za-z_][\w-]*)(?:\((.*)\))?\Z", re.DOTALL)


_AGENT_NAME = LazyPattern(r"[a-z0-9]+(-[a-z0-9]+)+\Z")


def check_tools(r: Report, key: KeySpec, node: YNode) -> None:
    _tool_list(r, key, node, skill_syntax=key.vtype is VType.SKILL_TOOLS)


@emits("AGT043", "AGT045", "AGT046")
def _tool_list(r: Report, key: KeySpec, node: YNode, skill_syntax: bool) -> None:
    if not (node.kind == "sequence" or (node.is_scalar and isinstance(node.value, str | None))):
        r.add("AGT046", node.span, f"`{key.name}` must be a comma-separated string or a list.")
        return
    entries = split_tools(r.doc, node, skill_syntax)
    deny = key.name in ("disallowedTools", "disallowed-tools")
    resolved = 0
    seen: dict[str, ToolEntry] = {}
    for entry in entries:
        # Bash(git add *) and Bash(git commit *) are two rules, not a duplicate
        same = " ".join(entry.text.split())
        if same in seen:
            r.add("AGT045", entry.span, f"`{same}` is listed twice.")
        seen.setdefault(same, entry)
        if _resolve_tool(r, entry, deny, skill_syntax):
            resolved += 1
    if r.fk.kind is Kind.SUBAGENT and key.name == "tools" and entries and resolved == 0:
        refused = r.opts.on(spec.ZERO_TOOLS_REFUSED_SINCE)
        r.add(
            "AGT043",
            node.span,
            "No entry of `tools` is a tool Claude Code knows, so "
            + ("it refuses to spawn this agent" if refused else "the agent would run with no tools")
            + ". Fix the names, or remove `tools` to inherit every tool.",
            severity=None if refused else Severity.WARNING,
        )


@emits("AGT040", "AGT041", "AGT042", "AGT044", "AGT046")
def _resolve_tool(r: Report, entry: ToolEntry, deny: bool, skill_syntax: bool) -> bool:
    text = entry.text
    if text == spec.ALL_TOOLS:
        return True
    if text.startswith(spec.MCP_PREFIX):
        if text == "mcp__*" or re.fullmatch(r"mcp__[\w.-]+(__[\w.*-]+)?", text):
            return True
        r.add("AGT046", entry.span, f"`{text}` is not an MCP tool name (`mcp__server__tool`).")
        return False
    m = _TOOL_ENTRY.match(text)
    if m is None:
        fix = None if skill_syntax else _space_separated_fix(entry)
        if fix is not None:
            r.add(
                "AGT046",
                entry.span,
                f"`{text}` lists several tools: separate them with commas.",
                fix,
            )
        else:
            r.add("AGT040", entry.span, f"`{text}` is not a tool name: it grants nothing.")
        return False
    name, argument = m.group(1), m.group(2)
    fact = spec.tool_index().get(name)
    if fact is None:
        _unknown_tool(r, entry, name)
        return False
    if argument is not None and skill_syntax is False and not fact.takes_argument and not deny:
        pass  # permission-rule syntax such as Bash(git:*) narrows the tool; it still resolves
    if fact.status is ToolStatus.REMOVED:
        assert fact.replacement is not None
        r.add(
            "AGT041",
            entry.span,
            f"`{name}` was removed from Claude Code ({fact.until}); use `{fact.replacement}`.",
            fixes.replace(
                _name_span(entry, name), fact.replacement, f"Replace with `{fact.replacement}`"
            ),
        )
        return False
    if fact.status is ToolStatus.ALIAS:
        assert fact.replacement is not None
        renamed = fact.until or ""
        in_version = renamed[:1].isdigit() and "." in renamed
        # Before a rename the configured version knows only the old name: nothing to say.
        if not in_version or r.opts.on(renamed):
            when = f"in v{renamed}" if in_version else renamed
            r.add(
                "AGT042",
                entry.span,
                f"`{name}` is the old name of `{fact.replacement}`"
                + (f" (renamed {when})" if when else "")
                + f"; Claude Code still resolves it to `{fact.replacement}`.",
                fixes.replace(
                    _name_span(entry, name), fact.replacement, f"Rename to `{fact.replacement}`"
                ),
            )
        return True
    if not r.opts.on(fact.since):
        r.add(
            "AGT040",
            entry.span,
            f"`{name}` needs Claude Code v{fact.since}; v{r.opts.version_text} does not have it.",
        )
        return False
    if fact.removed_from_subagents and r.fk.kind is Kind.SUBAGENT and not deny:
        plan = r.doc.get("permissionMode")
        if name == "ExitPlanMode" and plan is not None and plan.value == "plan":
            return True
        r.add(
            "AGT044",
            entry.span,
            f"Claude Code never gives `{name}` to subagents, so listing it has no effect.",
        )
        return False
    return True


def _name_span(entry: ToolEntry, name: str) -> Span:
    if entry.span.start.line != entry.span.end.line:
        return entry.span
    start = entry.span.start
    if entry.span.end.column - start.column < len(name):
        return entry.span
    return Span(start, Position(start.line, start.column + len(name)))


def _space_separated_fix(entry: ToolEntry) -> Fix | None:
    words = entry.text.split()
    index = spec.tool_index()
    if len(words) > 1 and all(w in index for w in words):
        return fixes.replace(entry.span, ", ".join(words), "Separate the tools with commas")
    return None


@emits("AGT040")
def _unknown_tool(r: Report, entry: ToolEntry, name: str) -> None:
    guess, sure = closest_sure(name, spec.current_tool_names(), cutoff=80)
    if guess is not None:
        r.add(
            "AGT040",
            entry.span,
            f"Unknown tool `{name}`: did you mean `{guess}`?",
            fixes.replace(_name_span(entry, name), guess, f"Change to `{guess}`", safe=sure),
        )
        return
    hint = ""
    if "mcp" in name.lower():
        hint = " MCP tools are named `mcp__<server>` or `mcp__<server>__<tool>`."
    elif _AGENT_NAME.match(name):
        hint = (
            f" For an MCP server write `mcp__{name}`; to let this agent spawn an agent of that "
            f"name, `Agent({name})`."
        )
    r.add("AGT040", entry.span, f"Unknown tool `{name}`: it grants nothing.{hint}")
