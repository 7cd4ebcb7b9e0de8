"""A relationship's ``foreign_keys=user_id`` written as the class body's own column name (a real
app's ``Mod.user`` beside ``Mod.locked_by``, both pointing at users): the backref walked from a
user reads mods by that column, not "one of two foreign keys, unknown which"."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import backref, declarative_base, relationship

Base = declarative_base()


class User(Base):
    __tablename__ = "user"
    id = Column(Integer, primary_key=True)
    name = Column(String(80))


class Mod(Base):
    __tablename__ = "mod"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("user.id"))
    user = relationship("User", backref=backref("mods"), foreign_keys=KEY)
    locked_by_id = Column(Integer, ForeignKey("user.id"))
    locked_by = relationship("User", backref="locked_mods", foreign_keys=locked_by_id)
"""

VIEWS = """\
from flask import Flask, jsonify

from .models import User

app = Flask(__name__)


@app.get("/users/<int:user_id>/mods")
def user_mods(user_id: int):
    user: User = User.query.get_or_404(user_id)
    return jsonify([mod.id for mod in user.mods])
"""


def _titles(tmp_path: Path, key: str) -> list[str]:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\nsqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "models.py").write_text(MODELS.replace("KEY", key))
    (tmp_path / "views.py").write_text(VIEWS)
    return [s.title for s in collect([str(tmp_path)], ["index"])]


def test_a_bare_column_name_names_the_key_the_backref_walks(tmp_path: Path) -> None:
    assert "Add an index on mod (user_id)" in _titles(tmp_path, "user_id")


def test_the_list_and_the_attribute_forms_read_alike(tmp_path: Path) -> None:
    assert "Add an index on mod (user_id)" in _titles(tmp_path, "[user_id]")
