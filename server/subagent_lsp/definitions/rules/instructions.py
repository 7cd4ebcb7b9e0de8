"""The body against the frontmatter: tools the text tells the model to use. Precision first:
a warning only for a plain instruction ("use the Bash tool", "run `git diff`"); a conditional
one ("if you have Bash") is a hint; a negated one ("never use `Write`"), one meant for someone
else ("ask the user to run ...") or a bare mention is nothing."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ...lazyre import LazyPattern
from ...records import Record
from ...registry import Example, Rule, emits, table
from .. import fixes, spec
from ..document import Document
from ..findings import Fix, Position, Span
from ..markdown import outside_fences
from ..spec import Kind, ToolStatus
from .report import H, Report, W
from .samples import SKILL_PATH, agent, skill
from .tools import split_tools

RULES = table(
    Rule(
        "AGT100",
        "body-tool-not-granted",
        W,
        "The body tells the model to use a tool its frontmatter does not give it.",
        "A subagent has only the tools `tools` lists, minus `disallowedTools`; a skill loses "
        "what `disallowed-tools` removes. An instruction to use a missing tool cannot be "
        "followed, so the agent improvises or stops.",
        example=Example(
            text=agent("tools: Read, Grep\n").replace(
                "You review code.\n", "Run `git diff` to see the change, then review it.\n"
            )
        ),
        fix="Grant the tool (add it to `tools`), or change the instruction.",
        applicability="unsafe",
    ),
    Rule(
        "AGT101",
        "body-tool-not-preapproved",
        H,
        "The skill tells the model to use a tool its `allowed-tools` list leaves out.",
        "`allowed-tools` does not restrict a skill, it pre-approves: a tool it leaves out still "
        "works but asks for permission each time, which a skill that lists its tools rarely means.",
        example=Example(
            text=skill("allowed-tools: Read Grep\n", "Use the Bash tool to run the tests.\n"),
            path=SKILL_PATH,
        ),
        fix="Add the tool to `allowed-tools` (with a specifier such as `Bash(npm test)`).",
        applicability="unsafe",
    ),
)

_WORDS = frozenset(
    {"Agent", "Artifact", "Edit", "Monitor", "Read", "Skill", "Task", "Workflow", "Write"}
    | {"PowerShell", "LSP"}
)
_NEGATION = LazyPattern(
    r"\b(?:never|not|don't|do\s+not|doesn't|cannot|can't|avoid|without|instead\s+of|rather"
    r"\s+than|no)\b",
    re.IGNORECASE,
)
_CONDITION = LazyPattern(
    r"\b(?:if|when|unless|whether|where|optionally|may|might|can)\b|\bif\s+available\b",
    re.IGNORECASE,
)
_VERB = r"(?:[Uu]se|[Uu]sing|[Cc]all|[Cc]alling|[Ii]nvoke|[Ii]nvoking)"
# "using the X tool" after one of these describes someone else at work ("show the assistant
# using the Agent tool"), not an instruction to this agent.
# "Ask the user to run `npm install`", "suggest running `make`": someone else runs it.
_DELEGATED = LazyPattern(
    r"\b(?:user|users|developer|developers|human|reader|them|you\s+can|suggest|suggests|"
    r"recommend|recommends|tell|tells|ask|asks|instruct|document|documents|example)\b",
    re.IGNORECASE,
)
_SOMEONE = LazyPattern(
    r"\b(?:assistant|claude|agent|agents|user|model|it|they|he|she|subagent)\s+$", re.IGNORECASE
)


@functools.cache
def _tool_patterns() -> tuple[re.Pattern[str], ...]:
    names = sorted((t.name for t in spec.TOOLS), key=len, reverse=True)
    every = "|".join(names)
    distinctive = "|".join(n for n in names if n not in _WORDS)
    return (
        # "use the Bash tool", "using `WebFetch` tool"
        re.compile(rf"\b{_VERB}\s+(?:the\s+)?(?P<q>`?)(?P<tool>{every})(?P=q)\s+tools?\b"),
        # "use `Edit` to"
        re.compile(rf"\b{_VERB}\s+(?:the\s+)?`(?P<tool>{every})`"),
        # "use Bash to", "using WebFetch or Read"
        re.compile(
            rf"\b{_VERB}\s+(?:the\s+)?(?P<tool>{distinctive})"
            r"(?=\s+(?:to|for|or|and|with)\b|\s*[,.;(]|\s*$)"
        ),
    )


@functools.cache
def _more_tools() -> re.Pattern[str]:
    names = sorted((t.name for t in spec.TOOLS), key=len, reverse=True)
    return re.compile(
        r"\s*(?:,|/|\band\b|\bor\b|, and\b|, or\b)\s*(?P<q>`?)(?P<tool>"
        + "|".join(names)
        + r")(?P=q)(?![\w(])"
    )


_RUN = LazyPattern(
    r"\b(?:[Rr]un|[Rr]unning|[Ee]xecute|[Ee]xecuting)\s+(?:the\s+)?(?:command\s+)?"
    r"`(?P<cmd>[A-Za-z0-9_.~$/{][^`]*)`"
)
# Every pattern above starts with one of these words (_VERB, _RUN): a line without one has no
# instruction.
_CUE_WORDS = ("use", "using", "call", "invok", "run", "execut")
_SLASH_COMMAND = LazyPattern(r"/[\w:-]+(?:\s|$)")


class Instruction(Record):
    __slots__ = ("conditional", "shell", "span", "tool", "what")

    def __init__(
        self,
        tool: str,  # the canonical tool name
        span: Span,
        what: str,  # the words, for the message
        conditional: bool,
        shell: bool = False,  # "run `cmd`": any shell tool will do
    ) -> None:
        self.tool = tool
        self.span = span
        self.what = what
        self.conditional = conditional
        self.shell = shell


def prose_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """The body's lines outside fenced code."""
    return outside_fences(doc.lines, doc.body_start_line)


def _clause_before(text: str, at: int) -> str:
    cut = max(text.rfind(mark, 0, at) for mark in (". ", "; ", ": ", "! ", "? ", " — "))
    return text[cut + 1 if cut != -1 else 0 : at]


def _clause_after(text: str, at: int) -> str:
    ends = [i for i in (text.find(mark, at) for mark in (". ", "; ", "! ", "? ")) if i != -1]
    return text[at : min(ends) if ends else len(text)]


def _canonical(name: str) -> str:
    fact = spec.tool_index().get(name)
    if fact is not None and fact.status is ToolStatus.ALIAS and fact.replacement:
        return fact.replacement
    return name


def instructions(doc: Document) -> list[Instruction]:
    """Tools the body plainly tells the model to use (negated ones left out)."""
    out: list[Instruction] = []
    cued = _cued_lines(doc)
    for line_no, text in prose_lines(doc):
        if line_no not in cued:
            continue  # most lines name no verb of use or running: skip the tool alternations
        hits: list[tuple[int, int, str, str, bool]] = []
        for pattern in _tool_patterns():
            for m in pattern.finditer(text):
                hits.append((m.start(), m.end(), _canonical(m.group("tool")), m.group(0), False))
                # "use `Grep` and `Glob`", "use the Read, Grep or Glob tools": the whole list
                at = m.end("tool") + (1 if text[m.end("tool") : m.end("tool") + 1] == "`" else 0)
                for more in _more_tools().finditer(text, at):
                    if more.start() != at:
                        break
                    at = more.end()
                    tool = more.group("tool")
                    hits.append(
                        (more.start("tool"), more.end("tool"), _canonical(tool), tool, False)
                    )
        for m in _RUN.finditer(text):
            cmd = m.group("cmd").strip()
            if _SLASH_COMMAND.match(cmd) or cmd.split("(")[0] in spec.tool_index():
                continue
            hits.append((m.start("cmd") - 1, m.end("cmd") + 1, "Bash", m.group(0), True))
        for start, end, tool, what, shell in sorted(hits):
            before = _clause_before(text, start)
            if _NEGATION.search(before):
                continue
            participle = what[:1].lower() in "uci" and what.split()[0].lower().endswith("ing")
            if participle and _SOMEONE.search(before):
                continue
            if _DELEGATED.search(before):
                continue
            after = _clause_after(text, end)
            conditional = (
                participle
                or bool(_CONDITION.search(before))
                or bool(re.search(r"\bif\s+(?:available|granted|allowed|present)\b", after))
            )
            span = Span.of(line_no, start, line_no, end)
            out.append(Instruction(tool, span, what, conditional, shell))
    return _one_per_place(out)


def _cued_lines(doc: Document) -> set[int]:
    """The body lines holding a word every instruction pattern starts with (a superset: found
    with ``str.find`` on the lowered body, ~4x faster than a regex over every line, which was
    most of `check`'s time on long agent files)."""
    start = doc.body_start_line
    body = "\n".join(doc.lines[start:])
    low = body.lower()
    found: list[int] = []
    for word in _CUE_WORDS:
        at = low.find(word)
        while at != -1:
            if at == 0 or not (low[at - 1].isalnum() or low[at - 1] == "_"):
                found.append(at)
            at = low.find(word, at + 1)
    found.sort()
    out: set[int] = set()
    line, last = start, 0
    for at in found:
        line += body.count("\n", last, at)
        last = at
        out.add(line)
    return out


def _one_per_place(found: list[Instruction]) -> list[Instruction]:
    """Two patterns can match one phrase: keep the first match at each place."""
    kept: list[Instruction] = []
    for ins in found:
        overlaps = any(
            k.span.start.line == ins.span.start.line
            and k.span.start.column < ins.span.end.column
            and ins.span.start.column < k.span.end.column
            for k in kept
        )
        if not overlaps:
            kept.append(ins)
    return kept


class Granted(Record):
    __slots__ = ("key", "listed", "removed", "removed_key")

    def __init__(
        self,
        key: str | None,  # the key that lists the tools (None: nothing listed, every tool)
        listed: frozenset[str] | None,  # None: every tool
        removed: frozenset[str],
        removed_key: str,
    ) -> None:
        self.key = key
        self.listed = listed
        self.removed = removed
        self.removed_key = removed_key


def _names(doc: Document, key: str, skill_syntax: bool, bare_only: bool) -> frozenset[str] | None:
    node = doc.get(key)
    if node is None:
        return None
    out: set[str] = set()
    for entry in split_tools(doc, node, skill_syntax):
        text = entry.text
        if text == spec.ALL_TOOLS:
            out.add(spec.ALL_TOOLS)
            continue
        if bare_only and "(" in text:
            continue  # `Bash(rm *)` in a deny list removes one command, not the tool
        out.add(_canonical(text.split("(", 1)[0].strip()))
    return frozenset(out)


def granted(doc: Document, kind: Kind) -> Granted:
    skill = kind is not Kind.SUBAGENT
    key = "allowed-tools" if skill else "tools"
    deny_key = "disallowed-tools" if skill else "disallowedTools"
    listed = _names(doc, key, skill, bare_only=False)
    if listed is not None and spec.ALL_TOOLS in listed:
        listed = None
    removed = _names(doc, deny_key, skill, bare_only=True) or frozenset()
    return Granted(key if listed is not None else None, listed, removed, deny_key)


def _has(tools: frozenset[str], ins: Instruction) -> bool:
    if ins.shell:
        return any(t in tools for t in spec.SHELL_TOOLS)
    return ins.tool in tools


def _removed(grant: Granted, ins: Instruction) -> bool:
    if not ins.shell:
        return ins.tool in grant.removed
    if not any(t in grant.removed for t in spec.SHELL_TOOLS):
        return False
    usable = [t for t in spec.SHELL_TOOLS if t not in grant.removed]
    return not any(grant.listed is None or t in grant.listed for t in usable)


@emits("AGT100", "AGT101")
def check_instructions(r: Report) -> None:
    kind = r.fk.kind
    if kind not in (Kind.SUBAGENT, Kind.SKILL, Kind.COMMAND):
        return
    doc = r.doc
    grant = granted(doc, kind)
    if grant.listed is None and not grant.removed:
        return
    for ins in instructions(doc):
        said = f"The body says to {_said(ins)}"
        if _removed(grant, ins):
            r.add(
                "AGT100",
                ins.span,
                f"{said}, but `{grant.removed_key}` removes `{ins.tool}`: the model cannot "
                "call it.",
                severity=H if ins.conditional else None,
            )
            continue
        fact = spec.tool_index().get(ins.tool)
        if kind is Kind.SUBAGENT and fact is not None and fact.removed_from_subagents:
            if ins.tool == "ExitPlanMode" and _plan_mode(doc):
                continue
            r.add(
                "AGT100",
                ins.span,
                f"{said}, but Claude Code removes `{ins.tool}` from every subagent, even when "
                "`tools` lists it: this agent cannot call it.",
                severity=H if ins.conditional else None,
            )
            continue
        if grant.listed is None or _has(grant.listed, ins):
            continue
        if ins.shell and _skill_mode(doc, ins.what):
            continue  # "run `update`" with `argument-hint: [update | audit]`: its own mode
        if ins.shell and _mcp_tool_named(grant.listed, ins.what):
            continue  # "Run `mcp-find x`" with `mcp__srv__mcp-find` granted: a tool call
        if kind is Kind.SUBAGENT and ins.tool in spec.TEAMMATE_TOOLS:
            r.add(
                "AGT100",
                ins.span,
                f"{said}, but `tools` does not grant `{ins.tool}`: as a subagent it cannot call "
                "it (run as an agent-team teammate, Claude Code adds it).",
                add_tool_fix(r, "tools", ins.tool),
                severity=H,
            )
            continue
        if kind is Kind.SUBAGENT:
            r.add(
                "AGT100",
                ins.span,
                f"{said}, but `tools` does not grant `{ins.tool}`: this agent cannot call it.",
                add_tool_fix(r, "tools", ins.tool),
                severity=H if ins.conditional else None,
            )
        elif ins.tool not in spec.NO_PERMISSION_TOOLS:
            r.add(
                "AGT101",
                ins.span,
                f"{said}, but `allowed-tools` does not list `{ins.tool}`: it still works, "
                "asking for permission each time.",
                add_tool_fix(r, "allowed-tools", ins.tool),
            )


def _mcp_tool_named(listed: frozenset[str], what: str) -> bool:
    """Whether the command's first word is the short name of a granted MCP tool."""
    cmd = what.split("`", 1)[1] if "`" in what else what
    word = cmd.split(None, 1)[0] if cmd.split() else ""
    return bool(word) and any(
        t.startswith("mcp__") and t.rsplit("__", 1)[-1] == word for t in listed
    )


def _skill_mode(doc: Document, what: str) -> bool:
    """Whether "run `word`" names one of the values `argument-hint` offers."""
    cmd = what.split("`", 1)[1].rstrip("`") if "`" in what else what
    hint = doc.get("argument-hint")
    if " " in cmd.strip() or hint is None or not hint.is_scalar or not hint.text:
        return False
    return cmd.strip() in re.findall(r"[\w-]+", hint.text)


def _plan_mode(doc: Document) -> bool:
    node = doc.get("permissionMode")
    return node is not None and node.is_scalar and node.text == "plan"


def _said(ins: Instruction) -> str:
    if ins.shell:
        return (
            f"run {ins.what.split(None, 1)[1] if ' ' in ins.what else ins.what} (a shell command)"
        )
    return f"use `{ins.tool}`"


def add_tool_fix(r: Report, key: str, tool: str) -> Fix | None:
    node = r.doc.get(key)
    if node is None or not node.is_scalar or node.span.start.line != node.span.end.line:
        return None
    if node.style not in (None, "plain") or not isinstance(node.value, str):
        return None
    end = node.span.end
    sep = " " if key == "allowed-tools" and "," not in node.text else ", "
    at = Span(Position(end.line, end.column), Position(end.line, end.column))
    return fixes.replace(at, f"{sep}{tool}", f"Add `{tool}` to `{key}`", safe=False)
