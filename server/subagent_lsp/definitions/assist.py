"""What to show on hover and offer on completion, at a position of a Document (no LSP types)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import config_assist, spec
from .checks import split_tools
from .document import TOP_KEY, Document
from .findings import Finding, Position, Span
from .imports import import_at, import_markdown
from .kinds import FileKind
from .rules import RULES
from .rules.catalog import agent_markdown, described_agent, title_line
from .spec import KeySpec, Kind, ToolStatus, VType
from .workspace import FileResult
from .yamltree import YNode


@dataclass(frozen=True)
class HoverInfo:
    markdown: str
    span: Span


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # key | value | tool | model | snippet
    detail: str
    documentation: str
    insert_text: str
    snippet: bool
    replace: Span
    sort: str = ""


def key_markdown(key: KeySpec, kind: Kind, plugin: bool = False) -> str:
    parts = [f"**`{key.name}`** ({kind.value}) — {key.doc}", "", f"*Type:* {key.vtype.value}"]
    if key.required:
        parts.append("*Required.*")
    if key.values:
        parts.append("*Values:* " + ", ".join(f"`{v.value}`" for v in key.values))
    if key.default:
        parts.append(f"*Default:* {key.default}")
    if key.since:
        parts.append(f"*Since:* {key.since}")
    if kind is Kind.SUBAGENT and not key.plugin_ok:
        parts.append("*Ignored for plugin agents.*" if plugin else "*Not for plugin agents.*")
    if key.anchor:
        parts.append(f"[Claude Code docs]({key.url})")
    return "  \n".join(parts)


def tool_markdown(name: str) -> str | None:
    fact = spec.tool_index().get(name)
    if fact is None:
        if name.startswith(spec.MCP_PREFIX):
            return f"**`{name}`** — an MCP tool (`mcp__<server>__<tool>`, `mcp__<server>` or `*`)."
        return None
    text = f"**`{fact.name}`** (tool) — {fact.doc}"
    if fact.status is ToolStatus.REMOVED:
        text += f"  \n*Removed* ({fact.until}); use `{fact.replacement}`."
    elif fact.status is ToolStatus.ALIAS:
        text += f"  \n*Alias* of `{fact.replacement}`."
    if fact.since:
        text += f"  \n*Since:* v{fact.since}"
    if fact.removed_from_subagents:
        text += "  \n*Never available to subagents.*"
    return text


def model_markdown(name: str) -> str | None:
    alias = spec.model_alias(name)
    if alias is not None:
        release = f"Claude Code v{spec.MODEL_FACTS_RELEASE}"
        target = spec.ALIAS_TO_MODEL_ID.get(alias.name)
        if target:
            extra = f"  \nIn {release} it resolves to `{target}` (measured)."
        elif alias.name == "inherit":
            extra = f"  \nIn {release} a default session runs on `{spec.DEFAULT_MODEL_ID}`."
        else:
            extra = ""
        return f"**`{alias.name}`** (model alias) — {alias.doc}{extra}"
    if spec.is_known_model_id(name):
        retired = spec.deprecated_models().get(name)
        note = f"  \n*Deprecated:* end of life {retired}." if retired else ""
        return f"**`{name}`** — a Claude model id known to the installed anthropic SDK.{note}"
    return None


def _node_at(node: YNode, pos: Position) -> bool:
    return node.span.contains(pos)


def hover(
    doc: Document, fk: FileKind, pos: Position, findings: Sequence[Finding] = ()
) -> HoverInfo | None:
    parts: list[str] = []
    span: Span | None = None
    if fk.kind in spec.JSON_KINDS:
        at = config_assist.hover(doc, fk.kind, pos)
        if at is not None:
            parts.append(at[0])
            span = at[1]
    mapping = None if fk.kind in spec.JSON_KINDS else doc.mapping
    if mapping is not None:
        keys = spec.key_index(fk.kind)
        for k, v in mapping.pairs:
            key = keys.get(k.text) if k.is_scalar else None
            if _node_at(k, pos) and key is not None:
                parts.append(key_markdown(key, fk.kind, fk.plugin))
                span = k.span
            elif _node_at(v, pos) and key is not None:
                found = _value_hover(doc, key, v, pos)
                if found is not None:
                    parts.append(found.markdown)
                    span = found.span
    if fk.kind is Kind.CATALOG and _on_title_or_alias(doc, pos):
        facts = described_agent(doc)
        if facts is not None:
            parts.append(agent_markdown(facts))
            span = span or doc.line_span(pos.line)
    if fk.kind is Kind.MEMORY:
        imp = import_at(doc.path, doc.lines, doc.body_start_line, pos.line, pos.column)
        if imp is not None:
            parts.append(import_markdown(imp))
            span = imp.span
    for f in findings:
        if f.span.contains(pos):
            rule = RULES[f.code]
            parts.append(f"**{rule.code}** `{rule.name}` — {rule.summary} {rule.why}")
            span = span or f.span
    if not parts or span is None:
        return None
    return HoverInfo("\n\n---\n\n".join(parts), span)


def _on_title_or_alias(doc: Document, pos: Position) -> bool:
    if pos.line == title_line(doc):
        return True
    aliases = doc.get("aliases")
    return aliases is not None and aliases.span.start.line <= pos.line <= aliases.span.end.line


def _value_hover(doc: Document, key: KeySpec, node: YNode, pos: Position) -> HoverInfo | None:
    if key.vtype in (VType.TOOLS, VType.SKILL_TOOLS):
        for entry in split_tools(doc, node, key.vtype is VType.SKILL_TOOLS):
            if entry.span.contains(pos):
                text = tool_markdown(entry.text.split("(", 1)[0])
                return HoverInfo(text, entry.span) if text else None
        return None
    if not node.is_scalar:
        return None
    if key.vtype is VType.MODEL:
        text = model_markdown(node.text)
        return HoverInfo(text, node.span) if text else None
    for value in key.values:
        if value.value == node.text:
            since = f"  \n*Since:* v{value.since}" if value.since else ""
            return HoverInfo(f"**`{value.value}`** — {value.doc}{since}", node.span)
    return None


# --- completion ----------------------------------------------------------------------------

_KEY_PREFIX = re.compile(r"[A-Za-z_-]*\Z")
_KEY_VALUE = re.compile(TOP_KEY + r"[ \t]*(.*)\Z")  # a top-level key and the value typed so far
_LIST_ITEM = re.compile(r"[ \t]+-[ \t]*(.*)\Z")


def in_frontmatter(doc: Document, line: int) -> bool:
    fm = doc.frontmatter
    if fm is None:
        return False
    end = doc.body_start_line - 1 if fm.close_span is not None else doc.body_start_line
    return fm.first_line <= line < max(end, fm.first_line + 1)


@dataclass(frozen=True)
class Candidates:
    """The workspace's names that values complete to."""

    agents: tuple[str, ...] = ()
    mcp_servers: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()

    @classmethod
    def of(cls, results: Iterable[FileResult]) -> Candidates:
        results = list(results)
        return cls(
            agents=tuple(sorted({r.agent_name[0] for r in results if r.agent_name})),
            mcp_servers=tuple(sorted({s for r in results for s in r.mcp_servers})),
            skills=tuple(
                sorted(
                    {
                        os.path.basename(os.path.dirname(r.path))
                        for r in results
                        if r.kind is not None and r.kind.kind is Kind.SKILL
                    }
                )
            ),
        )


def complete_in_workspace(
    doc: Document, fk: FileKind, pos: Position, results: Iterable[FileResult]
) -> list[Completion]:
    """Completions at ``pos``, with agent, skill and MCP server names from ``results``."""
    names = Candidates.of(results)
    return complete(doc, fk, pos, names.agents, names.mcp_servers, names.skills)


def complete(
    doc: Document,
    fk: FileKind,
    pos: Position,
    agent_names: Sequence[str] = (),
    mcp_servers: Sequence[str] = (),
    skill_names: Sequence[str] = (),
) -> list[Completion]:
    if fk.kind in spec.JSON_KINDS:
        return [
            Completion(
                i.label, i.kind, i.detail, i.documentation, i.insert_text, False, i.replace, i.sort
            )
            for i in config_assist.complete(doc, fk.kind, pos)
        ]
    line = doc.lines[pos.line] if pos.line < len(doc.lines) else ""
    prefix = line[: pos.column]
    if doc.frontmatter is None and pos.line == 0 and fk.kind not in (Kind.CATALOG, Kind.MEMORY):
        return [_skeleton(pos)]
    if not in_frontmatter(doc, pos.line):
        return []
    keys = spec.key_index(fk.kind)
    if _KEY_PREFIX.match(prefix):
        return _key_items(doc, fk, pos, prefix)
    m = _KEY_VALUE.match(prefix)
    item = _LIST_ITEM.match(prefix)
    if m is not None and m.group(1) in keys:
        key, typed = keys[m.group(1)], m.group(2)
    elif item is not None:
        parent = _parent_key(doc, pos.line)
        if parent is None or parent not in keys:
            return []
        key, typed = keys[parent], item.group(1)
    else:
        return []
    start = pos.column - len(typed)
    if key.vtype in (VType.TOOLS, VType.SKILL_TOOLS) and m is not None:
        cut = max(typed.rfind(","), typed.rfind(" ") if key.vtype is VType.SKILL_TOOLS else -1)
        start = pos.column - len(typed) + cut + 1
        while start < pos.column and line[start] == " ":
            start += 1
    replace = Span(Position(pos.line, start), pos)
    subagent = fk.kind is Kind.SUBAGENT
    return _value_items(key, replace, agent_names, mcp_servers, skill_names, subagent)


def _skeleton(pos: Position) -> Completion:
    body = '---\nname: ${1:agent-name}\ndescription: "${2:Use this agent when ...}"\n---\n$0'
    return Completion(
        "---",
        "snippet",
        "frontmatter with name and description",
        "Start an agent definition.",
        body,
        True,
        Span(Position(pos.line, 0), pos),
    )


def _key_items(doc: Document, fk: FileKind, pos: Position, prefix: str) -> list[Completion]:
    present = set()
    if doc.mapping is not None:
        present = {k.text for k, _ in doc.mapping.pairs if k.is_scalar}
    items = []
    for index, key in enumerate(spec.KEYS_BY_KIND[fk.kind]):
        if key.name in present or key.ignored:
            continue
        if fk.plugin and fk.kind is Kind.SUBAGENT and not key.plugin_ok:
            continue
        snippet = key.snippet or f"{key.name}: $1"
        items.append(
            Completion(
                key.name,
                "key",
                key.vtype.value + (" (required)" if key.required else ""),
                key_markdown(key, fk.kind, fk.plugin),
                snippet,
                True,
                Span(Position(pos.line, pos.column - len(prefix)), pos),
                sort=f"{0 if key.required else 1}{index:02d}",
            )
        )
    return items


def _parent_key(doc: Document, line: int) -> str | None:
    for i in range(line - 1, -1, -1):
        m = _KEY_VALUE.match(doc.lines[i])
        if m is not None:
            return m.group(1)
        if doc.lines[i].strip() == "---":
            return None
    return None


def _value_items(
    key: KeySpec,
    replace: Span,
    agent_names: Sequence[str],
    mcp_servers: Sequence[str],
    skill_names: Sequence[str],
    subagent: bool = False,
) -> list[Completion]:
    def item(label: str, kind: str, detail: str, doc: str, sort: str = "") -> Completion:
        return Completion(label, kind, detail, doc, label, False, replace, sort or label)

    if key.vtype is VType.ENUM:
        return [item(v.value, "value", key.name, v.doc) for v in key.values]
    if key.vtype is VType.BOOL:
        return [item(b, "value", key.name, "") for b in ("true", "false")]
    if key.vtype is VType.MODEL:
        aliases = [
            item(a.name, "model", "alias", a.doc, f"0{i:02d}")
            for i, a in enumerate(spec.MODEL_ALIASES)
            if a.subagent_ok or not subagent  # `default` fails in a subagent (2.1.332)
        ]
        retired = spec.deprecated_models()
        ids = [
            item(m, "model", "model id", model_markdown(m) or "", f"1{m}")
            for m in spec.known_model_ids()
            if m not in retired
        ]
        return aliases + ids
    if key.vtype in (VType.TOOLS, VType.SKILL_TOOLS):
        tools = [
            item(t.name, "tool", "tool", t.doc)
            for t in spec.TOOLS
            if t.status is ToolStatus.CURRENT
        ]
        tools += [
            item(f"mcp__{s}", "tool", "MCP server", f"Every tool of `{s}`.") for s in mcp_servers
        ]
        if key.name == "tools":
            tools += [
                item(f"Agent({a})", "tool", "spawn this agent", f"Lets it spawn `{a}`.")
                for a in agent_names
            ]
        return tools
    if key.name == "agent":
        return [item(a, "value", "agent", "") for a in agent_names]
    if key.name == "skills":
        return [item(s, "value", "skill", "") for s in skill_names]
    if key.vtype is VType.MCP_SERVERS:
        return [item(s, "value", "MCP server", "") for s in mcp_servers]
    return []
