"""Every rule's documented example, run: it triggers its rule, and applying the fix (where the
rule has one) makes the finding go away. The docs (docs/rules.md) show exactly these files."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.all_rules import all_rules
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.definitions.workspace import check_paths
from subagent_lsp.registry import EMITTERS, Example, Rule
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache

RULES = all_rules()
AGENT_RULES = [r for r in RULES.values() if r.family == "agent-files"]
BACKEND_RULES = [r for r in RULES.values() if r.family == "backend"]


def _write(root: Path, example: Example) -> Path:
    for rel, text in {**example.files, example.path: example.text}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root / example.path


def _findings(root: Path, main: Path, code: str) -> list:
    results = check_paths([str(root)])
    return [f for r in results if Path(r.path) == main for f in r.findings if f.code == code]


@pytest.mark.parametrize("rule", AGENT_RULES, ids=lambda r: r.code)
def test_agent_rule_example_triggers_and_fix_removes(rule: Rule, tmp_path: Path) -> None:
    assert rule.example is not None, f"{rule.code} has no example"
    main = _write(tmp_path, rule.example)
    found = _findings(tmp_path, main, rule.code)
    assert found, f"{rule.code}'s example does not trigger it"
    fixes = [fix for f in found for fix in f.fixes]
    if rule.applicability == "none":
        assert not any(fix.safe for fix in fixes), f"{rule.code} says it has no fix"
        return
    assert fixes, f"{rule.code} is documented with a {rule.applicability} fix; none offered"
    assert fixes[0].safe is (rule.applicability == "safe")
    text = main.read_text(encoding="utf-8")
    main.write_text(apply_edits(text, list(fixes[0].edits)), encoding="utf-8")
    assert not _findings(tmp_path, main, rule.code), f"{rule.code}'s fix leaves it in place"


@pytest.mark.parametrize("rule", BACKEND_RULES, ids=lambda r: r.code)
def test_backend_rule_example_triggers_and_edit_removes(rule: Rule, tmp_path: Path) -> None:
    assert rule.example is not None
    main = _write(tmp_path, rule.example)

    def suggestions() -> list:
        cache = SchemaCache()
        cache.scan([str(tmp_path)])
        text = main.read_text(encoding="utf-8")
        return [s for s in analyze(str(main), text, cache.schema()) if s.code == rule.code]

    found = suggestions()
    assert found, f"{rule.code}'s example does not trigger it"
    by_file: dict[str, list[TextEdit]] = {}
    for edit in found[0].edits:  # positions are in the original text: apply a file's at once
        by_file.setdefault(edit.path, []).append(TextEdit(edit.span, edit.new_text))
    for path, edits in by_file.items():
        target = Path(path)
        target.write_text(apply_edits(target.read_text(encoding="utf-8"), edits), encoding="utf-8")
    assert not suggestions(), f"{rule.code}'s edit leaves it in place"


def test_every_rule_names_the_function_that_emits_it() -> None:
    import subagent_lsp.definitions.checks
    import subagent_lsp.definitions.workspace
    import subagent_lsp.review.offline.engine  # noqa: F401

    missing = [
        code
        for code, rule in RULES.items()
        if rule.family == "agent-files" and code not in EMITTERS
    ]
    assert missing == []
    unknown = sorted(set(EMITTERS) - set(RULES))
    assert unknown == []


def test_every_kind_is_declared_once_everywhere_it_must_be() -> None:
    from subagent_lsp.definitions import spec
    from subagent_lsp.definitions.checks import DESCRIPTORS

    kinds = set(spec.Kind)
    assert set(DESCRIPTORS) == kinds
    assert set(spec.MATCH_ORDER) == kinds and len(spec.MATCH_ORDER) == len(kinds)
    assert set(spec.DEFAULT_GLOBS) == kinds
