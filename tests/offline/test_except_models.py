"""BKD321: ``except Column.DoesNotExist`` around a lookup of another model (a real app's DRF
permission looked a Task up and caught Column's miss: an unknown task was a 500, judged a
must), and ``except Ticket.DoesNotExist`` around a manager method that turns the miss into
``ValueError`` (another real app's view, judged a must). Silent twins: the caught model looked
up too, ``ObjectDoesNotExist``, a related manager's lookup, a project function or an unknown
method called, a reverse one-to-one to the caught model read, a child model's lookup, a miss
with a handler of its own, a manager method that lets the miss out, the raised class caught
already, and a handler that carries on with a default (``except Place.DoesNotExist: place =
""``, where the looked-up row's miss must not become that default)."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
from django.conf import settings
from django.db import models

from .managers import TicketManager


class Board(models.Model):
    name = models.CharField(max_length=80)


class Column(models.Model):
    board = models.ForeignKey(Board, related_name="columns", on_delete=models.CASCADE)


class Task(models.Model):
    column = models.ForeignKey(Column, related_name="tasks", on_delete=models.CASCADE)
    title = models.CharField(max_length=80)

    def archive(self):
        self.title = "archived"


class ArchivedTask(Task):
    reason = models.TextField()


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="profile", on_delete=models.CASCADE
    )
    bio = models.TextField()


class Ticket(models.Model):
    title = models.CharField(max_length=80)
    objects = TicketManager()
"""

MANAGERS = """\
from django.db import models


class TicketManager(models.Manager):
    def find(self, pk):
        try:
            return self.model.objects.get(pk=pk)
        except self.model.DoesNotExist:
            raise ValueError("no such ticket")

    def find_loose(self, pk):
        return self.get(pk=pk)
"""

PERMISSIONS = """\
from rest_framework.permissions import BasePermission

from .models import Column, Task


class CanSeeTask(BasePermission):
    def has_permission(self, request, view):
        try:
            task = (
                Task.objects.select_related("column__board")
                .only("column__board__name")
                .get(pk=view.kwargs["task_id"])
            )
            return task.column.board.name != "private"
        except Column.DoesNotExist:
            return False


class CanSeeColumn(BasePermission):
    def has_permission(self, request, view):
        try:
            column = Column.objects.get(pk=view.kwargs["column_id"])
            return column.board.name != "private"
        except Column.DoesNotExist:
            return False
"""

VIEWS = """\
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse

from .models import ArchivedTask, Board, Column, Profile, Task, Ticket
from .services import load_column


def task_in_board(request, board_id, pk):
    tasks = Task.objects.filter(column__board_id=board_id)
    try:
        task = tasks.get(pk=pk)
    except Board.DoesNotExist:
        raise Http404("no such task")
    return JsonResponse({"id": task.pk})


def task_keyed(request, pk):
    try:
        task = Task.objects.get(pk=pk, column_id=request.GET["column"])
    except (Board.DoesNotExist, KeyError):
        raise Http404("no such task")
    return JsonResponse({"id": task.pk})


def ticket(request, pk):
    try:
        row = Ticket.objects.find(pk)
        return JsonResponse({"title": row.title})
    except Ticket.DoesNotExist:
        raise Http404("no such ticket")


def both_looked_up(request, column_id, pk):
    try:
        column = Column.objects.get(pk=column_id)
        task = Task.objects.get(pk=pk, column=column)
    except Column.DoesNotExist:
        raise Http404("no such column")
    return JsonResponse({"id": task.pk})


def any_miss(request, pk):
    try:
        task = Task.objects.get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404("no such task")
    return JsonResponse({"id": task.pk})


def related_manager(request, board_id, pk):
    board = Board.objects.filter(pk=board_id).first()
    try:
        column = board.columns.get(pk=pk)
        task = Task.objects.get(column=column)
    except Column.DoesNotExist:
        raise Http404("no such column")
    return JsonResponse({"id": task.pk})


def through_service(request, pk):
    try:
        task = Task.objects.get(pk=pk)
        column = load_column(task.column_id)
    except Column.DoesNotExist:
        raise Http404("no such column")
    return JsonResponse({"id": column.pk})


def fallback(request, pk):
    try:
        task = Task.objects.get(pk=pk)
        name = task.column.board.name
    except Column.DoesNotExist:
        name = ""
    return JsonResponse({"board": name})


def profile_bio(request, pk):
    try:
        owner = User.objects.get(pk=pk)
        bio = owner.profile.bio
    except Profile.DoesNotExist:
        raise Http404("no profile")
    return JsonResponse({"bio": bio})


def archived(request, pk):
    try:
        task = ArchivedTask.objects.get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("no such task")
    return JsonResponse({"id": task.pk})


def own_handlers(request, pk):
    try:
        task = Task.objects.get(pk=pk)
    except Task.DoesNotExist:
        raise Http404("no such task")
    except Column.DoesNotExist:
        raise Http404("no such column")
    return JsonResponse({"id": task.pk})


def unknown_method(request, pk):
    try:
        task = Task.objects.get(pk=pk)
        task.archive()
    except Column.DoesNotExist:
        raise Http404("no such column")
    return JsonResponse({"id": task.pk})


def ticket_loose(request, pk):
    try:
        row = Ticket.objects.find_loose(pk)
        return JsonResponse({"title": row.title})
    except Ticket.DoesNotExist:
        raise Http404("no such ticket")


def ticket_caught(request, pk):
    try:
        row = Ticket.objects.find(pk)
        return JsonResponse({"title": row.title})
    except (Ticket.DoesNotExist, ValueError):
        raise Http404("no such ticket")
"""

SERVICES = """\
from .models import Column


def load_column(pk):
    return Column.objects.get(pk=pk)
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("a/<int:board_id>/<int:pk>/", views.task_in_board),
    path("b/<int:pk>/", views.task_keyed),
    path("c/<int:pk>/", views.ticket),
    path("d/<int:column_id>/<int:pk>/", views.both_looked_up),
    path("e/<int:pk>/", views.any_miss),
    path("f/<int:board_id>/<int:pk>/", views.related_manager),
    path("g/<int:pk>/", views.through_service),
    path("h/<int:pk>/", views.fallback),
    path("i/<int:pk>/", views.profile_bio),
    path("j/<int:pk>/", views.archived),
    path("k/<int:pk>/", views.own_handlers),
    path("l/<int:pk>/", views.unknown_method),
    path("m/<int:pk>/", views.ticket_loose),
    path("n/<int:pk>/", views.ticket_caught),
]
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "boards"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("managers.py", MANAGERS),
        ("permissions.py", PERMISSIONS),
        ("views.py", VIEWS),
        ("services.py", SERVICES),
        ("urls.py", URLS),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return app


def test_an_except_naming_another_models_miss_catches_the_raised_one_too(
    tmp_path: Path,
) -> None:
    app = _project(tmp_path)
    found = collect([str(tmp_path)], ["error-handling"])
    ours = [s for s in found if s.code == "BKD321"]
    got = sorted((Path(s.path).name, s.span.start.line + 1, s.title) for s in ours)
    assert got == [
        (
            "permissions.py",
            15,
            "Catch Task.DoesNotExist too: the try raises no Column.DoesNotExist",
        ),
        ("views.py", 13, "Catch Task.DoesNotExist too: the try raises no Board.DoesNotExist"),
        ("views.py", 21, "Catch Task.DoesNotExist too: the try raises no Board.DoesNotExist"),
        ("views.py", 30, "Catch ValueError too: the try raises no Ticket.DoesNotExist"),
    ]
    by_place = {(Path(s.path).name, s.span.start.line + 1): s for s in ours}
    # BKD304 leaves the lookups BKD321 reports to its fix (no get_object_or_404 beside it)
    reported = {("views.py", 12), ("views.py", 20)}
    assert not [
        s
        for s in found
        if s.code == "BKD304" and (Path(s.path).name, s.span.start.line + 1) in reported
    ]

    permission = by_place[("permissions.py", 15)]
    assert "(line 10) raises Task.DoesNotExist when no row matches." in permission.rationale
    assert "names another model's miss" in permission.rationale
    text = apply_suggestion(permission)[str(app / "permissions.py")]
    assert "        except (Column.DoesNotExist, Task.DoesNotExist):\n" in text
    compile(text, "permissions.py", "exec")

    keyed = by_place[("views.py", 21)]
    assert keyed.edits[0].new_text == "(Board.DoesNotExist, KeyError, Task.DoesNotExist)"

    ticket = by_place[("views.py", 30)]
    assert "`find` catches it and raises ValueError instead (managers.py:9)" in ticket.rationale
    assert "waits for a miss that never gets out of the call" in ticket.rationale
    text = apply_suggestion(ticket)[str(app / "views.py")]
    assert "    except (Ticket.DoesNotExist, ValueError):\n" in text
    compile(text, "views.py", "exec")


def test_the_fix_leaves_nothing_to_report(tmp_path: Path) -> None:
    app = _project(tmp_path)
    for s in collect([str(tmp_path)], ["error-handling"]):
        if s.code == "BKD321" and Path(s.path).name == "permissions.py":
            apply_suggestion(s)
    again = collect([str(app / "permissions.py")], ["error-handling"])
    assert not [s for s in again if s.code == "BKD321"]
