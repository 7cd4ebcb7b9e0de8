"""BKD302's fix idiom where a 502 is the wrong answer (best_effort.py, shared_helpers.py).

Shapes judged on real apps: a page view that commits, then syncs with an upstream (woodwind's
``db.session.commit()`` then ``update_micropub_syndicate_to()``); a Slack webhook helper two
views call (comport's ``send_slack_message``); a service method many handlers call. Each has its
clean twin: a JSON API that has written nothing still answers 502, a call whose result the view
reads is not skipped, callers that differ keep their own fixes.
"""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["flask", "fastapi", "requests"]\n'
INIT = "from flask import Flask\n\napp = Flask(__name__)\ndb = None\n"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, "shop/__init__.py": INIT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _bkd302(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]


def _where(root: Path, found: list[Suggestion]) -> list[tuple[str, int, str]]:
    return [
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title) for s in found
    ]


# -- 1. a page view that has saved its work -------------------------------------------------

PAGE_AFTER_COMMIT = """\
import requests
from flask import flash, redirect, request, url_for

from shop import app, db


@app.post("/comments")
def add_comment():
    db.session.add(request.form["text"])
    db.session.commit()
    requests.post("https://search.example.com/index", json={"new": True}, timeout=5)
    flash("Comment added")
    return redirect(url_for("comments"))
"""


def test_a_page_that_committed_logs_the_failure_and_goes_on_to_its_redirect(
    tmp_path: Path,
) -> None:
    root = _write(tmp_path, {"shop/views.py": PAGE_AFTER_COMMIT})
    (fix,) = _bkd302(root)
    assert _where(root, [fix]) == [("shop/views.py", 11, "Log and go on when requests.post fails")]
    assert "by then the view has saved its work (`db.session.commit()`)" in fix.rationale
    assert "502" not in fix.rationale
    new = apply_suggestion(fix)[str(root / "shop" / "views.py")]
    ast.parse(new)
    assert new.startswith("import logging\n\nimport requests\n")
    assert (
        "    try:\n"
        '        requests.post("https://search.example.com/index", json={"new": True}, timeout=5)\n'
        "    except requests.RequestException:  # the change is saved: log it and go on to the page\n"
        '        logging.getLogger(__name__).exception("requests.post failed")\n'
        '    flash("Comment added")\n'
    ) in new
    assert _bkd302(root) == []


def test_a_page_that_calls_before_it_commits_still_sends_the_user_back(tmp_path: Path) -> None:
    before = PAGE_AFTER_COMMIT.replace(
        '    db.session.commit()\n    requests.post("https://search.example.com/index", '
        'json={"new": True}, timeout=5)\n',
        '    requests.post("https://search.example.com/index", json={"new": True}, timeout=5)\n'
        "    db.session.commit()\n",
    )
    root = _write(tmp_path, {"shop/views.py": before})
    (fix,) = _bkd302(root)
    assert fix.title == "Tell the user when requests.post fails"


def test_a_page_that_reads_the_answer_after_its_commit_is_not_skipped(tmp_path: Path) -> None:
    reads = PAGE_AFTER_COMMIT.replace(
        '    requests.post("https://search.example.com/index", json={"new": True}, timeout=5)\n'
        '    flash("Comment added")\n',
        '    resp = requests.post("https://search.example.com/index", json={"new": True}, '
        "timeout=5)\n"
        '    flash(resp.json()["message"])\n',
    )
    root = _write(tmp_path, {"shop/views.py": reads})
    (fix,) = _bkd302(root)
    assert not fix.title.startswith("Log and go on")


DJANGO_VIEWS = """\
import logging

import requests
from django.shortcuts import redirect

from .forms import SignupForm

log = logging.getLogger(__name__)


def signup(request):
    form = SignupForm(request.POST)
    form.save()
    requests.post("https://crm.example.com/contacts", json={"new": True}, timeout=5)
    return redirect("thanks")
"""
DJANGO_URLS = """\
from django.urls import path

from . import views

urlpatterns = [path("signup/", views.signup, name="signup")]
"""


def _django(root: Path, views: str) -> Path:
    (root / "manage.py").write_text("")
    (root / "requirements.txt").write_text("django\nrequests\n")
    club = root / "club"
    club.mkdir()
    for name, text in {
        "__init__.py": "",
        "forms.py": "from django import forms\n\n\nclass SignupForm(forms.ModelForm):\n    pass\n",
        "urls.py": DJANGO_URLS,
        "views.py": views,
    }.items():
        (club / name).write_text(text)
    return root


def _django_bkd302(root: Path) -> list[Suggestion]:
    return [s for s in collect([str(root)]) if s.code == "BKD302"]


def test_a_django_page_that_saved_its_form_logs_with_the_modules_logger(tmp_path: Path) -> None:
    root = _django(tmp_path, DJANGO_VIEWS)
    (fix,) = _django_bkd302(root)
    assert fix.title == "Log and go on when requests.post fails"
    assert "(`form.save()`)" in fix.rationale
    new = apply_suggestion(fix)[str(root / "club" / "views.py")]
    ast.parse(new)
    assert '        log.exception("requests.post failed")\n    return redirect("thanks")\n' in new
    assert new.count("import logging") == 1 and "JsonResponse" not in new


def test_a_django_json_view_still_answers_502(tmp_path: Path) -> None:
    json_view = DJANGO_VIEWS.replace(
        "from django.shortcuts import redirect\n", "from django.http import JsonResponse\n"
    ).replace('    return redirect("thanks")\n', '    return JsonResponse({"ok": True})\n')
    root = _django(tmp_path, json_view)
    (fix,) = _django_bkd302(root)
    assert fix.title == "Answer 502 when requests.post fails"
    assert "status=502" in fix.edits[-1].new_text


# -- 2. a best-effort notification -------------------------------------------------------------

FASTAPI_ORDERS = """\
import os

import requests
from fastapi import FastAPI

app = FastAPI()
SLACK_WEBHOOK_URL = os.environ["SLACK_WEBHOOK_URL"]
PAYMENTS_URL = os.environ["PAYMENTS_URL"]


@app.post("/orders")
def create_order(body: dict):
    requests.post(SLACK_WEBHOOK_URL, json={"text": "new order"}, timeout=5)
    return {"ok": True}
"""


def test_a_webhook_ping_whose_answer_nobody_reads_is_logged_and_passed_over(
    tmp_path: Path,
) -> None:
    root = _write(tmp_path, {"shop/main.py": FASTAPI_ORDERS})
    (fix,) = _bkd302(root)
    assert fix.title == "Log and go on when requests.post fails"
    assert "it is a notification, not what the request is for" in fix.rationale
    new = apply_suggestion(fix)[str(root / "shop" / "main.py")]
    ast.parse(new)
    assert (
        "    except requests.RequestException:  # a notification is best effort: log it and go on\n"
        '        logging.getLogger(__name__).exception("requests.post failed")\n'
        '    return {"ok": True}\n'
    ) in new
    assert "HTTPException" not in new


def test_a_payment_call_or_a_webhook_whose_answer_is_read_still_answers_502(
    tmp_path: Path,
) -> None:
    payment = FASTAPI_ORDERS.replace(
        "requests.post(SLACK_WEBHOOK_URL", "requests.post(PAYMENTS_URL"
    )
    read = FASTAPI_ORDERS.replace(
        '    requests.post(SLACK_WEBHOOK_URL, json={"text": "new order"}, timeout=5)\n'
        '    return {"ok": True}\n',
        '    resp = requests.post(SLACK_WEBHOOK_URL, json={"text": "new order"}, timeout=5)\n'
        '    return {"ok": resp.ok}\n',
    )
    for main in (payment, read):
        root = _write(tmp_path / str(len(main)), {"shop/main.py": main})
        (fix,) = _bkd302(root)
        assert fix.title == "Answer 502 when requests.post fails"
        assert "status_code=502" in fix.edits[-1].new_text


NOTIFY_SERVICES = """\
import requests


def notify_owner(order_id):
    requests.post("https://events.example.com/orders", json={"id": order_id}, timeout=5)
    return order_id
"""
NOTIFY_ROUTES = """\
from flask import jsonify

from shop import app
from shop.services import notify_owner


@app.post("/orders/<int:order_id>/ship")
def ship(order_id):
    notify_owner(order_id)
    return jsonify(status="shipped")
"""


def test_a_notify_helper_one_handler_calls_is_passed_over_at_the_call(tmp_path: Path) -> None:
    root = _write(tmp_path, {"shop/services.py": NOTIFY_SERVICES, "shop/routes.py": NOTIFY_ROUTES})
    (fix,) = _bkd302(root)
    assert _where(root, [fix]) == [("shop/routes.py", 9, "Log and go on when notify_owner() fails")]
    new = apply_suggestion(fix)[str(root / "shop" / "routes.py")]
    ast.parse(new)
    assert "    except requests.RequestException:  # a notification is best effort" in new
    assert "502" not in new


def test_a_notification_inside_a_try_gets_its_own_try(tmp_path: Path) -> None:
    # an except added to the enclosing try would pass over every statement of it
    inside = NOTIFY_ROUTES.replace(
        "    notify_owner(order_id)\n",
        "    try:\n        order = int(order_id)\n        notify_owner(order)\n"
        '    except ValueError:\n        return jsonify(error="bad id"), 400\n',
    )
    root = _write(tmp_path, {"shop/services.py": NOTIFY_SERVICES, "shop/routes.py": inside})
    (fix,) = _bkd302(root)
    new = apply_suggestion(fix)[str(root / "shop" / "routes.py")]
    ast.parse(new)
    assert (
        "    try:\n"
        "        order = int(order_id)\n"
        "        try:\n"
        "            notify_owner(order)\n"
        "        except requests.RequestException:  # a notification is best effort: log it and "
        "go on\n"
        '            logging.getLogger(__name__).exception("notify_owner failed")\n'
        "    except ValueError:\n"
    ) in new


def test_a_notify_helper_whose_result_the_handler_reads_answers_502(tmp_path: Path) -> None:
    reads = NOTIFY_ROUTES.replace(
        '    notify_owner(order_id)\n    return jsonify(status="shipped")\n',
        "    return jsonify(id=notify_owner(order_id))\n",
    )
    root = _write(tmp_path, {"shop/services.py": NOTIFY_SERVICES, "shop/routes.py": reads})
    (fix,) = _bkd302(root)
    assert fix.title == "Answer 502 when notify_owner() fails"


# -- 3. one except in a helper that several handlers call --------------------------------------

SLACK = """\
import requests
from flask import current_app


def send_slack_message(title):
    webhook_url = current_app.config.get("SLACK_WEBHOOK_URL")
    if webhook_url:
        requests.post(webhook_url, json={"text": title}, timeout=5)
"""
SLACK_CALLERS = {
    "shop/api.py": (
        "from flask import jsonify\n\n"
        "from shop import app\n"
        "from shop.utils import send_slack_message\n\n\n"
        '@app.post("/heartbeat")\n'
        "def heartbeat():\n"
        '    send_slack_message("pinged")\n'
        "    return jsonify(ok=True)\n"
    ),
    "shop/pages.py": (
        "from flask import flash, redirect, render_template\n\n"
        "from shop import app\n"
        "from shop.utils import send_slack_message\n\n\n"
        '@app.route("/interest", methods=["GET", "POST"])\n'
        "def interest():\n"
        '    send_slack_message("new interest")\n'
        '    flash("Thanks")\n'
        '    return redirect("/")\n'
    ),
}


def test_a_slack_helper_two_handlers_call_gets_one_except_in_the_helper(tmp_path: Path) -> None:
    root = _write(tmp_path, {"shop/utils.py": SLACK, **SLACK_CALLERS})
    found = _bkd302(root)
    assert _where(root, found) == [
        (
            "shop/utils.py",
            8,
            "Log and go on when send_slack_message fails, once for its callers",
        )
    ]
    (fix,) = found
    assert "2 handlers call it (`heartbeat` in api.py; `interest` in pages.py)" in fix.rationale
    new = apply_suggestion(fix)[str(root / "shop" / "utils.py")]
    ast.parse(new)
    assert new.startswith("import logging\n\nimport requests\n")
    assert (
        "        try:\n"
        '            requests.post(webhook_url, json={"text": title}, timeout=5)\n'
        "        except requests.RequestException:  # a notification is best effort: log it "
        "and go on\n"
        '            logging.getLogger(__name__).exception("send_slack_message failed")\n'
    ) in new
    assert _bkd302(root) == []


def test_a_helper_a_command_calls_too_keeps_a_fix_per_handler(tmp_path: Path) -> None:
    command = "from shop.utils import send_slack_message\n\n\ndef nightly():\n"
    command += '    send_slack_message("nightly")\n'
    root = _write(tmp_path, {"shop/utils.py": SLACK, "shop/jobs.py": command, **SLACK_CALLERS})
    assert _where(root, _bkd302(root)) == [
        ("shop/api.py", 9, "Log and go on when send_slack_message() fails"),
        ("shop/pages.py", 9, "Log and go on when send_slack_message() fails"),
    ]


RATES = """\
import requests


def fetch_rates(currency):
    resp = requests.get(f"https://rates.example.com/{currency}", timeout=5)
    resp.raise_for_status()
    return resp.json()
"""
RATES_ROUTES = """\
from flask import jsonify

from shop import app
from shop.rates import fetch_rates


@app.get("/rates/<currency>")
def rates(currency):
    return jsonify(fetch_rates(currency))


@app.get("/convert/<currency>/<int:amount>")
def convert(currency, amount):
    table = fetch_rates(currency)
    return jsonify(amount=amount * table["rate"])
"""


def test_a_helper_two_json_handlers_call_answers_502_once_in_the_helper(tmp_path: Path) -> None:
    root = _write(tmp_path, {"shop/rates.py": RATES, "shop/routes.py": RATES_ROUTES})
    found = _bkd302(root)
    assert _where(root, found) == [
        ("shop/rates.py", 5, "Answer 502 from fetch_rates when it fails, once for its callers")
    ]
    new = apply_suggestion(found[0])[str(root / "shop" / "rates.py")]
    ast.parse(new)
    assert new.startswith("import requests\nfrom flask import abort\n")
    assert (
        "    try:\n"
        '        resp = requests.get(f"https://rates.example.com/{currency}", timeout=5)\n'
        "        resp.raise_for_status()\n"
        "    except requests.RequestException:\n"
        "        abort(502)\n"
    ) in new
    assert _bkd302(root) == []


def test_a_caller_that_catches_already_keeps_the_fix_at_the_others(tmp_path: Path) -> None:
    caught = RATES_ROUTES.replace(
        "    return jsonify(fetch_rates(currency))\n",
        "    try:\n        return jsonify(fetch_rates(currency))\n"
        "    except Exception:\n        return jsonify(rates=None)\n",
    )
    root = _write(tmp_path, {"shop/rates.py": RATES, "shop/routes.py": caught})
    assert _where(root, _bkd302(root)) == [
        ("shop/routes.py", 17, "Answer 502 when fetch_rates() fails")
    ]


def test_callers_that_answer_differently_keep_their_own_fixes(tmp_path: Path) -> None:
    # one page commits before it calls (log and go on), one JSON route answers 502
    page = (
        "from flask import redirect, render_template\n\n"
        "from shop import app, db\n"
        "from shop.rates import fetch_rates\n\n\n"
        '@app.post("/refresh/<currency>")\n'
        "def refresh(currency):\n"
        "    db.session.commit()\n"
        "    fetch_rates(currency)\n"
        '    return redirect("/")\n'
    )
    json_route = RATES_ROUTES.split('\n\n\n@app.get("/convert')[0] + "\n"
    root = _write(
        tmp_path,
        {"shop/rates.py": RATES, "shop/routes.py": json_route, "shop/pages.py": page},
    )
    assert _where(root, _bkd302(root)) == [
        ("shop/pages.py", 10, "Log and go on when fetch_rates() fails"),
        ("shop/routes.py", 9, "Answer 502 when fetch_rates() fails"),
    ]


def test_django_handlers_of_one_helper_keep_a_fix_each(tmp_path: Path) -> None:
    # Django has no error a helper may raise that answers 502: each view answers its own.
    views = (
        "from django.http import JsonResponse\n\n"
        "from .rates import fetch_rates\n\n\n"
        "def rates(request, currency):\n"
        "    return JsonResponse(fetch_rates(currency))\n\n\n"
        "def convert(request, currency):\n"
        "    table = fetch_rates(currency)\n"
        '    return JsonResponse({"rate": table["rate"]})\n'
    )
    urls = DJANGO_URLS.replace(
        'urlpatterns = [path("signup/", views.signup, name="signup")]',
        'urlpatterns = [path("r/<currency>", views.rates), path("c/<currency>", views.convert)]',
    )
    root = _django(tmp_path, views)
    (root / "club" / "urls.py").write_text(urls)
    (root / "club" / "rates.py").write_text(RATES)
    assert [(Path(s.path).name, s.span.start.line + 1) for s in _django_bkd302(root)] == [
        ("views.py", 7),
        ("views.py", 11),
    ]
