"""Permission rules (`Tool` or `Tool(specifier)`) in settings' `permissions.allow/ask/deny` and
in a hook's `if`: what Claude Code rejects (it logs the rule and skips it, v2.1.332), rules it
keeps but never matches, and tool names it does not have."""

from __future__ import annotations

from ...records import Record
from ...registry import Example, Rule, emits, table
from .. import configspec as cs
from .. import spec
from ..suggest import closest_sure
from ..yamltree import YNode
from .jsonfile import SETTINGS_PATH, inner, replace_string
from .report import Report, W

RULES = table(
    Rule(
        "AGT210",
        "permission-rule-malformed",
        W,
        "A permission rule Claude Code rejects and skips.",
        "Claude Code validates every rule when it loads settings and drops a malformed one with "
        "a logged error (v2.1.332): unbalanced parentheses, `Tool()`, a lowercase tool name, a "
        "wildcard tool in `allow`, parentheses on an MCP rule, `:*` outside Bash, a WebFetch "
        "rule without `domain:`. The rest of the file still loads, without that rule.",
        example=Example('{"permissions": {"allow": ["Bash(npm run *"]}}\n', SETTINGS_PATH),
        fix="Write `Tool` or `Tool(specifier)` with the closing `)` last.",
    ),
    Rule(
        "AGT211",
        "permission-unknown-tool",
        W,
        "A permission rule names a tool Claude Code does not have.",
        "Claude Code does not check tool names in rules: a misspelled one is kept and never "
        "matches, so an `allow` still prompts and a `deny` blocks nothing.",
        example=Example('{"permissions": {"deny": ["WebFech"]}}\n', SETTINGS_PATH),
        fix="Use the tool's real name (quick fix when one is close).",
        applicability="unsafe",
    ),
    Rule(
        "AGT212",
        "permission-rule-never-matches",
        W,
        "A file rule on a tool that file permission checks never consult.",
        "Only `Edit(path)` and `Read(path)` rules are matched for file access: `Write(path)`, "
        "`NotebookEdit(path)` are covered by Edit rules and `Glob(path)` by Read rules, so "
        "such a rule does nothing (Claude Code warns about it, v2.1.332). So does a "
        "parameter rule on a tool's primary field, such as `Bash(command:rm *)`.",
        example=Example('{"permissions": {"deny": ["Write(./secrets/**)"]}}\n', SETTINGS_PATH),
        fix="Write the rule for `Edit` (edits) or `Read` (reads) instead (quick fix).",
        applicability="unsafe",
    ),
)


class ParsedRule(Record):
    __slots__ = ("content", "error", "tool")

    def __init__(
        self,
        tool: str,
        content: str | None,  # None: no parentheses
        error: str = "",
    ) -> None:
        self.tool = tool
        self.content = content
        self.error = error


def parse_rule(text: str) -> ParsedRule:
    """Claude Code's reading: `Tool`, or `Tool(content)` ending at the closing `)`; parentheses
    inside the content are literal. Backslash-escaped parentheses do not count."""
    rule = text.strip()
    if not rule:
        return ParsedRule("", None, "A permission rule cannot be empty.")
    opening = _unescaped(rule, "(")
    if opening == -1:
        return ParsedRule(rule, None)
    tool, content = rule[:opening], rule[opening + 1 :]
    if not content.endswith(")") or content.endswith("\\)"):
        return ParsedRule(
            tool,
            content,
            "Malformed rule: it must end at its closing `)` (`Tool(specifier)`).",
        )
    content = content[:-1]
    if not tool:
        return ParsedRule("", content, "Parentheses with no tool name before them.")
    return ParsedRule(tool, content)


def _unescaped(text: str, char: str) -> int:
    i = text.find(char)
    while i > 0 and text[i - 1] == "\\":
        i = text.find(char, i + 1)
    return i


def _problem(parsed: ParsedRule, listed_in: str) -> str:
    """Claude Code's own validation, in its order (2.1.332); "" when it accepts the rule."""
    if parsed.error:
        return parsed.error
    tool, content = parsed.tool, parsed.content
    if content == "":
        return f"Empty parentheses: write `{tool}` alone, or give a pattern."
    if tool.startswith(spec.MCP_PREFIX):
        if content is not None:
            return "MCP rules take no parentheses: use the tool name, or `mcp__server__*`."
        server = tool[len(spec.MCP_PREFIX) :].split("__", 1)[0]
        if listed_in == "allow" and "*" in server:
            return f"A wildcard in an allow rule's server name (`{tool}`) is not supported."
        return ""
    if listed_in == "allow" and "*" in tool:
        return f"Wildcard tool name `{tool}` is not supported in allow rules."
    if "_" not in tool and tool[:1] != tool[:1].upper():
        return f"Tool names start with a capital letter: `{tool[:1].upper() + tool[1:]}`."
    if content is None:
        return ""
    if tool == "WebSearch" and ("*" in content or "?" in content):
        return "WebSearch rules take exact search terms, no `*` or `?`."
    if tool == "WebFetch":
        if "://" in content or content.startswith("http"):
            return "WebFetch rules take a domain, not a URL: `WebFetch(domain:example.com)`."
        if not content.startswith("domain:"):
            return "WebFetch rules need the `domain:` prefix: `WebFetch(domain:example.com)`."
    if tool == "Bash" and content == ":*":
        return "An empty prefix before `:*`: write the command, as in `Bash(npm run:*)`."
    if tool in cs.FILE_PATTERN_TOOLS and ":*" in content:
        return f"`:*` is Bash's prefix syntax; `{tool}` takes path globs like `src/**`."
    return ""


@emits("AGT210", "AGT211", "AGT212")
def check_rule(r: Report, node: YNode, listed_in: str) -> None:
    """One rule string; ``listed_in``: allow, ask, deny, or `if` (a hook's condition)."""
    text = node.text
    parsed = parse_rule(text)
    problem = _problem(parsed, listed_in)
    where = "a hook's `if`" if listed_in == "if" else f"`permissions.{listed_in}`"
    if problem:
        skipped = (
            "Claude Code never runs this hook" if listed_in == "if" else "Claude Code skips it"
        )
        r.add(
            "AGT210", inner(node).span, f"Invalid permission rule in {where}: {problem} {skipped}."
        )
        return
    tool = parsed.tool
    if tool.startswith(spec.MCP_PREFIX) or "*" in tool or "_" in tool:
        return  # MCP tools and globs are the servers' own names
    known = spec.tool_index()
    if tool not in known and tool not in cs.PERMISSION_ONLY_TOOLS:
        names = list(spec.current_tool_names())
        guess, _ = closest_sure(tool, names, 75)
        at = _tool_span(node, tool)
        r.add(
            "AGT211",
            at.span,
            f"`{tool}` is not a Claude Code tool, so this rule never matches."
            + (f" Did you mean `{guess}`?" if guess else ""),
            replace_string(at, guess, f"Change to `{guess}`") if guess else None,
        )
        return
    primary = cs.PRIMARY_FIELDS.get(tool)
    content = (parsed.content or "").split(":", 1)
    if primary and len(content) == 2 and content[0].strip() == primary:
        r.add(
            "AGT212",
            inner(node).span,
            f"`{text}` is ignored: a rule cannot match {tool}'s `{primary}` by parameter "
            "(Claude Code warns at start-up). Write the tool's own specifier, as in "
            f"`{_OWN_SPECIFIER.get(tool, tool + '(pattern)')}`.",
        )
        return
    stand_in = cs.FILE_RULE_STAND_IN.get(tool)
    if stand_in and parsed.content is not None and ":*" not in parsed.content:
        fixed = f"{stand_in}({parsed.content})"
        r.add(
            "AGT212",
            inner(node).span,
            f"`{text}` is never matched: file permission checks consult only "
            f"`{stand_in}(path)` rules. Write `{fixed}`.",
            replace_string(node, fixed, f"Change to `{fixed}`"),
        )


_OWN_SPECIFIER = {"Bash": "Bash(rm *)", "PowerShell": "PowerShell(Remove-Item *)"}
_OWN_SPECIFIER.update(WebFetch="WebFetch(domain:example.com)")


def _tool_span(node: YNode, tool: str) -> YNode:
    """The tool name's part of a rule string (for a fix that replaces only the name)."""
    body = inner(node)
    if body is node or not node.text.startswith(tool):
        return node
    start = body.span.start
    sub = type(body.span).of(start.line, start.column, start.line, start.column + len(tool))
    # A quoted-looking node so replace_string edits exactly the name's characters.
    wide = type(body.span).of(
        sub.start.line, sub.start.column - 1, sub.end.line, sub.end.column + 1
    )
    return YNode("scalar", wide, tool, style='"')


@emits("AGT210")
def check_rule_list(r: Report, node: YNode, listed_in: str) -> None:
    for item in node.items:
        if item.is_scalar and isinstance(item.value, str):
            check_rule(r, item, listed_in)
