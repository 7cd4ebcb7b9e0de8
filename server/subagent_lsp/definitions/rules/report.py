"""What every check gets: the document, its kind, the options, and a report to add to."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from types import MappingProxyType

from ...policy import PathIgnores, Policy
from ...records import TYPE_CHECKING, Record
from ...registry import DECLARED
from .. import spec
from ..document import Document
from ..findings import Finding, Fix, Related, Severity, Span
from ..kinds import FileKind
from ..spec import LATEST_KNOWN_VERSION, KeySpec, Kind
from ..versions import Version, at_least, format_version, parse_version
from ..yamltree import YNode

if TYPE_CHECKING:
    import datetime as dt

E, W, INFO, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT
_LATEST: Version = parse_version(LATEST_KNOWN_VERSION)


class CheckOptions(Record):
    __slots__ = ("claude_code_version", "gateway_models", "path_ignores", "severities", "today")

    def __init__(
        self,
        claude_code_version: Version = _LATEST,
        today: dt.date | None = None,  # model end-of-life dates are compared with this
        severities: Mapping[str, Severity | None] = MappingProxyType({}),  # None: rule off
        path_ignores: PathIgnores | None = None,  # codes silenced per path pattern (configuration)
        # `gatewayModels`: model ids (`*` wildcards) the user's endpoint accepts; not unknown there.
        gateway_models: tuple[str, ...] = (),
    ) -> None:
        self.claude_code_version = claude_code_version
        self.today = today
        self.severities = severities
        self.path_ignores = path_ignores
        self.gateway_models = gateway_models

    def gateway_accepts(self, model: str) -> bool:
        if not self.gateway_models:
            return False
        from fnmatch import fnmatchcase

        return any(fnmatchcase(model, pattern) for pattern in self.gateway_models)

    @property
    def policy(self) -> Policy:
        return Policy(self.severities, self.path_ignores)

    def on(self, version: str | None) -> bool:
        return at_least(self.claude_code_version, version)

    @property
    def version_text(self) -> str:
        return format_version(self.claude_code_version)


DEFAULT_OPTIONS = CheckOptions()


class KindDescriptor(Record):
    """Everything kind-specific about checking a file, declared once per kind (the table is in
    definitions/checks.py). Keys and globs are facts, so they stay in spec.py."""

    __slots__ = (
        "body_checks",
        "checks",
        "frontmatter_optional",
        "json",
        "label",
        "read_by_claude_code",
        "text_checks",
    )

    def __init__(
        self,
        label: str,  # the kind in messages, plural: "subagents"
        checks: tuple[Callable[[Report], None], ...],  # after the common frontmatter and key checks
        body_checks: tuple[Callable[[Report], None], ...] = (),  # whenever there is frontmatter
        text_checks: tuple[Callable[[Report], None], ...] = (),  # always (memory files need none)
        frontmatter_optional: bool = False,  # skills and commands load without one
        read_by_claude_code: bool = True,  # catalog notes are not: their YAML errors are warnings
        json: bool = False,  # a JSON file: no frontmatter; its checks read the whole tree
    ) -> None:
        self.label = label
        self.checks = checks
        self.body_checks = body_checks
        self.text_checks = text_checks
        self.frontmatter_optional = frontmatter_optional
        self.read_by_claude_code = read_by_claude_code
        self.json = json


class Report:
    def __init__(
        self, doc: Document, fk: FileKind, opts: CheckOptions, described: KindDescriptor
    ) -> None:
        self.doc, self.fk, self.opts, self.described = doc, fk, opts, described
        self.findings: list[Finding] = []

    def add(
        self,
        code: str,
        span: Span,
        message: str,
        fixes: tuple[Fix, ...] | Fix | None = None,
        severity: Severity | None = None,
        related: tuple[Related, ...] = (),
    ) -> None:
        # At the rule's severity (or the one the check gives): the policy applies the user's.
        fix_tuple = (fixes,) if isinstance(fixes, Fix) else (fixes or ())
        rated = severity or default_severity(code)
        self.findings.append(Finding(code, rated, span, message, fix_tuple, related))


# A check looks at a whole document (after the common checks) and adds to the report.
Check = Callable[[Report], None]


def default_severity(code: str) -> Severity:
    return DECLARED[code].severity


def type_name(node: YNode) -> str:
    if node.kind != "scalar":
        return "a list" if node.kind == "sequence" else "a mapping"
    v = node.value
    if v is None:
        return "empty"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    return "a string"


def expect(r: Report, key: KeySpec, node: YNode, ok: bool, what: str) -> bool:
    if not ok:
        r.add(
            "AGT014",
            node.span,
            f"`{key.name}` must be {what}, not {type_name(node)}.",
        )
    return ok


def file_stem(path: str) -> str:
    base = os.path.basename(path)
    for suffix in (".agent.md", ".md"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def plugin_agent_id(r: Report) -> str:
    """The id Claude Code gives a plugin agent it loads without a (readable) `name`."""
    plugin = r.fk.plugin_id or "plugin"
    return f"{plugin}:{os.path.splitext(os.path.basename(r.doc.path))[0]}"


def invoked_as(r: Report) -> str:
    """How a skill or command is typed: the skill's folder, the command's path in its folder."""
    path = os.path.abspath(r.doc.path)
    if r.fk.kind is Kind.SKILL:
        return "/" + os.path.basename(os.path.dirname(path))
    marker = os.sep + "commands" + os.sep
    rel = path[path.rfind(marker) + len(marker) :] if marker in path else os.path.basename(path)
    return "/" + os.path.splitext(rel)[0].replace(os.sep, ":")


def frontmatter_lost(r: Report) -> str:
    """What Claude Code does with this file when it cannot read its frontmatter at all."""
    kind = r.fk.kind
    if kind is Kind.SUBAGENT and r.fk.plugin:
        plugin = r.fk.plugin_id or "plugin"
        return (
            "Claude Code then drops the frontmatter and still loads the agent, as "
            f'`{plugin_agent_id(r)}` described as "Agent from {plugin} plugin", with every tool '
            f"and the default model (`{spec.DEFAULT_MODEL_ID}` in v{spec.MODEL_FACTS_RELEASE}): "
            "it runs with more power than its frontmatter says."
        )
    if kind is Kind.SUBAGENT:
        return "Claude Code skips this file."
    if kind in (Kind.SKILL, Kind.COMMAND):
        what = "skill" if kind is Kind.SKILL else "command"
        return (
            f"Claude Code then drops the frontmatter and still loads the {what}, as "
            f"`{invoked_as(r)}` with the body's first line as its description; "
            "`allowed-tools` and every other key are ignored."
        )
    return ""
