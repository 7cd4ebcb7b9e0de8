"""BKD319: a DRF view deletes a model another model's ForeignKey protects (``on_delete=PROTECT``
or ``RESTRICT``): ProtectedError reaches the client as a 500. Fixtures of our own, after a
real CRUD-viewset app that answered 409 in one viewset of twelve."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Status(models.Model):
    name = models.CharField(max_length=40)


class Team(models.Model):
    name = models.CharField(max_length=40)
    parent = models.ForeignKey("self", null=True, on_delete=models.RESTRICT)


class Tag(models.Model):
    name = models.CharField(max_length=40)


class Project(models.Model):
    status = models.ForeignKey(Status, null=True, on_delete=models.PROTECT)
    team = models.ForeignKey("app.Team", models.PROTECT)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
"""

VIEWS = """\
from rest_framework import generics, mixins, status, viewsets

from .models import Project, Status, Tag, Team
from .serializers import ProjectSerializer, StatusSerializer, TagSerializer, TeamSerializer


class StatusViewSet(viewsets.ModelViewSet):
    queryset = Status.objects.all()
    serializer_class = StatusSerializer


class TeamDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Team.objects.order_by("name")
    serializer_class = TeamSerializer


class TagViewSet(viewsets.ModelViewSet):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer


class ProjectViewSet(viewsets.ModelViewSet):
    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Project, Status, Tag, Team


class StatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = "__all__"


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = "__all__"


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = "__all__"


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = "__all__"
"""

# The same targets where the app decides what a delete does, or cannot delete at all.
VIEWS_SILENT = """\
from django.db.models.deletion import ProtectedError
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from .models import Status, Team
from .serializers import StatusSerializer, TeamSerializer


class StatusViewSet(viewsets.ModelViewSet):
    queryset = Status.objects.all()
    serializer_class = StatusSerializer

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError:
            return Response({"detail": "in use"}, status=status.HTTP_409_CONFLICT)


class SoftDeleteViewSet(viewsets.ModelViewSet):
    def perform_destroy(self, instance):
        instance.archived = True
        instance.save()


class ArchivedStatusViewSet(SoftDeleteViewSet):
    queryset = Status.objects.all()
    serializer_class = StatusSerializer


class ReadOnlyTeamViewSet(viewsets.ModelViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    http_method_names = ["get", "post", "patch"]


class TeamListViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
"""


def _app(tmp_path: Path, views: str, settings: str = "") -> tuple[Path, list[Suggestion]]:
    (tmp_path / "app").mkdir()
    return _app_in(tmp_path, views, settings)


def _app_in(tmp_path: Path, views: str, settings: str = "") -> tuple[Path, list[Suggestion]]:
    app = tmp_path / "app"
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "serializers.py").write_text(SERIALIZERS)
    (app / "views.py").write_text(views)
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "settings.py").write_text(settings or "DEBUG = False\n")
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD319"]
    return app / "views.py", found


def _applied(s: Suggestion, path: Path) -> str:
    edits = [TextEdit(e.span, e.new_text) for e in s.edits if e.path == str(path)]
    return apply_edits(path.read_text(), edits)


def test_a_viewset_deleting_a_protected_model_answers_409(tmp_path: Path) -> None:
    views, found = _app(tmp_path, VIEWS)
    lines = {s.span.start.line + 1: s for s in found}
    # Status (PROTECT), Team (PROTECT, and RESTRICT by itself); Tag is only cascaded to,
    # and nothing protects a Project
    assert sorted(lines) == [8, 13]
    status_fix = lines[8]
    assert "Project.status (PROTECT)" in status_fix.rationale
    text = _applied(status_fix, views)
    ast.parse(text)
    assert "from django.db.models import ProtectedError" in text
    assert "from rest_framework.response import Response" in text
    assert "        return super().destroy(request, *args, **kwargs)" in text
    assert "        except ProtectedError:" in text
    assert "status=status.HTTP_409_CONFLICT" in text
    assert "This Status is still referenced by Project rows." in text


def test_both_rules_are_caught_when_both_protect(tmp_path: Path) -> None:
    views, found = _app(tmp_path, VIEWS)
    team = next(s for s in found if s.span.start.line + 1 == 13)
    assert "Project.team (PROTECT)" in team.rationale
    assert "Team.parent (RESTRICT)" in team.rationale
    text = _applied(team, views)
    ast.parse(text)
    assert "except (ProtectedError, RestrictedError):" in text
    assert "from django.db.models import ProtectedError, RestrictedError" in text


def test_overridden_soft_or_no_deletes_are_silent(tmp_path: Path) -> None:
    assert _app(tmp_path, VIEWS_SILENT)[1] == []


def test_a_drf_exception_handler_not_read_is_silent(tmp_path: Path) -> None:
    settings = 'REST_FRAMEWORK = {\n    "EXCEPTION_HANDLER": "app.errors.handler",\n}\n'
    assert _app(tmp_path, VIEWS, settings)[1] == []


def _handler(name: str) -> str:
    return f'REST_FRAMEWORK = {{\n    "EXCEPTION_HANDLER": "{name}",\n}}\n'


def test_a_library_handler_answering_no_database_error_still_warns(tmp_path: Path) -> None:
    # drf-standardized-errors answers DRF's exceptions, Http404 and PermissionDenied; a
    # ProtectedError is still a 500 under it (a judged app's settings named it)
    settings = _handler("drf_standardized_errors.handler.exception_handler")
    found = _app(tmp_path, VIEWS, settings)[1]
    assert sorted(s.span.start.line + 1 for s in found) == [8, 13]


HANDLER_ANSWERS = """\
from django.db.models import ProtectedError
from rest_framework.response import Response
from rest_framework.views import exception_handler


def handler(exc, context):
    if isinstance(exc, ProtectedError):
        return Response({"detail": "in use"}, status=409)
    return exception_handler(exc, context)
"""


def test_a_project_handler_naming_the_error_is_silent(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "errors.py").write_text(HANDLER_ANSWERS)
    assert _app_in(tmp_path, VIEWS, _handler("app.errors.handler"))[1] == []


def test_a_project_handler_naming_no_database_error_still_warns(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "errors.py").write_text(
        HANDLER_ANSWERS.replace("ProtectedError", "ObjectDoesNotExist").replace(
            "django.db.models", "django.core.exceptions"
        )
    )
    found = _app_in(tmp_path, VIEWS, _handler("app.errors.handler"))[1]
    assert sorted(s.span.start.line + 1 for s in found) == [8, 13]


# A sibling view of the app's own that already refuses a referenced delete its way: the fix
# for the other views copies it (a judged app's series view raised a ValidationError).
SIBLING = """\
from django.db.models.deletion import ProtectedError
from rest_framework import generics, serializers

from .models import Tag
from .serializers import TagSerializer


class TagDetail(generics.RetrieveUpdateDestroyAPIView):
    queryset = Tag.objects.all()
    serializer_class = TagSerializer

    def perform_destroy(self, instance):
        try:
            super().perform_destroy(instance)
        except ProtectedError as error:
            raise serializers.ValidationError(
                {"tag": "Remove the tag from its projects first."}
            ) from error
"""


def test_a_sibling_perform_destroy_is_the_fix_copied(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "tags.py").write_text(SIBLING)
    views, found = _app_in(tmp_path, VIEWS)
    lines = {s.span.start.line + 1: s for s in found}
    assert sorted(lines) == [8, 13]
    status_fix = lines[8]
    assert status_fix.title == "Refuse deleting a referenced Status as TagDetail does"
    text = _applied(status_fix, views)
    ast.parse(text)
    assert "from django.db.models.deletion import ProtectedError" in text
    assert "from rest_framework import generics, mixins, serializers, status, viewsets" in text
    assert "    def perform_destroy(self, instance):" in text
    assert "            super().perform_destroy(instance)" in text
    assert "        except ProtectedError as error:" in text
    assert "            raise serializers.ValidationError(" in text
    assert '                {"status": "This Status is still referenced by Project rows."}' in text
    assert "            ) from error" in text
    assert "def destroy" not in text
    team = _applied(lines[13], views)
    ast.parse(team)
    assert "        except (ProtectedError, RestrictedError) as error:" in team
    assert "from django.db.models import RestrictedError" in team


def test_a_sibling_that_answers_otherwise_is_not_copied(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    # logged and swallowed: no raise to copy, so the fix answers 409 in ``destroy``
    swallowed = SIBLING.replace(
        """            raise serializers.ValidationError(
                {"tag": "Remove the tag from its projects first."}
            ) from error
""",
        "            instance.archived = True\n",
    )
    (tmp_path / "app" / "tags.py").write_text(swallowed)
    views, found = _app_in(tmp_path, VIEWS)
    status_fix = next(s for s in found if s.span.start.line + 1 == 8)
    assert status_fix.title == "Answer 409 when a referenced Status is deleted"
    assert "def destroy(self, request" in _applied(status_fix, views)


BASES = """\
from rest_framework import viewsets


class FiltersMixin:
    ordering_fields = ["id"]


class DefaultViewSet(FiltersMixin, viewsets.ModelViewSet):
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class ArchivingViewSet(viewsets.ModelViewSet):
    def perform_destroy(self, instance):
        instance.archived = True
        instance.save()
"""

VIEWS_ON_BASES = """\
from .bases import ArchivingViewSet, DefaultViewSet
from .models import Status, Team
from .serializers import StatusSerializer, TeamSerializer


class StatusViewSet(DefaultViewSet):
    queryset = Status.objects.all()
    serializer_class = StatusSerializer


class TeamViewSet(ArchivingViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
"""


def test_a_project_base_in_another_module_is_followed(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "bases.py").write_text(BASES)
    views, found = _app_in(tmp_path, VIEWS_ON_BASES)
    # DefaultViewSet keeps DRF's destroy; ArchivingViewSet decides what a delete does
    assert [s.span.start.line + 1 for s in found] == [7]
    text = _applied(found[0], views)
    ast.parse(text)
    assert "from rest_framework.response import Response" in text
    assert "status=409," in text
