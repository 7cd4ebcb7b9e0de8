"""Every setting, declared once: its name (the camelCase alias), type, default, bounds, the text
VS Code shows, which side reads it and whether changing it needs a new server.

Everything else is made from this model by ``make settings`` (settings_gen.py) and checked by a
test: VS Code's ``contributes.configuration``, the client's key lists, the README tables, and
settings_table.py, the plain table settings_read.py reads configurations with. Reading one must
not import pydantic (``check`` starts on every pre-commit run, and importing pydantic alone costs
more than the whole start-up budget), so this module is for the generators and the tests: the
tests hold settings_read.py's verdicts on every kind of value to this model's.

Each type carries a ``Shape``: the name of the reader settings_read.py applies to its values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
)
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from .definitions.rules import RULES
from .review.offline.not_sources import DEFAULT_NOT_SOURCES
from .review.rules import BACKEND_RULES

# Not settings_read.ALL_CODES: that module reads the table made from this one, which must load
# without it (or a broken table could not be made again).
ALL_CODES = (*RULES, *BACKEND_RULES)


@dataclass(frozen=True)
class Shape:
    """How settings_read.py reads a value of this type (the key of its reader)."""

    name: str


@dataclass(frozen=True)
class Use:
    """Who reads a setting and what changing it takes.

    client: only the VS Code client reads it (the server accepts the key and ignores it).
    restart: a change needs a new server process, not just new settings.
    renamed: it existed before the rename, so VS Code still declares ``agentLsp.<key>``.
    editor: a VS Code setting (``today`` is not: it is for reproducible runs from a file).
    """

    client: bool = False
    restart: bool = False
    renamed: bool = True
    editor: bool = True


def _listed(value: object) -> object:
    """One pattern or code may be written without the list around it."""
    if value == "":
        return []
    return [value] if isinstance(value, str) else value


def _prefix(code: str) -> str:
    code = code.strip().upper()
    if not any(known.startswith(code) for known in ALL_CODES):
        raise ValueError(f"no rule code starts with {code!r}")
    return code


def _code(code: str) -> str:
    if code.upper() not in ALL_CODES:
        raise ValueError(f"unknown rule {code.upper()}")
    return code.upper()


def _severity_name(value: object) -> object:
    if not isinstance(value, str):
        return value
    name = value.strip().lower()
    return {"info": "information", "none": "off", "ignore": "off"}.get(name, name)


def _iso_date(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _date(text: str) -> str:
    if text:
        dt.date.fromisoformat(text)
    return text


def _stripped(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


SeverityName = Literal["error", "warning", "information", "hint", "off"]

Text = Annotated[StrictStr, Shape("text")]
Flag = Annotated[StrictBool, Shape("flag")]
Number = Annotated[float, Field(strict=True), Shape("number")]
Integer = Annotated[StrictInt, Shape("integer")]
Strings = Annotated[list[StrictStr], Shape("patterns")]
Patterns = Annotated[list[StrictStr], BeforeValidator(_listed), Shape("patterns")]
RulePrefix = Annotated[StrictStr, AfterValidator(_prefix)]
Prefixes = Annotated[list[RulePrefix], BeforeValidator(_listed), Shape("prefixes")]
RuleCode = Annotated[str, AfterValidator(_code)]
SeverityValue = Annotated[SeverityName | StrictBool, BeforeValidator(_severity_name)]
Severities = Annotated[dict[RuleCode, SeverityValue], Shape("severities")]
# A TypedDict rather than a dict keyed by kind: VS Code then completes the kinds' names.
GlobTable = TypedDict(
    "GlobTable",
    {
        "subagent": Patterns,
        "skill": Patterns,
        "command": Patterns,
        "catalog-note": Patterns,
        "memory": Patterns,
        "settings": Patterns,
        "mcp": Patterns,
        "plugin-manifest": Patterns,
        "marketplace": Patterns,
        "plugin-hooks": Patterns,
    },
    total=False,
)  # spec.Kind's values (a test says so)
GlobTable.__pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[attr-defined]
Globs = Annotated[GlobTable, Shape("globs")]
PathPrefixes = Annotated[dict[str, Prefixes], Shape("path-prefixes")]
Version = Annotated[
    StrictStr, Field(pattern=r"^$|^v?\d+(\.\d+)*$"), BeforeValidator(_stripped), Shape("version")
]
Date = Annotated[StrictStr, BeforeValidator(_iso_date), AfterValidator(_date), Shape("date")]
Trace = Annotated[Literal["off", "messages", "verbose"], Shape("choice")]

# VS Code: a path on this machine, which a workspace or folder may override.
MACHINE: dict[str, Any] = {"scope": "machine-overridable"}


class SettingsModel(BaseModel):
    """The settings, in the order VS Code and the README list them. Its validation is the
    reference for settings_read.py's (whose messages are the ones users see)."""

    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", validate_default=True)

    server_path: Annotated[Text, Use(client=True, restart=True)] = Field(
        "",
        description="Path to the subagent-lsp executable. Empty: use subagentLsp.interpreter, "
        "then the Python extension's interpreter, then subagent-lsp on PATH.",
        json_schema_extra=MACHINE,
    )
    interpreter: Annotated[Strings, Use(client=True, restart=True)] = Field(
        [],
        description="Python interpreter (and arguments) that has subagent-lsp installed; the "
        "server runs as `<interpreter> -m subagent_lsp serve`.",
        json_schema_extra=MACHINE,
    )
    claude_code_version: Version = Field(
        "",
        description="Judge agent files as this Claude Code version would (e.g. 2.1.238). "
        "Empty: the latest version subagent-lsp knows.",
    )
    today: Annotated[Date, Use(renamed=False, editor=False)] = Field(
        "",
        description="Compare model end-of-life dates with this date (YYYY-MM-DD) instead of "
        "the real one, for runs that give the same answer every day.",
    )
    gateway_models: Annotated[Patterns, Use(renamed=False)] = Field(
        [],
        description="Model ids the endpoint Claude Code talks to accepts beside Anthropic's "
        "(a gateway or provider set with ANTHROPIC_BASE_URL): a `model` value listed here is "
        "not reported as unknown. `*` matches any characters (`my-gateway-*`). Claude Code "
        "sends a `model` it does not know as written, so only that endpoint can say.",
    )
    severity: Severities = Field(
        {},
        description='Severity per rule code (e.g. {"AGT013": "off"}): error, warning, '
        "information, hint or off; false turns a rule off, true keeps its default severity.",
    )
    rules: Annotated[Severities, Use(renamed=False)] = Field(
        {},
        description="Another name for subagentLsp.severity, as in [tool.subagent-lsp]: severity "
        "per rule code; false turns a rule off, true keeps its default severity.",
    )
    select: Prefixes = Field([], description="Only these rules (codes or prefixes). Empty: all.")
    ignore: Prefixes = Field([], description="Rules to turn off (codes or prefixes).")
    globs: Globs = Field(
        GlobTable(),
        description="Which files are which kind (gitignore-style patterns, matched at any "
        "depth). A kind not given keeps its built-in patterns.",
    )
    exclude: Patterns = Field(
        [], description="Paths the workspace index skips (gitignore-style patterns)."
    )
    per_path_ignores: Annotated[PathPrefixes, Use(renamed=False)] = Field(
        {},
        description="Rules to turn off for some paths: gitignore-style path patterns mapped to "
        'rule codes or prefixes (e.g. {"examples/**": ["AGT015"]}).',
    )
    agent_file: Text = Field(
        "",
        description="Agent definition the backend-developer actions use. Empty: the "
        "workspace's .claude/agents/backend-developer.md, else the bundled agent.",
    )
    model: Text = Field(
        "",
        description="Model override for the backend-developer agent: an alias (sonnet, opus, "
        "haiku) or a claude-* model id.",
    )
    offline: Flag = Field(
        False,
        description="Never call the Anthropic API: the offline engine serves the "
        "backend-developer actions.",
    )
    agent_timeout: Number = Field(
        60, ge=1, le=600, description="Seconds to wait for the backend-developer agent."
    )
    agent_retries: Annotated[Integer, Use(renamed=False)] = Field(
        2,
        ge=0,
        le=5,
        description="Retries of a backend-developer agent call on 429/529/5xx answers.",
    )
    context_tokens: Annotated[Integer, Use(renamed=False)] = Field(
        8000,
        ge=500,
        le=200_000,
        description="Token budget for what is sent to the backend-developer agent.",
    )
    secret_patterns: Annotated[Patterns, Use(renamed=False)] = Field(
        [],
        description="More secrets to strip before anything is sent to the backend-developer "
        "agent: regular expressions (a group, if any, is the secret), beside the built-in "
        "detectors.",
    )
    agent_exclude: Annotated[Patterns, Use(renamed=False)] = Field(
        [],
        description="Files the backend-developer agent never reads for context nor edits "
        "(gitignore-style patterns), beside .env*, *.pem, *.key, id_*, secrets/ and what git "
        "ignores.",
    )
    not_sources: Annotated[Patterns, Use(renamed=False)] = Field(
        list(DEFAULT_NOT_SOURCES),
        description="Files the backend reviewer never makes suggestions in (gitignore-style "
        "patterns, below the project root): tests, end-to-end tests, fixtures, migrations, "
        "scripts/, test-data scripts and vendored, minified or generated code by default. "
        "Empty: every backend file is reviewed.",
    )
    trace_server: Annotated[Trace, Use(client=True, restart=True)] = Field(
        "off",
        alias="trace.server",
        description="Trace the communication with the server in the output channel.",
    )
