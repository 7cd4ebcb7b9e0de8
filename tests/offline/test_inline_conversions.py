"""BKD202 where the conversion is not a statement's whole value. A write's keyword argument
(``Row.create(count=int(request.form["count"]))``) was silent; its fix reads the value first
into a local checked for None, since ``.get(..., type=int)`` inline would hand the write a None.
And a module that names Flask's request as ``flask.request`` had its fix dropped by the
edit gate: the fix wrote ``request.args``, a name that module never binds."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

COUNTS = """\
from flask import Blueprint, abort, redirect, request

from .models import Tally

bp = Blueprint("tallies", __name__)


@bp.route("/tallies", methods=["POST"])
def add_tally():
    Tally.create(
        label=request.form["label"],
        month=int(request.form["month"]),
        year=int(request.form["year"]),
    )
    return redirect("/tallies")
"""

CHECKED = COUNTS.replace(
    """    Tally.create(
        label=request.form["label"],
        month=int(request.form["month"]),
        year=int(request.form["year"]),
    )
""",
    """    try:
        Tally.create(
            label=request.form["label"],
            month=int(request.form["month"]),
            year=int(request.form["year"]),
        )
    except ValueError:
        abort(400)
""",
)

PAGES = """\
import flask

pages = flask.Blueprint("pages", __name__)


@pages.route("/")
def index():
    page = int(flask.request.args.get("page", 1))
    return flask.render_template("index.html", page=page)
"""

PAGES_CHECKED = PAGES.replace(
    'int(flask.request.args.get("page", 1))', 'flask.request.args.get("page", 1, type=int)'
)


def _suggest(root: Path, name: str, text: str) -> list[Suggestion]:
    root.mkdir(exist_ok=True)
    (root / "requirements.txt").write_text("Flask==2.3.2\n")
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text("class Tally:\n    pass\n")
    (root / "app" / name).write_text(text)
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]


def test_each_inline_conversion_is_read_into_a_checked_local(tmp_path: Path) -> None:
    found = _suggest(tmp_path, "views.py", COUNTS)
    assert [(s.span.start.line + 1, [e.new_text for e in s.edits]) for s in found] == [
        (
            12,
            [
                '    month = request.form.get("month", type=int)\n    if month is None:\n'
                "        abort(400)\n",
                "month",
            ],
        ),
        (
            13,
            [
                '    year = request.form.get("year", type=int)\n    if year is None:\n'
                "        abort(400)\n",
                "year",
            ],
        ),
    ]
    view = tmp_path / "app" / "views.py"
    # each applied alone parses, and so do both applied together
    for suggestion in found:
        ast.parse(apply_edits(COUNTS, [TextEdit(e.span, e.new_text) for e in suggestion.edits]))
    both = [TextEdit(e.span, e.new_text) for s in found for e in s.edits]
    tree = ast.parse(apply_edits(COUNTS, both))
    create = next(
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and ast.unparse(n.func) == "Tally.create"
    )
    assert [ast.unparse(k) for k in create.keywords] == [
        "label=request.form['label']",
        "month=month",
        "year=year",
    ]
    new = apply_suggestion(found[0])[str(view)]
    ast.parse(new)
    assert "Tally.create(\n        label=" in new


def test_a_name_the_view_uses_already_is_not_taken(tmp_path: Path) -> None:
    taken = COUNTS.replace('return redirect("/tallies")', 'month = 1\n    return redirect("/")')
    found = _suggest(tmp_path, "views.py", taken)
    assert [s.span.start.line + 1 for s in found] == [13]  # the year's only


def test_a_conversion_inside_try_is_checked_already(tmp_path: Path) -> None:
    assert _suggest(tmp_path, "views.py", CHECKED) == []


def test_a_module_qualified_request_keeps_its_name_in_the_fix(tmp_path: Path) -> None:
    found = _suggest(tmp_path, "pages.py", PAGES)
    assert [(s.span.start.line + 1, [e.new_text for e in s.edits]) for s in found] == [
        (8, ['flask.request.args.get("page", 1, type=int)'])
    ]
    ast.parse(apply_suggestion(found[0])[str(tmp_path / "app" / "pages.py")])
    assert _suggest(tmp_path / "checked", "pages.py", PAGES_CHECKED) == []


NAMED_DEFAULT = """\
from flask import Flask, request

PAGE = 1
app = Flask(__name__)


@app.route("/entries")
def entries():
    page = int(request.args.get("page", PAGE))
    return str(page)


@app.route("/posts")
def posts():
    page = int(request.args.get("page", 1))
    return str(page)
"""


def test_a_default_named_by_a_constant_gets_no_edit(tmp_path: Path) -> None:
    # A guard would answer 400 to a request without ``page`` (it got PAGE before), and
    # ``type=int`` hands the default back unconverted: only the literal default is fixed.
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text(NAMED_DEFAULT)
    found = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD202"]
    assert [(s.span.start.line + 1, [e.new_text for e in s.edits]) for s in found] == [
        (15, ['request.args.get("page", 1, type=int)'])
    ]
