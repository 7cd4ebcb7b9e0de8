from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subagent_lsp.definitions.kinds import (
    Globs,
    _plain_regex,
    classify,
    classify_by_content,
    frontmatter_keys,
    manifest_problems,
)
from subagent_lsp.definitions.spec import Kind

from .conftest import SEEDS, shared


def test_globs_any_depth() -> None:
    g = Globs()
    assert g.match("/x/y/.claude/agents/sub/a.md") is Kind.SUBAGENT
    assert g.match("plugins/p/agents/a.md") is Kind.SUBAGENT
    assert g.match("/r/.claude/skills/s/SKILL.md") is Kind.SKILL
    assert g.match("/r/.claude/commands/ops/deploy.md") is Kind.COMMAND
    assert g.match("/r/docs/readme.md") is None


def test_custom_globs() -> None:
    g = Globs({Kind.SUBAGENT: ["prompts/*.md"]})
    assert g.match("/r/prompts/a.md") is Kind.SUBAGENT
    assert g.match("/r/.claude/agents/a.md") is None


def test_content_classification() -> None:
    note = shared(SEEDS / "backend-developer.catalog-note.md").read_text()
    assert classify_by_content("n.md", note) is Kind.CATALOG
    agent = shared(SEEDS / "backend-developer.agent.md").read_text()
    assert classify_by_content("a.md", agent) is Kind.SUBAGENT
    assert classify_by_content("x/SKILL.md", "---\ndescription: d\n---\n") is Kind.SKILL
    assert classify_by_content("c.md", "---\nargument-hint: x\n---\n") is Kind.COMMAND
    assert classify_by_content("r.md", "# Readme\n") is None
    assert frontmatter_keys("no frontmatter") == set()


def test_explicit_path_uses_content(tmp_path: Path) -> None:
    f = tmp_path / "anything.md"
    f.write_text("---\nname: a\ndescription: b\n---\n")
    text = f.read_text()
    assert classify(str(f), text, explicit=False) is None
    kind = classify(str(f), text, explicit=True)
    assert kind is not None and kind.kind is Kind.SUBAGENT


def _plugin(tmp_path: Path, manifest: dict[str, object]) -> Path:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text(json.dumps(manifest))
    return tmp_path


def test_plugin_with_listed_agents(tmp_path: Path) -> None:
    root = _plugin(tmp_path, {"name": "p", "agents": ["./a.md"]})
    agent = "---\nname: a\ndescription: d\n---\n"
    for n in ("a.md", "b.md", "README.md"):
        (root / n).write_text(agent if n != "README.md" else "# readme\n")
    a = classify(str(root / "a.md"), agent)
    b = classify(str(root / "b.md"), agent)
    assert a is not None and a.plugin and not a.unlisted
    assert b is not None and b.unlisted
    assert classify(str(root / "README.md"), "# readme\n") is None


def test_plugin_default_agents_folder_and_skills(tmp_path: Path) -> None:
    root = _plugin(tmp_path, {"name": "p"})
    (root / "agents").mkdir()
    (root / "skills" / "s").mkdir(parents=True)
    kind = classify(str(root / "agents" / "x.md"), "---\nname: x\n---\n")
    assert kind is not None and kind.plugin and kind.kind is Kind.SUBAGENT
    skill = classify(str(root / "skills" / "s" / "SKILL.md"), "")
    assert skill is not None and skill.kind is Kind.SKILL and skill.plugin
    assert classify(str(root / "other.md"), "# x\n") is None


def test_a_projects_own_claude_folder_and_memory_are_not_part_of_a_plugin_at_its_root(
    tmp_path: Path,
) -> None:
    # A repository that is a plugin and also has a .claude/ folder: Claude Code loads
    # .claude/agents/ as project agents, whatever the manifest says (or fails to say).
    root = _plugin(tmp_path, {"name": "My Plugin", "agents": ["agents/x.md"]})
    (root / ".claude" / "agents").mkdir(parents=True)
    (root / ".claude" / "skills" / "s").mkdir(parents=True)
    agent = "---\nname: rev\ndescription: d\n---\n"
    kind = classify(str(root / ".claude" / "agents" / "rev.md"), agent)
    assert kind is not None and kind.kind is Kind.SUBAGENT
    assert not kind.plugin and not kind.unlisted and kind.plugin_problems == ()
    skill = classify(str(root / ".claude" / "skills" / "s" / "SKILL.md"), "")
    assert skill is not None and skill.kind is Kind.SKILL and not skill.plugin
    (root / "agents").mkdir()
    memory = classify(str(root / "CLAUDE.md"), "See @docs/a.md\n")
    assert memory is not None and memory.kind is Kind.MEMORY and not memory.plugin
    # ...but in .claude/agents/ or the plugin's agents/ Claude Code reads it as an agent
    # (held-out set 1: it skipped a CLAUDE.md without frontmatter there).
    as_agent = classify(str(root / ".claude" / "agents" / "CLAUDE.md"), "# notes\n")
    assert as_agent is not None and as_agent.kind is Kind.SUBAGENT and not as_agent.plugin
    (tmp_path / "other").mkdir()
    other = _plugin(tmp_path / "other", {"name": "other"})
    (other / "agents").mkdir()
    in_plugin = classify(str(other / "agents" / "CLAUDE.md"), "# notes\n")
    assert in_plugin is not None and in_plugin.kind is Kind.SUBAGENT and in_plugin.plugin
    plugin_agent = classify(str(root / "agents" / "x.md"), agent)
    assert plugin_agent is not None and plugin_agent.plugin and plugin_agent.plugin_problems


@pytest.mark.parametrize(
    ("manifest", "problems"),
    [
        ({"agents": ["./agents/a.md"], "skills": "./skills/", "commands": "./commands/"}, []),
        ({"agents": "./agents/"}, ["agents `./agents/` must name a .md file"]),
        (
            {"agents": ["./a.md", "agents/b.md"]},
            ["agents[1] `agents/b.md` must start with `./`"],
        ),
        ({"skills": "skills/"}, ["skills `skills/` must start with `./`"]),
        ({"commands": ["commands/x.md"]}, ["commands[0] `commands/x.md` must start with `./`"]),
        (
            {"commands": [{"name": "x", "file": "commands/x.md"}]},
            ["commands[0] must be a path such as `./commands/x.md`, not an object"],
        ),
        (
            {"mcpServers": [{"name": "x"}], "dependencies": {"python": ">=3.10"}},
            [
                "`mcpServers` must be a path or a mapping of server names, not a list",
                "`dependencies` must be a list",
            ],
        ),
        ({"author": "Jane Doe", "mcpServers": {"x": {}}, "dependencies": []}, []),
        ({"agents": 3, "skills": [None]}, []),  # other shapes: not what this check knows
        ({"skills": ".", "homepage": 3, "keywords": "x"}, []),
        ({"hooks": "hooks/h.json"}, ["hooks `hooks/h.json` must start with `./`"]),
        ({"mcpServers": "m.json"}, ["mcpServers `m.json` must start with `./`"]),
        ({"outputStyles": ["styles/"]}, ["outputStyles `styles/` must start with `./`"]),
        ({"name": "my kit"}, ["`name` `my kit` cannot contain spaces"]),
        ({"name": None}, ["`name` is required"]),
        ({"name": 3}, ["`name` must be a string"]),
        ([], []),
    ],
)
def test_manifest_paths_claude_code_rejects(manifest: object, problems: list[str]) -> None:
    """Measured on 2.1.332 (fixtures plugins/oracle-*-noslash, oracle-agents-dir,
    oracle-commands-dir, oracle-agents-file, oracle-commands-objects, oracle-mcp-list,
    oracle-deps-object, oracle-author-*, oracle-no-name, oracle-name-spaces, oracle-skills-dot,
    oracle-homepage-number, oracle-keywords-string): any of these and the plugin does not
    load."""
    if isinstance(manifest, dict):
        manifest = {"name": "kit", **manifest}
        if manifest["name"] is None:
            del manifest["name"]
    assert list(manifest_problems(manifest)) == problems


def test_every_file_of_a_plugin_with_a_rejected_manifest_is_not_loaded(tmp_path: Path) -> None:
    from subagent_lsp.definitions.workspace import check_paths

    root = _plugin(tmp_path, {"name": "kit", "agents": "./agents/", "skills": "./skills/"})
    (root / "agents").mkdir()
    (root / "skills" / "s").mkdir(parents=True)
    agent = root / "agents" / "reviewer.md"
    agent.write_text("---\nname: reviewer\ndescription: Reviews diffs for bugs.\n---\nBody.\n")
    skill = root / "skills" / "s" / "SKILL.md"
    skill.write_text("---\nname: s\ndescription: Writes release notes.\n---\nBody.\n")
    for path in (agent, skill):
        found = [f for r in check_paths([str(path)]) for f in r.findings if f.code == "AGT054"]
        assert len(found) == 1 and found[0].span.start.line == 0, path
        assert "kit" in found[0].message and "./agents/" in found[0].message


def test_broken_manifest_falls_back_to_default_folder(tmp_path: Path) -> None:
    (tmp_path / ".claude-plugin").mkdir()
    (tmp_path / ".claude-plugin" / "plugin.json").write_text("{not json")
    (tmp_path / "agents").mkdir()
    kind = classify(str(tmp_path / "agents" / "x.md"), "")
    assert kind is not None and kind.plugin


def test_frontmatter_keys_read_top_level_keys_as_yaml_does() -> None:
    text = (
        '---\r\nname: x\r\ntags:\r\n  - a\r\n"model": y\r\nurl:http\r\n# note: no\r\n- item: no\r\n'
        "---\r\nbody: no\r\n"
    )
    # quoted keys count, ``url:http`` is a plain scalar (no blank after the colon), CRLF is a
    # line end like LF, and nothing below the closing fence is frontmatter
    assert frontmatter_keys(text) == {"name", "tags", "model"}


# Plain globs are matched without pathspec (start-up); they must mean what pathspec says.

PLAIN_GLOBS = [
    *(p for pats in Globs().patterns.values() for p in pats),
    "prompts/*.md",
    "/top.md",
    "a/**/b/*.md",
    "**/x?.md",
    "docs/**",
    "**",
    "*",
    "**/*/**",
    "a/**/**/b",
    "my agents/*.md",
    "*.agent.md",
    "dir/a**b.md",
    "(x)+.md",
]


@pytest.mark.parametrize("pattern", PLAIN_GLOBS)
def test_plain_glob_regex_is_pathspecs(pattern: str) -> None:
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    theirs, include = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    assert include is True and theirs is not None
    assert _plain_regex(pattern) == theirs.replace("(?P<ps_d>/)", "/")


@pytest.mark.parametrize(
    "pattern", ["!a.md", "#c", "a/[bc].md", "a\\*.md", "dir/", "a.md ", "", "/", "a//b"]
)
def test_other_globs_are_left_to_pathspec(pattern: str) -> None:
    assert _plain_regex(pattern) is None


def test_globs_needing_pathspec_still_match() -> None:
    g = Globs({Kind.SUBAGENT: ["prompts/[ab].md", "drafts/**", "!drafts/keep.md"]})
    assert g.match("/r/prompts/a.md") is Kind.SUBAGENT
    assert g.match("/r/prompts/c.md") is None
    assert g.match("/r/drafts/x.md") is Kind.SUBAGENT


_SEGMENT = st.text(alphabet="ab.*?", min_size=1, max_size=4) | st.just("**")
_PATH = st.lists(st.text(alphabet="ab.", min_size=1, max_size=4), min_size=1, max_size=5)


@given(
    st.lists(_SEGMENT, min_size=1, max_size=4),
    st.booleans(),
    st.lists(_PATH, min_size=1, max_size=8),
)
@settings(max_examples=300, deadline=None)
def test_plain_globs_match_as_pathspec_does(
    segments: list[str], rooted: bool, paths: list[list[str]]
) -> None:
    import pathspec

    pattern = ("/" if rooted else "") + "/".join(segments)
    ours = Globs({Kind.SUBAGENT: [pattern]})
    spec = pathspec.GitIgnoreSpec.from_lines([pattern if rooted else "**/" + pattern])
    for parts in paths:
        path = "/".join(parts)
        assert (ours.match("/" + path) is Kind.SUBAGENT) == spec.match_file(path), (pattern, path)


def test_catalog_note_in_an_agents_folder_is_a_catalog_note(tmp_path: Path) -> None:
    note = shared(SEEDS / "backend-developer.catalog-note.md").read_text()
    outside = tmp_path / "vault" / "agents" / "backend-developer.md"
    kind = classify(str(outside), note)
    assert kind is not None and kind.kind is Kind.CATALOG
    # In .claude/agents/ Claude Code tries to load it as an agent: there it is a broken one.
    inside = tmp_path / ".claude" / "agents" / "backend-developer.md"
    kind = classify(str(inside), note)
    assert kind is not None and kind.kind is Kind.SUBAGENT
    assert classify(str(outside)) is not None  # without the text: by its place


def test_plugin_name_comes_from_the_manifest(tmp_path: Path) -> None:
    root = _plugin(tmp_path, {"name": "review-kit"})
    (root / "agents").mkdir()
    kind = classify(str(root / "agents" / "a.md"), "---\nname: a\n---\n")
    assert kind is not None and kind.plugin_id == "review-kit"
    (tmp_path / "p2").mkdir()
    bare = _plugin(tmp_path / "p2", {})
    kind = classify(str(bare / "agents" / "a.md"), "---\nname: a\n---\n")
    assert kind is not None and kind.plugin_id == "p2"


def test_an_agents_folder_inside_a_skill_is_the_skills_material(tmp_path: Path) -> None:
    # Held-out: a skill bundling the prompts of the helpers it starts in its own agents/ folder.
    skill = tmp_path / "skills" / "grading"
    (skill / "agents").mkdir(parents=True)
    (skill / "SKILL.md").write_text(
        "---\ndescription: Grade outputs.\n---\nRead agents/grader.md.\n"
    )
    prompt = skill / "agents" / "grader.md"
    prompt.write_text("# Grader\n\nScore each output.\n")
    assert classify(str(prompt), prompt.read_text()) is None
    agent = "---\nname: grader\ndescription: Grades.\n---\n"
    explicit = classify(str(prompt), agent, explicit=True)
    assert explicit is not None and explicit.kind is Kind.SUBAGENT
    # An agents/ folder elsewhere, and a project's .claude/agents/ below a skill, stay agents.
    plain = tmp_path / "agents" / "grader.md"
    kind = classify(str(plain), prompt.read_text())
    assert kind is not None and kind.kind is Kind.SUBAGENT
    project = skill / "demo" / ".claude" / "agents" / "grader.md"
    kind = classify(str(project), prompt.read_text())
    assert kind is not None and kind.kind is Kind.SUBAGENT
