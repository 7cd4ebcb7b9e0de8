"""No text crashes the checker, and every range lies inside the document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subagent_lsp.definitions.document import split_lines
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.definitions.spec import Kind

from .conftest import lint

PIECES = st.sampled_from(
    [
        "---\n",
        "name: ",
        "description: ",
        "tools: ",
        "model: ",
        "a: b: c",
        "\t",
        "  ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        '"',
        "'",
        "&a ",
        "*a",
        "\r\n",
        "\r",
        "😀",
        "\ufeff",
        "\x00",
        ":",
        "#",
        "Read, ",
        "MultiEdit",
        "\n",
        "|\n",
        ">\n",
        "hooks: []",
        "!!str ",
        "%YAML 1.2\n",
        "\u2028",
    ]
)
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=40).map("".join))


def _inside(text: str, line: int, col: int) -> bool:
    lines = split_lines(text)
    return 0 <= line < len(lines) and 0 <= col <= len(lines[line])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.sampled_from(list(Kind)))
def test_any_text_gives_findings_inside_the_document(text: str, kind: Kind) -> None:
    findings = lint(text, kind, path="/ws/.claude/agents/x.md")
    for f in findings:
        assert _inside(text, f.span.start.line, f.span.start.column), f
        assert _inside(text, f.span.end.line, f.span.end.column), f
        assert f.span.start <= f.span.end
        for fix in f.fixes:
            apply_edits(text, fix.edits)  # never raises


JSON_PIECES = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        '"',
        '"model"',
        '"permissions"',
        '"allow"',
        '"defaultMode"',
        '"hooks"',
        '"PreToolUse"',
        '"matcher"',
        '"type"',
        '"command"',
        '"if"',
        '"mcpServers"',
        '"url"',
        '"name"',
        '"agents"',
        '"env"',
        '"Bash(ls"',
        '"./x"',
        "1",
        "-0.5e3",
        "true",
        "null",
        "// c\n",
        "/*",
        "\\",
        '"\\u12"',
        "😀",
        "\r\n",
        "\n",
        " ",
        "\t",
        "\x00",
        "\ufeff",
    ]
)
JSON_TEXTS = st.one_of(st.text(max_size=200), st.lists(JSON_PIECES, max_size=60).map("".join))
JSON_PATHS = st.sampled_from(
    [
        "/ws/.claude/settings.json",
        "/ws/.mcp.json",
        "/ws/p/.claude-plugin/plugin.json",
        "/ws/p/.claude-plugin/marketplace.json",
        "/ws/p/hooks/hooks.json",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_TEXTS, JSON_PATHS)
def test_any_json_text_gives_findings_inside_the_document(text: str, path: str) -> None:
    from subagent_lsp.definitions.kinds import classify

    kind = classify(path)
    assert kind is not None
    findings = lint(text, kind.kind, path=path)
    for f in findings:
        assert _inside(text, f.span.start.line, f.span.start.column), f
        assert _inside(text, f.span.end.line, f.span.end.column), f
        assert f.span.start <= f.span.end
        for fix in f.fixes:
            apply_edits(text, fix.edits)
