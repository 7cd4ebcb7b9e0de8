"""BKD315 on Django: a unique field set in the view after the form (serializer) validated, so
only the database checks it for a duplicate. Fixtures of our own, after a real event app whose
CreateView set the event from the URL (``unique_together = ("event", "email")``)."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.conf import settings
from django.db import models


class Meetup(models.Model):
    title = models.CharField(max_length=80)


class Seat(models.Model):
    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE)
    email = models.EmailField()
    note = models.CharField(max_length=80, blank=True)

    class Meta:
        unique_together = ("meetup", "email")


class Board(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=40)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="one_name")]


class Comment(models.Model):
    meetup = models.ForeignKey(Meetup, on_delete=models.CASCADE)
    text = models.TextField()
"""

FORMS = """\
from django import forms

from .models import Comment, Seat


class SeatForm(forms.ModelForm):
    class Meta:
        model = Seat
        fields = ("email", "note")


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ("text",)
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Board


class BoardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ("id", "name")
"""

VIEWS = """\
from django.views.generic import CreateView
from rest_framework import viewsets

from .forms import CommentForm, SeatForm
from .models import Board
from .serializers import BoardSerializer


class SeatCreate(CreateView):
    form_class = SeatForm

    def form_valid(self, form):
        form.instance.meetup_id = self.kwargs["pk"]
        return super().form_valid(form)


class CommentCreate(CreateView):
    form_class = CommentForm

    def form_valid(self, form):
        form.instance.meetup_id = self.kwargs["pk"]
        return super().form_valid(form)


class BoardViewSet(viewsets.ModelViewSet):
    queryset = Board.objects.all()
    serializer_class = BoardSerializer

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
"""

# The same creates where the view looks first, catches the error, or finds the row.
VIEWS_SILENT = """\
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.views.generic import CreateView
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from .forms import SeatForm
from .models import Board, Seat
from .serializers import BoardSerializer


class SeatCreate(CreateView):
    form_class = SeatForm

    def form_valid(self, form):
        form.instance.meetup_id = self.kwargs["pk"]
        if Seat.objects.filter(meetup_id=self.kwargs["pk"], email=form.instance.email).exists():
            return HttpResponseRedirect("/already/")
        return super().form_valid(form)


class SeatAgain(CreateView):
    form_class = SeatForm

    def form_valid(self, form):
        form.instance.meetup_id = self.kwargs["pk"]
        try:
            return super().form_valid(form)
        except IntegrityError:
            return self.form_invalid(form)


class BoardViewSet(viewsets.ModelViewSet):
    queryset = Board.objects.all()
    serializer_class = BoardSerializer

    def perform_create(self, serializer):
        name = serializer.validated_data["name"]
        if Board.objects.filter(owner=self.request.user, name=name).exists():
            raise ValidationError("You have a board of that name.")
        serializer.save(owner=self.request.user)
"""


def _app(tmp_path: Path, views: str) -> tuple[Path, list[Suggestion]]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "forms.py").write_text(FORMS)
    (app / "serializers.py").write_text(SERIALIZERS)
    (app / "views.py").write_text(views)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD315"]
    return app / "views.py", found


def _applied(s: Suggestion, path: Path) -> str:
    edits = [TextEdit(e.span, e.new_text) for e in s.edits if e.path == str(path)]
    return apply_edits(path.read_text(), edits)


def test_a_field_set_after_validation_into_a_unique_group(tmp_path: Path) -> None:
    views, found = _app(tmp_path, VIEWS)
    lines = {s.span.start.line + 1: s for s in found}
    # the Comment has no unique group: its CreateView is silent
    assert sorted(lines) == [14, 30]
    seat = lines[14]
    assert "meetup, email are unique together" in seat.rationale
    text = _applied(seat, views)
    ast.parse(text)
    assert "from django.db import IntegrityError, transaction" in text
    assert (
        "        try:\n"
        "            with transaction.atomic():\n"
        "                return super().form_valid(form)\n"
        "        except IntegrityError:\n"
    ) in text
    assert "Seat with this meetup and email already exists." in text
    assert "            return self.form_invalid(form)" in text


def test_perform_create_saves_an_unvalidated_owner(tmp_path: Path) -> None:
    views, found = _app(tmp_path, VIEWS)
    board = next(s for s in found if s.span.start.line + 1 == 30)
    assert "owner, name are unique together" in board.rationale
    text = _applied(board, views)
    ast.parse(text)
    assert "from rest_framework.exceptions import ValidationError" in text
    assert "                serializer.save(owner=self.request.user)" in text
    assert 'raise ValidationError("Board with this owner and name already exists.")' in text


def test_a_lookup_a_catch_or_a_validated_value_is_silent(tmp_path: Path) -> None:
    assert _app(tmp_path, VIEWS_SILENT)[1] == []


# The serializer answers the duplicate itself: ``serializer.save()`` runs its create() (a real
# library app's like, follow and bookmark serializers, after the Code Institute walkthrough).
SERIALIZERS_CATCHING = """\
from django.db import IntegrityError
from rest_framework import serializers

from .models import Board


class BoardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Board
        fields = ("id", "name")

    def create(self, validated_data):
        try:
            return super().create(validated_data)
        except IntegrityError:
            raise serializers.ValidationError({"detail": "possible duplication"})
"""


def test_a_serializer_whose_create_catches_the_duplicate_is_silent(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "serializers.py").write_text(SERIALIZERS_CATCHING)
    views = VIEWS.replace("from django.views.generic import CreateView\n", "")
    views = views[views.index("from rest_framework") :]
    views = (
        "from rest_framework import viewsets\n\nfrom .models import Board\n"
        + views[views.index("from .serializers") :]
    )
    views = views[: views.index("class SeatCreate")] + views[views.index("class BoardViewSet") :]
    app = tmp_path / "app"
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "views.py").write_text(views)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    assert "def perform_create" in views and "BoardSerializer" in views
    assert [s for s in collect([str(tmp_path)]) if s.code == "BKD315"] == []
    # the same view over the plain serializer is answered: the catch is what silences it
    (app / "serializers.py").write_text(SERIALIZERS)
    assert [s.span.start.line + 1 for s in collect([str(tmp_path)]) if s.code == "BKD315"] != []
