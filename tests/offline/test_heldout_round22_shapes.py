"""Twenty-second held-out round, after its measurement (shapes of our own): a session removed
in the handler needs no rollback; ``return Http404`` (the class) is no response either; an
``except (A or B)`` catches A alone."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

from .applied import apply_suggestion

RETRIED = """\
import logging

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.exc import IntegrityError

app = Flask(__name__)
db = SQLAlchemy(app)
log = logging.getLogger(__name__)


class Application(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    reference = db.Column(db.String(20), unique=True)


def _create_try(reference):
    try:
        row = Application(reference=reference)
        db.session.add(row)
        db.session.commit()
        return row
    except IntegrityError:
        db.session.remove()
        log.error("reference %s taken", reference)
    return Application.query.filter_by(reference=reference).first()


@app.post("/applications")
def create():
    for attempt in range(3):
        row = _create_try(f"{request.form['prefix']}-{attempt}")
        if row:
            return {"id": row.id}, 201
    return {"error": "no free reference"}, 409
"""


def test_a_session_removed_in_the_handler_needs_no_rollback(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\nflask-sqlalchemy\n")

    def rollbacks(text: str) -> list[int]:
        (tmp_path / "app.py").write_text(text)
        found = collect([str(tmp_path)], ["error-handling"])
        return [s.span.start.line + 1 for s in found if s.code == "BKD303"]

    assert rollbacks(RETRIED) == []
    # without it, the query after the try runs in the failed transaction
    assert rollbacks(RETRIED.replace("        db.session.remove()\n", "")) == [21]


VIEWS = """\
from django.http import Http404, JsonResponse

from .models import Hacker, Mentor


def application(request, pk):
    hacker = Hacker.objects.filter(pk=pk).first()
    if hacker is None:
        return Http404
    return JsonResponse({"id": hacker.pk})


def person(request, pk):
    try:
        found = Hacker.objects.get(pk=pk)
    except (Hacker.DoesNotExist or Mentor.DoesNotExist):
        raise Http404("no such person")
    return JsonResponse({"id": found.pk})


def either(request, pk):
    try:
        found = Mentor.objects.get(pk=pk)
    except (ValueError, Hacker.DoesNotExist or Mentor.DoesNotExist):
        raise Http404("no such person")
    except (KeyError, TypeError):
        raise Http404("no such person")
    return JsonResponse({"id": found.pk})
"""


def test_a_returned_error_class_and_an_or_of_exceptions(tmp_path: Path) -> None:
    app = tmp_path / "hack"
    app.mkdir()
    (app / "models.py").write_text(
        "from django.db import models\n\n\nclass Hacker(models.Model):\n    pass\n\n\n"
        "class Mentor(models.Model):\n    pass\n"
    )
    (app / "views.py").write_text(VIEWS)
    (app / "urls.py").write_text(
        "from django.urls import path\n\nfrom . import views\n\nurlpatterns = [\n"
        '    path("a/<int:pk>", views.application),\n'
        '    path("p/<int:pk>", views.person),\n'
        '    path("e/<int:pk>", views.either),\n]\n'
    )
    (tmp_path / "requirements.txt").write_text("django\n")
    found = collect([str(tmp_path)], ["error-handling"])
    assert sorted((s.code, s.span.start.line + 1) for s in found) == [
        ("BKD310", 9),
        ("BKD311", 16),
        ("BKD311", 24),
    ]
    views = str(app / "views.py")
    by_line = {s.span.start.line + 1: s for s in found}
    assert "        raise Http404\n" in apply_suggestion(by_line[9])[views]
    (app / "views.py").write_text(VIEWS)
    assert (
        "    except (Hacker.DoesNotExist, Mentor.DoesNotExist):\n"
        in (apply_suggestion(by_line[16])[views])
    )
    (app / "views.py").write_text(VIEWS)
    after = apply_suggestion(by_line[24])[views]
    assert "    except (ValueError, Hacker.DoesNotExist, Mentor.DoesNotExist):\n" in after
    compile(after, "views.py", "exec")


FORCED = """\
from flask import Flask, request
from flask.views import MethodView

app = Flask(__name__)


class FormView(MethodView):
    def put(self):
        request_json = request.get_json(force=True)
        form = {
            "application_id": request_json["metadata"]["application_id"],
            "questions": request_json["questions"],
        }
        return form, 201


app.add_url_rule("/forms", view_func=FormView.as_view("forms"))
"""


def test_a_body_read_whatever_its_content_type_is_checked_and_still_read_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text(FORCED)
    [found] = [s for s in collect([str(tmp_path)], ["validation"]) if s.code == "BKD201"]
    after = apply_suggestion(found)[str(tmp_path / "app.py")]
    assert "request_json = request.get_json(force=True, silent=True)\n" in after
    assert "key not in request_json for key in ('metadata', 'questions')" in after
    compile(after, "app.py", "exec")
