"""BKD312: a broad ``except`` takes the 404 its own ``try`` raises for a failure (blind planted
sets 8 and 9: a Flask ``get_or_404`` and a FastAPI helper's ``HTTPException(404)``, both
answered 5xx with the exception's text)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

FLASK = """\
from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Item(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    voided = db.Column(db.Boolean, default=False)


@app.post("/items/<int:item_id>/void")
def void_item(item_id):
    try:
        item = db.get_or_404(Item, item_id)
        item.voided = True
        db.session.commit()
    except Exception as exc:
        return jsonify(error=str(exc)), 500
    return jsonify(ok=True)


@app.post("/items/<int:item_id>/restore")
def restore(item_id):
    try:
        item = db.get_or_404(Item, item_id)
        item.voided = False
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return jsonify(ok=True)
"""

FASTAPI = """\
from fastapi import FastAPI, HTTPException

app = FastAPI()
SHIPMENTS: dict[int, dict[str, str]] = {}


def load(shipment_id: int) -> dict[str, str]:
    if shipment_id not in SHIPMENTS:
        raise HTTPException(status_code=404, detail="no such shipment")
    return SHIPMENTS[shipment_id]


@app.get("/shipments/{shipment_id}")
def read(shipment_id: int) -> dict[str, str]:
    try:
        return load(shipment_id)
    except Exception as exc:
        raise HTTPException(status_code=502, detail=str(exc))


@app.get("/checked/{shipment_id}")
def checked(shipment_id: int) -> dict[str, str]:
    try:
        return load(shipment_id)
    except HTTPException:
        raise
    except Exception as exc:
        raise HTTPException(status_code=502, detail=str(exc))


@app.get("/count")
def count() -> dict[str, int]:
    try:
        return {"n": len(SHIPMENTS)}
    except Exception:
        raise HTTPException(status_code=500)
"""


def test_a_broad_except_around_a_404_lets_it_through_first(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\nfastapi\n")
    (tmp_path / "app.py").write_text(FLASK)
    (tmp_path / "api.py").write_text(FASTAPI)
    found = collect([str(tmp_path)], ["error-handling"])
    got = sorted((Path(s.path).name, s.code, s.span.start.line + 1) for s in found)
    # the re-raising handler, the one that lets HTTPException through, and a try with no 404
    # in it are left alone by BKD312; the one that lets it through still answers the
    # exception's text as its 502 (BKD318), which the first waits for until BKD312's fix
    assert got == [("api.py", "BKD312", 17), ("api.py", "BKD318", 28), ("app.py", "BKD312", 19)]
    by_file = {Path(s.path).name: s for s in found if s.code == "BKD312"}
    flask = apply_suggestion(by_file["app.py"])[str(tmp_path / "app.py")]
    assert "        db.session.commit()\n    except HTTPException:\n        raise\n" in flask
    assert "from werkzeug.exceptions import HTTPException\n" in flask
    compile(flask, "app.py", "exec")
    fastapi = apply_suggestion(by_file["api.py"])[str(tmp_path / "api.py")]
    assert fastapi.count("    except HTTPException:\n        raise\n") == 2
    compile(fastapi, "api.py", "exec")
