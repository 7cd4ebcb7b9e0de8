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
KNOWN_DISAGREEMENTS: dict[str, str] = {}


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


def test_spec_facts_match_the_release() -> None:
    """spec.py's model and tool facts are the release's (the truth file's `release` section):
    after a bump and `make oracle`, this names each fact that moved."""
    from subagent_lsp.definitions import spec

    truth = _truth()
    release = truth["release"]
    assert truth["claude_code_version"] == spec.LATEST_KNOWN_VERSION
    assert truth["claude_code_version"] == spec.MODEL_FACTS_RELEASE
    assert release["default_model"] == spec.DEFAULT_MODEL_ID
    for alias, sent in release["model_aliases"].items():
        if sent.startswith("sent as"):  # sent as written and rejected by the API
            known = spec.model_alias(alias)
            assert alias in spec.REJECTED_MODEL_WORDS and (known is None or not known.subagent_ok)
        elif alias == "inherit":
            assert sent == spec.DEFAULT_MODEL_ID
        else:
            assert spec.ALIAS_TO_MODEL_ID[alias] == sent, alias
    for old, new in release["tool_aliases"].items():
        fact = spec.tool_index()[old]
        assert fact.status is spec.ToolStatus.ALIAS and fact.replacement == new, old


# In the request's tool list where the schemas of the tools offered through ToolSearch would go:
# a stand-in of Claude Code's own, never a name an agent file can list.
NOT_A_TOOL = {"DeferredToolPlaceholder"}


def test_spec_knows_every_tool_of_the_release() -> None:
    """Every tool the pinned release offers its main session (the baseline run's request) is in
    spec.py as a current tool: a new release's new tool shows up here by name, though no
    calibration probe asks for it (the probes only try names we already know)."""
    from subagent_lsp.definitions import spec

    offered = set(_truth()["release"]["main_tools"]) - NOT_A_TOOL
    assert offered, "the truth file has no main_tools (run `make oracle`)"
    index = spec.tool_index()
    unknown = sorted(t for t in offered if t not in index)
    assert not unknown, f"tools of Claude Code {_truth()['claude_code_version']} not in spec.py"
    stale = sorted(t for t in offered if index[t].status is not spec.ToolStatus.CURRENT)
    assert not stale, f"offered by the release, but not current in spec.py: {stale}"


def test_gateway_model_ids_are_sent_as_written() -> None:
    """The `gatewayModels` setting rests on this: Claude Code sends a `model` it does not know as
    written, so a gateway that takes the id runs the agent and Anthropic's API rejects it; a
    release that starts checking ids itself would show here."""
    from subagent_lsp.definitions.checks import CheckOptions

    from .conftest import lint

    trials = _truth()["release"]["gateway"]
    custom = trials["custom_id_gateway"]
    assert (custom["sent_as"], custom["status"]) == (custom["written"], 200)
    rejected = trials["custom_id_anthropic_api"]
    assert (rejected["sent_as"], rejected["status"]) == (rejected["written"], 404)
    text = f"---\nname: my-agent\ndescription: A.\nmodel: {custom['written']}\n---\nBody.\n"
    assert "AGT032" in {f.code for f in lint(text)}
    declared = lint(text, opts=CheckOptions(gateway_models=(custom["written"],)))
    assert "AGT032" not in {f.code for f in declared}


# Names in the release's own tool list (`release.bundle`, oracle/facts.py) that spec.py does not
# describe, each with why. A new release that adds a name fails the test below until the name is
# either described in spec.py or listed here after its calibration (`release.tool_names`) is read.
UNDESCRIBED_TOOLS = {
    # unrecognized in a headless session, for the main session's product features only
    "ClaudeDesign": "headless: unrecognized; not an agent tool in any documentation",
    "OfferChromeSetup": "headless: unrecognized; Claude in Chrome set-up",
    "Projects": "headless: unrecognized",
    "propose_skills": "headless: unrecognized",
    "ReadMcpResourceDirTool": "headless: unrecognized (MCP resources, with no server here)",
    "ReadNotifications": "headless: unrecognized",
    "SendFeedback": "headless: unrecognized",
    "SendUserMessage": "headless: unrecognized (its old name Brief too)",
    "SetGoal": "headless: unrecognized (its old name ProposeGoal too)",
    "ShowOnboardingRolePicker": "headless: unrecognized; onboarding",
    "SubagentHandback": "headless: unrecognized; how a subagent hands its report back",
}


def test_spec_knows_the_release_tables() -> None:
    """What the release's program lists (tool names, old names it maps) against spec.py: every
    name is described there or listed in UNDESCRIBED_TOOLS, and every old name the release
    really resolves for a subagent (calibrated) is an alias in spec.py."""
    from subagent_lsp.definitions import spec

    release = _truth()["release"]
    bundle = release["bundle"]
    assert bundle["tool_names"], "the release's tool list was not found (oracle/facts.py)"
    assert bundle["tool_aliases"].get("Task") == "Agent"
    index = spec.tool_index()
    new = sorted(set(bundle["tool_names"]) - set(index) - set(UNDESCRIBED_TOOLS))
    assert not new, f"in the release's tool list, not in spec.py nor UNDESCRIBED_TOOLS: {new}"
    gone = sorted(set(UNDESCRIBED_TOOLS) - set(bundle["tool_names"]))
    assert not gone, f"no longer in the release's tool list: {gone}"
    moved = sorted(t for t in UNDESCRIBED_TOOLS if release["tool_names"].get(t) != "unrecognized")
    assert not moved, f"a subagent can list these now: describe them in spec.py: {moved}"
    for old in bundle["tool_aliases"]:
        if old in release["tool_aliases"]:  # resolves for a subagent (calibrated)
            fact = index[old]
            assert fact.status is spec.ToolStatus.ALIAS, old
            assert fact.replacement == release["tool_aliases"][old] == bundle["tool_aliases"][old]
