"""Twenty-fourth held-out round, FastAPI + SQLModel shapes (fixtures of our own) a blind judge
found wrong on a real app: an expression index written over a SQLModel field (a FieldInfo,
which create_all cannot compile), a many-to-many walk through a ``link_model`` read as another
foreign key, raw DELETEs of a test-only cleanup route cited as index evidence, and an
administrator's page chosen as an index's anchor over a public one. Each with a twin."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.off_request import _suite_path, suite_route_lines
from subagent_lsp.review.offline.pysource import parse_source
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from sqlmodel import Field, Relationship, SQLModel, UniqueConstraint


class Attendance(SQLModel, table=True):
    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meetup_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meetup_id: int = Field(foreign_key="meetups.id")
    member_id: int = Field(foreign_key="members.id")


class Member(SQLModel, table=True):
    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200)
    hosting: list["Meetup"] = Relationship(back_populates="host")
    attending: list["Meetup"] = Relationship(back_populates="guests", link_model=Attendance)


class Meetup(SQLModel, table=True):
    __tablename__ = "meetups"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    host_id: int = Field(foreign_key="members.id")
    host: Member = Relationship(back_populates="hosting")
    guests: list[Member] = Relationship(back_populates="attending", link_model=Attendance)


class Badge(SQLModel, table=True):
    __tablename__ = "badges"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id")
"""

ROUTES = """\
from fastapi import APIRouter, HTTPException
from sqlalchemy import func, text
from sqlalchemy.orm import selectinload
from sqlmodel import select

from club.db import session
from club.models import Meetup, Member
from club.settings import settings

router = APIRouter()


@router.get("/members/{member_id}/attending")
async def attending(member_id: int):
    stmt = select(Member).where(Member.id == member_id).options(selectinload(Member.attending))
    member = (await session.execute(stmt)).scalar_one_or_none()
    return [m.id for m in member.attending]


@router.get("/meetups/join")
async def by_code(code: str):
    stmt = select(Meetup).where(func.upper(Meetup.code) == code.upper())
    return (await session.execute(stmt)).scalar_one_or_none()


@router.post("/test/cleanup")
async def cleanup_fixtures():
    \"\"\"Only while the end-to-end suite runs.\"\"\"
    if not getattr(settings, "enable_test_endpoints", False):
        raise HTTPException(status_code=404, detail="Not found")
    await session.execute(
        text("DELETE FROM badges WHERE member_id IN (SELECT id FROM members WHERE email LIKE 't%')")
    )
    await session.commit()
    return {"ok": True}
{public}"""

# The twin: a member's own request deletes their badges by the same column.
PUBLIC = """

@router.delete("/members/{member_id}/badges")
async def drop_badges(member_id: int):
    await session.execute(text("DELETE FROM badges WHERE member_id = :m"), {"m": member_id})
    await session.commit()
    return {"ok": True}
"""


def _club(root: Path, public: str = "") -> dict[str, Suggestion]:
    files = {
        "requirements.txt": "fastapi\nsqlmodel\n",
        "club/__init__.py": "",
        "club/db.py": "session = None\n",
        "club/settings.py": "settings = None\n",
        "club/models.py": MODELS,
        "club/routes.py": ROUTES.replace("{public}", public),
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return {s.title: s for s in collect([str(root)], ["index"])}


def test_a_link_model_walk_reads_the_link_table_by_its_owner_key(tmp_path: Path) -> None:
    found = _club(tmp_path)
    assert "Add an index on attendance (member_id)" in found
    walk = found["Add an index on attendance (member_id)"]
    assert "selectinload(Member.attending)" in walk.rationale
    # the meetups' host_id is another foreign key to members: not what the walk reads
    assert "Add an index on meetups (host_id)" not in found


def test_a_sqlmodel_expression_index_names_its_column_in_text(tmp_path: Path) -> None:
    found = _club(tmp_path)
    folded = found["Add an expression index on meetups (upper(code))"]
    new = apply_suggestion(folded)[str(tmp_path / "club/models.py")]
    # ``func.upper(code)`` in the class body is upper() of a FieldInfo: create_all cannot
    # compile it; text() names the column
    assert 'Index("ix_meetups_upper_code", text("upper(code)"))' in new
    assert "func.upper(code)" not in new
    assert "from sqlalchemy import text" in new
    ast.parse(new)


def test_a_guarded_test_route_is_no_index_evidence(tmp_path: Path) -> None:
    found = _club(tmp_path)
    assert "Add an index on badges (member_id)" not in found
    assert not any("DELETE FROM badges" in s.rationale for s in found.values())


def test_the_same_delete_on_a_members_request_gets_the_index(tmp_path: Path) -> None:
    found = _club(tmp_path, PUBLIC)
    badge = found["Add an index on badges (member_id)"]
    assert badge.span.start.line + 1 > ROUTES.count("\n")  # anchored at drop_badges
    assert "LIKE" not in badge.rationale  # the cleanup's DELETE is not cited


DECLARATIVE = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Meetup(Base):
    __tablename__ = "meetups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str]{column}
"""

DECLARATIVE_ROUTES = """\
from fastapi import FastAPI
from sqlalchemy import func, select

from club.db import session
from club.models import Meetup

app = FastAPI()


@app.get("/meetups/join")
async def by_code(code: str):
    stmt = select(Meetup).where(func.upper(Meetup.code) == code.upper())
    return (await session.execute(stmt)).scalar_one_or_none()
"""


def _declarative(root: Path, column: str) -> str:
    files = {
        "requirements.txt": "fastapi\nsqlalchemy\n",
        "club/__init__.py": "",
        "club/db.py": "session = None\n",
        "club/models.py": DECLARATIVE.replace("{column}", column),
        "club/routes.py": DECLARATIVE_ROUTES,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    found = {s.title: s for s in collect([str(root)], ["index"])}
    folded = found["Add an expression index on meetups (upper(code))"]
    return apply_suggestion(folded)[str(root / "club/models.py")]


def test_a_mapped_column_is_named_by_its_attribute(tmp_path: Path) -> None:
    new = _declarative(tmp_path, " = mapped_column(String(12), unique=True)")
    assert 'Index("ix_meetups_upper_code", func.upper(code))' in new


def test_a_bare_mapped_annotation_binds_no_name_so_text_names_it(tmp_path: Path) -> None:
    # ``code: Mapped[str]`` alone binds nothing in the class body: ``func.upper(code)`` there
    # would be a NameError at import
    new = _declarative(tmp_path, "")
    assert "func.upper(code)" not in new
    assert 'text("upper(code)")' in new


def test_test_routes_by_path_name_and_guard() -> None:
    assert _suite_path("/test/cleanup") and _suite_path("/e2e-seed") and _suite_path("/debug")
    assert not _suite_path("/tests/{test_id}") and not _suite_path("/latest")
    code = """\
from fastapi import APIRouter

router = APIRouter()


@router.post("/fill")
def seed_meetups():
    return 1


@router.get("/testimonials")
def testimonials():
    return 2


@router.post("/reset")
def reset():
    if not settings.DEBUG:
        return None
    return 3
"""
    routes, guarded = suite_route_lines(parse_source("routes.py", code))
    assert routes == [(6, 8), (16, 20)]
    assert guarded == [(16, 20)]


ADMIN_ROUTES = """\
from fastapi import APIRouter
from sqlmodel import select

from club.db import session
from club.models import Badge

router = APIRouter()


@router.get("/badges/{member_id}")
async def badges(member_id: int):
    return (await session.execute(select(Badge).where(Badge.member_id == member_id))).all()
"""


def test_a_public_site_anchors_an_index_an_admin_page_wants_too(tmp_path: Path) -> None:
    _club(tmp_path)
    # admin.py is read before public.py: the public request still anchors the index
    (tmp_path / "club/admin.py").write_text(ADMIN_ROUTES, encoding="utf-8")
    (tmp_path / "club/public.py").write_text(ADMIN_ROUTES, encoding="utf-8")
    found = {s.title: s for s in collect([str(tmp_path)], ["index"])}
    badge = found["Add an index on badges (member_id)"]
    assert badge.path.endswith("public.py")
    assert "admin.py:12" in badge.rationale


CHAT = """\
from fastapi import APIRouter, Depends

router = APIRouter()


def get_db():
    return None


@router.post("/{chat_id}/messages")
async def create_message(
    *,
    db=Depends(get_db),
    chat_id: int,
    messages: dict,
{extra}):
    last = messages["messages"]
    return {"chat": chat_id, "last": last}
"""


def _chat(root: Path, extra: str = "") -> list[Suggestion]:
    (root / "requirements.txt").write_text("fastapi\npydantic\n")
    (root / "chat.py").write_text(CHAT.replace("{extra}", extra), encoding="utf-8")
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD203"]


def test_a_keyword_only_dict_body_read_by_key_gets_a_model(tmp_path: Path) -> None:
    found = _chat(tmp_path)
    assert [s.title for s in found] == [
        "Give create_message a pydantic body model instead of `dict`"
    ]
    new = apply_suggestion(found[0])[str(tmp_path / "chat.py")]
    assert "messages: CreateMessageBody" in new and 'messages["messages"]' not in new


def test_a_dict_a_dependency_fills_is_no_body(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\npydantic\n")
    code = CHAT.replace("messages: dict,", "messages: dict = Depends(get_db),")
    (tmp_path / "chat.py").write_text(code.replace("{extra}", ""), encoding="utf-8")
    assert not [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD203"]
