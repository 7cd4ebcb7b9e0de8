"""A model's method or ``@property`` read off the signed-in user or a fetched row, or a
project helper, provably may give None (``except DoesNotExist: return None``, a returned
``.first()``, a ``return None`` after a loop), and the route dereferences the value unchecked:
an AttributeError 500 (timed's ``user.get_active_employment().location``). Guarded values,
methods that always give a value and methods typed as never None are left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

DJANGO_MODELS = """\
from django.contrib.auth.models import AbstractUser
from django.db import models


class Location(models.Model):
    name = models.CharField(max_length=50)


class Employment(models.Model):
    user = models.ForeignKey("staff.User", on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)


class User(AbstractUser):
    is_external = models.BooleanField(default=False)

    def get_active_employment(self):
        try:
            return Employment.objects.get(user=self)
        except Employment.DoesNotExist:
            return None

    def get_any_employment(self) -> Employment:
        return Employment.objects.filter(user=self).first()

    def display_name(self):
        return self.first_name or self.username
"""

DJANGO_VIEWS = """\
from django.http import JsonResponse
from rest_framework.viewsets import ModelViewSet

from .models import Location


class LocationViewSet(ModelViewSet):
    def get_queryset(self):
        user = self.request.user
        return Location.objects.filter(
            pk=user.get_active_employment().location_id
        )


def inline(request):
    return JsonResponse({"at": request.user.get_active_employment().location.name})


def bound(request):
    employment = request.user.get_active_employment()
    return JsonResponse({"at": employment.location_id})


def guarded(request):
    employment = request.user.get_active_employment()
    if employment is None:
        return JsonResponse({"at": None})
    return JsonResponse({"at": employment.location_id})


def tested_in_place(request):
    if request.user.get_active_employment():
        return JsonResponse({"at": request.user.get_active_employment().location_id})
    return JsonResponse({"at": None})


def typed(request):
    return JsonResponse({"at": request.user.get_any_employment().location_id})


def never_none(request):
    return JsonResponse({"name": request.user.display_name().upper()})


def read_in_test(request):
    if request.user.get_active_employment().location_id:
        return JsonResponse({"at": "somewhere"})
    return JsonResponse({"at": None})
"""

DJANGO_URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("inline/", views.inline),
    path("bound/", views.bound),
    path("guarded/", views.guarded),
    path("tested/", views.tested_in_place),
    path("typed/", views.typed),
    path("name/", views.never_none),
    path("test/", views.read_in_test),
]
"""

FLASK_APP = """\
from flask import Flask, abort, request
from flask_sqlalchemy import SQLAlchemy

from .members import find_member

app = Flask(__name__)
db = SQLAlchemy(app)


class Membership(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    project_id = db.Column(db.Integer)
    role = db.Column(db.String(20))


class Project(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer)

    @property
    def owner_membership(self):
        return Membership.query.filter_by(project_id=self.id, role="owner").first()

    @property
    def label(self):
        return f"project {self.id}"


@app.get("/p/<int:pid>/owner")
def owner(pid):
    project = Project.query.get_or_404(pid)
    return {"role": project.owner_membership.role}


@app.get("/p/<int:pid>/owner/checked")
def owner_checked(pid):
    project = Project.query.get_or_404(pid)
    membership = project.owner_membership
    if membership is None:
        abort(404)
    return {"role": membership.role}


@app.get("/p/<int:pid>/label")
def label(pid):
    project = Project.query.get_or_404(pid)
    return {"label": project.label.upper()}


@app.get("/m")
def member():
    found = find_member(request.args["card"])
    return {"name": found.name}


@app.get("/m/checked")
def member_checked():
    found = find_member(request.args["card"]) or abort(404)
    return {"name": found.name}
"""

MEMBERS = """\
MEMBERS = []


def find_member(card):
    for member in MEMBERS:
        if member.card == card:
            return member
    return None
"""


def _write(root: Path, files: dict[str, str], requirements: str) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "requirements.txt").write_text(requirements)


@pytest.fixture(scope="module")
def django_found(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("member_rows_django")
    files = {
        "staff/__init__.py": "",
        "staff/models.py": DJANGO_MODELS,
        "staff/views.py": DJANGO_VIEWS,
        "staff/urls.py": DJANGO_URLS,
    }
    _write(root, files, "django\ndjangorestframework\n")
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]
    return root / "staff" / "views.py", found


@pytest.fixture(scope="module")
def flask_found(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Suggestion]]:
    root = tmp_path_factory.mktemp("member_rows_flask")
    files = {"web/__init__.py": "", "web/app.py": FLASK_APP, "web/members.py": MEMBERS}
    _write(root, files, "flask\nflask-sqlalchemy\n")
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]
    return root / "web" / "app.py", found


def _lines(found: list[Suggestion], text: str, view: str) -> list[int]:
    start = text[: text.index(f"def {view}(")].count("\n") + 1
    end = start + text[text.index(f"def {view}(") :].split("\n\n\n")[0].count("\n")
    return [s.span.start.line + 1 for s in found if start <= s.span.start.line + 1 <= end]


def test_a_signed_in_users_method_that_may_give_none_answers_404(
    django_found: tuple[Path, list[Suggestion]],
) -> None:
    views, found = django_found
    assert {s.path for s in found} == {str(views)}
    assert _lines(found, DJANGO_VIEWS, "get_queryset") == [11]
    assert _lines(found, DJANGO_VIEWS, "inline") == [16]
    assert _lines(found, DJANGO_VIEWS, "bound") == [20]
    # a value dereferenced in an ``if`` test is read there, not tested
    assert _lines(found, DJANGO_VIEWS, "read_in_test") == [46]
    assert len(found) == 4
    assert "`except Employment.DoesNotExist: return None`" in found[0].rationale
    after = apply_suggestion(found[0])[str(views)]
    assert (
        "        user = self.request.user\n"
        "        active_employment = user.get_active_employment()\n"
        "        if active_employment is None:\n"
        '            raise Http404("Employment not found")\n'
        "        return Location.objects.filter(\n"
        "            pk=active_employment.location_id\n"
    ) in after
    assert "from django.http import Http404, JsonResponse\n" in after
    compile(after, "views.py", "exec")


def test_a_bound_value_is_tested_where_it_is_bound(
    django_found: tuple[Path, list[Suggestion]],
) -> None:
    views, found = django_found
    bound = next(s for s in found if s.span.start.line + 1 == 20)
    views.write_text(DJANGO_VIEWS)  # another test applied its fix to the shared copy
    after = apply_suggestion(bound)[str(views)]
    assert (
        "    employment = request.user.get_active_employment()\n"
        "    if employment is None:\n"
        '        raise Http404("Employment not found")\n'
    ) in after


@pytest.mark.parametrize("view", ["guarded", "tested_in_place", "typed", "never_none"])
def test_guarded_typed_and_never_none_values_are_left_alone(
    django_found: tuple[Path, list[Suggestion]], view: str
) -> None:
    assert _lines(django_found[1], DJANGO_VIEWS, view) == []


def test_a_rows_property_returning_first_answers_404(
    flask_found: tuple[Path, list[Suggestion]],
) -> None:
    app, found = flask_found
    assert _lines(found, FLASK_APP, "owner") == [32]
    prop = next(s for s in found if s.span.start.line + 1 == 32)
    after = apply_suggestion(prop)[str(app)]
    assert (
        "    owner_membership = project.owner_membership\n"
        "    if owner_membership is None:\n"
        "        abort(404)\n"
        '    return {"role": owner_membership.role}\n'
    ) in after
    compile(after, "app.py", "exec")


def test_a_helpers_return_none_after_a_loop_answers_404(
    flask_found: tuple[Path, list[Suggestion]],
) -> None:
    app, found = flask_found
    assert _lines(found, FLASK_APP, "member") == [52]
    helper = next(s for s in found if s.span.start.line + 1 == 52)
    app.write_text(FLASK_APP)  # another test applied its fix to the shared copy
    assert "`find_member()` may give None (`return None` (line 8))" in helper.rationale
    after = apply_suggestion(helper)[str(app)]
    assert "    if found is None:\n        abort(404)\n" in after


@pytest.mark.parametrize("view", ["owner_checked", "label", "member_checked"])
def test_flask_guarded_and_never_none_values_are_left_alone(
    flask_found: tuple[Path, list[Suggestion]], view: str
) -> None:
    assert _lines(flask_found[1], FLASK_APP, view) == []
