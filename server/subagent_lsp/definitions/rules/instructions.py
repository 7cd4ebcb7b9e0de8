"""The body against the frontmatter: tools the text tells the model to use, `!` shell lines,
argument placeholders. Precision first: a warning only for a plain instruction ("use the Bash
tool", "run `git diff`"); a conditional one ("if you have Bash") is a hint; a negated one
("never use `Write`") or a bare mention is nothing."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ...registry import Example, Rule, emits, table
from .. import fixes, spec
from ..document import Document
from ..findings import Fix, Position, Span
from ..spec import Kind, ToolStatus
from .report import H, Report, W
from .samples import agent
from .shell import ShellGrants, refused, shell_grants
from .tools import split_tools

SKILL_PATH = ".claude/skills/review/SKILL.md"
COMMAND_PATH = ".claude/commands/review.md"


def _skill(extra: str, body: str) -> str:
    return f"---\ndescription: Review the current change.\n{extra}---\n{body}"


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
            text=_skill("allowed-tools: Read Grep\n", "Use the Bash tool to run the tests.\n"),
            path=SKILL_PATH,
        ),
        fix="Add the tool to `allowed-tools` (with a specifier such as `Bash(npm test)`).",
        applicability="unsafe",
    ),
    Rule(
        "AGT102",
        "shell-line-not-allowed",
        W,
        "A `!` shell line runs a command `allowed-tools` does not allow.",
        "Injected commands never prompt: when the permission check is not an allow, Claude Code "
        "aborts the whole invocation (`Shell command permission check failed`, measured on "
        "v2.1.332). Only built-in read-only commands (`ls`, `cat`, `git status`...) pass "
        "without a rule.",
        example=Example(
            text=_skill("", "Summarize this pull request.\n\n- Diff: !`gh pr diff`\n"),
            path=COMMAND_PATH,
        ),
        fix="Allow the command in `allowed-tools`: `Bash(gh pr diff *)`.",
        applicability="unsafe",
    ),
    Rule(
        "AGT103",
        "argument-undeclared",
        W,
        "A `$name` placeholder is not declared in `arguments`.",
        "Only names declared in `arguments` are substituted; any other `$name` reaches the model "
        "as literal text (measured on v2.1.332).",
        example=Example(
            text=_skill("arguments: [issue]\n", "Fix issue $issue on branch $branch.\n").replace(
                "[issue]", "[issue]\nargument-hint: '[issue]'"
            ),
            path=COMMAND_PATH,
        ),
        fix="Declare the name in `arguments` (in its position), or use `$ARGUMENTS[N]`.",
        applicability="unsafe",
    ),
    Rule(
        "AGT104",
        "arguments-unused",
        H,
        "`arguments` names values the body never uses.",
        "Declared names only matter as `$name` placeholders; a body that uses `$ARGUMENTS` or "
        "`$0` instead was probably meant to use the names.",
        example=Example(
            text=_skill("arguments: [issue]\n", "Fix issue $ARGUMENTS.\n"), path=COMMAND_PATH
        ),
        fix="Write `$issue` where the value goes, or drop `arguments`.",
    ),
    Rule(
        "AGT105",
        "argument-hint-count",
        H,
        "`argument-hint` and `arguments` disagree in count.",
        "The hint shows users what to type; names map to positions in order, so a hint with "
        "another count asks for values the placeholders do not take (or leaves one out).",
        example=Example(
            text=_skill("arguments: [issue]\nargument-hint: '[issue] [branch]'\n", "Fix $issue.\n"),
            path=COMMAND_PATH,
        ),
        fix="Make the hint list one `[name]` per declared argument.",
    ),
    Rule(
        "AGT109",
        "argument-name-with-dollar",
        W,
        "An `arguments` name is written with its `$`.",
        "`arguments: $QUERY` declares the name `$QUERY`; the body's `$QUERY` then stays literal "
        "text and only `$$QUERY` would expand (measured on v2.1.332).",
        example=Example(
            text=_skill("arguments: $QUERY\n", 'Search for "$QUERY".\n'), path=COMMAND_PATH
        ),
        fix="Write the bare name: `arguments: QUERY`.",
        applicability="unsafe",
    ),
)

# Tool names that are also plain English words, or languages and protocols ("using PowerShell 7
# features", "using LSP"): only "the X tool" or `X` names the tool.
_WORDS = frozenset(
    {"Agent", "Artifact", "Edit", "Monitor", "Read", "Skill", "Task", "Workflow", "Write"}
    | {"PowerShell", "LSP"}
)
_NEGATION = re.compile(
    r"\b(?:never|not|don't|do\s+not|doesn't|cannot|can't|avoid|without|instead\s+of|rather"
    r"\s+than|no)\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"\b(?:if|when|unless|whether|where|optionally|may|might|can)\b|\bif\s+available\b",
    re.IGNORECASE,
)
_VERB = r"(?:[Uu]se|[Uu]sing|[Cc]all|[Cc]alling|[Ii]nvoke|[Ii]nvoking)"
# "using the X tool" after one of these describes someone else at work ("show the assistant
# using the Agent tool"), not an instruction to this agent.
# "Ask the user to run `npm install`", "suggest running `make`": someone else runs it.
_DELEGATED = re.compile(
    r"\b(?:user|users|developer|developers|human|reader|them|you\s+can|suggest|suggests|"
    r"recommend|recommends|tell|tells|ask|asks|instruct|document|documents|example)\b",
    re.IGNORECASE,
)
_SOMEONE = re.compile(
    r"\b(?:assistant|claude|agent|agents|user|model|it|they|he|she|subagent)\s+$", re.IGNORECASE
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


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


_RUN = re.compile(
    r"\b(?:[Rr]un|[Rr]unning|[Ee]xecute|[Ee]xecuting)\s+(?:the\s+)?(?:command\s+)?"
    r"`(?P<cmd>[A-Za-z0-9_.~$/{][^`]*)`"
)
_SLASH_COMMAND = re.compile(r"/[\w:-]+(?:\s|$)")


@dataclass(frozen=True)
class Instruction:
    tool: str  # the canonical tool name
    span: Span
    what: str  # the words, for the message
    conditional: bool
    shell: bool = False  # "run `cmd`": any shell tool will do


def prose_lines(doc: Document) -> Iterator[tuple[int, str]]:
    """The body's lines outside fenced code."""
    fence: str | None = None
    for line_no in range(doc.body_start_line, len(doc.lines)):
        text = doc.lines[line_no]
        m = _FENCE.match(text)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield line_no, text


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
    for line_no, text in prose_lines(doc):
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


@dataclass(frozen=True)
class Granted:
    key: str | None  # the key that lists the tools (None: nothing listed, every tool)
    listed: frozenset[str] | None  # None: every tool
    removed: frozenset[str]
    removed_key: str


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
        if grant.listed is None or _has(grant.listed, ins):
            continue
        if kind is Kind.SUBAGENT:
            r.add(
                "AGT100",
                ins.span,
                f"{said}, but `tools` does not grant `{ins.tool}`: this agent cannot call it.",
                _add_tool_fix(r, "tools", ins.tool),
                severity=H if ins.conditional else None,
            )
        else:
            r.add(
                "AGT101",
                ins.span,
                f"{said}, but `allowed-tools` does not list `{ins.tool}`: it still works, "
                "asking for permission each time.",
                _add_tool_fix(r, "allowed-tools", ins.tool),
            )


def _said(ins: Instruction) -> str:
    if ins.shell:
        return (
            f"run {ins.what.split(None, 1)[1] if ' ' in ins.what else ins.what} (a shell command)"
        )
    return f"use `{ins.tool}`"


def _add_tool_fix(r: Report, key: str, tool: str) -> Fix | None:
    node = r.doc.get(key)
    if node is None or not node.is_scalar or node.span.start.line != node.span.end.line:
        return None
    if node.style not in (None, "plain") or not isinstance(node.value, str):
        return None
    end = node.span.end
    sep = " " if key == "allowed-tools" and "," not in node.text else ", "
    at = Span(Position(end.line, end.column), Position(end.line, end.column))
    return fixes.replace(at, f"{sep}{tool}", f"Add `{tool}` to `{key}`", safe=False)


# --- `!` shell lines ---------------------------------------------------------------------
_INLINE_SHELL = re.compile(r"(?:^|(?<=\s))!`(?P<cmd>[^`]+)`")


def shell_lines(doc: Document) -> Iterator[tuple[str, Span]]:
    """The commands a skill or command runs before the model sees it: `` !`cmd` `` (at a line
    start or after a space) and the lines of a ```` ```! ```` block."""
    lines = doc.lines
    i = doc.body_start_line
    in_fence: str | None = None
    while i < len(lines):
        text = lines[i]
        m = _FENCE.match(text)
        if in_fence is None and m and text.strip() == m.group(1) + "!":
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(m.group(1)):
                cmd = lines[j].strip()
                if cmd and not cmd.startswith("#"):
                    col = len(lines[j]) - len(lines[j].lstrip())
                    yield cmd, Span.of(j, col, j, col + len(cmd))
                j += 1
            i = j + 1
            continue
        if m:
            in_fence = None if in_fence else m.group(1)
        elif in_fence is None:
            for s in _INLINE_SHELL.finditer(text):
                yield s.group("cmd").strip(), Span.of(i, s.start(), i, s.end())
        i += 1


@emits("AGT102")
def check_shell_lines(r: Report) -> None:
    if r.fk.kind not in (Kind.SKILL, Kind.COMMAND):
        return
    found = list(shell_lines(r.doc))
    if not found:
        return
    allowed: ShellGrants = shell_grants(r.doc, r.doc.path)
    substituted = frozenset(declared_arguments(r.doc) or ())
    for cmd, span in found:
        refusal = refused(cmd, allowed, substituted)
        if refusal is None:
            continue
        part = refusal.part
        if refusal.variable:
            r.add(
                "AGT102",
                span,
                f"Claude Code runs `{cmd}` before the model sees this file, and cannot check a "
                f"command with an unquoted variable (`{part}`) before it runs: the invocation "
                'aborts ("A variable in this command can\'t be checked"). Quote it '
                f'(`"{part}"`), or allow every command with `Bash`.',
            )
            continue
        first = part.split()[0] if part.split() else part
        r.add(
            "AGT102",
            span,
            f"Claude Code runs `{cmd}` before the model sees this file, and never asks: "
            f"`{part}` is not a read-only command and no `allowed-tools` rule allows it, so "
            'the invocation aborts ("Shell command permission check failed") unless your '
            f"permission settings allow it. Allow it with `Bash({first} *)`.",
            _allow_fix(r, first),
        )


def _allow_fix(r: Report, first: str) -> Fix | None:
    rule = f"Bash({first} *)"
    node = r.doc.get("allowed-tools")
    if node is None:
        fm = r.doc.frontmatter
        if fm is None or fm.close_span is None:
            return None
        line = fm.close_span.start.line
        return fixes.insert_line(r.doc, line, f"allowed-tools: {rule}", f"Allow `{rule}`")
    return _add_tool_fix(r, "allowed-tools", rule)


# --- argument placeholders ---------------------------------------------------------------
# `$name`: names may hold `-` and are case-sensitive; `${name}` is not substituted (measured on
# v2.1.332: with `arguments: [issue-number, PR]`, `$issue-number` and `$PR` expand, `${PR}` and
# `$Issue-number` stay as written).
_PLACEHOLDER = re.compile(
    r"(?<![\\$\w])\$(?:\{(?P<braced>[A-Za-z_][\w-]*)\}|(?P<name>[A-Za-z_]\w*(?:-\w+)*))(?![\[(\w])"
)
_NUMBERED = re.compile(r"(?<![\\\w])\$(?:ARGUMENTS\b|\d)")
_HINT_GROUP = re.compile(r"\[[^\]]*\]|<[^>]*>")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")


def declared_arguments(doc: Document) -> list[str] | None:
    node = doc.get("arguments")
    if node is None:
        return None
    if node.kind == "sequence":
        return [i.text for i in node.items if i.is_scalar and i.text]
    if node.is_scalar and isinstance(node.value, str):
        return node.value.replace(",", " ").split()
    return None


@emits("AGT103", "AGT104", "AGT105", "AGT109")
def check_arguments(r: Report) -> None:
    if r.fk.kind not in (Kind.SKILL, Kind.COMMAND):
        return
    doc = r.doc
    names = declared_arguments(doc)
    hint = doc.get("argument-hint")
    hint_groups = (
        _HINT_GROUP.findall(hint.text) if hint is not None and hint.is_scalar and hint.text else []
    )
    if names is None and not hint_groups:
        return  # nothing says the file takes named values: `$x` may be anything
    declared = set(names or [])
    used: set[str] = set()
    numbered = False
    for line_no, text in prose_lines(doc):
        for m in _PLACEHOLDER.finditer(text):  # `!` lines and code are substituted too
            token = m.group("name")
            if token is not None and _declared_prefix(token, declared) in declared:
                used.add(_declared_prefix(token, declared))
        prose = _CODE_SPAN.sub(lambda c: " " * len(c.group(0)), text)
        numbered = numbered or bool(_NUMBERED.search(prose))
        for m in _PLACEHOLDER.finditer(prose):
            span = Span.of(line_no, m.start(), line_no, m.end())
            braced = m.group("braced")
            if braced is not None:
                if braced in declared:
                    r.add(
                        "AGT103",
                        span,
                        f"`${{{braced}}}` is not substituted (only `${braced}` is), so it reaches "
                        "the model as written.",
                        fixes.replace(span, f"${braced}", f"Write `${braced}`", safe=False),
                    )
                continue
            name = _declared_prefix(m.group("name"), declared)
            if name in declared:
                used.add(name)
                continue
            if name == "ARGUMENTS" or name.isupper():
                continue  # `$ARGUMENTS`, or an environment variable such as `$HOME`
            guess = _nearest(name, declared)
            r.add(
                "AGT103",
                span,
                f"`${name}` is not declared in `arguments`, so it reaches the model as the "
                "literal text `$"
                + name
                + "`"
                + (f": did you mean `${guess}`?" if guess else ".")
                + (" Declare it in `arguments`." if not guess else ""),
                fixes.replace(span, f"${guess}", f"Change to `${guess}`", safe=False)
                if guess
                else _declare_fix(r, name),
            )
    dollar = [n for n in names or [] if n.startswith("$")]
    node = doc.get("arguments")
    if dollar and node is not None:
        r.add(
            "AGT109",
            node.span,
            "`arguments` takes bare names: "
            + ", ".join(f"`{n}`" for n in dollar)
            + f" declares the name `{dollar[0]}`, so the body's `{dollar[0]}` stays literal "
            f"(only `${dollar[0]}` would expand). Write `{dollar[0][1:]}`.",
            _strip_dollar_fix(r, dollar),
        )
        names = [n for n in names or [] if not n.startswith("$")]
    if names:
        unused = [n for n in names if n not in used]
        node = doc.get("arguments")
        if unused and node is not None and len(unused) == len(names):
            instead = " The body uses `$ARGUMENTS`/`$N` instead." if numbered else ""
            r.add(
                "AGT104",
                node.span,
                "`arguments` declares "
                + ", ".join(f"`{n}`" for n in names)
                + f", but the body never writes `${names[0]}`: the names substitute nothing."
                + instead,
            )
    if names is not None and hint_groups and hint is not None and len(hint_groups) != len(names):
        r.add(
            "AGT105",
            hint.span,
            f"`argument-hint` shows {len(hint_groups)} value(s) but `arguments` declares "
            f"{len(names)}: names map to positions in order, so the hint and the names "
            "disagree.",
        )


def _strip_dollar_fix(r: Report, dollar: list[str]) -> Fix | None:
    node = r.doc.get("arguments")
    if node is None or node.span.start.line != node.span.end.line:
        return None
    line = node.span.start.line
    text = r.doc.lines[line][node.span.start.column : node.span.end.column]
    fixed = re.sub(r"(?<![\w$])\$(?=[A-Za-z_])", "", text)
    if fixed == text:
        return None
    return fixes.replace(node.span, fixed, "Write the names without `$`", safe=False)


def _declare_fix(r: Report, name: str) -> Fix | None:
    node = r.doc.get("arguments")
    title = f"Declare `{name}` in `arguments`"
    if node is None:
        fm = r.doc.frontmatter
        if fm is None or fm.close_span is None:
            return None
        line = fm.close_span.start.line
        return fixes.insert_line(r.doc, line, f"arguments: [{name}]", title)
    end = node.span.end
    if node.span.start.line != end.line:
        return None
    if node.kind == "sequence" and r.doc.lines[end.line][end.column - 1 : end.column] == "]":
        at = Position(end.line, end.column - 1)
        sep = ", " if node.items else ""
        return fixes.replace(Span(at, at), f"{sep}{name}", title, safe=False)
    if node.is_scalar and node.style in (None, "plain"):
        return fixes.replace(Span(end, end), f" {name}", title, safe=False)
    return None


def _declared_prefix(token: str, declared: set[str]) -> str:
    """The declared name a `$token` starts with (`$issue-x` with `issue` declared), else the
    whole token."""
    if token in declared:
        return token
    for name in sorted(declared, key=len, reverse=True):
        if token.startswith(name + "-"):
            return name
    return token


def _nearest(name: str, declared: set[str]) -> str | None:
    if not declared:
        return None
    from ..suggest import closest

    return closest(name, sorted(declared), cutoff=70)
