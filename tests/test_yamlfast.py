"""The PyYAML-free path for flat frontmatter (yamlfast.py) gives exactly the tree PyYAML's gives:
whenever it accepts a text, values, styles, spans and duplicate keys are PyYAML's."""

from __future__ import annotations

import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from subagent_lsp.definitions import yamltree
from subagent_lsp.definitions.yamlfast import compose_simple
from subagent_lsp.definitions.yamltree import ParsedYaml, YNode


def _dump(node: YNode | None) -> object:
    if node is None:
        return None
    value = node.value
    if isinstance(value, float) and math.isnan(value):
        value = "nan"
    return (
        node.kind,
        node.span,
        type(value).__name__,
        value,
        node.style,
        [_dump(i) for i in node.items],
        [(_dump(k), _dump(v)) for k, v in node.pairs],
    )


def _view(parsed: ParsedYaml) -> object:
    dups = [(a.span, b.span) for a, b in parsed.duplicate_keys]
    return _dump(parsed.root), [(p.kind, p.message, p.span) for p in parsed.problems], dups


def _both(text: str, offset: int = 0) -> tuple[object, object] | None:
    fast = yamltree._compose_simple(text, offset)
    if fast is None:
        return None
    lines = [""] * offset + text.split("\n")
    return _view(fast), _view(yamltree._parse_with_pyyaml(text, offset, lines, {}))


# Characters that matter to YAML's scanner and reader, among ordinary ones.
TRICKY = [
    *":#'\"-?,[]{}&*!|>%@`\\~.=+< \t",
    "\x85", "\u2028", "\xa0", "\x7f", "\x01", "\ufeff", "é", "—", "😀", "\ud83d", "\r",
]  # fmt: skip
WORDS = ["a", "yes", "true", "Null", "null", "~", "1", "0x1F", "1.5", ".inf", "2025-09-02",
         "sonnet", "Read, Grep", "<<", "=", "on", "-1", "1e3", "0o7", "http://x.y"]  # fmt: skip
value_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(TRICKY), st.text("abcXYZ019 ", max_size=4)),
    max_size=6,
).map("".join)
key_text = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True),
    st.sampled_from(["true", "null", "1a", "-x", "a b", "x:y", "~", "é", "on"]),
)
line = st.one_of(
    st.tuples(key_text, st.sampled_from([":", ": ", ":  ", ": \t"]), value_text).map("".join),
    st.tuples(key_text, st.just(": "), st.sampled_from(['"', "'"]), value_text).map(
        lambda t: t[0] + t[1] + t[2] + t[3] + t[2]
    ),
    st.sampled_from(["", "  ", "# note", " # indented", "  - item", "...", "---", "%YAML 1.2"]),
    value_text,
)
documents = st.tuples(st.lists(line, min_size=1, max_size=6), st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=3000, deadline=None)
@given(documents, st.integers(0, 3))
@example((["name: a", "name: b"], "\n"), 1)
@example((['description: "Use it: now"  # why', "model: sonnet"], ""), 0)
@example((["tools: Read, Grep   ", "", "# c", "x: 'it'"], "\n"), 0)
@example((["a: b #c", "n: 1", "t: yes", "f: .5", "k: -"], ""), 2)
def test_the_fast_path_agrees_with_pyyaml(doc: tuple[list[str], str], offset: int) -> None:
    lines, end = doc
    both = _both("\n".join(lines) + end, offset)
    if both is not None:
        fast, slow = both
        assert fast == slow


@given(st.text(st.sampled_from(TRICKY + list("ab:\n ")), max_size=30))
@settings(max_examples=2000, deadline=None)
def test_the_fast_path_agrees_with_pyyaml_on_any_text(text: str) -> None:
    both = _both(text)
    if both is not None:
        assert both[0] == both[1]


def test_it_takes_the_common_frontmatter_and_leaves_the_rest() -> None:
    common = (
        "name: code-reviewer\n"
        'description: "Use this agent after a change: it reviews the diff."\n'
        "tools: Read, Grep, Glob, Bash\n"
        "model: sonnet\n"
        "color: blue\n"
    )
    assert compose_simple(common) is not None
    both = _both(common)
    assert both is not None and both[0] == both[1]
    for other in [
        "description: Use when: x\n",  # `: ` in a plain value: PyYAML's error to report
        "tools:\n  - Read\n",  # a list
        "description: |\n  text\n",  # a block scalar
        'description: "a \\" b"\n',  # an escape
        "name: a\n\tmodel: b\n",  # a tab
        "key:\n",  # an empty value
        "# only a comment\n",
        "name: 'a' b\n",  # text after a closing quote
    ]:
        assert compose_simple(other) is None, other


def _resolve_without_shortcut(text: str) -> object:
    """resolve_plain as it was, trying every number pattern whatever the first character."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if yamltree._INT.match(text):
        return int(text)
    if yamltree._OCT.match(text):
        return int(text[2:], 8)
    if yamltree._HEX.match(text):
        return int(text[2:], 16)
    if yamltree._FLOAT.match(text):
        return float(text)
    if yamltree._INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if yamltree._NAN.match(text):
        return "nan"
    return text


@given(st.one_of(st.sampled_from(WORDS), st.text("-+.0123456789eExXoOabfinINFaN_ ", max_size=8)))
@settings(max_examples=2000, deadline=None)
def test_the_resolver_shortcut_changes_nothing(text: str) -> None:
    value = yamltree.resolve_plain(text)
    if isinstance(value, float) and math.isnan(value):
        value = "nan"
    expected = _resolve_without_shortcut(text)
    assert (type(value), value) == (type(expected), expected)


def _printable_by_definition(text: str) -> bool:
    return all(
        (" " <= ch <= "~" or ch >= "\xa0")
        and ch not in "\u2028\u2029\ufeff\ufffe\uffff"
        and not "\ud800" <= ch <= "\udfff"
        for ch in text
    )


@given(st.text(max_size=12) | st.text(st.sampled_from([*TRICKY, "\xad", "\u200d", "\U0001f600"])))
@settings(max_examples=2000, deadline=None)
def test_the_printable_shortcut_is_the_definition(text: str) -> None:
    from subagent_lsp.definitions.yamlfast import _printable

    assert _printable(text) == _printable_by_definition(text)
