"""BKD201's check of DRF ``request.data`` keys, three shapes a blind review judged broken
(held-out round 33, a Django/DRF app):

- the project's ``EXCEPTION_HANDLER`` reads ``response.data["detail"]``, and a
  ``ValidationError("text")`` has list-shaped data, so the handler raised and the request
  stayed a 500: the check answers with the module's own 400 helper, or raises a dict with
  "detail" (a project with DRF's own handler keeps ``ValidationError("text")``);
- a key read in one branch only (``if self_: ... else: request.data["assigned_to"]``, or
  under ``if user is None:``) was checked above the branch, refusing requests the other
  path serves;
- a permission class of the view already refuses the request without the key.

Each shape has a positive case and a twin where that advice must not appear; every edit
applies and parses."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.review.suggestion import Suggestion

from .test_planted_misses import _each_applies

DRF = '"django", "djangorestframework"'

SETTINGS = """\
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "shop.errors.handler.problem_handler",
}
"""

HANDLER = """\
from rest_framework.views import exception_handler


def problem_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None:
        response.data = {"title": response.data["detail"], "status": response.status_code}
    return response
"""

PROBLEM = """\
from django.http import JsonResponse


class Problem:
    def __init__(self, title, detail, status, instance, code=None):
        self.title, self.detail, self.status = title, detail, status
        self.instance, self.code = instance, code

    def to_response(self):
        return JsonResponse({"title": self.title, "detail": self.detail}, status=self.status)
"""

# The module answers its other 400s with the app's helper.
HELPER_VIEWS = """\
from rest_framework.decorators import api_view
from rest_framework.response import Response

from shop.errors.problem import Problem


@api_view(["POST"])
def find(request):
    word = str(request.data["word"])
    if word == "":
        return Problem(
            title="Word Required",
            detail="A word is required.",
            instance=request.build_absolute_uri(),
            status=400,
            code="WordRequired",
        ).to_response()
    return Response({"word": word})
"""

# No helper in the module: the raise keeps "detail" a string for the handler.
PLAIN_VIEWS = """\
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["POST"])
def rename(request):
    name = str(request.data["name"])
    return Response({"name": name})
"""

# (b) keys read on one path only.
BRANCH_VIEWS = """\
from rest_framework.decorators import api_view
from rest_framework.response import Response


@api_view(["POST"])
def book_mine(request):
    return _book(request, mine=True)


@api_view(["POST"])
def book_for(request):
    return _book(request)


def _book(request, mine=False):
    if mine:
        owner = request.user.id
    else:
        owner = str(request.data["owner"])
    when = str(request.data["when"])
    return Response({"owner": owner, "when": when})


@api_view(["POST"])
def enroll(request):
    user = request.user if request.user.is_authenticated else None
    if user is None:
        token = str(request.data["join_token"])
        user = token
    return Response({"user": str(user)})


@api_view(["POST"])
def label(request):
    if request.user.is_staff:
        text = str(request.data["label"]).upper()
    else:
        text = str(request.data["label"])
    return Response({"label": text})


@api_view(["POST"])
def retitle(request, pk):
    try:
        number = int(pk)
    except ValueError:
        return Response(status=404)
    title = str(request.data["title"])
    return Response({"number": number, "title": title})
"""

PERMISSIONS = """\
from rest_framework import permissions
from rest_framework.exceptions import ParseError


class HasJoinToken(permissions.BasePermission):
    def has_permission(self, request, view):
        if "join_token" in request.data:
            if len(str(request.data["join_token"])) == 32:
                return True
        raise ParseError("A join token is required.")


class IsSignedIn(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated
"""

# (c) the permission class requires the key; its twin's does not.
GUARDED_VIEWS = """\
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from .permissions import HasJoinToken, IsSignedIn


@api_view(["POST"])
@permission_classes([IsSignedIn | HasJoinToken])
def join(request):
    token = str(request.data["join_token"])
    return Response({"token": token})


@api_view(["POST"])
@permission_classes([IsSignedIn])
def join_unguarded(request):
    token = str(request.data["join_token"])
    return Response({"token": token})
"""


def _files(handler: bool) -> dict[str, str]:
    files = {
        "manage.py": "",
        "shop/__init__.py": "",
        "shop/views.py": HELPER_VIEWS,
        "shop/plain.py": PLAIN_VIEWS,
        "shop/branches.py": BRANCH_VIEWS,
        "shop/permissions.py": PERMISSIONS,
        "shop/guarded.py": GUARDED_VIEWS,
        "shop/errors/__init__.py": "",
        "shop/errors/problem.py": PROBLEM,
        "shop/errors/handler.py": HANDLER,
    }
    if handler:
        files["shop/settings.py"] = SETTINGS
    return files


def _checks(tmp_path: Path, handler: bool = True) -> dict[tuple[str, str], Suggestion]:
    found = _each_applies(tmp_path, _files(handler), DRF)
    out: dict[tuple[str, str], Suggestion] = {}
    for s in found:
        if s.code == "BKD201":
            out[(Path(s.path).name, s.title.split(" of ")[1].split(" ")[0])] = s
    return out


def _text(s: Suggestion) -> str:
    return "\n".join(e.new_text for e in s.edits)


def test_a_handler_reading_detail_gets_the_modules_own_400(tmp_path: Path) -> None:
    checks = _checks(tmp_path)
    text = _text(checks[("views.py", "find")])
    assert "return Problem(" in text and ").to_response()" in text
    assert 'detail="missing or malformed fields: word"' in text
    assert "instance=request.build_absolute_uri()" in text and "status=400" in text
    assert "WordRequired" not in text and "ValidationError" not in text


def test_a_handler_reading_detail_without_a_helper_gets_a_detail_dict(tmp_path: Path) -> None:
    text = _text(_checks(tmp_path)[("plain.py", "rename")])
    assert 'raise ValidationError({"detail": "missing or malformed fields: name"})' in text


def test_drfs_own_handler_keeps_the_plain_validation_error(tmp_path: Path) -> None:
    checks = _checks(tmp_path, handler=False)
    for key in (("views.py", "find"), ("plain.py", "rename")):
        text = _text(checks[key])
        assert 'raise ValidationError("missing or malformed fields: ' in text
        assert "Problem(" not in text and '{"detail"' not in text


def test_a_key_read_in_one_branch_is_not_checked_above_it(tmp_path: Path) -> None:
    checks = _checks(tmp_path)
    book = checks[("branches.py", "_book")]
    text = _text(book)
    # 'when' is read on every path, 'owner' only when not ``mine``: the check goes after the
    # ``if``/``else`` and lists 'when' alone
    assert '"when" not in request.data' in text and "owner" not in text
    assert book.edits[-1].span.start.line == 19  # (0-based) before ``when = ...``
    enroll = checks[("branches.py", "enroll")]
    assert enroll.edits[-1].span.start.line == 27  # (0-based) inside ``if user is None:``
    assert enroll.edits[-1].new_text.startswith("        if (")


def test_a_key_read_on_both_branches_is_checked_above_them(tmp_path: Path) -> None:
    label = _checks(tmp_path)[("branches.py", "label")]
    assert '"label" not in request.data' in _text(label)
    assert label.edits[-1].span.start.line == 34  # (0-based) before ``if request.user.is_staff:``


def test_a_key_read_after_an_early_return_is_checked_before_its_read(tmp_path: Path) -> None:
    retitle = _checks(tmp_path)[("branches.py", "retitle")]
    assert '"title" not in request.data' in _text(retitle)
    assert retitle.edits[-1].span.start.line == 47  # (0-based) before ``title = ...``


def test_a_key_the_permission_class_requires_is_not_checked(tmp_path: Path) -> None:
    checks = _checks(tmp_path)
    assert ("guarded.py", "join") not in checks
    assert ("guarded.py", "join_unguarded") in checks
