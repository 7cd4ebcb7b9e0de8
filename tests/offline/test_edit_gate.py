"""Every edit is re-parsed with the app's target Python before it is offered (issue #15): a
suggestion whose edit breaks a file that parsed before is dropped, in the engine's one place."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.offline import engine
from subagent_lsp.review.offline.frameworks import ModuleFacts
from subagent_lsp.review.offline.python_target import target_python
from subagent_lsp.review.project import Project
from subagent_lsp.review.suggestion import Edit, Suggestion

APP = (
    "from flask import Flask\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.get("/")\n'
    "def index():\n"
    '    return "ok"\n'
)
RUNNING = (sys.version_info[0], sys.version_info[1])


def _suggestion(title: str, *edits: Edit) -> Suggestion:
    return Suggestion(
        "BKD302", "error-handling", edits[0].path, Span.point(0, 0), title, "why", edits
    )


def _offering(monkeypatch: pytest.MonkeyPatch, made: list[Suggestion]) -> None:
    """The error-handling analysis replaced by one that proposes ``made``."""

    def fake(facts: ModuleFacts) -> list[Suggestion]:
        return made

    monkeypatch.setattr(engine, "error_suggestions", fake)


def _app(root: Path, pyproject: str) -> Path:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    path = root / "app.py"
    path.write_text(APP, encoding="utf-8")
    return path


def test_an_edit_with_syntax_the_target_python_lacks_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _app(tmp_path, '[project]\nname = "shop"\nrequires-python = ">=3.7"\n')
    at = Span.point(7, 0)
    walrus = Edit(str(path), at, "    if (n := len(app.url_map._rules)) > 1:\n        pass\n")
    plain = Edit(str(path), at, "    n = len(app.url_map._rules)\n")
    _offering(monkeypatch, [_suggestion("walrus", walrus), _suggestion("plain", plain)])
    titles = [s.title for s in engine.analyze(str(path), APP, kinds=["error-handling"])]
    assert titles == ["plain"]
    # On 3.8 the walrus is fine: both are offered.
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.8"\n')
    titles = [s.title for s in engine.analyze(str(path), APP, kinds=["error-handling"])]
    assert sorted(titles) == ["plain", "walrus"]


def test_an_edit_that_names_what_the_file_does_not_have_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _app(tmp_path, '[project]\nname = "shop"\n')
    at = Span.point(7, 0)
    # ``request`` is bound nowhere in the file: it parses, and fails on every call
    unbound = Edit(str(path), at, '    if "name" not in request.args:\n        return "", 400\n')
    # ``jsonify`` is bound by the suggestion's own import edit, ``app`` by the file
    imports = Edit(str(path), Span.point(0, 0), "from flask import jsonify\n")
    bound = Edit(str(path), at, "    return jsonify(rules=len(app.url_map._rules))\n")
    _offering(
        monkeypatch,
        [_suggestion("unbound", unbound), _suggestion("bound", imports, bound)],
    )
    titles = [s.title for s in engine.analyze(str(path), APP, kinds=["error-handling"])]
    assert titles == ["bound"]


def test_a_name_one_edit_defines_far_from_the_edit_that_reads_it_is_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the constant goes above the first view, the check into a view further down: two
    # stretches of the file, each parsed on its own, and the reader's name is the other's
    far = APP + "".join(
        f'\n\n@app.get("/{n}")\ndef view{n}():\n    return "ok"\n' for n in range(3)
    )
    path = _app(tmp_path, '[project]\nname = "shop"\n')
    path.write_text(far, encoding="utf-8")
    constant = Edit(str(path), Span.point(5, 0), 'ALLOWED = ("a", "b")\n\n\n')
    check = Edit(str(path), Span.point(22, 0), '    if "a" not in ALLOWED:\n        return ""\n')
    _offering(monkeypatch, [_suggestion("far", constant, check)])
    found = engine.analyze(str(path), far, kinds=["error-handling"])
    assert [s.title for s in found] == ["far"]


def test_an_edit_that_breaks_another_file_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _app(tmp_path, '[project]\nname = "shop"\n')
    models = tmp_path / "models.py"
    models.write_text("class User:\n    pass\n", encoding="utf-8")
    broken = Edit(str(models), Span.point(1, 0), "    name = (\n")
    fine = Edit(str(models), Span.point(1, 0), "    name = None\n")
    ok_here = Edit(str(path), Span.point(0, 0), "import os\n")
    _offering(
        monkeypatch,
        [_suggestion("broken", ok_here, broken), _suggestion("fine", ok_here, fine)],
    )
    # With a project model too: the gate is the engine's, whoever calls it.
    for project in (None, Project(str(tmp_path))):
        found = engine.analyze(str(path), APP, kinds=["error-handling"], project=project)
        assert [s.title for s in found] == ["fine"]


def test_a_file_that_did_not_parse_before_is_not_held_against_the_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _app(tmp_path, '[project]\nname = "shop"\n')
    typing = APP + "def half(\n"  # the user is typing
    edit = Edit(str(path), Span.point(0, 0), "import os\n")
    _offering(monkeypatch, [_suggestion("while typing", edit)])
    found = engine.analyze(str(path), typing, kinds=["error-handling"])
    assert [s.title for s in found] == ["while typing"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.9,<4"\n'}, (3, 9)),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.8"\n'}, (3, 8)),
        ({"setup.cfg": "[options]\npython_requires = >=3.8\n"}, (3, 8)),
        ({"ruff.toml": 'target-version = "py39"\n'}, (3, 9)),
        ({"pyproject.toml": '[tool.black]\ntarget-version = ["py310", "py39"]\n'}, (3, 9)),
        ({".python-version": "3.9.18\n"}, (3, 9)),
        (
            {
                "pyproject.toml": '[project]\nrequires-python = ">=3.10"\n'
                '[tool.ruff]\ntarget-version = "py38"\n'
            },
            (3, 8),
        ),
        ({"pyproject.toml": '[project]\nrequires-python = ">=3.6"\n'}, (3, 7)),
        ({"pyproject.toml": '[project]\nname = "shop"\n'}, RUNNING),
        ({"pyproject.toml": "not = [toml"}, RUNNING),
    ],
)
def test_the_target_python(
    tmp_path: Path, files: dict[str, str], expected: tuple[int, int]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert target_python(str(tmp_path)) == min(expected, RUNNING)
    assert Project(str(tmp_path)).target_python() == min(expected, RUNNING)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("x = f(a=1)\n", True),
        ("x = f(a=1\n", False),  # the parser refuses it
        ("x = f(a=1, a=2)\n", False),  # the parser lets it through, the compiler does not
        ("nonlocal x\n", False),
    ],
)
def test_parses_without_a_tree_judges_as_the_tree_does(text: str, ok: bool) -> None:
    from subagent_lsp.review.offline.edit_gate import parsed, parses

    assert parses(text, RUNNING) is ok
    assert (parsed(text, RUNNING) is not None) is ok


def test_parses_for_an_older_target_keeps_its_grammar() -> None:
    from subagent_lsp.review.offline.edit_gate import parses

    walrus = "if (n := len(x)) > 1:\n    pass\n"
    assert parses(walrus, RUNNING)
    assert not parses(walrus, (3, 7))


LOCAL = (
    "from flask import Flask\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.get("/<key>")\n'
    "def index(key: str):\n"
    "    from uuid import UUID\n\n"
    "    return UUID(key).hex\n"
)


@pytest.mark.parametrize(
    ("head", "kept"),
    [
        ("", False),  # UUID bound in the body only: NameError when the module is imported
        ("from uuid import UUID\n", True),  # bound at module level
        ("from __future__ import annotations\n", True),  # annotations are never evaluated
        # bound when a type checker reads the file, not when the module runs
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from uuid import UUID\n", False),
        ("class Types:\n    UUID = str\n", False),  # a class attribute is no module name
        ("ids = [UUID for UUID in ()]\n", False),  # a comprehension's own variable
    ],
)
def test_a_signature_that_names_a_function_local_import_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, head: str, kept: bool
) -> None:
    """A real app's route imported ``UUID`` in its body; an edit retyped its parameter
    ``key: UUID``. Flow-insensitively the file binds ``UUID``; when the ``def`` runs, the
    module does not. The same name read in the body (where the import binds it) is fine."""
    text = head + LOCAL
    path = _app(tmp_path, '[project]\nname = "shop"\n')
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("def index(key: str):")
    signature = Edit(str(path), Span(Position(line, 15), Position(line, 18)), "UUID")
    body = Edit(str(path), Span(Position(line + 3, 11), Position(line + 3, 20)), "UUID(key)")
    _offering(monkeypatch, [_suggestion("signature", signature), _suggestion("body", body)])
    titles = [s.title for s in engine.analyze(str(path), text, kinds=["error-handling"])]
    assert titles == (["signature", "body"] if kept else ["body"])
