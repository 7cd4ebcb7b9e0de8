from __future__ import annotations

import datetime as dt

import pytest

from subagent_lsp.definitions.checks import CheckOptions
from subagent_lsp.definitions.findings import Severity, Span
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.definitions.spec import Kind
from subagent_lsp.definitions.versions import parse_version

from .conftest import codes, lint

GOOD = (
    '---\nname: my-agent\ndescription: "Use this agent to review pull requests for bugs."\n'
    "tools: Read, Grep, Glob\nmodel: sonnet\n---\nYou review code.\n"
)


def agent(front: str, body: str = "You are an agent.\n") -> str:
    return f"---\n{front.strip()}\n---\n{body}"


def base(extra: str = "") -> str:
    return agent(
        'name: my-agent\ndescription: "Use this agent to review pull requests for bugs."\n' + extra
    )


def test_clean_agent_has_no_findings() -> None:
    assert lint(GOOD) == []


def test_seed_yaml_error_range_and_fix(seed_agent_text: str) -> None:
    findings = lint(seed_agent_text, path="/ws/.claude/agents/backend-developer.md")
    assert codes(findings) == ["AGT006"]
    f = findings[0]
    # Claude Code loads the seed through its quoting retry: a warning (other readers fail).
    assert f.severity is Severity.WARNING
    assert "loads it anyway" in f.message
    assert f.span == Span.of(2, 13, 2, 200)
    fixed = apply_edits(seed_agent_text, f.fixes[0].edits)
    assert f.fixes[0].safe
    assert lint(fixed, path="/ws/.claude/agents/backend-developer.md") == []


@pytest.mark.parametrize(
    ("front", "code", "severity"),
    [
        ('description: "Use this agent for reviews of code."', "AGT010", Severity.ERROR),
        ("name: a-b", "AGT011", Severity.ERROR),
        (
            "name: ''\ndescription: \"Use this agent for reviews of code.\"",
            "AGT017",
            Severity.ERROR,
        ),
        ('name: [a]\ndescription: "Use this agent for reviews of code."', "AGT014", Severity.ERROR),
        (
            'name: -lead\ndescription: "Use this agent for reviews of code."',
            "AGT012",
            Severity.ERROR,
        ),
        (
            'name: My Agent\ndescription: "Use this agent for reviews of code."',
            "AGT013",
            Severity.INFORMATION,
        ),
        ("name: my-agent\ndescription: short", "AGT016", Severity.INFORMATION),
        # Claude Code counts a description that is not a string as missing: skipped.
        ("name: my-agent\ndescription: 42", "AGT014", Severity.ERROR),
    ],
)
def test_name_and_description_rules(front: str, code: str, severity: Severity) -> None:
    found = [f for f in lint(agent(front)) if f.code == code]
    assert found and found[0].severity is severity


def test_colon_in_name_depends_on_claude_code_version() -> None:
    text = agent('name: team:reviewer\ndescription: "Use this agent for reviews of code."')
    new = [f for f in lint(text) if f.code == "AGT012"]
    old_opts = CheckOptions(claude_code_version=parse_version("2.1.217"))
    old = [f for f in lint(text, opts=old_opts) if f.code == "AGT012"]
    assert new[0].severity is Severity.ERROR
    assert old[0].severity is Severity.HINT
    assert "skipped from v2.1.218" in old[0].message


@pytest.mark.parametrize(
    ("key", "target"),
    [
        ("allowedTools", "tools"),
        ("tool", "tools"),
        ("descripton", "description"),
        ("maxturns", "maxTurns"),
        ("permission-mode", "permissionMode"),
    ],
)
def test_unknown_keys_suggest_the_real_one(key: str, target: str) -> None:
    text = agent(
        f"name: my-agent\n{key}: x\n"
        + ("" if target == "description" else 'description: "Use this agent for reviews of code."')
    )
    found = [f for f in lint(text) if f.code == "AGT020"]
    assert found and f"`{target}`" in found[0].message
    assert found[0].fixes and found[0].fixes[0].edits[0].new_text == target
    assert found[0].span.start.line == 2


def test_unknown_key_without_suggestion() -> None:
    found = [f for f in lint(base("frobnicate: 1")) if f.code == "AGT020"]
    assert found and not found[0].fixes


@pytest.mark.parametrize(
    ("line", "code", "fix"),
    [
        ("permissionMode: acceptedits", "AGT030", "acceptEdits"),
        ("memory: projects", "AGT030", "project"),
        ("effort: hihg", "AGT030", "high"),
        ("isolation: worktrees", "AGT030", "worktree"),
        ("color: gren", "AGT030", "green"),
        ("model: claude-sonet-4-5", "AGT032", "claude-sonnet-4-5"),
        ("model: sonet", "AGT032", "sonnet"),
        ("background: yes", "AGT014", "true"),
    ],
)
def test_enum_and_typo_fixes(line: str, code: str, fix: str) -> None:
    found = [f for f in lint(base(line)) if f.code == code]
    assert found, lint(base(line))
    assert found[0].fixes[0].edits[0].new_text == fix
    fixed = apply_edits(base(line), found[0].fixes[0].edits)
    assert [f for f in lint(fixed) if f.code == code] == []


def test_manual_permission_mode_needs_2_1_200() -> None:
    text = base("permissionMode: manual")
    assert [f for f in lint(text) if f.code == "AGT030"] == []
    old = lint(text, opts=CheckOptions(claude_code_version=parse_version("2.1.199")))
    assert any(f.code == "AGT030" and "v2.1.200" in f.message for f in old)


@pytest.mark.parametrize("model", ["gpt-4o", "gemini-2.5-pro", "openai/gpt-5", "llama3"])
def test_foreign_models_are_errors(model: str) -> None:
    found = [f for f in lint(base(f"model: {model}")) if f.code == "AGT031"]
    assert found and found[0].severity is Severity.ERROR


@pytest.mark.parametrize(
    "model",
    [
        "sonnet",
        "opus",
        "haiku",
        "inherit",
        "fable",
        "claude-opus-5",
        "Sonnet",  # aliases are matched in any case (measured on 2.1.332)
        "opusplan",
        "sonnet[1m]",
        "claude-haiku-4-5-20251001",
        "claude-opus-4-6[1m]",
    ],
)
def test_valid_models(model: str) -> None:
    assert lint(base(f"model: {model}")) == []


@pytest.mark.parametrize("model", ["sonet", "Claude Sonnet 4.5", "default", "mythos", "Sonnet 4.5"])
def test_unknown_models_fail_at_spawn(model: str) -> None:
    found = [f for f in lint(base(f"model: {model}")) if f.code == "AGT032"]
    assert found and found[0].severity is Severity.ERROR, lint(base(f"model: {model}"))
    assert "rejects it" in found[0].message


@pytest.mark.parametrize(
    "model",
    [
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-x",
        "claude-sonnet-4-5@20250929",
    ],
)
def test_provider_model_ids_are_accepted(model: str) -> None:
    found = lint(base(f"model: '{model}'"))
    assert [(f.code, f.severity) for f in found] == [("AGT032", Severity.HINT)]


@pytest.mark.parametrize(
    ("model", "patterns"),
    [
        ("my-gateway-model", ("my-gateway-model",)),
        ("my-gateway-sonnet", ("other", "my-gateway-*")),
        ("gpt-4o", ("gpt-*",)),  # a gateway that routes other vendors' models (LiteLLM)
        ("anthropic.claude-x", ("anthropic.*",)),  # no provider hint either: the user said so
    ],
)
def test_gateway_models_are_not_unknown(model: str, patterns: tuple[str, ...]) -> None:
    """Claude Code sends a model it does not know as written (measured: a stand-in that takes
    every model spawns `my-gateway-model` as is), so ids the user's gateway takes are fine."""
    text = base(f"model: {model}")
    assert {f.code for f in lint(text)} & {"AGT031", "AGT032"}, "reported without the setting"
    assert lint(text, opts=CheckOptions(gateway_models=patterns)) == []


def test_gateway_models_do_not_cover_other_ids() -> None:
    found = lint(base("model: sonet"), opts=CheckOptions(gateway_models=("my-gateway-*",)))
    assert [(f.code, f.severity) for f in found] == [("AGT032", Severity.ERROR)]
    # case matters, as the gateway compares ids as written
    upper = lint(base("model: MY-GATEWAY-X"), opts=CheckOptions(gateway_models=("my-gateway-*",)))
    assert [f.code for f in upper] == ["AGT032"]


def test_skill_model_default_is_an_alias_there() -> None:
    path = "/ws/.claude/skills/sql-review/SKILL.md"
    text = "---\nname: sql-review\ndescription: Reviews SQL.\nmodel: default\n---\nbody\n"
    assert lint(text, Kind.SKILL, path) == []


def test_new_but_well_formed_model_is_only_information() -> None:
    found = lint(base("model: claude-opus-9"))
    assert [(f.code, f.severity) for f in found] == [("AGT032", Severity.INFORMATION)]


def test_deprecated_model_before_and_after_end_of_life() -> None:
    text = base("model: claude-sonnet-4-5")
    before = lint(text, opts=CheckOptions(today=dt.date(2026, 11, 1)))
    after = lint(text, opts=CheckOptions(today=dt.date(2026, 12, 1)))
    assert [(f.code, f.severity) for f in before] == [("AGT033", Severity.INFORMATION)]
    assert [(f.code, f.severity) for f in after] == [("AGT033", Severity.ERROR)]


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("maxTurns: many", "AGT014"),
        ("maxTurns: 0", "AGT014"),
        ("background: 1", "AGT014"),
        ("skills: one, two", "AGT014"),
        ("skills: [1]", "AGT014"),
        ("mcpServers: slack", "AGT014"),
        ("mcpServers: [[a]]", "AGT014"),
        ("hooks: []", "AGT035"),
        ("hooks: run.sh", "AGT034"),
        ("hooks: {PreTool: []}", "AGT034"),
        ("hooks: {PreToolUse: x}", "AGT034"),
        ("hooks: {PreToolUse: [{matcher: Bash}]}", "AGT034"),
        ("hooks: {PreToolUse: [{hooks: [{command: x}]}]}", "AGT034"),
        ("hooks: {PreToolUse: [{hooks: [{type: shell}]}]}", "AGT034"),
        ("hooks: {PreToolUse: [{hooks: [{type: command}]}]}", "AGT034"),
        ("initialPrompt: [a]", "AGT014"),
    ],
)
def test_types(line: str, code: str) -> None:
    assert code in codes(lint(base(line)))


def test_valid_hooks_and_mcp() -> None:
    text = base(
        "hooks:\n  PreToolUse:\n    - matcher: Bash\n      hooks:\n        - type: command\n"
        "          command: ./check.sh\nmcpServers:\n  - slack\n  - github: {command: gh}\n"
        "skills:\n  - api-conventions\nmaxTurns: 10\nbackground: true"
    )
    assert lint(text) == []


def test_tools_both_forms_and_positions() -> None:
    found = lint(base("tools: Read, MultiEdit, Task, Websearch, mcp__github__create_issue"))
    by_code = {f.code: f for f in found}
    assert set(by_code) == {"AGT041", "AGT042", "AGT040"}
    assert by_code["AGT041"].span == Span.of(3, 13, 3, 22)
    assert by_code["AGT041"].fixes[0].edits[0].new_text == "Edit"
    assert by_code["AGT042"].severity is Severity.HINT
    listed = lint(base("tools:\n  - Read\n  - LS\n  - Bash(git:*)\n  - Agent(a, b)"))
    assert [(f.code, f.span.start.line) for f in listed] == [("AGT041", 5)]


def test_tools_in_quoted_string_positions() -> None:
    found = lint(base('tools: "Read, Grpe"'))
    assert [(f.code, f.span) for f in found] == [("AGT040", Span.of(3, 14, 3, 18))]


def test_no_tool_resolves_is_an_error_and_version_dependent() -> None:
    text = base("tools: Read Grep Glob")
    found = lint(text)
    assert "AGT043" in codes(found)
    spaced = next(f for f in found if f.code == "AGT046")
    fixed = apply_edits(text, spaced.fixes[0].edits)
    assert lint(fixed) == []
    old = lint(text, opts=CheckOptions(claude_code_version=parse_version("2.1.100")))
    assert next(f for f in old if f.code == "AGT043").severity is Severity.WARNING


def test_empty_tools_is_allowed() -> None:
    assert lint(base("tools: []")) == []
    assert lint(base('tools: ""')) == []


def test_permission_rules_for_one_tool_are_not_duplicates() -> None:
    path = "/ws/.claude/skills/commit/SKILL.md"
    text = "---\nname: commit\ndescription: Commit.\nallowed-tools: Bash(git add *) Bash(git commit *)\n---\n"
    assert lint(text, Kind.SKILL, path) == []


def test_tools_stripped_from_subagents_and_duplicates() -> None:
    found = lint(base("tools: Read, AskUserQuestion, Read"))
    assert sorted(codes(found)) == ["AGT044", "AGT045"]
    plan = lint(base("tools: Read, ExitPlanMode\npermissionMode: plan"))
    assert plan == []


def test_unknown_agent_like_tool_suggests_agent_or_mcp() -> None:
    found = lint(base("tools: Read, context-manager, chrome-mcp, a:b"))
    messages = [f.message for f in found]
    assert any("Agent(context-manager)" in m for m in messages)
    assert any("mcp__<server>" in m for m in messages)
    assert len(found) == 3


def test_agent_tool_before_rename() -> None:
    old = lint(
        base("tools: Agent, Read"), opts=CheckOptions(claude_code_version=parse_version("2.1.50"))
    )
    assert codes(old) == ["AGT040"]


def test_plugin_agents_ignore_keys() -> None:
    found = lint(base("permissionMode: plan\ncolor: red"), plugin=True)
    severities = {f.span.start.line: f.severity for f in found if f.code == "AGT021"}
    assert severities == {3: Severity.WARNING, 4: Severity.INFORMATION}


def test_duplicate_key_and_its_fix() -> None:
    text = base("model: haiku\nmodel: sonnet")
    found = [f for f in lint(text) if f.code == "AGT008"]
    # Claude Code loads it with the last value: a warning that says which one.
    assert found[0].severity is Severity.WARNING and found[0].span.start.line == 4
    assert "uses this later value (`sonnet`)" in found[0].message
    assert found[0].related[0].span.start.line == 3
    fix = found[0].fixes[0]
    assert not fix.safe  # the two values differ: which one was meant is the author's call
    fixed = apply_edits(text, fix.edits)
    assert "model: sonnet" in fixed and "haiku" not in fixed
    assert lint(fixed) == []


def test_duplicate_key_checks_only_the_value_claude_code_uses() -> None:
    text = base("model: sonet\nmodel: sonnet")
    assert codes(lint(text)) == ["AGT008"]  # the ignored `sonet` is not an unknown model
    same = [f for f in lint(base("model: haiku\nmodel: haiku")) if f.code == "AGT008"]
    assert same[0].fixes[0].safe  # equal values: removing one changes nothing


def test_tab_indentation_and_fix() -> None:
    text = agent(
        'name: my-agent\ndescription: "Use this agent for reviews of code."\nskills:\n\t- a'
    )
    found = lint(text)
    assert codes(found) == ["AGT007"]
    fixed = apply_edits(text, found[0].fixes[0].edits)
    assert lint(fixed) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("You are an agent with no frontmatter.\n", "AGT002"),
        ("---\nname: a\ndescription: b\n", "AGT003"),
        ("\n---\nname: a\n---\n", "AGT004"),
        ("---\n- a\n- b\n---\nbody\n", "AGT005"),
        ("---\n---\nbody\n", "AGT010"),
        ('---\nname: a\ndescription: "Use this agent for reviews of code."\n---\n\n', "AGT050"),
    ],
)
def test_structure(text: str, code: str) -> None:
    assert code in codes(lint(text))


def test_misplaced_fence_fix_moves_frontmatter_up() -> None:
    text = "\n\n" + GOOD
    found = lint(text)
    assert codes(found) == ["AGT004"]
    assert lint(apply_edits(text, found[0].fixes[0].edits)) == []


def test_missing_name_fix_uses_the_file_stem() -> None:
    text = agent('description: "Use this agent for reviews of code."')
    found = [f for f in lint(text) if f.code == "AGT010"]
    fixed = apply_edits(text, found[0].fixes[0].edits)
    assert "name: my-agent" in fixed and lint(fixed) == []


def test_readme_in_agents_folder_is_information() -> None:
    found = lint("# Agents\n", path="/ws/.claude/agents/README.md")
    assert [(f.code, f.severity) for f in found] == [("AGT053", Severity.INFORMATION)]


def test_half_typed_key_does_not_report_missing() -> None:
    text = "---\nname: my-agent\ndescription: Use it: now\ntools: Read, Grpe\n---\nbody\n"
    found = lint(text)
    assert "AGT011" not in codes(found)
    assert {"AGT006", "AGT040"} <= set(codes(found))


def test_severity_overrides_and_disabling() -> None:
    text = base("frobnicate: 1")
    opts = CheckOptions(severities={"AGT020": Severity.ERROR})
    assert lint(text, opts=opts)[0].severity is Severity.ERROR
    assert lint(text, opts=CheckOptions(severities={"AGT020": None})) == []


def test_skill_rules() -> None:
    path = "/ws/.claude/skills/sql-review/SKILL.md"
    good = "---\nname: sql-review\ndescription: Reviews SQL migrations.\n---\nbody\n"
    assert lint(good, Kind.SKILL, path) == []
    bad = "---\nname: SQL_Review\nallowed-tools: Read Grpe\ncontext: forked\nshell: zsh\n---\n"
    assert sorted(codes(lint(bad, Kind.SKILL, path))) == [
        "AGT030",
        "AGT030",
        "AGT040",
        "AGT060",
        "AGT061",
        "AGT063",
    ]
    long = "---\ndescription: " + "x" * 1100 + "\nwhen_to_use: " + "y" * 500 + "\n---\n"
    assert codes(lint(long, Kind.SKILL, path)) == ["AGT062", "AGT062"]
    assert codes(lint("---\ncompatibility: " + "z" * 501 + "\n---\n", Kind.SKILL, path)) == [
        "AGT063",
        "AGT062",
    ]
    assert lint("Just instructions.\n", Kind.SKILL, path) == []


def test_command_ignored_keys() -> None:
    path = "/ws/.claude/commands/deploy.md"
    text = "---\nname: deploy\npaths: src/**\ndescription: Deploys.\nallowed-tools: Bash(git push:*)\n---\n"
    found = lint(text, Kind.COMMAND, path)
    assert codes(found) == ["AGT022", "AGT022"]
    assert lint(apply_edits(text, found[0].fixes[0].edits), Kind.COMMAND, path) != found


def test_catalog_note_rules() -> None:
    path = "/ws/notes/n.md"
    good = "---\ncategories: LLM\ntopics: [a, b]\ndateCreated: 2025-09-02\ndateRevised: 2025-09-03\nx: 1\n---\n"
    assert lint(good, Kind.CATALOG, path) == []
    bad = "---\ncategories: {a: 1}\ntopics: [[a]]\ndateCreated: 2025-13-02\ndateRevised: 02/09/2025\n---\n"
    assert sorted(codes(lint(bad, Kind.CATALOG, path))) == ["AGT080", "AGT080", "AGT081", "AGT081"]
    order = "---\ndateCreated: 2025-09-02\ndateRevised: 2025-09-01\n---\n"
    assert codes(lint(order, Kind.CATALOG, path)) == ["AGT082"]
    broken = "---\ncategories: a: b\n---\n"
    assert [(f.code, f.severity) for f in lint(broken, Kind.CATALOG, path)] == [
        ("AGT006", Severity.WARNING)
    ]


def test_too_large_and_control_characters() -> None:
    assert codes(lint("x" * 1_100_000)) == ["AGT001"]
    assert "AGT006" in codes(lint("---\nname: a\x07\ndescription: b\n---\n"))


# --- What Claude Code does when it cannot read the frontmatter, per kind (measured, 2.1.332) ---


def test_retry_failure_is_an_error_that_says_what_claude_code_does() -> None:
    broken = '---\nname: a-b\ndescription: "Unterminated\ntools: Read\n---\nbody\n'
    project = [f for f in lint(broken) if f.code == "AGT006"]
    assert project[0].severity is Severity.ERROR
    assert "Claude Code skips this file" in project[0].message
    plugin = [f for f in lint(broken, path="/ws/agents/a-b.md", plugin=True) if f.code == "AGT006"]
    assert plugin[0].severity is Severity.ERROR
    assert "`ws:a-b`" in plugin[0].message and "every tool" in plugin[0].message
    skill = lint(
        broken.replace("tools", "allowed-tools"), Kind.SKILL, "/ws/.claude/skills/s/SKILL.md"
    )
    yaml = next(f for f in skill if f.code == "AGT006")
    assert yaml.severity is Severity.ERROR and "as `/s`" in yaml.message
    command = lint(broken, Kind.COMMAND, "/ws/.claude/commands/ops/deploy.md")
    assert "as `/ops:deploy`" in next(f for f in command if f.code == "AGT006").message


def test_crlf_file_is_not_rescued_by_the_retry() -> None:
    text = (
        "---\r\nname: my-agent\r\ndescription: Use it when: the code needs review\r\n---\r\nx\r\n"
    )
    found = [f for f in lint(text) if f.code == "AGT006"]
    assert found[0].severity is Severity.ERROR and "Windows line endings" in found[0].message
    assert found[0].fixes and found[0].fixes[0].safe  # quoting fixes it for every reader
    assert lint(apply_edits(text, found[0].fixes[0].edits)) == []


def test_tab_indentation_loads_through_the_retry() -> None:
    text = '---\n\tname: my-agent\n\tdescription: "Use this agent for reviews of code."\n---\nx\n'
    found = lint(text)
    assert codes(found) == ["AGT007", "AGT007"]  # no AGT010/AGT011: Claude Code reads the keys
    assert all(f.severity is Severity.WARNING for f in found)


def test_a_comment_after_a_retried_value_is_part_of_it() -> None:
    text = base("model: sonnet # the fast one").replace(
        '"Use this agent to review pull requests for bugs."', "Use it when: a PR is opened"
    )
    found = [f for f in lint(text) if f.code == "AGT032"]
    assert found[0].severity is Severity.ERROR and "part of the value" in found[0].message
    assert found[0].fixes[0].edits[0].new_text == "sonnet"


def test_plugin_agent_without_name_or_frontmatter_still_loads() -> None:
    text = agent('description: "Use this agent for reviews of code."')
    found = [f for f in lint(text, path="/ws/agents/rev.md", plugin=True) if f.code == "AGT010"]
    assert found[0].severity is Severity.INFORMATION and "`ws:rev`" in found[0].message
    bare = lint("You review code.\n", path="/ws/agents/rev.md", plugin=True)
    assert [(f.code, f.severity) for f in bare] == [("AGT002", Severity.WARNING)]
    assert "Agent from ws plugin" in bare[0].message
    project = lint("You review code.\n")
    assert [(f.code, f.severity) for f in project] == [("AGT002", Severity.ERROR)]


def test_readme_like_files_in_an_agents_folder_are_information() -> None:
    for name in ("README.md", "CHANGELOG.md", "contributing.md"):
        found = lint("# Notes\n", path=f"/ws/.claude/agents/{name}")
        assert [(f.code, f.severity) for f in found] == [("AGT053", Severity.INFORMATION)]


def test_old_tool_names_that_still_resolve_are_hints() -> None:
    found = lint(base("tools: Bash, KillShell, KillBash"))
    assert [(f.code, f.severity) for f in found] == [("AGT042", Severity.HINT)] * 2
    assert found[0].fixes[0].edits[0].new_text == "TaskStop"
    assert "resolves it to `TaskStop`" in found[0].message
    assert lint(base('tools: "*"')) == []  # every tool


def test_comment_cuts_an_unquoted_value() -> None:
    text = base().replace(
        '"Use this agent to review pull requests for bugs."', "Fixes issue #42 and the C# build"
    )
    found = [f for f in lint(text) if f.code == "AGT018"]
    assert found and found[0].severity is Severity.WARNING
    assert found[0].span == Span.of(2, 25, 2, 45) and '"Fixes issue"' in found[0].message
    fixed = apply_edits(text, found[0].fixes[0].edits)
    assert 'description: "Fixes issue #42 and the C# build"' in fixed and found[0].fixes[0].safe
    assert lint(fixed) == []
    # A comment meant as one (`# ` then words) after a non-prose value is left alone.
    assert lint(base("model: sonnet  # fast")) == []
    assert codes(lint(base("tools: Read #2"))) == ["AGT018"]


def test_dashes_inside_the_frontmatter_close_it() -> None:
    text = agent("name: my-agent\ndescription: Use this agent to review --- and fix\ntools: Read")
    found = lint(text)
    cut = [f for f in found if f.code == "AGT019"]
    assert cut and cut[0].span == Span.of(2, 38, 2, 41) and cut[0].severity is Severity.WARNING
    assert "AGT040" not in codes(found)  # `tools: Read` is body now, not a key
    assert lint(apply_edits(text, cut[0].fixes[0].edits)) == []
    assert lint(GOOD.replace("\n---\nYou", "\n----- end\nYou")) == []
