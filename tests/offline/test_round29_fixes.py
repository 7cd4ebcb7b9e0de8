"""Shapes a blind review of six unseen apps (round 29) judged noise, kept as regression tests
on fixtures of our own: a signal receiver is no view; a row a form's validator has found
needs no 404; a model's lookup method nothing calls runs no query worth an index; a page's
form answers a duplicate itself (no JSON 409)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _project(root: Path, deps: str, files: dict[str, str]) -> list[Suggestion]:
    (root / "pyproject.toml").write_text(f'[project]\nname = "x"\ndependencies = [{deps}]\n')
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return collect([str(root)])


def test_a_signal_receiver_taking_request_is_no_view(tmp_path: Path) -> None:
    # allauth's ``user_signed_up`` passes ``request``: a 502 returned from the receiver
    # answers no one
    models = (
        "from django.core.mail import send_mail\n"
        "from django.dispatch import receiver\n\n"
        "from allauth.account.signals import user_signed_up\n\n\n"
        "@receiver(user_signed_up)\n"
        "def welcome(request, user, **kwargs):\n"
        '    send_mail("Welcome", "Hi", "no-reply@example.com", [user.email])\n'
    )
    found = _project(tmp_path, '"django", "django-allauth"', {"club/models.py": models})
    # the send is logged and the sign-up goes on (receiver_mail.py), no response built
    (sent,) = [s for s in found if s.code == "BKD302"]
    assert sent.title == "Log and go on when send_mail() fails in the welcome receiver"
    assert "502" not in sent.edits[-1].new_text and "Response" not in sent.edits[-1].new_text


FORMS = (
    "import flask_wtf as wtf\n\n"
    "from shop.models import Member\n\n\n"
    "class LoginForm(wtf.Form):\n"
    "    username = wtf.StringField()\n"
    "    password = wtf.PasswordField()\n\n"
    "    def validate_password(form, field):\n"
    "        if not Member.login(form.username.data, field.data):\n"
    '            raise wtf.ValidationError("Incorrect username or password.")\n\n\n'
    "class ForgotForm(wtf.Form):\n"
    "    username = wtf.StringField()\n\n"
    "    def validate_username(form, field):\n"
    "        member = Member.by_username(field.data)\n"
    "        if not member:\n"
    '            raise wtf.ValidationError("No such member.")\n'
)
MODELS = (
    "from flask_sqlalchemy import SQLAlchemy\n\n"
    "db = SQLAlchemy()\n\n\n"
    "class Member(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
    "    username = db.Column(db.String(50), unique=True)\n"
    "    email = db.Column(db.String(120))\n\n"
    "    @classmethod\n"
    "    def by_username(cls, username):\n"
    "        return cls.query.filter_by(username=username).first()\n\n"
    "    @classmethod\n"
    "    def by_email(cls, email):\n"
    "        return cls.query.filter_by(email=email).first()\n\n"
    "    @classmethod\n"
    "    def login(cls, username, password):\n"
    "        member = cls.by_username(username)\n"
    "        return member if member and password else None\n"
)
VIEWS = (
    "from flask import Blueprint, redirect, render_template, session\n\n"
    "from shop.forms import ForgotForm, LoginForm\n"
    "from shop.models import Member\n\n"
    'bp = Blueprint("account", __name__)\n\n\n'
    '@bp.route("/login", methods=["GET", "POST"])\n'
    "def login():\n"
    "    form = LoginForm()\n"
    "    if form.validate_on_submit():\n"
    "        member = Member.by_username(form.username.data)\n"
    '        session["member"] = member.id\n'
    '        return redirect("/")\n'
    '    return render_template("login.html", form=form)\n\n\n'
    '@bp.route("/forgot", methods=["GET", "POST"])\n'
    "def forgot():\n"
    "    form = ForgotForm()\n"
    "    if form.validate_on_submit():\n"
    "        member = Member.by_username(form.username.data)\n"
    '        return render_template("sent.html", to=member.email)\n'
    '    return render_template("forgot.html", form=form)\n\n\n'
    '@bp.route("/by-name/<name>")\n'
    "def by_name(name):\n"
    "    member = Member.by_username(name)\n"
    '    return render_template("member.html", id=member.id)\n'
)


def test_rows_a_form_validator_found_need_no_404_and_others_still_do(tmp_path: Path) -> None:
    found = _project(
        tmp_path,
        '"flask", "flask-sqlalchemy", "flask-wtf"',
        {
            "shop/__init__.py": "",
            "shop/forms.py": FORMS,
            "shop/models.py": MODELS,
            "shop/views.py": VIEWS,
        },
    )
    rows = [(Path(s.path).name, s.span.start.line + 1) for s in found if s.code == "BKD306"]
    # login (line 13) and forgot (line 23) are validated; the URL's name (line 30) is not
    assert rows == [("views.py", 30)]
    # ``by_email`` is written only where it is defined: no index for its query
    indexes = [s.title for s in found if s.code == "BKD101"]
    assert "Add an index on member (email)" not in indexes


def test_a_page_that_creates_a_unique_row_gets_no_json_409(tmp_path: Path) -> None:
    app = (
        "from flask import Flask, redirect, render_template, request\n"
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n\n\n"
        "class Poll(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    alias = db.Column(db.String(40), unique=True)\n\n\n"
        '@app.route("/polls/new", methods=["GET", "POST"])\n'
        "def new_poll():\n"
        '    if request.method == "POST":\n'
        '        poll = Poll(alias=request.form["alias"])\n'
        "        db.session.add(poll)\n"
        "        db.session.commit()\n"
        '        return redirect("/polls")\n'
        '    return render_template("new_poll.html")\n'
    )
    found = _project(tmp_path, '"flask", "flask-sqlalchemy"', {"app.py": app})
    assert [s for s in found if s.code == "BKD315"] == []


def test_a_composite_of_equalities_leads_with_its_foreign_key(tmp_path: Path) -> None:
    # ``WHERE key = ? AND project_id = ?``: either order finds the row; led by the foreign key,
    # the same index serves ``project.hooks`` too (a blind review's ask on a real app)
    app = (
        "from flask import Flask, abort, request\n"
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n\n\n"
        "class Project(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        '    hooks = db.relationship("Hook", backref="project", lazy="dynamic")\n\n\n'
        "class Hook(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    key = db.Column(db.String(255), nullable=False)\n"
        '    project_id = db.Column(db.Integer, db.ForeignKey("project.id"))\n\n\n'
        '@app.post("/h/<int:pid>/<key>")\n'
        "def receive(pid, key):\n"
        "    hook = Hook.query.filter_by(key=key, project_id=pid).first_or_404()\n"
        '    return {"id": hook.id}\n'
    )
    found = _project(tmp_path, '"flask", "flask-sqlalchemy"', {"app.py": app})
    titles = [s.title for s in found if s.code == "BKD101"]
    assert titles == ["Add an index on hook (project_id, key)"]


def test_a_sort_direction_held_in_a_local_still_names_its_key(tmp_path: Path) -> None:
    # ``order = column.desc() if ... else column.asc()`` then ``order_by(order, Book.id)``
    # (a blind planted set's listing): the getattr behind the local is the client's sort key
    app = (
        "from flask import Flask, jsonify, request\n"
        "from flask_sqlalchemy import SQLAlchemy\n\n"
        "app = Flask(__name__)\n"
        "db = SQLAlchemy(app)\n\n\n"
        "class Book(db.Model):\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    title = db.Column(db.String(200))\n\n\n"
        '@app.get("/books")\n'
        "def books():\n"
        '    sort = request.args.get("sort", "title")\n'
        '    column = getattr(Book, sort.lstrip("-"))\n'
        '    order = column.desc() if sort.startswith("-") else column.asc()\n'
        "    rows = Book.query.order_by(order, Book.id).all()\n"
        "    return jsonify([b.id for b in rows])\n"
    )
    found = _project(tmp_path, '"flask", "flask-sqlalchemy"', {"app.py": app})
    assert [s.title for s in found if s.code == "BKD212"] == [
        "Allow only Book's columns as the sort key `sort`"
    ]
