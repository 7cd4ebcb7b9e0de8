"""Claude Code's quoting retry, imitated: which lines it rewrites (each case measured with the
oracle, tests/oracle_fixtures), and that the tree read from the rewrite points at what was
written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.yamlretry import needs_quotes, rewrite


def test_quotes_column_0_keys_whose_value_holds_a_special_character() -> None:
    lines = [
        "name: plain",
        "description: Use when: x",
        "tools: *",
        "argument-hint: [a] [b]",
        "x2: a: b",  # a digit in the key: not Claude Code's key line (measured: skipped)
        "  command: echo a: b",  # indented: not rewritten (measured: skipped)
        'quoted: "a: b"',  # already quoted
        'start: "Quoted" then: more',  # starts with a quote but does not end with it: quoted
    ]
    out = rewrite(lines)
    assert out.quoted == {1, 2, 3, 7}
    assert out.text.split("\n") == [
        "name: plain",
        'description: "Use when: x"',
        'tools: "*"',
        'argument-hint: "[a] [b]"',
        "x2: a: b",
        "  command: echo a: b",
        'quoted: "a: b"',
        'start: "\\"Quoted\\" then: more"',
    ]


def test_a_whole_flow_list_is_left_as_a_list() -> None:
    """Measured (fixtures yaml-retry-tools-*): `tools: [Read, Edit]` in a file the retry reads
    gives the agent Read and Edit; text after the `]`, a list that does not parse and a flow
    mapping are quoted, so they become one string of unknown tool names."""
    lines = [
        "description: Use when: the code changed.",
        "tools: [Read, Edit]",
        'skills: ["a", "b(*)"]',
        "ta: [Read, Edit] # the usual",
        "tb: [Read] and [Edit]",
        "tc: [Read, Edit",
        "td: {Read: yes}",
    ]
    out = rewrite(lines)
    assert out.quoted == {0, 3, 4, 5, 6}
    assert not needs_quotes("[Read, Bash(git *)]")
    assert needs_quotes("[Read], Edit")
    doc = parse_document(
        "/ws/.claude/agents/a.md",
        "---\nname: a\ndescription: Use when: x\ntools: [Read, Edit]\n---\nBody.\n",
    )
    assert doc.rescued
    tools = doc.get("tools")
    assert tools is not None and tools.kind == "sequence"
    assert [item.value for item in tools.items] == ["Read", "Edit"]


def test_lines_ending_in_cr_are_never_quoted() -> None:
    out = rewrite(["description: Use when: x", "tools: *"], cr_lines={0, 1})
    assert not out.columns and out.kept_for_cr == {0, 1}


def test_leading_tabs_become_two_spaces_each_and_map_back() -> None:
    out = rewrite(["\t\t- a: b", "key: v"])
    assert out.text == "    - a: b\nkey: v" and out.detabbed == {0}
    cols = out.columns[0]
    assert cols(0) == cols(1) == 0 and cols(2) == cols(3) == 1  # the two tabs
    assert cols(4) == 2 and cols(len("    - a: b")) == len("\t\t- a: b")


def test_quoted_columns_map_back_through_escapes() -> None:
    line = 'description:  say "hi": C:\\x'
    out = rewrite([line])
    new = out.text
    assert new == 'description: "say \\"hi\\": C:\\\\x"'
    cols = out.columns[0]
    start = line.index("say")
    assert cols(new.index('"')) == start  # the opening quote: where the value starts
    for ch in "shiCx":  # every character of the value maps to itself in the author's line
        assert line[cols(new.index(ch, len("description: ")))] == ch
    assert cols(len(new)) == len(line)  # past the closing quote: past the value


def test_nothing_to_rewrite() -> None:
    out = rewrite(["name: a", "description: b"])
    assert not out.columns and not out.quoted and not out.detabbed


SPECIALS = ":{}[]*&#!|>%@`\"'\\ "
VALUES = st.text(alphabet=st.sampled_from(list("abc xyz") + list(SPECIALS)), min_size=1).map(
    str.strip
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["description", "argument-hint", "when_to_use", "model", "color"]),
        VALUES.filter(bool),
        min_size=1,
        max_size=4,
    )
)
def test_a_rescued_value_is_the_text_as_written_at_its_own_place(values: dict[str, str]) -> None:
    lines = [f"{key}: {value}" for key, value in values.items()]
    doc = parse_document("a.md", "---\nname: x\n" + "\n".join(lines) + "\n---\nbody\n")
    if not doc.rescued:
        return
    for key, value in values.items():
        quoted_already = value[0] in "\"'" and value.endswith(value[0]) and len(value) > 1
        if value[0] in "\"'" and not quoted_already:
            break  # an unclosed quote: the lines after it are part of that value, as YAML reads it
        if not needs_quotes(value) or quoted_already:
            continue
        node = doc.get(key)
        assert node is not None and node.text == value
        assert doc.text_of(node.span) == value  # the span covers exactly what was written
