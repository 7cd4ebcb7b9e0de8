"""Routes made through the project's own router class: an endpoint module that takes
``router: APIRouter`` of ``helpers.router`` (a subclass of FastAPI's adding trailing-slash
twins) imports nothing of FastAPI, and its ``@router.get`` functions are routes all the same
(a judged app had five such list endpoints, one bounded and four missed). A decorator on a
project class that is no router is no route. Fixtures of our own."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion
from .trees import write_tree

FILES = {
    "pyproject.toml": '[project]\nname = "shop"\ndependencies = ["fastapi", "sqlalchemy"]\n',
    "src/models.py": """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Person(Base):
    __tablename__ = "people"
    id = Column(Integer, primary_key=True)
    email = Column(String(100))
""",
    "src/store/__init__.py": "",
    "src/store/crud.py": """\
from sqlalchemy.orm import Session


def list_like(session: Session, model, attr, value, skip: int = 0, limit: int = 100):
    return session.query(model).filter(attr.like(value)).offset(skip).limit(limit).all()
""",
    "src/helpers/__init__.py": "",
    "src/helpers/router.py": """\
from fastapi import APIRouter as FastAPIRouter


class APIRouter(FastAPIRouter):
    def api_route(self, path, **kwargs):
        return super().api_route(path.rstrip("/"), **kwargs)


class Jobs:
    def get(self, name):
        return lambda func: func
""",
    "src/endpoints/__init__.py": "",
    "src/endpoints/people.py": """\
from sqlalchemy.orm import Session

from helpers.router import APIRouter
from models import Person
from store import crud


def add_routes(router: APIRouter, session_dep: Session):
    @router.get("/people")
    def people(text: str, skip: int = 0, limit: int = 100, session: Session = session_dep):
        return crud.list_like(session, Person, Person.email, f"%{text}%", skip=skip, limit=limit)
""",
    "src/endpoints/jobs.py": """\
from sqlalchemy.orm import Session

from helpers.router import Jobs
from models import Person
from store import crud


def add_jobs(jobs: Jobs, session: Session):
    @jobs.get("nightly")
    def nightly(text: str, skip: int = 0, limit: int = 100):
        return crud.list_like(session, Person, Person.email, text, skip=skip, limit=limit)
""",
    "src/app.py": """\
from fastapi import FastAPI

from endpoints.jobs import add_jobs
from endpoints.people import add_routes
from helpers.router import APIRouter, Jobs

app = FastAPI()
router = APIRouter()
add_routes(router, None)
add_jobs(Jobs(), None)
app.include_router(router)
""",
}


def test_a_project_router_subclass_makes_routes_in_a_module_without_fastapi(
    tmp_path: Path,
) -> None:
    write_tree(tmp_path, FILES)
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD214"]
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [("people.py", 10)]
    (after,) = apply_suggestion(found[0]).values()
    assert after.startswith("from fastapi import Query\n")
    assert "skip: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=100)," in after


def test_a_decorator_of_a_project_class_that_is_no_router_is_no_route(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    found = [s for s in collect([str(tmp_path)]) if "jobs.py" in s.path]
    assert found == []
