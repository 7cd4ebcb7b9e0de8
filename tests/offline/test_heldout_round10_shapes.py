"""Tenth held-out round, after its measurement (verdicts on real apps, reproduced with fixtures
of our own): a key the view has tested, or that a form validated, needs no check; the signed-in
user's own row is no 404; the unguarded twins keep their suggestions."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

DJANGO = '[project]\nname = "media"\ndependencies = ["django"]\n'
MODELS = """\
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField("auth.User", on_delete=models.CASCADE)
    bio = models.TextField()
"""
VIEWS = """\
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic.edit import FormView

from media.models import Profile


def back(request):
    if url_has_allowed_host_and_scheme(request.GET.get("next"), None):
        return redirect(request.GET["next"])
    return redirect("home")


def watched(request):
    if "release" in request.POST:
        when = request.POST["release"]
        return HttpResponse(when)
    return HttpResponse("")


def rename(request):
    title = request.POST["title"]
    return HttpResponse(title)


class Login(FormView):
    def form_valid(self, form):
        name = self.request.POST["username"]
        profile = Profile.objects.get(user=self.request.user.pk)
        return HttpResponse(name + profile.bio)
"""


def test_tested_and_validated_keys_and_the_users_own_row(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": DJANGO,
        "media/__init__.py": "",
        "media/models.py": MODELS,
        "media/views.py": VIEWS,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found = [(s.code, s.span.start.line + 1) for s in collect([str(tmp_path)])]
    # Only the title nobody checks; ``next`` and ``release`` are tested, ``username`` is the
    # validated form's, the profile is the signed-in user's own.
    assert found == [("BKD205", 23)]
