"""Twentieth held-out round and planted set 7, after their measurement (shapes of our own): an
assert under ``if TYPE_CHECKING:`` never runs; a shop's ``staff_required`` counter view is no
admin page; DRF's ``request.data`` converted by hand; no index on a BinaryField; a new Meta
attribute goes after the Meta's docstring; a repository method that returns an HTTP error
where it otherwise returns a row."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _found(root: Path, kind: str, code: str) -> list[Suggestion]:
    found = [s for s in collect([str(root)], [kind]) if s.code == code]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


FLASK_ASSERTS = """\
from typing import TYPE_CHECKING

from flask import Flask, request

app = Flask(__name__)


@app.get("/orders")
def orders():
    status = request.args.get("status", "open")
    if TYPE_CHECKING:
        assert status in ("open", "closed")
    assert status in ("open", "closed")
    return {"status": status}
"""


def test_an_assert_for_the_type_checker_only_is_left_alone(tmp_path: Path) -> None:
    root = _write(tmp_path, {"requirements.txt": "flask\n", "site/app.py": FLASK_ASSERTS})
    assert [s.span.start.line + 1 for s in _found(root, "validation", "BKD208")] == [13]


MODELS = '''\
from django.db import models


class Item(models.Model):
    serial = models.CharField(max_length=40)
    photo = models.BinaryField()
    rate = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        """Items a branch rents out."""

        ordering = ["id"]
'''

VIEWS = """\
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from rest_framework.decorators import api_view
from rest_framework.response import Response

from shop.models import Item


def staff_required(view):
    return view


@login_required
@staff_required
def scan(request):
    item = Item.objects.filter(serial=request.GET.get("serial", "")).first()
    return JsonResponse({"id": item.pk if item else None})


def by_photo(request):
    return JsonResponse({"n": Item.objects.filter(photo=request.body).count()})


@api_view(["POST"])
def charge(request, pk):
    amount = Decimal(request.data.get("charge", "0"))
    return Response({"charged": str(amount)})
"""


def _shop(root: Path) -> Path:
    return _write(
        root,
        {
            "requirements.txt": "django>=4.2\ndjangorestframework\n",
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "shop/views.py": VIEWS,
        },
    )


def test_a_staff_counter_view_keeps_its_index_and_a_binary_field_gets_none(
    tmp_path: Path,
) -> None:
    root = _shop(tmp_path)
    [index] = _found(root, "index", "BKD101")
    assert index.title == "Add an index on item (serial, id)"  # first() sorts by Meta.ordering


def test_drf_request_data_converted_by_hand_is_guarded(tmp_path: Path) -> None:
    root = _shop(tmp_path)
    found = _found(root, "validation", "BKD202")
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (28, "Guard the conversion of `charge`")
    ]


def test_a_new_meta_attribute_goes_after_the_meta_docstring(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "django>=4.2\n",
            "shop/__init__.py": "",
            "shop/models.py": MODELS,
            "shop/views.py": "from django.http import JsonResponse\n\nfrom shop.models import Item\n"
            "\n\ndef cheap(request, serial):\n"
            "    rows = Item.objects.filter(serial=serial, rate__lt=10)\n"
            '    return JsonResponse({"n": rows.count()})\n',
        },
    )
    [index] = _found(root, "index", "BKD101")
    [edit] = [e for e in index.edits if e.path.endswith("models.py")]
    # 0-based line 10 is the one after the docstring (line 9), not the docstring's own
    assert edit.span.start.line == 10, edit


REPO = """\
from fastapi import APIRouter, HTTPException
from sqlalchemy.orm import Session

from docs.models import Document

router = APIRouter()


def http_409(msg: str) -> HTTPException:
    return HTTPException(status_code=409, detail=msg)


def get_document(session: Session, doc_id: int) -> Document:
    found = session.get(Document, doc_id)
    if found is None:
        return http_409(f"no document {doc_id}")
    return found


@router.get("/documents/{doc_id}")
def read(doc_id: int, session: Session) -> dict[str, int]:
    document = get_document(session, doc_id)
    return {"id": document.id}
"""


def test_a_repository_that_returns_an_http_error_instead_of_a_row(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "requirements.txt": "fastapi\nsqlalchemy\n",
            "docs/__init__.py": "",
            "docs/models.py": "class Document:\n    id: int\n",
            "docs/repo.py": REPO,
        },
    )
    found = _found(root, "error-handling", "BKD310")
    # get_document's return (16); http_409 itself is a builder its callers raise
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (16, "Raise the HTTPException, do not return it")
    ]
