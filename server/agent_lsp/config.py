"""Settings: from LSP ``workspace/configuration`` (section ``agentLsp``) and the CLI.

Bad values never stop the server: they are reported as problems and the default is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from . import SETTINGS_SECTION
from .definitions.checks import CheckOptions
from .definitions.findings import Severity
from .definitions.kinds import Globs
from .definitions.rules import RULES
from .definitions.spec import DEFAULT_GLOBS, Kind
from .definitions.versions import parse_version

SECTION = SETTINGS_SECTION
KNOWN_KEYS = frozenset(
    {
        "claudeCodeVersion",
        "severity",
        "rules",
        "globs",
        "agentFile",
        "model",
        "offline",
        "trace",
        "today",
    }
)


@dataclass
class Settings:
    options: CheckOptions = field(default_factory=CheckOptions)
    globs: Globs = field(default_factory=Globs)
    agent_file: str | None = None
    model: str | None = None
    offline: bool = False
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


def parse_settings(raw: object) -> Settings:
    settings = Settings()
    if raw is None:
        return settings
    if not isinstance(raw, Mapping):
        settings.problems.append("agentLsp settings must be an object; using defaults.")
        return settings
    problems = settings.problems
    for key in raw:
        if key not in KNOWN_KEYS:
            problems.append(f"Unknown setting agentLsp.{key} (ignored).")
    kwargs: dict[str, object] = {}
    version = raw.get("claudeCodeVersion")
    if version:
        try:
            kwargs["claude_code_version"] = parse_version(str(version))
        except ValueError as err:
            problems.append(f"agentLsp.claudeCodeVersion: {err}; using the latest known.")
    today = raw.get("today")
    if today:
        try:
            kwargs["today"] = dt.date.fromisoformat(str(today))
        except ValueError:
            problems.append(f"agentLsp.today: {today!r} is not a date (YYYY-MM-DD).")
    severities: dict[str, Severity | None] = {}
    for section in ("severity", "rules"):
        table = raw.get(section) or {}
        if not isinstance(table, Mapping):
            problems.append(f"agentLsp.{section} must map rule codes to severities.")
            continue
        for code, value in table.items():
            code = str(code).upper()
            if code not in RULES:
                problems.append(f"agentLsp.{section}: unknown rule {code}.")
                continue
            if value is False:
                severities[code] = None
                continue
            if value is True:
                continue
            parsed = _severity(value)
            if isinstance(parsed, str):
                problems.append(f"agentLsp.{section}.{code}: {parsed}.")
            else:
                severities[code] = parsed
    kwargs["severities"] = severities
    settings.options = CheckOptions(**kwargs)  # type: ignore[arg-type]
    globs = raw.get("globs")
    if isinstance(globs, Mapping):
        by_kind: dict[Kind, tuple[str, ...]] = dict(DEFAULT_GLOBS)
        for name, patterns in globs.items():
            try:
                kind = Kind(name)
            except ValueError:
                problems.append(f"agentLsp.globs: unknown kind {name!r}.")
                continue
            if isinstance(patterns, str):
                patterns = [patterns]
            if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
                problems.append(f"agentLsp.globs.{name} must be a list of patterns.")
                continue
            by_kind[kind] = tuple(patterns)
        settings.globs = Globs(by_kind)
    elif globs is not None:
        problems.append("agentLsp.globs must map kinds to lists of patterns.")
    if isinstance(raw.get("agentFile"), str) and raw["agentFile"]:
        settings.agent_file = raw["agentFile"]
    if isinstance(raw.get("model"), str) and raw["model"]:
        settings.model = raw["model"]
    settings.offline = bool(raw.get("offline", False))
    return settings
