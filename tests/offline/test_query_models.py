"""BKD216: ``exclude_unset=True`` of a pydantic model FastAPI builds from the query
(``data: ProductUpdate = Depends()``): FastAPI passes every parameter, so nothing is unset and
a partial PATCH writes NULLs (a real app's product update). Silent twins: a body model, a
``Depends(factory)``, a model with a non-None default, ``exclude_none`` already there."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "shop"\nrequires-python = ">=3.10"\ndependencies = ["fastapi", "pydantic"]\n'
)
SCHEMAS = """\
from typing import Optional

from pydantic import BaseModel, Field


class ProductUpdate(BaseModel):
    name: Optional[str] = Field(None, max_length=64)
    price: Optional[int] = Field(None, gt=0)
    inventory: Optional[int] = None


class Filters(BaseModel):
    name: Optional[str] = None
    active: bool = True
"""
HEAD = """\
from typing import Annotated

from fastapi import Depends, FastAPI

from shop.schemas import Filters, ProductUpdate

app = FastAPI()
ROWS: dict[int, dict] = {}


def filters() -> ProductUpdate:
    return ProductUpdate()

"""
PATCH = """
@app.patch("/products/{product_id}")
def update(product_id: int, data: ProductUpdate = Depends()):
    fields = data.model_dump(exclude_unset=True)
    del fields["inventory"]
    ROWS[product_id].update(fields)
    return ROWS[product_id]
"""


def _root(tmp_path: Path, views: str) -> Path:
    files = {
        "pyproject.toml": PYPROJECT,
        "shop/__init__.py": "",
        "shop/schemas.py": SCHEMAS,
        "shop/main.py": HEAD + views,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _found(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["validation"]) if s.code == "BKD216"]


def test_a_query_model_dump_excludes_none_and_its_del_becomes_pop(tmp_path: Path) -> None:
    root = _root(tmp_path, PATCH)
    (found,) = _found(root)
    assert found.title == "Use `exclude_none=True` for `data`: FastAPI sets every query field"
    assert [(e.span.start.line + 1, e.new_text) for e in found.edits] == [
        (17, "exclude_unset=True, exclude_none=True"),
        (18, "fields.pop('inventory', None)"),
    ]
    new = apply_suggestion(found)[str(root / "shop/main.py")]
    ast.parse(new)
    assert "    fields = data.model_dump(exclude_unset=True, exclude_none=True)\n" in new
    assert "    fields.pop('inventory', None)\n" in new
    assert _found(root) == []


def test_an_annotated_depends_and_dict_are_read_too(tmp_path: Path) -> None:
    views = """
@app.patch("/products/{product_id}")
def update(product_id: int, data: Annotated[ProductUpdate, Depends()]):
    ROWS[product_id].update(data.dict(exclude_unset=True))
    return ROWS[product_id]
"""
    (found,) = _found(_root(tmp_path, views))
    assert [e.new_text for e in found.edits] == ["exclude_unset=True, exclude_none=True"]


def test_bodies_factories_other_defaults_and_exclude_none_are_left_alone(tmp_path: Path) -> None:
    views = """
@app.patch("/body/{product_id}")
def body(product_id: int, data: ProductUpdate):
    ROWS[product_id].update(data.model_dump(exclude_unset=True))
    return ROWS[product_id]


@app.patch("/factory/{product_id}")
def factory(product_id: int, data: ProductUpdate = Depends(filters)):
    ROWS[product_id].update(data.model_dump(exclude_unset=True))
    return ROWS[product_id]


@app.get("/filtered")
def filtered(data: Filters = Depends()):
    return data.model_dump(exclude_unset=True)


@app.patch("/both/{product_id}")
def both(product_id: int, data: ProductUpdate = Depends()):
    ROWS[product_id].update(data.model_dump(exclude_unset=True, exclude_none=True))
    return ROWS[product_id]
"""
    assert _found(_root(tmp_path, views)) == []
