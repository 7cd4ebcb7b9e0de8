"""BKD332: a SQLAlchemy query tested as its row (a real trip-log API's ``if not car:`` over
``db.session.query(...).filter(...)``, so its 404 never fired and the delete went on). Fixtures
of our own: ``not q``, ``q is None`` and ``q`` over ``Model.query`` and ``session.query``
chains; silent twins over a row (``.first()``), a list (``.all()``), a local bound to a row
as well, and a parameter."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Car(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, nullable=False)
"""

VIEWS = """\
from flask import Flask, abort

from .models import Car, db

app = Flask(__name__)


@app.delete("/cars/<int:car_id>")
def delete_car(car_id):
    car = Car.query.filter_by(id=car_id, owner_id=1)
    if not car:
        abort(404)
    car.delete()
    db.session.commit()
    return "", 204


@app.get("/cars/<int:car_id>/owner")
def owner(car_id):
    found = db.session.query(Car.owner_id).filter(Car.id == car_id)
    if found is None:
        abort(404)
    return {"owner": found.scalar()}


@app.get("/cars/<int:car_id>/seen")
def seen(car_id):
    cars = Car.query.filter(Car.id == car_id)
    return {"seen": True} if cars else {"seen": False}


@app.get("/cars/<int:car_id>")
def one(car_id):
    car = Car.query.filter_by(id=car_id).first()
    if not car:
        abort(404)
    return {"id": car.id}


@app.get("/cars")
def every():
    cars = Car.query.filter_by(owner_id=1).all()
    if not cars:
        abort(404)
    return {"ids": [c.id for c in cars]}


@app.get("/cars/<int:car_id>/either")
def either(car_id):
    car = Car.query.filter_by(id=car_id)
    car = car.first()
    if not car:
        abort(404)
    return {"id": car.id}


def helper(car):
    if not car:
        return None
    return car.first()
"""


def test_a_query_tested_as_its_row(tmp_path: Path) -> None:
    pkg = tmp_path / "garage"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "models.py").write_text(MODELS)
    (pkg / "views.py").write_text(VIEWS)
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    found = sorted(
        (s for s in collect([str(tmp_path)]) if s.code == "BKD332"),
        key=lambda s: s.span.start.line,
    )
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (11, "Test the row of `car`, not the query"),
        (21, "Test the row of `found`, not the query"),
        (29, "Test the row of `cars`, not the query"),
    ]
    assert "is never true" in found[0].rationale
    assert "is always true" in found[2].rationale
    text = apply_suggestion(found[0])[str(pkg / "views.py")]
    ast.parse(text)
    assert "    if car.first() is None:\n        abort(404)\n" in text
    text = apply_suggestion(found[2])[str(pkg / "views.py")]
    assert 'return {"seen": True} if cars.first() is not None else {"seen": False}' in text
