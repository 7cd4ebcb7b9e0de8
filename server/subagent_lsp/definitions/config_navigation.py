"""Jumps out of Claude Code's configuration: from an MCP tool name (`mcp__github__get_issue` in a
permission rule, a hook matcher or an agent's `tools`) to the server that provides it (the
`mcpServers` entry of the `.mcp.json` files Claude Code would read for that file: the
project's, found upwards, and the workspace roots'), and from a path a plugin manifest lists to
that file."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from .document import Document, parse_document
from .findings import Position, Span

MCP_CONFIG = ".mcp.json"
# A server name runs up to the first `__` (single underscores belong to the name).
_TOOL = re.compile(r"mcp__((?:[A-Za-z0-9-]|_(?!_))+)")


def server_at(line: str, column: int) -> str | None:
    """The MCP server named by the tool name under ``column`` of ``line``."""
    for m in _TOOL.finditer(line):
        if m.start() <= column <= m.end() or _tool_end(line, m.end()) >= column >= m.start():
            return m.group(1)
    return None


def _tool_end(line: str, at: int) -> int:
    end = at
    while end < len(line) and (line[end].isalnum() or line[end] in "_*-"):
        end += 1
    return end


def mcp_configs(path: str, roots: Iterable[str] = ()) -> list[str]:
    """The `.mcp.json` files for ``path``: in its folder and every folder above it, then in
    the workspace roots."""
    found: list[str] = []
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        candidate = os.path.join(folder, MCP_CONFIG)
        if os.path.isfile(candidate):
            found.append(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    for root in roots:
        candidate = os.path.join(os.path.abspath(root), MCP_CONFIG)
        if os.path.isfile(candidate) and candidate not in found:
            found.append(candidate)
    return found


def server_definitions(name: str, configs: Iterable[str]) -> list[tuple[str, Span]]:
    """Where each config defines server ``name``: (path, the key's span)."""
    out: list[tuple[str, Span]] = []
    for path in configs:
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):
            continue
        root = parse_document(path, text).root
        servers = root.get("mcpServers") if root is not None and root.kind == "mapping" else None
        key = servers.key_node(name) if servers is not None and servers.kind == "mapping" else None
        if key is not None:
            out.append((path, key.span))
    return out


def listed_path_at(doc: Document, pos: Position) -> str | None:
    """The file a plugin manifest's component path under ``pos`` names, when it exists."""
    root = doc.root
    if root is None or root.kind != "mapping":
        return None
    plugin_root = os.path.dirname(os.path.dirname(os.path.abspath(doc.path)))
    for _, value in root.pairs:
        items = value.items if value.kind == "sequence" else [value]
        for item in items:
            if item.is_scalar and isinstance(item.value, str) and item.span.contains(pos):
                if not item.value.startswith("./"):
                    return None
                target = os.path.normpath(os.path.join(plugin_root, item.value))
                return target if os.path.isfile(target) else None
    return None


def definitions_at(
    path: str,
    lines: list[str],
    line: int,
    column: int,
    roots: Iterable[str] = (),
    manifest: Document | None = None,
) -> list[tuple[str, Span]]:
    if manifest is not None:
        target = listed_path_at(manifest, Position(line, column))
        if target is not None:
            return [(target, Span.point(0, 0))]
    text = lines[line] if 0 <= line < len(lines) else ""
    name = server_at(text, column)
    if name is None:
        return []
    return server_definitions(name, mcp_configs(path, roots))
