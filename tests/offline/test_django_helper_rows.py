"""A Django view hands the client's key to a project helper (a function, a model's classmethod
or a manager method) that returns ``Model.objects.filter(...).first()``: the row may be None,
and the view's use of it is an AttributeError 500 where the client asked for something that
is not there. A lookup keyed only by ``request.user`` is the server's own row."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MODELS = """\
from django.db import models


class ApplicationManager(models.Manager):
    def for_type(self, user, type):
        return self.filter(user=user, type=type).first()


class Application(models.Model):
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE)
    type = models.CharField(max_length=20)

    objects = ApplicationManager()

    @classmethod
    def of_type(cls, user, type):
        return cls.objects.filter(user=user, type=type).first()

    def check_in(self):
        self.save()
"""

HELPERS = """\
from .models import Application


def get_application_by_type(user, type):
    return Application.objects.filter(user=user, type=type).first()


def get_own_application(user):
    found = Application.objects.filter(user=user).last()
    return found
"""

VIEWS = """\
from django.http import JsonResponse
from django.views import View

from .helpers import get_application_by_type, get_own_application
from .models import Application


def check_in(request, type):
    app = get_application_by_type(request.user, type)
    app.check_in()
    return JsonResponse({"id": app.id})


def check_in_checked(request, type):
    app = get_application_by_type(request.user, type)
    if app is None:
        return JsonResponse({"error": "none"}, status=404)
    app.check_in()
    return JsonResponse({"id": app.id})


def mine(request):
    app = get_own_application(request.user)
    app.check_in()
    return JsonResponse({"id": app.id})


def check_in_caught(request, type):
    try:
        app = get_application_by_type(request.user, type)
        app.check_in()
    except AttributeError:
        return JsonResponse({"error": "none"}, status=404)
    return JsonResponse({"id": app.id})


def by_classmethod(request, type):
    app = Application.of_type(request.user, type)
    return JsonResponse({"id": app.id})


def by_manager(request, type):
    app = Application.objects.for_type(request.user, type)
    return JsonResponse({"id": app.id})


class CheckIn(View):
    def post(self, request, *args, **kwargs):
        app = get_application_by_type(request.user, self.kwargs["type"])
        app.check_in()
        return JsonResponse({"id": app.id})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("in/<str:type>/", views.check_in),
    path("checked/<str:type>/", views.check_in_checked),
    path("mine/", views.mine),
    path("caught/<str:type>/", views.check_in_caught),
    path("cls/<str:type>/", views.by_classmethod),
    path("manager/<str:type>/", views.by_manager),
    path("view/<str:type>/", views.CheckIn.as_view()),
]
"""


def _lines(found: list[Suggestion], view: str) -> list[int]:
    """The lines reported in ``view``'s definition."""
    block = VIEWS[VIEWS.index(f"def {view}(") :].split("\n\n\n")[0]
    start = VIEWS[: VIEWS.index(f"def {view}(")].count("\n") + 1
    end = start + block.count("\n")
    return [s.span.start.line + 1 for s in found if start <= s.span.start.line + 1 <= end]


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("django_helper_rows")
    app = root / "checkins"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("helpers.py", HELPERS),
        ("views.py", VIEWS),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (root / "requirements.txt").write_text("django\n")
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]
    return app / "views.py", found


def test_a_helpers_first_row_keyed_by_the_url_answers_404(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    views, found = reviewed
    # the function, the classmethod, the manager method and the class-based view, once each
    assert [(s.path, s.span.start.line + 1) for s in found] == [
        (str(views), line) for line in (9, 38, 43, 49)
    ]
    assert 'raise Http404("Application not found")' in found[2].edits[-1].new_text
    after = apply_suggestion(found[0])[str(views)]
    assert (
        "    app = get_application_by_type(request.user, type)\n"
        "    if app is None:\n"
        '        raise Http404("Application not found")\n'
        "    app.check_in()\n"
    ) in after
    assert "from django.http import Http404, JsonResponse\n" in after
    compile(after, "views.py", "exec")


def test_a_checked_row_is_left_alone(reviewed: tuple[Path, list[Suggestion]]) -> None:
    assert _lines(reviewed[1], "check_in_checked") == []


def test_a_row_keyed_only_by_the_signed_in_user_is_the_servers(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    assert _lines(reviewed[1], "mine") == []


def test_a_caught_attribute_error_is_left_alone(
    reviewed: tuple[Path, list[Suggestion]],
) -> None:
    assert _lines(reviewed[1], "check_in_caught") == []
