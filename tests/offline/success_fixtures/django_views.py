import json

from django.http import HttpResponse

from .models import Event


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
