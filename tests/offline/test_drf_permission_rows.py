"""A DRF view's permission class that grants only when the view's row exists has proved it:
``@permission_classes([IsMember])`` whose ``has_permission`` is ``request.user in
view.team.members.all()`` (or ``Membership.objects.filter(...).exists()``) runs before the
handler, so the handler's ``Membership.objects.get(team=self.team, user=request.user)`` cannot
raise DoesNotExist and get_object_or_404 there is noise (judged so on a real team app). A
permission on another model or other keys, one that grants reads without the check, an
``A | B`` and a check in ``has_object_permission`` prove nothing and the advice stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=40)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    unread = models.IntegerField(default=0)


class Board(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
"""

PERMISSIONS = """\
from rest_framework import permissions

from .models import Board, Membership


class IsMember(permissions.BasePermission):
    def has_permission(self, request, view):
        team = view.team
        if request.user in team.members.all():
            return True
        else:
            return False


class IsMemberOfUrlTeam(permissions.BasePermission):
    def has_permission(self, request, view):
        if not Membership.objects.filter(
            team_id=view.kwargs["team_pk"], user=request.user
        ).exists():
            return False
        return True


class ReadsOrMember(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user in view.team.members.all()


class OnBoard(permissions.BasePermission):
    def has_permission(self, request, view):
        return Board.objects.filter(team=view.team, user=request.user).exists()


class IsOwner(permissions.BasePermission):
    def has_permission(self, request, view):
        return view.team.owner == request.user


class MemberObject(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        return request.user in obj.members.all()
"""

VIEWS = """\
from rest_framework import generics
from rest_framework.decorators import permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import *
from .permissions import *
from .utils import find_membership, get_membership


class TeamScoped(APIView):
    def initial(self, request, *args, **kwargs):
        self.team = Team.objects.filter(pk=kwargs.get("team_pk")).first()
        self.user = request.user
        super().initial(request, *args, **kwargs)


@permission_classes([IsMember])
class Unread(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user=self.user)
        return Response({"unread": member.unread})


class ReadAll(generics.ListAPIView):
    permission_classes = [IsAuthenticated, IsMember]

    def initial(self, request, *args, **kwargs):
        self.team = Team.objects.filter(pk=kwargs.get("team_pk")).first()
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        member = Membership.objects.get(team=self.team, user=self.request.user)
        member.unread = 0
        member.save()
        return Team.objects.filter(pk=self.team.pk)


@permission_classes([ReadsOrMember])
class ReadsToo(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user=request.user)
        return Response({"unread": member.unread})


@permission_classes([OnBoard])
class BoardOnly(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user=request.user)
        return Response({"unread": member.unread})


@permission_classes([IsMember])
class OtherMember(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user_id=self.kwargs["user_pk"])
        return Response({"unread": member.unread})


@permission_classes([IsMember | IsOwner])
class MemberOrOwner(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user=request.user)
        return Response({"unread": member.unread})


@permission_classes([MemberObject])
class ObjectChecked(TeamScoped):
    def get(self, request, *args, **kwargs):
        member = Membership.objects.get(team=self.team, user=request.user)
        return Response({"unread": member.unread})
"""

UTILS = """\
from rest_framework import status
from rest_framework.exceptions import APIException

from .models import Membership


class MembershipNotFound(APIException):
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "not a member of this team"


def get_membership(team, user):
    try:
        return Membership.objects.get(team=team, user=user)
    except Membership.DoesNotExist:
        raise MembershipNotFound()


def find_membership(team, user):
    try:
        return Membership.objects.get(team=team, user=user)
    except Membership.DoesNotExist:
        return None
"""

API = """\
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from .models import Membership
from .permissions import IsMemberOfUrlTeam


@api_view(["GET"])
@permission_classes([IsMemberOfUrlTeam])
def unread(request, team_pk):
    member = Membership.objects.get(team_id=team_pk, user=request.user)
    return Response({"unread": member.unread})


@api_view(["GET"])
@permission_classes([IsMemberOfUrlTeam])
def unread_of(request, team_pk, user_pk):
    member = Membership.objects.get(team_id=team_pk, user_id=user_pk)
    return Response({"unread": member.unread})
"""

URLS = """\
from django.urls import path

from . import api, views

urlpatterns = [
    path("t/<int:team_pk>/unread/", views.Unread.as_view()),
    path("t/<int:team_pk>/read/", views.ReadAll.as_view()),
    path("t/<int:team_pk>/reads/", views.ReadsToo.as_view()),
    path("t/<int:team_pk>/board/", views.BoardOnly.as_view()),
    path("t/<int:team_pk>/m/<int:user_pk>/", views.OtherMember.as_view()),
    path("t/<int:team_pk>/either/", views.MemberOrOwner.as_view()),
    path("t/<int:team_pk>/object/", views.ObjectChecked.as_view()),
    path("f/<int:team_pk>/", api.unread),
    path("f/<int:team_pk>/<int:user_pk>/", api.unread_of),
]
"""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("drf_permission_rows")
    app = root / "teams"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("permissions.py", PERMISSIONS),
        ("views.py", VIEWS),
        ("utils.py", UTILS),
        ("api.py", API),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = collect([str(root)], ["error-handling"])
    return app, [s for s in found if s.code == "BKD304"]


def test_a_row_the_permission_proved_is_not_reported(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    _, found = reviewed
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [
        ("api.py", 18),  # ``unread_of``: by another user than the signed-in one
        ("views.py", 43),  # ``ReadsToo``: its permission grants every GET unchecked
        ("views.py", 50),  # ``BoardOnly``: its permission checked Board, not Membership
        ("views.py", 57),  # ``OtherMember``: by the URL's user, not the permission's
        ("views.py", 64),  # ``MemberOrOwner``: an owner passes without the row
        ("views.py", 71),  # ``ObjectChecked``: has_object_permission, not before get()
    ]


def test_the_fix_calls_the_apps_own_404_helper_the_module_imports(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    _, found = reviewed
    by_line = {(Path(s.path).name, s.span.start.line + 1): s for s in found}
    # views.py imports ``get_membership``, which 404s on this very lookup (``find_membership``
    # returns None instead: no fix of a 500)
    board = by_line[("views.py", 50)]
    assert board.title == "Use get_membership for Membership"
    assert [e.new_text for e in board.edits] == ["get_membership(self.team, request.user)"]
    # ``OtherMember`` looks up by ``user_id``, a key the helper does not take
    assert by_line[("views.py", 57)].title == "Use get_object_or_404 for Membership"
    # api.py imports no helper
    assert by_line[("api.py", 18)].title == "Use get_object_or_404 for Membership"
