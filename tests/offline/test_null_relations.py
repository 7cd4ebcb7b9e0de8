"""A Django view reads through a ForeignKey the model declares ``null=True``
(``product.category.id``) for rows it loads itself: one row without the relation makes the
read an AttributeError, and a list view a 500 for everyone. The fix serialises the missing
relation as None; a relation that cannot be None, a checked or filtered one, and a read with
no serialised value to make conditional are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=50)


class Brand(models.Model):
    name = models.CharField(max_length=50)


class Product(models.Model):
    name = models.CharField(max_length=50)
    category = models.ForeignKey(
        Category, related_name="products", null=True, blank=True, on_delete=models.SET_NULL
    )
    brand = models.ForeignKey(Brand, blank=True, on_delete=models.CASCADE)
    maker = models.ForeignKey(Brand, related_name="made", on_delete=models.CASCADE)
"""

VIEWS = """\
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .models import Product


@api_view(["GET"])
def product_list(request):
    products = Product.objects.select_related("category").all()
    dumped = []
    for product in products:
        dumped.append(
            {
                "id": product.id,
                "category": {
                    "id": product.category.id,
                    "name": product.category.name,
                },
            }
        )
    return Response(dumped)


def product_names(request):
    rows = [
        {"name": p.name, "category": p.category.name}
        for p in Product.objects.order_by("name")
    ]
    return JsonResponse({"products": rows})


def product_detail(request, pk):
    product = get_object_or_404(Product, pk=pk)
    return JsonResponse({"id": product.id, "category": product.category.name})


def brand_list(request):
    out = []
    for product in Product.objects.all():
        out.append({"brand": product.brand.name, "maker": product.maker.name})
    return JsonResponse({"products": out})


def checked_list(request):
    out = []
    for product in Product.objects.all():
        if product.category is None:
            continue
        out.append({"category": product.category.name})
    return JsonResponse({"products": out})


def checked_by_id(request):
    out = []
    for product in Product.objects.all():
        name = product.category.name if product.category_id else ""
        out.append({"category": name})
    return JsonResponse({"products": out})


def filtered_list(request):
    out = []
    for product in Product.objects.filter(category__isnull=False):
        out.append({"category": product.category.name})
    return JsonResponse({"products": out})


def excluded_list(request):
    products = Product.objects.exclude(category=None)
    return JsonResponse({"products": [{"c": p.category.name} for p in products]})


def joined_list(request):
    out = []
    for product in Product.objects.filter(category__name__startswith="a"):
        out.append({"category": product.category.name})
    return JsonResponse({"products": out})


def values_list(request):
    out = []
    for product in Product.objects.values("name", "category"):
        out.append({"category": product.category.name})
    return JsonResponse({"products": out})


def caught_list(request):
    out = []
    try:
        for product in Product.objects.all():
            out.append({"category": product.category.name})
    except AttributeError:
        return JsonResponse({"error": "broken"}, status=500)
    return JsonResponse({"products": out})


def counted(request):
    total = 0
    for product in Product.objects.all():
        total += len(product.category.name)
    return JsonResponse({"total": total})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.product_list),
    path("names/", views.product_names),
    path("products/<int:pk>/", views.product_detail),
    path("brands/", views.brand_list),
    path("checked/", views.checked_list),
    path("checked-id/", views.checked_by_id),
    path("filtered/", views.filtered_list),
    path("excluded/", views.excluded_list),
    path("joined/", views.joined_list),
    path("values/", views.values_list),
    path("caught/", views.caught_list),
    path("counted/", views.counted),
]
"""


def _view_of(line: int) -> str:
    """The view whose definition holds 1-based ``line`` of VIEWS."""
    name = ""
    for number, text in enumerate(VIEWS.splitlines(), 1):
        if text.startswith("def "):
            name = text[4 : text.index("(")]
        if number == line:
            return name
    return ""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("null_relations")
    app = root / "shop"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = [
        s
        for s in collect([str(root)], ["error-handling"])
        if s.code == "BKD306" and "for None before reading" in s.title
    ]
    return app / "views.py", found


def test_reads_through_a_nullable_foreign_key_are_found(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    views, found = reviewed
    assert sorted({_view_of(s.span.start.line + 1) for s in found}) == [
        "product_detail",
        "product_list",
        "product_names",
    ]
    assert all(s.path == str(views) for s in found)
    listed = next(s for s in found if _view_of(s.span.start.line + 1) == "product_list")
    assert "SET_NULL" in listed.rationale and "whole list" in listed.rationale


def test_a_nested_dict_of_the_relation_becomes_none(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    views, found = reviewed
    listed = next(s for s in found if _view_of(s.span.start.line + 1) == "product_list")
    after = apply_suggestion(listed)[str(views)]
    assert (
        '                "category": {\n'
        '                    "id": product.category.id,\n'
        '                    "name": product.category.name,\n'
        "                } if product.category else None,\n"
    ) in after
    compile(after, "views.py", "exec")


def test_one_value_becomes_none(reviewed: tuple[Path, list[Suggestion]]) -> None:
    views, found = reviewed
    detail = next(s for s in found if _view_of(s.span.start.line + 1) == "product_detail")
    after = apply_suggestion(detail)[str(views)]
    assert '"category": product.category.name if product.category else None}' in after
    compile(after, "views.py", "exec")


@pytest.mark.parametrize(
    "view",
    [
        "brand_list",  # blank=True alone, and a key that is always set
        "checked_list",
        "checked_by_id",
        "filtered_list",
        "excluded_list",
        "joined_list",
        "values_list",
        "caught_list",
        "counted",  # no serialised value: no fix the code shows
    ],
)
def test_a_relation_that_cannot_be_none_here_is_left_alone(
    reviewed: tuple[Path, list[Suggestion]], view: str
) -> None:
    assert [s for s in reviewed[1] if _view_of(s.span.start.line + 1) == view] == []
