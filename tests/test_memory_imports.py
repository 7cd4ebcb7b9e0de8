"""CLAUDE.md and .claude/rules/*.md: which files are memory files, and their `@path` imports
(planted defects at their exact ranges, and a clean twin for each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.definitions.assist import hover
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.definitions.imports import imports_in
from subagent_lsp.definitions.kinds import classify
from subagent_lsp.definitions.navigation import file_target
from subagent_lsp.definitions.spec import Kind
from subagent_lsp.definitions.workspace import check_paths


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")


def _found(root: Path, rel: str, prefix: str = "AGT11") -> list[tuple[str, Span, str]]:
    results = check_paths([str(root)])
    return [
        (f.code, f.span, f.message)
        for r in results
        if Path(r.path) == root / rel
        for f in r.findings
        if f.code.startswith(prefix)
    ]


@pytest.mark.parametrize(
    "rel",
    [
        "CLAUDE.md",
        "CLAUDE.local.md",
        ".claude/CLAUDE.md",
        "src/api/CLAUDE.md",
        ".claude/rules/testing.md",
        ".claude/rules/frontend/react.md",
        "agents/CLAUDE.md",
    ],
)
def test_memory_files_are_their_own_kind(rel: str, tmp_path: Path) -> None:
    path = tmp_path / rel
    fk = classify(str(path), "# Notes\n")
    assert fk is not None and fk.kind is Kind.MEMORY


def test_a_rule_with_paths_is_clean_and_an_agent_stays_an_agent(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".claude/rules/api.md": '---\npaths:\n  - "src/api/**/*.ts"\n---\n# API rules\n',
            "CLAUDE.md": "# Project\n\n---\n\nBuild with `make`.\n",
        },
    )
    results = {Path(r.path).name: r for r in check_paths([str(tmp_path)])}
    assert results["api.md"].findings == []
    assert results["CLAUDE.md"].findings == []
    fk = classify(str(tmp_path / ".claude/agents/x.md"), "---\nname: x\n---\n")
    assert fk is not None and fk.kind is Kind.SUBAGENT


def test_missing_import_at_its_exact_range(tmp_path: Path) -> None:
    text = "# Project\n\nSee @docs/setup.md for the build and @docs/ok.md.\n"
    _write(tmp_path, {"CLAUDE.md": text, "docs/ok.md": "# OK\n"})
    found = _found(tmp_path, "CLAUDE.md")
    line = text.splitlines()[2]
    start = line.index("@docs/setup.md")
    assert found[0][:2] == (
        "AGT110",
        Span.of(2, start, 2, start + len("@docs/setup.md")),
    )
    # `@docs/ok.md.` is read with its final `.`: a second finding, with the way out
    assert found[1][0] == "AGT110" and "Put a space before the punctuation" in found[1][2]


def test_clean_twin_code_spans_fences_comments_and_emails_are_not_imports(
    tmp_path: Path,
) -> None:
    text = (
        "# Project\n\nSee @docs/setup.md.\n"
        "Mention `@docs/missing.md` without importing it.\n"
        "Mail ops@example.com or ping @ alone.\n"
        "<!-- @docs/hidden.md -->\n"
        "```\n@docs/in-fence.md\n```\n"
        "~~~markdown\n@docs/tilde.md\n~~~\n"
    ).replace("@docs/setup.md.", "@docs/setup.md .")
    _write(tmp_path, {"CLAUDE.md": text, "docs/setup.md": "# Setup\n"})
    assert _found(tmp_path, "CLAUDE.md") == []
    imps = imports_in("CLAUDE.md", text.splitlines())
    assert [i.written for i in imps] == ["docs/setup.md"]


def test_a_word_after_at_that_is_no_path_is_information_only(tmp_path: Path) -> None:
    _write(tmp_path, {"CLAUDE.md": "Ask @alice before releasing.\n"})
    found = check_paths([str(tmp_path)])[0].findings
    assert [(f.code, f.severity.name) for f in found] == [("AGT110", "INFORMATION")]


def test_import_columns_with_emoji_and_crlf(tmp_path: Path) -> None:
    text = "# Tëam 😀\r\n\r\n😀 rules: @nope.md\r\n"
    _write(tmp_path, {"CLAUDE.md": text})
    ((code, span, _),) = _found(tmp_path, "CLAUDE.md")
    assert code == "AGT110"
    assert span == Span.of(2, len("😀 rules: "), 2, len("😀 rules: @nope.md"))


def _chain(depth: int) -> dict[str, str]:
    files = {"CLAUDE.md": "# Root\n\n@f1.md\n"}
    for i in range(1, depth + 1):
        files[f"f{i}.md"] = f"@f{i + 1}.md\n" if i < depth else "Last.\n"
    return files


def test_five_hops_is_one_too_many_four_is_fine(tmp_path: Path) -> None:
    deep, ok = tmp_path / "deep", tmp_path / "ok"
    _write(deep, _chain(5))
    _write(ok, _chain(4))
    ((code, span, message),) = _found(deep, "CLAUDE.md")
    assert code == "AGT111" and span == Span.of(2, 0, 2, 6)
    assert "`f5.md` is not loaded" in message
    assert _found(ok, "CLAUDE.md") == []


def test_an_import_cycle_is_no_depth_problem(tmp_path: Path) -> None:
    _write(tmp_path, {"CLAUDE.md": "@a.md\n", "a.md": "@b.md\n", "b.md": "@a.md\n"})
    assert _found(tmp_path, "CLAUDE.md") == []


def test_outside_the_project_asks_for_approval(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "app/.git/HEAD": "ref: refs/heads/main\n",
            "app/CLAUDE.md": "@../shared/style.md\n@docs/in.md\n",
            "app/docs/in.md": "# In\n",
            "shared/style.md": "# Style\n",
        },
    )
    found = _found(tmp_path, "app/CLAUDE.md")
    assert [(c, s) for c, s, _ in found] == [("AGT112", Span.of(0, 0, 0, 19))]


def test_user_scope_memory_is_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _write(
        tmp_path,
        {
            "home/.claude/CLAUDE.md": "@../../elsewhere/prefs.md\n",
            "elsewhere/prefs.md": "# Prefs\n",
        },
    )
    assert _found(tmp_path / "home", ".claude/CLAUDE.md") == []


def test_hover_and_definition_on_an_import(tmp_path: Path) -> None:
    text = "# Project\n\nSee @docs/setup.md now.\n"
    _write(tmp_path, {"CLAUDE.md": text, "docs/setup.md": "# Setup steps\n"})
    path = str(tmp_path / "CLAUDE.md")
    doc = parse_document(path, text)
    fk = classify(path, text)
    assert fk is not None
    info = hover(doc, fk, Position(2, 8))
    assert info is not None and "Setup steps" in info.markdown
    assert info.span == Span.of(2, 4, 2, 18)
    assert file_target(path, doc.lines, doc, Position(2, 8)) == str(tmp_path / "docs/setup.md")
    assert file_target(path, doc.lines, doc, Position(2, 1)) is None


def test_plugin_manifest_paths_lead_to_their_files(tmp_path: Path) -> None:
    manifest = '{\n  "name": "kit",\n  "agents": ["./agents/a.md", "./agents/gone.md"]\n}\n'
    _write(tmp_path, {".claude-plugin/plugin.json": manifest, "agents/a.md": "---\n---\n"})
    path = str(tmp_path / ".claude-plugin/plugin.json")
    lines = manifest.splitlines()
    col = lines[2].index("./agents/a.md")
    assert file_target(path, lines, None, Position(2, col)) == str(tmp_path / "agents/a.md")
    gone = lines[2].index("gone")
    assert file_target(path, lines, None, Position(2, gone)) is None
    assert file_target(path, lines, None, Position(2, 4)) is None  # the key
    assert file_target(path, lines, None, Position(1, 12)) is None  # not a path


def test_a_rule_with_cursors_globs_key_is_told_about_paths(tmp_path: Path) -> None:
    _write(tmp_path, {".claude/rules/ts.md": '---\nglobs: "src/**/*.ts"\n---\n# TS\n'})
    (finding,) = check_paths([str(tmp_path)])[0].findings
    assert "did you mean `paths`" in finding.message and finding.span == Span.of(1, 0, 1, 5)


def test_a_path_written_from_the_project_root_is_told_where_it_resolves(tmp_path: Path) -> None:
    rule = "# Style\n\nSee @.claude/rules/editing.md for edits.\n"
    _write(
        tmp_path,
        {".git/HEAD": "x\n", ".claude/rules/style.md": rule, ".claude/rules/editing.md": "# E\n"},
    )
    ((code, span, message),) = _found(tmp_path, ".claude/rules/style.md")
    assert code == "AGT110" and span == Span.of(2, 4, 2, 29)
    assert "looks for `.claude/rules/.claude/rules/editing.md`" in message
    assert "The file is `@editing.md` from here" in message
    (result,) = check_paths([str(tmp_path / ".claude/rules/style.md")])
    (edit,) = result.findings[0].fixes[0].edits
    assert edit.new_text == "editing.md" and edit.span == Span.of(2, 5, 2, 29)
