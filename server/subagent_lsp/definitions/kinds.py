"""Which kind of agent definition a file is: path globs, plugin manifests, then content."""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pathspec

from .spec import (
    CATALOG_SIGNATURE_KEYS,
    DEFAULT_GLOBS,
    MATCH_ORDER,
    PLUGIN_MANIFEST,
    Kind,
    key_index,
)


@dataclass(frozen=True)
class FileKind:
    kind: Kind
    plugin_root: str | None = None  # set for files shipped by a plugin
    unlisted: bool = False  # a plugin agent its manifest does not list: not loaded
    scope: str | None = None  # the folder whose agents share one namespace
    plugin_name: str | None = None  # the manifest's `name` (None: the plugin folder's name)

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
        self.specs = {
            kind: pathspec.GitIgnoreSpec.from_lines([_any_depth(p) for p in pats])
            for kind, pats in source.items()
        }

    def match(self, path: str) -> Kind | None:
        posix = path.replace(os.sep, "/").lstrip("/") if os.sep != "/" else path.lstrip("/")
        for kind in MATCH_ORDER:
            spec = self.specs.get(kind)
            if spec is not None and spec.match_file(posix):
                return kind
        return None


def _any_depth(pattern: str) -> str:
    """Globs match at any depth, as documented: ``prompts/*.md`` finds ``x/prompts/a.md``."""
    return pattern if pattern.startswith(("**/", "/")) else "**/" + pattern


@dataclass(frozen=True)
class Plugin:
    root: str
    agent_paths: tuple[str, ...] | None  # None: the default agents/ folder
    name: str | None = None  # the manifest's `name`

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
    try:
        with open(manifest, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return Plugin(folder, None)
    name = data.get("name") if isinstance(data, dict) else None
    name = name if isinstance(name, str) and name else None
    agents = data.get("agents") if isinstance(data, dict) else None
    if isinstance(agents, str):
        agents = [agents]
    if not isinstance(agents, list):
        return Plugin(folder, None, name)
    paths = tuple(
        os.path.normpath(os.path.join(folder, a)) for a in agents if isinstance(a, str) and a
    )
    return Plugin(folder, paths, name)


def find_plugin(path: str) -> Plugin | None:
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(12):
        plugin = plugin_at(folder)
        if plugin is not None:
            return plugin
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return None


_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.MULTILINE)


def frontmatter_keys(text: str) -> set[str]:
    """Top-level keys of a file's frontmatter, read cheaply (no YAML parse)."""
    if not (text.startswith("---") or text.startswith("\ufeff---")):  # no copy of a big text
        return set()
    end = text.find("---", 3)  # Claude Code closes at the next `---`, wherever it stands
    head = text[: end if end != -1 else 4000]
    return set(_KEY_LINE.findall(head))


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


def _scope_of(path: str) -> str:
    """The agents folder a subagent belongs to: agents in one scope share one namespace."""
    marker = os.sep + "agents" + os.sep
    at = path.rfind(marker)
    return path[: at + len(marker) - 1] if at != -1 else os.path.dirname(path)


def classify(
    path: str, text: str | None = None, globs: Globs | None = None, explicit: bool = False
) -> FileKind | None:
    """The kind of the file at ``path``; ``text`` is read only when content must decide."""
    if not path.lower().endswith(".md"):
        return None  # every kind is Markdown: backend files skip this on every keystroke
    globs = globs or default_globs()
    abspath = os.path.abspath(path)
    plugin = find_plugin(abspath)
    by_glob = globs.match(abspath)
    if plugin is not None:
        kind = _classify_in_plugin(plugin, abspath, by_glob, text)
        if kind is not None or not explicit:
            return kind
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


def _classify_in_plugin(
    plugin: Plugin, path: str, by_glob: Kind | None, text: str | None
) -> FileKind | None:
    if by_glob in (Kind.SKILL, Kind.COMMAND):
        return FileKind(by_glob, plugin_root=plugin.root, plugin_name=plugin.name)
    if plugin.lists(path):
        return FileKind(
            Kind.SUBAGENT, plugin_root=plugin.root, scope=plugin.root, plugin_name=plugin.name
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
            )
    if text is not None and classify_by_content(path, text) is Kind.CATALOG:
        return FileKind(Kind.CATALOG)
    return None


@functools.cache
def default_globs() -> Globs:
    return Globs()
