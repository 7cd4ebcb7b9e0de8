"""BKD202: base64 and UTF-8 decoding of what the client sent with nothing to catch its
ValueError, and a ``try`` around a conversion whose handler catches the wrong class. Each
shape has a twin that must stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion
from tests.offline.trees import write_tree

from .applied import apply_suggestion

MANIFEST = (
    '[project]\nname = "app"\ndependencies = ["flask", "flask-wtf", "django", '
    '"djangorestframework", "fastapi"]\n'
)

FLASK_SPOILER = (
    "from base64 import urlsafe_b64decode\n"
    "from flask import Flask, render_template\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.route("/s/<path:encoded>")\n'
    "def spoiler(encoded):\n"
    '    message = urlsafe_b64decode(encoded).decode("utf8")\n'
    '    return render_template("s.html", message=message)\n'
)
FLASK_SPOILER_CAUGHT = FLASK_SPOILER.replace(
    '    message = urlsafe_b64decode(encoded).decode("utf8")\n',
    "    try:\n"
    '        message = urlsafe_b64decode(encoded).decode("utf8")\n'
    "    except ValueError:\n"
    '        return render_template("s.html", message=None), 404\n',
)
FLASK_SPOILER_OURS = FLASK_SPOILER.replace(
    "urlsafe_b64decode(encoded)", 'urlsafe_b64decode(app.config["BANNER"])'
)
FLASK_REPORT = (
    "from flask import Flask, request\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.post("/csp-report")\n'
    "def csp_report():\n"
    '    with open("csp.log", "a") as log:\n'
    '        log.write(request.data.decode("utf-8") + "\\n")\n'
    '    return "", 204\n'
)
FLASK_REPORT_LENIENT = FLASK_REPORT.replace(
    'request.data.decode("utf-8")', 'request.data.decode("utf-8", errors="replace")'
)
DJANGO_UPLOAD = (
    "from django.http import JsonResponse\n\n\n"
    "def import_bookmarks(request):\n"
    '    upload = request.FILES.get("bookmarks")\n'
    "    if upload:\n"
    '        content = upload.read().decode("utf-8")\n'
    '        return JsonResponse({"lines": len(content.splitlines())})\n'
    '    return JsonResponse({"lines": 0})\n'
)
DJANGO_UPLOAD_CAUGHT = DJANGO_UPLOAD.replace(
    '        content = upload.read().decode("utf-8")\n',
    "        try:\n"
    '            content = upload.read().decode("utf-8")\n'
    "        except UnicodeDecodeError:\n"
    '            return JsonResponse({"error": "not UTF-8"}, status=400)\n',
)
DRF_RESET = (
    "from django.contrib.auth.models import User\n"
    "from django.core.exceptions import ValidationError\n"
    "from django.utils.http import urlsafe_base64_decode\n"
    "from rest_framework import status\n"
    "from rest_framework.decorators import api_view\n"
    "from rest_framework.response import Response\n\n\n"
    '@api_view(["POST"])\n'
    "def reset_confirm(request, uidb64, token):\n"
    "    uid = urlsafe_base64_decode(uidb64).decode()\n"
    "    try:\n"
    "        user = User.objects.get(pk=uid)\n"
    "    except User.DoesNotExist:\n"
    "        user = None\n"
    '    return Response({"found": user is not None}, status=status.HTTP_200_OK)\n'
)
DRF_RESET_CAUGHT = DRF_RESET.replace(
    "    uid = urlsafe_base64_decode(uidb64).decode()\n    try:\n",
    "    try:\n        uid = urlsafe_base64_decode(uidb64).decode()\n",
).replace("except User.DoesNotExist:", "except (TypeError, ValueError, User.DoesNotExist):")
DRF_FIELD = (
    "import base64\n"
    "import io\n\n"
    "from rest_framework import serializers\n\n\n"
    "class ImageField(serializers.Field):\n"
    "    def to_representation(self, value):\n"
    "        return value.url\n\n"
    "    def to_internal_value(self, data):\n"
    "        return io.BytesIO(base64.b64decode(data))\n"
)
DRF_FIELD_CAUGHT = DRF_FIELD.replace("import base64\n", "import base64\nimport binascii\n").replace(
    "        return io.BytesIO(base64.b64decode(data))\n",
    "        try:\n"
    "            return io.BytesIO(base64.b64decode(data))\n"
    "        except binascii.Error:\n"
    '            raise serializers.ValidationError("bad image") from None\n',
)
FASTAPI_HELPER = (
    "import base64\n"
    "import binascii\n\n"
    "from fastapi import HTTPException\n\n\n"
    "def decode_text(data: str) -> str:\n"
    "    try:\n"
    "        raw = base64.b64decode(data.encode())\n"
    "        return raw.decode()\n"
    "    except binascii.Error as e:\n"
    '        raise HTTPException(status_code=400, detail="Invalid base64") from e\n'
)
FASTAPI_HELPER_CAUGHT = FASTAPI_HELPER.replace(
    "except binascii.Error as e:", "except (binascii.Error, UnicodeDecodeError) as e:"
)
WTFORM = (
    "from flask_wtf import FlaskForm\n"
    "from wtforms import StringField\n"
    "from wtforms.validators import ValidationError\n\n\n"
    "class UserListForm(FlaskForm):\n"
    '    user_ids = StringField("User IDs")\n\n'
    "    def validate_user_ids(self, field):\n"
    "        for raw in field.data.split():\n"
    "            try:\n"
    "                int(raw)\n"
    "            except TypeError:\n"
    '                raise ValidationError(f"Invalid ID {raw}")\n'
)
WTFORM_CAUGHT = WTFORM.replace("except TypeError:", "except (TypeError, ValueError):")
# The handler does not answer the client: it means None, not bad text
WTFORM_NOT_CLIENT = WTFORM.replace(
    '                raise ValidationError(f"Invalid ID {raw}")\n', "                continue\n"
)


def _project(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"pyproject.toml": MANIFEST, "app/__init__.py": "", **files})


def _found(root: Path) -> list[Suggestion]:
    return [
        s
        for s in collect([str(root)], ["validation"])
        if s.code == "BKD202" and ("decoding" in s.title or "Catch" in s.title)
    ]


def _applied(root: Path, found: Suggestion, rel: str) -> str:
    new = apply_suggestion(found)[str(root / rel)]
    ast.parse(new)
    assert _found(root) == []
    return new


def test_a_flask_path_segment_decoded_from_base64(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": FLASK_SPOILER})
    (found,) = _found(root)
    assert found.title == "Guard the decoding of `encoded`"
    assert "binascii.Error" in found.rationale and "UnicodeDecodeError" in found.rationale
    new = _applied(root, found, "app/views.py")
    assert "    except ValueError:\n        abort(400)\n" in new
    assert "from flask import Flask, abort, render_template\n" in new


def test_a_caught_or_own_base64_value_is_silent(tmp_path: Path) -> None:
    assert _found(_project(tmp_path / "a", {"app/views.py": FLASK_SPOILER_CAUGHT})) == []
    assert _found(_project(tmp_path / "b", {"app/views.py": FLASK_SPOILER_OURS})) == []


def test_a_flask_body_decoded_as_utf8(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": FLASK_REPORT})
    (found,) = _found(root)
    assert found.title == "Guard the decoding of `request.data`"
    new = _applied(root, found, "app/views.py")
    assert "        try:\n            log.write(" in new
    assert _found(_project(tmp_path / "b", {"app/views.py": FLASK_REPORT_LENIENT})) == []


def test_a_django_upload_decoded_as_utf8(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": DJANGO_UPLOAD})
    (found,) = _found(root)
    assert found.title == "Guard the decoding of the upload `upload`"
    new = _applied(root, found, "app/views.py")
    assert 'return HttpResponseBadRequest("the uploaded file is not UTF-8 text")' in new
    assert _found(_project(tmp_path / "b", {"app/views.py": DJANGO_UPLOAD_CAUGHT})) == []


def test_a_drf_view_decoding_a_uid_answers_with_its_response(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": DRF_RESET})
    (found,) = _found(root)
    assert found.title == "Guard the decoding of `uidb64`"
    new = _applied(root, found, "app/views.py")
    # Django's ValidationError holds the name: DRF's Response answers, as the view does
    assert "status=status.HTTP_400_BAD_REQUEST)" in new
    assert _found(_project(tmp_path / "b", {"app/views.py": DRF_RESET_CAUGHT})) == []


def test_a_drf_field_parsing_base64(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/serializers.py": DRF_FIELD})
    (found,) = _found(root)
    new = _applied(root, found, "app/serializers.py")
    assert 'raise serializers.ValidationError("the value is not valid base64") from None' in new
    assert _found(_project(tmp_path / "b", {"app/serializers.py": DRF_FIELD_CAUGHT})) == []


def test_a_helper_catching_only_binascii_error_gains_unicode_decode_error(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path, {"app/b64.py": FASTAPI_HELPER})
    (found,) = _found(root)
    assert found.title == "Catch `UnicodeDecodeError` too around `raw.decode()`"
    new = _applied(root, found, "app/b64.py")
    assert "    except (binascii.Error, UnicodeDecodeError) as e:\n" in new
    assert _found(_project(tmp_path / "b", {"app/b64.py": FASTAPI_HELPER_CAUGHT})) == []


def test_int_under_except_type_error_gains_value_error(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/forms.py": WTFORM})
    (found,) = _found(root)
    assert found.title == "Catch `ValueError` too around `int(raw)`"
    new = _applied(root, found, "app/forms.py")
    assert "            except (TypeError, ValueError):\n                raise Validation" in new
    assert _found(_project(tmp_path / "b", {"app/forms.py": WTFORM_CAUGHT})) == []
    assert _found(_project(tmp_path / "c", {"app/forms.py": WTFORM_NOT_CLIENT})) == []


def test_the_shapes_in_tests_are_silent(tmp_path: Path) -> None:
    root = _project(tmp_path, {"tests/test_views.py": FLASK_SPOILER, "tests/test_forms.py": WTFORM})
    assert _found(root) == []


def test_a_route_int_under_except_type_error_gets_one_fix_in_the_handler(
    tmp_path: Path,
) -> None:
    route = (
        "from flask import Flask, abort, jsonify, request\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.get("/n")\n'
        "def n():\n"
        "    try:\n"
        '        value = int(request.args["n"])\n'
        "    except (KeyError, TypeError):\n"
        "        abort(400)\n"
        "    return jsonify(value=value)\n"
    )
    root = _project(tmp_path, {"app/views.py": route})
    (found,) = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD202"]
    new = _applied(root, found, "app/views.py")
    assert "    except (KeyError, TypeError, ValueError):\n        abort(400)\n" in new


FLASK_HELPER = (
    "import base64\n\n"
    "from flask import Flask, abort, redirect, request\n\n"
    "app = Flask(__name__)\n\n\n"
    "def _target(encoded):\n"
    "    return base64.urlsafe_b64decode(encoded).decode()\n\n\n"
    '@app.get("/go")\n'
    "def go():\n"
    '    return redirect(_target(request.args.get("next", "")))\n'
)
# The helper decodes the app's own setting: nothing the client sent
FLASK_HELPER_OURS = FLASK_HELPER.replace(
    '_target(request.args.get("next", ""))', '_target(app.config["HOME"])'
)


def test_a_helper_decoding_what_a_route_hands_it(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/views.py": FLASK_HELPER})
    (found,) = _found(root)
    assert found.title == "Guard the decoding of `encoded`"
    new = _applied(root, found, "app/views.py")
    assert "    except ValueError:\n        abort(400)\n" in new
    assert _found(_project(tmp_path / "b", {"app/views.py": FLASK_HELPER_OURS})) == []


def test_the_rationale_names_only_what_the_statement_raises(tmp_path: Path) -> None:
    (body,) = _found(_project(tmp_path / "a", {"app/views.py": FLASK_REPORT}))
    assert "(UnicodeDecodeError is one)" in body.rationale
    assert "binascii" not in body.rationale
    (both,) = _found(_project(tmp_path / "b", {"app/views.py": FLASK_SPOILER}))
    assert "(binascii.Error and UnicodeDecodeError are both one)" in both.rationale
