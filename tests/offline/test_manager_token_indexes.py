"""Lookups a real app runs on every request, missed by the index rule (fixtures of our own, each
with a silent twin):

- a Django manager's own ``self.select_related("user").get(key=hash_this(key), ip=ip, ua=ua,
  is_valid=True)``, called from a middleware: no ``Session.objects`` is written, so the query
  was never read. The index is on the key alone: a token the request hands in finds its row,
  the other equalities only check it (and the user agent, a TextField, goes in no b-tree);
- a Flask-SQLAlchemy model on ``db_sql.Model`` (the app's ``db_sql = SQLAlchemy()``, imported
  from its package beside a MongoDB client), looked up by username on every page;
- Django's async queryset calls (``await ....aexists()``), read as their sync twins;
- an index edit into a model file that ends without a final newline (the new ``__table_args__``
  ran on from the last line and no longer parsed, so a proven index was dropped).

Twins: the column already indexed, a settings row looked up by a literal key beside its user, a
debug lookup in an ``except Exception:`` body, a plain class's ``self.get(...)``, a scope the
manager hands back unevaluated (read where the caller evaluates it)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion


def _app(root: Path, files: dict[str, str], requirements: str) -> list[Suggestion]:
    (root / "requirements.txt").write_text(requirements)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _titles(found: list[Suggestion]) -> list[str]:
    return sorted(s.title for s in found)


# 1. A Django manager's own lookups ----------------------------------------------------------

MANAGERS = """\
from django.db import models

from .utils import hash_this


class SessionManager(models.Manager):
    def authenticate(self, key, ip, ua):
        try:
            session = self.select_related("user").get(
                key=hash_this(key), ip=ip, ua=ua, is_valid=True
            )
        except Exception:
            self.get(ip=ip)  # debug: which part did not match
            return None
        return session

    def for_user(self, user):
        return self.filter(user=user, is_valid=True)


class TokenManager(models.Manager):
    def authenticate(self, token, ua):
        return self.filter(token=hash_this(token), ua=ua, is_valid=True).first()


class PreferenceManager(models.Manager):
    def theme(self, user):
        return self.get(user=user, key="theme").value
"""

MODELS = """\
from django.contrib.auth.models import User
from django.db import models

from .managers import PreferenceManager, SessionManager, TokenManager


class Session(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    key = models.CharField(max_length=64)
    ip = models.GenericIPAddressField()
    ua = models.TextField()
    is_valid = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionManager()


class AppToken(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    token = models.CharField(max_length=64{token_index})
    ua = models.TextField()
    is_valid = models.BooleanField(default=True)

    objects = TokenManager()


class Preference(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    key = models.CharField(max_length=32)
    value = models.CharField(max_length=200)

    objects = PreferenceManager()
"""

UTILS = """\
import hashlib


def hash_this(value):
    return hashlib.sha256(value.encode()).hexdigest()
"""

MIDDLEWARE = """\
from .models import AppToken, Preference, Session


class AuthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.active_session = Session.objects.authenticate(
            request.COOKIES.get("auth"), request.META.get("REMOTE_ADDR"),
            request.META.get("HTTP_USER_AGENT"),
        )
        request.active_token = AppToken.objects.authenticate(
            request.headers.get("Authorization"), request.META.get("HTTP_USER_AGENT")
        )
        if request.user.is_authenticated:
            request.theme = Preference.objects.theme(request.user)
            request.sessions = list(Session.objects.for_user(request.user))
        return self.get_response(request)
"""

NOT_A_MANAGER = """\
class Cache:
    def get(self, **kwargs):
        return None

    def lookup(self, key):
        return self.get(key=key)
"""


def _django(root: Path, token_index: str = "") -> list[Suggestion]:
    files = {
        "accounts/__init__.py": "",
        "accounts/managers.py": MANAGERS,
        "accounts/models.py": MODELS.replace("{token_index}", token_index),
        "accounts/utils.py": UTILS,
        "accounts/middleware.py": MIDDLEWARE,
        "accounts/cache.py": NOT_A_MANAGER,
        "manage.py": "import django\n",
    }
    return _app(root, files, "django\n")


def test_a_managers_own_lookup_by_a_token_gets_an_index_on_the_token(tmp_path: Path) -> None:
    found = _django(tmp_path)
    # not (key, ip, ua): the key finds the row; not (ip) for the debug lookup of the except
    # body; nothing for the settings row by a literal key beside its user (its foreign key's
    # index finds the user's few), nor for the scope handed back to the middleware
    assert _titles(found) == ["Add an index on apptoken (token)", "Add an index on session (key)"]
    session = next(s for s in found if "session" in s.title)
    assert session.path.endswith("managers.py")
    assert session.span.start.line == 8  # the get() in SessionManager.authenticate
    models = tmp_path / "accounts" / "models.py"
    new = apply_suggestion(session)[str(models)]
    assert "key = models.CharField(max_length=64, db_index=True)" in new
    ast.parse(new)


def test_no_index_on_a_token_the_model_already_indexes(tmp_path: Path) -> None:
    found = _django(tmp_path, token_index=", unique=True")
    assert _titles(found) == ["Add an index on session (key)"]


# 2. Flask-SQLAlchemy's Model under another name -------------------------------------------

PACKAGE = """\
from flask import Flask
from flask_pymongo import PyMongo
from flask_sqlalchemy import SQLAlchemy

mongo = PyMongo()
db_sql = SQLAlchemy()


def create_app():
    app = Flask(__name__)
    db_sql.init_app(app)
    from . import routes

    app.register_blueprint(routes.bp)
    return app
"""

FLASK_MODELS = """\
from flask_login import UserMixin

from . import db_sql


class Users(UserMixin, db_sql.Model):
    Column = db_sql.Column
    String = db_sql.String
    Integer = db_sql.Integer

    id = Column(Integer, primary_key=True, autoincrement=False)
    username = Column(String(){username_index})
    city = Column(String())

    @classmethod
    def get(cls, user_identifier):
        try:
            user_id = int(user_identifier)
        except ValueError:
            return cls.query.filter_by(username=user_identifier).first()
        return cls.query.get(user_id)
"""

FLASK_ROUTES = """\
from flask import Blueprint

from .models import Users

bp = Blueprint("main", __name__)


@bp.route("/<username>")
def profile(username):
    user = Users.get(username)
    return {"city": user.city if user else None}
"""


def _flask(root: Path, username_index: str = "") -> list[Suggestion]:
    files = {
        "heat/__init__.py": PACKAGE,
        "heat/models.py": FLASK_MODELS.replace("{username_index}", username_index),
        "heat/routes.py": FLASK_ROUTES,
    }
    return _app(root, files, "flask\nflask-sqlalchemy\nflask-pymongo\n")


def test_a_model_on_an_imported_sqlalchemy_instances_model_is_a_table(tmp_path: Path) -> None:
    found = _flask(tmp_path)
    assert _titles(found) == ["Add an index on users (username)"]
    new = apply_suggestion(found[0])[str(tmp_path / "heat" / "models.py")]
    assert "username = Column(String(), index=True)" in new


def test_no_index_on_a_username_already_unique(tmp_path: Path) -> None:
    assert _flask(tmp_path, username_index=", unique=True") == []


def test_another_librarys_model_is_no_table(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    from subagent_lsp.review.offline.pysource import parse_source
    from subagent_lsp.review.offline.schema import schema_from_python

    text = (
        "from django.db import models\nfrom sqlalchemy import Column, String\n\n\n"
        "class Users(models.Model):\n    username = Column(String())\n"
    )
    schema = schema_from_python(parse_source(str(tmp_path / "m.py"), text))
    assert "users" not in schema.tables


# 3. Django's async queryset calls -----------------------------------------------------------

ASYNC_MODELS = """\
from django.db import models


class Link(models.Model):
    telegram_id = models.BigIntegerField({index})
    name = models.CharField(max_length=32)
"""

ASYNC_VIEWS = """\
from django.http import JsonResponse

from .models import Link


async def linked(request):
    found = await Link.objects.filter(telegram_id=request.GET.get("id")).aexists()
    return JsonResponse({"linked": found})
"""


def _async(root: Path, index: str = "") -> list[Suggestion]:
    files = {
        "bot/__init__.py": "",
        "bot/models.py": ASYNC_MODELS.replace("{index}", index),
        "bot/views.py": ASYNC_VIEWS,
        "bot/urls.py": (
            "from django.urls import path\n\nfrom . import views\n\n"
            'urlpatterns = [path("linked/", views.linked)]\n'
        ),
        "manage.py": "import django\n",
    }
    return _app(root, files, "django\n")


def test_an_async_lookup_is_read_as_its_sync_twin(tmp_path: Path) -> None:
    assert _titles(_async(tmp_path)) == ["Add an index on link (telegram_id)"]


def test_no_index_for_an_async_lookup_already_served(tmp_path: Path) -> None:
    assert _async(tmp_path, index="db_index=True") == []


# 4. A model file without a final newline ---------------------------------------------------

CHAT_MODEL = """\
from db import db


class ChatModel(db.Model):
    __tablename__ = "chat_messages"

    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.String(255), nullable=False)
    sender_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    receiver_id = db.Column(db.Integer, db.ForeignKey("users.id"))"""

CHAT_VIEWS = """\
from flask import Flask

from models import ChatModel

app = Flask(__name__)


@app.route("/chat/<int:me>/<int:other>")
def history(me, other):
    rows = ChatModel.query.filter_by(sender_id=me, receiver_id=other).all()
    return {"count": len(rows)}
"""


def test_an_index_edit_into_a_file_without_a_final_newline_parses(tmp_path: Path) -> None:
    files = {
        "db.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
        "models.py": CHAT_MODEL,
        "app.py": CHAT_VIEWS,
    }
    found = _app(tmp_path, files, "flask\nflask-sqlalchemy\n")
    assert _titles(found) == ["Add an index on chat_messages (sender_id, receiver_id)"]
    new = apply_suggestion(found[0])[str(tmp_path / "models.py")]
    ast.parse(new)
    assert new.endswith(
        'db.ForeignKey("users.id"))\n    __table_args__ = (\n'
        '        db.Index("ix_chat_messages_sender_id_receiver_id", "sender_id", "receiver_id"),\n'
        "    )\n"
    )


# 5. An OR of equalities on different columns ----------------------------------------------

CALL_MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Call(db.Model):
    __tablename__ = "calls"

    id = db.Column(db.Integer, primary_key=True)
    initiator_id = db.Column(db.Integer, db.ForeignKey("users.id"){initiator})
    receiver_id = db.Column(db.Integer, db.ForeignKey("users.id"){receiver})
    is_video = db.Column(db.Boolean, default=False)
    started_at = db.Column(db.DateTime)
"""

CALL_VIEWS = """\
from flask import Flask
from sqlalchemy import or_

from models import Call, db

app = Flask(__name__)


@app.route("/calls/<int:uid>")
def history(uid):
    rows = (
        Call.query.filter(or_(Call.initiator_id == uid, Call.receiver_id == uid))
        .order_by(Call.started_at.desc())
        .limit(50)
        .all()
    )
    return {"count": len(rows)}
{extra}"""

FLAGGED = """

@app.route("/calls/<int:uid>/video")
def video(uid):
    rows = Call.query.filter(or_(Call.is_video == True, Call.receiver_id == uid)).all()
    return {"count": len(rows)}
"""


def _calls(
    root: Path, initiator: str = "", receiver: str = "", extra: str = ""
) -> list[Suggestion]:
    models = CALL_MODELS.replace("{initiator}", initiator).replace("{receiver}", receiver)
    files = {"models.py": models, "app.py": CALL_VIEWS.replace("{extra}", extra)}
    return _app(root, files, "flask\nflask-sqlalchemy\n")


def test_an_or_of_two_columns_gets_an_index_on_each_not_on_the_sort(tmp_path: Path) -> None:
    found = _calls(tmp_path)
    assert _titles(found) == ["Add indexes on calls (initiator_id) and (receiver_id)"]
    assert "MULTI-INDEX OR" in found[0].rationale
    new = apply_suggestion(found[0])[str(tmp_path / "models.py")]
    assert 'db.ForeignKey("users.id"), index=True)' in new
    assert new.count("index=True") == 2


def test_an_or_with_one_side_indexed_gets_the_other_sides_index(tmp_path: Path) -> None:
    found = _calls(tmp_path, initiator=", index=True")
    assert _titles(found) == ["Add an index on calls (receiver_id)"]


def test_an_or_whose_sides_are_indexed_gets_nothing_not_even_the_sort(tmp_path: Path) -> None:
    assert _calls(tmp_path, initiator=", index=True", receiver=", index=True") == []


def test_an_or_with_a_flag_on_one_side_gets_no_index(tmp_path: Path) -> None:
    found = _calls(tmp_path, initiator=", index=True", receiver=", index=True", extra=FLAGGED)
    assert found == []


DJANGO_MEMBERS = """\
from django.db import models


class Member(models.Model):
    username = models.CharField(max_length=64{username})
    email = models.EmailField()
    name = models.CharField(max_length=100)
"""

DJANGO_LOGIN = """\
from django.db.models import Q
from django.http import JsonResponse

from .models import Member


def login(request):
    login = request.POST.get("login")
    member = Member.objects.filter(Q(username=login) | Q(email=login)).first()
    return JsonResponse({"name": member.name if member else None})
"""


def _members(root: Path, username: str = "") -> list[Suggestion]:
    files = {
        "club/__init__.py": "",
        "club/models.py": DJANGO_MEMBERS.replace("{username}", username),
        "club/views.py": DJANGO_LOGIN,
        "club/urls.py": (
            "from django.urls import path\n\nfrom . import views\n\n"
            'urlpatterns = [path("login/", views.login)]\n'
        ),
        "manage.py": "import django\n",
    }
    return _app(root, files, "django\n")


def test_a_django_or_of_q_objects_gets_an_index_on_each_side(tmp_path: Path) -> None:
    assert _titles(_members(tmp_path)) == ["Add indexes on member (username) and (email)"]


def test_a_django_or_whose_one_side_is_unique_indexes_the_other(tmp_path: Path) -> None:
    assert _titles(_members(tmp_path, username=", unique=True")) == [
        "Add an index on member (email)"
    ]
