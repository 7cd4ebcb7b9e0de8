"""BKD212 for a list of sort keys and a check that does nothing: a public FastAPI listing takes
``order_by: List[str] = Query(None)``, loops over it, tests each name with ``if col not in
...: pass`` and sorts by ``getattr(Project, col)`` anyway (a real app's: an unknown name was
an AttributeError, a 500). The fix answers 400 in place of the ``pass``; the silent twins
(a guard that raises or continues, a ``List[Literal]``/enum, a getattr with a default, names
not from the request) get nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "fund"\nrequires-python = ">=3.10"\n'
    'dependencies = ["fastapi", "sqlalchemy"]\n'
)
MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Project(Base):
    __tablename__ = "projects"
    id = Column(Integer, primary_key=True)
    title = Column(String)
    raised = Column(Integer)
"""
HEAD = """\
import enum
import logging
from typing import List, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from fund.models import Project

router = APIRouter()
logger = logging.getLogger(__name__)
OFFERED = ("title", "raised")


def get_db():
    yield None

"""
IDLE = """
@router.get("/projects/")
def list_projects(
    db: Session = Depends(get_db),
    order_by: List[str] = Query(default=None),
):
    query = db.query(Project)
    if order_by:
        for col in order_by:
            if col not in OFFERED:
                pass
            query = query.order_by(getattr(Project, col))
    return query.all()
"""


def _root(tmp_path: Path, views: str) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "fund/__init__.py": "",
        "fund/models.py": MODELS,
        "fund/api.py": HEAD + views,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _found(root: Path, code: str = "BKD212") -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == code]


def test_a_pass_guard_gets_the_400_in_place_of_its_pass(tmp_path: Path) -> None:
    root = _root(tmp_path, IDLE)
    (found,) = _found(root)
    assert found.title == "Answer 400 where the check of the sort key `order_by` lets it through"
    assert "`if col not in OFFERED:` does nothing" in found.rationale
    assert "AttributeError (a 500)" in found.rationale
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (5, "from fastapi import APIRouter, Depends, HTTPException, Query"),
        (28, 'raise HTTPException(status_code=400, detail="unknown sort column")'),
    ]
    new = apply_suggestion(found)[str(root / "fund/api.py")]
    ast.parse(new)
    assert "            if col not in OFFERED:\n                raise HTTPException(" in new
    assert _found(root) == []


def test_a_guard_that_only_logs_gets_the_400_after_its_log_line(tmp_path: Path) -> None:
    views = IDLE.replace("pass\n", 'logger.warning("unknown column %s", col)\n')
    root = _root(tmp_path, views)
    (found,) = _found(root)
    assert "only logs" in found.rationale
    assert found.edits[-1].new_text == (
        '                raise HTTPException(status_code=400, detail="unknown sort column")\n'
    )
    assert found.edits[-1].span.start.line + 1 == 29
    apply_suggestion(found)
    assert _found(root) == []


def test_a_list_of_sort_keys_with_no_guard_gets_a_check_in_the_loop(tmp_path: Path) -> None:
    views = IDLE.replace("            if col not in OFFERED:\n                pass\n", "")
    root = _root(tmp_path, views)
    (found,) = _found(root)
    assert found.title == "Allow only Project's columns as the sort key `order_by`"
    assert [e.new_text for e in found.edits][1] == (
        "            if col not in PROJECT_SORT_KEYS:\n"
        '                raise HTTPException(status_code=400, detail="unknown sort column")\n'
    )
    new = apply_suggestion(found)[str(root / "fund/api.py")]
    assert 'PROJECT_SORT_KEYS = ("id", "raised", "title")' in new
    assert _found(root) == []


def test_effective_guards_and_typed_or_fixed_names_are_left_alone(tmp_path: Path) -> None:
    views = """
class Sort(str, enum.Enum):
    title = "title"


@router.get("/raises/")
def raises(db: Session = Depends(get_db), order_by: List[str] = Query(default=None)):
    query = db.query(Project)
    for col in order_by:
        if col not in OFFERED:
            raise ValueError(col)
        query = query.order_by(getattr(Project, col))
    return query.all()


@router.get("/continues/")
def continues(db: Session = Depends(get_db), order_by: List[str] = Query(default=None)):
    query = db.query(Project)
    for col in order_by:
        if col not in OFFERED:
            continue
        query = query.order_by(getattr(Project, col))
    return query.all()


@router.get("/literal/")
def literal(
    db: Session = Depends(get_db),
    order_by: List[Literal["title", "raised"]] = Query(default=None),
):
    query = db.query(Project)
    for col in order_by:
        query = query.order_by(getattr(Project, col))
    return query.all()


@router.get("/enum/")
def by_enum(db: Session = Depends(get_db), order_by: List[Sort] = Query(default=None)):
    query = db.query(Project)
    for col in order_by:
        query = query.order_by(getattr(Project, col))
    return query.all()


@router.get("/default/")
def with_default(db: Session = Depends(get_db), order_by: List[str] = Query(default=None)):
    query = db.query(Project)
    for col in order_by:
        column = getattr(Project, col, None)
        if column is None:
            continue
        query = query.order_by(column)
    return query.all()


@router.get("/fixed/")
def fixed(db: Session = Depends(get_db)):
    query = db.query(Project)
    for col in OFFERED:
        if col not in OFFERED:
            pass
        query = query.order_by(getattr(Project, col))
    return query.all()
"""
    root = _root(tmp_path, views)
    assert _found(root) == []
    assert _found(root, "BKD209") == []
