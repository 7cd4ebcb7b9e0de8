"""BKD320: ``except Model.DoesNotExist():`` calls the class, so the handler is an instance and
Python raises TypeError when an exception reaches it (shapes of our own, after a DRF view's
``except FriendRequest.DoesNotExist():`` judged on a real app). A call of a function that
returns classes is a handler as meant."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

ERRORS = """\
class AppError(Exception):
    pass


class QuotaExceeded(AppError):
    pass


class Plain:
    pass


def get_errors():
    return (AppError, KeyError)
"""

VIEWS = """\
from django.http import Http404, JsonResponse
from rest_framework import exceptions

from . import errors
from .errors import Plain, QuotaExceeded, get_errors
from .models import FriendRequest


def unfriend(request, pk):
    try:
        row = FriendRequest.objects.get(pk=pk)
    except FriendRequest.DoesNotExist():
        raise Http404("no such friend request")
    return JsonResponse({"id": row.pk})


def pair(request, pk):
    try:
        row = FriendRequest.objects.get(pk=int(pk))
    except (ValueError, FriendRequest.DoesNotExist()):
        raise Http404("no such friend request")
    return JsonResponse({"id": row.pk})


def quota(request):
    try:
        send(request)
    except errors.AppError("quota"):
        return JsonResponse({"error": "quota"}, status=429)
    except QuotaExceeded() as exc:
        return JsonResponse({"error": str(exc)}, status=429)
    except exceptions.NotFound():
        raise Http404("gone")
    except StopIteration():
        return JsonResponse({}, status=204)
    return JsonResponse({})


def send(request):
    try:
        request.user.notify()
    except get_errors():
        return None
    except Plain():
        return None
    except (ValueError, FriendRequest.DoesNotExist):
        return None
    return True
"""


def _project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    app = tmp_path / "friends"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass FriendRequest(models.Model):\n"
        "    note = models.CharField(max_length=20)\n"
    )
    (app / "errors.py").write_text(ERRORS)
    (app / "views.py").write_text(VIEWS)
    return app


def test_a_called_exception_class_in_a_handler_is_caught_as_the_class(tmp_path: Path) -> None:
    app = _project(tmp_path)
    every = collect([str(tmp_path)], ["error-handling"])
    # the lookup is answered as meant once the call is dropped: no get_object_or_404 over it
    assert [s.code for s in every if s.span.start.line + 1 in (11, 19)] == []
    found = [s for s in every if s.code == "BKD320"]
    # get_errors() returns classes; Plain is no exception (a mistake of another kind); the
    # plain ``FriendRequest.DoesNotExist`` of the same shape is as meant
    assert sorted(s.span.start.line + 1 for s in found) == [12, 20, 28, 30, 32, 34]
    views = str(app / "views.py")
    by_line = {s.span.start.line + 1: s for s in found}
    expected = {
        12: "    except FriendRequest.DoesNotExist:\n",
        20: "    except (ValueError, FriendRequest.DoesNotExist):\n",
        28: "    except errors.AppError:\n",
        30: "    except QuotaExceeded as exc:\n",
        32: "    except exceptions.NotFound:\n",
        34: "    except StopIteration:\n",
    }
    for line, want in expected.items():
        (app / "views.py").write_text(VIEWS)
        after = apply_suggestion(by_line[line])[views]
        assert want in after
        compile(after, "views.py", "exec")


def test_a_module_s_own_classes_and_functions_are_judged_by_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "class Missing(LookupError):\n    pass\n\n\n"
        "class Box:\n    pass\n\n\n"
        "def errors_of():\n    return (Missing,)\n\n\n"
        '@app.get("/a")\n'
        "def a():\n"
        "    try:\n        return find()\n"
        "    except Missing():\n        return {}, 404\n\n\n"
        '@app.get("/b")\n'
        "def b():\n"
        "    try:\n        return find()\n"
        "    except errors_of():\n        return {}, 404\n"
        "    except Box():\n        return {}, 404\n\n\n"
        "def find():\n    raise Missing()\n"
    )
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD320"]
    assert [s.span.start.line + 1 for s in found] == [22]
