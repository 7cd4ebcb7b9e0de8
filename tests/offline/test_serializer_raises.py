"""BKD329: a DRF serializer's validate()/validate_<field>()/create()/update() raises an exception
DRF does not answer (a real app's sign-up and password change raised ``ValueError("Passwords
must be the same!")`` in ``validate()``: a 500 for a typo, judged musts). Silent twins: DRF's
own ValidationError, a project class over APIException, a ``try`` of the method that catches
it, a view that calls ``is_valid()`` inside a ``try`` for it, a server-side mistake
(AssertionError, NotImplementedError), a class with its own ``__init__``, a raise in a helper
of the serializer that DRF does not call, one in create()'s ``except`` (an upstream's failure),
and a project handler named in the settings that answers it."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

ERRORS = """\
from rest_framework.exceptions import APIException


class AgeError(ValueError):
    pass


class CodedError(Exception):
    def __init__(self, code):
        self.code = code


class Conflict(APIException):
    status_code = 409
"""

SERIALIZERS = """\
from django.contrib.auth.models import User
from rest_framework import serializers

from .errors import AgeError, CodedError, Conflict


class SignUpSerializer(serializers.ModelSerializer):
    password2 = serializers.CharField(write_only=True)

    class Meta:
        model = User
        fields = ["username", "password", "password2"]

    def validate(self, attrs):
        if attrs["password"] != attrs.pop("password2"):
            raise ValueError("Passwords must be the same!")
        return attrs

    def create(self, validated_data):
        if User.objects.filter(username=validated_data["username"]).exists():
            raise Exception(f"{validated_data['username']} is taken")
        return User.objects.create_user(**validated_data)


class ProfileSerializer(serializers.Serializer):
    age = serializers.IntegerField()
    code = serializers.CharField()

    def validate_age(self, value):
        if value < 18:
            raise AgeError("Too young")
        return value

    def validate_code(self, value):
        if value == "x":
            raise CodedError(3)
        if value == "y":
            raise Conflict("taken")
        if value == "z":
            raise serializers.ValidationError("no z")
        return value

    def update(self, instance, validated_data):
        try:
            if not validated_data:
                raise ValueError("nothing to change")
        except ValueError:
            return instance
        assert instance is not None
        if instance.pk is None:
            raise AssertionError("unsaved")
        raise NotImplementedError

    def helper(self, value):
        raise ValueError(value)


class PaymentSerializer(serializers.Serializer):
    def create(self, validated_data):
        try:
            charge(validated_data)
        except OSError:
            raise ValueError("payment failed")
        return validated_data
"""

# The app answers the serializer's own error where it runs it.
CAUGHT = """\
from rest_framework import serializers


class CouponSerializer(serializers.Serializer):
    code = serializers.CharField()

    def validate_code(self, value):
        if not value.isalnum():
            raise ValueError("bad coupon")
        return value
"""

VIEWS = """\
from rest_framework.response import Response
from rest_framework.views import APIView

from .caught import CouponSerializer


class CouponView(APIView):
    def post(self, request):
        serializer = CouponSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=400)
        return Response(serializer.validated_data)
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "accounts"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("errors.py", ERRORS),
        ("serializers.py", SERIALIZERS),
        ("caught.py", CAUGHT),
        ("views.py", VIEWS),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted((s for s in found if s.code == "BKD329"), key=lambda s: s.span.start.line)


def test_a_builtin_or_plain_project_error_in_a_serializer_becomes_drfs(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        (
            "serializers.py",
            16,
            "Raise ValidationError instead of ValueError in SignUpSerializer.validate()",
        ),
        (
            "serializers.py",
            21,
            "Raise ValidationError instead of Exception in SignUpSerializer.create()",
        ),
        (
            "serializers.py",
            31,
            "Raise ValidationError instead of AgeError in ProfileSerializer.validate_age()",
        ),
    ]
    validate, create, age = ours
    assert "`ProfileSerializer.validate_age()` raises AgeError (line 31)" in age.rationale
    assert "`is_valid()` turns only a ValidationError raised in `validate()`" in validate.rationale
    assert "`create()` runs in `serializer.save()`, after validation" in create.rationale
    text = apply_suggestion(validate)[str(app / "serializers.py")]
    assert '            raise serializers.ValidationError("Passwords must be the same!")\n' in text
    compile(text, "serializers.py", "exec")
    text = apply_suggestion(create)[str(app / "serializers.py")]
    assert (
        "            raise serializers.ValidationError(f\"{validated_data['username']} is taken\")\n"
    ) in text
    compile(text, "serializers.py", "exec")
    left = [s.span.start.line + 1 for s in _ours(tmp_path)]
    assert left == [31]


def test_drfs_class_is_imported_when_the_module_names_none(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "serializers.py").write_text(
        "from rest_framework.serializers import Serializer, CharField\n\n\n"
        "class TagSerializer(Serializer):\n"
        "    name = CharField()\n\n"
        "    def validate_name(self, value):\n"
        "        if value.startswith('#'):\n"
        "            raise ValueError('No hash')\n"
        "        return value\n"
    )
    (app / "errors.py").unlink()
    ours = _ours(tmp_path)
    assert [(s.span.start.line + 1, s.title) for s in ours] == [
        (9, "Raise ValidationError instead of ValueError in TagSerializer.validate_name()")
    ]
    text = apply_suggestion(ours[0])[str(app / "serializers.py")]
    assert "from rest_framework.exceptions import ValidationError\n" in text
    assert "            raise ValidationError('No hash')\n" in text
    compile(text, "serializers.py", "exec")


def test_silent_when_the_settings_handler_answers_it(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "manage.py").write_text("import sys\n")
    config = tmp_path / "config"
    config.mkdir()
    (config / "__init__.py").write_text("")
    (config / "settings.py").write_text(
        'REST_FRAMEWORK = {"EXCEPTION_HANDLER": "config.handlers.answer"}\n'
    )
    (config / "handlers.py").write_text(
        "from rest_framework.response import Response\n"
        "from rest_framework.views import exception_handler\n\n\n"
        "def answer(exc, context):\n"
        "    if isinstance(exc, (ValueError, AgeError)):\n"
        "        return Response({'detail': str(exc)}, status=400)\n"
        "    return exception_handler(exc, context)\n"
    )
    assert [s.title.split(" instead of ")[1].split(" ")[0] for s in _ours(tmp_path)] == [
        "Exception"
    ]
