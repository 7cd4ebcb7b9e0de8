"""Queries a generic repository builds from its callers' keyword arguments
(base_class_queries): ``select(self.model).filter_by(**filters)`` in a base whose subclasses
set ``model = Member``, reached through a unit of work that opens a repository per model
(``self.members = MemberRepository(self.session)``), either directly (``uow.loans.find_all(
member_id=...)``) or through a service classmethod that picks the repository by name
(``uow.__dict__[cls.repository].find_one(**filters)``). A blind review of a real app named
its login's and cart's unindexed lookups through such a repository, missed: the columns are
written only as the callers' keywords. Each fixture (of our own) has a silent twin: the
column indexed, the repository's class unknown, a keyword that is no column."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Member(Base):
    __tablename__ = "members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(120){email})
    name: Mapped[str] = mapped_column(String(80))


class Loan(Base):
    __tablename__ = "loans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"){member})
    book_id: Mapped[int] = mapped_column(Integer{book})
"""

BASE = """\
from sqlalchemy import select


class SqlRepository:
    model = None

    def __init__(self, session):
        self.session = session

    async def find_one(self, **filter_by):
        statement = select(self.model).filter_by(**filter_by)
        result = await self.session.execute(statement)
        return result.scalar_one_or_none()

    async def find_all(self, **filter_by):
        result = await self.session.execute(select(self.model).filter_by(**filter_by))
        return result.scalars().all()

    async def find_where(self, **filters):
        conditions = [getattr(self.model, k) == v for k, v in filters.items() if v is not None]
        result = await self.session.execute(select(self.model).where(*conditions))
        return result.scalars().all()

    async def find_page(self, limit, offset=0, **filter_by):
        statement = select(self.model).filter_by(**filter_by).limit(limit).offset(offset)
        result = await self.session.execute(statement)
        return result.scalars().all()
"""

REPOSITORIES = """\
from app.models import Loan, Member
from app.repository import SqlRepository


class MemberRepository(SqlRepository):
    model = Member


class LoanRepository(SqlRepository):
    model = Loan
"""

UOW = """\
from app.db import session_factory
from app.repositories import LoanRepository, MemberRepository


class UnitOfWork:
    members: MemberRepository

    def __init__(self):
        self.factory = session_factory

    async def __aenter__(self):
        self.session = self.factory()
        self.members = MemberRepository(self.session)
        self.loans = LoanRepository(self.session)
        return self

    async def __aexit__(self, *args):
        await self.session.close()
"""

SERVICES = """\
from app.uow import UnitOfWork


class Service:
    repository: str = ""

    @classmethod
    async def find_one(cls, uow: UnitOfWork, **filters):
        async with uow:
            return await uow.__dict__[cls.repository].find_one(**filters)

    @classmethod
    async def find_page(cls, uow: UnitOfWork, limit: int, offset: int = 0, **filters):
        async with uow:
            return await uow.__dict__[cls.repository].find_page(limit, offset, **filters)


class MemberService(Service):
    repository = "members"


class LoanService(Service):
    repository = "loans"
"""

API = """\
from fastapi import Depends, FastAPI

from app.services import LoanService, MemberService
from app.uow import UnitOfWork

app = FastAPI()


@app.get("/members/by-email")
async def by_email(email: str, uow: UnitOfWork = Depends(UnitOfWork)):
    return await MemberService.find_one(uow=uow, email=email)


@app.get("/members/{member_id}/loans")
async def loans(member_id: int, uow: UnitOfWork = Depends(UnitOfWork)):
    async with uow:
        return await uow.loans.find_all(member_id=member_id)


@app.get("/books/{book_id}/loans")
async def book_loans(book_id: int, offset: int = 0, uow: UnitOfWork = Depends(UnitOfWork)):
    return await LoanService.find_page(uow=uow, limit=20, offset=offset, book_id=book_id)
"""


def _app(
    root: Path,
    api: str = API,
    uow: str = UOW,
    base: str = BASE,
    email: str = "",
    member: str = "",
    book: str = "",
) -> Path:
    files = {
        "requirements.txt": "fastapi\nsqlalchemy>=2\n",
        "app/__init__.py": "",
        "app/db.py": "def session_factory():\n    return None\n",
        "app/models.py": MODELS.format(email=email, member=member, book=book),
        "app/repository.py": base,
        "app/repositories.py": REPOSITORIES,
        "app/uow.py": uow,
        "app/services.py": SERVICES,
        "app/api.py": api,
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _indexes(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["index"]) if s.code == "BKD101"]


def _site(s: Suggestion, root: Path) -> tuple[str, int, str, str]:
    rel = Path(s.path).relative_to(root).as_posix()
    return rel, s.span.start.line + 1, s.data["table"], s.data["columns"]


def test_keywords_reach_the_repository_of_a_unit_of_work(tmp_path: Path) -> None:
    """``MemberService.find_one(uow=uow, email=email)``: the classmethod's ``uow:
    UnitOfWork`` holds ``members`` (declared, and built in ``__aenter__``), the class's
    ``repository = "members"`` picks it, the base's ``filter_by(**filter_by)`` gets the
    caller's ``email``; ``uow.loans.find_all(member_id=...)`` reads the loan repository
    directly; ``find_page(uow=uow, limit=20, offset=offset, book_id=...)`` hands the page on
    by position before the filters. Each index goes on the model the subclass names, anchored at the route."""
    root = _app(tmp_path)
    found = _indexes(root)
    assert sorted(_site(s, root) for s in found) == [
        ("app/api.py", 11, "members", "email"),
        ("app/api.py", 17, "loans", "member_id"),
        ("app/api.py", 22, "loans", "book_id"),
    ]
    for s in found:
        assert "Proven on SQLite" in s.rationale
        for text in apply_suggestion(s).values():
            ast.parse(text)
    edits = sorted(
        (Path(e.path).relative_to(root).as_posix(), e.span.start.line + 1, e.new_text)
        for s in found
        for e in s.edits
    )
    assert edits == [
        ("app/models.py", 12, ", index=True"),
        ("app/models.py", 19, ", index=True"),
        ("app/models.py", 20, ", index=True"),
    ]


def test_keywords_of_indexed_columns(tmp_path: Path) -> None:
    root = _app(tmp_path, email=", unique=True", member=", index=True", book=", index=True")
    assert _indexes(root) == []


def test_a_repository_whose_class_is_not_known_says_nothing(tmp_path: Path) -> None:
    """``self.loans`` built by a factory the reading cannot name, ``self.members`` given one
    class in the declaration and another where it is built: which model the keywords filter
    is a guess, so nothing is said."""
    uow = UOW.replace(
        "self.loans = LoanRepository(self.session)",
        "self.loans = self.factory.repository(self.session)",
    ).replace("members: MemberRepository", "members: LoanRepository")
    root = _app(tmp_path, uow=uow)
    assert _indexes(root) == []


def test_keywords_the_reading_cannot_follow_say_nothing(tmp_path: Path) -> None:
    """A keyword that is no column of the model (``borrower``), a repository picked by a
    name the caller passes, and filters from the request's query string."""
    api = (
        API.replace("find_all(member_id=member_id)", "find_all(borrower=member_id)")
        .replace("MemberService.find_one(uow=uow, email=email)", "by_name(uow, 'members', email)")
        .replace(
            "app = FastAPI()\n",
            "app = FastAPI()\n\n\n"
            "async def by_name(uow: UnitOfWork, name: str, email: str):\n"
            "    async with uow:\n"
            "        return await uow.__dict__[name].find_one(email=email)\n",
        )
        + "\n\n@app.get('/members')\n"
        "async def members(request: Request, uow: UnitOfWork = Depends(UnitOfWork)):\n"
        "    return await MemberService.find_one(uow=uow, **request.query_params)\n"
    ).replace("import Depends, FastAPI", "import Depends, FastAPI, Request")
    root = _app(tmp_path, api=api, book=", index=True")
    assert _indexes(root) == []


def test_the_model_the_unit_of_work_hands_the_repository(tmp_path: Path) -> None:
    """``self.members = SqlRepository(Member, self.session)``: no subclass, the base's
    ``__init__`` keeps the model it is given; read with the arguments the unit of work
    builds it with. Built with a model the reading cannot name, it says nothing."""
    base = BASE.replace(
        "    model = None\n\n    def __init__(self, session):\n",
        "    def __init__(self, model, session):\n        self.model = model\n",
    )
    uow = (
        UOW.replace("MemberRepository(self.session)", "SqlRepository(Member, self.session)")
        .replace("LoanRepository(self.session)", "SqlRepository(Loan, self.session)")
        .replace("    members: MemberRepository\n\n", "")
        .replace(
            "from app.repositories import LoanRepository, MemberRepository",
            "from app.models import Loan, Member\nfrom app.repository import SqlRepository",
        )
    )
    root = _app(tmp_path / "built", uow=uow, base=base)
    assert sorted(_site(s, root) for s in _indexes(root)) == [
        ("app/api.py", 11, "members", "email"),
        ("app/api.py", 17, "loans", "member_id"),
        ("app/api.py", 22, "loans", "book_id"),
    ]
    unknown = uow.replace(
        "SqlRepository(Loan, self.session)", "SqlRepository(self.kind, self.session)"
    )
    root = _app(tmp_path / "unknown", uow=unknown, base=base)
    assert [_site(s, root)[2] for s in _indexes(root)] == ["members"]


def test_conditions_built_from_the_keywords(tmp_path: Path) -> None:
    """``where(*[getattr(self.model, k) == v for k, v in filters.items() if v is not None])``:
    one condition per keyword the caller passes; indexed, nothing. Over a list the reading
    does not hold (``self.defaults``), nothing either."""
    api = API.replace("find_all(member_id=member_id)", "find_where(member_id=member_id)")
    root = _app(tmp_path / "where", api=api, book=", index=True")
    assert [_site(s, root) for s in _indexes(root)] == [
        ("app/api.py", 11, "members", "email"),
        ("app/api.py", 17, "loans", "member_id"),
    ]
    indexed = {"email": ", index=True", "member": ", index=True", "book": ", index=True"}
    root = _app(tmp_path / "indexed", api=api, **indexed)
    assert _indexes(root) == []
    base = BASE.replace("in filters.items() if", "in self.defaults.items() if")
    root = _app(tmp_path / "unknown", api=api, base=base, email=", index=True", book=", index=True")
    assert _indexes(root) == []
