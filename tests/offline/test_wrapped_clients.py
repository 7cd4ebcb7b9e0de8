"""A project's own subclass of ``httpx.AsyncClient`` whose ``request`` turns every
``httpx.HTTPError`` into an ``HTTPException``: ``get`` and ``post`` go through it, so a
route's ``except httpx.HTTPError`` around a request made with it is dead code. The twin whose
``request`` only logs and raises on (or does not override it) still fails like httpx."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

CATCHING = """\
from collections.abc import AsyncIterator
from typing import Any

import httpx
from fastapi import HTTPException


class AppClient(httpx.AsyncClient):
    async def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        try:
            return await super().request(method, url, *args, **kwargs)
        except httpx.HTTPError as exc:
            raise HTTPException(status_code=503, detail="upstream unavailable") from exc


async def app_client() -> AsyncIterator[httpx.AsyncClient]:
    async with AppClient(timeout=5.0) as client:
        yield client
"""

# The same wrapper, but its handler logs and hands the error on.
RAISING_ON = CATCHING.replace(
    '            raise HTTPException(status_code=503, detail="upstream unavailable") from exc',
    '            print("request failed", url)\n            raise',
)

SERVICE = """\
import httpx
from fastapi import Depends

from hub.client import app_client


class Profiles:
    def __init__(self, prefix: str, http: httpx.AsyncClient) -> None:
        self.prefix = prefix
        self.http = http

    async def lookup(self, name: str) -> dict:
        reply = await self.http.get(f"https://people.example/{self.prefix}/{name}")
        return reply.json()


async def profiles(http: httpx.AsyncClient = Depends(app_client)) -> Profiles:
    return Profiles("v1", http)
"""

ROUTES = """\
import httpx
from fastapi import APIRouter, Depends

from hub.client import app_client
from hub.service import Profiles, profiles

router = APIRouter()


@router.get("/people/{name}")
async def person(name: str, service: Profiles = Depends(profiles)) -> dict:
    return await service.lookup(name)


@router.get("/status")
async def status(client: httpx.AsyncClient = Depends(app_client)) -> dict:
    reply = await client.get("https://status.example/health")
    return {"up": reply.status_code == 200}
"""


def _found(tmp_path: Path, client: str) -> list[tuple[str, int, str]]:
    (tmp_path / "requirements.txt").write_text("fastapi\nhttpx\n")
    (tmp_path / "hub").mkdir()
    (tmp_path / "hub" / "__init__.py").write_text("")
    (tmp_path / "hub" / "client.py").write_text(client)
    (tmp_path / "hub" / "service.py").write_text(SERVICE)
    (tmp_path / "hub" / "routes.py").write_text(ROUTES)
    found = collect([str(tmp_path)], ["error-handling"])
    for s in found:
        ast.parse(apply_suggestion(s)[s.path])
    return [(Path(s.path).name, s.span.start.line + 1, s.code) for s in found]


def test_a_wrapper_that_answers_httpx_errors_leaves_nothing_to_catch(tmp_path: Path) -> None:
    assert _found(tmp_path, CATCHING) == []


@pytest.mark.parametrize(
    "client",
    [
        RAISING_ON,
        # no override of ``request``: the subclass fails like httpx itself
        CATCHING.split("    async def request")[0] + "    pass\n" + CATCHING.split("exc\n", 1)[1],
    ],
    ids=["raises-on", "no-override"],
)
def test_a_wrapper_that_lets_httpx_errors_out_still_fires(tmp_path: Path, client: str) -> None:
    ast.parse(client)
    assert _found(tmp_path, client) == [("routes.py", 12, "BKD302"), ("routes.py", 17, "BKD302")]
