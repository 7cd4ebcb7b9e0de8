"""BKD328: a DRF view sets a map of permission classes nothing reads (a real shop's OrderViewSet
set ``permission_classes_by_action`` with no get_permissions(): it ran as AllowAny, its IsStaff
never applied; judged a must). The fix adds a get_permissions() that reads the map by the
viewset's action (a PATCH as ``update`` when the map names only that) or the HTTP method,
falling back to ``permission_classes`` or the map's own ``"default"``. Silent twins: a view
with its own get_permissions, one whose project mixin defines it, a map a project permission
class reads, a view over a library's mixin, and a generic view whose keys are actions."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

VIEWS = """\
from rest_framework import generics, viewsets
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework_extensions.mixins import NestedViewSetMixin

from .mixins import ByActionMixin
from .models import Order
from .permissions import ByAction
from .serializers import OrderSerializer


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    permission_classes_by_action = {
        "create": (IsAuthenticated,),
        "list": (IsAuthenticated,),
        "update": (IsAdminUser,),
        "destroy": (IsAdminUser,),
    }

    def get_queryset(self):
        return self.queryset.filter(user=self.request.user)


class ReportView(generics.ListCreateAPIView):
    serializer_class = OrderSerializer
    permission_classes_per_method = {"GET": [IsAuthenticated], "POST": [IsAdminUser]}


class NoteViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    permission_classes_by_action = {"destroy": [IsAdminUser], "default": [IsAuthenticated]}


class ReadViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes_by_action = {"list": [IsAuthenticated]}

    def get_permissions(self):
        return [p() for p in self.permission_classes_by_action.get(self.action, [IsAdminUser])]


class MixedViewSet(ByActionMixin, viewsets.ModelViewSet):
    permission_classes_by_action = {"list": [IsAuthenticated]}


class TeamViewSet(viewsets.ModelViewSet):
    permission_classes = [ByAction]
    permissions_by_action = {"list": [IsAuthenticated]}


class NestedViewSet(NestedViewSetMixin, viewsets.ModelViewSet):
    permission_classes_by_action = {"list": [IsAuthenticated]}


class ActionKeysView(generics.ListAPIView):
    permission_classes_by_action = {"list": [IsAuthenticated]}
"""

MIXINS = """\
class ByActionMixin:
    def get_permissions(self):
        classes = self.permission_classes_by_action.get(self.action, self.permission_classes)
        return [permission() for permission in classes]
"""

PERMISSIONS = """\
from rest_framework.permissions import BasePermission


class ByAction(BasePermission):
    def has_permission(self, request, view):
        classes = getattr(view, "permissions_by_action", {}).get(view.action, [])
        return all(c().has_permission(request, view) for c in classes)
"""


def _project(tmp_path: Path) -> Path:
    app = tmp_path / "shop"
    app.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("views.py", VIEWS),
        ("mixins.py", MIXINS),
        ("permissions.py", PERMISSIONS),
    ]:
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return app


def _ours(tmp_path: Path) -> list:
    found = collect([str(tmp_path)], ["error-handling"])
    return sorted((s for s in found if s.code == "BKD328"), key=lambda s: s.span.start.line)


def test_an_unread_permission_map_is_read_in_get_permissions(tmp_path: Path) -> None:
    app = _project(tmp_path)
    ours = _ours(tmp_path)
    got = [(Path(s.path).name, s.span.start.line + 1, s.title) for s in ours]
    assert got == [
        ("views.py", 14, "Apply OrderViewSet.permission_classes_by_action in get_permissions()"),
        ("views.py", 27, "Apply ReportView.permission_classes_per_method in get_permissions()"),
        ("views.py", 32, "Apply NoteViewSet.permission_classes_by_action in get_permissions()"),
    ]
    orders, report, notes = ours
    assert "nothing in the project reads `OrderViewSet.permission_classes_by_action`" in (
        orders.rationale
    )
    assert "a PATCH would run with `permission_classes`" in orders.rationale
    text = apply_suggestion(orders)[str(app / "views.py")]
    assert (
        "        return self.queryset.filter(user=self.request.user)\n\n"
        "    def get_permissions(self):\n"
        "        # DRF itself reads only permission_classes: the map applies through here\n"
        '        action = "update" if self.action == "partial_update" else self.action\n'
        "        classes = self.permission_classes_by_action.get(action, self.permission_classes)\n"
        "        return [permission() for permission in classes]\n\n\n"
        "class ReportView"
    ) in text
    compile(text, "views.py", "exec")
    report, notes = _ours(tmp_path)  # positions anew
    text = apply_suggestion(report)[str(app / "views.py")]
    assert (
        "    def get_permissions(self):\n"
        "        # DRF itself reads only permission_classes: the map applies through here\n"
        "        classes = self.permission_classes_per_method.get(\n"
        "            self.request.method, self.permission_classes\n"
        "        )\n"
        "        return [permission() for permission in classes]\n"
    ) in text
    compile(text, "views.py", "exec")
    (notes,) = _ours(tmp_path)
    assert "falling back to its `default` entry" in notes.rationale
    text = apply_suggestion(notes)[str(app / "views.py")]
    assert (
        "        classes = self.permission_classes_by_action.get(\n"
        '            self.action, self.permission_classes_by_action["default"]\n'
        "        )\n"
    ) in text
    compile(text, "views.py", "exec")
    assert _ours(tmp_path) == []


def test_the_fix_writes_the_modules_quotes(tmp_path: Path) -> None:
    app = _project(tmp_path)
    (app / "views.py").write_text(
        "from rest_framework import viewsets\n"
        "from rest_framework.permissions import IsAdminUser\n\n\n"
        "class OrderViewSet(viewsets.ModelViewSet):\n"
        "    permission_classes_by_action = {'update': (IsAdminUser,), 'destroy': (IsAdminUser,)}\n"
    )
    (ours,) = _ours(tmp_path)
    assert ours.span.start.line + 1 == 6
    text = apply_suggestion(ours)[str(app / "views.py")]
    assert "        action = 'update' if self.action == 'partial_update' else self.action\n" in text
    compile(text, "views.py", "exec")
