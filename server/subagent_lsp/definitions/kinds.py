"""Which kind of agent definition a file is: path globs, plugin manifests, then content."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Mapping

from ..lazyre import LazyPattern
from ..records import Record
from .document import TOP_KEY
from .spec import (
    CATALOG_SIGNATURE_KEYS,
    DEFAULT_GLOBS,
    JSON_KINDS,
    MATCH_ORDER,
    PLUGIN_MANIFEST,
    Kind,
    key_index,
)


class FileKind(Record):
    __slots__ = ("kind", "plugin_name", "plugin_problems", "plugin_root", "scope", "unlisted")

    def __init__(
        self,
        kind: Kind,
        plugin_root: str | None = None,  # set for files shipped by a plugin
        unlisted: bool = False,  # a plugin agent its manifest does not list: not loaded
        scope: str | None = None,  # the folder whose agents share one namespace
        plugin_name: str | None = None,  # the manifest's `name` (None: the plugin folder's name)
        # What Claude Code's manifest validation rejects: then the whole plugin does not load.
        plugin_problems: tuple[str, ...] = (),
    ) -> None:
        self.kind = kind
        self.plugin_root = plugin_root
        self.unlisted = unlisted
        self.scope = scope
        self.plugin_name = plugin_name
        self.plugin_problems = plugin_problems

    @property
    def plugin(self) -> bool:
        return self.plugin_root is not None

    @property
    def plugin_id(self) -> str | None:
        """The plugin's name as Claude Code prefixes its agents with (`name:agent`)."""
        if self.plugin_root is None:
            return None
        return self.plugin_name or os.path.basename(self.plugin_root.rstrip(os.sep))


class Globs:
    """Path patterns per kind, matched at any depth (gitignore semantics)."""

    def __init__(self, patterns: Mapping[Kind, Iterable[str]] | None = None) -> None:
        source = DEFAULT_GLOBS if patterns is None else patterns
        # As matched: with the `**/` that makes a pattern match at any depth.
        self.patterns: dict[Kind, tuple[str, ...]] = {
            kind: tuple(_any_depth(p) for p in pats) for kind, pats in source.items()
        }
        self._matchers: dict[Kind, Callable[[str], bool]] | None = None  # built on first use

    def match(self, path: str) -> Kind | None:
        if self._matchers is None:
            self._matchers = {kind: _matcher(pats) for kind, pats in self.patterns.items()}
        posix = path.replace(os.sep, "/").lstrip("/") if os.sep != "/" else path.lstrip("/")
        for kind in MATCH_ORDER:
            matches = self._matchers.get(kind)
            if matches is not None and matches(posix):
                return kind
        return None


def _any_depth(pattern: str) -> str:
    """Globs match at any depth, as documented: ``prompts/*.md`` finds ``x/prompts/a.md``."""
    return pattern if pattern.startswith(("**/", "/")) else "**/" + pattern


def _matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a path matches any of ``patterns``, as pathspec's GitIgnoreSpec says. Plain globs
    (the defaults, and most settings) are translated here: importing pathspec costs more than
    the whole check of a file, and `check FILE` runs on every commit."""
    regexes = [_plain_regex(p) for p in patterns]
    if not all(regexes):
        import pathspec  # ranges, escapes, negations: pathspec's full gitignore rules

        return pathspec.GitIgnoreSpec.from_lines(patterns).match_file
    if not regexes:
        return lambda path: False
    compiled = re.compile("|".join(f"(?:{r})" for r in regexes))
    # pathspec drops a leading `./` before matching; search, as its patterns are searched.
    return lambda path: compiled.search(path.removeprefix("./")) is not None


def _plain_regex(pattern: str) -> str | None:
    """The regex pathspec's gitignore pattern ``pattern`` compiles to (its directory mark as a
    plain ``/``), for patterns made of literal characters, ``*``, ``?`` and ``**`` only; None
    for anything else (negation, comments, ranges, escapes, a trailing slash or space...),
    which pathspec handles. tests/test_kinds.py holds the two translations equal."""
    if (
        not pattern
        or pattern[0] in "!#"
        or pattern != pattern.rstrip()
        or pattern.endswith("/")
        or any(c in pattern for c in "\\[]")
    ):
        return None
    segs = pattern.split("/")
    if not segs[0]:
        del segs[0]  # a leading `/` anchors the pattern at the root
    elif len(segs) == 1 and segs[0] != "**":
        segs.insert(0, "**")  # a bare name matches at any depth
    if not segs or "" in segs:
        return None
    segs = [s for i, s in enumerate(segs) if not (i and s == "**" and segs[i - 1] == "**")]
    if segs in (["**"], ["**", "*"]):
        return "."
    if segs == ["**", "*", "**"]:
        return "/"
    parts: list[str] = []
    need_slash = False
    end = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0:
                parts.append("^(?:.+/)?")
            elif i < end:
                parts.append("(?:/.+)?")
                need_slash = True
            else:
                parts.append("/")
            continue
        if i == 0:
            parts.append("^")
        if need_slash:
            parts.append("/")
        if seg == "*":
            parts.append("[^/]+")
        else:
            parts.append(
                "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in seg)
            )
        if i == end:
            parts.append("(?:/|$)")  # a name also matches the files below it
        need_slash = True
    return "".join(parts)


class Plugin(Record):
    __slots__ = ("agent_paths", "name", "problems", "root")

    def __init__(
        self,
        root: str,
        agent_paths: tuple[str, ...] | None,  # None: the default agents/ folder
        name: str | None = None,  # the manifest's `name`
        problems: tuple[str, ...] = (),  # why Claude Code rejects the manifest (manifest_problems)
    ) -> None:
        self.root = root
        self.agent_paths = agent_paths
        self.name = name
        self.problems = problems

    def lists(self, path: str) -> bool:
        if self.agent_paths is None:
            return _is_under(path, os.path.join(self.root, "agents"))
        return any(path == p or _is_under(path, p) for p in self.agent_paths)

    def listed_dirs(self) -> set[str]:
        if self.agent_paths is None:
            return {os.path.join(self.root, "agents")}
        return {p if os.path.isdir(p) else os.path.dirname(p) for p in self.agent_paths}


def _is_under(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


@functools.lru_cache(maxsize=4096)
def plugin_at(folder: str) -> Plugin | None:
    manifest = os.path.join(folder, *PLUGIN_MANIFEST)
    if not os.path.isfile(manifest):
        return None
    import json  # only where a plugin manifest exists

    try:
        with open(manifest, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return Plugin(folder, None)
    name = data.get("name") if isinstance(data, dict) else None
    name = name if isinstance(name, str) and name else None
    problems = manifest_problems(data)
    agents = data.get("agents") if isinstance(data, dict) else None
    if isinstance(agents, str):
        agents = [agents]
    if not isinstance(agents, list):
        return Plugin(folder, None, name, problems)
    paths = tuple(
        os.path.normpath(os.path.join(folder, a)) for a in agents if isinstance(a, str) and a
    )
    return Plugin(folder, paths, name, problems)


def manifest_problems(data: object) -> tuple[str, ...]:
    """What Claude Code's plugin.json validation says of the component paths, in its words
    (measured on 2.1.332, fixtures plugins/oracle-*-noslash, oracle-agents-dir): `agents`,
    `skills` and `commands` paths must start with `./`, and an `agents` path must name a `.md`
    file (a folder such as `./agents/` is rejected); a `commands` entry must be a path, not an
    object; `mcpServers` must not be a list and `dependencies` must be one (fixtures
    oracle-commands-objects, oracle-mcp-list, oracle-deps-object). Any one of these and the
    plugin does not load at all. (`"author": "Name"` is accepted: oracle-author-string.)
    Measured since (fixtures oracle-no-name, oracle-name-spaces, oracle-hooks-noslash,
    oracle-mcp-noslash, oracle-styles-noslash, oracle-skills-dot): a missing `name` or one
    with spaces fails too, so does a `hooks`, `mcpServers` or `outputStyles` path without `./`;
    `"skills": "."` loads. A display field of the wrong type (`homepage: 3`, `keywords: "x"`)
    is only ignored (oracle-homepage-number, oracle-keywords-string)."""
    if not isinstance(data, dict):
        return ()
    out: list[str] = []
    name = data.get("name")
    if not isinstance(name, str):
        out.append("`name` is required" if name is None else "`name` must be a string")
    elif " " in name:
        out.append(f"`name` `{name}` cannot contain spaces")
    for field in ("hooks", "mcpServers", "outputStyles"):
        value = data.get(field)
        entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for entry in entries:
            if isinstance(entry, str) and not entry.startswith("./"):
                out.append(f"{field} `{entry}` must start with `./`")
    if isinstance(data.get("mcpServers"), list):
        out.append("`mcpServers` must be a path or a mapping of server names, not a list")
    if isinstance(data.get("dependencies"), dict):
        out.append("`dependencies` must be a list")
    for field in ("agents", "skills", "commands"):
        value = data.get(field)
        entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for index, entry in enumerate(entries):
            where = field if isinstance(value, str) else f"{field}[{index}]"
            if field == "commands" and isinstance(entry, dict):
                out.append(f"{where} must be a path such as `./commands/x.md`, not an object")
            if not isinstance(entry, str):
                continue
            if not entry.startswith("./") and not (field == "skills" and entry == "."):
                out.append(f"{where} `{entry}` must start with `./`")
            if field == "agents" and not entry.endswith(".md"):
                out.append(f"{where} `{entry}` must name a .md file")
    return tuple(out)


def find_plugin(path: str) -> Plugin | None:
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(12):
        plugin = plugin_at(folder)
        if plugin is not None:
            return plugin
        if os.path.basename(folder) == ".claude":
            # A project's own .claude/ (agents, skills, commands) is the project's, even in a
            # repository whose root is also a plugin: only the plugin's agents/, skills/ and
            # commands/ are plugin components.
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


_KEY_LINE = LazyPattern("^" + TOP_KEY + r"(?:[ \t\r]|$)", re.MULTILINE)


def frontmatter_keys(text: str) -> set[str]:
    """Top-level keys of a file's frontmatter, read cheaply (no YAML parse)."""
    if not text.startswith(("---", "\ufeff---")):  # no copy of a big text
        return set()
    end = text.find("---", 3)  # Claude Code closes at the next `---`, wherever it stands
    head = text[: end if end != -1 else 4000]
    return {key.strip("'\"") for key in _KEY_LINE.findall(head)}


def classify_by_content(path: str, text: str) -> Kind | None:
    keys = frontmatter_keys(text)
    if len(keys & CATALOG_SIGNATURE_KEYS) >= 2 and "name" not in keys:
        return Kind.CATALOG
    if os.path.basename(path) == "SKILL.md":
        return Kind.SKILL
    agent_only, skill_only = _distinctive_keys()
    if "name" in keys or keys & agent_only:
        return Kind.SUBAGENT
    if keys & skill_only:
        return Kind.COMMAND
    return None


@functools.cache
def _distinctive_keys() -> tuple[frozenset[str], frozenset[str]]:
    """Keys only subagents have, and keys only skills/commands have."""
    agent, skill = set(key_index(Kind.SUBAGENT)), set(key_index(Kind.SKILL))
    return frozenset(agent - skill), frozenset(skill - agent)


_CLAUDE_AGENTS = os.sep + os.path.join(".claude", "agents") + os.sep


def _in_agents_folder(plugin: Plugin | None, path: str) -> bool:
    if plugin is None:
        return False
    inside = os.path.relpath(path, plugin.root).split(os.sep)
    return plugin.lists(path) or (len(inside) > 1 and inside[0] == "agents")


def _in_skill_folder(path: str) -> bool:
    """Whether the file sits inside a skill's folder (a SKILL.md one to three folders up).
    Held-out (anthropics/skills, skill-creator/agents/*.md): such files are prompts the skill
    tells the model to read; Claude Code scans only .claude/agents/ and plugins for agents."""
    here = os.path.dirname(os.path.dirname(path))
    for _ in range(3):
        if os.path.isfile(os.path.join(here, "SKILL.md")):
            return True
        parent = os.path.dirname(here)
        if parent == here or os.path.basename(here) == ".claude":
            return False
        here = parent
    return False


def _scope_of(path: str) -> str:
    """The agents folder a subagent belongs to: agents in one scope share one namespace."""
    marker = os.sep + "agents" + os.sep
    at = path.rfind(marker)
    return path[: at + len(marker) - 1] if at != -1 else os.path.dirname(path)


def classify(
    path: str, text: str | None = None, globs: Globs | None = None, explicit: bool = False
) -> FileKind | None:
    """The kind of the file at ``path``; ``text`` is read only when content must decide."""
    if path.lower().endswith(".json"):
        return _classify_json(os.path.abspath(path), globs or default_globs())
    if not path.lower().endswith(".md"):
        return None  # every kind is Markdown: backend files skip this on every keystroke
    globs = globs or default_globs()
    abspath = os.path.abspath(path)
    by_glob = globs.match(abspath)
    plugin = find_plugin(abspath)
    if by_glob is Kind.MEMORY:
        # Claude Code loads every .md in .claude/agents/ (and a plugin's agents folder) as an
        # agent, a CLAUDE.md too (it skips one without frontmatter); anywhere else, plugin or
        # not, CLAUDE.md is memory.
        if _CLAUDE_AGENTS not in abspath and not _in_agents_folder(plugin, abspath):
            return FileKind(Kind.MEMORY)
        by_glob = Kind.SUBAGENT
    if plugin is not None:
        kind = _classify_in_plugin(plugin, abspath, by_glob, text)
        if kind is not None or not explicit:
            return kind
    if by_glob is Kind.SUBAGENT and _CLAUDE_AGENTS not in abspath and _in_skill_folder(abspath):
        by_glob = None  # an agents/ folder inside a skill's folder holds the skill's material
    if by_glob is Kind.SUBAGENT:
        # Claude Code loads agents only from .claude/agents/ (and plugins): a catalog note in
        # some other agents/ folder is a note about an agent, not a broken one.
        outside = text is not None and _CLAUDE_AGENTS not in abspath
        if outside and classify_by_content(abspath, text or "") is Kind.CATALOG:
            return FileKind(Kind.CATALOG)
        return FileKind(Kind.SUBAGENT, scope=_scope_of(abspath))
    if by_glob is not None:
        return FileKind(by_glob)
    if text is None:
        return None
    by_content = classify_by_content(abspath, text)
    if by_content is Kind.CATALOG or (explicit and by_content is not None):
        scope = os.path.dirname(abspath) if by_content is Kind.SUBAGENT else None
        return FileKind(by_content, scope=scope)
    return None


def _classify_json(path: str, globs: Globs) -> FileKind | None:
    """Claude Code's JSON configuration files, by path only (never by content: a project has
    many JSON files). Settings that replace the glob table keep the JSON kinds' defaults."""
    kind = globs.match(path)
    if kind not in JSON_KINDS:
        kind = default_globs().match(path)
    if kind not in JSON_KINDS or kind is None:
        return None
    root = None
    if kind in (Kind.PLUGIN_MANIFEST, Kind.MARKETPLACE, Kind.PLUGIN_HOOKS):
        root = os.path.dirname(os.path.dirname(path))  # .claude-plugin/ or hooks/ is one down
    return FileKind(kind, plugin_root=root)


def _classify_in_plugin(
    plugin: Plugin, path: str, by_glob: Kind | None, text: str | None
) -> FileKind | None:
    problems = plugin.problems
    if by_glob in (Kind.SKILL, Kind.COMMAND):
        return FileKind(
            by_glob, plugin_root=plugin.root, plugin_name=plugin.name, plugin_problems=problems
        )
    if plugin.lists(path):
        return FileKind(
            Kind.SUBAGENT,
            plugin_root=plugin.root,
            scope=plugin.root,
            plugin_name=plugin.name,
            plugin_problems=problems,
        )
    if os.path.basename(path).lower() == "readme.md":
        return None
    in_agent_folder = os.path.dirname(path) in plugin.listed_dirs()
    if in_agent_folder and text is not None:
        keys = frontmatter_keys(text)
        if {"name", "description"} <= keys:
            return FileKind(
                Kind.SUBAGENT,
                plugin_root=plugin.root,
                unlisted=True,
                scope=plugin.root,
                plugin_name=plugin.name,
                plugin_problems=problems,
            )
    if text is not None and classify_by_content(path, text) is Kind.CATALOG:
        return FileKind(Kind.CATALOG)
    return None


@functools.cache
def default_globs() -> Globs:
    return Globs()
