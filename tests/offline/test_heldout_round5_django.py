"""Fifth held-out round, its Django causes: verdicts from judging the offline engine on real
Django apps (function views behind the project's own decorators, class-based views and
mixins), kept as small fixtures of our own that reproduce each shape: what a reviewer
rejected stays silent, what a reviewer accepted or found missing is suggested at its line."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "site"\ndependencies = ["django", "requests"]\n'


def _project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _sites(found: list[Suggestion], root: Path) -> set[tuple[str, int, str]]:
    return {
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.code) for s in found
    }


def _each_edit_parses(found: list[Suggestion]) -> dict[str, str]:
    """Applies each suggestion on its own to the original files; every result parses."""
    texts: dict[str, str] = {}
    for s in found:
        originals = {e.path: Path(e.path).read_text() for e in s.edits}
        for path, text in apply_suggestion(s).items():
            ast.parse(text)
            texts[f"{Path(path).name}:{s.span.start.line + 1}"] = text
        for path, text in originals.items():
            Path(path).write_text(text)
    return texts


# --- 1. a project decorator that reads the key (400) and fetches the row before the view ---

DECORATORS = """\
from django.http import Http404, HttpResponseBadRequest, HttpResponseForbidden

from teams.models import Team


def owner_required(view):
    def wrapper(request, *args, **kwargs):
        if "slug" in kwargs:
            try:
                team = Team.objects.get(slug=kwargs["slug"])
            except Team.DoesNotExist:
                raise Http404
        else:
            try:
                team_id = request.POST["team-id"]
            except KeyError:
                return HttpResponseBadRequest()
            team = Team.objects.get(pk=team_id)
        if team.owner_id != request.user.id:
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return wrapper


def traced(view):
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper
"""

TEAM_VIEWS = """\
from django.http import HttpResponse
from django.shortcuts import render

from teams.decorators import owner_required, traced
from teams.models import Member, Team


@owner_required
def rename(request):
    team_id = request.POST["team-id"]
    member_id = request.POST["member-id"]
    team = Team.objects.get(pk=team_id)
    member = Member.objects.get(pk=member_id)
    return HttpResponse(team.name + member.name)


@owner_required
def page(request, slug):
    team = Team.objects.get(slug=slug)
    return render(request, "team.html", {"team": team})


@traced
def audit(request):
    team_id = request.POST["team-id"]
    team = Team.objects.get(pk=team_id)
    return HttpResponse(team.name)


def chart(request):
    team_id = request.GET["team-id"]
    team = Team.objects.get(pk=team_id)
    return HttpResponse(team.name)
"""

TEAM_MODELS = """\
from django.db import models


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=50)
    owner_id = models.IntegerField()


class Member(models.Model):
    name = models.CharField(max_length=50)
"""


def test_a_decorator_that_guards_the_key_and_the_row(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "teams/__init__.py": "",
            "teams/decorators.py": DECORATORS,
            "teams/views.py": TEAM_VIEWS,
            "teams/models.py": TEAM_MODELS,
        },
    )
    found = collect([str(root)], ["validation", "error-handling"])
    assert _sites(found, root) == {
        # the decorator's own unguarded fetch: the right place for the fix
        ("teams/decorators.py", 18, "BKD304"),
        # keys and rows the decorator does not check
        ("teams/views.py", 11, "BKD205"),
        ("teams/views.py", 13, "BKD304"),
        # a decorator that checks nothing leaves the view's reads to the view
        ("teams/views.py", 25, "BKD205"),
        ("teams/views.py", 26, "BKD304"),
        # no decorator at all
        ("teams/views.py", 31, "BKD205"),
        ("teams/views.py", 32, "BKD304"),
    }
    _each_edit_parses(found)


# --- 2. a helper that takes ``request`` is not a view: it returns a bool to a form ---

CAPTCHA = """\
import requests


def captcha_ok(request):
    answer = request.POST.get("captcha")
    reply = requests.post("https://captcha.invalid/verify", data={"r": answer}, timeout=5)
    return reply.json()["success"]


def ping(request):
    reply = requests.get("https://status.invalid/", timeout=5)
    return reply.text
"""

URLS = """\
from django.urls import path

from site_app import helpers

urlpatterns = [path("ping/", helpers.ping)]
"""


def test_a_helper_taking_request_is_not_a_view(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {
            "site_app/__init__.py": "",
            "site_app/helpers.py": "from django.conf import settings\n" + CAPTCHA,
            "site_app/urls.py": URLS,
        },
    )
    found = collect([str(root)], ["error-handling"])
    # captcha_ok answers a form: a JsonResponse from it would be truthy (the captcha passes);
    # ping is what a urls.py routes to, so it is a view even without a response of its own
    assert _sites(found, root) == {("site_app/helpers.py", 12, "BKD302")}
    _each_edit_parses(found)


# --- 3. class-based views: self.request in handlers, helpers and mixins ---

CBV = """\
import json
from datetime import datetime

from django.http import HttpResponse, HttpResponseForbidden
from django.views import View
from django.views.generic import ListView

from hits.models import Site


class SiteCheckMixin:
    def dispatch(self, request, *args, **kwargs):
        try:
            site = Site.objects.get(key=self.kwargs.get("key"))
            if not site.enabled:
                return HttpResponseForbidden()
            return super().dispatch(request, *args, **kwargs)
        except Site.DoesNotExist:
            return HttpResponse(status=404)


class HitView(SiteCheckMixin, View):
    def get(self, *args, **kwargs):
        site = Site.objects.get(key=self.kwargs.get("key"))
        return HttpResponse(site.key)

    def post(self, *args, **kwargs):
        payload = json.loads(self.request.body)
        return HttpResponse(payload["path"])


class PeriodMixin:
    def start(self):
        if self.request.GET.get("since") is not None:
            day = datetime.strptime(
                self.request.GET.get("since"), "%Y-%m-%d"
            )
            return day
        return None


class HitList(PeriodMixin, ListView):
    def get_queryset(self):
        limit = int(self.request.GET["limit"])
        return Site.objects.all()[:limit]
"""

SITE_MODELS = """\
from django.db import models


class Site(models.Model):
    key = models.CharField(max_length=20, unique=True)
    enabled = models.BooleanField(default=True)
"""


def test_class_based_views_read_self_request(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        {"hits/__init__.py": "", "hits/views.py": CBV, "hits/models.py": SITE_MODELS},
    )
    found = collect([str(root)], ["validation", "error-handling"])
    # HitView.get's fetch is caught by the mixin's dispatch around super().dispatch
    # (the decoded body's unchecked ``payload["path"]`` is BKD201's since round 24)
    assert _sites(found, root) == {
        ("hits/views.py", 28, "BKD201"),
        ("hits/views.py", 28, "BKD305"),
        ("hits/views.py", 35, "BKD202"),
        ("hits/views.py", 44, "BKD202"),
    }
    texts = _each_edit_parses(found)
    # a handler answers 400; a helper method raises it (a response is not its to return)
    assert 'return HttpResponseBadRequest("invalid JSON")' in texts["views.py:28"]
    assert 'raise BadRequest("since must be a date")' in texts["views.py:35"]
    assert "from django.core.exceptions import BadRequest" in texts["views.py:44"]
    assert 'raise BadRequest("limit must be an integer")' in texts["views.py:44"]


# --- 4. an upload read by key: MultiValueDictKeyError is a 500 in Django (Flask answers 400) ---

UPLOAD = """\
from django.http import HttpResponse
from django.shortcuts import render


def import_bibtex(request):
    if request.method == "POST":
        bibtex = request.FILES["bibtex"]
        return HttpResponse(bibtex.read()[:10])
    return render(request, "import.html")
"""


def test_an_upload_read_by_key_answers_400_when_missing(tmp_path: Path) -> None:
    root = _project(tmp_path, {"library/__init__.py": "", "library/views.py": UPLOAD})
    found = [s for s in collect([str(root)], ["validation"]) if s.code == "BKD205"]
    assert _sites(found, root) == {("library/views.py", 7, "BKD205")}
    (text,) = _each_edit_parses(found).values()
    assert 'bibtex = request.FILES.get("bibtex")\n        if bibtex is None:' in text
