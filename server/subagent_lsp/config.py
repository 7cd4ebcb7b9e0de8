"""Settings, from three places with the same keys: LSP ``workspace/configuration`` (section
``subagentLsp``), ``[tool.subagent-lsp]`` in pyproject.toml, or a ``.subagent-lsp.toml`` file.
The names from before the rename (``agentLsp``, ``[tool.agent-lsp]``, ``.agent-lsp.toml``) still
work, with a note saying so.

Bad values never stop anything: each is reported as a problem and the default is used. A
configuration file that is not TOML at all does (ConfigError): nothing in it can be trusted.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

from .definitions.checks import CheckOptions
from .definitions.findings import Severity
from .definitions.kinds import Globs
from .lazyre import LazyPattern
from .policy import PathIgnores
from .records import TYPE_CHECKING
from .review.offline.not_sources import DEFAULT_NOT_SOURCES
from .sections import LEGACY_SECTION, SECTION, merge_sections
from .settings_read import ALL_CODES, KNOWN_KEYS, Problem, read_values

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["ALL_CODES", "KNOWN_KEYS", "LEGACY_SECTION", "SECTION", "Problem", "merge_sections"]
CONFIG_FILE = ".subagent-lsp.toml"
TOOL_TABLE = "subagent-lsp"
# The spellings from before the rename: read, with a deprecation note.
LEGACY_CONFIG_FILE = ".agent-lsp.toml"
LEGACY_TOOL_TABLE = "agent-lsp"


class ConfigError(Exception):
    """A configuration file that cannot be used at all (not TOML): the message names the file
    and, when known, the line and column (``path:N:M: invalid TOML: ...``)."""


class Settings:
    """What the rest of the code reads: the settings, converted. The defaults are the settings
    model's (a test says so)."""

    def __init__(
        self,
        options: CheckOptions | None = None,
        globs: Globs | None = None,
        excludes: tuple[str, ...] = (),  # gitignore-style patterns, relative to ``root``
        root: str | None = None,  # the folder of the configuration file
        agent_file: str | None = None,
        model: str | None = None,
        offline: bool = False,
        agent_timeout: float = 60.0,  # seconds per agent call
        agent_retries: int = 2,  # bounded retries on 429/529/5xx
        context_tokens: int = 8000,  # budget for what is sent to the agent
        secret_patterns: tuple[str, ...] = (),  # regexes stripped beside the detectors
        agent_exclude: tuple[str, ...] = (),  # globs the agent never reads nor edits
        not_sources: tuple[str, ...] | None = None,  # globs never reviewed (None: built-ins)
        source: str | None = None,  # where the settings came from, for messages
        problems: list[str] | None = None,
    ) -> None:
        self.options = CheckOptions() if options is None else options
        self.globs = Globs() if globs is None else globs
        self.excludes = excludes
        self.root = root
        self.agent_file = agent_file
        self.model = model
        self.offline = offline
        self.agent_timeout = agent_timeout
        self.agent_retries = agent_retries
        self.context_tokens = context_tokens
        self.secret_patterns = secret_patterns
        self.agent_exclude = agent_exclude
        self.not_sources = DEFAULT_NOT_SOURCES if not_sources is None else not_sources
        self.source = source
        self.problems: list[str] = [] if problems is None else problems

    def __repr__(self) -> str:
        return f"Settings(source={self.source!r}, root={self.root!r})"


def rule_filter(select: list[str] | None, ignore: list[str] | None) -> dict[str, None]:
    """Rules turned off by --select/--ignore (prefixes allowed, as in ruff). An empty list
    restricts nothing."""
    select, ignore = select or None, ignore or None
    off: dict[str, None] = {}
    for code in ALL_CODES:
        if select is not None and not any(code.startswith(s) for s in select):
            off[code] = None
        if ignore is not None and any(code.startswith(i) for i in ignore):
            off[code] = None
    return off


def parse_settings(raw: object, root: str | None = None, source: str = SECTION) -> Settings:
    """The settings of one table/object (a configuration file's, or what the client sent), with
    a problem for each unknown key and bad value; ``source`` names it in the messages."""
    settings = Settings(root=root, source=source)
    if raw is None:
        return settings
    if not isinstance(raw, Mapping):
        settings.problems.append(
            Problem(f"{source}: settings must be a table/object; using defaults.")
        )
        return settings
    values = read_values(raw, source, settings.problems)
    options: dict[str, Any] = {}
    if "claudeCodeVersion" in values:
        options["claude_code_version"] = values["claudeCodeVersion"]
    if "today" in values:
        options["today"] = values["today"]
    if values.get("gatewayModels"):
        options["gateway_models"] = tuple(values["gatewayModels"])
    severities: dict[str, Severity | None] = {}
    severities.update(rule_filter(values.get("select"), values.get("ignore")))
    for key in ("severity", "rules"):
        severities.update(values.get(key, {}))
    options["severities"] = severities
    if values.get("perPathIgnores"):
        options["path_ignores"] = PathIgnores(root or os.getcwd(), values["perPathIgnores"])
    settings.options = CheckOptions(**options)
    if "globs" in values:
        settings.globs = Globs(values["globs"])
    settings.excludes = values.get("exclude", settings.excludes)
    settings.agent_file = values.get("agentFile") or None
    settings.model = values.get("model") or None
    settings.offline = values.get("offline", settings.offline)
    settings.agent_timeout = values.get("agentTimeout", settings.agent_timeout)
    settings.agent_retries = values.get("agentRetries", settings.agent_retries)
    settings.context_tokens = values.get("contextTokens", settings.context_tokens)
    settings.secret_patterns = tuple(_regexes(values.get("secretPatterns", ()), source, settings))
    settings.agent_exclude = tuple(values.get("agentExclude", ()))
    if "notSources" in values:
        settings.not_sources = tuple(values["notSources"])
    return settings


def _regexes(patterns: Any, source: str, settings: Settings) -> list[str]:
    """The secretPatterns that compile; each one that does not is a problem, and is left out
    (the built-in detectors still run)."""
    out = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            settings.problems.append(
                Problem(
                    f"{source}: secretPatterns: {pattern!r} is not a regular expression ({err}); "
                    "left out.",
                    "secretPatterns",
                )
            )
            continue
        out.append(pattern)
    return out


def _read_toml(path: Path) -> tuple[str, dict[str, object]]:
    """The text of a TOML file and what it says; ConfigError when it is not TOML."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    shown = _shown(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{shown}: invalid TOML: not UTF-8 (byte offset {err.start})") from err
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(_toml_error(shown, text, err)) from err


_AT = LazyPattern(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def _toml_error(shown: str, text: str, err: ValueError) -> str:
    """``path:N:M: invalid TOML: message``. tomllib puts the place in its message ("(at line 2,
    column 6)"); Python 3.14 also has attributes for it."""
    message = str(getattr(err, "msg", None) or err)
    line, col = getattr(err, "lineno", None), getattr(err, "colno", None)
    found = _AT.search(message)
    if found:
        message = message[: found.start()]
        if found.group(1):
            line, col = int(found.group(1)), int(found.group(2))
    if line is None or col is None:  # at the end of the document
        lines = text.splitlines() or [""]
        line, col = len(lines), len(lines[-1]) + 1
    return f"{shown}:{line}:{col}: invalid TOML: {message}"


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the working folder when it is below it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


# TOML keys as written: bare, "basic" or 'literal', dotted with optional blanks.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = LazyPattern(rf"^\s*\[\[?\s*({_DOTTED})\s*\]")
_ASSIGN = LazyPattern(rf"^\s*({_DOTTED})\s*=")
_PART = LazyPattern(_KEY_PART)


def _key_parts(dotted: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[0] in "\"'" else p for p in _PART.findall(dotted))


def locate(text: str, table: tuple[str, ...], keys: tuple[str, ...]) -> int | None:
    """The 1-based line of the setting ``keys`` of the table ``table`` in a TOML text: its
    ``key = ...`` line or its ``[table]`` header; when the key itself is not on a line of its
    own (inside an inline table), the nearest enclosing one.

    tomllib gives values, not positions, so this scans lines: it knows headers, dotted and
    quoted keys, but not multi-line strings or arrays (a line inside one that looks like
    ``key = ...`` could be taken for a key). That is enough to point at the right line."""
    want = table + keys
    best: tuple[int, int] | None = None  # (keys matched, line)
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = full = _key_parts(header.group(1))
        else:
            assign = _ASSIGN.match(line)
            if assign is None:
                continue
            full = current + _key_parts(assign.group(1))
        if full == want:
            return number
        n = len(full)
        if len(table) <= n < len(want) and want[:n] == full and (best is None or n > best[0]):
            best = (n, number)
    return best[1] if best else None


def _located(problem: str, source: str, shown: str, text: str, table: tuple[str, ...]) -> str:
    """``pyproject.toml:12: unknown setting ...``: the problem, at the line of its setting."""
    if not isinstance(problem, Problem):
        return problem
    line = locate(text, table, problem.keys)
    if line is None:
        return problem
    rest = problem.removeprefix(source)
    rest = rest[1:] if rest.startswith((".", ":")) else rest
    return f"{shown}:{line}: {rest.lstrip()}"


def find_config_file(start: str) -> str | None:
    """The nearest .subagent-lsp.toml, or pyproject.toml with [tool.subagent-lsp], at or above
    start (the old names count too). With os.path, not pathlib: ``check`` runs this on every
    commit, and most repositories have no configuration of ours to load."""
    folder = os.path.realpath(start)
    if os.path.isfile(folder):
        folder = os.path.dirname(folder)
    while True:
        for name in (CONFIG_FILE, LEGACY_CONFIG_FILE):
            if os.path.isfile(found := os.path.join(folder, name)):
                return found
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(pyproject):
            try:
                with open(pyproject, encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                text = ""
            # A cheap look first: most pyproject.toml files have no table of ours.
            if f"tool.{TOOL_TABLE}" in text or f"tool.{LEGACY_TOOL_TABLE}" in text:
                return pyproject
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _tool_table(data: dict[str, object], path: Path) -> tuple[object, str, str | None]:
    """Our table of a pyproject.toml: (raw, source label, deprecation note or None)."""
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None, f"{path} [tool.{TOOL_TABLE}]", None
    if TOOL_TABLE in tool or LEGACY_TOOL_TABLE not in tool:
        return tool.get(TOOL_TABLE), f"{path} [tool.{TOOL_TABLE}]", None
    note = (
        f"{path}: [tool.{LEGACY_TOOL_TABLE}] is the old name of [tool.{TOOL_TABLE}]; "
        "it still works, rename it when you can."
    )
    return tool[LEGACY_TOOL_TABLE], f"{path} [tool.{LEGACY_TOOL_TABLE}]", note


def load_config_file(where: str | os.PathLike[str]) -> Settings:
    """The settings of a .subagent-lsp.toml or a pyproject.toml; each problem names the file and
    the line of its setting. Raises ConfigError when the file is not TOML."""
    from pathlib import Path

    path = Path(where)
    try:
        text, data = _read_toml(path)
    except OSError as err:
        settings = Settings(source=str(path))
        settings.problems.append(f"{path}: cannot read the configuration: {err}")
        return settings
    shown = _shown(path)
    note = None
    table: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        raw, source, note = _tool_table(data, Path(shown))
        tool = data.get("tool")
        name = TOOL_TABLE
        if isinstance(tool, dict) and TOOL_TABLE not in tool and LEGACY_TOOL_TABLE in tool:
            name = LEGACY_TOOL_TABLE
        table = ("tool", name)
    else:
        raw, source = data, shown
        if path.name == LEGACY_CONFIG_FILE:
            note = (
                f"{shown}: {LEGACY_CONFIG_FILE} is the old name of {CONFIG_FILE}; it still works."
            )
    settings = parse_settings(raw, root=str(path.parent), source=source)
    settings.problems = [_located(p, source, shown, text, table) for p in settings.problems]
    if note:
        settings.problems.insert(0, note)
    return settings
