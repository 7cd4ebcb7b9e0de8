"""BKD327 on a view whose own permission_classes let anonymous clients in: a real contact
form's ``ListCreateAPIView`` listed only ``IsOwnerOrReadOnly`` (a BasePermission with
``has_object_permission`` alone) and saved ``owner=self.request.user`` in perform_create, so
an anonymous POST was a ValueError, a 500 (judged a must). Also AllowAny, a project base in
between, a tuple and a list written one entry a line, and a ``get_queryset`` (read on every
GET: IsAuthenticated, not ...OrReadOnly). Silent twins: a class with ``has_permission``, one
over DRF's IsAuthenticated, one not resolved, a composed ``A | B``, a generic view's update
(get_object() checks the object first), a handler that gets the object itself, a view with
its own authenticators, a list that is no literal, and a project whose authenticator may
refuse anonymous requests."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

# The authenticator is chosen by the environment, as the real app's settings did.
SETTINGS = """\
import os

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [(
        "rest_framework.authentication.SessionAuthentication"
        if "DEV" in os.environ
        else "dj_rest_auth.jwt_auth.JWTCookieAuthentication"
    )],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
"""

PERMISSIONS = """\
from rest_framework import permissions
from rest_framework.permissions import BasePermission


class IsOwnerOrReadOnly(permissions.BasePermission):
    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner == request.user


class OwnedBase(BasePermission):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user


class IsOwner(OwnedBase):
    message = "Only the owner may do that."


class SignedInOwner(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated

    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user


class AuthenticatedOwner(permissions.IsAuthenticated):
    def has_object_permission(self, request, view, obj):
        return obj.owner == request.user
"""

MODELS = """\
from django.conf import settings
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    text = models.TextField()
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "text"]
"""

VIEWS = """\
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import HasAPIKey

from config.permissions import AuthenticatedOwner, IsOwner, IsOwnerOrReadOnly, SignedInOwner

from .models import Note
from .serializers import NoteSerializer

OPEN = [IsOwnerOrReadOnly]


class ContactList(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class MyNotes(generics.ListAPIView):
    serializer_class = NoteSerializer
    permission_classes = (IsOwner,)

    def get_queryset(self):
        return Note.objects.filter(owner=self.request.user)


class OpenNotes(generics.CreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [permissions.AllowAny]

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class LongNotes(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [
        IsOwnerOrReadOnly,  # reads for all
    ]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class Guarded(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [SignedInOwner]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class OverAuthenticated(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [AuthenticatedOwner]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class Keyed(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [HasAPIKey]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class Composed(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly | permissions.IsAdminUser]
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class NoteDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly]
    queryset = Note.objects.all()

    def perform_update(self, serializer):
        serializer.save(owner=self.request.user)


class NoteEdit(APIView):
    permission_classes = [IsOwnerOrReadOnly]

    def get_object(self, pk):
        note = Note.objects.get(pk=pk)
        self.check_object_permissions(self.request, note)
        return note

    def put(self, request, pk):
        note = self.get_object(pk)
        note.editor = request.user.email
        return Response({"id": note.pk})


class OwnAuthenticators(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = [IsOwnerOrReadOnly]
    authentication_classes = []
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)


class Shared(generics.ListCreateAPIView):
    serializer_class = NoteSerializer
    permission_classes = OPEN
    queryset = Note.objects.all()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
"""


def _project(tmp_path: Path, settings: str = SETTINGS) -> Path:
    (tmp_path / "manage.py").write_text("import sys\n")
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text(settings)
    (config / "permissions.py").write_text(PERMISSIONS)
    app = tmp_path / "notes"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("serializers.py", SERIALIZERS),
        ("views.py", VIEWS),
    ]:
        (app / name).write_text(text)
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted((s for s in found if s.code == "BKD327"), key=lambda s: s.span.start.line)


def test_permission_classes_that_admit_anonymous_clients(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        (20, "Require an authenticated user in ContactList"),
        (28, "Require an authenticated user in MyNotes"),
        (36, "Require an authenticated user in OpenNotes"),
        (47, "Require an authenticated user in LongNotes"),
    ]
    contact, mine, open_, long_ = ours
    assert (
        "`ContactList` lists only `IsOwnerOrReadOnly`, which decides only per object "
        "(`has_object_permission`"
    ) in contact.rationale
    assert "`serializer.save(owner=self.request.user)` raises ValueError" in contact.rationale
    assert "`IsAuthenticatedOrReadOnly` first" in contact.rationale
    assert "Reads stay public" in contact.rationale
    assert "`IsOwner`, which decides only per object" in mine.rationale
    assert "`IsAuthenticated` first" in mine.rationale and "Reads stay" not in mine.rationale
    assert "`permissions.AllowAny`, which lets everyone in" in open_.rationale
    views = app / "views.py"
    text = apply_suggestion(contact)[str(views)]
    assert (
        "    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]\n"
    ) in text
    compile(text, "views.py", "exec")
    views.write_text(VIEWS)
    text = apply_suggestion(mine)[str(views)]
    assert "    permission_classes = (permissions.IsAuthenticated, IsOwner)\n" in text
    views.write_text(VIEWS)
    text = apply_suggestion(open_)[str(views)]
    assert "    permission_classes = [permissions.IsAuthenticatedOrReadOnly]\n" in text
    views.write_text(VIEWS)
    text = apply_suggestion(long_)[str(views)]
    assert (
        "    permission_classes = [\n"
        "        permissions.IsAuthenticatedOrReadOnly,\n"
        "        IsOwnerOrReadOnly,  # reads for all\n"
        "    ]\n"
    ) in text
    compile(text, "views.py", "exec")
    views.write_text(VIEWS)


def test_the_fix_imports_the_class_as_the_module_does(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "views.py").write_text(
        "from rest_framework import generics\n\n"
        "from config.permissions import IsOwnerOrReadOnly\n\n"
        "from .serializers import NoteSerializer\n\n\n"
        "class NoteList(generics.ListCreateAPIView):\n"
        "    serializer_class = NoteSerializer\n"
        "    permission_classes = [IsOwnerOrReadOnly]\n\n"
        "    def perform_create(self, serializer):\n"
        "        serializer.save(owner=self.request.user)\n"
    )
    ours = _ours(tmp_path)
    assert [s.span.start.line + 1 for s in ours] == [13]
    text = apply_suggestion(ours[0])[str(app / "views.py")]
    assert "from rest_framework.permissions import IsAuthenticatedOrReadOnly\n" in text
    assert "    permission_classes = [IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]\n" in text
    compile(text, "views.py", "exec")


def test_silent_when_the_projects_authenticator_may_refuse_anonymous_requests(
    tmp_path: Path,
) -> None:
    _project(
        tmp_path,
        'REST_FRAMEWORK = {\n    "DEFAULT_AUTHENTICATION_CLASSES": '
        '["config.auth.HeaderAuthentication"],\n}\n',
    )
    assert _ours(tmp_path) == []


def test_silent_when_the_cookie_authenticator_checks_csrf_first(tmp_path: Path) -> None:
    _project(tmp_path, SETTINGS + "JWT_AUTH_COOKIE_ENFORCE_CSRF_ON_UNAUTHENTICATED = True\n")
    assert _ours(tmp_path) == []


def test_an_empty_list_and_a_viewsets_post_action(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "views.py").write_text(
        "from rest_framework import viewsets\n"
        "from rest_framework.decorators import action\n"
        "from rest_framework.response import Response\n\n"
        "from .models import Note\n"
        "from .serializers import NoteSerializer\n\n\n"
        "class NoteViewSet(viewsets.ModelViewSet):\n"
        "    serializer_class = NoteSerializer\n"
        "    permission_classes = []\n"
        "    queryset = Note.objects.all()\n\n"
        '    @action(detail=False, methods=["post"])\n'
        "    def pin(self, request):\n"
        "        Note.objects.create(owner=request.user, text=request.data['text'])\n"
        "        return Response(status=201)\n\n"
        "    def perform_update(self, serializer):\n"
        "        serializer.save(owner=self.request.user)\n"
    )
    ours = _ours(tmp_path)
    assert [s.span.start.line + 1 for s in ours] == [16]
    assert "`NoteViewSet` lists no class in its `permission_classes`" in ours[0].rationale
    text = apply_suggestion(ours[0])[str(app / "views.py")]
    assert "from rest_framework.permissions import IsAuthenticatedOrReadOnly\n" in text
    assert "    permission_classes = [IsAuthenticatedOrReadOnly]\n" in text
    compile(text, "views.py", "exec")
