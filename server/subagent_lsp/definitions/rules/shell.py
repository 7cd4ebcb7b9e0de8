"""Whether a shell command would pass Claude Code's permission check without a prompt: a
built-in read-only command, or a `Bash(...)` rule in `allowed-tools` or the project's
settings. Unsure means allowed: a `!` line is only reported when it surely aborts."""

from __future__ import annotations

import os
import re

from ...lazyre import LazyPattern
from ...records import Record
from .. import spec
from ..document import Document
from .tools import split_tools

_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "|&"})
_UNSURE = LazyPattern(r"[`]|\$\(|[<>]")


class ShellGrants(Record):
    __slots__ = ("every", "rules")

    def __init__(
        self,
        every: bool,  # a bare `Bash` (or `*`): every command
        rules: tuple[str, ...],  # the specifiers of `Bash(...)` rules
    ) -> None:
        self.every = every
        self.rules = rules


def shell_grants(doc: Document, path: str) -> ShellGrants:
    rules: list[str] = []
    every = False
    node = doc.get("allowed-tools")
    if node is not None:
        for entry in split_tools(doc, node, True):
            text = entry.text
            if text in ("Bash", spec.ALL_TOOLS):
                every = True
            elif text.startswith("Bash(") and text.endswith(")"):
                rules.append(text[5:-1].strip())
    allow, disabled = _settings(path)
    if disabled:  # `disableSkillShellExecution`: every `!` line becomes a placeholder text
        return ShellGrants(True, ())
    for allowed in allow:
        if allowed == "Bash":
            every = True
        elif allowed.startswith("Bash(") and allowed.endswith(")"):
            rules.append(allowed[5:-1].strip())
    return ShellGrants(every, tuple(rules))


def _settings(path: str) -> tuple[list[str], bool]:
    """`permissions.allow` of the settings files that apply where this file lives (the
    project's `.claude/settings.json` and `settings.local.json` and the user's), and whether one
    of them sets `disableSkillShellExecution`."""
    import json  # only when a `!` line needs the settings' rules

    files: list[str] = []
    folder = os.path.dirname(os.path.abspath(path))
    marker = os.sep + ".claude" + os.sep
    if marker in folder + os.sep:
        project = (folder + os.sep)[: (folder + os.sep).rfind(marker) + len(marker)]
        files += [os.path.join(project, n) for n in ("settings.json", "settings.local.json")]
    files.append(os.path.join(os.path.expanduser(spec.USER_CONFIG_DIR), "settings.json"))
    out: list[str] = []
    disabled = False
    for name in files:
        try:
            with open(name, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        disabled = disabled or data.get("disableSkillShellExecution") is True
        perms = data.get("permissions")
        allow = perms.get("allow") if isinstance(perms, dict) else None
        if isinstance(allow, list):
            out += [a for a in allow if isinstance(a, str)]
    return out, disabled


def _matches(rule: str, command: str) -> bool:
    for var in (spec.SKILL_DIR_VARIABLE, "${CLAUDE_PROJECT_DIR}", "${CLAUDE_PLUGIN_ROOT}"):
        if var in rule or var in command:
            return True  # substituted at run time in both places: assume they agree
    if rule.endswith(":*"):  # the legacy prefix form, `Bash(npm run test:*)`
        prefix = rule[:-2]
        return command == prefix or command.startswith(prefix + " ")
    if rule.endswith(" *") and command == rule[:-2]:
        return True
    pattern = "".join(".*" if c == "*" else re.escape(c) for c in rule)
    return re.fullmatch(pattern, command, re.DOTALL) is not None


def _read_only(command: str) -> bool:
    import shlex  # `!` lines only: `check` start-up does without it

    try:
        words = shlex.split(command)
    except ValueError:
        return True  # unsure
    if not words:
        return True
    while words and re.fullmatch(r"[A-Za-z_]\w*=\S*", words[0]):
        words = words[1:]  # `LC_ALL=C git log`
    if not words:
        return True
    first = os.path.basename(words[0])
    if first in spec.READ_ONLY_COMMANDS:
        return True
    if first in spec.READ_ONLY_VERSION_PROBES and words[1:] == ["--version"]:
        return True
    if first == "git":
        subs = [w for w in words[1:] if not w.startswith("-")]
        if not subs:
            return True
        if subs[0] == "stash":
            return len(subs) > 1 and subs[1] in spec.READ_ONLY_GIT_STASH
        if subs[0] == "worktree":
            return len(subs) > 1 and subs[1] in spec.READ_ONLY_GIT_WORKTREE
        return subs[0] in spec.READ_ONLY_GIT
    return False


def _parts(command: str) -> list[str] | None:
    """The simple commands of a compound one (`a && b | c`), quotes respected; None when the
    text does not tokenize."""
    import shlex

    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    parts: list[list[str]] = [[]]
    try:
        for token in lexer:
            if token in _OPERATORS:
                parts.append([])
            else:
                parts[-1].append(shlex.quote(token) if " " in token else token)
    except ValueError:
        return None
    return [" ".join(p) for p in parts if p]


_VARIABLE = LazyPattern(r"\$(?:\{(?P<b>[A-Za-z_]\w*)\}|(?P<n>[A-Za-z_][\w-]*))")


def unquoted_variable(command: str, substituted: frozenset[str] = frozenset()) -> str | None:
    """The first `$VAR` outside quotes: Claude Code cannot check such a command before it runs
    and aborts (measured on v2.1.332: `ls $PWD` aborts, `echo "$HOME"` runs). Argument
    placeholders (`$1`, `$ARGUMENTS`, declared names) and `${CLAUDE_*}` are substituted
    before, so they do not count."""
    quote: str | None = None
    i = 0
    while i < len(command):
        c = command[i]
        if c == "\\" and quote != "'":
            i += 2
            continue
        if quote is None and c in "'\"":
            quote = c
        elif c == quote:
            quote = None
        elif c == "$" and quote is None:
            m = _VARIABLE.match(command, i)
            if m is not None:
                name = m.group("b") or m.group("n")
                if not (name == "ARGUMENTS" or name.startswith("CLAUDE_") or name in substituted):
                    return m.group(0)
        i += 1
    return None


class Refusal(Record):
    __slots__ = ("part", "variable")

    def __init__(
        self,
        part: str,  # what Claude Code would not run unasked
        variable: bool = False,  # refused for an unquoted variable, whatever the rules say
    ) -> None:
        self.part = part
        self.variable = variable


def refused(
    command: str, grants: ShellGrants, substituted: frozenset[str] = frozenset()
) -> Refusal | None:
    """Why a `!` line would abort the invocation (None: it runs, or we cannot tell)."""
    if grants.every:
        return None
    variable = unquoted_variable(command, substituted)
    if variable is not None:
        return Refusal(variable, variable=True)
    part = unallowed_command(command, grants)
    return Refusal(part) if part is not None else None


def unallowed_command(command: str, grants: ShellGrants) -> str | None:
    """The part of ``command`` no rule allows (None: every part passes, or unsure)."""
    if grants.every or _UNSURE.search(command):
        return None
    parts = _parts(command.strip())
    if parts is None:
        return None
    for part in parts:
        if not part or _read_only(part):
            continue
        if any(_matches(rule, part) or _matches(rule, command) for rule in grants.rules):
            continue
        return part
    return None
