"""BKD202: a FastAPI id declared ``str`` and used as a UUID (compared with a UUID column,
looked up by a UUID primary key, converted with ``uuid.UUID()``). Each shape has a twin that
must stay silent."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.edit_gate import module_names_in
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion
from .trees import write_tree

MANIFEST = '[project]\nname = "log"\ndependencies = ["fastapi", "sqlalchemy", "asyncpg"]\n'
# A Core table made in a function, as an app that builds its tables per schema does.
TABLES = (
    "import uuid\n\n"
    "import sqlalchemy as sa\n"
    "from sqlalchemy.dialects.postgresql import UUID\n\n\n"
    "def make_entry_table(metadata: sa.MetaData) -> sa.Table:\n"
    "    return sa.Table(\n"
    '        "entry",\n'
    "        metadata,\n"
    '        sa.Column("id", UUID(as_uuid=True), primary_key=True, default=uuid.uuid4),\n'
    '        sa.Column("code", sa.Unicode(), nullable=False),\n'
    "    )\n"
)
MODELS = (
    "import uuid\n\n"
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class Ticket(Base):\n"
    '    __tablename__ = "tickets"\n'
    "    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)\n"
    "    title: Mapped[str] = mapped_column()\n"
)
CORE_ROUTE = (
    "import fastapi\n\n"
    "from .state import State, get_state\n\n"
    "router = fastapi.APIRouter()\n\n\n"
    '@router.get("/entries/{id}")\n'
    "async def get_entry(\n"
    "    id: str,\n"
    "    state: State = fastapi.Depends(get_state),\n"
    ") -> dict[str, str]:\n"
    "    entry_table = state.db.entry_table\n"
    "    parent_id = id\n"
    "    async with state.db.engine.connect() as connection:\n"
    "        result = await connection.execute(\n"
    "            entry_table.select().where(entry_table.c.id == parent_id)\n"
    "        )\n"
    "        row = result.fetchone()\n"
    "    if row is None:\n"
    '        raise fastapi.HTTPException(status_code=404, detail=f"No entry {id}")\n'
    '    return {"code": row.code}\n'
)


def _project(root: Path, files: dict[str, str]) -> Path:
    base = {
        "pyproject.toml": MANIFEST,
        "log/__init__.py": "",
        "log/tables.py": TABLES,
        "log/models.py": MODELS,
        "log/state.py": "class State:\n    db: object\n\n\ndef get_state() -> State:\n"
        "    return State()\n",
    }
    return write_tree(root, {**base, **files})


def _found(root: Path) -> list[Suggestion]:
    return [
        s
        for s in collect([str(root)], ["validation"])
        if s.code == "BKD202" and "as a UUID" in s.title
    ]


def test_a_text_id_compared_with_a_uuid_column_is_typed_uuid(tmp_path: Path) -> None:
    root = _project(tmp_path, {"log/routes.py": CORE_ROUTE})
    (found,) = _found(root)
    assert found.title == "Type `id` as a UUID"
    assert found.span.start.line == 9  # the parameter (0-based)
    assert "compared with the UUID column `entry_table.c.id`" in found.rationale
    assert "answers 422" in found.rationale
    new = apply_suggestion(found)[str(root / "log" / "routes.py")]
    ast.parse(new)
    assert new.startswith("import uuid\n\nimport fastapi\n")
    assert "    id: uuid.UUID,\n" in new
    assert _found(root) == []


def test_a_lookup_by_a_uuid_primary_key_and_a_uuid_conversion(tmp_path: Path) -> None:
    route = (
        "import uuid\n\n"
        "from fastapi import Depends, FastAPI, HTTPException\n"
        "from sqlalchemy.orm import Session\n\n"
        "from .models import Ticket\n\n"
        "app = FastAPI()\n\n\n"
        "def get_db():\n    yield Session()\n\n\n"
        '@app.get("/tickets/{ticket_id}")\n'
        "def read(ticket_id: str, db: Session = Depends(get_db)) -> dict[str, str]:\n"
        "    ticket = db.get(Ticket, ticket_id)\n"
        "    if ticket is None:\n"
        "        raise HTTPException(status_code=404)\n"
        '    return {"title": ticket.title}\n\n\n'
        '@app.get("/tickets/{ticket_id}/copy")\n'
        "def copy(ticket_id: str) -> dict[str, str]:\n"
        "    key = uuid.UUID(ticket_id)\n"
        '    return {"key": key.hex}\n'
    )
    root = _project(tmp_path, {"log/routes.py": route})
    found = _found(root)
    assert [s.span.start.line for s in found] == [15, 23]
    assert "compared with the UUID column `Ticket.id`" in found[0].rationale
    assert "raises ValueError in `UUID()`" in found[1].rationale
    path = str(root / "log" / "routes.py")
    new = apply_suggestion(found[1])[path]
    ast.parse(new)
    assert "def copy(ticket_id: uuid.UUID) -> dict[str, str]:\n    key = ticket_id\n" in new
    new = apply_suggestion(_found(root)[0])[path]
    ast.parse(new)
    assert "def read(ticket_id: uuid.UUID, db: Session = Depends(get_db))" in new
    assert _found(root) == []


def test_typed_guarded_text_and_non_uuid_ids_stay_silent(tmp_path: Path) -> None:
    typed = CORE_ROUTE.replace("    id: str,\n", "    id: uuid.UUID,\n").replace(
        "import fastapi\n", "import uuid\n\nimport fastapi\n"
    )
    by_code = CORE_ROUTE.replace("entry_table.c.id == parent_id", "entry_table.c.code == id")
    read_as_text = CORE_ROUTE.replace("    parent_id = id\n", "    parent_id = id.strip()\n")
    guarded = (
        "import uuid\n\n"
        "from fastapi import FastAPI, HTTPException\n\n"
        "app = FastAPI()\n\n\n"
        '@app.get("/keys/{key}")\n'
        "def read(key: str) -> dict[str, str]:\n"
        "    try:\n"
        "        value = uuid.UUID(key)\n"
        "    except ValueError:\n"
        '        raise HTTPException(status_code=404, detail="no such key") from None\n'
        '    return {"key": value.hex}\n'
    )
    # compared as text elsewhere: a UUID never equals the caller's text id
    as_text_too = CORE_ROUTE.replace(
        "    parent_id = id\n",
        "    parent_id = id\n    if state.owner_id != id:\n        raise fastapi.HTTPException(403)\n",
    )
    dumped = CORE_ROUTE.replace(
        '    return {"code": row.code}\n', '    return json.dumps({"code": row.code, "id": id})\n'
    ).replace("import fastapi\n", "import json\n\nimport fastapi\n")
    files = {
        "log/as_text_too.py": as_text_too,
        "log/dumped.py": dumped,
        "log/typed.py": typed,
        "log/by_code.py": by_code,
        "log/read_as_text.py": read_as_text,
        "log/guarded.py": guarded,
        "tests/test_routes.py": CORE_ROUTE.replace("from .state", "from log.state"),
    }
    assert _found(_project(tmp_path, files)) == []


LOCAL_IMPORT = (
    "from fastapi import APIRouter\n\n"
    "router = APIRouter()\n\n\n"
    '@router.get("/media/{media_id}")\n'
    "async def get_media(media_id: str) -> dict[str, str]:\n"
    "    from uuid import UUID\n\n"
    '    return {"key": UUID(media_id).hex}\n'
)


def test_a_uuid_imported_in_the_route_body_gets_a_module_import(tmp_path: Path) -> None:
    """A real app imported ``UUID`` inside the route only: the annotation is read when the
    ``def`` runs, so ``media_id: UUID`` with no module-level import was a NameError on
    import. The edit adds the module's own import; its twin, imported at the top, adds none."""
    top = "from uuid import UUID\n\n" + LOCAL_IMPORT.replace("    from uuid import UUID\n\n", "")
    root = _project(tmp_path, {"log/local.py": LOCAL_IMPORT, "log/top.py": top})
    by_file = {Path(s.path).name: s for s in _found(root)}
    assert sorted(by_file) == ["local.py", "top.py"]
    new = apply_suggestion(by_file["local.py"])[str(root / "log" / "local.py")]
    assert new.startswith("from uuid import UUID\n\nfrom fastapi import APIRouter\n")
    assert "async def get_media(media_id: UUID) -> dict[str, str]:\n" in new
    _imports_cleanly(new)
    new = apply_suggestion(by_file["top.py"])[str(root / "log" / "top.py")]
    assert new.count("from uuid import UUID") == 1
    _imports_cleanly(new)


def _imports_cleanly(text: str) -> None:
    """What the module reads when it is imported (the signature's ``UUID``) it binds."""
    bound, eager = module_names_in(ast.parse(text))
    assert eager - bound - set(dir(builtins)) == set()
