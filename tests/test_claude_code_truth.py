"""Our verdicts against what the real Claude Code does with each file, offline.

``tests/golden/claude_code_truth.json`` is written by ``make oracle`` (oracle/README.md): the
pinned Claude Code release run on every fixture in ``tests/oracle_fixtures/`` and every file of
``../shared/corpus``. Here each of those files is checked (one at a time, as the oracle ran them)
and our findings must match what Claude Code did:

* ``skipped``, ``refused``, ``frontmatter-dropped``  -> at least one error
* ``loaded-as-written``                              -> no error
* ``loaded-not-as-written``                          -> at least a warning, and no error

Today's disagreements are listed in ``KNOWN_DISAGREEMENTS``. The test fails on a new disagreement
and also on a listed one that no longer disagrees: fix the checker, then delete its line, so the
list only shrinks. See the agreement figures with
``.venv/bin/python -m pytest tests/test_claude_code_truth.py -s -q``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from subagent_lsp.definitions.findings import Finding, Severity
from subagent_lsp.definitions.workspace import check_paths

from .conftest import CORPUS, REPO, shared

TRUTH = Path(__file__).parent / "golden" / "claude_code_truth.json"
FIXTURES = Path(__file__).parent / "oracle_fixtures"
VERDICTS = {
    "skipped",
    "refused",
    "frontmatter-dropped",
    "loaded-as-written",
    "loaded-not-as-written",
}
NEEDS_ERROR = {"skipped", "refused", "frontmatter-dropped"}

# file ("fixtures/…" or "corpus/…") -> why we disagree with Claude Code today. Delete a line once
# the checker agrees; never add one without saying which fact the checker gets wrong.
KNOWN_DISAGREEMENTS: dict[str, str] = {
    # The quoting retry: Claude Code quotes `key: value` lines holding `: ` or {}[]*&#!|>%@`
    # and parses again, so these load (a warning); we say error AGT006/AGT007.
    "fixtures/plugins/oracle-fixtures/agents/plugin-colon-description.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/agents/seed-backend-developer.md": "the seed's unquoted `: ` loads through the retry (sonnet, all tools); we say error AGT006",
    "fixtures/project/.claude/agents/yaml-colon-in-description.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/agents/yaml-brackets-in-description.md": "a value starting with `[` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/agents/yaml-tools-star.md": "`tools: *` loads through the retry (all tools); we say error AGT006",
    "fixtures/project/.claude/agents/yaml-tab-indented.md": "tab-indented keys load (tabs become spaces); we say errors AGT007, AGT010, AGT011",
    "fixtures/project/.claude/agents/yaml-tab-nested.md": "tab-indented nested keys load (tabs become spaces); we say error AGT007",
    "fixtures/project/.claude/commands/cmd-argument-hint-brackets.md": "`argument-hint: [a] [b]` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/commands/cmd-colon-description.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/skills/skill-argument-hint-brackets/SKILL.md": "`argument-hint: [a] [b]` loads through the retry; we say error AGT006",
    "fixtures/project/.claude/skills/skill-colon-description/SKILL.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/04-quality-security/gdpr-ccpa-compliance.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/07-specialized-domains/hipaa-compliance.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/08-business-product/assumption-mapping.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/08-business-product/backlog-grooming.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/08-business-product/growth-loops.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/10-research-analysis/ab-test-analysis.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/10-research-analysis/cohort-analysis.md": "unquoted `: ` loads through the retry; we say error AGT006",
    "corpus/voltagent-subagents/categories/10-research-analysis/first-principles-thinking.md": "unquoted `: ` loads through the retry; we say error AGT006",
    # Duplicate keys: accepted, the last value wins (a warning); we say error AGT008.
    "fixtures/project/.claude/agents/duplicate-key.md": "a duplicate key loads, the last value wins; we say error AGT008",
    "fixtures/project/.claude/skills/skill-duplicate-key/SKILL.md": "a duplicate key loads, the last value wins; we say error AGT008",
    # A line of more than three dashes closes the frontmatter.
    "fixtures/project/.claude/agents/long-dash-close.md": "`-----` closes the frontmatter and the agent loads; we say errors AGT003, AGT006",
    # A plugin agent without `name` loads under its file stem (`<plugin>:<stem>`).
    "fixtures/plugins/oracle-fixtures/agents/plugin-no-name.md": "a plugin agent without `name` loads as `<plugin>:<file stem>`; we say error AGT010",
    # Skipped by Claude Code, only a warning from us.
    "fixtures/project/.claude/agents/no-frontmatter.md": "no frontmatter in .claude/agents: not loaded; we say warning AGT002",
    "fixtures/project/.claude/agents/description-number.md": "`description: 42` is skipped (Missing required description); we say warning AGT014",
    "fixtures/plugins/oracle-listed/agents/unlisted.md": "a plugin agent its manifest does not list is not loaded; we say warning AGT052",
    "corpus/voltagent-subagents/categories/06-developer-experience/docs-drift-editor.md": "a plugin agent its manifest does not list is not loaded; we say warning AGT052",
    # An unknown model is sent as written and the API rejects it at spawn.
    "fixtures/plugins/oracle-fixtures/agents/plugin-model-unknown.md": "`model: sonet` fails at spawn (404); we say warning AGT032",
    "fixtures/project/.claude/agents/model-unknown.md": "`model: sonet` fails at spawn (404); we say warning AGT032",
    "fixtures/project/.claude/agents/model-display-name.md": "`model: Claude Sonnet 4.5` fails at spawn (404); we say warning AGT032",
    "fixtures/project/.claude/agents/model-misspelt-id.md": "`model: claude-sonet-4-5` fails at spawn (404); we say warning AGT032",
}


@cache
def _truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TRUTH.read_text(encoding="utf-8"))
    return data


def _root(section: str) -> Path:
    return FIXTURES if section == "fixtures" else CORPUS


@cache
def _findings(path: str) -> tuple[Finding, ...]:
    """Our findings for one file, checked on its own (the oracle ran each file on its own)."""
    return tuple(f for r in check_paths([path]) for f in r.findings)


def agrees(verdict: str, findings: tuple[Finding, ...]) -> bool:
    error = any(f.severity is Severity.ERROR for f in findings)
    warning = any(f.severity <= Severity.WARNING for f in findings)
    if verdict in NEEDS_ERROR:
        return error
    if verdict == "loaded-as-written":
        return not error
    return warning and not error


def _describe(findings: tuple[Finding, ...]) -> str:
    shown = [f"{f.severity.label} {f.code}" for f in findings if f.severity <= Severity.WARNING]
    return ", ".join(shown) or "nothing above information"


def _compare(section: str) -> tuple[int, dict[str, str]]:
    """(files compared, disagreements: file -> what differs)."""
    entries = _truth()[section]
    root = _root(section)
    disagreements: dict[str, str] = {}
    for key, entry in entries.items():
        findings = _findings(str(root / key))
        if not agrees(entry["verdict"], findings):
            disagreements[f"{section}/{key}"] = (
                f"Claude Code {entry['claude_code_version']}: {entry['verdict']}"
                f" ({'; '.join(entry['details'][:2])[:160]}); we say: {_describe(findings)}"
            )
    return len(entries), disagreements


def _check_section(section: str) -> None:
    total, disagreements = _compare(section)
    known = {k for k in KNOWN_DISAGREEMENTS if k.startswith(section + "/")}
    rate = 100.0 * (total - len(disagreements)) / total if total else 100.0
    print(
        f"\n{section}: we agree with Claude Code {_truth()['claude_code_version']} on "
        f"{total - len(disagreements)} of {total} files ({rate:.1f}%)"
    )
    new = {k: v for k, v in disagreements.items() if k not in known}
    fixed = sorted(known - set(disagreements))
    message = []
    if new:
        message.append("New disagreements with Claude Code (fix the checker; list one here only")
        message.append("with the fact it gets wrong):")
        message += [f"  {k}: {v}" for k, v in sorted(new.items())]
    if fixed:
        message.append("Listed in KNOWN_DISAGREEMENTS but agreeing now (delete these lines):")
        message += [f"  {k}" for k in fixed]
    assert not message, "\n".join(message)


def test_truth_file_is_well_formed() -> None:
    truth = _truth()
    version = truth["claude_code_version"]
    oracle_init = (REPO / "oracle" / "__init__.py").read_text(encoding="utf-8")
    assert f'CLAUDE_CODE_VERSION = "{version}"' in oracle_init, "run `make oracle` after a bump"
    for section in ("fixtures", "corpus"):
        for key, entry in truth[section].items():
            assert entry["verdict"] in VERDICTS, key
            assert entry["claude_code_version"] == version, key
            assert entry["loaded"] is (entry["verdict"] != "skipped"), key
            assert isinstance(entry["details"], list), key
    assert truth["fixtures"], "no fixture in the truth file"


def test_every_fixture_has_a_truth() -> None:
    """Adding or removing a fixture needs `make oracle` (the truth file lists every one)."""
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.md")}
    assert set(_truth()["fixtures"]) == on_disk


def test_known_disagreements_are_in_the_truth_file() -> None:
    truth = _truth()
    stale = [
        k
        for k in KNOWN_DISAGREEMENTS
        if k.split("/", 1)[1] not in truth.get(k.split("/", 1)[0], {})
    ]
    assert not stale, f"not in {TRUTH.name}: {stale}"


def test_fixtures_agree_with_claude_code() -> None:
    _check_section("fixtures")


def test_corpus_agrees_with_claude_code() -> None:
    shared(CORPUS)
    if not _truth()["corpus"]:
        pytest.skip("the truth file has no corpus entries (run `make oracle` with ../shared)")
    _check_section("corpus")
