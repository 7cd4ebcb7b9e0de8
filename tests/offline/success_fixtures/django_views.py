import json
import logging

from django.http import HttpResponse
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Event

logger = logging.getLogger(__name__)


def slack_events(request):
    try:
        data = json.loads(request.body)
        Event.objects.create(kind=data["type"])
    except Exception:
        pass
    return HttpResponse()


def import_rows(request):
    try:
        data = json.loads(request.body)
        Event.objects.create(kind=data["type"])
    except Exception:
        return HttpResponse(status=400)
    return HttpResponse()


class PaddleWebhookView(APIView):
    def post(self, request):
        try:
            Event.objects.create(kind=request.data["alert_name"])
        except Exception as exc:
            logger.error("paddle: %s", exc)
        return Response(status=status.HTTP_200_OK)
