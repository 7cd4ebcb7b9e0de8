"""What the LSP layer used to decide itself, now in the domains: the scope of an ask, which
suggestions and fixes an action applies, the words shown, the CLAUDE.md walk, name usage and
the rename plan, and the one WorkspaceEdit builder over them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from subagent_lsp.definitions.findings import Finding, Fix, Position, Severity, Span, TextEdit
from subagent_lsp.definitions.fixes import FIX_ALL_TITLE, fix_all, fixes_on_lines
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.navigation import NameIndexCache
from subagent_lsp.definitions.spec import Kind
from subagent_lsp.definitions.usage import lens_titles, name_summary, rename_plan, rename_range
from subagent_lsp.definitions.workspace import claude_md_files
from subagent_lsp.lsp.edits import EditBuilder
from subagent_lsp.lsp.state import State
from subagent_lsp.review import describe
from subagent_lsp.review.scope import WHOLE_FILE, scope_of, whole_file
from subagent_lsp.review.selection import in_scope, on_lines
from subagent_lsp.review.suggestion import Edit, Suggestion

CODE = "import x\n\n@app.route('/')\ndef view():\n    a = 1\n    return a\n\n\ndef other():\n    pass\n"


def _s(kind: str, line: int, edits: tuple[Edit, ...] = (), code: str = "BKD301") -> Suggestion:
    return Suggestion(code, kind, "/p/app.py", Span.of(line, 0, line, 4), "T", "why", edits)


def test_scope_is_the_selection_or_the_function_around_the_cursor() -> None:
    assert scope_of(CODE, Position(4, 2), Position(5, 1)) == Span.of(4, 2, 5, 1)
    function = scope_of(CODE, Position(4, 2), Position(4, 2))
    assert (function.start.line, function.end.line) == (2, 5)  # the decorator belongs to it
    assert scope_of(CODE, Position(1, 0), Position(1, 0)) == WHOLE_FILE  # between functions
    assert scope_of("def (:\n", Position(0, 0), Position(0, 0)) == WHOLE_FILE
    assert whole_file(CODE).end.line == CODE.count("\n")


def test_an_offline_ask_takes_its_kind_in_scope_without_clashing_edits() -> None:
    edit = Edit("/p/models.py", Span.point(3, 0), "index\n")
    first = _s("index", 4, (edit,))
    clash = _s("index", 5, (edit,))  # inserts at the same point: cannot apply with the first
    other_kind = _s("validation", 4)
    outside = _s("index", 9)
    scope = scope_of(CODE, Position(4, 0), Position(4, 0))
    assert in_scope([first, clash, other_kind, outside], "index", scope) == [first]
    assert on_lines([first, outside], 5, 9) == [outside]


def test_words_for_a_suggestion() -> None:
    proven = Suggestion(
        "BKD101", "index", "/p", Span.of(1, 0, 1, 9), "Index x", "r", (), proven=True
    )
    assert describe.message(proven) == "Index x (index proven on SQLite)"
    assert describe.edit_label(proven).endswith("(index proven on SQLite)")
    unproven = Suggestion("BKD101", "index", "/p", Span.of(1, 0, 1, 9), "Index x", "r", ())
    assert describe.edit_label(unproven).endswith("(index NOT proven on SQLite)")
    shown = describe.hover([proven, _s("validation", 7)], Position(1, 3))
    assert shown is not None
    text, span = shown
    assert text.startswith("**BKD101** `missing-index` — Index x") and span == proven.span
    assert describe.hover([proven], Position(5, 0)) is None


def test_fixes_on_the_asked_lines_and_fix_all() -> None:
    a = Fix("a", (TextEdit(Span.of(1, 0, 1, 2), "x"),))
    b = Fix("b", (TextEdit(Span.of(1, 1, 1, 3), "y"),))  # overlaps a: fix-all takes only a
    unsafe = Fix("u", (TextEdit(Span.of(4, 0, 4, 1), "z"),), safe=False)
    f1 = Finding("AGT011", Severity.WARNING, Span.of(1, 0, 1, 5), "m", fixes=(a,))
    f2 = Finding("AGT011", Severity.WARNING, Span.of(1, 0, 1, 5), "m", fixes=(b,))
    f3 = Finding("AGT011", Severity.WARNING, Span.of(4, 0, 4, 5), "m", fixes=(unsafe,))
    assert fixes_on_lines([f1, f2, f3], 3, 4) == [(f3, unsafe)]
    merged = fix_all([f1, f2, f3])
    assert merged is not None and merged.title == FIX_ALL_TITLE and merged.edits == a.edits
    assert fix_all([f3]) is None


def test_claude_md_walk_skips_what_the_workspace_walk_skips(tmp_path: Path) -> None:
    for folder in ("", "svc", ".claude", "node_modules/pkg", "build"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "CLAUDE.md").write_text("# notes\n")
    (tmp_path / ".gitignore").write_text("build/\n")
    found = {str(Path(p).relative_to(tmp_path)) for p in claude_md_files([str(tmp_path)])}
    assert found == {"CLAUDE.md", "svc/CLAUDE.md", ".claude/CLAUDE.md"}


REVIEWER = '---\nname: code-reviewer\ndescription: "Use this agent to review diffs."\n---\nBody.\n'
LEAD = "---\nname: lead\ndescription: Plans.\ntools: Agent(code-reviewer)\n---\nAsk the code-reviewer agent.\n"


def _index(tmp_path: Path) -> tuple[NameIndexCache, dict[str, FileKind | None], str, str]:
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    reviewer, lead = agents / "code-reviewer.md", agents / "lead.md"
    reviewer.write_text(REVIEWER)
    lead.write_text(LEAD)
    kinds: dict[str, FileKind | None] = {
        str(reviewer): FileKind(Kind.SUBAGENT),
        str(lead): FileKind(Kind.SUBAGENT),
    }
    return NameIndexCache(), kinds, str(reviewer), str(lead)


def test_name_usage_and_rename_plan(tmp_path: Path) -> None:
    cache, kinds, reviewer, _lead = _index(tmp_path)
    index = cache.index(kinds, {})
    found = index.at(reviewer, Position(1, 8))
    assert found is not None and rename_range(found) == Span.of(1, 6, 1, 19)
    summary = name_summary(index, reviewer, Position(1, 8), str(tmp_path))
    assert summary is not None and summary.startswith(
        "**code-reviewer** (project agent). Used in 2"
    )
    assert [title for _, title in lens_titles(index, reviewer, None)] == ["2 references"]
    plan = rename_plan(index, found, "critic")
    assert plan is not None and len(plan.edits) == 3  # the name, the Agent(...) call, the mention
    assert plan.moves == ((reviewer, str(Path(reviewer).with_name("critic.md"))),)
    with pytest.raises(ValueError, match="not a valid name"):
        rename_plan(index, found, "Bad Name")


def test_the_name_index_rereads_only_what_changed(tmp_path: Path) -> None:
    cache, kinds, reviewer, _lead = _index(tmp_path)
    first = cache.index(kinds, {})
    again = cache.index(kinds, {})
    assert again.files[reviewer] is first.files[reviewer]  # same mtime: not parsed again
    typed = REVIEWER.replace("code-reviewer", "critic")
    opened = cache.index(kinds, {reviewer: (("open", 2, len(typed)), typed)})
    assert [d.name for d in opened.files[reviewer].definitions] == ["critic"]


def _state(tmp_path: Path) -> State:
    return State(PositionCodec(types.PositionEncodingKind.Utf16), lambda: [str(tmp_path)])


def test_one_builder_groups_by_document_creates_first_and_binds_versions(tmp_path: Path) -> None:
    state = _state(tmp_path)
    app = tmp_path / "app.py"
    app.write_text("a = 1\nb = 2\n")
    entry = state.set_text(app.as_uri(), 7, "a = 1\nb = 2\n")
    migration = tmp_path / "migrations" / "0002.sql"
    one = Suggestion(
        "BKD101",
        "index",
        entry.path,
        Span.point(0, 0),
        "One",
        "r",
        (
            Edit(entry.path, Span.of(0, 0, 0, 1), "x"),
            Edit(str(migration), Span.point(0, 0), "CREATE INDEX i ON t (c);\n"),
        ),
    )
    two = Suggestion(
        "BKD301",
        "error-handling",
        entry.path,
        Span.point(1, 0),
        "Two",
        "r",
        (Edit(entry.path, Span.of(1, 0, 1, 1), "y"),),
    )
    edit = EditBuilder(state, annotate=True).suggestions([one, two]).build()
    changes = edit.document_changes or []
    assert isinstance(changes[0], types.CreateFile) and changes[0].uri.endswith("0002.sql")
    docs = [c for c in changes if isinstance(c, types.TextDocumentEdit)]
    assert [d.text_document.version for d in docs] == [7, None]  # open: its version; new: none
    assert len(docs[0].edits) == 2  # both suggestions' edits to app.py, in one document edit
    assert edit.change_annotations is not None and set(edit.change_annotations) == {"s0", "s1"}
    plain = EditBuilder(state).suggestions([two]).build()
    assert plain.change_annotations is None
    only = plain.document_changes or []
    assert len(only) == 1 and isinstance(only[0], types.TextDocumentEdit)
    assert type(only[0].edits[0]) is types.TextEdit


def test_renames_come_after_the_edits(tmp_path: Path) -> None:
    state = _state(tmp_path)
    builder = EditBuilder(state)
    builder.rename(str(tmp_path / "a.md"), str(tmp_path / "b.md"))
    builder.replace(str(tmp_path / "a.md"), Span.of(0, 0, 0, 1), "b")
    changes = builder.build().document_changes or []
    assert [type(c).__name__ for c in changes] == ["TextDocumentEdit", "RenameFile"]
