"""The body against the frontmatter (subagents, skills, commands): planted defects found at
their exact ranges, and a clean twin of each that stays silent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subagent_lsp.definitions.findings import Severity, Span
from subagent_lsp.definitions.workspace import check_paths

AGENT = ".claude/agents/reviewer.md"
SKILL = ".claude/skills/review/SKILL.md"
COMMAND = ".claude/commands/fix.md"


def agent(frontmatter: str, body: str) -> str:
    return f'---\nname: reviewer\ndescription: "Reviews code."\n{frontmatter}---\n{body}'


def skill(frontmatter: str, body: str) -> str:
    return f"---\ndescription: Review the change.\n{frontmatter}---\n{body}"


def findings(
    root: Path, rel: str, text: str, files: dict[str, str] | None = None, prefix: str = "AGT10"
) -> list[tuple[str, Span, Severity]]:
    for name, content in {**(files or {}), rel: text}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return [
        (f.code, f.span, f.severity)
        for r in check_paths([str(root)])
        if Path(r.path) == root / rel
        for f in r.findings
        if f.code.startswith(prefix)
    ]


def col(text: str, line: int, needle: str) -> int:
    return text.splitlines()[line].index(needle)


# --- tools the body names ----------------------------------------------------------------
def test_run_a_command_without_bash(tmp_path: Path) -> None:
    text = agent("tools: Read, Grep\n", "# Steps\n\n1. Run `git diff` to see the change.\n")
    start = col(text, 7, "`git diff`")
    assert findings(tmp_path, AGENT, text) == [
        ("AGT100", Span.of(7, start, 7, start + 10), Severity.WARNING)
    ]


@pytest.mark.parametrize(
    ("frontmatter", "body"),
    [
        ("tools: Read, Grep, Bash\n", "Run `git diff` to see the change.\n"),
        ("tools: Read, PowerShell\n", "Run `git diff` to see the change.\n"),
        ("", "Use the Bash tool to run the tests.\n"),  # no `tools`: every tool
        ("tools: Read, Edit\n", "Never use `Write` to replace a file; use `Edit`.\n"),
        ("tools: Read\n", "Build cross-platform tools using PowerShell 7 features.\n"),
        ("tools: Read\n", "Run `/review` when you are done.\n"),  # a slash command
        ("tools: Read\n", "```bash\nrun `make`\n```\n"),  # inside a fence
        ("tools: Read\n", "The Bash tool is not available to you.\n"),  # a mention
        ("tools: Read, Task\n", "Use the Agent tool to delegate.\n"),  # Task is Agent
        ('tools: "*"\n', "Use the Bash tool.\n"),
        ("tools: Read\n", "Ask the user to run `npm install` first.\n"),  # someone else runs it
        ("tools: Read\n", "Show the assistant using the Agent tool.\n"),
        # held-out: the short name of a granted MCP tool is a tool call, not a command
        ("tools: mcp__docker__mcp-find\n", '1. Run `mcp-find "<keyword>"` to find MCPs.\n'),
        # held-out: a command in a ```bash block nested in a list item is code
        ("tools: Read\n", "1. Check:\n     ```bash\n     run `make`\n     ```\n"),
    ],
)
def test_clean_twins_of_tool_instructions(tmp_path: Path, frontmatter: str, body: str) -> None:
    assert findings(tmp_path, AGENT, agent(frontmatter, body)) == []


def test_named_tool_missing_and_a_conditional_one_is_a_hint(tmp_path: Path) -> None:
    body = "Use the WebSearch tool for context.\nIf the repo is large, use the Grep tool.\n"
    text = agent("tools: Read\n", body)
    found = findings(tmp_path, AGENT, text)
    assert [(c, s.start.line, sev) for c, s, sev in found] == [
        ("AGT100", 5, Severity.WARNING),
        ("AGT100", 6, Severity.HINT),
    ]
    assert found[0][1] == Span.of(5, 0, 5, len("Use the WebSearch tool"))


def test_every_tool_of_a_list_counts(tmp_path: Path) -> None:
    text = agent(
        "tools: Read, Grep\n", "Use `Grep` and `Glob` to find it, then the Read or Edit tool.\n"
    )
    line = text.splitlines()[5]
    found = findings(tmp_path, AGENT, text)
    assert [(c, s.start.column) for c, s, _ in found] == [("AGT100", line.index("Glob"))]


def test_a_tool_disallowed_tools_removes(tmp_path: Path) -> None:
    text = agent("disallowedTools: Bash, Write\n", "Use `Write` to save the report.\n")
    assert findings(tmp_path, AGENT, text) == [
        ("AGT100", Span.of(5, 0, 5, len("Use `Write`")), Severity.WARNING)
    ]
    narrow = agent("disallowedTools: Bash(rm *)\n", "Use the Bash tool to run tests.\n")
    assert findings(tmp_path, AGENT, narrow) == []


def test_the_add_tool_fix(tmp_path: Path) -> None:
    text = agent("tools: Read, Grep\n", "Run `npm test` first.\n")
    (tmp_path / AGENT).parent.mkdir(parents=True)
    (tmp_path / AGENT).write_text(text)
    (finding,) = [f for f in check_paths([str(tmp_path)])[0].findings if f.code == "AGT100"]
    (edit,) = finding.fixes[0].edits
    assert edit.new_text == ", Bash" and edit.span == Span.of(3, 17, 3, 17)
    assert not finding.fixes[0].safe


def test_a_skill_whose_allowed_tools_leave_a_tool_out(tmp_path: Path) -> None:
    text = skill("allowed-tools: Read Grep\n", "Use the Bash tool to run the tests.\n")
    assert findings(tmp_path, SKILL, text) == [
        ("AGT101", Span.of(4, 0, 4, len("Use the Bash tool")), Severity.HINT)
    ]
    # no allowed-tools: nothing is pre-approved, nothing to say
    assert findings(tmp_path / "b", SKILL, skill("", "Use the Bash tool.\n")) == []
    removed = skill("disallowed-tools: Bash\n", "Use the Bash tool.\n")
    assert [c for c, _, _ in findings(tmp_path / "c", SKILL, removed)] == ["AGT100"]


# --- `!` shell lines -----------------------------------------------------------------------
def test_a_shell_line_allowed_tools_does_not_allow(tmp_path: Path) -> None:
    text = skill("", "## Context\n\n- Diff: !`gh pr diff`\n")
    start = col(text, 5, "!`")
    assert findings(tmp_path, COMMAND, text) == [
        ("AGT102", Span.of(5, start, 5, start + len("!`gh pr diff`")), Severity.WARNING)
    ]


@pytest.mark.parametrize(
    "frontmatter",
    ["allowed-tools: Bash(gh *)\n", "allowed-tools: Bash\n", "allowed-tools: Bash(gh pr diff:*)\n"],
)
def test_clean_twins_of_a_shell_line(tmp_path: Path, frontmatter: str) -> None:
    assert findings(tmp_path, COMMAND, skill(frontmatter, "- Diff: !`gh pr diff`\n")) == []


@pytest.mark.parametrize(
    "body",
    [
        "Status: !`git status --short`\n",  # read-only
        "Log: !`git log --oneline -5 || true`\n",
        "Files: !`ls -la | head -5`\n",
        "Env: KEY=!`npm whoami`\n",  # not at a line start or after a space: literal
        "Out: !`make $(cat target)`\n",  # unsure: left alone
        "Out: !`test -f README.md && date -u +%Y || uname -a`\n",  # measured read-only
        "Out: !`git stash list; python3 --version`\n",
        "Trees: !`git worktree list --porcelain`\n",  # in the release's read-only table
        'Out: !`echo "a|b" | grep -c "npm|make"`\n',  # operators inside quotes are text
    ],
)
def test_shell_lines_that_run_without_a_rule(tmp_path: Path, body: str) -> None:
    assert findings(tmp_path, COMMAND, skill("", body)) == []


@pytest.mark.parametrize(
    ("line", "part"),
    [
        ("!`git status && git add .`", "git add ."),
        ("!`git stash`", "git stash"),
        ("!`git worktree add ../x`", "git worktree add ../x"),
        ("!`npm --version`", "npm --version"),
        ("!`env | sort`", "env"),
    ],
)
def test_the_part_that_needs_approval_is_named(tmp_path: Path, line: str, part: str) -> None:
    (tmp_path / COMMAND).parent.mkdir(parents=True)
    (tmp_path / COMMAND).write_text(skill("", f"Out: {line}\n"))
    (finding,) = [f for f in check_paths([str(tmp_path)])[0].findings if f.code == "AGT102"]
    assert f"`{part}` is not a read-only command" in finding.message


def test_an_unquoted_variable_aborts_whatever_the_rules(tmp_path: Path) -> None:
    text = skill("allowed-tools: Bash(ls *)\narguments: [dir]\n", "Out: !`ls $PWD`\n")
    (tmp_path / COMMAND).parent.mkdir(parents=True)
    (tmp_path / COMMAND).write_text(text)
    (finding,) = [f for f in check_paths([str(tmp_path)])[0].findings if f.code == "AGT102"]
    assert "unquoted variable (`$PWD`)" in finding.message
    for body in ('Out: !`echo "$HOME" $dir`\n', "Out: !`ls $dir $1 ${CLAUDE_SKILL_DIR}`\n"):
        clean = skill("allowed-tools: Bash(ls *)\narguments: [dir]\n", body)
        assert findings(tmp_path / "clean", COMMAND, clean) == []
    assert (
        findings(tmp_path / "bash", COMMAND, skill("allowed-tools: Bash\n", "!`ls $PWD`\n")) == []
    )


def test_a_shell_block_and_the_projects_settings(tmp_path: Path) -> None:
    text = skill("", "## Env\n```!\nnode build.js\nnpm install\n```\n")
    found = findings(tmp_path, COMMAND, text)
    assert [(c, s.start.line) for c, s, _ in found] == [("AGT102", 5), ("AGT102", 6)]
    settings = {"permissions": {"allow": ["Bash(node *)", "Bash(npm install)"]}}
    (tmp_path / ".claude" / "settings.json").write_text(json.dumps(settings))
    assert findings(tmp_path, COMMAND, text) == []
    other = tmp_path / "other"
    (other / ".claude").mkdir(parents=True)
    (other / ".claude" / "settings.local.json").write_text('{"disableSkillShellExecution": true}')
    assert findings(other, COMMAND, text) == []  # the lines become placeholder text


def test_the_allow_fix_adds_allowed_tools(tmp_path: Path) -> None:
    text = skill("", "- Diff: !`gh pr diff`\n")
    (tmp_path / COMMAND).parent.mkdir(parents=True)
    (tmp_path / COMMAND).write_text(text)
    (finding,) = [f for f in check_paths([str(tmp_path)])[0].findings if f.code == "AGT102"]
    assert finding.fixes[0].edits[0].new_text.startswith("allowed-tools: Bash(gh *)")


# --- argument placeholders -----------------------------------------------------------------
def test_undeclared_placeholder(tmp_path: Path) -> None:
    text = skill("arguments: [issue, branch]\n", "Fix $issue on $brnach, then $target.\n")
    found = findings(tmp_path, COMMAND, text)
    line = text.splitlines()[4]
    assert [(c, s) for c, s, _ in found] == [
        ("AGT103", Span.of(4, line.index("$brnach"), 4, line.index("$brnach") + 7)),
        ("AGT103", Span.of(4, line.index("$target"), 4, line.index("$target") + 7)),
    ]


@pytest.mark.parametrize(
    ("frontmatter", "body"),
    [
        ("arguments: [issue]\n", "Fix $issue. Costs \\$5, see $ARGUMENTS[0] and $0.\n"),
        ("arguments: issue branch\n", "Fix $issue on $branch.\n"),
        (
            "arguments: [issue-number, PR]\n",
            "Fix $issue-number in $PR ($HOME, ${CLAUDE_SKILL_DIR}).\n",
        ),
        ("", "Fix $issue.\n"),  # no arguments, no hint: `$issue` may be anything
        ("arguments: [issue]\n", "Fix $issue. Run `echo $HOME $user`.\n"),  # code span
        ("arguments: [issue]\n", "Fix $issue.\n```sh\nfor f in $files; do :; done\n```\n"),
    ],
)
def test_clean_twins_of_placeholders(tmp_path: Path, frontmatter: str, body: str) -> None:
    assert findings(tmp_path, COMMAND, skill(frontmatter, body)) == []


def test_shell_variables_in_a_nested_fence_are_not_placeholders(tmp_path: Path) -> None:
    # held-out: ```bash blocks indented under numbered steps, in a command with a hint only
    body = '1. Save it:\n     ```bash\n    write.sh "$session_file"\n     ```\nThen $issue.\n'
    text = skill("argument-hint: '[issue]'\n", body)
    found = findings(tmp_path, COMMAND, text)
    assert [(c, s.start.line) for c, s, _ in found] == [("AGT103", 8)]


def test_tools_claude_code_adds_or_removes_for_every_subagent(tmp_path: Path) -> None:
    # AskUserQuestion is removed from every subagent even when listed (sub-agents docs);
    # SendMessage / the Task tools are added to a teammate's `tools` (agent-teams docs).
    text = agent(
        "tools: Read, AskUserQuestion\n",
        "Use the `AskUserQuestion` tool to ask.\nCall the SendMessage tool to reply.\n",
    )
    found = findings(tmp_path, AGENT, text)
    assert [(c, s.start.line, sev) for c, s, sev in found] == [
        ("AGT100", 5, Severity.WARNING),
        ("AGT100", 6, Severity.HINT),
    ]
    messages = [
        f.message
        for r in check_paths([str(tmp_path / AGENT)])
        for f in r.findings
        if f.code == "AGT100"
    ]
    assert "removes `AskUserQuestion` from every subagent" in messages[0]
    assert "teammate" in messages[1]
    plan = agent(
        "tools: Read, ExitPlanMode\npermissionMode: plan\n", "Use `ExitPlanMode` when done.\n"
    )
    assert findings(tmp_path / "plan", AGENT, plan) == []


def test_a_tool_that_never_asks_is_not_worth_preapproving(tmp_path: Path) -> None:
    # held-out: skills told to use `AskUserQuestion` (Permission required: No) without listing it
    text = skill("allowed-tools: Read\n", "Use `AskUserQuestion` to pick. Use the Bash tool.\n")
    assert [c for c, _, _ in findings(tmp_path, SKILL, text)] == ["AGT101"]
    line = text.splitlines()[4]
    assert findings(tmp_path, SKILL, text)[0][1].start.column == line.index("Use the Bash")


def test_run_a_mode_of_the_skill_itself(tmp_path: Path) -> None:
    text = skill(
        "argument-hint: '[update | audit]'\nallowed-tools: Read\n",
        "With no argument, run `update`. Then run `make test`.\n",
    )
    found = findings(tmp_path, SKILL, text)
    assert [(c, s.start.line) for c, s, _ in found] == [("AGT101", 5)]
    line = text.splitlines()[5]
    assert found[0][1].start.column == line.index("`make test`")


def test_braces_and_case_are_not_substituted(tmp_path: Path) -> None:
    text = skill("arguments: [pr]\n", "Review ${pr} and $Pr, then $pr.\n")
    found = findings(tmp_path, COMMAND, text)
    line = text.splitlines()[4]
    assert [(c, s) for c, s, _ in found] == [
        ("AGT103", Span.of(4, line.index("${pr}"), 4, line.index("${pr}") + 5)),
        ("AGT103", Span.of(4, line.index("$Pr"), 4, line.index("$Pr") + 3)),
    ]


def test_hint_without_arguments_makes_names_undeclared(tmp_path: Path) -> None:
    text = skill("argument-hint: '[issue]'\n", "Fix $issue.\n")
    assert [c for c, _, _ in findings(tmp_path, COMMAND, text)] == ["AGT103"]


def test_names_written_with_their_dollar(tmp_path: Path) -> None:
    text = skill("arguments: $QUERY\n", 'Search for "$QUERY".\n')
    assert findings(tmp_path, COMMAND, text) == [
        ("AGT109", Span.of(2, 11, 2, 17), Severity.WARNING)
    ]


def test_names_declared_and_never_used(tmp_path: Path) -> None:
    text = skill("arguments: [issue]\n", "Fix issue $ARGUMENTS.\n")
    assert findings(tmp_path, COMMAND, text) == [("AGT104", Span.of(2, 11, 2, 18), Severity.HINT)]


def test_hint_and_arguments_disagree_in_count(tmp_path: Path) -> None:
    text = skill("arguments: [issue]\nargument-hint: '[issue] [branch]'\n", "Fix $issue.\n")
    assert findings(tmp_path, COMMAND, text) == [("AGT105", Span.of(3, 15, 3, 33), Severity.HINT)]
    same = skill("arguments: [issue, branch]\nargument-hint: <issue> <branch>\n", "$issue $branch")
    assert findings(tmp_path / "b", COMMAND, same) == []


def test_the_tool_sets_behind_the_body_rules_name_current_tools() -> None:
    from subagent_lsp.definitions import spec

    names = {t.name for t in spec.TOOLS}
    assert names >= spec.NO_PERMISSION_TOOLS
    assert set(spec.TEAMMATE_TOOLS) <= names
    assert {t.name for t in spec.TOOLS if t.removed_from_subagents} <= names
