"""A Flask-SQLAlchemy model's own query class (``query_class = MemberQuery``) whose ``get``
takes other arguments than the library's, or whose lookups end in ``.one_or_none()`` /
``except NoResultFound: return None``: ``Member.query.get(member_id, team)`` may give None.
The row then goes to a project form's ``save(team, member)``, which sets an attribute of it
before anything tests it: a 500 that is the caller's, so the check goes right after the
lookup, in the module's own words (``return "Not Found", 404`` of a Flask-RESTful resource,
``raise NotFound()`` of a plain view). Lookups tested first, a ``save`` that tests its
argument and a query class's get-or-create stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.query import Query
from sqlalchemy.orm.exc import NoResultFound

db = SQLAlchemy()


class Team(db.Model):
    id = db.Column(db.String(64), primary_key=True)


class Member(db.Model):
    class MemberQuery(Query):
        def get(self, member_id, team=None):
            return (
                Member.query.filter(Member.id == member_id)
                .filter(Member.team_id == team.id)
                .one_or_none()
            )

        def get_or_create(self, nick, team):
            member = Member.query.filter(Member.nick == nick).first()
            if member is None:
                member = Member(nick=nick, team_id=team.id)
                db.session.add(member)
            return member

    query_class = MemberQuery

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.String(64), db.ForeignKey("team.id"))
    nick = db.Column(db.String(80))


class ExpenseQuery(Query):
    def get(self, team, expense_id):
        try:
            return self.filter(Expense.team_id == team.id, Expense.id == expense_id).one()
        except NoResultFound:
            return None


class Expense(db.Model):
    query_class = ExpenseQuery

    id = db.Column(db.Integer, primary_key=True)
    team_id = db.Column(db.String(64), db.ForeignKey("team.id"))
    amount = db.Column(db.Integer)
"""

FORMS = """\
from flask_wtf import FlaskForm
from wtforms.fields import IntegerField, StringField


class MemberForm(FlaskForm):
    nick = StringField()

    def save(self, team, member):
        member.nick = self.nick.data
        member.team_id = team.id
        return member

    def save_or_create(self, team, member):
        if member is None:
            member = Member()
        member.nick = self.nick.data
        return member


class ExpenseForm(FlaskForm):
    amount = IntegerField()

    def save(self, expense, team):
        expense.amount = self.amount.data
        return expense


def expense_form_for(team, **kwargs):
    form = ExpenseForm(**kwargs)
    form.amount.description = team.id
    return form
"""

API = """\
from functools import wraps

from flask import g
from flask_restful import Resource

from app.forms import MemberForm, expense_form_for
from app.models import Expense, Member, db


def need_team(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, team=g.team, **kwargs)

    return wrapper


class MemberHandler(Resource):
    method_decorators = [need_team]

    def get(self, team, member_id):
        member = Member.query.get(member_id, team)
        if not member or member.team_id != team.id:
            return "Not Found", 404
        return {"nick": member.nick}

    def put(self, team, member_id):
        form = MemberForm(meta={"csrf": False})
        if form.validate():
            member = Member.query.get(member_id, team)
            form.save(team, member)
            db.session.commit()
            return {"ok": True}
        return form.errors, 400


class ExpenseHandler(Resource):
    method_decorators = [need_team]

    def get(self, team, expense_id):
        expense = Expense.query.get(team, expense_id)
        if not expense:
            return "Not Found", 404
        return {"amount": expense.amount}

    def put(self, team, expense_id):
        form = expense_form_for(team, meta={"csrf": False})
        if form.validate():
            expense = Expense.query.get(team, expense_id)
            form.save(expense, team)
            db.session.commit()
            return {"ok": True}
        return form.errors, 400
"""

# The same handlers, each lookup tested before its row is used, or handed to a ``save`` that
# tests it, or looked up by a query class's method that makes the row it does not find.
API_CLEAN = """\
from functools import wraps

from flask import g
from flask_restful import Resource

from app.forms import MemberForm, expense_form_for
from app.models import Expense, Member, db


def need_team(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        return f(*args, team=g.team, **kwargs)

    return wrapper


class MemberHandler(Resource):
    method_decorators = [need_team]

    def put(self, team, member_id):
        form = MemberForm(meta={"csrf": False})
        if form.validate():
            member = Member.query.get(member_id, team)
            if not member:
                return "Not Found", 404
            form.save(team, member)
            db.session.commit()
            return {"ok": True}
        return form.errors, 400

    def post(self, team, member_id):
        form = MemberForm(meta={"csrf": False})
        member = Member.query.get(member_id, team)
        form.save_or_create(team, member)
        db.session.commit()
        return {"ok": True}

    def patch(self, team, nick):
        form = MemberForm(meta={"csrf": False})
        member = Member.query.get_or_create(nick, team)
        form.save(team, member)
        db.session.commit()
        return {"ok": True}


class ExpenseHandler(Resource):
    method_decorators = [need_team]

    def put(self, team, expense_id):
        form = expense_form_for(team, meta={"csrf": False})
        if form.validate():
            expense = Expense.query.get(team, expense_id)
            if expense is None:
                return "Not Found", 404
            form.save(expense, team)
            db.session.commit()
            return {"ok": True}
        return form.errors, 400
"""

VIEWS = """\
from flask import Blueprint, g, redirect
from werkzeug.exceptions import NotFound

from app.forms import MemberForm
from app.models import Member, db

main = Blueprint("main", __name__)


@main.route("/<team_id>/members/<member_id>/edit", methods=["POST"])
def edit_member(member_id):
    member = Member.query.get(member_id, g.team)
    if not member:
        raise NotFound()
    return {"nick": member.nick}


@main.route("/<team_id>/members/<member_id>/rename", methods=["POST"])
def rename_member(member_id):
    form = MemberForm()
    member = Member.query.get(member_id, g.team)
    form.save(g.team, member)
    db.session.commit()
    return redirect("/")
"""


def _app(tmp_path: Path, api: str, views: str | None = None) -> None:
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(MODELS)
    (pkg / "forms.py").write_text(FORMS)
    (pkg / "api.py").write_text(api)
    if views is not None:
        (pkg / "views.py").write_text(views)
    (tmp_path / "requirements.txt").write_text(
        "flask\nflask-restful\nflask-sqlalchemy>=3\nflask-wtf\n"
    )


def _rows(tmp_path: Path) -> list[Suggestion]:
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def test_a_query_class_get_handed_to_a_form_save_is_checked_after_the_lookup(
    tmp_path: Path,
) -> None:
    _app(tmp_path, API)
    found = _rows(tmp_path)
    api = str(tmp_path / "app" / "api.py")
    assert [(s.path, s.span.start.line + 1, s.title) for s in found] == [
        (api, 30, "Answer 404 when Member is not found"),
        (api, 49, "Answer 404 when Expense is not found"),
    ]
    member, expense = found
    assert member.rationale.startswith(
        "`Member.query.get()` may give None (`return Member.query.filter(Member.id == "
    )
    assert "and `form.save(member)` then raises" in member.rationale
    assert "`except NoResultFound: return None`" in expense.rationale
    assert "and `form.save(expense)` then raises" in expense.rationale
    # the module's own answer to a missing Member (the first part of its ``not member or``)
    after = apply_suggestion(member)[api]
    assert (
        "            member = Member.query.get(member_id, team)\n"
        "            if not member:\n"
        '                return "Not Found", 404\n'
        "            form.save(team, member)\n"
    ) in after
    ast.parse(after)
    (tmp_path / "app" / "api.py").write_text(API)
    after = apply_suggestion(expense)[api]
    assert (
        "            expense = Expense.query.get(team, expense_id)\n"
        "            if not expense:\n"
        '                return "Not Found", 404\n'
        "            form.save(expense, team)\n"
    ) in after
    ast.parse(after)


def test_a_plain_view_answers_as_its_module_does(tmp_path: Path) -> None:
    _app(tmp_path, API_CLEAN, VIEWS)
    found = _rows(tmp_path)
    views = str(tmp_path / "app" / "views.py")
    assert [(s.path, s.span.start.line + 1, s.title) for s in found] == [
        (views, 21, "Answer 404 when Member is not found")
    ]
    assert [e.new_text for e in found[0].edits] == [
        "    if not member:\n        raise NotFound()\n"
    ]
    after = apply_suggestion(found[0])[views]
    assert (
        "    member = Member.query.get(member_id, g.team)\n"
        "    if not member:\n"
        "        raise NotFound()\n"
        "    form.save(g.team, member)\n"
    ) in after
    ast.parse(after)


def test_tested_rows_a_save_that_tests_it_and_a_get_or_create_stay_silent(
    tmp_path: Path,
) -> None:
    _app(tmp_path, API_CLEAN)
    assert _rows(tmp_path) == []


def test_a_row_handed_by_keyword_is_followed_too(tmp_path: Path) -> None:
    _app(tmp_path, API.replace("form.save(team, member)", "form.save(team, member=member)"))
    found = _rows(tmp_path)
    assert [s.span.start.line + 1 for s in found] == [30, 49]
    assert "and `form.save(member)` then raises" in found[0].rationale
