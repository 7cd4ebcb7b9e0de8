"""BKD212 for Django and DRF: ``request.GET.get("ordering", "-created_at")`` (or DRF's
``query_params``) handed to ``Model.objects....order_by(...)`` unchecked. Each positive
asserts the exact edit and that the edited file parses and is clean; each twin (checked, a
dict lookup, a constant, DRF's OrderingFilter, an annotation, a model of unknown bases, a
test module) gets nothing."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

PYPROJECT = (
    '[project]\nname = "shop"\nrequires-python = ">=3.10"\n'
    'dependencies = ["django", "djangorestframework"]\n'
)
MODELS = """\
from django.db import models


class Seller(models.Model):
    name = models.CharField(max_length=80)
    password = models.CharField(max_length=128)


class Listing(models.Model):
    title = models.CharField(max_length=80)
    price = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE)
    api_token = models.CharField(max_length=64)
"""
DEFINITION = 'LISTING_SORT_KEYS = ("created_at", "id", "price", "seller", "title")\n\n\n'
VIEWS = """\
from django.http import JsonResponse
from django.views import View

from .models import Listing


def listings(request):
    ordering = request.GET.get("ordering", "-created_at")
    rows = Listing.objects.filter(price__gt=0).order_by(ordering)
    return JsonResponse({"titles": [r.title for r in rows]})


class ListingView(View):
    def get(self, request):
        ordering = request.GET.get("ordering", "price")
        rows = Listing.objects.all().order_by(ordering)
        return JsonResponse({"titles": [r.title for r in rows]})
"""
API = """\
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Listing


class ListingViewSet(viewsets.ModelViewSet):
    queryset = Listing.objects.all()

    @action(detail=False)
    def recent(self, request):
        ordering = request.query_params.get("ordering", "-created_at")
        rows = self.get_queryset().order_by(ordering)
        return Response([r.title for r in rows])

    def get_queryset(self):
        ordering = self.request.query_params.get("ordering", "title")
        return super().get_queryset().order_by(ordering)
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"pyproject.toml": PYPROJECT, "shop/models.py": MODELS, **files})


def _found(root: Path) -> list[Suggestion]:
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD212"]
    return sorted(found, key=lambda s: (s.path, s.span.start.line))


def _edits(found: Suggestion) -> list[tuple[int, str]]:
    return [(e.span.start.line + 1, e.new_text) for e in found.edits]


def test_plain_django_views_answer_a_bad_request(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/views.py": VIEWS})
    first, second = _found(root)
    assert first.title == "Allow only Listing's fields as the sort key `ordering`"
    assert "FieldError (a 500)" in first.rationale
    assert "`seller__password`" in first.rationale
    assert "fields that hold secrets are left out" in first.rationale
    check = '    if ordering.lstrip("-") not in LISTING_SORT_KEYS:\n'
    answer = '        return HttpResponseBadRequest("unknown sort column")\n'
    assert _edits(first)[1:] == [(9, check + answer), (7, DEFINITION)]
    assert first.edits[0].new_text == "from django.http import HttpResponseBadRequest, JsonResponse"
    indented = "    " + check + "    " + answer
    assert _edits(second)[1] == (16, indented)
    new = apply_suggestion(first)[str(root / "shop/views.py")]
    ast.parse(new)
    (left,) = _found(root)  # the class-based view's check reuses the definition
    assert [e.new_text for e in left.edits] == [indented]
    ast.parse(apply_suggestion(left)[str(root / "shop/views.py")])
    assert _found(root) == []


def test_drf_action_and_get_queryset_raise_drfs_validation_error(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/api.py": API})
    action, hook = _found(root)
    assert action.span.start.line + 1 == 14
    assert hook.span.start.line + 1 == 19
    raised = '            raise ValidationError({"ordering": "unknown sort column"})\n'
    check = '        if ordering.lstrip("-") not in LISTING_SORT_KEYS:\n'
    assert _edits(action) == [
        (3, "from rest_framework.exceptions import ValidationError\n"),
        (14, check + raised),
        (8, DEFINITION),
    ]
    assert _edits(hook)[1] == (19, check + raised)
    ast.parse(apply_suggestion(action)[str(root / "shop/api.py")])
    (left,) = _found(root)
    assert [e.new_text for e in left.edits] == [check + raised]
    ast.parse(apply_suggestion(left)[str(root / "shop/api.py")])
    assert _found(root) == []


def test_the_module_s_own_validation_error_is_raised(tmp_path: Path) -> None:
    api = API.replace(
        "from rest_framework import viewsets\n",
        "from rest_framework import serializers, viewsets\n",
    )
    root = _project(tmp_path, {"shop/api.py": api})
    action, _ = _found(root)
    assert _edits(action)[0][1].endswith(
        'raise serializers.ValidationError({"ordering": "unknown sort column"})\n'
    )
    ast.parse(apply_suggestion(action)[str(root / "shop/api.py")])


SILENT = """\
from django.core.exceptions import FieldError
from django.db.models import Count
from django.http import JsonResponse
from rest_framework import viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Listing

SORTS = {"new": "-created_at", "cheap": "price"}


def checked(request):
    ordering = request.GET.get("ordering", "-created_at")
    if ordering.lstrip("-") not in ("title", "price", "created_at"):
        return JsonResponse({"error": "bad"}, status=400)
    return JsonResponse({"n": Listing.objects.order_by(ordering).count()})


def constant(request):
    return JsonResponse({"n": Listing.objects.order_by("-created_at").count()})


def guarded(request):
    ordering = request.GET.get("ordering", "price")
    try:
        n = Listing.objects.order_by(ordering).count()
    except FieldError:
        return JsonResponse({"error": "bad"}, status=400)
    return JsonResponse({"n": n})


def annotated(request):
    ordering = request.GET.get("ordering", "price")
    rows = Listing.objects.annotate(n=Count("seller")).order_by(ordering)
    return JsonResponse({"n": rows.count()})


def popular(request):
    ordering = request.GET.get("ordering", "price")
    if ordering == "popular":
        ordering = "-price"
    return JsonResponse({"n": Listing.objects.order_by(ordering).count()})


class ListingList(APIView):
    def get(self, request):
        ordering = request.query_params.get("ordering", "-created_at")
        rows = Listing.objects.order_by(SORTS.get(ordering, "-created_at"))
        return Response([r.title for r in rows])


class FilteredViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Listing.objects.all()
    filter_backends = [OrderingFilter]
    ordering_fields = ["price", "created_at"]
"""


def test_checked_looked_up_constant_and_ordering_filter_stay_silent(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/views.py": SILENT, "tests/test_views.py": VIEWS})
    assert _found(root) == []


def test_a_model_with_a_base_of_another_package_stays_silent(tmp_path: Path) -> None:
    models = MODELS.replace(
        "class Listing(models.Model):", "class Listing(TimeStampedModel, models.Model):"
    ).replace(
        "from django.db import models\n",
        "from django.db import models\nfrom django_extensions.db.models import TimeStampedModel\n",
    )
    root = _project(tmp_path, {"shop/models.py": models, "shop/views.py": VIEWS})
    assert _found(root) == []


def test_fields_of_the_workspace_s_abstract_base_are_offered(tmp_path: Path) -> None:
    models = MODELS.replace(
        "class Listing(models.Model):",
        "class Stamped(models.Model):\n"
        "    updated_at = models.DateTimeField(auto_now=True)\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Listing(Stamped):",
    )
    root = _project(tmp_path, {"shop/models.py": models, "shop/views.py": VIEWS})
    first, _ = _found(root)
    assert _edits(first)[-1][1] == (
        'LISTING_SORT_KEYS = ("created_at", "id", "price", "seller", "title", "updated_at")\n\n\n'
    )
    ast.parse(apply_suggestion(first)[str(root / "shop/views.py")])


LIST_VIEW = """\
from django.views.generic import ListView

from .models import Listing


class Listings(ListView):
    model = Listing

    def get_queryset(self):
        qs = super().get_queryset()
        ordering = self.request.GET.get("ordering")
        if ordering:
            qs = qs.order_by(ordering)
        return qs
"""


def test_a_list_view_s_get_queryset_raises_bad_request_when_sent(tmp_path: Path) -> None:
    root = _project(tmp_path, {"shop/views.py": LIST_VIEW})
    (found,) = _found(root)
    assert _edits(found) == [
        (1, "from django.core.exceptions import BadRequest\n"),
        (
            12,
            '        if ordering and ordering.lstrip("-") not in LISTING_SORT_KEYS:\n'
            '            raise BadRequest("unknown sort column")\n',
        ),
        (6, DEFINITION),
    ]
    ast.parse(apply_suggestion(found)[str(root / "shop/views.py")])
    assert _found(root) == []
    bare = _project(tmp_path / "bare", {"shop/views.py": LIST_VIEW.replace("model = ", "x = ")})
    assert _found(bare) == []  # no model or queryset says which fields
