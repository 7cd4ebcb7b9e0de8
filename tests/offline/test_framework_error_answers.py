"""A 400 answered in the idiom of the class the handler is a method of (round 34).

- A Flask-RESTful/RESTX ``Resource`` json-dumps the first item of what its method returns:
  ``return jsonify(...), 400`` there is a TypeError, a 500 (real-estate's chat ``post``).
  It answers ``{"message": ...}`` instead; a plain Flask view keeps ``jsonify``.
- A DRF ``APIView``'s ``get`` answered a bad query parameter with Django's text/html
  ``HttpResponseBadRequest`` where its ``get_queryset`` raised DRF's ``ValidationError``
  (bygg's employee report): a DRF view raises ``ValidationError`` from any method; a plain
  Django view keeps ``HttpResponseBadRequest``."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

RESOURCE = """\
from flask import Flask, request
from LIB import Api, Resource

app = Flask(__name__)
api = Api(app)


class Messages(Resource):
    def post(self, partner_id):
        body = request.get_json()
        return {"text": body["text"], "to": partner_id}, 201


api.add_resource(Messages, "/messages/<int:partner_id>")
"""

PLAIN_FLASK = """\
from flask import Flask, request

app = Flask(__name__)


@app.post("/messages/<int:partner_id>")
def post(partner_id):
    body = request.get_json()
    return {"text": body["text"], "to": partner_id}, 201
"""


def _validation(tmp_path: Path, requirements: str, files: dict[str, str]) -> list[Suggestion]:
    (tmp_path / "requirements.txt").write_text(requirements)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return collect([str(tmp_path)], ["validation"])


@pytest.mark.parametrize("lib", ["flask_restful", "flask_restx"])
def test_a_resource_answers_a_bad_body_with_a_dict(tmp_path: Path, lib: str) -> None:
    requirements = f"flask\n{lib.replace('_', '-')}\n"
    found = _validation(tmp_path, requirements, {"app.py": RESOURCE.replace("LIB", lib)})
    assert [s.code for s in found] == ["BKD201"]
    after = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    assert 'return {"message": "invalid request body"}, 400' in after
    assert "jsonify" not in after  # no import the dict does not need
    compile(after, "app.py", "exec")


def test_a_plain_flask_view_keeps_jsonify(tmp_path: Path) -> None:
    found = _validation(tmp_path, "flask\n", {"app.py": PLAIN_FLASK})
    assert [s.code for s in found] == ["BKD201"]
    after = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    assert 'return jsonify(error="invalid request body"), 400' in after
    assert "from flask import Flask, jsonify, request" in after


# A project base over Resource in another module: the lineage says Resource.
BASE = """\
from flask_restful import Resource


class ApiResource(Resource):
    pass
"""

OVER_BASE = """\
from flask import request

from base import ApiResource


class Messages(ApiResource):
    def post(self):
        return {"text": request.get_json()["text"]}
"""


def test_a_resource_over_a_project_base_answers_with_a_dict(tmp_path: Path) -> None:
    files = {"base.py": BASE, "views.py": OVER_BASE}
    found = _validation(tmp_path, "flask\nflask-restful\n", files)
    assert [s.code for s in found] == ["BKD201"]
    after = apply_suggestion(found[0])[str(tmp_path / "views.py")]
    assert 'return {"message": "invalid request body"}, 400' in after


APIVIEW = """\
from django.http import HttpResponse
from rest_framework.views import APIView


class Report(APIView):
    def get(self, request):
        year = int(request.query_params.get("year"))
        return HttpResponse(str(year))
"""

PLAIN_DJANGO = """\
from django.http import HttpResponse
from django.views import View


class Report(View):
    def get(self, request):
        year = int(request.GET.get("year"))
        return HttpResponse(str(year))
"""

URLS = """\
from django.urls import path

from .views import Report

urlpatterns = [path("report/", Report.as_view())]
"""


def _django(tmp_path: Path, views: str) -> tuple[list[Suggestion], Path]:
    app = tmp_path / "reports"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "views.py").write_text(views)
    (app / "urls.py").write_text(URLS)
    found = _validation(tmp_path, "django\ndjangorestframework\n", {})
    return [s for s in found if s.path == str(app / "views.py")], app / "views.py"


def test_an_apiview_handler_raises_drfs_validation_error(tmp_path: Path) -> None:
    found, views = _django(tmp_path, APIVIEW)
    assert [s.code for s in found] == ["BKD202"]
    after = apply_suggestion(found[0])[str(views)]
    assert 'raise ValidationError("year must be an integer")' in after
    assert "from rest_framework.exceptions import ValidationError" in after
    assert "HttpResponseBadRequest" not in after
    compile(after, "views.py", "exec")


def test_a_plain_django_view_keeps_http_response_bad_request(tmp_path: Path) -> None:
    found, views = _django(tmp_path, PLAIN_DJANGO)
    assert [s.code for s in found] == ["BKD202"]
    after = apply_suggestion(found[0])[str(views)]
    assert 'return HttpResponseBadRequest("year must be an integer")' in after
    assert "ValidationError" not in after


UPSTREAM = """\
import requests
from flask import Flask
from flask_restful import Api, Resource

app = Flask(__name__)
api = Api(app)


class Weather(Resource):
    def get(self, city):
        reply = requests.get(f"https://weather.example/{city}", timeout=5)
        reply.raise_for_status()
        return {"weather": reply.json()}


api.add_resource(Weather, "/weather/<city>")
"""


def test_a_resources_upstream_failure_answers_502_with_a_dict(tmp_path: Path) -> None:
    """The shared Flask answer serves the other rules too: BKD302's 502."""
    (tmp_path / "requirements.txt").write_text("flask\nflask-restful\nrequests\n")
    (tmp_path / "app.py").write_text(UPSTREAM)
    found = collect([str(tmp_path)], ["error-handling"])
    assert [s.code for s in found] == ["BKD302"]
    after = apply_suggestion(found[0])[str(tmp_path / "app.py")]
    assert 'return {"message": "upstream service unavailable"}, 502' in after
    assert "jsonify" not in after
