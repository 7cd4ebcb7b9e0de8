"""Keys and the types of their values (tools and models have modules of their own)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ...lazyre import LazyPattern
from ...records import TYPE_CHECKING
from ...registry import NOT_LOADED, Example, Rule, emits, table
from .. import fixes, spec
from ..findings import Severity
from ..spec import KeySpec, Kind, VType
from ..suggest import closest_sure
from ..yamltree import YNode
from .models import check_model
from .report import E, Report, W, expect, type_name
from .samples import PLUGIN, agent, catalog
from .tools import check_tools

if TYPE_CHECKING:
    import datetime as dt

RULES = table(
    Rule(
        "AGT014",
        "value-type",
        W,
        "A value has the wrong type.",
        "Claude Code ignores or misreads a value of the wrong type.",
        example=Example(text=agent("maxTurns: many\n")),
        fix="Write the type the key takes: `maxTurns: 20`.",
    ),
    Rule(
        "AGT020",
        "unknown-key",
        W,
        "Claude Code does not know this key.",
        "Unknown keys (often typos such as `tool` or `allowedTools`) are silently ignored.",
        example=Example(text=agent("allowedTools: Read, Grep\n")),
        fix="Use the key Claude Code reads: `tools` (quick fix renames).",
        applicability="safe",
        tags=frozenset({"version"}),
    ),
    Rule(
        "AGT021",
        "plugin-ignored-key",
        W,
        "Plugin agents ignore this key.",
        "For security, plugin agents drop `hooks`, `mcpServers` and `permissionMode`.",
        example=Example(
            text=agent("permissionMode: plan\n"), path="agents/reviewer.md", files=PLUGIN
        ),
        fix="Remove the key, or ship the agent in .claude/agents/ instead of a plugin.",
    ),
    Rule(
        "AGT022",
        "command-ignored-key",
        W,
        "Commands ignore this key.",
        "A command's name comes from its file name; `paths` applies to skills only.",
        example=Example(
            text="---\nname: deploy\ndescription: Deploy the app.\n---\nDeploy it.\n",
            path=".claude/commands/deploy.md",
        ),
        fix="Remove the key (quick fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT030",
        "invalid-value",
        W,
        "The value is not one Claude Code accepts.",
        "An invalid enum value is ignored, so the setting does not take effect.",
        example=Example(text=agent("permissionMode: acceptedits\n")),
        fix="Use a listed value: `acceptEdits` (safe fix).",
        applicability="safe",
        tags=frozenset({"version"}),
    ),
    Rule(
        "AGT034",
        "hooks-invalid",
        W,
        "The hooks configuration is malformed.",
        "Malformed hooks never run; `hooks: []` even makes Claude Code drop the agent.",
        example=Example(text=agent("hooks:\n  PreTool: []\n")),
        fix="Use a real event (`PreToolUse`) and `{matcher, hooks}` entries.",
        applicability="unsafe",
    ),
    Rule(
        "AGT035",
        "hooks-empty-list",
        E,
        "`hooks` is an empty list.",
        "Claude Code silently drops an agent whose `hooks` is `[]` (it must be a mapping).",
        example=Example(text=agent("hooks: []\n")),
        fix="Remove the key or write a mapping (safe fix: `hooks: {}`).",
        applicability="safe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT080",
        "catalog-field-type",
        W,
        "A catalog field has the wrong type.",
        "Each field takes a value or a list of values (strings).",
        example=Example(text=catalog("subTopics: {a: 1}\n"), path="notes/backend-developer.md"),
        fix="Write a value or a list of values.",
    ),
    Rule(
        "AGT081",
        "catalog-date",
        W,
        "Not an ISO date (YYYY-MM-DD).",
        "Catalog tools sort and filter by these dates; other formats are misread.",
        example=Example(
            text=catalog("dateCreated: 02/09/2025\n"), path="notes/backend-developer.md"
        ),
        fix="Write `2025-09-02`.",
    ),
)


@emits("AGT014", "AGT020", "AGT021", "AGT022")
def check_keys(r: Report) -> None:
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
        if mapping.key_node(name) is not k:
            continue  # set again later: Claude Code ignores this value (AGT008 says so)
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


@emits("AGT020")
def _unknown_key(
    r: Report, k: YNode, known: Mapping[str, KeySpec], aliases: Mapping[str, str]
) -> None:
    name = str(k.value)
    target, sure = (aliases[name], True) if name in aliases else closest_sure(name, known)
    where = r.described.label
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


def _check_string(r: Report, key: KeySpec, node: YNode) -> None:
    if key.name in ("name", "description") and r.fk.kind is Kind.SUBAGENT:
        return  # the subagent checks own these: they decide whether the agent loads at all
    if node.is_scalar and node.value is None:
        return
    if expect(r, key, node, node.is_scalar and isinstance(node.value, str), "a string"):
        _max_len(r, key, node)


@emits("AGT062")
def _max_len(r: Report, key: KeySpec, node: YNode) -> None:
    if key.max_len is not None and len(node.text) > key.max_len:
        r.add(
            "AGT062",
            node.span,
            f"`{key.name}` has {len(node.text)} characters; at most {key.max_len} are allowed.",
        )


_YES_NO = {"yes": True, "no": False, "on": True, "off": False, "y": True, "n": False}


@emits("AGT014")
def _check_bool(r: Report, key: KeySpec, node: YNode) -> None:
    if node.is_scalar and isinstance(node.value, bool):
        return
    fix = None
    if node.is_scalar and isinstance(node.value, str) and node.value.lower() in _YES_NO:
        word = "true" if _YES_NO[node.value.lower()] else "false"
        fix = fixes.replace(node.span, word, f"Write `{word}`")
    r.add(
        "AGT014",
        node.span,
        f"`{key.name}` must be `true` or `false`, not {type_name(node)}"
        + (" (`yes`/`no` are strings in YAML 1.2, which Claude Code uses)." if fix else "."),
        fix,
    )


@emits("AGT014")
def _check_positive_int(r: Report, key: KeySpec, node: YNode) -> None:
    v = node.value if node.is_scalar else None
    if isinstance(v, int) and not isinstance(v, bool) and v > 0:
        return
    r.add("AGT014", node.span, f"`{key.name}` must be a positive whole number.")


@emits("AGT014")
def _check_string_list(r: Report, key: KeySpec, node: YNode) -> None:
    if node.kind == "sequence":
        for item in node.items:
            expect(r, key, item, item.is_scalar and isinstance(item.value, str), "a list of names")
        return
    if node.is_scalar and isinstance(node.value, str):
        r.add(
            "AGT014",
            node.span,
            f"`{key.name}` must be a YAML list (one `- name` per line), not a string.",
        )
        return
    expect(r, key, node, False, "a list of names")


@emits("AGT014")
def _check_str_or_list(r: Report, key: KeySpec, node: YNode) -> None:
    if node.kind == "sequence":
        for item in node.items:
            expect(r, key, item, item.is_scalar and isinstance(item.value, str), "a string")
        return
    expect(
        r,
        key,
        node,
        node.is_scalar and isinstance(node.value, str | type(None)),
        "a string or a list",
    )


def _check_mapping(r: Report, key: KeySpec, node: YNode) -> None:
    expect(r, key, node, node.kind == "mapping", "a mapping")


@emits("AGT030")
def _check_enum(r: Report, key: KeySpec, node: YNode) -> None:
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
        f"`{text or type_name(node)}` is not a valid `{key.name}`"
        + (f": did you mean `{guess}`?" if guess else f"; use one of: {', '.join(names)}."),
        fixes.replace(node.span, guess, f"Change to `{guess}`", safe=sure) if guess else None,
    )


@emits("AGT034", "AGT035")
def _check_hooks(r: Report, key: KeySpec, node: YNode) -> None:
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


@emits("AGT034")
def _check_hook_entry(r: Report, entry: YNode) -> None:
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


@emits("AGT014")
def _check_mcp_servers(r: Report, key: KeySpec, node: YNode) -> None:
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


_ISO_DATE = LazyPattern(r"\d{4}-\d{2}-\d{2}\Z")


def parse_date(node: YNode) -> dt.date | None:
    if not (node.is_scalar and isinstance(node.value, str) and _ISO_DATE.match(node.value)):
        return None
    import datetime as dt  # only when a date is there to read

    try:
        return dt.date.fromisoformat(node.value)
    except ValueError:
        return None


@emits("AGT081")
def _check_date(r: Report, key: KeySpec, node: YNode) -> None:
    if parse_date(node) is None:
        r.add("AGT081", node.span, f"`{key.name}` must be an ISO date such as 2025-09-02.")


@emits("AGT080")
def _check_catalog_field(r: Report, key: KeySpec, node: YNode) -> None:
    def scalar_ok(n: YNode) -> bool:
        return n.is_scalar and n.value is not None and not isinstance(n.value, bool)

    if node.kind == "sequence":
        for item in node.items:
            if not scalar_ok(item):
                r.add("AGT080", item.span, f"Each `{key.name}` entry must be a plain value.")
    elif not scalar_ok(node):
        r.add("AGT080", node.span, f"`{key.name}` takes a value or a list of values.")


def _no_check(r: Report, key: KeySpec, node: YNode) -> None:
    return


VALUE_CHECKS: dict[VType, Callable[[Report, KeySpec, YNode], None]] = {
    VType.STRING: _check_string,
    VType.BOOL: _check_bool,
    VType.POSITIVE_INT: _check_positive_int,
    VType.TOOLS: check_tools,
    VType.SKILL_TOOLS: check_tools,
    VType.STRING_LIST: _check_string_list,
    VType.STR_OR_LIST: _check_str_or_list,
    VType.ENUM: _check_enum,
    VType.MODEL: check_model,
    VType.HOOKS: _check_hooks,
    VType.MCP_SERVERS: _check_mcp_servers,
    VType.MAPPING: _check_mapping,
    VType.DATE: _check_date,
    VType.CATALOG_FIELD: _check_catalog_field,
    VType.ANY: _no_check,
}
