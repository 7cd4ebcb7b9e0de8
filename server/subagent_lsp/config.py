"""Settings, from three places with the same keys: LSP ``workspace/configuration`` (section
``subagentLsp``), ``[tool.subagent-lsp]`` in pyproject.toml, or a ``.subagent-lsp.toml`` file.
The names from before the rename (``agentLsp``, ``[tool.agent-lsp]``, ``.agent-lsp.toml``) still
work, with a note saying so.

Bad values never stop anything: each is reported as a problem and the default is used.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .definitions.checks import CheckOptions, PathIgnores
from .definitions.findings import Severity
from .definitions.kinds import Globs
from .definitions.rules import RULES
from .definitions.spec import DEFAULT_GLOBS, Kind
from .definitions.suggest import closest
from .definitions.versions import parse_version
from .review.suggestion import BACKEND_RULES
from .sections import LEGACY_SECTION, SECTION, merge_sections

__all__ = ["LEGACY_SECTION", "SECTION", "merge_sections"]
# Agent-file rules and the backend-developer's codes: both can be selected, ignored or re-rated.
ALL_CODES: tuple[str, ...] = (*RULES, *BACKEND_RULES)
CONFIG_FILE = ".subagent-lsp.toml"
TOOL_TABLE = "subagent-lsp"
# The spellings from before the rename: read, with a deprecation note.
LEGACY_CONFIG_FILE = ".agent-lsp.toml"
LEGACY_TOOL_TABLE = "agent-lsp"
KNOWN_KEYS = (
    "claudeCodeVersion",
    "severity",
    "rules",
    "select",
    "ignore",
    "globs",
    "exclude",
    "perPathIgnores",
    "agentFile",
    "model",
    "offline",
    "trace",
    "today",
    "serverPath",
    "interpreter",
    "agentTimeout",
    "agentRetries",
    "contextTokens",
)


@dataclass
class Settings:
    options: CheckOptions = field(default_factory=CheckOptions)
    globs: Globs = field(default_factory=Globs)
    excludes: tuple[str, ...] = ()  # gitignore-style patterns, relative to ``root``
    root: str | None = None  # the folder of the configuration file
    agent_file: str | None = None
    model: str | None = None
    offline: bool = False
    agent_timeout: float = 60.0  # seconds per agent call
    agent_retries: int = 2  # bounded retries on 429/529/5xx
    context_tokens: int = 8000  # budget for what is sent to the agent
    source: str | None = None  # where the settings came from, for messages
    problems: list[str] = field(default_factory=list)


def _severity(value: object) -> Severity | str | None:
    if isinstance(value, str) and value.strip().lower() in ("off", "none", "ignore"):
        return None
    if isinstance(value, str):
        try:
            return Severity.parse(value)
        except KeyError:
            pass
    return f"{value!r} is not a severity (error, warning, information, hint or off)"


def _codes(raw: object, where: str, problems: list[str]) -> list[str] | None:
    """Rule codes or prefixes; None for "no restriction" (unset, or an empty list: VS Code sends
    `select: []` as the default, and an empty selection silencing every rule helps nobody)."""
    if raw is None or raw == [] or raw == "":
        return None
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(c, str) for c in items):
        problems.append(f"{where} must be a list of rule codes or prefixes.")
        return None
    out = []
    for code in items:
        code = code.strip().upper()
        if not any(r.startswith(code) for r in ALL_CODES):
            problems.append(f"{where}: no rule code starts with {code!r}.")
            continue
        out.append(code)
    return out


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
    settings = Settings(root=root, source=source)
    if raw is None:
        return settings
    if not isinstance(raw, Mapping):
        settings.problems.append(f"{source}: settings must be a table/object; using defaults.")
        return settings
    problems = settings.problems
    for key in raw:
        if key not in KNOWN_KEYS:
            guess = closest(str(key), KNOWN_KEYS)
            hint = f" (did you mean {guess}?)" if guess else ""
            problems.append(f"{source}: unknown setting {key!r}{hint}; ignored.")
    kwargs: dict[str, object] = {}
    version = raw.get("claudeCodeVersion")
    if version:
        try:
            kwargs["claude_code_version"] = parse_version(str(version))
        except ValueError as err:
            problems.append(f"{source}.claudeCodeVersion: {err}; using the latest known.")
    today = raw.get("today")
    if today:
        try:
            kwargs["today"] = dt.date.fromisoformat(str(today))
        except ValueError:
            problems.append(f"{source}.today: {today!r} is not a date (YYYY-MM-DD).")
    severities: dict[str, Severity | None] = {}
    severities.update(
        rule_filter(
            _codes(raw.get("select"), f"{source}.select", problems),
            _codes(raw.get("ignore"), f"{source}.ignore", problems),
        )
    )
    for section in ("severity", "rules"):
        table = raw.get(section) or {}
        if not isinstance(table, Mapping):
            problems.append(f"{source}.{section} must map rule codes to severities.")
            continue
        for code, value in table.items():
            code = str(code).upper()
            if code not in ALL_CODES:
                problems.append(f"{source}.{section}: unknown rule {code}.")
                continue
            if value is False:
                severities[code] = None
                continue
            if value is True:
                continue
            parsed = _severity(value)
            if isinstance(parsed, str):
                problems.append(f"{source}.{section}.{code}: {parsed}.")
            else:
                severities[code] = parsed
    kwargs["severities"] = severities
    path_ignores = _path_ignores(raw.get("perPathIgnores"), source, problems)
    if path_ignores:
        kwargs["path_ignores"] = PathIgnores(root or os.getcwd(), path_ignores)
    settings.options = CheckOptions(**kwargs)  # type: ignore[arg-type]
    settings.globs = _globs(raw.get("globs"), source, problems)
    excludes = raw.get("exclude")
    if isinstance(excludes, str):
        excludes = [excludes]
    if isinstance(excludes, list) and all(isinstance(e, str) for e in excludes):
        settings.excludes = tuple(excludes)
    elif excludes is not None:
        problems.append(f"{source}.exclude must be a list of patterns.")
    if isinstance(raw.get("agentFile"), str) and raw["agentFile"]:
        settings.agent_file = raw["agentFile"]
    if isinstance(raw.get("model"), str) and raw["model"]:
        settings.model = raw["model"]
    settings.offline = bool(raw.get("offline", False))
    for key, attr, kind, low, high in (
        ("agentTimeout", "agent_timeout", float, 1.0, 600.0),
        ("agentRetries", "agent_retries", int, 0, 5),
        ("contextTokens", "context_tokens", int, 500, 200_000),
    ):
        value = raw.get(key)
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            problems.append(f"{source}.{key} must be a number from {low:g} to {high:g}.")
            continue
        setattr(settings, attr, kind(value))
    return settings


def _path_ignores(raw: object, source: str, problems: list[str]) -> dict[str, frozenset[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append(f"{source}.perPathIgnores must map path patterns to rule codes.")
        return {}
    out: dict[str, frozenset[str]] = {}
    for pattern, codes in raw.items():
        parsed = _codes(codes, f"{source}.perPathIgnores.{pattern}", problems)
        if parsed:
            out[str(pattern)] = frozenset(r for r in RULES if any(r.startswith(c) for c in parsed))
    return out


def _globs(raw: object, source: str, problems: list[str]) -> Globs:
    if raw is None:
        return Globs()
    if not isinstance(raw, Mapping):
        problems.append(f"{source}.globs must map kinds to lists of patterns.")
        return Globs()
    by_kind: dict[Kind, tuple[str, ...]] = dict(DEFAULT_GLOBS)
    for name, patterns in raw.items():
        try:
            kind = Kind(name)
        except ValueError:
            problems.append(f"{source}.globs: unknown kind {name!r}.")
            continue
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            problems.append(f"{source}.globs.{name} must be a list of patterns.")
            continue
        by_kind[kind] = tuple(patterns)
    return Globs(by_kind)


def _read_toml(path: Path) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with path.open("rb") as fh:
        return tomllib.load(fh)


def find_config_file(start: str) -> Path | None:
    """The nearest .subagent-lsp.toml, or pyproject.toml with [tool.subagent-lsp], at or above
    start (the old names count too)."""
    folder = Path(start).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in (CONFIG_FILE, LEGACY_CONFIG_FILE):
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            # A cheap look first: most pyproject.toml files have no table of ours.
            if f"tool.{TOOL_TABLE}" in text or f"tool.{LEGACY_TOOL_TABLE}" in text:
                return pyproject
    return None


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


def load_config_file(path: Path) -> Settings:
    try:
        data = _read_toml(path)
    except (OSError, ValueError) as err:
        settings = Settings(source=str(path))
        settings.problems.append(f"{path}: cannot read the configuration: {err}")
        return settings
    note = None
    if path.name == "pyproject.toml":
        raw, source, note = _tool_table(data, path)
    else:
        raw, source = data, str(path)
        if path.name == LEGACY_CONFIG_FILE:
            note = f"{path}: {LEGACY_CONFIG_FILE} is the old name of {CONFIG_FILE}; it still works."
    settings = parse_settings(raw, root=str(path.parent), source=source)
    if note:
        settings.problems.insert(0, note)
    return settings
