"""A relationship loaded with every row of its owner (``lazy="selectin"``/``"joined"``) reads
the child table by its foreign key on each load, though no line walks it (wobbly's job errors,
round 22: missed); a lazy one the code never walks reads nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "job"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    errors: Mapped[list["JobError"]] = relationship(lazy="LAZY")
    notes: Mapped[list["JobNote"]] = relationship()


class JobError(Base):
    __tablename__ = "job_error"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))


class JobNote(Base):
    __tablename__ = "job_note"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"))
"""

API = """\
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Job

app = FastAPI()


def get_db() -> Session:
    raise NotImplementedError


@app.get("/jobs/{job_id}")
def read_job(job_id: int, db: Session = Depends(get_db)):
    job = db.get(Job, job_id)
    if job is None:
        raise HTTPException(404)
    return {"id": job.id}


@app.get("/jobs")
def list_jobs(owner: str, db: Session = Depends(get_db)):
    return [j.id for j in db.scalars(select(Job).where(Job.owner == owner)).all()]
"""


def _found(tmp_path: Path, lazy: str) -> list[tuple[str, int]]:
    (tmp_path / "requirements.txt").write_text("fastapi\nsqlalchemy\n")
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "models.py").write_text(MODELS.replace("LAZY", lazy))
    (tmp_path / "api.py").write_text(API)
    found = collect([str(tmp_path)], ["index"])
    return sorted((s.title, s.span.start.line + 1) for s in found)


def test_an_eager_relationship_reads_its_rows_with_every_load(tmp_path: Path) -> None:
    for lazy in ("selectin", "joined"):
        assert _found(tmp_path, lazy) == [("Add an index on job_error (job_id)", 16)]


def test_a_lazy_relationship_no_line_walks_reads_nothing(tmp_path: Path) -> None:
    assert _found(tmp_path, "select") == []
