"""BKD306 stays silent where the row is known to be there, each shape judged noise on a real
app (edurange, flaskBlog), and fires on its twin: (a) the function has just made the row
(``User.create(name=...)``, ``User(...)`` it adds, an ``INSERT`` of the same values), (b) a
project helper's test proved it (``if not user_exists(name): abort(404)``), (c) the form's
``validate_code`` or ``validate`` override refused a code with no such row, (d) an earlier
lookup by the same key was checked (``if user is None``, flaskBlog's ``if str(urlID) in
posts:``). And it now reads ``key in row`` and ``cur.fetchone()[0]`` as uses of the row."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), unique=True)
    email = db.Column(db.String(128))

    @classmethod
    def create(cls, **kwargs):
        row = cls(**kwargs)
        db.session.add(row)
        db.session.commit()
        return row


class Group(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(8))
"""

HELPERS = """\
from .models import User, db


def user_exists(name):
    return User.query.filter_by(name=name).first() is not None


def group_exists(gid):
    row = db.session.query(User).get(gid)
    return bool(row)


def valid_name(name):
    return name.isalnum()
"""

FORMS = """\
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from .models import Group, User


class JoinForm(FlaskForm):
    code = StringField("Code")

    def validate_code(self, field):
        group = Group.query.filter_by(code=field.data).first()
        if not group:
            raise ValidationError("No such group")


class OverrideForm(FlaskForm):
    code = StringField("Code")

    def validate(self):
        if not super().validate():
            return False
        group = Group.query.filter_by(code=self.code.data).first()
        if not group:
            self.code.errors.append("Invalid code")
            return False
        return True


class LooseForm(FlaskForm):
    code = StringField("Code")

    def validate(self):
        if not super().validate():
            return False
        group = Group.query.filter_by(code=self.code.data).first()
        if group:
            self.code.errors.append("Taken")
        return True
"""

VIEWS = """\
import sqlite3

from flask import Flask, abort, request

from .forms import JoinForm, LooseForm, OverrideForm
from .helpers import user_exists, valid_name
from .models import Group, User, db

app = Flask(__name__)


@app.route("/a1", methods=["POST"])
def a1():
    name = request.form["name"]
    user = User(name=name)
    db.session.add(user)
    db.session.commit()
    found = User.query.filter_by(name=name).first()
    return {"id": found.id}


@app.route("/a2", methods=["POST"])
def a2():
    User.create(name=request.form["name"])
    found = User.query.filter_by(name=request.form["name"]).first()
    return {"id": found.id}


@app.route("/a3", methods=["POST"])
def a3():
    name = request.form["name"]
    con = sqlite3.connect("x.db")
    cur = con.cursor()
    cur.execute("INSERT INTO users (name) VALUES (?)", (name,))
    con.commit()
    cur.execute("SELECT id, name FROM users WHERE name = ?", (name,))
    row = cur.fetchone()
    return {"id": row[0]}


@app.route("/a1p", methods=["POST"])
def a1p():
    name = request.form["name"]
    found = User.query.filter_by(name=name).first()
    return {"id": found.id}


@app.route("/a3p", methods=["POST"])
def a3p():
    name = request.form["name"]
    con = sqlite3.connect("x.db")
    cur = con.cursor()
    cur.execute("SELECT id, name FROM users WHERE name = ?", (name,))
    row = cur.fetchone()
    return {"id": row[0]}


@app.route("/b1/<name>")
def b1(name):
    if not user_exists(name):
        abort(404)
    user = User.query.filter_by(name=name).first()
    return {"email": user.email}


@app.route("/b2/<name>")
def b2(name):
    if user_exists(name):
        user = User.query.filter_by(name=name).first()
        return {"email": user.email}
    return {}, 404


@app.route("/b1p/<name>")
def b1p(name):
    if not valid_name(name):
        abort(400)
    user = User.query.filter_by(name=name).first()
    return {"email": user.email}


@app.route("/c1", methods=["POST"])
def c1():
    form = JoinForm()
    if form.validate_on_submit():
        group = Group.query.filter_by(code=form.code.data).first()
        return {"id": group.id}
    return {}, 400


@app.route("/c2", methods=["POST"])
def c2():
    form = OverrideForm()
    if form.validate_on_submit():
        group = Group.query.filter_by(code=form.code.data).first()
        return {"id": group.id}
    return {}, 400


@app.route("/c2p", methods=["POST"])
def c2p():
    form = LooseForm()
    if form.validate_on_submit():
        group = Group.query.filter_by(code=form.code.data).first()
        return {"id": group.id}
    return {}, 400


@app.route("/d1/<name>")
def d1(name):
    user = User.query.filter_by(name=name).first()
    if user is None:
        abort(404)
    again = User.query.filter_by(name=name).first()
    return {"email": again.email}


@app.route("/d2/<url_id>")
def d2(url_id):
    con = sqlite3.connect("x.db")
    cur = con.cursor()
    cur.execute("select id from posts where id = ?", (url_id,))
    posts = str(cur.fetchall())
    if str(url_id) in posts:
        cur.execute("select * from posts where id = ?", (url_id,))
        post = cur.fetchone()
        return {"title": post[1]}
    abort(404)


@app.route("/d3/<url_id>")
def d3(url_id):
    con = sqlite3.connect("x.db")
    cur = con.cursor()
    cur.execute("select id, title from posts where id = ?", (url_id,))
    first = cur.fetchone()
    if str(url_id) in first:
        return {"title": first[1]}
    abort(404)


@app.route("/r1/<name>")
def r1(name):
    con = sqlite3.connect("x.db")
    count = con.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0]
    return {"id": count}


@app.route("/r2/<name>")
def r2(name):
    con = sqlite3.connect("x.db")
    cur = con.cursor()
    cur.execute("SELECT id FROM users WHERE name = ?", (name,))
    uid = cur.fetchone()[0]
    return {"id": uid}


@app.route("/r3/<name>")
def r3(name):
    uid = db.session.query(User.id).filter(User.name == name).first()[0]
    return {"id": uid}


@app.route("/r4/<name>")
def r4(name):
    cur = sqlite3.connect("x.db").cursor()
    cur.execute("SELECT id FROM users WHERE name = ?", (name,))
    uid = 0
    # silent: a check inserted above this line would run outside the branch
    if name: uid = cur.fetchone()[0]  # noqa: E701
    return {"id": uid}


@app.route("/a4", methods=["POST"])
def a4():
    name = request.form["name"]
    cur = sqlite3.connect("x.db").cursor()
    if request.form.get("create"):
        cur.execute("INSERT INTO users (name) VALUES (?)", (name,))
    cur.execute("SELECT id, name FROM users WHERE name = ?", (name,))
    row = cur.fetchone()  # fires: the INSERT above may not have run
    return {"id": row[0]}
"""


def test_known_rows_are_silent_and_their_twins_fire(tmp_path: Path) -> None:
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, text in (("models", MODELS), ("helpers", HELPERS), ("forms", FORMS)):
        (pkg / f"{name}.py").write_text(text)
    (pkg / "views.py").write_text(VIEWS)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\nflask-wtf\n")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    views = VIEWS.splitlines()
    fired = {views[s.span.start.line].strip() for s in found}
    assert fired == {
        "found = User.query.filter_by(name=name).first()",  # a1p: nothing made it
        "row = cur.fetchone()",  # a3p: no INSERT before
        "row = cur.fetchone()  # fires: the INSERT above may not have run",
        "user = User.query.filter_by(name=name).first()",  # b1p: valid_name proves nothing
        "group = Group.query.filter_by(code=form.code.data).first()",  # c2p: LooseForm
        "first = cur.fetchone()",  # d3: ``str(url_id) in first`` on None
        'count = con.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0]',
        "uid = cur.fetchone()[0]",
        "uid = db.session.query(User.id).filter(User.name == name).first()[0]",
    }
    lines = sorted(s.span.start.line + 1 for s in found)
    assert lines == [44, 54, 78, 104, 136, 145, 154, 160, 181]
