"""Editors fade or strike a diagnostic from its rule's tags in the registry, never from a list of
codes in the LSP layer."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from subagent_lsp.all_rules import all_rules
from subagent_lsp.definitions.findings import Finding, Severity, Span
from subagent_lsp.definitions.kinds import classify
from subagent_lsp.definitions.workspace import check_text
from subagent_lsp.lsp.convert import diagnostic_tags, tags_of, to_diagnostic
from subagent_lsp.registry import DEPRECATED, UNNECESSARY, Rule

CODEC = PositionCodec(types.PositionEncodingKind.Utf16)
TEXT = "---\nname: reviewer\ndescription: Reviews code.\ntools: Read, Grep, Read\n---\nBody.\n"


def _rule(*tags: str) -> Rule:
    return Rule("AGT999", "example", Severity.HINT, "s", "w", tags=frozenset(tags))


def test_the_duplicate_tool_rule_is_tagged_unnecessary_in_the_registry() -> None:
    assert UNNECESSARY in all_rules()["AGT045"].tags


def test_a_duplicate_tool_is_faded_and_other_findings_are_not() -> None:
    path = "/w/.claude/agents/reviewer.md"
    kind = classify(path, TEXT)
    assert kind is not None
    result = check_text(path, TEXT, kind)
    assert "AGT045" in {f.code for f in result.findings}
    lines = TEXT.split("\n")
    by_code = {f.code: to_diagnostic(f, lines, CODEC, lambda _: None) for f in result.findings}
    assert by_code["AGT045"].tags == [types.DiagnosticTag.Unnecessary]
    assert all(d.tags is None for code, d in by_code.items() if code != "AGT045")


def test_tags_map_generically() -> None:
    assert diagnostic_tags(_rule(DEPRECATED)) == [types.DiagnosticTag.Deprecated]
    assert diagnostic_tags(_rule(UNNECESSARY, DEPRECATED, "style")) == [
        types.DiagnosticTag.Unnecessary,
        types.DiagnosticTag.Deprecated,
    ]
    assert diagnostic_tags(_rule("style")) is None
    assert diagnostic_tags(None) is None


def test_tags_by_code_for_both_families() -> None:
    all_rules()  # declares the BKD rules too
    assert tags_of("AGT045") == [types.DiagnosticTag.Unnecessary]
    assert tags_of("BKD101") is None
    assert tags_of("XYZ000") is None


def test_every_finding_of_a_tagged_rule_gets_its_tags() -> None:
    finding = Finding("AGT045", Severity.HINT, Span.of(3, 19, 3, 23), "`Read` is listed twice.")
    diagnostic = to_diagnostic(finding, TEXT.split("\n"), CODEC, lambda _: None)
    assert diagnostic.tags == [types.DiagnosticTag.Unnecessary]
