"""A Flask-RESTful resource rarely derives from ``Resource`` in its own module: a real app
(walle-web) has every resource derive from a project base of another module
(``UserAPI(SecurityResource)``, ``SecurityResource(ApiResource)``, ``ApiResource(Resource)``
in ``api/api.py``), so the lineage is followed through the imports into the project's
modules, a star import of one included. Where it cannot be (a star import of a module outside
the project), ``api.add_resource(UserAPI, ...)`` or RESTX's ``@ns.route("/...")`` on the class
says it is a resource all the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.engine import load_source_from_disk
from subagent_lsp.review.offline.pysource import top_level_class
from subagent_lsp.review.offline.upstream_calls import UpstreamCalls
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .flask_resources import BASE, MODELS

# walle-web's shape: the resources' base is two project classes deep, the second one the
# one every resource imports.
SECURED_BASE = """\
from flask import jsonify, session
from flask_restful import Resource


class ApiResource(Resource):
    def render_json(self, data=None, code=0):
        return jsonify({"code": code, "data": data})


class SecurityResource(ApiResource):
    def __init__(self):
        self.space_id = session.get("space_id")
"""

PLAIN_BASE = """\
from flask import jsonify


class ApiResource(object):
    def render_json(self, data=None, code=0):
        return jsonify({"code": code, "data": data})
"""

USERS = """\
from flask import request

from api.base import BASE_NAME
from models import User, db


class UserAPI(BASE_NAME):
    def post(self, id):
        name = request.get_json()["name"]
        user = User.query.get(id)
        user.name = name
        db.session.commit()
        return self.render_json({"name": user.name})
"""

BODY_CHECK = (
    "        body = request.get_json(silent=True)\n"
    "        if (\n"
    "            not isinstance(body, dict)\n"
    '            or "name" not in body\n'
    "        ):\n"
    '            return {"message": "invalid request body"}, 400\n'
)


def _project(tmp_path: Path, base: str, users: str, lib: str = "flask-restful") -> Path:
    (tmp_path / "requirements.txt").write_text(f"flask\n{lib}\nflask-sqlalchemy\n")
    (tmp_path / "models.py").write_text(MODELS)
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "__init__.py").write_text("")
    (tmp_path / "api" / "base.py").write_text(base)
    (tmp_path / "api" / "users.py").write_text(users)
    return tmp_path / "api" / "users.py"


def _found(tmp_path: Path, path: Path) -> list[Suggestion]:
    return [s for s in collect([str(tmp_path)]) if s.path == str(path)]


def _assert_handler_suggestions(
    found: list[Suggestion], body_line: int, resource: bool = True
) -> None:
    """The unvalidated body key and the unchecked ``query.get`` row of ``post``; the 400 a
    plain dict where the class is known for a Resource (its dispatch json-dumps a Response)."""
    assert [(s.code, s.span.start.line + 1) for s in found] == [
        ("BKD201", body_line),
        ("BKD306", body_line + 1),
    ]
    check, row = found
    if resource:
        assert [e.new_text for e in check.edits] == [BODY_CHECK]
    else:
        assert check.edits[-1].new_text.startswith(BODY_CHECK.split("return")[0])
    assert [e.new_text for e in row.edits] == ["User.query.get_or_404(id)"]


@pytest.mark.parametrize(
    ("base", "name"), [(BASE, "ApiResource"), (SECURED_BASE, "SecurityResource")]
)
def test_a_resource_over_a_project_base_of_another_module_is_a_handler(
    tmp_path: Path, base: str, name: str
) -> None:
    users = _project(tmp_path, base, USERS.replace("BASE_NAME", name))
    found = _found(tmp_path, users)
    _assert_handler_suggestions(found, 9)
    after = apply_suggestion(found[0])[str(users)]
    compile(after, "users.py", "exec")


def test_a_class_over_a_plain_project_base_is_no_handler(tmp_path: Path) -> None:
    users = _project(tmp_path, PLAIN_BASE, USERS.replace("BASE_NAME", "ApiResource"))
    assert _found(tmp_path, users) == []


# The base comes through a star import of a module the project does not hold (a vendored
# package's): its lineage is not followed.
STARRED = """\
from flask import request

from vendored.base import *  # noqa: F403
from models import User, db


class UserAPI(ApiResource):  # noqa: F405
    def post(self, id):
        name = request.get_json()["name"]
        user = User.query.get(id)
        user.name = name
        db.session.commit()
        return self.render_json({"name": user.name})
"""

APP = """\
from flask import Blueprint, Flask
from flask_restful import Api

IMPORT

app = Flask(__name__)
bp = Blueprint("api", __name__)
rest = Api(bp)
rest.add_resource(RESOURCE, "/users/<int:id>")
app.register_blueprint(bp)
"""


@pytest.mark.parametrize(
    ("imported", "resource"),
    [("from api.users import UserAPI", "UserAPI"), ("from api import users", "users.UserAPI")],
)
def test_a_resource_an_api_registers_is_a_handler_whatever_its_bases(
    tmp_path: Path, imported: str, resource: str
) -> None:
    users = _project(tmp_path, BASE, STARRED)
    app = APP.replace("IMPORT", imported).replace("RESOURCE", resource)
    (tmp_path / "app.py").write_text(app)
    # registered from another module over a star-imported base: nothing here says Resource
    _assert_handler_suggestions(_found(tmp_path, users), 9, resource=False)


def test_an_unregistered_class_over_an_unread_base_is_left_alone(tmp_path: Path) -> None:
    users = _project(tmp_path, BASE, STARRED)
    assert _found(tmp_path, users) == []


def test_a_base_star_imported_from_a_project_module_is_followed(tmp_path: Path) -> None:
    # the star import walle-web writes, of the project module that defines the base
    users = _project(tmp_path, BASE, STARRED.replace("vendored.base", "api.base"))
    _assert_handler_suggestions(_found(tmp_path, users), 9)


ROUTED = """\
from flask import request
from flask_restx import Namespace

from api.base import *  # noqa: F403
from models import User, db

ns = Namespace("users")


@ns.route("/<int:id>")
class UserAPI(ApiResource):  # noqa: F405
    def post(self, id):
        name = request.get_json()["name"]
        user = User.query.get(id)
        user.name = name
        db.session.commit()
        return self.render_json({"name": user.name})
"""


def test_a_class_a_restx_namespace_routes_to_is_a_handler(tmp_path: Path) -> None:
    users = _project(tmp_path, BASE.replace("flask_restful", "flask_restx"), ROUTED, "flask-restx")
    _assert_handler_suggestions(_found(tmp_path, users), 13)


def _lineage(tmp_path: Path, path: Path, *names: str) -> list[frozenset[str]]:
    """The outside bases of each class ``names``, asked in that order of one resolver."""
    upstream = UpstreamCalls([str(tmp_path)], load_source_from_disk)
    source = load_source_from_disk(str(path))
    assert source is not None
    out = []
    for name in names:
        cls = top_level_class(source, name)
        assert cls is not None
        out.append(upstream.outside_bases(source, cls))
    return out


def test_the_lineage_ends_at_bases_that_derive_from_each_other(tmp_path: Path) -> None:
    # Not runnable (each module imports the other's class), but a file being edited may say
    # so: the search ends rather than recursing, and finds the one outside base.
    (tmp_path / "a.py").write_text("from b import B\n\n\nclass A(B):\n    pass\n")
    (tmp_path / "b.py").write_text("from a import A\n\n\nclass B(A, Mixin):\n    pass\n")
    assert _lineage(tmp_path, tmp_path / "a.py", "A") == [{"Mixin"}]


def test_a_lineage_cut_short_by_the_depth_limit_is_not_kept(tmp_path: Path) -> None:
    chain = ["from flask_restful import Resource\n\n\nclass C0(Resource):\n    pass\n"]
    chain += [f"\n\nclass C{i}(C{i - 1}):\n    pass\n" for i in range(1, 9)]
    (tmp_path / "views.py").write_text("".join(chain))
    # C8 is too deep to tell; C3's bases, cut short on the way from C8, are not kept as none
    assert _lineage(tmp_path, tmp_path / "views.py", "C8", "C3") == [
        frozenset(),
        {"flask_restful.Resource"},
    ]


# A resource module that imports nothing of Flask itself: Flask-RESTful's own ``Resource`` and
# ``abort`` are all it needs, and it is still a Flask module (its missing row is a 500 too).
RESTFUL_ONLY = """\
from flask_restful import Resource, abort

from models import User


class UserName(Resource):
    def get(self, user_id):
        user = User.query.get(user_id)
        return {"name": user.name}
"""


def test_a_module_importing_only_flask_restful_is_a_flask_module(tmp_path: Path) -> None:
    users = _project(tmp_path, BASE, RESTFUL_ONLY)
    found = [s for s in _found(tmp_path, users) if s.code == "BKD306"]
    assert [s.span.start.line + 1 for s in found] == [8]
    new = apply_suggestion(found[0])[str(users)]
    assert "User.query.get_or_404(user_id)" in new
