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
