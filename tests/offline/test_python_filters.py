"""BKD103: a whole table loaded to filter it in Python (a real library API's register checked
the email and the username over ``User.all_users()``, and its history listed a user's loans
from every loan; blind round r38). Fixtures of our own: the query written in the
comprehension, through a local read nowhere else (it goes with the fix), and through a
project helper; silent twins that compare with something else than ``==``, keep a column
rather than the row, compare two columns of the row, or filter a non-model list."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Loan(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer)
    returned = db.Column(db.Boolean, default=False)
    due = db.Column(db.Integer)

    @staticmethod
    def every_loan():
        \"\"\"All the loans.\"\"\"
        return Loan.query.all()
"""

VIEWS = """\
from flask import Flask

from .models import Loan

app = Flask(__name__)


@app.get("/users/<int:user_id>/loans")
def loans(user_id):
    rows = [loan for loan in Loan.query.all() if loan.user_id == user_id]
    return {"ids": [r.id for r in rows]}


@app.get("/users/<int:user_id>/open")
def open_loans(user_id):
    every = Loan.every_loan()
    mine = [loan for loan in every if loan.user_id == user_id and loan.returned == False]
    return {"ids": [r.id for r in mine]}


@app.get("/users/<int:user_id>/twice")
def twice(user_id):
    every = Loan.every_loan()
    mine = [loan for loan in every if loan.user_id == user_id]
    return {"ids": [r.id for r in mine], "all": len(every)}


@app.get("/users/<int:user_id>/guarded")
def guarded(user_id):
    try:
        every = Loan.every_loan()
    except RuntimeError:
        return {"ids": []}
    mine = [loan for loan in every if loan.user_id == user_id]
    return {"ids": [r.id for r in mine]}


@app.get("/late/<int:day>")
def late(day):
    late = [loan for loan in Loan.query.all() if loan.due < day]
    ids = [loan.id for loan in Loan.query.all() if loan.user_id == day]
    same = [loan for loan in Loan.query.all() if loan.user_id == loan.due]
    numbers = [n for n in [1, 2, 3] if n == day]
    return {"late": len(late), "ids": ids, "same": len(same), "n": numbers}
"""


def test_a_table_filtered_in_python(tmp_path: Path) -> None:
    pkg = tmp_path / "library"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(MODELS)
    (pkg / "views.py").write_text(VIEWS)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    found = sorted(
        (s for s in collect([str(tmp_path)], ["index"]) if s.code == "BKD103"),
        key=lambda s: s.span.start.line,
    )
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (10, "Filter loan by user_id in the query"),
        (17, "Filter loan by user_id, returned in the query"),
        (24, "Filter loan by user_id in the query"),
        (34, "Filter loan by user_id in the query"),
    ]
    views = str(pkg / "views.py")
    text = apply_suggestion(found[1])[views]
    ast.parse(text)
    # the local read nowhere else goes; the helper's call with it
    assert "    every = Loan.every_loan()\n    mine = Loan.query" not in text
    assert "    mine = Loan.query.filter_by(user_id=user_id, returned=False).all()\n" in text
    # twice() keeps its own: it reads it; guarded()'s is its try's one statement
    assert text.count("every = Loan.every_loan()") == 2
    assert "goes with it" in found[1].rationale and "goes with it" not in found[2].rationale
    assert "goes with it" not in found[3].rationale
    text = apply_suggestion(found[3])[views]
    ast.parse(text)  # the try keeps its statement
