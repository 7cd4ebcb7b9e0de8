"""Twenty-fourth held-out round, Django apps (shapes of our own, after two real apps): a check
the view already made (``if not request.POST.get("q"): return`` above ``request.POST["q"]``,
``.exists()`` on the same queryset before ``.first()``); a ``.get()`` inside a try that catches
another model's DoesNotExist; JSON bodies decoded with ``json.load(request)``, read with
``.pop(key)``, or indexed where only the decode error is caught."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

MODELS = """\
from django.db import models


class Place(models.Model):
    name = models.CharField(max_length=80)


class Reminder(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE)
    slug = models.CharField(max_length=80)


class Invite(models.Model):
    email = models.CharField(max_length=80)
    sender = models.CharField(max_length=80)
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("x/<pk>", views.reminder),
    path("subscribe", views.subscribe),
    path("retire", views.retire),
    path("configure", views.configure),
    path("delta", views.delta),
    path("follow", views.follow),
    path("rename", views.rename),
]
"""


def _app(tmp_path: Path, views: str) -> list[Suggestion]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(MODELS)
    (app / "urls.py").write_text(URLS)
    (app / "views.py").write_text(views)
    (tmp_path / "requirements.txt").write_text("django\n")
    return collect([str(tmp_path)])


def _where(found: list[Suggestion]) -> list[tuple[str, int]]:
    return sorted((s.code, s.span.start.line + 1) for s in found if s.path.endswith("views.py"))


# -- a key the view refused without, four lines up ------------------------------------------

KEYS = """\
from django.http import HttpResponseBadRequest, JsonResponse


def subscribe(request):
    if not request.POST.get("topic"):
        return HttpResponseBadRequest("topic is required")
    return JsonResponse({"topic": request.POST["topic"], "region": request.POST["region"]})
"""


def test_a_key_refused_when_missing_is_not_checked_again(tmp_path: Path) -> None:
    # ``region`` is read unchecked (line 7, second read); ``topic`` was refused above
    found = [s for s in _app(tmp_path, KEYS) if s.code == "BKD205"]
    assert [s.title for s in found] == ["Answer 400 when `region` is missing"]


def test_a_truthy_default_refuses_nothing(tmp_path: Path) -> None:
    views = KEYS.replace('.get("topic")', '.get("topic", "all")')
    titles = {s.title for s in _app(tmp_path, views) if s.code == "BKD205"}
    assert "Answer 400 when `topic` is missing" in titles


# -- .exists() on the same queryset first ---------------------------------------------------

MIXIN = """\
from django.utils.functional import cached_property

from .models import Invite


class InviterMixin:
    @cached_property
    def inviter(self):
        if self.was_invited:
            invite = Invite.objects.filter(email=self.request.user.email).first()
            return invite.sender
        return "support"

    @cached_property
    def was_invited(self):
        return Invite.objects.filter(email=self.request.user.email).exists()
"""

EXISTS_FIRST = """\
from django.http import HttpResponseNotFound, JsonResponse

from .models import Reminder


def reminder(request, pk):
    if not Reminder.objects.filter(slug=pk).exists():
        return HttpResponseNotFound("no reminder")
    found = Reminder.objects.filter(slug=pk).first()
    return JsonResponse({"place": found.place_id})
"""


def test_a_property_that_asks_exists_guards_the_first(tmp_path: Path) -> None:
    assert not [s for s in _app(tmp_path, MIXIN) if s.code == "BKD306"]


def test_a_property_that_asks_of_another_queryset_does_not(tmp_path: Path) -> None:
    views = MIXIN.replace(
        "filter(email=self.request.user.email).exists()",
        "filter(sender=self.request.user.email).exists()",
    )
    assert _where([s for s in _app(tmp_path, views) if s.code == "BKD306"]) == [("BKD306", 10)]


def test_an_earlier_refusal_on_exists_guards_the_first(tmp_path: Path) -> None:
    assert not [s for s in _app(tmp_path, EXISTS_FIRST) if s.code == "BKD306"]


def test_without_the_refusal_the_first_is_flagged(tmp_path: Path) -> None:
    views = EXISTS_FIRST.replace(
        "    if not Reminder.objects.filter(slug=pk).exists():\n"
        '        return HttpResponseNotFound("no reminder")\n',
        "",
    )
    assert _where([s for s in _app(tmp_path, views) if s.code == "BKD306"]) == [("BKD306", 7)]


# -- another model's DoesNotExist -----------------------------------------------------------

WRONG_CLASS = """\
from django.core.exceptions import ObjectDoesNotExist
from django.http import JsonResponse

from .models import Place, Reminder


def reminder(request, pk):
    try:
        found = Reminder.objects.get(id=pk)
        place = found.place.name
    except Place.DoesNotExist:
        place = ""
    return JsonResponse({"place": place})
"""


def test_a_try_for_another_models_miss_does_not_catch_the_get(tmp_path: Path) -> None:
    assert _where([s for s in _app(tmp_path, WRONG_CLASS) if s.code == "BKD304"]) == [("BKD304", 9)]


def test_the_models_own_miss_or_a_broader_one_does(tmp_path: Path) -> None:
    for caught in ("Reminder.DoesNotExist", "ObjectDoesNotExist", "Exception"):
        views = WRONG_CLASS.replace("except Place.DoesNotExist", f"except {caught}")
        root = tmp_path / caught.replace(".", "_")
        root.mkdir()
        assert not [s for s in _app(root, views) if s.code == "BKD304"], caught


# -- JSON bodies ----------------------------------------------------------------------------

LOADED = """\
import json

from django.http import JsonResponse


def retire(request):
    retirement = json.load(request)
    return JsonResponse({"name": retirement["name"], "date": retirement["date"]})


def configure(request):
    body = json.loads(request.body)
    name = body.pop("name")
    return JsonResponse({"name": name, "settings": body})


def delta(request):
    return JsonResponse({"delta": json.load(request)["delta"]})
"""


def test_json_load_of_the_request_is_a_decoded_body(tmp_path: Path) -> None:
    found = _app(tmp_path, LOADED)
    assert _where(found) == [
        ("BKD201", 7),
        ("BKD201", 12),
        ("BKD305", 7),
        ("BKD305", 12),
        ("BKD305", 18),
    ]
    by_line = {(s.code, s.span.start.line + 1): s for s in found}
    check = by_line[("BKD201", 7)].edits[-1].new_text
    assert "any(key not in retirement for key in ('name', 'date'))" in check
    assert "('name',)" in by_line[("BKD201", 12)].edits[-1].new_text
    # the key read straight off the decoded body: the one handler answers both
    assert "except (KeyError, json.JSONDecodeError):" in by_line[("BKD305", 18)].edits[-1].new_text


def test_checked_keys_and_a_pop_with_default_are_silent(tmp_path: Path) -> None:
    views = LOADED.replace('body.pop("name")', 'body.pop("name", "")').replace(
        "    retirement = json.load(request)\n",
        "    retirement = json.load(request)\n"
        '    if "name" not in retirement or "date" not in retirement:\n'
        '        return JsonResponse({"error": "name and date"}, status=400)\n',
    )
    assert not [s for s in _app(tmp_path, views) if s.code == "BKD201"]


INDEXED = """\
import json

from django.http import HttpResponseBadRequest, JsonResponse


def follow(request):
    try:
        bill = json.loads(request.body)["bill"]
    except json.JSONDecodeError:
        return HttpResponseBadRequest("invalid JSON")
    return JsonResponse({"bill": bill})
"""


def test_a_decode_handler_does_not_take_the_key_error(tmp_path: Path) -> None:
    found = [s for s in _app(tmp_path, INDEXED) if s.code == "BKD305"]
    assert [s.title for s in found] == ["Answer 400 when the JSON body has no `bill`"]
    assert found[0].edits[-1].new_text == "(json.JSONDecodeError, KeyError)"


def test_a_handler_of_the_key_error_too_is_silent(tmp_path: Path) -> None:
    for handler in ("(ValueError, KeyError)", "Exception"):
        views = INDEXED.replace("except json.JSONDecodeError", f"except {handler}")
        root = tmp_path / handler.strip("()").replace(", ", "_")
        root.mkdir()
        assert not [s for s in _app(root, views) if s.code == "BKD305"], handler


DECODED = """\
import json

from django.http import JsonResponse
from django.views import View


def rename(request):
    data = json.loads(request.body.decode("utf-8"))
    return JsonResponse({"name": data["name"]})


class RetireView(View):
    def post(self, request):
        retirement = json.load(self.request)
        return JsonResponse({"date": retirement["date"]})
"""


def test_a_decoded_bytes_body_and_a_view_class_request_are_decoded_bodies(tmp_path: Path) -> None:
    # one reading of a decoded body for BKD201's key check and BKD202's client input
    found = [s for s in _app(tmp_path, DECODED) if s.code == "BKD201"]
    assert [s.span.start.line + 1 for s in found] == [8, 14]
    assert "('name',)" in found[0].edits[-1].new_text
    assert "('date',)" in found[1].edits[-1].new_text
