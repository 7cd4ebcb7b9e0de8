"""BKD316: a route's broad ``except`` that answers its failure with a 2xx (asked for by blind
judges and planted sets: a Stripe receiver's ``except Exception: log.debug(...)`` then
``return jsonify(received=True)``, so Stripe never retries). Each fixture has the silent twins:
a re-raise or 4xx/5xx, an error log outside a receiver, an answer naming the error, a Slack
ping after the save (best_effort.py's log-and-go-on)."""

from __future__ import annotations

import shutil
from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

FIXTURES = Path(__file__).parent / "success_fixtures"
MODELS = """\
from django.db import models


class Event(models.Model):
    kind = models.CharField(max_length=40)
"""


def _app(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text(
        "flask\nflask-sqlalchemy\nstripe\nrequests\nfastapi\nhttpx\ndjango\ndjangorestframework\n"
    )
    shutil.copy(FIXTURES / "flask_app.py", tmp_path / "app.py")
    shutil.copy(FIXTURES / "fastapi_app.py", tmp_path / "api.py")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "__init__.py").write_text("")
    (hooks / "models.py").write_text(MODELS)
    shutil.copy(FIXTURES / "django_views.py", hooks / "views.py")
    shutil.copy(FIXTURES / "django_urls.py", hooks / "urls.py")
    # the suite's copy of the receiver: no rule is for tests
    (tmp_path / "tests").mkdir()
    shutil.copy(FIXTURES / "flask_app.py", tmp_path / "tests" / "test_hooks.py")
    return tmp_path


def _found(root: Path) -> list:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD316"]


def test_a_failure_answered_as_success_answers_500(tmp_path: Path) -> None:
    root = _app(tmp_path)
    found = _found(root)
    got = sorted((Path(s.path).name, s.span.start.line + 1) for s in found)
    # the Stripe receiver (debug log), the API write (pass), GitHub's receiver (its error
    # log does not make GitHub retry), Slack's Django receiver; not their twins;
    # and a DRF view class named for its sender
    assert got == [
        ("api.py", 19),
        ("app.py", 30),
        ("app.py", 40),
        ("views.py", 18),
        ("views.py", 36),
    ]
    by_name = {(Path(s.path).name, s.span.start.line + 1): s for s in found}
    assert "never sends it again" in by_name[("app.py", 30)].rationale
    assert "told its request was served" in by_name[("app.py", 40)].rationale
    text = apply_suggestion(by_name[("app.py", 30)])[str(root / "app.py")]
    assert '        log.exception("stripe webhook: %s", exc)\n' in text
    assert '        return jsonify(error="stripe_webhook failed"), 500\n' in text
    compile(text, "app.py", "exec")
    text = apply_suggestion(by_name[("api.py", 19)])[str(root / "api.py")]
    assert "from fastapi import FastAPI, HTTPException, Request\n" in text
    assert (
        '        logger.exception("push failed: %s", exc)\n'
        '        raise HTTPException(status_code=500, detail="github_events failed") from exc\n'
    ) in text
    compile(text, "api.py", "exec")
    views = str(root / "hooks" / "views.py")
    text = apply_suggestion(by_name[("views.py", 36)])[views]
    assert (
        '            logger.exception("paddle: %s", exc)\n'
        '            return Response({"error": "PaddleWebhookView.post failed"}, status=500)\n'
    ) in text
    text = apply_suggestion(by_name[("views.py", 18)])[views]
    assert (
        '        logger.exception("slack_events failed")\n        return HttpResponse(status=500)\n'
    ) in text
    compile(text, "views.py", "exec")
    left = sorted((Path(s.path).name, s.span.start.line + 1) for s in _found(root))
    assert left == [("app.py", 41)]  # the one not applied (a line down now)


def test_one_line_handlers_and_logged_api_failures_stay_silent(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")
    text = (FIXTURES / "flask_app.py").read_text()
    head = text[: text.index('@app.post("/webhooks/stripe")')]
    (tmp_path / "app.py").write_text(
        head
        + '@app.post("/api/notes")\n'
        + "def note():\n"
        + "    try:\n"
        + '        db.session.add(Payment(intent=request.json["intent"]))\n'
        + "        db.session.commit()\n"
        + "    except Exception:\n"
        + '        log.error("note failed")\n'
        + '    return {"status": "ok"}\n\n\n'
        # a fallback the route goes on with, and a parse alone (a bad body is a 400)
        + '@app.post("/webhooks/mail")\n'
        + "def mail_hook():\n"
        + "    try:\n"
        + "        kind = record(request.get_json())\n"
        + "    except Exception:\n"
        + '        kind = "skipped"\n'
        + '    return {"status": kind}\n\n\n'
        + '@app.post("/webhooks/raw")\n'
        + "def raw_hook():\n"
        + "    try:\n"
        + "        request.get_json()\n"
        + "    except Exception:\n"
        + '        log.debug("bad body")\n'
        + '    return {"status": "ok"}\n'
    )
    assert _found(tmp_path) == []


def test_a_module_without_a_logger_gets_one_for_the_exception(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nrequests\n")
    (tmp_path / "hooks.py").write_text(
        "import requests\n"
        "from flask import Flask\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.post("/hooks/deploy")\n'
        "def deploy():\n"
        "    try:\n"
        '        requests.post("https://ci.example.com/build", timeout=5)\n'
        "    except Exception as exc:\n"
        '        print(f"deploy failed: {exc}")\n'
        '    return "ok"\n'
    )
    (found,) = _found(tmp_path)
    text = apply_suggestion(found)[str(tmp_path / "hooks.py")]
    assert text.startswith("import logging\n\nimport requests\n")
    assert (
        '        logging.getLogger(__name__).exception(f"deploy failed: {exc}")\n'
        '        return "", 500\n    return "ok"\n'
    ) in text
    compile(text, "hooks.py", "exec")


TOGGLES = """\
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Event, Star


class StarToggleView(APIView):
    def put(self, request, pk):
        event = get_object_or_404(Event, pk=pk)
        try:
            star = Star.objects.get(event=event, user=request.user)
            star.delete()
            return Response({"message": "unstarred"}, status=status.HTTP_204_NO_CONTENT)
        except:
            Star.objects.create(event=event, user=request.user)
            return Response({"message": "starred"}, status=status.HTTP_201_CREATED)


class StarView(APIView):
    def put(self, request, pk):
        event = get_object_or_404(Event, pk=pk)
        try:
            Star.objects.create(event=event, user=request.user)
        except:
            pass
        return Response({"message": "starred"}, status=status.HTTP_201_CREATED)


class StarNotifyView(APIView):
    def put(self, request, pk):
        event = get_object_or_404(Event, pk=pk)
        try:
            Star.objects.create(event=event, user=request.user)
            requests.post("https://feed.example.com/stars", json={"pk": pk}, timeout=5)
        except:
            pass
        return Response({"message": "starred"}, status=status.HTTP_201_CREATED)
"""


def test_an_except_that_is_the_other_branch_of_a_toggle_is_left_alone(tmp_path: Path) -> None:
    """A real app's like/unlike: ``try: get(); delete(); 204 / except: create(); 201``. The
    bare ``except`` is the "not found" branch; a 500 there (the create kept) answered every
    like with a failure after writing it. Its twin, a write whose failure the handler drops,
    still answers 500; one that fails after the write was made (the call after the create)
    is left alone: a 500 would tell the client nothing was done while the row was made."""
    (tmp_path / "requirements.txt").write_text("django\ndjangorestframework\nrequests\n")
    stars = tmp_path / "stars"
    stars.mkdir()
    (stars / "__init__.py").write_text("")
    (stars / "models.py").write_text(
        MODELS
        + "\n\nclass Star(models.Model):\n"
        + "    event = models.ForeignKey(Event, on_delete=models.CASCADE)\n"
        + "    user = models.ForeignKey('auth.User', on_delete=models.CASCADE)\n"
    )
    (stars / "views.py").write_text("import requests\n" + TOGGLES)
    (stars / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n"
        '    path("a/<int:pk>/", views.StarToggleView.as_view()),\n'
        '    path("b/<int:pk>/", views.StarView.as_view()),\n'
        '    path("c/<int:pk>/", views.StarNotifyView.as_view()),\n]\n'
    )
    found = _found(tmp_path)
    assert [(s.title, s.span.start.line + 1) for s in found] == [
        ("Answer StarView.put's failure with a 500, not a success", 27)
    ]
    text = apply_suggestion(found[0])[str(stars / "views.py")]
    assert '            return Response({"error": "StarView.put failed"}, status=500)\n' in text
    compile(text, "views.py", "exec")
