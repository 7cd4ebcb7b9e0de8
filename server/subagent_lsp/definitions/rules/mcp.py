"""`.mcp.json` (and a plugin's inline `mcpServers`): each server's `type`, and the `command` or
`url` it needs. Measured on v2.1.332: an entry with `url` and no `type` is read as stdio and
silently not started; so are a stdio entry without `command` and an unknown `type`."""

from __future__ import annotations

from ...registry import Example, Rule, emits, table
from .. import configspec as cs
from ..findings import Fix, Severity, Span, TextEdit
from ..suggest import closest_sure
from ..yamltree import YNode
from .jsonfile import check_syntax, expect_type, is_str, replace_string, root_object, unknown_keys
from .report import E, Report

MCP_PATH = ".mcp.json"

RULES = table(
    Rule(
        "AGT230",
        "mcp-url-without-type",
        E,
        "An MCP server with a `url` and no `type`: Claude Code never starts it.",
        "Without `type` Claude Code reads the entry as a stdio server, finds no `command`, and "
        "skips it without a word (v2.1.332); its tools never appear.",
        example=Example('{"mcpServers": {"docs": {"url": "https://example.com/mcp"}}}\n', MCP_PATH),
        fix='Add `"type": "http"` (or `"sse"` / `"ws"` for those transports) (quick fix).',
        applicability="unsafe",
    ),
    Rule(
        "AGT231",
        "mcp-server-incomplete",
        E,
        "An MCP server without what its transport needs: `command` (stdio) or `url`.",
        "Claude Code skips the server (v2.1.332): a stdio server needs the `command` to start, "
        "an http, sse or ws server the `url` to connect to.",
        example=Example('{"mcpServers": {"db": {"type": "stdio", "args": ["serve"]}}}\n', MCP_PATH),
        fix="Add `command` (stdio) or `url` (http, sse, ws).",
    ),
    Rule(
        "AGT232",
        "mcp-unknown-type",
        E,
        "An MCP server `type` Claude Code does not have.",
        "Claude Code skips the server (v2.1.332). The transports are stdio, http, sse and ws.",
        example=Example(
            '{"mcpServers": {"docs": {"type": "https", "url": "https://example.com/mcp"}}}\n',
            MCP_PATH,
        ),
        fix="Use `stdio`, `http`, `sse` or `ws` (quick fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT233",
        "mcp-reserved-name",
        E,
        "An MCP server named like one of Claude Code's built-in servers.",
        "Claude Code skips a configured server named `workspace`, `claude-in-chrome`, "
        "`computer-use`, `Claude Preview` or `Claude Browser` and asks to rename it (MCP docs).",
        example=Example('{"mcpServers": {"workspace": {"command": "ws-server"}}}\n', MCP_PATH),
        fix="Rename the server.",
    ),
)


@emits("AGT204")
def check_mcp_file(r: Report) -> None:
    check_syntax(r)
    root = root_object(r, "The .mcp.json file")
    if root is None:
        return
    unknown_keys(r, root, ("mcpServers", cs.SCHEMA_KEY), "`.mcp.json`")
    servers = root.get("mcpServers")
    if servers is not None and expect_type(r, "mcpServers", servers, "object", "an object"):
        check_servers(r, servers)


def check_servers(r: Report, servers: YNode) -> None:
    for key, entry in servers.pairs:
        check_server(r, key, entry)


@emits("AGT230", "AGT231", "AGT232", "AGT233")
def check_server(r: Report, key: YNode, entry: YNode) -> None:
    name = key.text
    if name in cs.MCP_RESERVED_NAMES:
        r.add(
            "AGT233",
            key.span,
            f"`{name}` is reserved for a built-in server: Claude Code skips this one.",
        )
    if not expect_type(r, name, entry, "object", "a server object"):
        return
    kind = entry.get("type")
    url, command = entry.get("url"), entry.get("command")
    if kind is None:
        if url is not None and command is None:
            url_key = entry.key_node("url")
            assert url_key is not None
            r.add(
                "AGT230",
                key.span,
                f"`{name}` has a `url` but no `type`: Claude Code reads it as a stdio server "
                'and never starts it. Add `"type": "http"` (or `sse`, `ws`).',
                _add_type(url_key),
            )
            return
        transport = "stdio"
    elif not is_str(kind) or kind.text not in {t.value for t in cs.MCP_TYPES}:
        names = [t.value for t in cs.MCP_TYPES]
        guess = _type_guess(kind.text) if is_str(kind) else None
        guess = guess or (closest_sure(kind.text, names, 60)[0] if is_str(kind) else None)
        r.add(
            "AGT232",
            kind.span,
            f"Unknown MCP server type `{kind.text}`: Claude Code skips `{name}`. Use "
            + ", ".join(f"`{n}`" for n in names)
            + ".",
            replace_string(kind, guess, f"Change to `{guess}`") if guess else None,
        )
        return
    else:
        transport = kind.text
    if transport == "stdio":
        if command is None or not is_str(command) or not command.text.strip():
            r.add(
                "AGT231",
                (kind or key).span,
                f"The stdio server `{name}` has no `command`: Claude Code cannot start it.",
            )
        known = cs.MCP_STDIO_KEYS
    else:
        if url is None or not is_str(url) or not url.text.strip():
            r.add(
                "AGT231",
                (kind or key).span,
                f"The {transport} server `{name}` has no `url`: Claude Code cannot connect.",
            )
        known = cs.MCP_REMOTE_KEYS
    unknown_keys(r, entry, known, f"the {transport} server `{name}`", Severity.INFORMATION)


def _type_guess(text: str) -> str | None:
    lowered = text.lower()
    if lowered in ("https", "streamable-http", "streamablehttp", "streamable_http", "remote"):
        return "http"
    if lowered in ("websocket", "wss"):
        return "ws"
    if lowered in ("local", "command", "process"):
        return "stdio"
    return None


def _add_type(url_key: YNode) -> Fix:
    s = url_key.span.start
    at = Span.point(s.line, s.column)
    return Fix('Add "type": "http"', (TextEdit(at, '"type": "http", '),), safe=False)
