"""BKD312 beyond the 404: a broad ``except`` that answers every 4xx its own ``try`` raises
with a 500 (a real FastAPI app's password change: ``raise HTTP_400_BAD_REQUEST_EXCEPTION``,
a module-level HTTPException, inside ``try: ... except Exception: logger.error(e); raise
HTTP_500_UNEXPECTED_EXCEPTION``). Silent twins: ``except HTTPException: raise`` first, an
``isinstance(e, HTTPException)`` re-raise, a log-and-re-raise, and a login whose handler
carries on to a 401 of its own."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

ERRORS = """\
from fastapi import HTTPException, status

HTTP_400_BAD_REQUEST_EXCEPTION = HTTPException(
    status_code=status.HTTP_400_BAD_REQUEST, detail="Invalid request"
)
HTTP_401_INVALID_LOGIN_EXCEPTION = HTTPException(status_code=401, detail="Invalid login")
HTTP_500_UNEXPECTED_EXCEPTION = HTTPException(status_code=500, detail="Unexpected error")
"""

API = """\
import logging

from fastapi import Depends, FastAPI, HTTPException, status
from sqlalchemy.orm import Session

from errors import (
    HTTP_400_BAD_REQUEST_EXCEPTION,
    HTTP_401_INVALID_LOGIN_EXCEPTION,
    HTTP_500_UNEXPECTED_EXCEPTION,
)

app = FastAPI()
logger = logging.getLogger(__name__)


def get_db() -> Session:
    raise NotImplementedError


@app.post("/teams/{name}")
def create_team(name: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if db.get(dict, name) is not None:
            raise HTTPException(status_code=409, detail="team exists")
        if not name.isalnum():
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "bad name")
        db.commit()
        return {"name": name}
    except Exception as e:
        raise HTTPException(status_code=500, detail=str(e))


@app.post("/password")
def change_password(old: str, new: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if old == new:
            raise HTTP_400_BAD_REQUEST_EXCEPTION
        db.commit()
        return {"ok": "yes"}
    except Exception as e:
        logger.error(e)
        raise HTTP_500_UNEXPECTED_EXCEPTION


@app.post("/checked/{name}")
def checked(name: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if not name:
            raise HTTPException(status_code=400, detail="no name")
        db.commit()
        return {"name": name}
    except HTTPException:
        raise
    except Exception as e:
        raise HTTPException(status_code=500, detail="create failed") from e


@app.post("/isinstance/{name}")
def reraised(name: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if not name:
            raise HTTPException(status_code=403, detail="not yours")
        db.commit()
        return {"name": name}
    except Exception as e:
        if isinstance(e, HTTPException):
            raise
        raise HTTPException(status_code=500, detail="create failed") from e


@app.post("/logged/{name}")
def logged(name: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if not name:
            raise HTTPException(status_code=403, detail="not yours")
        db.commit()
        return {"name": name}
    except Exception:
        logger.exception("create failed")
        raise


@app.post("/login")
def login(user: str, password: str, db: Session = Depends(get_db)) -> dict[str, str]:
    try:
        if not password:
            raise HTTPException(status_code=401, detail="no password")
        db.commit()
        return {"user": user}
    except Exception as e:
        logger.error(e)
    raise HTTP_401_INVALID_LOGIN_EXCEPTION
"""


def test_a_broad_except_turning_client_errors_into_500s_lets_them_through(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    (tmp_path / "api.py").write_text(API)
    (tmp_path / "errors.py").write_text(ERRORS)
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD312"]
    by_line = {s.span.start.line + 1: s for s in found}
    assert sorted(by_line) == [29, 40]
    team = by_line[29]
    assert team.title == "Let the 409/400 through the broad except of create_team"
    assert "answers the client's request with a 409 (1 more in it: 400)" in team.rationale
    password = by_line[40]
    assert "`raise HTTP_400_BAD_REQUEST_EXCEPTION` (line 37)" in password.rationale
    assert "5xx for its own mistake" in password.rationale
    text = apply_suggestion(password)[str(tmp_path / "api.py")]
    assert (
        '        return {"ok": "yes"}\n    except HTTPException:\n        raise\n'
        "    except Exception as e:\n"
    ) in text
    compile(text, "api.py", "exec")
