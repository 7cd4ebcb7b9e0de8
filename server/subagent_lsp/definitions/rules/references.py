"""Names and files a definition points at: `Agent(x)` / `Task(x)`, `skills:` entries, a skill's
`agent:`, and the files a SKILL.md links to or runs. Agents and skills are looked for in every
scope this file can see (the project's `.claude/` folders up to the repository root, its
`agents/` folders, the user's `~/.claude/`, the file's own plugin); built-in agents always
exist."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator

from ...lazyre import LazyPattern
from ...records import Record
from ...registry import Example, Rule, emits, table
from .. import fixes, spec
from ..document import Document
from ..findings import Span
from ..imports import git_root
from ..kinds import find_plugin
from ..spec import Kind
from .report import INFO, Report, W
from .samples import agent
from .tools import split_tools

RULES = table(
    Rule(
        "AGT106",
        "unknown-agent",
        W,
        "The agent named here is not defined in any scope.",
        "`Agent(x)` limits which agents this one may spawn, and a skill's `agent:` picks the "
        "agent it forks into: a name no scope defines can never be spawned.",
        example=Example(
            text=agent("tools: Read, Agent(test-runer)\n"),
            files={
                ".claude/agents/test-runner.md": agent().replace("reviewer", "test-runner"),
            },
        ),
        fix="Use the name of an existing agent (the did-you-mean fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT107",
        "unknown-skill",
        W,
        "A `skills:` entry names no skill in any scope.",
        "Claude Code preloads the listed skills into the agent; a missing one is skipped with "
        "only a debug log, so the agent runs without the knowledge it was given.",
        example=Example(
            text=agent("skills:\n  - api-conventons\n"),
            files={
                ".claude/skills/api-conventions/SKILL.md": "---\ndescription: API rules.\n---\n"
            },
        ),
        fix="Use the skill's folder name (the did-you-mean fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT108",
        "skill-file-missing",
        W,
        "The skill links to or runs a file that is not next to its SKILL.md.",
        "Relative links and `${CLAUDE_SKILL_DIR}` paths resolve against the skill's folder; a "
        "file that is not there cannot be read or run when the skill is used.",
        example=Example(
            text="---\ndescription: Render charts.\n---\nFor details see [the guide](guide.md).\n",
            path=".claude/skills/charts/SKILL.md",
            files={".claude/skills/charts/reference.md": "# Reference\n"},
        ),
        fix="Correct the path, or add the file to the skill's folder.",
    ),
)

_AGENT_CALL = LazyPattern(
    r"(?:" + "|".join(t.name for t in spec.TOOLS if t.takes_argument) + r")\((?P<args>[^)]*)\)\Z"
)
_NAME = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_NAME_LINE = LazyPattern(r"^name:[ \t]*['\"]?([^'\"\r\n#]+?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


class NameRef(Record):
    __slots__ = ("context", "name", "span", "target")

    def __init__(
        self,
        name: str,
        target: Kind,  # SUBAGENT or SKILL
        span: Span,
        context: str,  # tools | skills | agent-field
    ) -> None:
        self.name = name
        self.target = target
        self.span = span
        self.context = context


def frontmatter_references(doc: Document, kind: Kind) -> list[NameRef]:
    """The agent and skill names a definition's frontmatter points at, with exact spans."""
    out: list[NameRef] = []
    for key in ("tools", "disallowedTools", "allowed-tools"):
        node = doc.get(key)
        if node is None:
            continue
        for entry in split_tools(doc, node, key == "allowed-tools"):
            m = _AGENT_CALL.match(entry.text)
            if not m or entry.span.start.line != entry.span.end.line:
                continue
            base = entry.span.start.column + m.start("args")
            line = entry.span.start.line
            for name in _NAME.finditer(m.group("args")):
                start = base + name.start()
                span = Span.of(line, start, line, start + len(name.group(0)))
                out.append(NameRef(name.group(0), Kind.SUBAGENT, span, "tools"))
    skills = doc.get("skills")
    if skills is not None and skills.kind == "sequence":
        for item in skills.items:
            if item.is_scalar and isinstance(item.value, str) and item.text:
                out.append(NameRef(item.text, Kind.SKILL, _inner(item.span, item.style), "skills"))
    node = doc.get("agent")
    if kind in (Kind.SKILL, Kind.COMMAND) and node is not None and node.is_scalar and node.text:
        out.append(NameRef(node.text, Kind.SUBAGENT, _inner(node.span, node.style), "agent-field"))
    return out


def _inner(span: Span, style: str | None) -> Span:
    if style in ('"', "'") and span.start.line == span.end.line:
        return Span.of(span.start.line, span.start.column + 1, span.end.line, span.end.column - 1)
    return span


# --- what exists ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _declared_name(path: str, stamp: int) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(4000)
    except OSError:
        return None
    if not head.lstrip("\ufeff").startswith("---"):
        return None
    end = head.find("\n---", 3)
    m = _NAME_LINE.search(head[: end if end != -1 else len(head)])
    return m.group(1).strip() if m else None


def declared_name(path: str) -> str | None:
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError:
        return None
    return _declared_name(path, stamp)


def _md_files(folder: str) -> Iterator[str]:
    if not os.path.isdir(folder):
        return
    for base, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(".md") and name.lower() != "readme.md":
                yield os.path.join(base, name)


def _ancestors(path: str) -> list[str]:
    """The folders from this file's up to its repository's root (at most 12 levels)."""
    stop = git_root(path)
    folder = os.path.dirname(os.path.abspath(path))
    out: list[str] = []
    for _ in range(12):
        out.append(folder)
        parent = os.path.dirname(folder)
        if folder == stop or parent == folder:
            break
        folder = parent
    return out


def _roots(path: str) -> list[str]:
    roots = _ancestors(path)
    plugin = find_plugin(path)
    if plugin is not None:
        roots.append(plugin.root)
    roots.append(os.path.expanduser(spec.USER_CONFIG_DIR))
    return list(dict.fromkeys(roots))


def _scope_folders(path: str, component: str) -> list[str]:
    """The ``agents`` or ``skills`` folders of every scope ``path`` can see, nearest first:
    ``.claude/<component>`` and ``<component>`` of each root, ``~/.claude/<component>``."""
    user_dir = os.path.expanduser(spec.USER_CONFIG_DIR)
    out: list[str] = []
    for root in _roots(path):
        if root == user_dir:
            out.append(os.path.join(root, component))
        else:
            out += [os.path.join(root, ".claude", component), os.path.join(root, component)]
    return out


def known_agents(path: str) -> dict[str, str]:
    """Agent name -> its file, in every scope ``path`` can see (nearest first)."""
    out: dict[str, str] = {}
    for folder in _scope_folders(path, "agents"):
        for file in _md_files(folder):
            name = declared_name(file)
            if name:
                out.setdefault(name, file)
    return out


def known_skills(path: str) -> dict[str, str]:
    """Skill name (its folder, and its frontmatter `name`) -> its SKILL.md."""
    out: dict[str, str] = {}
    for folder in _scope_folders(path, "skills"):
        if not os.path.isdir(folder):
            continue
        for entry in sorted(os.listdir(folder)):
            skill = os.path.join(folder, entry, "SKILL.md")
            if os.path.isfile(skill):
                out.setdefault(entry, skill)
                name = declared_name(skill)
                if name:
                    out.setdefault(name, skill)
    return out


@emits("AGT106", "AGT107")
def check_references(r: Report) -> None:
    refs = frontmatter_references(r.doc, r.fk.kind)
    if not refs or not os.path.isdir(os.path.dirname(os.path.abspath(r.doc.path))):
        return  # an unsaved buffer or standard input: no scope to look in
    agents: dict[str, str] | None = None
    skills: dict[str, str] | None = None
    for ref in refs:
        if ":" in ref.name or "*" in ref.name:
            continue  # a plugin's agent or skill (`plugin:name`): installed plugins are not seen
        if ref.target is Kind.SUBAGENT:
            agents = known_agents(r.doc.path) if agents is None else agents
            if ref.name in agents or ref.name in spec.BUILTIN_AGENTS:
                continue
            _unknown(r, "AGT106", "agent", ref, [*agents, *sorted(spec.BUILTIN_AGENTS)])
        else:
            skills = known_skills(r.doc.path) if skills is None else skills
            if ref.name in skills:
                continue
            _unknown(r, "AGT107", "skill", ref, list(skills))


def _unknown(r: Report, code: str, what: str, ref: NameRef, names: list[str]) -> None:
    from ..suggest import closest

    guess = closest(ref.name, names, cutoff=80)
    where = "the project, its `agents/` folders, `~/.claude/` or this plugin"
    if guess is not None:
        r.add(
            code,
            ref.span,
            f"No {what} named `{ref.name}` in {where}: did you mean `{guess}`?",
            fixes.replace(ref.span, guess, f"Change to `{guess}`", safe=False),
        )
        return
    r.add(
        code,
        ref.span,
        f"No {what} named `{ref.name}` in {where}. It may come from a scope this checker "
        "cannot see (managed settings, `--agents`, an installed plugin).",
        severity=INFO,
    )


# --- files next to a SKILL.md ------------------------------------------------------------
_LINK = LazyPattern(r"(?<!!)\[[^\]\n]*\]\((?P<t><[^>\n]+>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_SKILL_DIR_PATH = LazyPattern(r"\$\{CLAUDE_SKILL_DIR\}/(?P<p>[^\s`'\")\]]+)")
_BUNDLED = LazyPattern(
    r"(?<![\w/.$}-])(?P<p>(?:\./)?(?:scripts|references|assets)/[\w./-]*\w\.[A-Za-z0-9]+)\b"
)
_SCHEME = LazyPattern(r"[A-Za-z][\w+.-]*:")


# A bare `scripts/x.py` counts only where the model is told to read or run it: after one of
# these verbs in its clause, or on a command line in a fenced block. "e.g. `scripts/x.py`" in a
# skill about writing skills is not a pointer to a file.
_TOLD = LazyPattern(
    # not the start of a file name (`check.py`, `run.sh`): held-out, a table of templates
    r"\b(?:read|see|run|execute|load|open|consult|check|use|follow|refer\s+to|call)\b(?!\.\w)",
    re.IGNORECASE,
)
_COMMAND_LINE = LazyPattern(
    r"^\s*(?:\$\s+)?(?:(?:python3?|bash|sh|zsh|node|ruby|perl|deno\s+run|uv\s+run|npx|pwsh)\s+"
    r"(?:-\S+\s+)*)?(?:\./)?(?:scripts|references|assets)/"
)
_FENCE_LINE = LazyPattern(r"^ {0,3}(`{3,}|~{3,})")


def _told(text: str, at: int) -> bool:
    cut = max(text.rfind(mark, 0, at) for mark in (". ", "; ", ": ", "→", " - ", "**"))
    return bool(_TOLD.search(text[cut + 1 if cut != -1 else 0 : at]))


def _bundled_paths(doc: Document) -> Iterator[tuple[str, Span, bool]]:
    """Paths the skill points at: (path, span, whether it may also mean the project root,
    as a command's relative path does when run from there)."""
    fence: str | None = None
    for line_no in range(doc.body_start_line, len(doc.lines)):
        text = doc.lines[line_no]
        opened = _FENCE_LINE.match(text)
        if opened:
            same = fence is not None and opened.group(1)[0] == fence[0]
            fence = None if same else (fence or opened.group(1))
            continue
        if fence is None:
            for m in _LINK.finditer(text):
                target = m.group("t").strip("<>")
                if _SCHEME.match(target) or target.startswith(("#", "/", "~")):
                    continue
                target = target.split("#", 1)[0]
                if target and "{" not in target:
                    yield target, Span.of(line_no, m.start("t"), line_no, m.end("t")), False
        for m in _SKILL_DIR_PATH.finditer(text):
            target = m.group("p").rstrip(".,;:")
            if not any(c in target for c in "*<$"):
                span = Span.of(line_no, m.start(), line_no, m.start("p") + len(target))
                yield target, span, False
        for m in _BUNDLED.finditer(text):
            target = m.group("p").rstrip(".,;:")
            if any(c in target for c in "*<$"):
                continue
            ran = fence is not None and _COMMAND_LINE.match(text[: m.end()]) is not None
            if ran or (fence is None and _told(text, m.start())):
                span = Span.of(line_no, m.start("p"), line_no, m.start("p") + len(target))
                yield target, span, True


def _command_bases(folder: str, root: str | None) -> list[str]:
    """Where a command's relative path may start: the git root, the project that holds the
    skill's `.claude/` folder, and the plugin that holds it (held-out: a plugin skill running
    `python3 scripts/x.py` from the plugin's `scripts/`, a project skill running the
    repository's `scripts/`)."""
    bases = [root] if root is not None else []
    here = folder
    for _ in range(12):
        parent = os.path.dirname(here)
        if os.path.basename(here) == ".claude" or os.path.isdir(
            os.path.join(here, ".claude-plugin")
        ):
            bases.append(parent if os.path.basename(here) == ".claude" else here)
        if parent == here:
            break
        here = parent
    return bases


@emits("AGT108")
def check_skill_files(r: Report) -> None:
    if r.fk.kind is not Kind.SKILL:
        return
    folder = os.path.dirname(os.path.abspath(r.doc.path))
    if not os.path.isdir(folder):
        return  # an unsaved buffer, or standard input: nothing to compare with
    seen: set[tuple[int, int]] = set()
    root = git_root(r.doc.path)
    for target, span, either in _bundled_paths(r.doc):
        key = (span.start.line, span.start.column)
        if key in seen:
            continue
        seen.add(key)
        from urllib.parse import unquote

        path = os.path.normpath(os.path.join(folder, unquote(target)))
        if os.path.exists(path):
            continue
        if either and any(
            os.path.exists(os.path.join(b, target)) for b in _command_bases(folder, root)
        ):
            continue  # a command run from the project's root (or the plugin's)
        r.add(
            "AGT108",
            span,
            f"`{target}` is not in the skill's folder ({os.path.basename(folder)}/): the skill "
            "points the model at a file it cannot open.",
        )
