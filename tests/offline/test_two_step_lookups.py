"""A Flask-RESTful resource hands the URL's id to a manager that builds its query in one
statement and takes its row in the next (``home_q = Home.query.filter_by(id=home_id)``, then
``home = home_q.first()``, or ``stmt = select(Land)...`` then
``db.session.execute(stmt).scalar()``) and reads the row: an unknown id is an AttributeError
500 (a real estate app's home and land details, round 34). The same managers stay silent when
they test the row, or when the id is the signed-in user's."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MANAGERS = """\
from sqlalchemy import select

from models import db, Home, Land


class HomeManager:
    @staticmethod
    def home_details(home_id):
        home_q = Home.query.filter_by(id=home_id)
        home = home_q.first()
        home.views = home.views + 1
        db.session.commit()
        return home

    @staticmethod
    def checked_details(home_id):
        home_q = Home.query.filter_by(id=home_id)
        home = home_q.first()
        if home is None:
            return None
        return home.title

    @staticmethod
    def find_home(home_id):
        home_q = Home.query.filter_by(id=home_id)
        return home_q.first()


class LandManager:
    @staticmethod
    def land_by_id(land_id):
        stmt = select(Land).where(Land.id == land_id)
        land = db.session.execute(stmt).scalar()
        return land.title

    @staticmethod
    def land_name(land_id):
        stmt = select(Land.title).where(Land.id == land_id)
        title = db.session.execute(stmt).scalar()
        return title.upper()
"""

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Home(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
    views = db.Column(db.Integer, default=0)


class Land(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))
"""

APP = """\
from flask import Flask, g
from flask_restful import Api, Resource

from managers import HomeManager, LandManager
from models import db

app = Flask(__name__)
db.init_app(app)
api = Api(app)


class HomeDetails(Resource):
    def get(self, home_id):
        home = HomeManager.home_details(home_id)
        return {"id": home.id}


class CheckedHome(Resource):
    def get(self, home_id):
        return {"title": HomeManager.checked_details(home_id)}


class MyHome(Resource):
    def get(self):
        home = HomeManager.home_details(g.user.home_id)
        return {"id": home.id}


class FoundHome(Resource):
    def get(self, home_id):
        home = HomeManager.find_home(home_id)
        return {"title": home.title}


class LandDetails(Resource):
    def get(self, land_id):
        return {"title": LandManager.land_by_id(land_id)}


class LandName(Resource):
    def get(self, land_id):
        return {"title": LandManager.land_name(land_id)}


api.add_resource(HomeDetails, "/homes/<int:home_id>")
api.add_resource(CheckedHome, "/homes/<int:home_id>/checked")
api.add_resource(MyHome, "/my-home")
api.add_resource(FoundHome, "/homes/<int:home_id>/found")
api.add_resource(LandDetails, "/lands/<int:land_id>")
api.add_resource(LandName, "/lands/<int:land_id>/name")
"""


def test_a_query_bound_first_then_its_row_read_answers_404(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nflask-sqlalchemy\n")
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "managers.py").write_text(MANAGERS)
    (tmp_path / "models.py").write_text(MODELS)
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]
    # the checked helper, the signed-in user's home and a column's scalar stay silent
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [
        ("app.py", 14),
        ("app.py", 31),
        ("app.py", 37),
    ]
    assert "`Home.query.filter_by(id=home_id).first()`" in found[0].rationale
    home = apply_suggestion(found[0])[str(tmp_path / "managers.py")]
    assert (
        "        home = home_q.first()\n        if home is None:\n            abort(404)\n" in home
    )
    (tmp_path / "managers.py").write_text(MANAGERS)  # each fix on the file as it was
    land = apply_suggestion(found[2])[str(tmp_path / "managers.py")]
    assert (
        "        land = db.session.execute(stmt).scalar()\n"
        "        if land is None:\n            abort(404)\n" in land
    )
    assert "from flask import abort\n" in land
    (tmp_path / "managers.py").write_text(MANAGERS)
    route = apply_suggestion(found[1])[str(tmp_path / "app.py")]
    assert "        home = HomeManager.find_home(home_id)\n        if home is None:\n" in route
    compile(route, "app.py", "exec")
    compile(home, "managers.py", "exec")
    compile(land, "managers.py", "exec")
