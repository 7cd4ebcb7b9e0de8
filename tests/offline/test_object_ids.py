"""BKD202: a MongoDB id the client sends as text (a path id, a body's ``str`` /
``list[str]`` field) that reaches bson's ``ObjectId()`` through the route's service and
repository: a malformed id raises InvalidId, a 500. Each shape has a twin that stays silent."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .trees import write_tree

MANIFEST = '[project]\nname = "jobs"\ndependencies = ["fastapi", "pymongo"]\n'
SCHEMAS = (
    "from pydantic import BaseModel\n\n\n"
    "class NoteIn(BaseModel):\n"
    "    text: str\n"
    "    resource_id: str\n"
    "    tags: list[str] = []\n"
)
REPO = (
    "from bson import ObjectId\n\n"
    "from jobs.schemas import NoteIn\n\n\n"
    "class NoteRepository:\n"
    "    def __init__(self):\n"
    "        self.collection = None\n\n"
    "    async def get(self, note_id: str):\n"
    '        return await self.collection.find_one({"_id": ObjectId(note_id)})\n\n'
    "    async def create(self, note: NoteIn):\n"
    "        return await self.collection.insert_one(\n"
    '            {"resource_id": ObjectId(note.resource_id),\n'
    '             "tags": [ObjectId(t) for t in note.tags], "text": note.text}\n'
    "        )\n\n"
    "    async def get_checked(self, note_id: str):\n"
    "        if not ObjectId.is_valid(note_id):\n"
    "            return None\n"
    '        return await self.collection.find_one({"_id": ObjectId(note_id)})\n'
)
SERVICE = (
    "from jobs.repository import NoteRepository\n"
    "from jobs.schemas import NoteIn\n\n\n"
    "class NoteService:\n"
    "    def __init__(self):\n"
    "        self.repository = NoteRepository()\n\n"
    "    async def get(self, note_id: str):\n"
    "        return await self.repository.get(note_id)\n\n"
    "    async def create(self, note: NoteIn):\n"
    "        return await self.repository.create(note)\n\n"
    "    async def get_checked(self, note_id: str):\n"
    "        return await self.repository.get_checked(note_id)\n"
)
ROUTES = (
    "from fastapi import APIRouter, Depends\n\n"
    "from jobs.schemas import NoteIn\n"
    "from jobs.service import NoteService\n\n"
    "router = APIRouter()\n\n\n"
    '@router.get("/notes/{note_id}")\n'
    "async def get_note(note_id: str, service: NoteService = Depends(NoteService)):\n"
    "    return await service.get(note_id)\n\n\n"
    '@router.post("/notes")\n'
    "async def create_note(note: NoteIn, service: NoteService = Depends(NoteService)):\n"
    "    return await service.create(note)\n"
)


def _found(root: Path) -> list[Suggestion]:
    return [
        s
        for s in collect([str(root)], ["validation"])
        if s.code == "BKD202" and "malformed id" in s.title
    ]


def _project(root: Path, routes: str, manifest: str = MANIFEST) -> Path:
    return write_tree(
        root,
        {
            "pyproject.toml": manifest,
            "jobs/__init__.py": "",
            "jobs/schemas.py": SCHEMAS,
            "jobs/repository.py": REPO,
            "jobs/service.py": SERVICE,
            "jobs/routes.py": routes,
        },
    )


def test_path_and_body_ids_through_service_and_repository(tmp_path: Path) -> None:
    root = _project(tmp_path, ROUTES)
    found = sorted(_found(root), key=lambda s: s.span.start.line)
    assert [s.title for s in found] == [
        "Answer a malformed id in `note_id`",
        "Answer a malformed id in `note.resource_id`, `note.tags`",
    ]
    fixed = apply_suggestion(found[0])[str(root / "jobs/routes.py")]
    assert "from bson.errors import InvalidId" in fixed
    assert "from fastapi import APIRouter, Depends, HTTPException" in fixed
    assert (
        "    try:\n        return await service.get(note_id)\n    except InvalidId:\n"
        '        raise HTTPException(status_code=404, detail="Note not found") from None\n'
    ) in fixed
    body = apply_suggestion(found[1])[str(root / "jobs/routes.py")]
    assert 'status_code=400, detail="malformed id in resource_id, tags"' in body


def test_silent_when_caught_validated_checked_or_without_bson(tmp_path: Path) -> None:
    routes = (
        "from typing import Annotated\n\n"
        "from bson.errors import InvalidId\n"
        "from fastapi import APIRouter, Depends, HTTPException, Path\n"
        "from pydantic import AfterValidator\n\n"
        "from jobs.schemas import NoteIn\n"
        "from jobs.service import NoteService\n\n"
        "router = APIRouter()\n"
        "Oid = Annotated[str, AfterValidator(lambda v: v)]\n\n\n"
        '@router.get("/notes/{note_id}")\n'
        "async def get_note(note_id: str, service: NoteService = Depends(NoteService)):\n"
        "    try:\n"
        "        return await service.get(note_id)\n"
        "    except InvalidId:\n"
        '        raise HTTPException(status_code=404, detail="Note not found") from None\n\n\n'
        '@router.get("/a/{note_id}")\n'
        "async def get_a(\n"
        "    note_id: Annotated[str, AfterValidator(lambda v: v)],\n"
        "    service: NoteService = Depends(NoteService),\n"
        "):\n"
        "    return await service.get(note_id)\n\n\n"
        '@router.get("/b/{note_id}")\n'
        "async def get_b(\n"
        '    note_id: str = Path(pattern="^[0-9a-f]{24}$"),\n'
        "    service: NoteService = Depends(NoteService),\n"
        "):\n"
        "    return await service.get(note_id)\n\n\n"
        '@router.get("/c/{note_id}")\n'
        "async def get_c(note_id: str, service: NoteService = Depends(NoteService)):\n"
        "    return await service.get_checked(note_id)\n\n\n"
        '@router.post("/notes")\n'
        "async def create_note(note: NoteIn, service: NoteService = Depends(NoteService)):\n"
        "    try:\n"
        "        return await service.create(note)\n"
        "    except Exception:\n"
        '        raise HTTPException(status_code=400, detail="bad note") from None\n'
    )
    assert _found(_project(tmp_path / "a", routes)) == []
    # no pymongo, motor, beanie or bson declared: ``bson`` is someone else's module
    plain = '[project]\nname = "jobs"\ndependencies = ["fastapi"]\n'
    assert _found(_project(tmp_path / "b", ROUTES, plain)) == []


def test_broad_except_answering_500_is_no_guard(tmp_path: Path) -> None:
    routes = ROUTES.replace(
        "    return await service.get(note_id)\n",
        "    try:\n"
        "        return await service.get(note_id)\n"
        "    except Exception as e:\n"
        "        raise HTTPException(status_code=500, detail=str(e))\n",
    ).replace("Depends\n", "Depends, HTTPException\n", 1)
    found = _found(_project(tmp_path, routes))
    assert "Answer a malformed id in `note_id`" in [s.title for s in found]


# The app's module: its handlers answer ``{"ok": ..., "message": ...}``.
MAIN = (
    "from fastapi import FastAPI, HTTPException\n"
    "from fastapi.responses import JSONResponse\n\n"
    "from jobs.routes import router\n\n"
    "app = FastAPI()\n\n\n"
    "@app.exception_handler(HTTPException)\n"
    "async def http_error(request, exc):\n"
    '    return JSONResponse(status_code=exc.status_code, content={"ok": False, "message": exc.detail})\n'
    "\n\n"
    "app.include_router(router)\n"
)
THIRD = (
    '\n\n@router.delete("/notes/{note_id}")\n'
    "async def delete_note(note_id: str, service: NoteService = Depends(NoteService)):\n"
    "    return await service.get(note_id)\n"
)


def _app_wide(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]


def test_three_routes_get_one_handler_on_the_app(tmp_path: Path) -> None:
    root = _project(tmp_path, ROUTES + THIRD)
    write_tree(root, {"jobs/main.py": MAIN})
    found = _app_wide(root)
    assert [(s.path, s.title) for s in found] == [
        (
            str(root / "jobs/main.py"),
            "Answer a malformed id once for the app: 3 routes turn it into a 500",
        )
    ]
    fixed = apply_suggestion(found[0])[str(root / "jobs/main.py")]
    assert "from bson.errors import InvalidId\n" in fixed
    assert (
        "@app.exception_handler(InvalidId)\n"
        "async def invalid_id_handler(request, exc):\n"
        "    return JSONResponse(\n"
        "        status_code=400,\n"
        '        content={"ok": False, "message": "Malformed id"},\n'
        "    )\n\n\n"
        "app.include_router(router)\n"
    ) in fixed
    assert not _app_wide(root)  # the handler answers every route's InvalidId


def test_two_routes_or_no_app_keep_their_own_guard(tmp_path: Path) -> None:
    two = _project(tmp_path / "two", ROUTES)
    write_tree(two, {"jobs/main.py": MAIN})
    assert [s.path for s in _found(two)] == [str(two / "jobs/routes.py")] * 2
    # three routes, but two apps: which one they run under is not read
    apps = _project(tmp_path / "apps", ROUTES + THIRD)
    write_tree(apps, {"jobs/main.py": MAIN + "admin = FastAPI()\n"})
    assert len(_found(apps)) == 3
    # the app's constructor takes InvalidId already
    given = MAIN.replace(
        "app = FastAPI()", "app = FastAPI(exception_handlers={InvalidId: http_error})"
    ).replace("from jobs.routes", "from bson.errors import InvalidId\n\nfrom jobs.routes")
    taken = _project(tmp_path / "taken", ROUTES + THIRD)
    write_tree(taken, {"jobs/main.py": given})
    assert not _app_wide(taken)
