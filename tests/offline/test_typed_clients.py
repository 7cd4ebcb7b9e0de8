"""A client the code is handed, not one it builds: a service whose ``__init__`` takes an
``httpx.Client`` (a provider builds it, with its timeout) makes its requests through
``self.client``. Its failures are httpx's: the route that charges through it answers 502. How
it was built is not known there, so no timeout is asked for."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

DEPS = """\
from collections.abc import Iterator

import httpx


class Payments:
    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def charge(self, cents: int) -> str:
        reply = self.client.post("/charges", json={"amount": cents})
        reply.raise_for_status()
        return reply.json()["id"]


def get_payments() -> Iterator[Payments]:
    with httpx.Client(base_url="https://pay.example", timeout=10.0) as client:
        yield Payments(client)
"""

ROUTES = """\
from fastapi import APIRouter, Depends

from shop.deps import Payments, get_payments

router = APIRouter()


@router.post("/orders/{order_id}/pay")
def pay(order_id: int, payments: Payments = Depends(get_payments)) -> dict:
    charge = payments.charge(1200)
    return {"order": order_id, "charge": charge}
"""


def test_a_handed_client_fails_like_its_library(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("fastapi\nhttpx\n")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "deps.py").write_text(DEPS)
    (tmp_path / "shop" / "routes.py").write_text(ROUTES)
    found = collect([str(tmp_path)], ["error-handling"])
    assert [(Path(s.path).name, s.span.start.line + 1, s.code, s.title) for s in found] == [
        ("routes.py", 10, "BKD302", "Answer 502 when payments.charge() fails")
    ]
    new = apply_suggestion(found[0])[str(tmp_path / "shop" / "routes.py")]
    ast.parse(new)
    assert "except httpx.HTTPError" in new
