"""Document -> findings. One function per rule family; facts come from spec.py only."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ..policy import PathIgnores, Policy
from . import fixes, spec
from .document import Document
from .findings import Finding, Fix, Position, Related, Severity, Span
from .kinds import FileKind
from .rules import RULES
from .spec import KeySpec, Kind, ToolStatus, VType
from .suggest import closest_sure
from .versions import Version, at_least, format_version, parse_version
from .yamltree import YNode

_LATEST: Version = parse_version(spec.LATEST_KNOWN_VERSION)


@dataclass(frozen=True)
class CheckOptions:
    claude_code_version: Version = _LATEST
    today: dt.date | None = None  # model end-of-life dates are compared with this
    severities: Mapping[str, Severity | None] = field(default_factory=dict)  # None: rule off
    path_ignores: PathIgnores | None = None  # codes silenced per path pattern (configuration)

    @property
    def policy(self) -> Policy:
        return Policy(self.severities, self.path_ignores)

    def on(self, version: str | None) -> bool:
        return at_least(self.claude_code_version, version)

    @property
    def version_text(self) -> str:
        return format_version(self.claude_code_version)


DEFAULT_OPTIONS = CheckOptions()


class _Report:
    def __init__(self, doc: Document, fk: FileKind, opts: CheckOptions) -> None:
        self.doc, self.fk, self.opts = doc, fk, opts
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
        rated = severity or RULES[code].severity
        self.findings.append(Finding(code, rated, span, message, fix_tuple, related))


def check_document(
    doc: Document, fk: FileKind, opts: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    report = _Report(doc, fk, opts)
    if doc.too_large:
        report.add("AGT001", doc.line_span(0), "File too large to be an agent definition.")
        return report.findings
    if _frontmatter_structure(report):
        _yaml_problems(report)
        _duplicate_keys(report)
        if doc.mapping is not None:
            _keys(report)
            KIND_CHECKS[fk.kind](report)
    if fk.kind is Kind.SUBAGENT and doc.frontmatter is not None:
        _body(report)
    return opts.policy.apply(doc.path, doc.lines, report.findings)


# --- structure -----------------------------------------------------------------------------


def _frontmatter_structure(r: _Report) -> bool:
    """Findings about the fences; False when there is no YAML to look at."""
    doc, kind = r.doc, r.fk.kind
    loads_without = kind in (Kind.SKILL, Kind.COMMAND)  # frontmatter is optional there
    if doc.frontmatter is None:
        if doc.misplaced_fence is not None:
            r.add(
                "AGT004",
                doc.misplaced_fence,
                "Frontmatter must open with `---` on the very first line, unindented; as written "
                "Claude Code sees no frontmatter. Move it to the top.",
                fixes.replace(
                    Span(Position(0, 0), doc.misplaced_fence.start),
                    "",
                    "Move the frontmatter to the first line",
                    safe=True,
                )
                if not doc.text_of(Span(Position(0, 0), doc.misplaced_fence.start)).strip()
                else None,
                severity=Severity.WARNING if loads_without else None,
            )
            return False
        if kind is Kind.SUBAGENT:
            if os.path.basename(doc.path).lower() == "readme.md":
                r.add(
                    "AGT053",
                    doc.line_span(0),
                    "A README in an agents folder is not an agent; Claude Code tries to load "
                    "it and skips it. Move it out of the folder if that matters to you.",
                )
            else:
                stem = _stem(doc.path)
                r.add(
                    "AGT002",
                    doc.line_span(0),
                    "No frontmatter: Claude Code does not load this file as an agent. Add a "
                    "`---` block with `name` and `description` at the top.",
                    fixes.insert_line(
                        doc,
                        0,
                        f'---\nname: {stem}\ndescription: "Use this agent when ..."\n---',
                        "Add frontmatter",
                    ),
                )
        return False
    fm = doc.frontmatter
    if fm.close_span is None:
        r.add(
            "AGT003",
            fm.open_span,
            "The frontmatter is never closed: add a `---` line after the last key. Until then "
            "Claude Code sees no frontmatter at all.",
            severity=Severity.WARNING if loads_without else None,
        )
    if doc.root is not None and doc.root.kind != "mapping":
        r.add(
            "AGT005",
            doc.root.span,
            "The frontmatter must be a mapping of `key: value` lines.",
            severity=Severity.WARNING if loads_without else None,
        )
        return False
    if doc.root is None and not doc.problems and r.fk.kind is Kind.SUBAGENT:
        r.add("AGT010", fm.open_span, "The frontmatter is empty: add `name` and `description`.")
        return False
    return True


def _yaml_problems(r: _Report) -> None:
    soft = r.fk.kind in (Kind.CATALOG,)
    for problem in r.doc.problems:
        code = {"tab": "AGT007", "alias-bomb": "AGT009"}.get(problem.kind, "AGT006")
        fix: Fix | None = None
        if problem.kind == "syntax":
            fix = fixes.quote_value_fix(r.doc, problem.span.end.line)
        elif problem.kind == "tab":
            fix = _tab_fix(r.doc, problem.span.end.line)
        suffix = "" if soft else " Claude Code skips this file until it parses."
        r.add(
            code,
            problem.span,
            problem.message + suffix,
            fix,
            severity=Severity.WARNING if soft else None,
        )


def _tab_fix(doc: Document, line: int) -> Fix | None:
    text = doc.lines[line] if line < len(doc.lines) else ""
    indent = len(text) - len(text.lstrip(" \t"))
    if "\t" not in text[:indent]:
        return None
    new = text[:indent].replace("\t", "  ")
    return fixes.replace(Span.of(line, 0, line, indent), new, "Indent with spaces")


def _duplicate_keys(r: _Report) -> None:
    for first, again in r.doc.duplicate_keys:
        top_level = again.span.start.column == 0
        fix = None
        if top_level and r.doc.mapping is not None:
            fix = _delete_entry_fix(r.doc, again)
        r.add(
            "AGT008",
            again.span,
            f"`{again.text}` is already set on line {first.span.start.line + 1}; Claude Code "
            "rejects frontmatter with duplicate keys. Keep one.",
            fix,
            related=(Related(r.doc.path, first.span, "first defined here"),),
        )


def _delete_entry_fix(doc: Document, key: YNode) -> Fix | None:
    mapping = doc.mapping
    assert mapping is not None
    for k, v in mapping.pairs:
        if k is key:
            stop = v.span.end.line + (1 if v.span.end.column > 0 else 0)
            stop = max(stop, k.span.start.line + 1)
            return fixes.delete_lines(k.span.start.line, stop, f"Remove this `{k.text}`")
    return None


# --- keys ----------------------------------------------------------------------------------


def _keys(r: _Report) -> None:
    mapping = r.doc.mapping
    assert mapping is not None
    kind = r.fk.kind
    known = spec.key_index(kind)
    aliases = spec.KEY_ALIASES.get(kind, {})
    for k, v in mapping.pairs:
        if not k.is_scalar or not isinstance(k.value, str):
            if kind is not Kind.CATALOG:
                r.add("AGT014", k.span, "Keys must be plain strings.")
            continue
        name = k.value
        key = known.get(name)
        if key is None:
            if kind is not Kind.CATALOG:
                _unknown_key(r, k, known, aliases)
            continue
        if key.ignored:
            r.add(
                "AGT022",
                k.span,
                f"Commands ignore `{name}`: " + key.doc.removeprefix("Ignored for commands: "),
                fixes.delete_lines(k.span.start.line, v.span.end.line + 1, f"Remove `{name}`"),
            )
            continue
        if r.fk.plugin and kind is Kind.SUBAGENT and not key.plugin_ok:
            security = name in spec.PLUGIN_DROPPED_FOR_SECURITY
            r.add(
                "AGT021",
                k.span,
                f"Plugin agents ignore `{name}`"
                + (
                    " (dropped for security)."
                    if security
                    else " (not among the keys plugin agents support)."
                )
                + " Move the agent to .claude/agents/ if you need it.",
                severity=None if security else Severity.INFORMATION,
            )
        if key.since and key.since[0].isdigit() and "." in key.since and not r.opts.on(key.since):
            r.add(
                "AGT020",
                k.span,
                f"`{name}` needs Claude Code v{key.since}; the configured version "
                f"v{r.opts.version_text} ignores it.",
            )
        VALUE_CHECKS[key.vtype](r, key, v)


def _unknown_key(
    r: _Report, k: YNode, known: Mapping[str, KeySpec], aliases: Mapping[str, str]
) -> None:
    name = str(k.value)
    target, sure = (aliases[name], True) if name in aliases else closest_sure(name, known)
    where = {Kind.SUBAGENT: "subagents", Kind.SKILL: "skills", Kind.COMMAND: "commands"}[r.fk.kind]
    if target and r.doc.mapping is not None and r.doc.mapping.key_node(target) is None:
        r.add(
            "AGT020",
            k.span,
            f"Unknown key `{name}` (Claude Code ignores it): did you mean `{target}`?",
            fixes.replace(k.span, target, f"Rename to `{target}`", safe=sure),
        )
        return
    r.add(
        "AGT020",
        k.span,
        f"Unknown key `{name}`: Claude Code ignores it for {where}."
        + (f" (`{target}` is already set.)" if target else ""),
    )


# --- values --------------------------------------------------------------------------------


def _type_name(node: YNode) -> str:
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


def _expect(r: _Report, key: KeySpec, node: YNode, ok: bool, what: str) -> bool:
    if not ok:
        r.add(
            "AGT014",
            node.span,
            f"`{key.name}` must be {what}, not {_type_name(node)}.",
        )
    return ok


def _check_string(r: _Report, key: KeySpec, node: YNode) -> None:
    if key.name in ("name", "description") and r.fk.kind is Kind.SUBAGENT:
        return  # the subagent checks own these: they decide whether the agent loads at all
    if node.is_scalar and node.value is None:
        return
    if _expect(r, key, node, node.is_scalar and isinstance(node.value, str), "a string"):
        _max_len(r, key, node)


def _max_len(r: _Report, key: KeySpec, node: YNode) -> None:
    if key.max_len is not None and len(node.text) > key.max_len:
        r.add(
            "AGT062",
            node.span,
            f"`{key.name}` has {len(node.text)} characters; at most {key.max_len} are allowed.",
        )


_YES_NO = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}


def _check_bool(r: _Report, key: KeySpec, node: YNode) -> None:
    if node.is_scalar and isinstance(node.value, bool):
        return
    fix = None
    if node.is_scalar and isinstance(node.value, str) and node.value.lower() in _YES_NO:
        word = "true" if _YES_NO[node.value.lower()] else "false"
        fix = fixes.replace(node.span, word, f"Write `{word}`")
    r.add(
        "AGT014",
        node.span,
        f"`{key.name}` must be `true` or `false`, not {_type_name(node)}"
        + (" (`yes`/`no` are strings in YAML 1.2, which Claude Code uses)." if fix else "."),
        fix,
    )


def _check_positive_int(r: _Report, key: KeySpec, node: YNode) -> None:
    v = node.value if node.is_scalar else None
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return
    r.add("AGT014", node.span, f"`{key.name}` must be a positive whole number.")


def _check_string_list(r: _Report, key: KeySpec, node: YNode) -> None:
    if node.kind == "sequence":
        for item in node.items:
            _expect(r, key, item, item.is_scalar and isinstance(item.value, str), "a list of names")
        return
    if node.is_scalar and isinstance(node.value, str):
        r.add(
            "AGT014",
            node.span,
            f"`{key.name}` must be a YAML list (one `- name` per line), not a string.",
        )
        return
    _expect(r, key, node, False, "a list of names")


def _check_str_or_list(r: _Report, key: KeySpec, node: YNode) -> None:
    if node.kind == "sequence":
        for item in node.items:
            _expect(r, key, item, item.is_scalar and isinstance(item.value, str), "a string")
        return
    _expect(
        r,
        key,
        node,
        node.is_scalar and isinstance(node.value, str | type(None)),
        "a string or a list",
    )


def _check_mapping(r: _Report, key: KeySpec, node: YNode) -> None:
    _expect(r, key, node, node.kind == "mapping", "a mapping")


def _check_enum(r: _Report, key: KeySpec, node: YNode) -> None:
    allowed = [v for v in key.values if r.opts.on(v.since)]
    names = [v.value for v in allowed]
    if node.is_scalar and isinstance(node.value, str) and node.value in names:
        return
    text = node.text if node.is_scalar else ""
    later = next((v for v in key.values if v.value == text and v not in allowed), None)
    if later is not None:
        r.add(
            "AGT030",
            node.span,
            f"`{key.name}: {text}` needs Claude Code v{later.since}; v{r.opts.version_text} "
            f"rejects it. Use one of: {', '.join(names)}.",
        )
        return
    guess, sure = closest_sure(text, names) if text else (None, False)
    r.add(
        "AGT030",
        node.span,
        f"`{text or _type_name(node)}` is not a valid `{key.name}`"
        + (f": did you mean `{guess}`?" if guess else f"; use one of: {', '.join(names)}."),
        fixes.replace(node.span, guess, f"Change to `{guess}`", safe=sure) if guess else None,
    )


def _check_model(r: _Report, key: KeySpec, node: YNode) -> None:
    if not (node.is_scalar and isinstance(node.value, str)):
        if not (node.is_scalar and node.value is None):
            _expect(r, key, node, False, "a model name")
        return
    model = node.value.strip()
    aliases = {a.name: a for a in spec.MODEL_ALIASES}
    if model in aliases:
        alias = aliases[model]
        if not r.opts.on(alias.since):
            r.add(
                "AGT030",
                node.span,
                f"`{model}` needs Claude Code v{alias.since}; v{r.opts.version_text} cannot "
                "select it.",
            )
        return
    known = spec.known_model_ids()
    if model in known:
        _deprecation(r, node, model)
        return
    lower = model.lower()
    if not lower.startswith("claude") and spec.FOREIGN_MODEL.match(lower):
        r.add(
            "AGT031",
            node.span,
            f"`{model}` is not an Anthropic model: Claude Code runs subagents on Claude only, "
            "so this agent fails when spawned. Use `sonnet`, `opus`, `haiku` or `inherit`.",
        )
        return
    well_formed = re.fullmatch(
        r"claude-(opus|sonnet|haiku|fable|mythos)-\d+(-\d+)?(-\d{8})?", lower
    )
    guess, sure = (None, False) if well_formed else closest_sure(model, [*aliases, *known], 80)
    if guess is not None:
        r.add(
            "AGT032",
            node.span,
            f"Unknown model `{model}`: did you mean `{guess}`?",
            fixes.replace(node.span, guess, f"Change to `{guess}`", safe=sure),
        )
        return
    r.add(
        "AGT032",
        node.span,
        f"`{model}` is not a model id this tool knows"
        + (" (it may be newer than the installed anthropic SDK)." if well_formed else ".")
        + " Prefer an alias such as `sonnet` or `inherit`.",
        severity=Severity.INFORMATION if well_formed else None,
    )


def _deprecation(r: _Report, node: YNode, model: str) -> None:
    retired = spec.deprecated_models().get(model)
    if retired is None:
        return
    today = r.opts.today or dt.date.today()
    past = dt.date.fromisoformat(retired) <= today
    r.add(
        "AGT033",
        node.span,
        f"`{model}` "
        + ("reached its end of life on " if past else "is deprecated; end of life ")
        + f"{retired}. Move to a current model (or an alias such as `sonnet`).",
        severity=Severity.ERROR if past else None,
    )


def _check_hooks(r: _Report, key: KeySpec, node: YNode) -> None:
    if node.kind == "sequence" and not node.items:
        r.add(
            "AGT035",
            node.span,
            "`hooks: []` makes Claude Code drop this agent silently. Remove the key or write a "
            "mapping of events.",
            fixes.replace(node.span, "{}", "Change to an empty mapping"),
        )
        return
    if node.kind != "mapping":
        if not (node.is_scalar and node.value is None):
            r.add("AGT034", node.span, "`hooks` must be a mapping of hook events to matchers.")
        return
    for event, matchers in node.pairs:
        name = event.text
        if name not in spec.HOOK_EVENTS:
            guess, sure = closest_sure(name, spec.HOOK_EVENTS)
            r.add(
                "AGT034",
                event.span,
                f"Unknown hook event `{name}`" + (f": did you mean `{guess}`?" if guess else "."),
                fixes.replace(event.span, guess, f"Change to `{guess}`", safe=sure)
                if guess
                else None,
            )
        if matchers.kind != "sequence":
            r.add(
                "AGT034", matchers.span, f"`{name}` must be a list of `{{matcher, hooks}}` entries."
            )
            continue
        for entry in matchers.items:
            _check_hook_entry(r, entry)


def _check_hook_entry(r: _Report, entry: YNode) -> None:
    handlers = entry.get("hooks") if entry.kind == "mapping" else None
    if handlers is None or handlers.kind != "sequence":
        r.add("AGT034", entry.span, "Each entry needs `hooks:`, a list of handlers.")
        return
    for handler in handlers.items:
        kind = handler.get("type") if handler.kind == "mapping" else None
        if kind is None:
            r.add("AGT034", handler.span, "A hook handler needs a `type` (e.g. `command`).")
        elif kind.text not in spec.HOOK_HANDLER_TYPES:
            r.add(
                "AGT034",
                kind.span,
                f"Unknown hook type `{kind.text}`; use one of: "
                + ", ".join(spec.HOOK_HANDLER_TYPES)
                + ".",
            )
        elif kind.text == "command" and handler.get("command") is None:
            r.add("AGT034", handler.span, "A `command` hook needs a `command` to run.")


def _check_mcp_servers(r: _Report, key: KeySpec, node: YNode) -> None:
    if node.kind != "sequence":
        if not (node.is_scalar and node.value is None):
            r.add(
                "AGT014",
                node.span,
                "`mcpServers` must be a list: server names, or `name: config` entries.",
            )
        return
    for item in node.items:
        ok = (item.is_scalar and isinstance(item.value, str)) or (
            item.kind == "mapping" and len(item.pairs) == 1
        )
        if not ok:
            r.add(
                "AGT014",
                item.span,
                "Each MCP server is a configured server's name or one `name: config` mapping.",
            )


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _parse_date(node: YNode) -> dt.date | None:
    if not (node.is_scalar and isinstance(node.value, str) and _ISO_DATE.match(node.value)):
        return None
    try:
        return dt.date.fromisoformat(node.value)
    except ValueError:
        return None


def _check_date(r: _Report, key: KeySpec, node: YNode) -> None:
    if _parse_date(node) is None:
        r.add("AGT081", node.span, f"`{key.name}` must be an ISO date such as 2025-09-02.")


def _check_catalog_field(r: _Report, key: KeySpec, node: YNode) -> None:
    def scalar_ok(n: YNode) -> bool:
        return n.is_scalar and n.value is not None and not isinstance(n.value, bool)

    if node.kind == "sequence":
        for item in node.items:
            if not scalar_ok(item):
                r.add("AGT080", item.span, f"Each `{key.name}` entry must be a plain value.")
    elif not scalar_ok(node):
        r.add("AGT080", node.span, f"`{key.name}` takes a value or a list of values.")


def _check_tools(r: _Report, key: KeySpec, node: YNode) -> None:
    _tool_list(r, key, node, skill_syntax=key.vtype is VType.SKILL_TOOLS)


def _no_check(r: _Report, key: KeySpec, node: YNode) -> None:
    return


VALUE_CHECKS: dict[VType, Callable[[_Report, KeySpec, YNode], None]] = {
    VType.STRING: _check_string,
    VType.BOOL: _check_bool,
    VType.POSITIVE_INT: _check_positive_int,
    VType.TOOLS: _check_tools,
    VType.SKILL_TOOLS: _check_tools,
    VType.STRING_LIST: _check_string_list,
    VType.STR_OR_LIST: _check_str_or_list,
    VType.ENUM: _check_enum,
    VType.MODEL: _check_model,
    VType.HOOKS: _check_hooks,
    VType.MCP_SERVERS: _check_mcp_servers,
    VType.MAPPING: _check_mapping,
    VType.DATE: _check_date,
    VType.CATALOG_FIELD: _check_catalog_field,
    VType.ANY: _no_check,
}


# --- tools ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolEntry:
    text: str
    span: Span


def source_exact(doc: Document, node: YNode) -> bool:
    """True when the scalar's value is written verbatim on one line (no escapes or folding)."""
    s, e = node.span.start, node.span.end
    if s.line != e.line or not node.is_scalar:
        return False
    raw = doc.lines[s.line][s.column : e.column]
    if node.style in ('"', "'"):
        raw = raw[1:-1]
    return raw == node.text


def split_tools(doc: Document, node: YNode, skill_syntax: bool = False) -> list[ToolEntry]:
    """Entries of a tool list with their source spans (the whole value when not exact)."""
    if node.kind == "sequence":
        out: list[ToolEntry] = []
        for item in node.items:
            if item.is_scalar and isinstance(item.value, str):
                out.extend(_split_scalar(doc, item, skill_syntax))
        return out
    if node.is_scalar and isinstance(node.value, str):
        return _split_scalar(doc, node, skill_syntax)
    return []


def _split_scalar(doc: Document, node: YNode, skill_syntax: bool) -> list[ToolEntry]:
    text = node.text
    exact = source_exact(doc, node)
    base = node.span.start.column + (1 if node.style in ('"', "'") else 0)
    entries: list[ToolEntry] = []
    depth, start = 0, 0
    separators = ",; \t" if skill_syntax else ","
    for i, ch in enumerate([*text, ","]):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif (ch in separators and depth == 0) or i == len(text):
            raw = text[start:i]
            stripped = raw.strip()
            if stripped:
                lead = len(raw) - len(raw.lstrip())
                a = start + lead
                span = (
                    Span.of(
                        node.span.start.line,
                        base + a,
                        node.span.start.line,
                        base + a + len(stripped),
                    )
                    if exact
                    else node.span
                )
                entries.append(ToolEntry(stripped, span))
            start = i + 1
    return entries


_TOOL_ENTRY = re.compile(r"([A-Za-z_][\w-]*)(?:\((.*)\))?\Z", re.DOTALL)
_AGENT_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)+\Z")


def _tool_list(r: _Report, key: KeySpec, node: YNode, skill_syntax: bool) -> None:
    if not (node.kind == "sequence" or (node.is_scalar and isinstance(node.value, str | None))):
        r.add("AGT046", node.span, f"`{key.name}` must be a comma-separated string or a list.")
        return
    entries = split_tools(r.doc, node, skill_syntax)
    deny = key.name in ("disallowedTools", "disallowed-tools")
    resolved = 0
    seen: dict[str, ToolEntry] = {}
    for entry in entries:
        # Bash(git add *) and Bash(git commit *) are two rules, not a duplicate
        same = " ".join(entry.text.split())
        if same in seen:
            r.add("AGT045", entry.span, f"`{same}` is listed twice.")
        seen.setdefault(same, entry)
        if _resolve_tool(r, entry, deny, skill_syntax):
            resolved += 1
    if r.fk.kind is Kind.SUBAGENT and key.name == "tools" and entries and resolved == 0:
        refused = r.opts.on(spec.ZERO_TOOLS_REFUSED_SINCE)
        r.add(
            "AGT043",
            node.span,
            "No entry of `tools` is a tool Claude Code knows, so "
            + ("it refuses to spawn this agent" if refused else "the agent would run with no tools")
            + ". Fix the names, or remove `tools` to inherit every tool.",
            severity=None if refused else Severity.WARNING,
        )


def _resolve_tool(r: _Report, entry: ToolEntry, deny: bool, skill_syntax: bool) -> bool:
    text = entry.text
    if text.startswith(spec.MCP_PREFIX):
        if text == "mcp__*" or re.fullmatch(r"mcp__[\w.-]+(__[\w.*-]+)?", text):
            return True
        r.add("AGT046", entry.span, f"`{text}` is not an MCP tool name (`mcp__server__tool`).")
        return False
    m = _TOOL_ENTRY.match(text)
    if m is None:
        fix = None if skill_syntax else _space_separated_fix(entry)
        if fix is not None:
            r.add(
                "AGT046",
                entry.span,
                f"`{text}` lists several tools: separate them with commas.",
                fix,
            )
        else:
            r.add("AGT040", entry.span, f"`{text}` is not a tool name: it grants nothing.")
        return False
    name, argument = m.group(1), m.group(2)
    fact = spec.tool_index().get(name)
    if fact is None:
        _unknown_tool(r, entry, name)
        return False
    if argument is not None and skill_syntax is False and not fact.takes_argument and not deny:
        pass  # permission-rule syntax such as Bash(git:*) narrows the tool; it still resolves
    if fact.status is ToolStatus.REMOVED:
        assert fact.replacement is not None
        r.add(
            "AGT041",
            entry.span,
            f"`{name}` was removed from Claude Code ({fact.until}); use `{fact.replacement}`.",
            fixes.replace(
                _name_span(entry, name), fact.replacement, f"Replace with `{fact.replacement}`"
            ),
        )
        return False
    if fact.status is ToolStatus.ALIAS:
        assert fact.replacement is not None
        if r.opts.on(spec.AGENT_TOOL_SINCE):
            r.add(
                "AGT042",
                entry.span,
                f"`{name}` is the old name of `{fact.replacement}` (renamed in "
                f"v{spec.AGENT_TOOL_SINCE}); it still works.",
                fixes.replace(
                    _name_span(entry, name), fact.replacement, f"Rename to `{fact.replacement}`"
                ),
            )
        return True
    if not r.opts.on(fact.since):
        r.add(
            "AGT040",
            entry.span,
            f"`{name}` needs Claude Code v{fact.since}; v{r.opts.version_text} does not have it.",
        )
        return False
    if fact.removed_from_subagents and r.fk.kind is Kind.SUBAGENT and not deny:
        plan = r.doc.get("permissionMode")
        if name == "ExitPlanMode" and plan is not None and plan.value == "plan":
            return True
        r.add(
            "AGT044",
            entry.span,
            f"Claude Code never gives `{name}` to subagents, so listing it has no effect.",
        )
        return False
    return True


def _name_span(entry: ToolEntry, name: str) -> Span:
    if entry.span.start.line != entry.span.end.line:
        return entry.span
    start = entry.span.start
    if entry.span.end.column - start.column < len(name):
        return entry.span
    return Span(start, Position(start.line, start.column + len(name)))


def _space_separated_fix(entry: ToolEntry) -> Fix | None:
    words = entry.text.split()
    index = spec.tool_index()
    if len(words) > 1 and all(w in index for w in words):
        return fixes.replace(entry.span, ", ".join(words), "Separate the tools with commas")
    return None


def _unknown_tool(r: _Report, entry: ToolEntry, name: str) -> None:
    guess, sure = closest_sure(name, spec.current_tool_names(), cutoff=80)
    if guess is not None:
        r.add(
            "AGT040",
            entry.span,
            f"Unknown tool `{name}`: did you mean `{guess}`?",
            fixes.replace(_name_span(entry, name), guess, f"Change to `{guess}`", safe=sure),
        )
        return
    hint = ""
    if "mcp" in name.lower():
        hint = " MCP tools are named `mcp__<server>` or `mcp__<server>__<tool>`."
    elif _AGENT_NAME.match(name):
        hint = (
            f" For an MCP server write `mcp__{name}`; to let this agent spawn an agent of that "
            f"name, `Agent({name})`."
        )
    r.add("AGT040", entry.span, f"Unknown tool `{name}`: it grants nothing.{hint}")


# --- kinds ---------------------------------------------------------------------------------

_STYLE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


def _stem(path: str) -> str:
    base = os.path.basename(path)
    for suffix in (".agent.md", ".md"):
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def _subagent(r: _Report) -> None:
    doc = r.doc
    anchor = doc.frontmatter.open_span if doc.frontmatter else doc.line_span(0)
    missing_ok = doc.frontmatter is not None and doc.frontmatter.close_span is None
    name = doc.get("name")
    if name is None:
        if not doc.has_key("name") and not missing_ok:
            r.add(
                "AGT010",
                anchor,
                "`name` is required: Claude Code skips an agent without one.",
                fixes.insert_line(
                    doc, 1, f"name: {_stem(doc.path)}", "Add `name` from the file name"
                ),
            )
    else:
        _subagent_name(r, name)
    description = doc.get("description")
    if description is None:
        if not doc.has_key("description") and not missing_ok:
            r.add(
                "AGT011",
                anchor,
                "`description` is required: say when Claude should use this agent. Without it "
                "Claude Code skips the agent.",
                fixes.insert_line(
                    doc, 1, 'description: "Use this agent when ..."', "Add a `description`"
                ),
            )
    else:
        _subagent_description(r, description)
    if r.fk.unlisted:
        r.add(
            "AGT052",
            name.span if name is not None else anchor,
            "This plugin's plugin.json lists its agents, and not this file, so Claude Code never "
            "loads it. Add it to the `agents` list.",
        )


def _subagent_name(r: _Report, name: YNode) -> None:
    if not (name.is_scalar and isinstance(name.value, str)):
        r.add("AGT014", name.span, "`name` must be a string.", severity=Severity.ERROR)
        return
    text = name.value
    if not text.strip():
        r.add(
            "AGT017",
            name.span,
            "`name` is empty: Claude Code skips the agent.",
            severity=Severity.ERROR,
        )
        return
    if text.startswith("-") or ":" in text:
        rejected = r.opts.on(spec.NAME_COLON_SKIPPED_SINCE)
        fixed = text.lstrip("-").replace(":", "-")
        r.add(
            "AGT012",
            name.span,
            f"`{text}` "
            + (
                "starts with `-`"
                if text.startswith("-")
                else "contains `:` (reserved for plugin ids)"
            )
            + (
                f": Claude Code v{spec.NAME_COLON_SKIPPED_SINCE}+ skips this file."
                if rejected
                else f": accepted by v{r.opts.version_text}, skipped from "
                f"v{spec.NAME_COLON_SKIPPED_SINCE}."
            ),
            fixes.replace(name.span, fixed, f"Rename to `{fixed}`", safe=False) if fixed else None,
            severity=None if rejected else Severity.HINT,
        )
        return
    if not _STYLE_NAME.match(text):
        suggestion = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        r.add(
            "AGT013",
            name.span,
            f"`{text}` loads, but names are documented as lowercase letters and hyphens"
            + (f" (e.g. `{suggestion}`)." if suggestion and suggestion != text else "."),
        )
    stem = _stem(r.doc.path)
    if stem != text and stem.lower() not in ("agent", "readme"):
        r.add(
            "AGT015",
            name.span,
            f"The name `{text}` differs from the file name `{stem}.md` (allowed: the name is "
            "what counts).",
        )


def _subagent_description(r: _Report, node: YNode) -> None:
    if (node.is_scalar and node.value is None) or (node.is_scalar and node.text.strip() == ""):
        r.add(
            "AGT017",
            node.span,
            "`description` is empty: Claude Code skips an agent without one.",
            severity=Severity.ERROR,
        )
        return
    if not (node.is_scalar and isinstance(node.value, str)):
        r.add("AGT014", node.span, "`description` must be a string.")
        return
    if len(node.text.strip()) < spec.SHORT_DESCRIPTION:
        r.add(
            "AGT016",
            node.span,
            "A description this short rarely tells Claude when to delegate: say what tasks the "
            "agent takes and when to use it.",
        )


def _skill(r: _Report) -> None:
    doc = r.doc
    name = doc.get("name")
    folder = os.path.basename(os.path.dirname(os.path.abspath(doc.path)))
    if name is not None and name.is_scalar and isinstance(name.value, str):
        text = name.value
        valid = (
            0 < len(text) <= spec.SKILL_NAME_MAX
            and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text) is not None
        )
        if not valid:
            r.add(
                "AGT060",
                name.span,
                f"Skill names are 1-{spec.SKILL_NAME_MAX} characters of a-z, 0-9 and single "
                "hyphens (Agent Skills spec); other tools may reject this one.",
            )
        if doc.path.endswith("SKILL.md") and text != folder:
            r.add(
                "AGT061",
                name.span,
                f"The name `{text}` differs from the skill's folder `{folder}`; the Agent Skills "
                "spec wants them equal.",
                fixes.replace(name.span, folder, f"Rename to `{folder}`", safe=False),
            )
    _skill_texts(r, require_description=True)


def _skill_texts(r: _Report, require_description: bool) -> None:
    doc = r.doc
    description = doc.get("description")
    if description is None and not doc.has_key("description") and require_description:
        anchor = doc.frontmatter.open_span if doc.frontmatter else doc.line_span(0)
        r.add(
            "AGT063",
            anchor,
            "No `description`: Claude picks skills by their description and would fall back to "
            "the first paragraph.",
        )
    if description is None or not isinstance(description.value, str):
        return
    if len(description.text) > spec.SKILL_DESCRIPTION_MAX:
        r.add(
            "AGT062",
            description.span,
            f"The description has {len(description.text)} characters; the Agent Skills spec "
            f"allows {spec.SKILL_DESCRIPTION_MAX}.",
        )
    when = doc.get("when_to_use")
    total = len(description.text) + (len(when.text) if when is not None and when.is_scalar else 0)
    if total > spec.SKILL_LISTING_MAX:
        r.add(
            "AGT062",
            description.span,
            f"`description` and `when_to_use` have {total} characters; Claude sees only the "
            f"first {spec.SKILL_LISTING_MAX}. Put the key use case first and shorten.",
        )


def _command(r: _Report) -> None:
    _skill_texts(r, require_description=False)


def _catalog(r: _Report) -> None:
    created, revised = r.doc.get("dateCreated"), r.doc.get("dateRevised")
    if created is None or revised is None:
        return
    a, b = _parse_date(created), _parse_date(revised)
    if a is not None and b is not None and b < a:
        r.add(
            "AGT082",
            revised.span,
            f"`dateRevised` ({b}) is before `dateCreated` ({a}).",
            related=(Related(r.doc.path, created.span, "dateCreated"),),
        )


KIND_CHECKS: dict[Kind, Callable[[_Report], None]] = {
    Kind.SUBAGENT: _subagent,
    Kind.SKILL: _skill,
    Kind.COMMAND: _command,
    Kind.CATALOG: _catalog,
}


def _body(r: _Report) -> None:
    doc = r.doc
    if doc.frontmatter is None or doc.frontmatter.close_span is None:
        return
    if doc.body.strip():
        return
    r.add(
        "AGT050",
        doc.frontmatter.close_span,
        "The body after the frontmatter is the agent's system prompt, and it is empty. Write "
        "the agent's instructions below the closing `---`.",
    )


def iter_codes() -> Iterator[str]:
    return iter(RULES)
