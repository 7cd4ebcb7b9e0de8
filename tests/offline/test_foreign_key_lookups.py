"""BKD202 on a Django lookup by a ForeignKey field's own name (``filter(sender=x)``), with the
query-string value as sent: Django takes it as the related row's key and raises ValueError on
``?sender=abc`` (a real messages view guarded ``car_id`` but not ``sender`` and ``receiver``,
blind round r38). The model is read through a queryset local (``queryset = Message.objects
.all()`` narrowed since). Silent twins: a non-key field, a related model whose key is a UUID,
a local bound to something other than a model's queryset."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

MODELS = """\
import uuid

from django.conf import settings
from django.db import models


class Room(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=40)


class Message(models.Model):
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE)
    topic = models.CharField(max_length=40)
"""

VIEWS = """\
from rest_framework import viewsets

from .models import Message
from .serializers import MessageSerializer


class MessageViewSet(viewsets.ModelViewSet):
    serializer_class = MessageSerializer

    def get_queryset(self):
        sender = self.request.query_params.get("sender")
        room = self.request.query_params.get("room")
        topic = self.request.query_params.get("topic")
        queryset = Message.objects.all()
        if sender:
            queryset = queryset.filter(sender=sender)
        if room:
            queryset = queryset.filter(room=room)
        if topic:
            queryset = queryset.filter(topic=topic)
        return queryset


class OtherViewSet(viewsets.ModelViewSet):
    serializer_class = MessageSerializer

    def get_queryset(self):
        sender = self.request.query_params.get("sender")
        queryset = self.load()
        return queryset.filter(sender=sender)

    def load(self):
        return Message.objects.none()
"""

SERIALIZERS = """\
from rest_framework import serializers

from .models import Message


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = "__all__"
"""


def test_a_foreign_key_field_looked_up_with_the_raw_value(tmp_path: Path) -> None:
    pkg = tmp_path / "chat"
    pkg.mkdir()
    for name, text in [
        ("__init__.py", ""),
        ("models.py", MODELS),
        ("views.py", VIEWS),
        ("serializers.py", SERIALIZERS),
    ]:
        (pkg / name).write_text(text)
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\n")
    found = [s for s in collect([str(tmp_path)]) if s.code == "BKD202"]
    # only sender: room's key is a UUID, topic no key, the second view's queryset unknown
    assert [(s.span.start.line + 1, s.title) for s in found] == [
        (16, "Check that `sender` is an integer before the query")
    ]
    text = apply_suggestion(found[0])[str(pkg / "views.py")]
    ast.parse(text)
    assert (
        "        if sender and not str(sender).isdigit():\n"
        '            raise ValidationError({"sender": ["A valid integer is required."]})\n'
    ) in text
