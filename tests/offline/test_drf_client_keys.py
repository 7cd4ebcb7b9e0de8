"""DRF reads of the client's keys with no check: ``request.query_params["page"]`` in an
``APIView``, an ``@api_view`` or a viewset's ``get_queryset`` (BKD205), and a serializer's
``to_internal_value`` indexing its raw ``data`` (BKD201). Each is a KeyError or TypeError, a
500; a key checked first, a ``.get``, a ``try``, a serializer that ran first stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class Ticket(models.Model):
    title = models.CharField(max_length=80)
    meta = models.JSONField(default=dict)
"""

QUERY_VIEWS = """\
from rest_framework import viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Ticket


class TicketView(APIView):
    def get(self, request):
        page = request.query_params["page"]
        return Response({"page": page})


@api_view(["GET"])
def search(request):
    return Response({"q": request.query_params["q"]})


class TicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.all()

    def get_queryset(self):
        return Ticket.objects.filter(title=self.request.query_params["title"])
"""

# The same reads, each checked: by ``in``, by ``.get`` (inline or through a local), by a
# ``try``, by a serializer.
QUERY_VIEWS_CHECKED = """\
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Ticket


class PageSerializer(serializers.Serializer):
    page = serializers.IntegerField()


class TicketView(APIView):
    def get(self, request):
        if "page" not in request.query_params:
            return Response(status=400)
        page = request.query_params["page"]
        return Response({"page": page})

    def put(self, request):
        checked = PageSerializer(data=request.query_params)
        checked.is_valid(raise_exception=True)
        return Response({"page": request.query_params["page"]})


@api_view(["GET"])
def search(request):
    try:
        term = request.query_params["q"]
    except KeyError:
        return Response(status=400)
    return Response({"q": term})


class TicketViewSet(viewsets.ModelViewSet):
    queryset = Ticket.objects.all()

    def get_queryset(self):
        qs = Ticket.objects.filter(title=self.request.query_params.get("title", ""))
        if self.request.query_params.get("kind"):
            qs = qs.filter(meta__kind=self.request.query_params["kind"])
        return qs

    def list(self, request, *args, **kwargs):
        kind = request.query_params.get("kind")
        if not kind:
            return Response(status=400)
        return Response({"kind": request.query_params["kind"]})
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Ticket


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("title", "meta")

    def to_internal_value(self, data):
        data["title"] = data["meta"].pop("title", "")
        if data["meta"]["kind"] == "old":
            data["meta"]["kind"] = "new"
        return {"title": data["title"], "meta": data["meta"]}
"""

# Silent: keys checked with ``in``; reads under a ``try``; reads after the fields have run
# (``super().to_internal_value``); a field declared optional (requiring it is no fix); ``data``
# rebound to what the server built.
SERIALIZERS_CHECKED = """\
from rest_framework import serializers

from .models import Ticket


class CheckedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("title", "meta")

    def to_internal_value(self, data):
        if "meta" not in data or "kind" not in data["meta"]:
            raise serializers.ValidationError("meta.kind is required")
        data["title"] = data["meta"]["kind"]
        return data


class CaughtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("title", "meta")

    def to_internal_value(self, data):
        try:
            kind = data["meta"]["kind"]
        except (KeyError, TypeError):
            raise serializers.ValidationError("meta.kind is required") from None
        return {"title": kind, "meta": {}}


class AfterFieldsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("title", "meta")

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        value["title"] = data["title"].strip()
        return value


class OptionalSerializer(serializers.ModelSerializer):
    tags = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Ticket
        fields = ("title", "meta", "tags")

    def to_internal_value(self, data):
        data = data.copy()
        data["tags"] = [t.strip() for t in data["tags"]]
        return data


class RebuiltSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ("title", "meta")

    def to_internal_value(self, data):
        data = {"title": str(data), "meta": {}}
        return data["title"]
"""


def _app(tmp_path: Path, files: dict[str, str]) -> list[Suggestion]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    for name, text in files.items():
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return collect([str(tmp_path)])


def _where(found: list[Suggestion]) -> list[tuple[str, str, int]]:
    return sorted((Path(s.path).name, s.code, s.span.start.line + 1) for s in found)


def test_query_params_read_unchecked_in_drf_views(tmp_path: Path) -> None:
    found = [s for s in _app(tmp_path, {"views.py": QUERY_VIEWS}) if s.code != "BKD101"]
    assert _where(found) == [
        ("views.py", "BKD205", 11),
        ("views.py", "BKD205", 17),
        ("views.py", "BKD205", 24),
    ]
    helper = next(s for s in found if s.span.start.line + 1 == 24)
    new = apply_suggestion(helper)[str(tmp_path / "app" / "views.py")]
    ast.parse(new)
    # from a helper as from a handler: DRF answers its ValidationError with a 400
    assert 'if "title" not in self.request.query_params:' in new
    assert 'raise ValidationError("title is required")' in new
    assert "from rest_framework.exceptions import ValidationError" in new


def test_query_params_checked_first_are_silent(tmp_path: Path) -> None:
    found = _app(tmp_path, {"views.py": QUERY_VIEWS_CHECKED})
    assert [s for s in found if s.code in ("BKD201", "BKD205")] == []


def test_to_internal_value_indexes_the_raw_data(tmp_path: Path) -> None:
    found = _app(tmp_path, {"serializers.py": SERIALIZERS})
    assert _where(found) == [("serializers.py", "BKD201", 12)]
    rationale = found[0].rationale
    assert "'meta.kind'" in rationale and "500" in rationale
    new = apply_suggestion(found[0])[str(tmp_path / "app" / "serializers.py")]
    ast.parse(new)
    check = new.split("def to_internal_value(self, data):\n", 1)[1].split('data["title"] =')[0]
    assert "not isinstance(data, dict)" in check
    assert '"meta" not in data' in check
    assert '"kind" not in data["meta"]' in check
    # the key the method stores itself is not the client's to send
    assert '"title" not in data' not in check
    assert 'raise serializers.ValidationError("missing or malformed fields: meta.kind")' in check


def test_to_internal_value_that_checks_its_keys_is_silent(tmp_path: Path) -> None:
    assert _where(_app(tmp_path, {"serializers.py": SERIALIZERS_CHECKED})) == []


def test_a_serializer_in_the_tests_is_silent(tmp_path: Path) -> None:
    found = _app(tmp_path, {"tests.py": SERIALIZERS})
    assert [s for s in found if s.code == "BKD201"] == []
