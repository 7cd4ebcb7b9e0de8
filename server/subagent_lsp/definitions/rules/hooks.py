"""Hooks in settings files and in a plugin's `hooks/hooks.json`: event names (with the version
each appeared in), matchers only where the event takes one, handler types and the fields each
requires, and `if` only on tool events."""

from __future__ import annotations

from ...registry import Example, Rule, emits, table
from .. import configspec as cs
from ..findings import Severity
from ..suggest import closest_sure
from ..yamltree import YNode
from .jsonfile import SETTINGS_PATH, expect_type, is_str, replace_string, unknown_keys
from .permissions import check_rule
from .report import Report, W

RULES = table(
    Rule(
        "AGT220",
        "hook-unknown-event",
        W,
        "A hook event Claude Code does not have (or not in the targeted version).",
        'Claude Code logs `Unknown hook event "…" was ignored` and drops every hook under it '
        "(v2.1.332); the rest of the file still loads.",
        example=Example(
            '{"hooks": {"PreToolUs": [{"matcher": "Bash", "hooks": [{"type": "command", '
            '"command": "./check.sh"}]}]}}\n',
            SETTINGS_PATH,
        ),
        fix="Use one of the documented events (quick fix when one is close).",
        applicability="unsafe",
    ),
    Rule(
        "AGT221",
        "hook-matcher-ignored",
        W,
        "A `matcher` on an event that takes none.",
        "Events such as `UserPromptSubmit`, `Stop` or `PostToolBatch` fire on every occurrence; "
        "Claude Code silently ignores a matcher there, so the hook runs more often than written.",
        example=Example(
            '{"hooks": {"Stop": [{"matcher": "Bash", "hooks": [{"type": "command", '
            '"command": "./done.sh"}]}]}}\n',
            SETTINGS_PATH,
        ),
        fix="Remove the matcher, or filter inside the hook.",
    ),
    Rule(
        "AGT222",
        "hook-handler-invalid",
        W,
        "A hook handler Claude Code cannot load: unknown `type` or a required field missing.",
        "Claude Code drops the entry with a logged error (v2.1.332). On `PreToolUse` and "
        "`PermissionRequest`, where a hook can be a permission gate, it skips the whole "
        "settings file instead, so that case is an error.",
        example=Example(
            '{"hooks": {"Stop": [{"hooks": [{"type": "shell", "command": "./done.sh"}]}]}}\n',
            SETTINGS_PATH,
        ),
        fix="Use `command`, `http`, `mcp_tool`, `prompt` or `agent`, with its required fields.",
        applicability="unsafe",
    ),
    Rule(
        "AGT223",
        "hook-if-never-runs",
        W,
        "An `if` on a hook whose event is not a tool event.",
        "`if` is evaluated only on PreToolUse, PostToolUse, PostToolUseFailure, "
        "PermissionRequest and PermissionDenied; on any other event a hook with `if` set never "
        "runs (hooks docs).",
        example=Example(
            '{"hooks": {"UserPromptSubmit": [{"hooks": [{"type": "command", "command": '
            '"./log.sh", "if": "Bash(git *)"}]}]}}\n',
            SETTINGS_PATH,
        ),
        fix="Remove `if`, or move the hook to a tool event.",
    ),
)


@emits("AGT220", "AGT221")
def check_hooks(r: Report, node: YNode) -> None:
    """The `hooks` object: event -> [matcher groups]."""
    if not expect_type(
        r,
        "hooks",
        node,
        "object",
        "an object of event names",
        Severity.WARNING,
        "Claude Code ignores every hook here.",
    ):
        return
    events = cs.hook_event_index()
    for key, groups in node.pairs:
        name = key.text
        event = events.get(name)
        if event is None:
            guess, _ = closest_sure(name, list(events), 75)
            r.add(
                "AGT220",
                key.span,
                f"Unknown hook event `{name}`: Claude Code ignores it and its hooks."
                + (f" Did you mean `{guess}`?" if guess else ""),
                replace_string(key, guess, f"Change to `{guess}`") if guess else None,
            )
            continue
        if not r.opts.on(event.since):
            r.add(
                "AGT220",
                key.span,
                f"`{name}` hooks need Claude Code v{event.since}; v{r.opts.version_text} "
                "ignores them.",
            )
        if not expect_type(
            r, name, groups, "array", "an array of matcher groups", Severity.WARNING
        ):
            continue
        for group in groups.items:
            _group(r, event, group)


@emits("AGT221", "AGT222")
def _group(r: Report, event: cs.HookEvent, group: YNode) -> None:
    gate = event.name in cs.HOOK_FAIL_CLOSED_EVENTS
    severity = Severity.ERROR if gate else None
    if not expect_type(r, event.name, group, "object", "a `{matcher, hooks}` object", severity):
        return
    unknown_keys(r, group, cs.MATCHER_GROUP_KEYS, "a hook matcher group")
    matcher = group.key_node("matcher")
    if matcher is not None and event.matcher is None:
        value = group.get("matcher")
        if not (value is not None and is_str(value) and value.text in ("", "*")):
            r.add(
                "AGT221",
                matcher.span,
                f"`{event.name}` takes no matcher: Claude Code ignores it and runs these hooks "
                "on every occurrence.",
            )
    handlers = group.get("hooks")
    if handlers is None:
        r.add(
            "AGT222",
            group.span if group.span.start.line == group.span.end.line else _brace(group).span,
            "This matcher group has no `hooks` array: Claude Code cannot load it"
            + (", and skips the whole settings file." if gate else " and drops it."),
            severity=severity,
        )
        return
    if not expect_type(r, "hooks", handlers, "array", "an array of hook handlers", severity):
        return
    for handler in handlers.items:
        check_handler(r, event, handler)


_HANDLER_GUESS = {"shell": "command", "bash": "command", "sh": "command", "script": "command"}
_HANDLER_GUESS.update(webhook="http", url="http", mcp="mcp_tool", tool="mcp_tool")


def _brace(node: YNode) -> YNode:
    s = node.span.start
    return YNode("scalar", type(node.span).of(s.line, s.column, s.line, s.column + 1))


@emits("AGT222", "AGT223")
def check_handler(r: Report, event: cs.HookEvent, handler: YNode) -> None:
    gate = event.name in cs.HOOK_FAIL_CLOSED_EVENTS
    severity = Severity.ERROR if gate else None
    lost = "skips the whole settings file" if gate else "drops this hook"
    if not expect_type(r, "a hook handler", handler, "object", "an object", severity):
        return
    kind = handler.get("type")
    types = cs.handler_index()
    if kind is None or not is_str(kind) or kind.text not in types:
        anchor = kind if kind is not None else _brace(handler)
        shown = f"`{kind.text}`" if kind is not None and is_str(kind) else "no type"
        guess = None
        if kind is not None and is_str(kind):
            guess = _HANDLER_GUESS.get(kind.text.lower()) or closest_sure(kind.text, types, 60)[0]
        assert kind is None or anchor is kind
        r.add(
            "AGT222",
            anchor.span,
            f"Hook handler with {shown}: Claude Code {lost}. Valid types: "
            + ", ".join(f"`{t}`" for t in types)
            + ".",
            replace_string(kind, guess, f"Change to `{guess}`")
            if guess and kind is not None
            else None,
            severity=severity,
        )
        return
    spec_ = types[kind.text]
    for field in spec_.required:
        value = handler.get(field)
        if value is None or not is_str(value):
            at = handler.key_node(field) or kind
            r.add(
                "AGT222",
                at.span,
                f"{'An' if kind.text in ('http', 'agent') else 'A'} `{kind.text}` hook needs "
                f"`{field}` (a string): Claude Code {lost}.",
                severity=severity,
            )
    unknown_keys(r, handler, (*cs.HANDLER_COMMON, *spec_.required, *spec_.optional), "a hook")
    condition = handler.get("if")
    if condition is None:
        return
    key = handler.key_node("if")
    assert key is not None
    if not event.tool_event:
        r.add(
            "AGT223",
            key.span,
            f"`if` is evaluated only on tool events; on `{event.name}` a hook with `if` never "
            "runs.",
        )
    elif is_str(condition):
        check_rule(r, condition, "if")
