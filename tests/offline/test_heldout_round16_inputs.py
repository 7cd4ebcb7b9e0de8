"""Sixteenth held-out round (shapes of our own): request input the tool did not follow.

A form value converted under a truthiness guard inside a handler whose broad ``except`` answers
500; a FastAPI body of strings (``list[str]``, ``dict[str, str]``, a model's ``str`` field)
parsed in the route; a class-based view that reads a copy of ``self.request.GET`` through
another method; a Flask-Mail send in a helper module a view calls before it commits.
"""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


SHELF = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/items")
def add_item():
    try:
        name = request.form["name"]
        shelf_id = request.form.get("shelf_id")
        app.logger.info(f"shelf {shelf_id}")
        shelf_id = int(shelf_id) if shelf_id and shelf_id.strip() else None
        if not shelf_id and "photo" in request.files:
            name = name + "!"
        return jsonify({"name": name, "shelf": shelf_id}), 201
    except Exception as e:
        app.logger.error(f"Error adding item: {e}")
        return jsonify({"error": "Failed to add item"}), HANDLER_CODE
"""


def _shelf(root: Path, code: str) -> Path:
    return _write(
        root,
        {
            "requirements.txt": "flask\n",
            "shop/__init__.py": "",
            "shop/views.py": SHELF.replace("HANDLER_CODE", code),
        },
    )


def test_a_truthiness_guard_under_an_except_that_answers_500(tmp_path: Path) -> None:
    root = _shelf(tmp_path / "a", "500")
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    assert [s.title for s in found] == ["Guard the conversion of `shelf_id`"]
    new = apply_suggestion(found[0])[str(root / "shop/views.py")]
    ast.parse(new)
    # the blank value stays None (``type=int`` would turn a blank into a 400)
    assert (
        "            shelf_id = int(shelf_id) if shelf_id and shelf_id.strip() else None\n" in new
    )
    assert '            return jsonify(error="shelf_id must be an integer"), 400\n' in new


def test_an_except_that_answers_400_handles_it(tmp_path: Path) -> None:
    root = _shelf(tmp_path / "b", "400")
    assert [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"] == []


LAYOUTS = """\
from datetime import datetime

from fastapi import APIRouter

from cams.schemas import Window

router = APIRouter()


@router.delete("/layouts")
def delete_layouts(body: list[str]) -> dict:
    removed = []
    for key in body:
        parts = key.rsplit("_", 1)
        if len(parts) == 2:
            row = {"group": parts[0], "slot": int(parts[1])}
            removed.append(row)
    return {"removed": len(removed)}


@router.post("/weights")
def set_weights(body: dict[str, str]) -> dict:
    total = 0.0
    for value in body.values():
        total += float(value)
    return {"total": total}


@router.post("/window")
def window(body: Window) -> dict:
    started = datetime.fromisoformat(body.start)
    return {"start": started.isoformat(), "day": body.day.isoformat(), "limit": int(body.limit)}
"""
WINDOW = """\
from datetime import date

from pydantic import BaseModel


class Window(BaseModel):
    start: str
    day: date
    limit: int
"""


def test_a_fastapi_body_of_strings_parsed_in_the_route(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "fastapi\npydantic\n",
            "cams/__init__.py": "",
            "cams/schemas.py": WINDOW,
            "cams/routes.py": LAYOUTS,
        },
    )
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    # one per route: the typed ``int`` field (``int(body.limit)``) is validated already
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (16, "Guard the conversion of `body`"),
        (25, "Guard the conversion of `body`"),
        (31, "Guard the conversion of `body.start`"),
    ]
    new = apply_suggestion(found[2])[str(root / "cams/routes.py")]
    ast.parse(new)
    assert 'raise HTTPException(status_code=400, detail="start must be a date") from None' in new


FILTERED = """\
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class FilteredReportMixin(LoginRequiredMixin):
    def get_filter_params(self):
        def _fill(parameters):
            parameters.setdefault("after", "2020-01-01")
            return parameters

        params = self.request.GET.copy()
        if not params.get("before"):
            params["before"] = "2030-01-01"
        return _fill(params)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.get_filter_params()
        team_parameter = params.get("team", 0)
        if team_parameter == "None":
            team_id = None
        else:
            team_id = int(team_parameter)
        context.update({"team": team_id})
        return context


class ReportView(FilteredReportMixin, TemplateView):
    template_name = "report.html"
"""


def test_a_mixin_reads_a_copy_of_the_query_through_its_own_method(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "desk"\ndependencies = ["django"]\n',
            "desk/__init__.py": "",
            "desk/views.py": FILTERED,
        },
    )
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (23, "Guard the conversion of `team`")
    ]
    new = apply_suggestion(found[0])[str(root / "desk/views.py")]
    assert 'raise BadRequest("team must be an integer")' in new


MAILER = """\
from flask_mail import Mail, Message

mail = Mail()


def send_welcome(address):
    msg = Message(subject="Welcome", recipients=[address])
    mail.send(msg)
    return msg
"""
SIGNUP = """\
from flask import Blueprint, flash, redirect, request

from club.db import db
from club.mailer import send_welcome

bp = Blueprint("club", __name__)


@bp.post("/join")
def join():
    db.session.add(request.form["email"])
    send_welcome(request.form["email"])
    db.session.commit()
    flash("Welcome aboard!")
    return redirect("/")


@bp.post("/again")
def again():
    return send_welcome(request.form["email"]).subject
"""


def test_a_flask_mail_send_in_a_helper_module(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "flask\nflask-mail\nflask-sqlalchemy\n",
            "club/__init__.py": "",
            "club/db.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "club/mailer.py": MAILER,
            "club/views.py": SIGNUP,
        },
    )
    found = [
        s
        for s in collect([str(root)], ["error-handling"])
        if s.code == "BKD302" and s.path.endswith("views.py")
    ]
    # ``return send_welcome(...)``: a handler that flashes and goes on would return None
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (12, "Catch a mail server failure of send_welcome()")
    ]
    new = apply_suggestion(found[0])[str(root / "club/views.py")]
    ast.parse(new)
    assert "    except OSError:" in new
    assert '        current_app.logger.exception("could not send mail")\n' in new
    # back to the page: the commit after the send does not run for a mail that never left
    assert "        return redirect(request.url)\n    db.session.commit()\n" in new
    assert "from flask import Blueprint, current_app, flash, redirect, request\n" in new


SMTP_HELPER = """\
import smtplib


def mail_server():
    return smtplib.SMTP_SSL("mail.example.org", 465, timeout=10)


def send_new_password(address, password):
    with mail_server() as server:
        server.sendmail("admin@example.org", [address], password)
"""
RESET = """\
from flask import Flask, flash, redirect, request

from shop.mailer import send_new_password

app = Flask(__name__)


@app.post("/reset")
def reset():
    password = "generated"
    send_new_password(request.form["email"], password)
    flash("Check your email.")
    return redirect("/login")
"""


def test_an_smtplib_connection_in_a_helper(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "shop/__init__.py": "",
            "shop/mailer.py": SMTP_HELPER,
            "shop/views.py": RESET,
        },
    )
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (11, "Catch a mail server failure of send_new_password()")
    ]
