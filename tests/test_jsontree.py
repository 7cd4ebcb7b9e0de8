"""The JSON reader: the stdlib's values, exact spans (code points, any line ending), and one
clear error where strict JSON.parse would stop."""

from __future__ import annotations

import json

import pytest

from subagent_lsp.definitions.findings import Span
from subagent_lsp.definitions.jsontree import MAX_DEPTH, parse_json


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, 2.5, -3e2, true, false, null], "b": {"c": "x\\u00e9\\n"}}',
        "[]",
        '"s"',
        "0",
        '{"😀": "😀"}',
    ],
)
def test_values_are_the_stdlibs(text: str) -> None:
    parsed = parse_json(text)
    assert parsed.problems == [] and parsed.root is not None
    assert parsed.root.to_python() == json.loads(text)


def test_spans_are_exact_across_line_endings_and_emoji() -> None:
    text = '{\r\n  "😀": "x",\r  "k": [1,\n "two"]\n}'
    root = parse_json(text).root
    assert root is not None
    (k1, v1), (k2, v2) = root.pairs
    assert k1.span == Span.of(1, 2, 1, 5) and v1.span == Span.of(1, 7, 1, 10)
    assert k2.span == Span.of(2, 2, 2, 5)
    assert v2.items[1].span == Span.of(3, 1, 3, 6)
    assert root.span == Span.of(0, 0, 4, 1)


@pytest.mark.parametrize(
    ("text", "span", "words"),
    [
        ('{\n  // note\n  "a": 1\n}', Span.of(1, 2, 1, 9), "Comments"),
        ('{"a": 1 /* x */}', Span.of(0, 8, 0, 15), "Comments"),
        ('{"a": 1,}', Span.of(0, 7, 0, 8), "Trailing comma"),
        ("[1, 2, ]", Span.of(0, 5, 0, 6), "Trailing comma"),
        ('{"a": ', Span.of(0, 6, 0, 6), "ends here"),
        ('{"a": "abc', Span.of(0, 6, 0, 10), "never closed"),
        ('{"a": "a\\qb"}', Span.of(0, 6, 0, 12), "escape"),
        ("{'a': 1}", Span.of(0, 1, 0, 2), "key in double quotes"),
        ("{\"a\": 'x'}", Span.of(0, 6, 0, 7), "double quotes"),
        ('{"a" 1}', Span.of(0, 5, 0, 6), "`:`"),
        ('{"a": tru}', Span.of(0, 6, 0, 9), "found `tru`"),
        ('{"a": 1} x', Span.of(0, 9, 0, 10), "after the end"),
        ('{"a": 1 "b": 2}', Span.of(0, 8, 0, 9), "`,` or `}`"),
    ],
)
def test_errors_say_what_and_where(text: str, span: Span, words: str) -> None:
    parsed = parse_json(text)
    assert len(parsed.problems) == 1
    problem = parsed.problems[0]
    assert problem.span == span and words in problem.message


def test_what_was_read_before_an_error_stays() -> None:
    parsed = parse_json('{"model": "opus", "permissions": {"allow": ["Bash"], "deny": [')
    assert parsed.partial and parsed.root is not None
    assert parsed.root.get("model") is not None
    perms = parsed.root.get("permissions")
    assert perms is not None and [i.value for i in perms.get("allow").items] == ["Bash"]  # type: ignore[union-attr]


def test_duplicate_keys_are_kept_and_the_last_wins() -> None:
    parsed = parse_json('{"a": 1, "a": 2}')
    assert len(parsed.duplicate_keys) == 1
    assert parsed.root is not None and parsed.root.get("a").value == 2  # type: ignore[union-attr]


def test_deep_nesting_is_cut_not_overflowed() -> None:
    parsed = parse_json("[" * 5000)
    assert "Nested deeper" in parsed.problems[0].message
    assert parsed.problems[0].span.start.column == MAX_DEPTH + 1


def test_empty_text_is_no_json_and_no_error() -> None:
    assert parse_json("").root is None and parse_json(" \n").problems == []
    assert parse_json("\ufeff{}").problems == []
