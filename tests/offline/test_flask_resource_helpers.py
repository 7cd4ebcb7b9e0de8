"""A Flask-RESTful resource's request methods often only dispatch (walle-web: ``return
self.item(user_id) if user_id else self.list()``, ``getattr(self, action)()``) and read the
request in the methods they call: those methods are on the request path, and their fixes raise
(``abort(400)``, ``get_or_404``) since their caller may transform what they return. A method
something off the request path also calls (a task, a command) is left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .flask_resources import BASE, MODELS

LISTED = """\
from flask import request

from api.base import ApiResource
from models import User


class UserAPI(ApiResource):
    def get(self, user_id=None):
        return self.item(user_id) if user_id else self.list()

    def list(self):
        page = int(request.args.get("page", 0))
        users = User.query.offset(page * 10).limit(10).all()
        return self.render_json([u.name for u in users])

    def item(self, user_id):
        user = User.query.get(user_id)
        return self.render_json({"name": user.name})
"""

DISPATCHED = """\
from flask import request

from api.base import ApiResource
from models import User


class MemberAPI(ApiResource):
    actions = ["member"]

    def post(self, action=None):
        if action in self.actions:
            return getattr(self, action)()
        return self.render_json(code=-1)

    def member(self):
        user_id = int(request.form["user_id"])
        return self.render_json({"user_id": user_id})
"""


def _project(tmp_path: Path, users: str, **more: str) -> Path:
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nflask-sqlalchemy\n")
    (tmp_path / "models.py").write_text(MODELS)
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "__init__.py").write_text("")
    (tmp_path / "api" / "base.py").write_text(BASE)
    (tmp_path / "api" / "users.py").write_text(users)
    for name, text in more.items():
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path / "api" / "users.py"


def _found(tmp_path: Path, path: Path) -> list[Suggestion]:
    return [s for s in collect([str(tmp_path)]) if s.path == str(path)]


def _where(found: list[Suggestion]) -> list[tuple[str, int]]:
    return [(s.code, s.span.start.line + 1) for s in found]


def _parses_after(suggestion: Suggestion, path: Path) -> str:
    after = apply_suggestion(suggestion)[str(path)]
    compile(after, str(path), "exec")
    return after


def test_the_list_and_item_that_get_returns_through_are_on_the_request_path(
    tmp_path: Path,
) -> None:
    users = _project(tmp_path, LISTED)
    found = _found(tmp_path, users)
    assert _where(found) == [("BKD202", 12), ("BKD306", 17)]
    page, row = found
    # MultiDict's ``type=``: no answer to write, the default for a bad value
    assert [e.new_text for e in page.edits] == ['request.args.get("page", 0, type=int)']
    # the caller's URL part is the key: its row may not exist
    assert [e.new_text for e in row.edits] == ["User.query.get_or_404(user_id)"]
    after = _parses_after(page, users)
    assert 'page = request.args.get("page", 0, type=int)' in after


def test_a_getattr_dispatch_reaches_the_public_method_that_reads_the_request(
    tmp_path: Path,
) -> None:
    users = _project(tmp_path, DISPATCHED)
    found = _found(tmp_path, users)
    assert _where(found) == [("BKD202", 16)]
    # a helper aborts: ``post`` hands back what it returns, a ``(body, 400)`` would be its data
    assert [e.new_text for e in found[0].edits] == [
        "from flask import abort, request",
        '        user_id = request.form.get("user_id", type=int)\n'
        "        if user_id is None:\n"
        "            abort(400)",
    ]
    _parses_after(found[0], users)


def test_a_helper_that_converts_with_type_is_left_alone(tmp_path: Path) -> None:
    clean = LISTED.replace(
        'int(request.args.get("page", 0))', 'request.args.get("page", 0, type=int)'
    )
    users = _project(tmp_path, clean.replace("User.query.get(", "User.query.get_or_404("))
    assert _found(tmp_path, users) == []


def test_a_dispatch_that_reads_an_attribute_reaches_nothing(tmp_path: Path) -> None:
    # ``getattr(self, name)`` read, not called: no request runs ``member`` through it
    read = DISPATCHED.replace("return getattr(self, action)()", "return getattr(self, action)")
    assert _found(tmp_path, _project(tmp_path, read)) == []


REPORTS = """\
from flask import request

from api.base import ApiResource


class ReportAPI(ApiResource):
    def get(self):
        return self.render_json(CALL)

    def recount(self):
        page = int(request.args.get("page", 0))
        return page
"""

COMMANDS = """\
import click

from api.users import ReportAPI


@click.command()
def recount():
    ReportAPI().recount()
"""


def test_a_method_only_a_command_calls_is_no_helper(tmp_path: Path) -> None:
    users = _project(tmp_path, REPORTS.replace("CALL", "code=0"), commands=COMMANDS)
    assert _found(tmp_path, users) == []


NIGHTLY = """\


@shared_task
def nightly():
    ReportAPI().recount()
"""


@pytest.mark.parametrize(("task", "expected"), [(NIGHTLY, []), ("", [("BKD202", 11)])])
def test_a_helper_a_task_of_the_module_calls_too_is_no_helper(
    tmp_path: Path, task: str, expected: list[tuple[str, int]]
) -> None:
    reports = REPORTS.replace("CALL", "self.recount()") + task
    if task:
        reports = "from celery import shared_task\n" + reports
        expected = [(code, line + 1) for code, line in expected]
    users = _project(tmp_path, reports)
    assert _where(_found(tmp_path, users)) == expected


OWNED = """\
from flask import request

from api.base import ApiResource
from models import User, db


class UserAPI(ApiResource):
    def get(self, user_id):
        try:
            return self.summary()
        except ValueError:
            return self.render_json(code=-1)

    def delete(self, user_id):
        user = User.query.get_or_404(user_id)
        return self.owner(user.name)

    def put(self, user_id):
        return self.rename(user_id)

    def summary(self):
        page = int(request.args.get("page", 0))
        return self.render_json(page)

    def owner(self, name):
        user = User.query.filter_by(name=name).first()
        return self.render_json({"id": user.id})

    def rename(self, user_id):
        data = request.get_json()
        user = User.query.get_or_404(user_id)
        user.name = data["name"]
        db.session.commit()
        return self.render_json({"name": user.name})
"""


def test_what_the_callers_handle_and_pass_is_the_helpers(tmp_path: Path) -> None:
    users = _project(tmp_path, OWNED)
    found = [s for s in _found(tmp_path, users) if s.code != "BKD101"]
    # ``summary``'s ValueError is ``get``'s to answer; ``owner`` is handed a row's own name,
    # not the client's; ``rename``'s body is the client's, checked with an abort
    assert _where(found) == [("BKD201", 30)]
    assert [e.new_text for e in found[0].edits] == [
        "from flask import abort, request",
        "        data = request.get_json(silent=True)\n"
        "        if not isinstance(data, dict) or any(key not in data for key in ('name',)):\n"
        "            abort(400)",
    ]
    _parses_after(found[0], users)


def test_flask_restfuls_abort_is_the_helpers_when_the_module_imports_it(tmp_path: Path) -> None:
    restful = DISPATCHED.replace(
        "from api.base import ApiResource\n",
        "from api.base import ApiResource\nfrom flask_restful import abort\n",
    )
    users = _project(tmp_path, restful)
    found = _found(tmp_path, users)
    assert _where(found) == [("BKD202", 17)]
    assert [e.new_text for e in found[0].edits] == [
        '        user_id = request.form.get("user_id", type=int)\n'
        "        if user_id is None:\n"
        "            abort(400)",
    ]


def test_no_helper_where_abort_is_the_apps_own(tmp_path: Path) -> None:
    # ``abort`` of the app's own errors module: what it does with 400 is not known
    own = DISPATCHED.replace(
        "from api.base import ApiResource\n",
        "from api.base import ApiResource\nfrom api.errors import abort\n",
    )
    assert _found(tmp_path, _project(tmp_path, own)) == []


TYPED = """\
from flask import request

from api.base import ApiResource
from models import User, db


class UserAPI(ApiResource):
    def put(self, user_id):
        return self.rename(user_id)

    def rename(self, user_id):
        data = request.get_json()
        user = User.query.get_or_404(user_id)
        user.name = data["name"]
        db.session.commit()
        return self.render_json({"name": user.name})
"""


def test_a_helpers_body_model_is_declared_before_its_class(tmp_path: Path) -> None:
    # a class attribute is no name a method's body can read: the model goes at the top level
    users = _project(tmp_path, TYPED)
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nflask-sqlalchemy\npydantic\n")
    found = _found(tmp_path, users)
    assert _where(found) == [("BKD201", 12)]
    edits = {e.new_text.split("\n", 1)[0]: e for e in found[0].edits}
    model = edits["class RenameBody(BaseModel):"]
    assert (model.span.start.line, model.new_text) == (
        6,
        "class RenameBody(BaseModel):\n    name: Any\n\n\n",
    )
    assert edits["        try:"].new_text.endswith(
        "        except ValidationError:\n            abort(400)"
    )
    after = _parses_after(found[0], users)
    assert "\n\n\nclass RenameBody(BaseModel):\n    name: Any\n\n\nclass UserAPI" in after


ASSERTED = """\
from flask import request
from flask_restful import abort

from api.base import ApiResource


class UserAPI(ApiResource):
    def get(self):
        return self.list()

    def list(self):
        size = request.args.get("size", 10, type=int)
        assert size <= 100, "size must be at most 100"
        return self.render_json(size)
"""


def test_an_assert_in_a_helper_aborts_with_flask_restfuls_keywords(tmp_path: Path) -> None:
    # Flask-RESTful's ``abort(code, **kwargs)`` takes no positional message: a TypeError
    users = _project(tmp_path, ASSERTED)
    found = _found(tmp_path, users)
    assert _where(found) == [("BKD208", 13)]
    assert [e.new_text for e in found[0].edits] == [
        '        if size > 100:\n            abort(400, message="size must be at most 100")'
    ]
    _parses_after(found[0], users)


# The helper's upstream failure: the helper answers nothing of its own, so the caller (the
# request method) answers the 502 (the review of the change found it reported nowhere).
UPSTREAM = """\
import requests

from api.base import ApiResource


class Avatar(ApiResource):
    def get(self, user_id):
        return self.item(user_id)

    def item(self, user_id):
        reply = requests.get(f"https://avatars.example/{user_id}", timeout=5)
        return self.render_json(data=reply.json())
"""


def test_a_helpers_upstream_failure_is_answered_by_its_caller(tmp_path: Path) -> None:
    users = _project(tmp_path, UPSTREAM)
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nflask-sqlalchemy\nrequests\n")
    found = [s for s in _found(tmp_path, users) if s.code == "BKD302"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (8, "Answer 502 when self.item() fails")
    ]
    _parses_after(found[0], users)
