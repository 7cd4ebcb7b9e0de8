"""The notes API written carefully: nothing to suggest."""

import httpx
from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import Index, Integer, String, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

app = FastAPI()


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (Index("ix_tags_owner_name", "owner_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))


class TagIn(BaseModel):
    owner_id: int
    name: str


def get_session() -> Session:
    raise NotImplementedError


@app.get("/users/{owner_id}/tags")
def list_tags(owner_id: int, limit: int = Query(50, ge=1, le=500)):
    session = get_session()
    stmt = select(Tag).where(Tag.owner_id == owner_id).order_by(Tag.name).limit(limit)
    return [t.name for t in session.scalars(stmt)]


@app.post("/tags")
def create_tag(payload: TagIn):
    session = get_session()
    tag = Tag(owner_id=payload.owner_id, name=payload.name)
    session.add(tag)
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        raise
    return {"id": tag.id}


@app.get("/upstream")
async def upstream():
    try:
        response = httpx.get("https://notes.example.com/health")
    except httpx.HTTPError as exc:
        raise HTTPException(status_code=502, detail="upstream unavailable") from exc
    return {"status": response.status_code}
