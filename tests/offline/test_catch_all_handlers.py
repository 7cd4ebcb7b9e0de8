"""BKD331: a Flask handler for ``Exception`` that answers everything with a 500 (a real trip-log
API's did: its unknown URLs, wrong methods and malformed bodies all came back as 500s, since
Flask 1.0 hands HTTP errors to an ``Exception`` handler too). Fixtures of our own: the handler
as a decorator, a blueprint's ``app_errorhandler`` and ``register_error_handler``; silent
twins that tell HTTP errors apart, re-raise, answer other statuses too, sit beside a handler
for ``HTTPException``, or run on a Flask older than 1.0."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

ERRORS = """\
from flask import Blueprint, jsonify

from .app import app

errors = Blueprint("errors", __name__)


@app.errorhandler(Exception)
def server_error(e):
    \"\"\"Everything the app did not answer.\"\"\"
    return jsonify({"error": str(e)}), 500


@errors.app_errorhandler(Exception)
def blueprint_error(error):
    app.logger.exception(error)
    return {"message": "internal error"}, 500


def registered(err):
    return jsonify(message="failed"), 500


app.register_error_handler(Exception, registered)
"""

APP = """\
from flask import Flask

app = Flask(__name__)
"""

# Handlers that know an HTTP error when they see one, or answer more than a 500.
SILENT = """\
from flask import jsonify
from werkzeug.exceptions import HTTPException

from .app import app


@app.errorhandler(Exception)
def checks_the_class(e):
    if isinstance(e, HTTPException):
        return e
    return jsonify(error="internal"), 500


@app.errorhandler(Exception)
def reads_the_code(e):
    return jsonify(error=str(e)), getattr(e, "code", 500)


@app.errorhandler(Exception)
def keeps_its_code(e):
    code = 500
    if hasattr(e, "code"):
        code = e.code
    return jsonify(error=str(e)), code


@app.errorhandler(Exception)
def re_raises(e):
    if app.debug:
        raise e
    return jsonify(error="internal"), 500


@app.errorhandler(Exception)
def answers_two_ways(e):
    if "timeout" in str(e):
        return jsonify(error="slow"), 503
    return jsonify(error="internal"), 500


@app.errorhandler(ValueError)
def narrow(e):
    return jsonify(error=str(e)), 500
"""


def _project(tmp_path: Path, errors: str, requirements: str = "flask\n") -> Path:
    pkg = tmp_path / "api"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "app.py").write_text(APP)
    (pkg / "errors.py").write_text(errors)
    (tmp_path / "requirements.txt").write_text(requirements)
    return pkg / "errors.py"


def _ours(tmp_path: Path) -> list[Suggestion]:
    return [s for s in collect([str(tmp_path)]) if s.code == "BKD331"]


def test_an_exception_handler_answering_only_500_lets_http_errors_through(
    tmp_path: Path,
) -> None:
    path = _project(tmp_path, ERRORS)
    found = sorted(_ours(tmp_path), key=lambda s: s.span.start.line)
    assert [s.span.start.line + 1 for s in found] == [8, 14, 24]
    assert [s.title for s in found] == [
        "Let HTTP errors through server_error",
        "Let HTTP errors through blueprint_error",
        "Let HTTP errors through registered",
    ]
    assert "since Flask 1.0" in found[0].rationale
    assert "404" in found[0].rationale
    text = apply_suggestion(found[0])[str(path)]
    ast.parse(text)
    assert "from werkzeug.exceptions import HTTPException\n" in text
    # after the docstring, with the handler's own name for the error
    assert (
        '    """Everything the app did not answer."""\n'
        "    if isinstance(e, HTTPException):\n"
        "        return e\n"
        '    return jsonify({"error": str(e)}), 500\n'
    ) in text


def test_the_second_fix_reuses_the_import_the_first_added(tmp_path: Path) -> None:
    path = _project(tmp_path, ERRORS)
    first, second, *_ = sorted(_ours(tmp_path), key=lambda s: s.span.start.line)
    apply_suggestion(first)
    again = sorted(_ours(tmp_path), key=lambda s: s.span.start.line)
    assert [s.title for s in again] == [
        "Let HTTP errors through blueprint_error",
        "Let HTTP errors through registered",
    ]
    text = apply_suggestion(again[0])[str(path)]
    ast.parse(text)
    assert text.count("import HTTPException") == 1
    assert "    if isinstance(error, HTTPException):\n        return error\n" in text
    assert second.title == again[0].title


def test_handlers_that_tell_http_errors_apart_are_silent(tmp_path: Path) -> None:
    _project(tmp_path, SILENT)
    assert _ours(tmp_path) == []


def test_a_project_handler_for_http_errors_takes_them_first(tmp_path: Path) -> None:
    pkg = _project(tmp_path, ERRORS).parent
    (pkg / "http_errors.py").write_text(
        "from werkzeug.exceptions import HTTPException\n\n"
        "from .app import app\n\n\n"
        "@app.errorhandler(HTTPException)\n"
        "def http_error(e):\n"
        '    return {"error": e.description}, e.code\n'
    )
    assert _ours(tmp_path) == []


def test_a_flask_older_than_1_0_is_silent(tmp_path: Path) -> None:
    _project(tmp_path, ERRORS, "flask==0.12.5\n")
    assert _ours(tmp_path) == []
    _project_again = tmp_path / "requirements.txt"
    _project_again.write_text("flask==1.1.2\n")
    assert len(_ours(tmp_path)) == 3
