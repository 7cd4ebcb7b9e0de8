"""BKD324: a DRF serializer's create() runs a model's own validation, which raises Django's
ValidationError, a 500 (a real app's RouteSerializer called ``route.clean()`` in create(), and
its OrderSerializer made tickets whose ``save()`` runs ``full_clean()``: both judged musts).
Silent twins: validate() runs the model's clean() already, an ``except`` for Django's
ValidationError around the call, a model whose clean() raises nothing, a model whose save()
does not run full_clean(), a serializer with its own save(), and a plain Django view."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.core.exceptions import ValidationError
from django.db import models


class Place(models.Model):
    name = models.CharField(max_length=40)


class Route(models.Model):
    source = models.ForeignKey(Place, related_name="+", on_delete=models.CASCADE)
    destination = models.ForeignKey(Place, related_name="+", on_delete=models.CASCADE)

    def clean(self):
        if self.source == self.destination:
            raise ValidationError("A route needs two places.")


class Seat(models.Model):
    row = models.PositiveIntegerField()

    def clean(self):
        self.check_row()

    def check_row(self):
        if self.row > 40:
            raise ValidationError({"row": "No such row."})

    def save(self, *args, **kwargs):
        self.full_clean()
        return super().save(*args, **kwargs)


class Note(models.Model):
    text = models.TextField()

    def clean(self):
        self.text = self.text.strip()

    def save(self, *args, **kwargs):
        self.full_clean()
        return super().save(*args, **kwargs)


class Tag(models.Model):
    name = models.CharField(max_length=40)

    def clean(self):
        if not self.name:
            raise ValidationError("A tag needs a name.")
"""

SERIALIZERS = """\
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from .models import Note, Route, Seat, Tag


class RouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Route
        fields = ("id", "source", "destination")

    def create(self, validated_data):
        route = Route(**validated_data)
        route.clean()
        route.save()
        return route


class SeatSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seat
        fields = ("id", "row")

    def create(self, validated_data):
        return Seat.objects.create(**validated_data)


class CheckedRouteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Route
        fields = ("id", "source", "destination")

    def validate(self, attrs):
        Route(**attrs).clean()
        return attrs

    def create(self, validated_data):
        route = Route(**validated_data)
        route.clean()
        route.save()
        return route


class CaughtSeatSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seat
        fields = ("id", "row")

    def update(self, instance, validated_data):
        instance.row = validated_data["row"]
        try:
            instance.save()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict)
        return instance


class NoteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Note
        fields = ("id", "text")

    def create(self, validated_data):
        return Note.objects.create(**validated_data)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ("id", "name")

    def create(self, validated_data):
        return Tag.objects.create(**validated_data)


class SavedSeatSerializer(serializers.ModelSerializer):
    class Meta:
        model = Seat
        fields = ("id", "row")

    def create(self, validated_data):
        return Seat.objects.create(**validated_data)

    def save(self, **kwargs):
        try:
            return super().save(**kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict)
"""

# A plain Django view: its ModelForm's is_valid() runs the model's clean()
VIEWS = """\
from django import forms
from django.shortcuts import redirect, render

from .models import Route


class RouteForm(forms.ModelForm):
    class Meta:
        model = Route
        fields = ("source", "destination")


def new_route(request):
    form = RouteForm(request.POST or None)
    if form.is_valid():
        route = form.save(commit=False)
        route.clean()
        route.save()
        return redirect("routes")
    return render(request, "route.html", {"form": form})
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "routes"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("serializers.py", SERIALIZERS),
        ("views.py", VIEWS),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return app


def _ours(tmp_path: Path) -> list:
    return [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD324"]


def test_a_models_validation_in_create_is_answered_as_a_400(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = sorted((Path(s.path).name, s.span.start.line + 1, s.title) for s in ours)
    assert got == [
        ("serializers.py", 14, "Answer Route's ValidationError in RouteSerializer with a 400"),
        ("serializers.py", 25, "Answer Seat's ValidationError in SeatSerializer with a 400"),
    ]
    route, seat = sorted(ours, key=lambda s: s.span.start.line)
    assert "calls `route.clean()`: Route.clean() raises Django's ValidationError" in (
        route.rationale
    )
    assert "DRF's own update() (a PUT or PATCH)" not in route.rationale  # Route.save() is Django's
    assert "and Seat.save() runs full_clean(), whose Seat.clean() raises" in seat.rationale
    assert "DRF's own update() (a PUT or PATCH) saves the Seat too" in seat.rationale
    text = apply_suggestion(route)[str(app / "serializers.py")]
    assert (
        "        return route\n\n"
        "    def save(self, **kwargs):\n"
        "        # DRF answers Django's ValidationError with a 400 only inside is_valid()\n"
        "        try:\n"
        "            return super().save(**kwargs)\n"
        "        except DjangoValidationError as exc:\n"
        "            raise serializers.ValidationError(\n"
        "                serializers.as_serializer_error(exc)\n"
        "            ) from exc\n\n\n"
        "class SeatSerializer"
    ) in text
    compile(text, "serializers.py", "exec")
    again = sorted(s.title for s in _ours(tmp_path))
    assert again == ["Answer Seat's ValidationError in SeatSerializer with a 400"]


def test_the_import_of_djangos_class_is_added(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "serializers.py").write_text(
        SERIALIZERS.replace(
            "from django.core.exceptions import ValidationError as DjangoValidationError\n", ""
        ).split("\n\nclass CheckedRouteSerializer")[0]
        + "\n"
    )
    ours = _ours(tmp_path)
    assert len(ours) == 2
    text = apply_suggestion(ours[0])[str(app / "serializers.py")]
    assert text.startswith(
        "from django.core.exceptions import ValidationError as DjangoValidationError\n"
        "from rest_framework import serializers\n"
    )
    compile(text, "serializers.py", "exec")
