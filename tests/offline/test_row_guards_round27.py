"""BKD306 inside ``try: ... except Exception: <a 5xx>``: the broad handler is no answer to a
missing row, it turns the client's unknown id into the server's 500 (judged missed on a real
FastAPI app, round 27). The fix is the usual 404 after the lookup, plus ``except
HTTPException: raise`` before the broad handler, without which the 404 becomes that 500 too.
A handler that answers 404 itself, or catches NoResultFound by name, still counts."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

ROUTES = """\
from fastapi import APIRouter, Depends, HTTPException, Response, status
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from .db import get_session
from .models import Badge

router = APIRouter()


@router.delete("/badges/{badge_id}")
def delete_badge(badge_id: int, response: Response, session: Session = Depends(get_session)):
    try:
        badge = session.query(Badge).filter(Badge.id == badge_id).first()
        session.delete(badge)
        session.commit()
        return {"status": "OK"}
    except Exception:
        response.status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
        return {"error": "error deleting badge"}


@router.get("/badges/{badge_id}/holders")
def badge_holders(badge_id: int, session: Session = Depends(get_session)):
    try:
        badge = session.query(Badge).filter(Badge.id == badge_id).one()
    except Exception as exc:
        raise HTTPException(status_code=500, detail=str(exc))
    return {"holders": len(badge.holders)}


@router.get("/badges/{badge_id}/name")
def badge_name(badge_id: int, session: Session = Depends(get_session)):
    try:
        badge = session.query(Badge).filter(Badge.id == badge_id).first()
        return {"name": badge.name}
    except Exception:
        raise HTTPException(status_code=404, detail="no such badge")


@router.get("/badges/{badge_id}/owner")
def badge_owner(badge_id: int, session: Session = Depends(get_session)):
    try:
        badge = session.query(Badge).filter(Badge.id == badge_id).one()
    except NoResultFound:
        raise HTTPException(status_code=404, detail="no such badge")
    except Exception:
        raise HTTPException(status_code=500)
    return {"owner": badge.owner}
"""


def _found(tmp_path: Path) -> list[Suggestion]:
    app = tmp_path / "badges"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "db.py").write_text("def get_session():\n    yield None\n")
    (app / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n"
        "    pass\n\n\nclass Badge(Base):\n    __tablename__ = 'badges'\n"
    )
    (app / "routes.py").write_text(ROUTES)
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    return [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD306"]


def test_a_broad_except_answering_500_does_not_handle_a_missing_row(tmp_path: Path) -> None:
    found = _found(tmp_path)
    by_line = {s.span.start.line + 1: s for s in found}
    assert sorted(by_line) == [14, 26]
    first = by_line[14]
    assert [(e.span.start.line + 1, e.new_text) for e in first.edits] == [
        (
            15,
            "        if badge is None:\n"
            '            raise HTTPException(status_code=404, detail="Badge not found")\n',
        ),
        (18, "    except HTTPException:\n        raise\n"),
    ]
    assert "`except HTTPException: raise` before the broad except" in first.rationale
    one = by_line[26]
    texts = [e.new_text for e in one.edits]
    assert "        except NoResultFound as exc:\n" in texts[0]
    assert (
        '            raise HTTPException(status_code=404, detail="Badge not found") from exc'
        in (texts[0])
    )
    assert texts[-1] == "    except HTTPException:\n        raise\n"
    assert one.edits[-1].span.start.line + 1 == 27


def test_a_404_answer_or_a_named_no_result_found_still_handles_it(tmp_path: Path) -> None:
    lines = {s.span.start.line + 1 for s in _found(tmp_path)}
    assert not lines & {35, 44}  # badge_name's 404, badge_owner's NoResultFound
