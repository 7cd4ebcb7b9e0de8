from typing import Any

import httpx
from fastapi import FastAPI, Request
from sqlalchemy import DateTime, ForeignKey, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

app = FastAPI()


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    archived: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[str] = mapped_column(DateTime)


def get_session() -> Session:
    raise NotImplementedError


@app.get("/users/{owner_id}/notes")
def list_notes(owner_id: int):
    session = get_session()
    stmt = select(Note).where(Note.owner_id == owner_id, Note.archived == False).order_by(Note.updated_at)  # noqa: E712
    return [n.title for n in session.scalars(stmt)]


@app.post("/notes")
def create_note(payload: dict):
    session = get_session()
    note = Note(owner_id=int(payload["owner_id"]), title=payload["title"])
    session.add(note)
    session.commit()
    return {"id": note.id}


@app.post("/notes/import")
async def import_notes(request: Request, source: Any = None):
    data = await request.json()
    response = httpx.get("https://notes.example.com/export", timeout=None)
    return {"folder": data["folder"], "status": response.status_code}
