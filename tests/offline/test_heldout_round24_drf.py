"""Twenty-fourth held-out round (shapes of our own, after real DRF apps): a viewset's
``create`` reads ``request.data`` before it hands the body to a serializer; a serializer's
``to_internal_value`` indexes its raw data and fetches a row; Django mail sent with no timeout;
a model method that may return None used as a row."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=80)


class Order(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    duration = models.CharField(max_length=20)
"""

ORDER_VIEWS = """\
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from .models import Order, Project
from .serializers import OrderSerializer


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer

    def create(self, request, *args, **kwargs):
        project = Project.objects.get(id=request.data.get("project")["id"])
        if "-" in request.data.get("duration"):
            raise ValidationError("no negative orders")
        self.notify(project)
        return super().create(request, *args, **kwargs)

    def notify(self, project):
        return project
"""

# The same view once its serializer has run: every read is of a checked body.
ORDER_VIEWS_CLEAN = """\
from rest_framework import viewsets
from rest_framework.response import Response

from .models import Order
from .serializers import OrderSerializer


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = serializer.validated_data["project"]
        duration = request.data["duration"]
        serializer.save()
        return Response({"project": project.pk, "duration": duration}, status=201)
"""

MESSAGE_VIEWS = """\
from rest_framework import viewsets
from rest_framework.response import Response

from .mbox import Mbox
from .models import Order


class MessagesViewSet(viewsets.GenericViewSet):
    queryset = Order.objects.all()

    def create(self, request, *args, **kwargs):
        m = Mbox(request.data["mbox"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(subject=m.subject)
        return Response(serializer.data, status=201)
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Order


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ("project", "duration")
"""


def _app(tmp_path: Path, files: dict[str, str]) -> list[Suggestion]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "serializers.py").write_text(SERIALIZERS)
    (app / "mbox.py").write_text(
        "class Mbox:\n    def __init__(self, text):\n        self.subject = text\n"
    )
    for name, text in files.items():
        (app / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    return collect([str(tmp_path)])


def _where(found: list[Suggestion]) -> list[tuple[str, str, int]]:
    return [(Path(s.path).name, s.code, s.span.start.line + 1) for s in found]


def test_a_viewset_create_reads_the_body_before_its_serializer(tmp_path: Path) -> None:
    found = _app(tmp_path, {"views.py": ORDER_VIEWS})
    assert sorted(_where(found)) == [("views.py", "BKD201", 13), ("views.py", "BKD304", 13)]
    check = next(s for s in found if s.code == "BKD201")
    text = check.edits[-1].new_text
    assert '"project" not in request.data' in text or "for key in" in text
    assert '"id" not in request.data["project"]' in text
    assert "raise ValidationError(" in text


def test_reads_after_is_valid_are_silent(tmp_path: Path) -> None:
    assert _where(_app(tmp_path, {"views.py": ORDER_VIEWS_CLEAN})) == []


def test_a_read_before_is_valid_is_flagged(tmp_path: Path) -> None:
    found = _app(tmp_path, {"views.py": MESSAGE_VIEWS})
    assert _where(found) == [("views.py", "BKD201", 12)]
    assert "'mbox'" in found[0].rationale


RELATION_SERIALIZERS = """\
from rest_framework import serializers

from .models import Order, Project


class ProjectRelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ("id",)

    def to_internal_value(self, data):
        return Project.objects.get(pk=data["id"])


class OrderSerializer(serializers.ModelSerializer):
    project = ProjectRelationSerializer()

    class Meta:
        model = Order
        fields = ("project", "duration")

    def validate_duration(self, value):
        if Project.objects.get(pk=1).name == value:
            raise serializers.ValidationError("taken")
        return value
"""

RELATION_SERIALIZERS_CLEAN = """\
from rest_framework import serializers

from .models import Order, Project


class ProjectRelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = ("id",)

    def to_internal_value(self, data):
        try:
            return Project.objects.get(pk=data["id"])
        except (KeyError, TypeError, Project.DoesNotExist):
            raise serializers.ValidationError("no such project") from None


class OrderSerializer(serializers.ModelSerializer):
    project = ProjectRelationSerializer()

    class Meta:
        model = Order
        fields = ("project", "duration")
"""


def test_a_serializer_fetches_the_row_its_raw_data_names(tmp_path: Path) -> None:
    found = _app(tmp_path, {"serializers.py": RELATION_SERIALIZERS})
    # validate_duration's row is one the server names itself: not the client's 404
    assert _where(found) == [("serializers.py", "BKD304", 12)]
    text = found[0].edits[-1].new_text
    assert "except (KeyError, TypeError, Project.DoesNotExist):" in text
    assert 'raise serializers.ValidationError("no such Project") from None' in text


def test_a_serializer_that_raises_validation_error_is_silent(tmp_path: Path) -> None:
    assert _where(_app(tmp_path, {"serializers.py": RELATION_SERIALIZERS_CLEAN})) == []


NOTIFY = """\
from django.core.mail import EmailMultiAlternatives, get_connection


def notify_admins(project):
    connection = get_connection()
    message = EmailMultiAlternatives(subject="order", body=project.name, to=["a@example.com"])
    connection.send_messages([message])


def notify_owner(project):
    EmailMultiAlternatives(subject="order", body=project.name, to=["o@example.com"]).send()
"""

NOTIFY_VIEWS = """\
from rest_framework import viewsets
from rest_framework.response import Response

from .models import Order
from .notify import notify_admins, notify_owner


class OrderViewSet(viewsets.ModelViewSet):
    queryset = Order.objects.all()

    def destroy(self, request, *args, **kwargs):
        order = self.get_object()
        notify_admins(order.project)
        notify_owner(order.project)
        order.delete()
        return Response(status=204)
"""

NOTIFY_QUIET = NOTIFY.replace("get_connection()", "get_connection(fail_silently=True)").replace(
    ".send()", ".send(fail_silently=True)"
)


def test_django_mail_on_the_request_path(tmp_path: Path) -> None:
    found = _app(tmp_path, {"notify.py": NOTIFY, "views.py": NOTIFY_VIEWS})
    assert _where(found) == [("views.py", "BKD302", 13), ("views.py", "BKD302", 14)]
    assert "except OSError:" in found[0].edits[-1].new_text


def test_django_mail_that_fails_silently_is_silent(tmp_path: Path) -> None:
    assert _where(_app(tmp_path, {"notify.py": NOTIFY_QUIET, "views.py": NOTIFY_VIEWS})) == []


def test_email_timeout_bounds_a_hang_but_the_send_still_raises(tmp_path: Path) -> None:
    # the timeout turns a hang into socket.timeout (an OSError); a refused login raises
    # SMTPException with or without it: both are still a 500 where nothing catches them
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "settings.py").write_text("EMAIL_TIMEOUT = 10\n")
    found = _app(tmp_path, {"notify.py": NOTIFY, "views.py": NOTIFY_VIEWS})
    assert _where(found) == [("views.py", "BKD302", 13), ("views.py", "BKD302", 14)]
