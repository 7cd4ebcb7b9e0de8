from __future__ import annotations

import pytest

from subagent_lsp.definitions.document import parse_document, split_lines
from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.definitions.yamltree import MAX_DEPTH, resolve_plain


def test_spans_are_code_points_after_emoji() -> None:
    doc = parse_document("a.md", '---\nname: 😀x\ndescription: "d 😀"\n---\nbody\n')
    name = doc.get("name")
    assert name is not None and name.text == "😀x"
    assert name.span == Span.of(1, 6, 1, 8)
    desc = doc.get("description")
    assert desc is not None and desc.span == Span.of(2, 13, 2, 18)
    assert doc.body_start_line == 4 and doc.body.startswith("body")


def test_crlf_and_lone_cr_count_as_lsp_lines() -> None:
    text = "---\r\nname: a\r\ndescription: b\r---\r\nbody"
    doc = parse_document("a.md", text)
    assert split_lines(text) == ["---", "name: a", "description: b", "---", "body"]
    node = doc.get("description")
    assert node is not None and node.span.start == Position(2, 13)
    assert doc.frontmatter is not None and doc.frontmatter.close_span == Span.of(3, 0, 3, 3)


def test_unicode_line_separators_do_not_shift_lines() -> None:
    doc = parse_document("a.md", "---\nname: a\u2028b\ndescription: c\n---\n")
    node = doc.get("description")
    assert node is not None and node.span.start.line == 2


def test_bom_before_fence_is_accepted() -> None:
    doc = parse_document("a.md", "\ufeff---\nname: a\n---\n")
    assert doc.frontmatter is not None and doc.get("name") is not None


def test_yaml_12_scalars() -> None:
    assert resolve_plain("yes") == "yes"
    assert resolve_plain("true") is True
    assert resolve_plain("2025-09-02") == "2025-09-02"
    assert resolve_plain("0x1f") == 31 and resolve_plain("0o17") == 15
    assert resolve_plain("~") is None and resolve_plain("1.5e3") == 1500.0
    assert resolve_plain(".inf") == float("inf")


def test_recovery_keeps_entries_that_parse() -> None:
    # An unterminated quote: even Claude Code's quoting retry cannot read it.
    text = '---\nname: x\ndescription: "Use it\nmodel: sonnet\n---\nbody\n'
    doc = parse_document("a.md", text)
    assert doc.partial and doc.yaml_retry == "failed"
    assert doc.get("name") is not None and doc.get("model") is not None
    assert "description" in doc.broken_keys and doc.has_key("description")
    assert doc.problems[0].span.start == Position(2, 13)


def test_quoting_retry_reads_what_claude_code_reads() -> None:
    text = "---\nname: x\ndescription: Use it: now\nmodel: sonnet\n---\nbody\n"
    doc = parse_document("a.md", text)
    assert doc.rescued and not doc.broken_keys
    description = doc.get("description")
    assert description is not None and description.text == "Use it: now"
    assert description.span == Span.of(2, 13, 2, 24)  # the text as written, not the rewrite
    # the strict parse's problem stays, for the warning
    assert [p.span for p in doc.problems] == [Span.of(2, 13, 2, 20)]


def test_quoting_retry_escapes_and_keeps_columns() -> None:
    text = '---\nname: x\ndescription:   Say "hi": C:\\dir #1\ntools: *\n---\n'
    doc = parse_document("a.md", text)
    assert doc.rescued
    description, tools = doc.get("description"), doc.get("tools")
    assert description is not None and description.text == 'Say "hi": C:\\dir #1'
    assert description.span == Span.of(2, 15, 2, 34)
    assert tools is not None and tools.text == "*" and tools.span == Span.of(3, 7, 3, 8)


def test_quoting_retry_turns_leading_tabs_into_spaces() -> None:
    indented = parse_document("a.md", "---\n\tname: x\n\tdescription: d\n---\n")
    assert indented.rescued
    name = indented.get("name")
    assert name is not None and name.span == Span.of(1, 7, 1, 8)
    text = "---\nname: x\nhooks:\n\tStop:\n\t\t- matcher: a\n\t\t  hooks: []\n---\n"
    doc = parse_document("a.md", text)
    assert doc.rescued
    hooks = doc.get("hooks")
    assert hooks is not None and hooks.to_python() == {"Stop": [{"matcher": "a", "hooks": []}]}
    assert [p.kind for p in doc.problems] == ["tab"] * 3
    assert doc.problems[2].span == Span.of(5, 0, 5, 2)  # every tab-indented line, its tabs


def test_quoting_retry_is_not_tried_on_valid_yaml_and_leaves_nested_lines() -> None:
    valid = parse_document("a.md", "---\nname: x\ndescription: 'a: b'\n---\n")
    assert valid.yaml_retry == "" and not valid.problems
    # Claude Code quotes only `key: value` lines at column 0: a nested one still breaks.
    nested = parse_document("a.md", "---\nname: x\nhooks:\n  a: b: c\n---\n")
    assert nested.yaml_retry == "failed"


def test_a_longer_dash_line_closes_the_frontmatter() -> None:
    doc = parse_document("a.md", "---\nname: x\n-----\nbody\n")
    assert doc.frontmatter is not None and doc.frontmatter.close_span == Span.of(2, 0, 2, 5)
    assert doc.body_start_line == 3 and not doc.problems


def test_a_duplicate_key_reads_as_its_last_value() -> None:
    doc = parse_document("a.md", "---\nmodel: haiku\nmodel: sonnet\n---\n")
    model = doc.get("model")
    assert model is not None and model.text == "sonnet"
    assert len(doc.duplicate_keys) == 1


def test_unterminated_frontmatter_stops_at_prose() -> None:
    doc = parse_document("a.md", "---\nname: a\ndescription: b\nYou are an agent.\n")
    assert doc.frontmatter is not None and doc.frontmatter.close_span is None
    assert doc.get("name") is not None and not doc.problems


def test_alias_bomb_is_refused_without_expanding() -> None:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        rows.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc = parse_document("a.md", "---\n" + "\n".join(rows) + "\n---\n")
    assert [p.kind for p in doc.problems] == ["alias-bomb"]
    assert doc.root is None


def test_self_referencing_alias_is_refused() -> None:
    doc = parse_document("a.md", "---\na: &x [*x]\n---\n")
    assert [p.kind for p in doc.problems] == ["alias-bomb"]


@pytest.mark.parametrize("opening", ["[", "{a: ", "[ {b: "])
def test_deep_nesting_is_one_clear_problem(opening: str) -> None:
    # Whatever the YAML library does with deep nesting (PyYAML 6.0.4 refuses it itself), the user
    # sees one problem saying so, where the nesting goes too deep.
    closing = "".join("]" if c == "[" else "}" for c in opening if c in "[{")[::-1]
    deep = opening * 3000 + "x" + closing * 3000
    doc = parse_document("a.md", f"---\nname: {deep}\ndescription: fine\n---\nbody\n")
    assert [p.kind for p in doc.problems] == ["too-deep"]
    (problem,) = doc.problems
    assert f"deeper than {MAX_DEPTH} levels" in problem.message
    assert problem.span.start.line == 1
    assert deep[problem.span.start.column - len("name: ")] in "[{"


def test_nesting_at_the_limit_parses() -> None:
    ok = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    doc = parse_document("a.md", f"---\nname: {ok}\n---\n")
    assert doc.problems == []


def test_brackets_in_quotes_and_comments_are_not_nesting() -> None:
    many = "[" * (MAX_DEPTH + 10)
    doc = parse_document("a.md", f"---\nname: '{many}'\n# {many}\ndescription: \"{many}\"\n---\n")
    assert doc.problems == []


def test_control_character_is_located() -> None:
    doc = parse_document("a.md", "---\nname: é😀\x07\n---\n")
    problem = doc.problems[0]
    assert problem.kind == "control"
    assert problem.span == Span.of(1, 8, 1, 9)


def test_misplaced_fence_detected() -> None:
    doc = parse_document("a.md", "\n  ---\nname: a\n---\n")
    assert doc.frontmatter is None
    assert doc.misplaced_fence == Span.of(1, 2, 1, 5)


def test_huge_text_is_not_parsed() -> None:
    doc = parse_document("a.md", "x" * 2_000_000)
    assert doc.too_large and doc.root is None


def test_text_of_multiline_span() -> None:
    doc = parse_document("a.md", "ab\ncd\nef")
    assert doc.text_of(Span.of(0, 1, 2, 1)) == "b\ncd\ne"
