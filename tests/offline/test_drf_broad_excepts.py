"""BKD312 in Django REST framework views: ``serializer.is_valid(raise_exception=True)``,
``self.get_object()`` of a generic view and ``raise PermissionDenied`` / ``NotFound`` inside
``try: ... except Exception: return Response(..., status=500)`` answer the client's mistake
with a 500 (a real app's password reset: a weak password came back as "Error resetting
password", 500, judged a must). The fix lets the classes raised through first, as the module
names them. Silent twins: a broad except that re-raises or answers 400, a handler for the
class first, a ``try`` inside that takes it, ``is_valid()`` with no raise, Django's own
ValidationError, a get_object of the class's own that 404s on nothing."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class Note(models.Model):
    owner = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    text = models.TextField()
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Note


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "text"]


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(min_length=12)
"""

# A view module whose ValidationError is free: the fix imports DRF's.
VIEWS = """\
import logging

from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Note
from .serializers import NoteSerializer, PasswordSerializer

logger = logging.getLogger(__name__)


class PasswordView(APIView):
    def post(self, request):
        serializer = PasswordSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
            request.user.set_password(serializer.validated_data["password"])
            request.user.save()
            return Response({"ok": True})
        except Exception as e:
            logger.error("could not set the password: %s", e)
            return Response({"error": "failed"}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


class PasswordReraised(APIView):
    def post(self, request):
        serializer = PasswordSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
            request.user.save()
            return Response({"ok": True})
        except Exception:
            logger.exception("could not set the password")
            raise


class PasswordAnswered400(APIView):
    def post(self, request):
        serializer = PasswordSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
            request.user.save()
            return Response({"ok": True})
        except Exception as e:
            return Response({"error": str(e)}, status=status.HTTP_400_BAD_REQUEST)


class PasswordUnraised(APIView):
    def post(self, request):
        serializer = PasswordSerializer(data=request.data)
        try:
            if not serializer.is_valid():
                return Response(serializer.errors, status=400)
            request.user.save()
            return Response({"ok": True})
        except Exception:
            return Response({"error": "failed"}, status=500)


class NoteDetail(generics.RetrieveAPIView):
    queryset = Note.objects.all()
    serializer_class = NoteSerializer

    def post(self, request, pk):
        try:
            note = self.get_object()
            note.text = request.data.get("text", "")
            note.save()
            return Response({"id": note.pk})
        except Exception as e:
            return Response({"error": str(e)}, status=500)


class NoteLoose(generics.RetrieveAPIView):
    serializer_class = NoteSerializer

    def get_object(self):
        return Note.objects.filter(pk=self.kwargs["pk"]).first()

    def post(self, request, pk):
        try:
            note = self.get_object()
            return Response({"id": note.pk})
        except Exception:
            return Response({"error": "failed"}, status=500)
"""

# A module that spells DRF's errors through ``serializers`` and ``exceptions``.
SPELLED = """\
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Note
from .serializers import NoteSerializer


class NoteEdit(APIView):
    def put(self, request, pk):
        try:
            note = Note.objects.filter(pk=pk).first()
            if note is None or note.owner_id != request.user.id:
                raise PermissionDenied("not yours")
            serializer = NoteSerializer(note, data=request.data)
            serializer.is_valid(raise_exception=True)
            serializer.save()
            return Response(serializer.data)
        except Exception as e:
            return Response({"error": str(e)}, status=500)


class NoteTaken(APIView):
    def put(self, request, pk):
        try:
            note = Note.objects.filter(pk=pk).first()
            serializer = NoteSerializer(note, data=request.data)
            serializer.is_valid(raise_exception=True)
            serializer.save()
            return Response(serializer.data)
        except serializers.ValidationError as e:
            return Response(e.detail, status=400)
        except Exception as e:
            return Response({"error": str(e)}, status=500)


class NoteInner(APIView):
    def put(self, request, pk):
        try:
            note = Note.objects.filter(pk=pk).first()
            serializer = NoteSerializer(note, data=request.data)
            try:
                serializer.is_valid(raise_exception=True)
            except serializers.ValidationError:
                return Response(serializer.errors, status=400)
            serializer.save()
            return Response(serializer.data)
        except Exception as e:
            return Response({"error": str(e)}, status=500)
"""

# Plain Django views: its PermissionDenied is a 403, its ValidationError a 500 already.
DJANGO = """\
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseServerError, JsonResponse

from .models import Note


def note_text(request, pk):
    try:
        note = Note.objects.filter(pk=pk).first()
        if note is None or note.owner_id != request.user.id:
            raise PermissionDenied
        return JsonResponse({"text": note.text})
    except Exception:
        return HttpResponseServerError("failed")


def note_check(request, pk):
    try:
        note = Note.objects.filter(pk=pk).first()
        if note is None:
            raise ValidationError("no note")
        return JsonResponse({"text": note.text})
    except Exception:
        return HttpResponseServerError("failed")
"""

URLS = """\
from django.urls import path

from . import plain

urlpatterns = [path("notes/<int:pk>/", plain.note_text), path("c/<int:pk>/", plain.note_check)]
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "notes"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("serializers.py", SERIALIZERS),
        ("views.py", VIEWS),
        ("spelled.py", SPELLED),
        ("plain.py", DJANGO),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return app


def test_drf_client_errors_inside_a_broad_except_are_let_through(tmp_path: Path) -> None:
    app = _project(tmp_path)
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD312"]
    got = sorted((Path(s.path).name, s.span.start.line + 1, s.title) for s in found)
    assert got == [
        ("plain.py", 13, "Let the 403 through the broad except of note_text"),
        ("spelled.py", 20, "Let the 403/400 through the broad except of put"),
        ("views.py", 21, "Let the 400 through the broad except of post"),
        ("views.py", 71, "Let the 404 through the broad except of post"),
    ]
    by_place = {(Path(s.path).name, s.span.start.line + 1): s for s in found}

    password = by_place[("views.py", 21)]
    assert "`serializer.is_valid(raise_exception=True)` (line 17) answers invalid input" in (
        password.rationale
    )
    assert "5xx for its own mistake" in password.rationale
    text = apply_suggestion(password)[str(app / "views.py")]
    assert "from rest_framework.exceptions import ValidationError\n" in text
    assert (
        '            return Response({"ok": True})\n'
        "        except ValidationError:\n            raise\n"
        "        except Exception as e:\n"
    ) in text
    compile(text, "views.py", "exec")


def test_get_object_and_spelled_errors_are_let_through_by_their_names(tmp_path: Path) -> None:
    app = _project(tmp_path)
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD312"]
    by_place = {(Path(s.path).name, s.span.start.line + 1): s for s in found}

    detail = by_place[("views.py", 71)]
    assert "`self.get_object()` (line 67) answers a missing row with a 404" in detail.rationale
    text = apply_suggestion(detail)[str(app / "views.py")]
    assert "from django.http import Http404\n" in text
    assert "        except Http404:\n            raise\n        except Exception as e:\n" in text
    compile(text, "views.py", "exec")

    edit = by_place[("spelled.py", 20)]
    assert "(1 more in it: 400)" in edit.rationale
    text = apply_suggestion(edit)[str(app / "spelled.py")]
    assert "import" not in "".join(e.new_text for e in edit.edits)  # both already bound
    assert (
        "        except (PermissionDenied, serializers.ValidationError):\n            raise\n"
    ) in text
    compile(text, "spelled.py", "exec")

    plain = by_place[("plain.py", 13)]
    assert plain.edits[-1].new_text == "    except PermissionDenied:\n        raise\n"
