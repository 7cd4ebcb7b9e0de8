"""A blind planted-defect check's false positive, reproduced with a fixture of our own: a row
the server itself expects (looked up by constants) missing is the server's fault, so no 404
advice; the same lookup by request data still gets it."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

VIEWS = """\
from django.http import JsonResponse

from desk.models import Team


def inbound_mail(request):
    team = Team.objects.get(name="Support")
    return JsonResponse({"team": team.id})


def team_page(request, slug):
    team = Team.objects.get(slug=slug)
    return JsonResponse({"team": team.id})
"""
MODELS = """\
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(unique=True)
"""


def test_only_lookups_by_request_data_get_a_404(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "desk"\ndependencies = ["django"]\n',
        "desk/__init__.py": "",
        "desk/models.py": MODELS,
        "desk/views.py": VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD304"]
    assert [s.span.start.line + 1 for s in found] == [12]
