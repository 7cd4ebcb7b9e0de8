"""BKD306 for MongoDB and for a None handed on through a service: ``find_one`` (pymongo's
async client, motor, Flask-PyMongo) gives None when no document matches, and a route's
service or repository that uses it unchecked (``doc["_id"]``, ``job.position``) answers 500
for an id the client named that is not there. Also a model's classmethod returning
``user if user else None`` (a real Flask app's ``Users.get``). Fixtures of our own; each fix
applies and parses, and each clean twin stays silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .trees import write_tree

MANIFEST = '[project]\nname = "jobs"\ndependencies = ["fastapi", "pymongo"]\n'
DATABASE = (
    "from pymongo import AsyncMongoClient\n\n"
    'client = AsyncMongoClient("mongodb://localhost")\n'
    'db = client["jobs"]\n'
)
MAIN = (
    "from fastapi import FastAPI, HTTPException, Request\n"
    "from fastapi.responses import JSONResponse\n\n"
    "from jobs.routes import router\n\n"
    "app = FastAPI()\n\n\n"
    "async def generic_exception_handler(request: Request, exc: Exception):\n"
    '    return JSONResponse(status_code=500, content={"message": "Internal server error"})\n\n\n'
    "async def http_exception_handler(request: Request, exc: HTTPException):\n"
    '    return JSONResponse(status_code=exc.status_code, content={"message": exc.detail})\n\n\n'
    "app.add_exception_handler(HTTPException, http_exception_handler)\n"
    "app.add_exception_handler(Exception, generic_exception_handler)\n"
    "app.include_router(router)\n"
)
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class JobResponse(BaseModel):\n"
    "    id: str\n"
    "    position: str\n"
)
REPO = (
    "from bson import ObjectId\n\n"
    "from jobs.database import db\n"
    "from jobs.schemas import JobResponse\n\n\n"
    "class JobRepository:\n"
    "    def __init__(self):\n"
    "        self.collection = db.jobs\n\n"
    "    async def get_raw(self, job_id: str):\n"
    '        job = await self.collection.find_one({"_id": ObjectId(job_id)})\n'
    '        job["_id"] = str(job["_id"])\n'
    "        return job\n\n"
    "    async def get_job(self, job_id: str) -> JobResponse | None:\n"
    '        doc = await self.collection.find_one({"_id": ObjectId(job_id)})\n'
    "        if not doc:\n"
    "            return None\n"
    '        return JobResponse(id=str(doc["_id"]), position=doc["position"])\n\n'
    "    async def get_model(self, job_id: str):\n"
    '        doc = await self.collection.find_one({"_id": ObjectId(job_id)})\n'
    "        return JobResponse(**doc) if doc else None\n"
)
SERVICE = (
    "from fastapi import HTTPException\n\n"
    "from jobs.repository import JobRepository\n\n\n"
    "class JobService:\n"
    "    def __init__(self):\n"
    "        self.repository = JobRepository()\n\n"
    "    async def raw(self, job_id: str):\n"
    '        return {"data": await self.repository.get_raw(job_id)}\n\n'
    "    async def update(self, job_id: str):\n"
    "        previous = await self.repository.get_job(job_id)\n"
    "        if not previous:\n"
    '            raise HTTPException(status_code=404, detail="Job not found")\n'
    "        return previous.position\n\n"
    "    async def delete(self, job_id: str):\n"
    "        job = await self.repository.get_job(job_id)\n"
    '        return {"deleted": job.position}\n\n'
    "    async def model(self, job_id: str):\n"
    "        job = await self.repository.get_model(job_id)\n"
    "        return job.position\n"
)
ROUTES = (
    "from fastapi import APIRouter, Depends\n\n"
    "from jobs.database import db\n"
    "from jobs.service import JobService\n\n"
    "router = APIRouter()\n\n\n"
    '@router.get("/jobs/{job_id}/raw")\n'
    "async def raw(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.raw(job_id)\n\n\n"
    '@router.put("/jobs/{job_id}")\n'
    "async def update(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.update(job_id)\n\n\n"
    '@router.delete("/jobs/{job_id}")\n'
    "async def delete(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.delete(job_id)\n\n\n"
    '@router.get("/jobs/{job_id}/model")\n'
    "async def model(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.model(job_id)\n\n\n"
    '@router.get("/users/{name}")\n'
    "async def user(name: str):\n"
    '    doc = await db["users"].find_one({"name": name})\n'
    '    return {"email": doc["email"]}\n'
)

# The same app with every None answered (or no None to answer).
REPO_CLEAN = (
    "from bson import ObjectId\n\n"
    "from jobs.database import db\n\n\n"
    "class JobRepository:\n"
    "    def __init__(self):\n"
    "        self.collection = db.jobs\n\n"
    "    async def get_raw(self, job_id: str):\n"
    '        job = await self.collection.find_one({"_id": ObjectId(job_id)})\n'
    "        if job is None:\n"
    "            return None\n"
    '        job["_id"] = str(job["_id"])\n'
    "        return job\n\n"
    "    async def create(self, position: str):\n"
    '        result = await self.collection.insert_one({"position": position})\n'
    '        created = await self.collection.find_one({"_id": result.inserted_id})\n'
    '        created["_id"] = str(created["_id"])\n'
    "        return created\n\n"
    "    async def touch(self, job_id: str):\n"
    "        job = await self.collection.find_one_and_update(\n"
    '            {"_id": ObjectId(job_id)}, {"$inc": {"views": 1}}, upsert=True\n'
    "        )\n"
    '        return job["views"]\n\n'
    "    async def get_job(self, job_id: str):\n"
    '        job = await self.collection.find_one({"_id": ObjectId(job_id)})\n'
    "        if job is None:\n"
    '            raise LookupError("no job")\n'
    "        return job\n"
)
SERVICE_CLEAN = (
    "from fastapi import HTTPException\n\n"
    "from jobs.repository import JobRepository\n\n\n"
    "class JobService:\n"
    "    def __init__(self):\n"
    "        self.repository = JobRepository()\n\n"
    "    async def raw(self, job_id: str):\n"
    "        job = await self.repository.get_raw(job_id)\n"
    "        if not job:\n"
    '            raise HTTPException(status_code=404, detail="Job not found")\n'
    '        return job["position"]\n\n'
    "    async def create(self, position: str):\n"
    "        return await self.repository.create(position)\n\n"
    "    async def touch(self, job_id: str):\n"
    "        return await self.repository.touch(job_id)\n\n"
    "    async def delete(self, job_id: str):\n"
    "        job = await self.repository.get_job(job_id)\n"
    '        return {"deleted": job["position"]}\n\n'
    "    async def logged(self, job_id: str):\n"
    "        job = await self.repository.get_raw(job_id)\n"
    "        try:\n"
    '            print(job["position"])\n'
    "        except Exception:\n"
    "            pass\n"
    "        return job\n"
)
ROUTES_CLEAN = (
    "from fastapi import APIRouter, Depends\n\n"
    "from jobs.database import db\n"
    "from jobs.service import JobService\n\n"
    "router = APIRouter()\n\n\n"
    '@router.get("/jobs/{job_id}/raw")\n'
    "async def raw(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.raw(job_id)\n\n\n"
    '@router.post("/jobs")\n'
    "async def create(position: str, service: JobService = Depends(JobService)):\n"
    "    return await service.create(position)\n\n\n"
    '@router.post("/jobs/{job_id}/touch")\n'
    "async def touch(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.touch(job_id)\n\n\n"
    '@router.delete("/jobs/{job_id}")\n'
    "async def delete(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.delete(job_id)\n\n\n"
    '@router.get("/jobs/{job_id}/logged")\n'
    "async def logged(job_id: str, service: JobService = Depends(JobService)):\n"
    "    return await service.logged(job_id)\n\n\n"
    '@router.get("/users/{name}")\n'
    "async def user(name: str):\n"
    '    doc = await db["users"].find_one({"name": name})\n'
    "    if doc is None:\n"
    '        return {"email": None}\n'
    '    return {"email": doc["email"]}\n'
)


def _project(root: Path, repo: str, service: str, routes: str, **extra: str) -> Path:
    files = {
        "pyproject.toml": MANIFEST,
        "jobs/__init__.py": "",
        "jobs/database.py": DATABASE,
        "jobs/main.py": MAIN,
        "jobs/schemas.py": SCHEMAS,
        "jobs/repository.py": repo,
        "jobs/service.py": service,
        "jobs/routes.py": routes,
    }
    files.update({k.replace("__", "/") + ".py": v for k, v in extra.items()})
    return write_tree(root, files)


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]


def _by_line(found: list[Suggestion], root: Path) -> dict[tuple[str, int], Suggestion]:
    return {(Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1): s for s in found}


def _applied(s: Suggestion, root: Path) -> dict[str, str]:
    texts = {Path(p).relative_to(root).as_posix(): t for p, t in apply_suggestion(s).items()}
    for text in texts.values():
        ast.parse(text)
    return texts


def test_find_one_and_none_getters_through_service_and_repository(tmp_path: Path) -> None:
    root = _project(tmp_path / "a", REPO, SERVICE, ROUTES)
    found = _by_line(_found(root), root)
    assert set(found) == {
        ("jobs/routes.py", 11),  # raw: the repository subscripts find_one's None
        ("jobs/routes.py", 21),  # delete: the service reads get_job's None
        ("jobs/routes.py", 26),  # model: ``JobResponse(**doc) if doc else None``
        ("jobs/routes.py", 31),  # the route's own find_one
    }
    raw = _applied(found["jobs/routes.py", 11], root)
    assert list(raw) == ["jobs/repository.py"]
    assert "from fastapi import HTTPException" in raw["jobs/repository.py"]
    assert (
        "        if job is None:\n"
        '            raise HTTPException(status_code=404, detail="Job not found")\n'
        '        job["_id"] = str(job["_id"])'
    ) in raw["jobs/repository.py"]


def test_a_service_none_check_takes_the_modules_own_answer(tmp_path: Path) -> None:
    root = _project(tmp_path / "a", REPO, SERVICE, ROUTES)
    found = _by_line(_found(root), root)
    delete = found["jobs/routes.py", 21]
    assert "get_job()" in delete.rationale and "`return None` (line 19)" in delete.rationale
    service = _applied(delete, root)["jobs/service.py"]
    assert (
        "        job = await self.repository.get_job(job_id)\n"
        "        if job is None:\n"
        '            raise HTTPException(status_code=404, detail="Job not found")\n'
    ) in service
    model = found["jobs/routes.py", 26]
    assert "`return JobResponse(**doc) if doc else None`" in model.rationale
    route = _applied(found["jobs/routes.py", 31], root)["jobs/routes.py"]
    assert 'raise HTTPException(status_code=404, detail="User not found")' in route


def test_checked_inserted_upserted_or_raised_nones_stay_silent(tmp_path: Path) -> None:
    root = _project(tmp_path / "a", REPO_CLEAN, SERVICE_CLEAN, ROUTES_CLEAN)
    assert _found(root) == []


def test_another_librarys_find_one_is_not_read(tmp_path: Path) -> None:
    repo = REPO.replace("from jobs.database import db\n", "from jobs.store import db\n")
    store = (
        "class Store:\n    def __getattr__(self, name):\n        return self\n\n\ndb = Store()\n"
    )
    routes = ROUTES.replace("from jobs.database import db\n", "from jobs.store import db\n")
    root = _project(tmp_path / "a", repo, SERVICE, routes, jobs__store=store)
    found = _by_line(_found(root), root)
    # get_job's ``return None`` still counts; no find_one of a store that is no MongoDB does
    assert set(found) == {("jobs/routes.py", 21), ("jobs/routes.py", 26)}


def test_an_app_handler_answering_any_status_takes_the_error(tmp_path: Path) -> None:
    main = MAIN.replace("status_code=500", "status_code=getattr(exc, 'status_code', 400)")
    root = _project(tmp_path / "a", REPO, SERVICE, ROUTES, jobs__main=main)
    assert _found(root) == []


FLASK_MODELS = (
    "from flask_sqlalchemy import SQLAlchemy\n\n"
    "db = SQLAlchemy()\n\n\n"
    "class Users(db.Model):\n"
    "    id = db.Column(db.Integer, primary_key=True)\n"
    "    username = db.Column(db.String(80))\n\n"
    "    @classmethod\n"
    "    def get(cls, identifier):\n"
    "        user = cls.query.filter_by(username=identifier).first()\n"
    "        return user if user else None\n"
)
FLASK_ROUTES = (
    "from flask import Flask, jsonify\n\n"
    "from app.models import Users\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.route("/<username>/logout")\n'
    "def logout(username):\n"
    "    user = Users.get(username)\n"
    "    return jsonify(id=user.id)\n\n\n"
    '@app.route("/<username>/index")\n'
    "def index(username):\n"
    "    user = Users.get(username)\n"
    "    if user:\n"
    "        return jsonify(id=user.id)\n"
    '    return "no user"\n\n\n'
    '@app.route("/<username>/rebuild")\n'
    "def rebuild(username):\n"
    "    user = Users.get(username)\n"
    "    try:\n"
    "        user.rebuild()\n"
    "    except Exception:\n"
    "        pass\n"
    '    return "ok"\n'
)


def test_a_classmethod_returning_its_row_or_none(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "a",
        {
            "pyproject.toml": '[project]\nname = "app"\ndependencies = ["flask", "flask-sqlalchemy"]\n',
            "app/__init__.py": "",
            "app/models.py": FLASK_MODELS,
            "app/routes.py": FLASK_ROUTES,
        },
    )
    found = _by_line(_found(root), root)
    assert set(found) == {("app/routes.py", 10)}
    s = found["app/routes.py", 10]
    assert "`Users.get()` may give None (`return user if user else None`)" in s.rationale
    assert "abort(404)" in _applied(s, root)["app/routes.py"]
