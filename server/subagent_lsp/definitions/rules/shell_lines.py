"""`!` shell lines of skills and commands: what Claude Code runs before the model sees the file,
and never asks about (shell.py decides what a command needs)."""

from __future__ import annotations

from collections.abc import Iterator

from ...lazyre import LazyPattern
from ...registry import Example, Rule, emits, table
from .. import fixes
from ..document import Document
from ..findings import Fix, Span
from ..markdown import FENCE
from ..spec import Kind
from .arguments import declared_arguments
from .instructions import add_tool_fix
from .report import Report, W
from .samples import COMMAND_PATH, skill
from .shell import ShellGrants, refused, shell_grants

RULES = table(
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
            text=skill("", "Summarize this pull request.\n\n- Diff: !`gh pr diff`\n"),
            path=COMMAND_PATH,
        ),
        fix="Allow the command in `allowed-tools`: `Bash(gh pr diff *)`.",
        applicability="unsafe",
    ),
)

_INLINE_SHELL = LazyPattern(r"(?:^|(?<=\s))!`(?P<cmd>[^`]+)`")


def shell_lines(doc: Document) -> Iterator[tuple[str, Span]]:
    """The commands a skill or command runs before the model sees it: `` !`cmd` `` (at a line
    start or after a space) and the lines of a ```` ```! ```` block."""
    lines = doc.lines
    i = doc.body_start_line
    in_fence: str | None = None
    while i < len(lines):
        text = lines[i]
        m = FENCE.match(text)
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
    return add_tool_fix(r, "allowed-tools", rule)
