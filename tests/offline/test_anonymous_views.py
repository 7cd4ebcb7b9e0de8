"""BKD327: a DRF class view with no permission_classes, in a project whose settings let anyone
in by default, uses request.user as a signed-in user (a real shop's ``/user/me/`` returned
``self.request.user`` from get_object() and its logout ran ``request.user.auth_token.delete()``,
both a 500 for an anonymous client; judged a must). Silent twins: a view that tests
is_authenticated, one with permission_classes (or an @action with its own), one reading only
what AnonymousUser has, a base class completed by a subclass, a library base
(ObtainAuthToken), a try that catches the failure, a urls.py that wraps as_view() in
login_required, the view's own authentication_classes; and whole projects whose settings
require more (DEFAULT_PERMISSION_CLASSES, an authenticator of the project's), or with no
manage.py to read settings from."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

SETTINGS = """\
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
    ],
}
"""

MODELS = """\
from django.conf import settings
from django.db import models


class Order(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
"""

SERIALIZERS = """\
from django.contrib.auth.models import User
from rest_framework import serializers

from .models import Order


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["email", "first_name"]


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id"]
"""

VIEWS = """\
from rest_framework import generics, permissions, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Order
from .serializers import OrderSerializer, UserSerializer


class MeView(generics.RetrieveUpdateAPIView):
    \"\"\"The signed-in user's own account.\"\"\"

    serializer_class = UserSerializer

    def get_object(self):
        return self.request.user


class LogOutView(APIView):
    def post(self, request):
        request.user.auth_token.delete()
        return Response(status=204)


class OrderList(generics.ListCreateAPIView):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return Order.objects.filter(user=self.request.user)

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)


class PasswordView(APIView):
    def post(self, request):
        user = request.user
        if not user.check_password(request.data["old"]):
            return Response(status=400)
        return Response(status=204)


class GuardedView(APIView):
    def get(self, request):
        if not request.user.is_authenticated:
            return Response(status=401)
        return Response({"email": request.user.email})


class StaffOrders(generics.ListAPIView):
    permission_classes = [permissions.IsAdminUser]
    serializer_class = OrderSerializer

    def get_queryset(self):
        return Order.objects.filter(user=self.request.user)


class PublicView(APIView):
    def get(self, request):
        return Response({"staff": request.user.is_staff, "id": request.user.pk})


class OwnedOrders(generics.ListAPIView):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return Order.objects.filter(user=self.request.user)


class MyOrders(OwnedOrders):
    permission_classes = [permissions.IsAuthenticated]


class TokenLogin(ObtainAuthToken):
    def get(self, request):
        return Response({"email": request.user.email})


class CaughtView(APIView):
    def get(self, request):
        try:
            email = request.user.email
        except AttributeError:
            email = None
        return Response({"email": email})


class AccountViewSet(viewsets.ViewSet):
    @action(detail=False, permission_classes=[permissions.IsAuthenticated])
    def me(self, request):
        return Response({"email": request.user.email})


class WrappedView(APIView):
    def get(self, request):
        return Response({"email": request.user.email})


class OwnAuthView(APIView):
    authentication_classes = []

    def get(self, request):
        return Response({"email": request.user.email})
"""

URLS = """\
from django.contrib.auth.decorators import login_required
from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeView.as_view()),
    path("logout/", views.LogOutView.as_view()),
    path("orders/", views.OrderList.as_view()),
    path("password/", views.PasswordView.as_view()),
    path("wrapped/", login_required(views.WrappedView.as_view())),
]
"""


def _project(tmp_path: Path, settings: str = SETTINGS) -> Path:
    (tmp_path / "manage.py").write_text("import sys\n")
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text(settings)
    app = tmp_path / "accounts"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("serializers.py", SERIALIZERS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted((s for s in found if s.code == "BKD327"), key=lambda s: s.span.start.line)


def test_views_using_an_anonymous_user_require_authentication(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("views.py", 17, "Require an authenticated user in MeView"),
        ("views.py", 22, "Require an authenticated user in LogOutView"),
        ("views.py", 30, "Require an authenticated user in OrderList"),
        ("views.py", 39, "Require an authenticated user in PasswordView"),
    ]
    me, logout, orders, password = ours
    assert "`get_object()` returns AnonymousUser" in me.rationale
    assert "`request.user.auth_token` raises AttributeError" in logout.rationale
    assert (
        "`Order.objects.filter(user=self.request.user)` raises TypeError (AnonymousUser is no "
        "row to look up by); `serializer.save(user=self.request.user)` raises ValueError"
    ) in orders.rationale
    assert "`user.check_password(...)` raises NotImplementedError" in password.rationale
    text = apply_suggestion(me)[str(app / "views.py")]
    assert (
        '    """The signed-in user\'s own account."""\n\n'
        "    permission_classes = [permissions.IsAuthenticated]\n"
        "    serializer_class = UserSerializer\n"
    ) in text
    compile(text, "views.py", "exec")
    logout = next(s for s in _ours(tmp_path) if "LogOutView" in s.title)  # positions anew
    text = apply_suggestion(logout)[str(app / "views.py")]
    assert (
        "class LogOutView(APIView):\n"
        "    permission_classes = [permissions.IsAuthenticated]\n\n"
        "    def post(self, request):\n"
    ) in text
    compile(text, "views.py", "exec")
    left = [s.title for s in _ours(tmp_path)]
    assert left == [
        "Require an authenticated user in OrderList",
        "Require an authenticated user in PasswordView",
    ]


def test_the_import_follows_the_modules_style(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "views.py").write_text(
        "from rest_framework.response import Response\n"
        "from rest_framework.views import APIView\n\n\n"
        "class LogOutView(APIView):\n"
        "    def post(self, request):\n"
        "        request.user.auth_token.delete()\n"
        "        return Response(status=204)\n"
    )
    ours = _ours(tmp_path)
    assert [s.span.start.line + 1 for s in ours] == [7]
    text = apply_suggestion(ours[0])[str(app / "views.py")]
    assert "from rest_framework.permissions import IsAuthenticated\n" in text
    assert "    permission_classes = [IsAuthenticated]\n\n    def post" in text
    compile(text, "views.py", "exec")


def test_allow_any_as_the_default_still_lets_anyone_in(tmp_path: Path) -> None:
    _project(
        tmp_path,
        'REST_FRAMEWORK = {\n    "DEFAULT_PERMISSION_CLASSES": '
        '["rest_framework.permissions.AllowAny"],\n}\n',
    )
    assert len(_ours(tmp_path)) == 4


def test_silent_when_the_settings_require_more(tmp_path: Path) -> None:
    _project(
        tmp_path,
        'REST_FRAMEWORK = {\n    "DEFAULT_PERMISSION_CLASSES": (\n'
        '        "rest_framework.permissions.IsAuthenticated",\n    ),\n}\n',
    )
    assert _ours(tmp_path) == []


def test_silent_when_the_projects_authenticator_may_refuse_anonymous_requests(
    tmp_path: Path,
) -> None:
    _project(
        tmp_path,
        'REST_FRAMEWORK = {\n    "DEFAULT_AUTHENTICATION_CLASSES": '
        '["accounts.auth.HeaderAuthentication"],\n}\n',
    )
    assert _ours(tmp_path) == []


def test_silent_when_a_setting_elsewhere_in_the_project_requires_more(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "config" / "rest.py").write_text(
        'REST = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}\n'
    )
    assert _ours(tmp_path) == []


def test_silent_with_no_settings_to_read(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "manage.py").unlink()
    assert _ours(tmp_path) == []
