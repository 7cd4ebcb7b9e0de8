"""BKD306 on a request helper a DRF permission already tested (round 33, a Django API): the
view's ``@permission_classes([HasSessionActive])`` denies unless ``get_active_session(request)``
is truthy, so the view's ``get_active_session(request).user`` cannot meet None, nor can a
``get_request_user(request)`` whose None comes only from that helper and its sibling the
permission also accepts (``HasSessionOrTokenActive``). A module function only such views call
with their request is as guarded. A helper no permission tested, a permission that grants
reads unchecked or on something else, and a view without one keep the advice.

Also: one value used twice on one statement is one suggestion whose edit names both, and a
None whose first use is a ``.get`` whose DoesNotExist the view already answers is silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from django.conf import settings
from django.db import models


class Org(models.Model):
    name = models.CharField(max_length=40)


class Member(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)


class Profile(models.Model):
    org = models.ForeignKey(Org, on_delete=models.CASCADE)
    name = models.CharField(max_length=40)
"""

AUTH = """\
from .models import Member


def get_active_session(request):
    if hasattr(request, "active_session"):
        return getattr(request, "active_session")
    return None


def get_active_token(request):
    if hasattr(request, "active_token"):
        return getattr(request, "active_token")
    return None


def get_active_device(request):
    if hasattr(request, "active_device"):
        return getattr(request, "active_device")
    return None


def get_request_user(request):
    if request.headers.get("X-Requested-By") == "web":
        session = get_active_session(request)
        if session is not None:
            return session.user
    app_token = get_active_token(request)
    if app_token is not None:
        return app_token.user
    return None


def get_user_org(user):
    try:
        member = Member.objects.select_related("org").get(user=user)
        return member.org
    except Member.DoesNotExist:
        return None
"""

PERMISSIONS = """\
from rest_framework import permissions

from .auth import get_active_session, get_active_token


class HasSessionActive(permissions.BasePermission):
    def has_permission(self, request, view):
        session = get_active_session(request)
        return True if session and session.user.is_active else False


class HasSessionOrTokenActive(permissions.BasePermission):
    def has_permission(self, request, view):
        session = get_active_session(request)
        token = get_active_token(request)
        return True if (session and session.user.is_active) or (token and token.user.is_active) else False


class SessionOrReads(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return get_active_session(request) is not None


class SessionOrStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return get_active_session(request) is not None or request.user.is_staff
"""

VIEWS = """\
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response
from rest_framework.views import APIView

from .auth import get_active_device, get_active_session, get_active_token, get_request_user
from .auth import get_user_org
from .models import Profile
from .permissions import HasSessionActive, HasSessionOrTokenActive, SessionOrReads
from .permissions import SessionOrStaff


def forget(user, key):
    return (user, key)


@api_view(["GET"])
@permission_classes([HasSessionActive])
def whoami(request):
    return Response({"email": get_active_session(request).user.email})


@api_view(["GET"])
def whoami_open(request):
    return Response({"email": get_active_session(request).user.email})


@api_view(["GET"])
@permission_classes([HasSessionActive])
def device(request):
    return Response({"name": get_active_device(request).name})


@api_view(["GET"])
@permission_classes([SessionOrReads])
def reads(request):
    return Response({"email": get_active_session(request).user.email})


@api_view(["GET"])
@permission_classes([SessionOrStaff])
def staff(request):
    return Response({"email": get_active_session(request).user.email})


@api_view(["GET"])
@permission_classes([HasSessionOrTokenActive])
def me(request):
    user = get_request_user(request)
    return Response({"email": user.email})


@api_view(["POST"])
@permission_classes([HasSessionOrTokenActive])
def logout(request):
    forget(get_active_token(request).user, get_active_token(request).id)
    return Response(status=200)


@api_view(["POST"])
def logout_open(request):
    forget(get_active_token(request).user, get_active_token(request).id)
    return Response(status=200)


@api_view(["POST"])
@permission_classes([HasSessionOrTokenActive])
def create_mine(request):
    return _create(request)


@api_view(["POST"])
@permission_classes([HasSessionOrTokenActive])
def create_any(request):
    return _create(request)


def _create(request):
    created_by = get_request_user(request)
    return Response({"by": created_by.id})


@api_view(["POST"])
@permission_classes([HasSessionActive])
def share_mine(request):
    return _share(request)


@api_view(["POST"])
def share_open(request):
    return _share(request)


def _share(request):
    created_by = get_request_user(request)
    return Response({"by": created_by.id})


class ProfileView(APIView):
    permission_classes = [HasSessionOrTokenActive]

    def put(self, request):
        org = get_user_org(get_request_user(request))
        try:
            profile = Profile.objects.get(org=org)
            profile.name = org.name
            profile.save()
            return Response({"id": profile.id})
        except Profile.DoesNotExist:
            return Response({"detail": "no profile"}, status=404)

    def post(self, request):
        org = get_user_org(get_request_user(request))
        taken = Profile.objects.filter(org=org).exists()
        if taken:
            return Response(status=400)
        profile = Profile.objects.create(org=org, name=org.name)
        return Response({"id": profile.id})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("whoami/", views.whoami),
    path("whoami-open/", views.whoami_open),
    path("device/", views.device),
    path("reads/", views.reads),
    path("staff/", views.staff),
    path("me/", views.me),
    path("logout/", views.logout),
    path("logout-open/", views.logout_open),
    path("create-mine/", views.create_mine),
    path("create-any/", views.create_any),
    path("share-mine/", views.share_mine),
    path("share-open/", views.share_open),
    path("profile/", views.ProfileView.as_view()),
]
"""


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("permission_helper_rows")
    app = root / "accounts"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("auth.py", AUTH),
        ("permissions.py", PERMISSIONS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = collect([str(root)], ["error-handling"])
    return app, [s for s in found if s.code == "BKD306"]


def _line(text: str) -> int:
    return next(i for i, line in enumerate(VIEWS.splitlines(), 1) if text in line)


def test_a_helper_the_permission_tested_is_not_reported(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    _, found = reviewed
    lines = [s.span.start.line + 1 for s in found]
    body = VIEWS.splitlines()
    shown = sorted((n, body[n - 1].strip()) for n in lines)
    assert shown == sorted(
        [
            # no permission at all
            (
                _line("def whoami_open") + 1,
                'return Response({"email": get_active_session(request).user.email})',
            ),
            # the permission tested the session, not the device
            (
                _line("def device") + 1,
                'return Response({"name": get_active_device(request).name})',
            ),
            # reads pass unchecked; the staff pass without a session
            (
                _line("def reads") + 1,
                'return Response({"email": get_active_session(request).user.email})',
            ),
            (
                _line("def staff") + 1,
                'return Response({"email": get_active_session(request).user.email})',
            ),
            # once, for the two uses on one statement
            (
                _line("def logout_open") + 1,
                "forget(get_active_token(request).user, get_active_token(request).id)",
            ),
            # ``_share`` is called from an unguarded view too
            (_line("def _share") + 1, "created_by = get_request_user(request)"),
            # the org's first use is a filter: ``org.name`` is reached with None
            (
                _line("def post(self, request)") + 1,
                "org = get_user_org(get_request_user(request))",
            ),
        ]
    )


def test_one_value_used_twice_on_a_statement_is_one_fix(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    _, found = reviewed
    line = _line("def logout_open") + 1
    (fix,) = [s for s in found if s.span.start.line + 1 == line]
    assert [e.new_text for e in fix.edits if e.new_text == "active_token"] == ["active_token"] * 2
    (text,) = apply_suggestion(fix).values()
    compile(text, "views.py", "exec")
    assert "    forget(active_token.user, active_token.id)\n" in text
    assert text.count("active_token = get_active_token(request)") == 1
