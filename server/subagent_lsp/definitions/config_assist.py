"""Hover and completion in Claude Code's JSON configuration files (settings, .mcp.json, plugin
manifests, plugin hooks): where the cursor is in the JSON tree, and what the facts say there.
No LSP types; assist.py turns these into its own HoverInfo and Completion."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import configspec as cs
from . import spec
from .document import Document
from .findings import Position, Span
from .settings_keys import SETTING_ENUMS
from .spec import Kind
from .yamltree import YNode

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Item:
    label: str
    kind: str  # key | value | tool | model
    detail: str
    documentation: str
    insert_text: str
    replace: Span
    sort: str = ""


def _inside(node: YNode, pos: Position) -> bool:
    s = node.span
    if node.kind == "scalar":
        return s.start <= pos < s.end or s.start == s.end == pos
    return s.start < pos <= s.end  # an object or array that is still open ends at the text's end


def locate(root: YNode | None, pos: Position) -> tuple[Path, YNode | None, bool]:
    """(path to the node under ``pos``, that node, whether it is a key). For a position inside
    an object or array but on no node, the path is the container's and the node None."""
    path: list[str | int] = []
    node = root
    while node is not None and node.kind != "scalar":
        nxt: YNode | None = None
        if node.kind == "mapping":
            for k, v in node.pairs:
                if _inside(k, pos):
                    return (*path, k.text), k, True
                if _inside(v, pos):
                    path.append(k.text)
                    nxt = v
                    break
        else:
            for i, item in enumerate(node.items):
                if _inside(item, pos):
                    path.append(i)
                    nxt = item
                    break
        if nxt is None:
            return tuple(path), None, False
        node = nxt
    return tuple(path), node, False


# --- What a path means ----------------------------------------------------------------------


def _hooks_base(kind: Kind) -> int | None:
    """Where `hooks` sits: settings and plugin hooks.json both at the top."""
    return 0 if kind in (Kind.SETTINGS, Kind.PLUGIN_HOOKS) else None


def key_doc(kind: Kind, path: Path) -> str | None:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return None
    if kind is Kind.SETTINGS:
        if names[0] == "hooks" and len(path) >= 2:
            return _hook_key_doc(path[1:])
        dotted = ".".join(names[:2]) if names[0] in ("permissions",) else names[0]
        fact = cs.setting_index().get(dotted) if len(path) <= 2 else None
        if fact is None:
            return None
        scope = "" if fact.scope == "any" else f"  \n*Only in:* {fact.scope.replace('-', ', ')}"
        return (
            f"**`{fact.name}`** (settings) — {fact.doc}  \n*Type:* {fact.vtype}{scope}  \n"
            f"[Claude Code docs]({cs.SETTINGS_DOC}#{fact.anchor})"
        )
    if kind is Kind.PLUGIN_HOOKS and names[0] == "hooks" and len(path) >= 2:
        return _hook_key_doc(path[1:])
    if kind is Kind.MCP and len(path) == 3 and path[0] == "mcpServers":
        return _MCP_FIELDS.get(str(path[2]))
    if kind is Kind.MCP and len(path) == 2 and path[0] == "mcpServers":
        return f"**`{path[1]}`** — an MCP server; its tools are `mcp__{path[1]}__<tool>`."
    keys = {
        Kind.PLUGIN_MANIFEST: cs.PLUGIN_KEYS,
        Kind.MARKETPLACE: cs.MARKETPLACE_KEYS,
    }.get(kind)
    if keys is None or len(path) != 1:
        return None
    fact_ = cs.manifest_index(keys).get(names[0])
    if fact_ is None:
        return None
    doc = cs.PLUGINS_DOC if kind is Kind.PLUGIN_MANIFEST else cs.MARKETPLACE_DOC
    extra = "  \n*Required.*" if fact_.required else ""
    extra += f"  \n*Since:* v{fact_.since}" if fact_.since else ""
    return f"**`{fact_.name}`** — {fact_.doc}{extra}  \n[Claude Code docs]({doc})"


def _hook_key_doc(rest: Path) -> str | None:
    event = cs.hook_event_index().get(str(rest[0]))
    if len(rest) == 1:
        return _event_doc(event) if event else None
    last = rest[-1]
    if last == "matcher" and event is not None:
        return (
            f"**`matcher`** — filters {event.matcher} for `{event.name}`."
            if event.matcher
            else f"**`matcher`** — `{event.name}` takes no matcher; it is ignored."
        )
    if last == "if":
        return (
            "**`if`** — one permission rule (`Bash(git *)`); the hook runs only when the tool "
            "call matches. Evaluated on tool events only."
        )
    if isinstance(last, str):
        return _HANDLER_FIELDS.get(last)
    return None


def _event_doc(event: cs.HookEvent) -> str:
    matcher = f"*Matcher:* {event.matcher}" if event.matcher else "*No matcher* (always fires)"
    since = f"  \n*Since:* v{event.since}" if event.since else ""
    return (
        f"**`{event.name}`** (hook event)  \n{matcher}{since}  \n"
        f"[Claude Code docs]({cs.HOOKS_DOC}#{event.name.lower()})"
    )


_HANDLER_FIELDS = {
    "type": "**`type`** — " + ", ".join(f"`{h.name}`: {h.doc}" for h in cs.HANDLER_TYPES),
    "command": "**`command`** — the shell command (or, with `args`, the executable).",
    "args": "**`args`** — argument list: exec form, no shell.",
    "url": "**`url`** — where an `http` hook POSTs the event's JSON.",
    "server": "**`server`** — the connected MCP server an `mcp_tool` hook calls.",
    "tool": "**`tool`** — the tool an `mcp_tool` hook calls.",
    "prompt": "**`prompt`** — the prompt of a `prompt` or `agent` hook (`$ARGUMENTS`: the input).",
    "timeout": "**`timeout`** — seconds before the hook is cancelled.",
    "async": "**`async`** — run in the background without blocking.",
    "statusMessage": "**`statusMessage`** — spinner text while the hook runs.",
}
_MCP_FIELDS = {
    "type": "**`type`** — "
    + ", ".join(f"`{t.value}`: {t.doc}" for t in cs.MCP_TYPES)
    + " Without it the entry is read as stdio.",
    "command": "**`command`** — the executable a stdio server is started with.",
    "args": "**`args`** — the stdio server's arguments.",
    "env": "**`env`** — environment variables for the stdio server (`${VAR}` expands).",
    "url": "**`url`** — the remote server's endpoint (needs `type`: http, sse or ws).",
    "headers": "**`headers`** — HTTP headers sent to a remote server (`${VAR}` expands).",
}


def value_doc(kind: Kind, path: Path, value: YNode) -> str | None:
    text = value.text if isinstance(value.value, str) else None
    if text is None:
        return None
    last = path[-1] if path else None
    if kind is Kind.SETTINGS and path[:2] == ("permissions", "defaultMode"):
        mode = next((m for m in cs.PERMISSION_MODES if m.value == text), None)
        return f"**`{text}`** (permission mode) — {mode.doc}" if mode else None
    if kind is Kind.SETTINGS and len(path) == 3 and path[0] == "permissions":
        return _rule_doc(text)
    if kind is Kind.SETTINGS and path[:1] == ("model",):
        alias = spec.model_alias(text)
        return f"**`{text}`** (model alias) — {alias.doc}" if alias else None
    if last == "type" and kind is Kind.MCP:
        t = next((t for t in cs.MCP_TYPES if t.value == text), None)
        return f"**`{text}`** (MCP transport) — {t.doc}" if t else None
    if last == "type":
        h = cs.handler_index().get(text)
        return (
            f"**`{text}`** (hook handler) — {h.doc} Needs: "
            + ", ".join(f"`{f}`" for f in h.required)
            if h
            else None
        )
    if last == "if":
        return _rule_doc(text)
    return None


def _rule_doc(rule: str) -> str | None:
    tool = rule.split("(", 1)[0].strip()
    fact = spec.tool_index().get(tool)
    if fact is not None:
        return f"**`{fact.name}`** (tool) — {fact.doc}"
    if tool.startswith(spec.MCP_PREFIX):
        parts = tool[len(spec.MCP_PREFIX) :].split("__", 1)
        what = f"tool `{parts[1]}` of" if len(parts) > 1 else "every tool of"
        return f"**`{tool}`** — the MCP {what} server `{parts[0]}` (see `.mcp.json`)."
    return None


def hover(doc: Document, kind: Kind, pos: Position) -> tuple[str, Span] | None:
    path, node, is_key = locate(doc.root, pos)
    if node is None:
        return None
    text = key_doc(kind, path) if is_key else value_doc(kind, path, node)
    return (text, node.span) if text else None


# --- Completion ----------------------------------------------------------------------------
_KEY_TYPED = re.compile(r'(?:^|[{,])\s*("?)([A-Za-z0-9_$.\-]*)\Z')
_VALUE_TYPED = re.compile(r'"([^"\\]+)"\s*:\s*("?)([^"\\]*)\Z')
_ITEM_TYPED = re.compile(r'(?:\[|,)\s*("?)([^"\\]*)\Z')


def keys_for(kind: Kind, path: Path) -> list[tuple[str, str]]:
    """(key, doc) pairs an object at ``path`` takes."""
    if kind is Kind.SETTINGS and not path:
        return [(k.name, k.doc) for k in cs.setting_index().values() if "." not in k.name]
    if kind is Kind.SETTINGS and path == ("permissions",):
        return [(k, "") for k in cs.PERMISSION_KEYS]
    hooks_at = 1 if kind in (Kind.SETTINGS, Kind.PLUGIN_HOOKS) and path[:1] == ("hooks",) else 0
    if hooks_at and len(path) == 1:
        return [(e.name, e.matcher or "no matcher") for e in cs.HOOK_EVENTS]
    if hooks_at and len(path) == 3:
        return [(k, "") for k in cs.MATCHER_GROUP_KEYS]
    if hooks_at and len(path) == 5:
        return [(k, "") for k in (*cs.HANDLER_COMMON, "command", "url", "server", "tool", "prompt")]
    if kind is Kind.PLUGIN_HOOKS and not path:
        return [(k, "") for k in cs.PLUGIN_HOOKS_KEYS]
    if kind is Kind.MCP and not path:
        return [("mcpServers", "MCP servers by name")]
    if kind is Kind.MCP and len(path) == 2 and path[0] == "mcpServers":
        return [(k, "") for k in dict.fromkeys((*cs.MCP_STDIO_KEYS, *cs.MCP_REMOTE_KEYS))]
    if kind is Kind.PLUGIN_MANIFEST and not path:
        return [(k.name, k.doc) for k in cs.PLUGIN_KEYS]
    if kind is Kind.MARKETPLACE and not path:
        return [(k.name, k.doc) for k in cs.MARKETPLACE_KEYS]
    return []


def values_for(kind: Kind, path: Path, key: str) -> list[tuple[str, str, str]]:
    """(value, item kind, doc) a string value of ``key`` in the object at ``path`` takes."""
    if kind is Kind.SETTINGS and path == ("permissions",) and key == "defaultMode":
        return [(m.value, "value", m.doc) for m in cs.PERMISSION_MODES]
    if kind is Kind.SETTINGS and not path and key == "model":
        return [(a.name, "model", a.doc) for a in spec.MODEL_ALIASES]
    if kind is Kind.SETTINGS and not path and key in SETTING_ENUMS:
        return [(v, "value", "") for v in SETTING_ENUMS[key][0] if "<" not in v]
    if key == "type" and kind is Kind.MCP:
        return [(t.value, "value", t.doc) for t in cs.MCP_TYPES]
    if key == "type" and path[:1] == ("hooks",):
        return [(h.name, "value", h.doc) for h in cs.HANDLER_TYPES]
    return []


def complete(doc: Document, kind: Kind, pos: Position) -> list[Item]:
    line = doc.lines[pos.line] if pos.line < len(doc.lines) else ""
    before, after = line[: pos.column], line[pos.column :]
    path, node, is_key = locate(doc.root, pos)
    if node is not None and not is_key and node.kind == "scalar":
        path = path[:-1]  # on a value: its container holds the key
    closing = 1 if after.startswith('"') else 0
    value = _VALUE_TYPED.search(before)
    if value is not None:
        start = pos.column - len(value.group(3)) - len(value.group(2))
        span = Span.of(pos.line, start, pos.line, pos.column + closing)
        return [
            Item(v, k, value.group(1), d, f'"{v}"', span, f"{i:03d}")
            for i, (v, k, d) in enumerate(values_for(kind, path, value.group(1)))
        ]
    item = _ITEM_TYPED.search(before)
    if item is not None and _rule_list(kind, path):
        start = pos.column - len(item.group(2)) - len(item.group(1))
        span = Span.of(pos.line, start, pos.line, pos.column + closing)
        return [
            Item(t, "tool", "tool", spec.tool_index()[t].doc, f'"{t}"', span, t)
            for t in spec.current_tool_names()
        ]
    typed = _KEY_TYPED.search(before)
    if typed is None:
        return []
    start = pos.column - len(typed.group(2)) - len(typed.group(1))
    span = Span.of(pos.line, start, pos.line, pos.column + closing)
    present = _present_keys(doc.root, path)
    return [
        Item(k, "key", _kind_label(kind), d, f'"{k}": ', span, k)
        for k, d in keys_for(kind, path)
        if k not in present
    ]


def _rule_list(kind: Kind, path: Path) -> bool:
    return (
        kind is Kind.SETTINGS
        and len(path) == 2
        and path[0] == "permissions"
        and (path[1] in cs.PERMISSION_LISTS)
    )


def _present_keys(root: YNode | None, path: Sequence[str | int]) -> set[str]:
    node = root
    for step in path:
        if node is None:
            return set()
        if isinstance(step, int):
            node = node.items[step] if node.kind == "sequence" and step < len(node.items) else None
        else:
            node = node.get(step) if node.kind == "mapping" else None
    if node is None or node.kind != "mapping":
        return set()
    return {k.text for k, _ in node.pairs}


def _kind_label(kind: Kind) -> str:
    return kind.value
