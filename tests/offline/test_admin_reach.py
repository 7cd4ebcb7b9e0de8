"""Queries only the admin site runs, in modules of their own (a blind review of a real Django
app, shapes of our own): the application admin's "deploy" button calls a model method that
copies the city's last event (``copy_event`` in another module) and moves its mail account
(through a helper of a helper); an admin action's helper closes old events. Nothing else calls
them, so their indexes are an administrator's, as the admin's own reads are: silent. The
same helper called by a public view too keeps its index."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

MODELS = """\
from django.db import models, transaction

from core import accounts
from core.deploy import copy_event


class Event(models.Model):
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)
    email = models.CharField(max_length=100)
    page_url = models.CharField(max_length=100)
    date = models.DateField(null=True)


class Application(models.Model):
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)

    @transaction.atomic
    def deploy(self):
        previous = Event.objects.filter(city=self.city).order_by("-date").first()
        return copy_event(previous) if previous else None

    def send_deployed_email(self, event):
        return accounts.make_account(event)
"""
DEPLOY = """\
from core.models import Event


def copy_event(previous):
    number = Event.objects.filter(city=previous.city, country=previous.country).count()
    return Event.objects.create(city=previous.city, country=previous.country, email=str(number))
"""
ACCOUNTS = """\
def make_account(event):
    return migrate_account(event)


def migrate_account(event):
    \"\"\"Moves the account of the city's last event (called by make_account).\"\"\"
    from core.models import Event

    return Event.objects.exclude(id=event.id).filter(email=event.email).order_by("-id").first()
"""
ACTIONS = """\
from core.closing import close_old


def close_selected(modeladmin, request, queryset):
    for application in queryset:
        close_old(application.country)
"""
CLOSING = """\
from core.models import Event


def close_old(country):
    return Event.objects.filter(country=country, date__lt="2020-01-01").update(page_url="")
"""
ADMIN = """\
from django.contrib import admin
from django.shortcuts import get_object_or_404, redirect

from core.actions import close_selected
from core.models import Application


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    actions = [close_selected]

    def deploy_view(self, request, pk):
        application = get_object_or_404(Application, pk=pk)
        event = application.deploy()
        if event:
            application.send_deployed_email(event)
        return redirect("admin:index")
"""
VIEWS = """\
from django.http import JsonResponse

from core.models import Event


def event(request, page_url):
    found = Event.objects.filter(page_url=page_url).first()
    return JsonResponse({"city": found.city})


def new_event(request):
    made = Event.objects.create(city=request.POST["city"], country=request.POST["country"])
    return JsonResponse({"id": made.id})
"""


def _app(root: Path, views: str = VIEWS) -> Path:
    files = {
        "core/__init__.py": "",
        "core/models.py": MODELS,
        "core/deploy.py": DEPLOY,
        "core/accounts.py": ACCOUNTS,
        "core/actions.py": ACTIONS,
        "core/closing.py": CLOSING,
        "core/admin.py": ADMIN,
        "core/views.py": views,
        "requirements.txt": "django\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def _sites(root: Path) -> list[tuple[str, int, str]]:
    return sorted(
        (Path(s.path).name, s.span.start.line + 1, s.title)
        for s in collect([str(root)], ["index"])
        if s.code == "BKD101"
    )


def test_queries_only_the_admin_runs_get_no_index(tmp_path: Path) -> None:
    # the public page's lookup keeps its index; the deploy button's, the account move's and
    # the admin action's helper get none
    assert _sites(_app(tmp_path)) == [("views.py", 7, "Add an index on event (page_url)")]


def test_a_helper_a_public_view_calls_too_keeps_its_index(tmp_path: Path) -> None:
    views = VIEWS.replace(
        "from core.models import Event\n",
        "from core.deploy import copy_event\nfrom core.models import Event\n",
    ) + (
        "\n\ndef again(request, page_url):\n"
        "    return JsonResponse({'id': copy_event(Event.objects.get(pk=1)).id})\n"
    )
    assert _sites(_app(tmp_path, views)) == [
        ("deploy.py", 5, "Add an index on event (city, country)"),
        ("views.py", 8, "Add an index on event (page_url)"),
    ]
