"""Tables only staff write to, through the Django admin (a blind review of two real apps,
shapes of our own): a job board's partner posts and a blog's entries, listed whole on a public
page, hold a few dozen rows; indexes on them were noise. Only where it is precise: the model is
registered with the admin and no other code of the project can make a row. A table that a
view, a form, a command, a related manager or a copy writes to keeps its index."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect

MODELS = """\
from django.db import models


class Partner(models.Model):
    name = models.CharField(max_length=100)


class Job(models.Model):
    company = models.ForeignKey(Partner, on_delete=models.CASCADE)
    role = models.CharField(max_length=200)
    open = models.BooleanField(default=True)
    date_created = models.DateTimeField(auto_now_add=True)


class Entry(models.Model):
    DRAFT = "D"
    PUBLISHED = "P"
    title = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255)
    status = models.CharField(max_length=10, choices=((DRAFT, "Draft"), (PUBLISHED, "Published")))
    start_publication = models.DateTimeField()
"""
ADMIN = """\
from django.contrib import admin

from .models import Entry, Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("role", "company", "open")


class EntryAdmin(admin.ModelAdmin):
    fields = ("title", "status", "start_publication")

    def save_model(self, request, obj, form, change):
        obj.slug = obj.title.lower()
        obj.save()


admin.site.register(Entry, EntryAdmin)
"""
VIEWS = """\
from django.shortcuts import get_object_or_404, render

from .models import Entry, Job


def jobs(request):
    job_list = Job.objects.filter(open=True).order_by("-date_created")
    return render(request, "jobs.html", {"jobs": job_list})


def job(request, id):
    try:
        found = Job.objects.get(id=id)
    except Job.DoesNotExist:
        found = None
    return render(request, "job.html", {"job": found})


def entries(request):
    rows = Entry.objects.filter(status=Entry.PUBLISHED).order_by("-start_publication")
    return render(request, "entries.html", {"entries": rows})


def entry(request, slug):
    found = get_object_or_404(Entry.objects.all(), slug=slug, status=Entry.PUBLISHED)
    return render(request, "entry.html", {"entry": found})
"""
JOB_INDEX = "Add an index on job (open, date_created)"


def _titles(root: Path, extra: dict[str, str] | None = None, admin: str = ADMIN) -> list[str]:
    files = {
        "board/__init__.py": "",
        "board/models.py": MODELS,
        "board/admin.py": admin,
        "board/views.py": VIEWS,
        "requirements.txt": "django\n",
        **(extra or {}),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return sorted(s.title for s in collect([str(root)], ["index"]) if s.code == "BKD101")


def test_tables_only_the_admin_adds_rows_to_get_no_index(tmp_path: Path) -> None:
    assert _titles(tmp_path) == []


POST_JOB = """\
from django.http import JsonResponse

from .models import Job


def post_job(request):
    {make}
    return JsonResponse({{"ok": True}})
"""
# Each a way the project's own code makes a row of Job: then it grows with its users.
MAKERS = {
    "create": "Job.objects.create(company_id=1, role=request.POST['role'])",
    "instance": "Job(company_id=1, role=request.POST['role']).save()",
    "get_or_create": "Job.objects.get_or_create(company_id=1, role=request.POST['role'])",
    "manager method": "Job.objects.post_from(request.POST)",
    "related manager": "request.user.partner.job_set.create(role=request.POST['role'])",
    "copy": "row = Job.objects.get(pk=1)\n    row.pk = None\n    row.save()",
}


@pytest.mark.parametrize("make", sorted(MAKERS))
def test_a_table_a_view_writes_to_keeps_its_index(tmp_path: Path, make: str) -> None:
    extra = {"board/posting.py": POST_JOB.format(make=MAKERS[make])}
    assert _titles(tmp_path, extra) == [JOB_INDEX]


FORM = """\
from django import forms

from .models import Job


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ["role"]
"""
VIEWSET = """\
from rest_framework import viewsets

from .models import Job


class JobViewSet(viewsets.ModelViewSet):
    queryset = Job.objects.all()
"""
COMMAND = """\
from django.core.management.base import BaseCommand

from board.models import Job


class Command(BaseCommand):
    def handle(self, *args, **options):
        Job.objects.bulk_create([Job(company_id=1, role="imported")])
"""


@pytest.mark.parametrize(
    "extra",
    [
        {"board/forms.py": FORM},
        {"board/api.py": VIEWSET},
        {"board/management/commands/import_jobs.py": COMMAND},
    ],
    ids=["model form", "viewset", "command"],
)
def test_a_form_a_viewset_or_a_command_makes_rows_too(
    tmp_path: Path, extra: dict[str, str]
) -> None:
    assert _titles(tmp_path, extra) == [JOB_INDEX]


def test_an_admin_that_adds_no_rows_is_no_evidence(tmp_path: Path) -> None:
    admin = ADMIN.replace(
        '    list_display = ("role", "company", "open")\n',
        '    list_display = ("role", "company", "open")\n\n'
        "    def has_add_permission(self, request):\n"
        "        return False\n",
    )
    assert _titles(tmp_path, admin=admin) == [JOB_INDEX]


def test_a_model_the_admin_does_not_register_is_judged_as_before(tmp_path: Path) -> None:
    admin = ADMIN.replace("@admin.register(Job)\n", "")
    assert _titles(tmp_path, admin=admin) == [JOB_INDEX]
