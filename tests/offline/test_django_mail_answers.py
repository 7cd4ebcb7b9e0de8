"""BKD302 on a Django view that sends mail on the request path: the fix answers in the view's
own idiom, and the rationale says what the failure costs as the code stands.

Shapes of junction (cmp5, cause 7): a form POST creates a comment, mails the reviewers, then
redirects; a JSON 502 there showed raw JSON for an action that had succeeded. And a settings
module with a top-level ``ATOMIC_REQUESTS = True``, which Django ignores.
"""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.django_settings import ATOMIC_REQUESTS
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

MAILER = """\
from django.core.mail import send_mail


def send_review_request(comment_id):
    send_mail("New comment", str(comment_id), "noreply@example.org", ["r@example.org"])
    return 1
"""

MODELS = """\
from django.db import models


class Comment(models.Model):
    text = models.TextField()
"""

REDIRECT_VIEWS = """\
import logging

from django.http import HttpResponseRedirect
from django.urls import reverse

from .mailer import send_review_request
from .models import Comment

logger = logging.getLogger(__name__)


def add_comment(request):
    comment = Comment.objects.create(text=request.POST["text"])
    send_review_request(comment.id)
    return HttpResponseRedirect(reverse("comments"))


def upload(request):
    sent = send_review_request(0)
    if sent == 1:
        message = "Email sent successfully."
    else:
        message = "There is a problem in sending mail."
    return HttpResponseRedirect(reverse("comments") + "?m=" + message)
"""

JSON_VIEWS = """\
from django.http import JsonResponse

from .mailer import send_review_request
from .models import Comment


def add_comment(request):
    comment = Comment.objects.create(text=request.POST["text"])
    send_review_request(comment.id)
    return JsonResponse({"id": comment.id}, status=201)


def ping_reviewers(request):
    send_review_request(0)
    Comment.objects.create(text="pinged")
    return JsonResponse({"ok": True})
"""

URLS = """\
from django.urls import path

from . import views

urlpatterns = [
    path("c/", views.add_comment, name="comments"),
    path("u/", views.upload),
    path("p/", views.ping_reviewers),
]
"""

SETTINGS = """\
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.messages", "club"]
"""


def _app(tmp_path: Path, views: str, settings: str = SETTINGS) -> list[Suggestion]:
    (tmp_path / "manage.py").write_text("")
    (tmp_path / "settings.py").write_text(settings)
    (tmp_path / "requirements.txt").write_text("django\n")
    app = tmp_path / "club"
    app.mkdir()
    for name, text in {
        "__init__.py": "",
        "mailer.py": MAILER,
        "models.py": MODELS,
        "urls.py": URLS,
        "views.py": views,
    }.items():
        (app / name).write_text(text)
    return [
        s for s in collect([str(tmp_path)]) if s.code == "BKD302" and s.path.endswith("views.py")
    ]


def _at(found: list[Suggestion], line: int) -> Suggestion:
    return next(s for s in found if s.span.start.line + 1 == line)


def test_a_redirect_view_that_saved_warns_and_keeps_its_redirect(tmp_path: Path) -> None:
    found = _app(tmp_path, REDIRECT_VIEWS)
    fix = _at(found, 14)
    assert "after the view has saved its work" in fix.rationale
    assert "before the view saves its work" not in fix.rationale
    assert "error page for an action that succeeded" in fix.rationale
    new = apply_suggestion(fix)[fix.path]
    ast.parse(new)
    assert "JsonResponse" not in new
    assert '        logger.exception("could not send mail")\n' in new
    assert (
        '        messages.warning(request, "We could not send the email. Please try again later.")\n'
        '    return HttpResponseRedirect(reverse("comments"))\n'
    ) in new
    assert "from django.contrib import messages\n" in new


def test_a_send_whose_result_the_view_tests_takes_the_views_failure_path(
    tmp_path: Path,
) -> None:
    fix = _at(_app(tmp_path, REDIRECT_VIEWS), 19)
    new = apply_suggestion(fix)[fix.path]
    assert "    except OSError:" in new
    assert "        sent = None\n    if sent == 1:\n" in new
    assert "before the view saves its work" not in fix.rationale


def test_a_project_without_the_messages_app_only_logs(tmp_path: Path) -> None:
    fix = _at(_app(tmp_path, REDIRECT_VIEWS, 'INSTALLED_APPS = ["club"]\n'), 14)
    new = apply_suggestion(fix)[fix.path]
    assert "messages" not in new
    assert (
        '        logger.exception("could not send mail")\n'
        '    return HttpResponseRedirect(reverse("comments"))\n'
    ) in new


def test_a_json_view_that_saved_logs_and_answers_its_success(tmp_path: Path) -> None:
    found = _app(tmp_path, JSON_VIEWS)
    saved = _at(found, 9)
    new = apply_suggestion(saved)[saved.path]
    assert "502" not in new
    assert "messages" not in new  # no browser to tell
    assert "import logging\n" in new
    assert (
        '        logging.getLogger(__name__).exception("could not send mail")\n'
        '    return JsonResponse({"id": comment.id}, status=201)\n'
    ) in new


def test_a_json_view_that_has_saved_nothing_answers_502(tmp_path: Path) -> None:
    fix = _at(_app(tmp_path, JSON_VIEWS), 14)
    assert "before the view saves its work" in fix.rationale
    assert "502" in fix.edits[-1].new_text


def test_atomic_requests_in_databases_rolls_the_save_back(tmp_path: Path) -> None:
    settings = SETTINGS + 'DATABASES = {"default": {"ENGINE": "x", "ATOMIC_REQUESTS": True}}\n'
    fix = _at(_app(tmp_path, REDIRECT_VIEWS, settings), 14)
    assert "rolls back what the view saved before it" in fix.rationale


def test_a_top_level_atomic_requests_does_nothing(tmp_path: Path) -> None:
    fix = _at(_app(tmp_path, REDIRECT_VIEWS, SETTINGS + "ATOMIC_REQUESTS = True\n"), 14)
    assert "the saved change stays" in fix.rationale
    assert "rolls back" not in fix.rationale


def test_which_settings_say_atomic_requests(tmp_path: Path) -> None:
    (tmp_path / "manage.py").write_text("")
    cases = {
        "ATOMIC_REQUESTS = True\n": False,  # not a Django setting
        '# DATABASES = {"default": {"ATOMIC_REQUESTS": True}}\n': False,
        'DATABASES = {"default": {"ATOMIC_REQUESTS": False}}\n': False,
        'DATABASES = {\n    "default": {\n        "ATOMIC_REQUESTS": True,\n    }\n}\n': True,
        'DATABASES["default"]["ATOMIC_REQUESTS"] = True\n': True,
    }
    for n, (text, says) in enumerate(cases.items()):
        folder = tmp_path / f"p{n}"
        folder.mkdir()
        (folder / "manage.py").write_text("")
        (folder / "settings.py").write_text(text)
        assert ATOMIC_REQUESTS.set_for(str(folder / "views.py")) is says, text
