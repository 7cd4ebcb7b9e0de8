"""Names and files a definition points at (agents, skills, a skill's own files), and catalog
notes against the agents they describe: planted defects and their clean twins."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from subagent_lsp.definitions.assist import hover
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Position, Severity, Span
from subagent_lsp.definitions.kinds import classify
from subagent_lsp.definitions.workspace import check_paths


def agent(name: str, extra: str = "", body: str = "You review code.\n") -> str:
    return f'---\nname: {name}\ndescription: "Use this agent for {name} work."\n{extra}---\n{body}'


def run(root: Path, files: dict[str, str], rel: str, prefix: str) -> list[tuple]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [
        (f.code, f.span, f.severity, f.message)
        for r in check_paths([str(root)])
        if Path(r.path) == root / rel
        for f in r.findings
        if f.code.startswith(prefix)
    ]


@pytest.fixture(autouse=True)
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def test_agent_call_with_a_typo_and_its_twin(tmp_path: Path) -> None:
    files = {
        ".claude/agents/lead.md": agent("lead", "tools: Read, Agent(test-runer, Explore)\n"),
        ".claude/agents/runner.md": agent("test-runner"),
    }
    ((code, span, severity, message),) = run(tmp_path, files, ".claude/agents/lead.md", "AGT10")
    assert (code, severity) == ("AGT106", Severity.WARNING)
    assert span == Span.of(3, 19, 3, 29) and "did you mean `test-runner`" in message
    files[".claude/agents/lead.md"] = agent("lead", "tools: Read, Task(test-runner, Explore)\n")
    assert run(tmp_path, files, ".claude/agents/lead.md", "AGT10") == []


def test_unknown_with_no_close_name_is_information(tmp_path: Path) -> None:
    files = {".claude/agents/lead.md": agent("lead", "tools: Agent(zeta)\n")}
    ((code, _, severity, _),) = run(tmp_path, files, ".claude/agents/lead.md", "AGT10")
    assert (code, severity) == ("AGT106", Severity.INFORMATION)


def test_user_scope_and_plugin_names_count(tmp_path: Path, empty_home: Path) -> None:
    (empty_home / ".claude" / "agents").mkdir(parents=True)
    (empty_home / ".claude" / "agents" / "mine.md").write_text(agent("my-helper"))
    files = {
        ".claude/agents/lead.md": agent("lead", "tools: Agent(my-helper, kit:other)\n"),
    }
    assert run(tmp_path, files, ".claude/agents/lead.md", "AGT10") == []


def test_skills_entries_and_a_skills_agent_field(tmp_path: Path) -> None:
    files = {
        ".claude/agents/lead.md": agent("lead", "skills:\n  - api-conventons\n  - testing\n"),
        ".claude/skills/api-conventions/SKILL.md": "---\ndescription: API rules.\n---\nBody.\n",
        ".claude/skills/tests/SKILL.md": "---\nname: testing\ndescription: Tests.\n---\nBody.\n",
        ".claude/skills/deploy/SKILL.md": (
            "---\ndescription: Deploy.\ncontext: fork\nagent: deployer\n---\nDeploy it.\n"
        ),
    }
    found = run(tmp_path, files, ".claude/agents/lead.md", "AGT10")
    assert [(c, s) for c, s, _, _ in found] == [("AGT107", Span.of(4, 4, 4, 18))]
    deploy = run(tmp_path, files, ".claude/skills/deploy/SKILL.md", "AGT10")
    assert [(c, s.start.line) for c, s, _, _ in deploy] == [("AGT106", 3)]


def test_skill_links_and_scripts_next_to_skill_md(tmp_path: Path) -> None:
    body = (
        "See [the reference](reference.md) and [the guide](guide.md#intro).\n"
        "Run `${CLAUDE_SKILL_DIR}/scripts/render.sh data.csv`.\n"
        "Then `python scripts/check.py` and [docs](https://example.com/x.md).\n"
    )
    skill = f"---\ndescription: Charts.\n---\n{body}"
    files = {
        ".claude/skills/charts/SKILL.md": skill,
        ".claude/skills/charts/reference.md": "# Ref\n",
        ".claude/skills/charts/scripts/check.py": "print()\n",
    }
    found = run(tmp_path, files, ".claude/skills/charts/SKILL.md", "AGT108")
    lines = skill.splitlines()
    assert [s for _, s, _, _ in found] == [
        Span.of(3, lines[3].index("guide.md"), 3, lines[3].index("guide.md") + 14),
        Span.of(4, 5, 4, 5 + len("${CLAUDE_SKILL_DIR}/scripts/render.sh")),
    ]
    files[".claude/skills/charts/guide.md"] = "# Guide\n"
    files[".claude/skills/charts/scripts/render.sh"] = "echo\n"
    assert run(tmp_path, files, ".claude/skills/charts/SKILL.md", "AGT108") == []


NOTE = (
    "---\ncategories: LLM\ntopics:\n  - Backend Development\ndateCreated: 2020-01-01\n"
    "dateRevised: {revised}\naliases: [Backend Developer]\n---\n# Backend Developer Subagent\n\n"
    "It searches with the `WebSearch` tool and edits with `Edit`.\n"
)


def test_catalog_note_against_its_agent(tmp_path: Path) -> None:
    files = {
        ".claude/agents/backend.md": agent("backend-developer", "tools: Read, Edit\nmodel: opus\n"),
        "notes/backend.md": NOTE.format(revised="2020-01-02"),
    }
    found = run(tmp_path, files, "notes/backend.md", "AGT11")
    assert [(c, s, sev) for c, s, sev, _ in found] == [
        ("AGT116", Span.of(5, 13, 5, 23), Severity.HINT),
        ("AGT115", Span.of(10, 22, 10, 31), Severity.HINT),
    ]


def test_catalog_clean_twin(tmp_path: Path) -> None:
    files = {
        ".claude/agents/backend.md": agent("backend-developer", "tools: Read, Edit, WebSearch\n"),
        "notes/backend.md": NOTE.format(revised="2099-01-01"),
    }
    agent_file = tmp_path / ".claude/agents/backend.md"
    assert run(tmp_path, files, "notes/backend.md", "AGT11") == []
    past = time.mktime((2020, 6, 1, 0, 0, 0, 0, 0, -1))
    os.utime(agent_file, (past, past))
    note = {"notes/backend.md": NOTE.format(revised="2021-01-01")}
    assert run(tmp_path, note, "notes/backend.md", "AGT11") == []
    # a note about an agent nobody defined is just a note
    note = {"notes/backend.md": NOTE.format(revised="2019-01-01").replace("Backend", "Front")}
    assert run(tmp_path, note, "notes/backend.md", "AGT11") == []


def test_hover_on_a_notes_title_shows_the_agent(tmp_path: Path) -> None:
    run(
        tmp_path,
        {".claude/agents/backend.md": agent("backend-developer", "tools: Read\nmodel: opus\n")},
        ".claude/agents/backend.md",
        "AGT",
    )
    path = str(tmp_path / "notes" / "backend.md")
    text = NOTE.format(revised="2020-01-02")
    doc, fk = parse_document(path, text), classify(path, text)
    assert fk is not None
    info = hover(doc, fk, Position(8, 4))
    assert info is not None
    assert "model: `opus`" in info.markdown and "tools: `Read`" in info.markdown
    assert hover(doc, fk, Position(10, 2)) is None


def test_last_change_is_the_commit_date_of_a_clean_file(tmp_path: Path) -> None:
    import subprocess

    from subagent_lsp.definitions.rules.catalog import last_change

    repo = tmp_path / "repo"
    repo.mkdir()
    agent_file = repo / "a.md"
    agent_file.write_text(agent("a"))
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": "2021-03-04T05:06:07Z",
        "GIT_COMMITTER_DATE": "2021-03-04T05:06:07Z",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for args in (["init", "-q"], ["add", "a.md"], ["commit", "-q", "-m", "a"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)
    assert str(last_change(str(agent_file))) == "2021-03-04"  # the checkout's mtime is later
    agent_file.write_text(agent("a", body="Changed.\n"))
    past = time.mktime((2022, 6, 1, 12, 0, 0, 0, 0, -1))
    os.utime(agent_file, (past, past))
    assert str(last_change(str(agent_file))) == "2022-06-01"  # changed since: its mtime
    assert last_change(str(repo / "gone.md")) is None


def test_a_command_in_a_fence_may_run_from_the_project_root(tmp_path: Path) -> None:
    skill = "---\ndescription: Loop.\n---\n```bash\nnode scripts/claw.js\n```\n"
    files = {".git/HEAD": "x\n", ".claude/skills/loop/SKILL.md": skill}
    assert [c for c, *_ in run(tmp_path, files, ".claude/skills/loop/SKILL.md", "AGT108")] == [
        "AGT108"
    ]
    files["scripts/claw.js"] = "//\n"
    assert run(tmp_path, files, ".claude/skills/loop/SKILL.md", "AGT108") == []


def test_a_command_may_run_from_the_project_or_the_plugin_without_git(tmp_path: Path) -> None:
    # held-out (repositories read from an archive, no .git): a project skill running the
    # repository's scripts/, a plugin skill running the plugin's scripts/
    skill = "---\ndescription: Loop.\n---\n```bash\nbash scripts/claw.sh repo\n```\n"
    files = {"proj/.claude/skills/loop/SKILL.md": skill, "proj/scripts/claw.sh": "#\n"}
    files["kit/.claude-plugin/plugin.json"] = '{"name": "kit"}'
    files["kit/skills/loop/SKILL.md"] = skill
    files["kit/scripts/claw.sh"] = "#\n"
    assert run(tmp_path, files, "proj/.claude/skills/loop/SKILL.md", "AGT108") == []
    assert run(tmp_path, files, "kit/skills/loop/SKILL.md", "AGT108") == []
    files["lone/skills/loop/SKILL.md"] = skill
    assert [c for c, *_ in run(tmp_path, files, "lone/skills/loop/SKILL.md", "AGT108")] == [
        "AGT108"
    ]


def test_a_file_name_is_not_an_instruction(tmp_path: Path) -> None:
    # held-out: a table of templates, "[check.py](./templates/check.py) | `scripts/check.py`"
    body = "| [check.py](./templates/check.py) | `scripts/check.py` |\n"
    files = {
        ".claude/skills/t/SKILL.md": f"---\ndescription: T.\n---\n{body}",
        ".claude/skills/t/templates/check.py": "#\n",
    }
    assert run(tmp_path, files, ".claude/skills/t/SKILL.md", "AGT108") == []
    files[".claude/skills/t/SKILL.md"] = "---\ndescription: T.\n---\nRun `scripts/check.py`.\n"
    assert [c for c, *_ in run(tmp_path, files, ".claude/skills/t/SKILL.md", "AGT108")] == [
        "AGT108"
    ]
