"""BKD316 for a pydantic model answer: ``except Exception: return ResponseModel(success=False,
message=str(e))`` in a FastAPI route is sent with the route's 2xx, and a real app's
``ErrorResponse(status_code=500, ...)`` meant a 500 that pydantic drops (no such field).
Silent twins: a model whose status field the handler sets (``Envelope(code=500)``), a route
that sets ``response.status_code``, a ``JSONResponse(status_code=500)``, and a model that
forbids the unknown keyword (pydantic raises: a 500)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

SCHEMAS = """\
from typing import Any

from pydantic import BaseModel, ConfigDict


class ResponseModel(BaseModel):
    success: bool
    message: str = ""


class ErrorResponse(BaseModel):
    data: Any = None
    msg: str = "fail"


class Envelope(BaseModel):
    status: str = "ok"
    code: int = 200
    data: Any = None


class StrictError(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = ""
"""

API = """\
from fastapi import Depends, FastAPI, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from schemas import Envelope, ErrorResponse, ResponseModel, StrictError

app = FastAPI()


def get_db() -> Session:
    raise NotImplementedError


@app.post("/notes", status_code=201)
def create_note(text: str, db: Session = Depends(get_db)) -> ResponseModel:
    try:
        db.add(text)
        db.commit()
        return ResponseModel(success=True)
    except Exception as e:
        db.rollback()
        return ResponseModel(success=False, message=str(e))


@app.put("/schedules/{schedule_id}")
def move_schedule(schedule_id: int, db: Session = Depends(get_db)) -> ErrorResponse:
    try:
        db.commit()
        return ErrorResponse(data=schedule_id)
    except Exception as e:
        db.rollback()
        return ErrorResponse(status_code=500, msg=str(e))


@app.post("/envelopes")
def create_envelope(text: str, db: Session = Depends(get_db)) -> Envelope:
    try:
        db.add(text)
        db.commit()
        return Envelope(data=text)
    except Exception:
        db.rollback()
        return Envelope(status="fail", code=500)


@app.post("/statused")
def statused(text: str, response: Response, db: Session = Depends(get_db)) -> ResponseModel:
    try:
        db.add(text)
        db.commit()
        return ResponseModel(success=True)
    except Exception as e:
        db.rollback()
        response.status_code = 500
        return ResponseModel(success=False, message=str(e))


@app.post("/json")
def json_answer(text: str, db: Session = Depends(get_db)):
    try:
        db.add(text)
        db.commit()
        return ResponseModel(success=True)
    except Exception:
        db.rollback()
        return JSONResponse(status_code=500, content={"success": False})


@app.post("/strict")
def strict(text: str, db: Session = Depends(get_db)) -> StrictError:
    try:
        db.add(text)
        db.commit()
        return StrictError()
    except Exception:
        db.rollback()
        return StrictError(status_code=500, message="failed")
"""


def test_a_model_answer_to_a_failed_write_answers_500(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\npydantic\n")
    (tmp_path / "api.py").write_text(API)
    (tmp_path / "schemas.py").write_text(SCHEMAS)
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD316"]
    by_line = {s.span.start.line + 1: s for s in found}
    assert sorted(by_line) == [20, 30]
    assert "the client gets the route's 201, whatever the body says" in by_line[20].rationale
    assert (
        "`status_code=` is no field of `ErrorResponse`, so pydantic drops it and the client "
        "gets a 200"
    ) in by_line[30].rationale
    text = apply_suggestion(by_line[20])[str(tmp_path / "api.py")]
    assert (
        '        logging.getLogger(__name__).exception("create_note failed")\n'
        "        db.rollback()\n"
        '        raise HTTPException(status_code=500, detail="create_note failed") from e\n'
    ) in text
    compile(text, "api.py", "exec")
