"""BKD335: a project function that returns a pair on every path, called as if it returned the
row (a real shop API's customer update: ``updated = CustomerService.update_customer(...)``
then ``updated.to_dict()``, a 500 on every call; blind round r39). Silent twins: the pair
unpacked, a function with a path that returns one value or runs off its end, pairs of
different lengths, no attribute read, and a tuple's own ``count``."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion
from .trees import write_tree

SERVICE = """\
class Customer:
    def to_dict(self):
        return {}


class CustomerService:
    @staticmethod
    def update(customer_id):
        try:
            if customer_id < 1:
                return None, "not found"
            return Customer(), None
        except ValueError as exc:
            return None, str(exc)

    @staticmethod
    def maybe(customer_id):
        if customer_id < 1:
            return None, "not found"
        return Customer()

    @staticmethod
    def falls_off(customer_id):
        if customer_id < 1:
            return None, "not found"

    @staticmethod
    def uneven(customer_id):
        if customer_id < 1:
            return None, "not found", 404
        return Customer(), None
"""

ROUTES = """\
from flask import Flask

from .service import CustomerService

app = Flask(__name__)


@app.put("/customers/<int:customer_id>")
def update(customer_id):
    error = None
    customer = CustomerService.update(customer_id)
    if not customer:
        return {"error": error}, 404
    return customer.to_dict()


@app.put("/customers/<int:customer_id>/unpacked")
def unpacked(customer_id):
    customer, error = CustomerService.update(customer_id)
    return customer.to_dict() if customer else ({"error": error}, 404)


@app.get("/customers/<int:customer_id>/others")
def others(customer_id):
    a = CustomerService.maybe(customer_id)
    b = CustomerService.falls_off(customer_id)
    c = CustomerService.uneven(customer_id)
    d = CustomerService.update(customer_id)
    return {"a": a.to_dict(), "b": b.to_dict(), "c": c.to_dict(), "d": d.count(None)}
"""


def test_a_pair_bound_to_one_name_and_read_as_the_row(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "requirements.txt": "flask\n",
            "shop/__init__.py": "",
            "shop/service.py": SERVICE,
            "shop/routes.py": ROUTES,
        },
    )
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD335"]
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (11, "Unpack the pair `update()` returns")
    ]
    assert "AttributeError" in found[0].rationale
    text = apply_suggestion(found[0])[str(root / "shop/routes.py")]
    ast.parse(text)
    # ``error`` is the route's own name already: the pair's second item gets another
    assert "    customer, _error = CustomerService.update(customer_id)\n" in text
