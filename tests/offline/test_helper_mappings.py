"""A view hands the whole request mapping (``request.args``, ``request.json``, ``request.GET``)
to a function of its module, which converts keys of it: ``_filters(request.args)`` then
``int(args.get("feed", 0))``. Each conversion is BKD202 at the helper's line, its edit applies
and parses, and re-analysing the patched file no longer gives it; the clean twins (``type=int``
already, the conversion caught) stay silent. Small fixtures of our own reproducing the
shape."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

FLASK_VIEWS = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/")
def home():
    feed_id, category_id = _filters(request.args)
    return jsonify(feed=feed_id, category=category_id)


@app.route("/more")
def more():
    args = request.args
    feed_id, _ = _filters(args)
    return jsonify(feed=feed_id)


def _filters(args):
    feed_id = int(args.get("feed", 0))
    category_id = int(args.get("category", 0))
    return feed_id, category_id


@app.route("/mark", methods=["PUT"])
def mark():
    return jsonify(done=_mark_filters(request.get_json()))


def _mark_filters(data):
    filters = {}
    if data.get("filter_id"):
        filters["id"] = int(data["filter_id"])
    filters["since"] = _since(data)
    return filters


def _since(data):
    return datetime.strptime(data.get("since"), "%Y-%m-%d")
"""

FLASK_CLEAN = """\
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/")
def home():
    feed_id, category_id = _filters(request.args)
    return jsonify(feed=feed_id, category=category_id)


def _filters(args):
    feed_id = args.get("feed", 0, type=int)
    try:
        category_id = int(args.get("category", 0))
    except ValueError:
        category_id = 0
    return feed_id, category_id


@app.route("/mark", methods=["PUT"])
def mark():
    try:
        return jsonify(done=_mark_filters(request.get_json()))
    except (KeyError, ValueError):
        return jsonify(error="bad filter"), 400


def _mark_filters(data):
    return {"id": int(data["filter_id"])}


def _count(args):
    return int(args.get("n", 0))  # no view hands it the request
"""

DJANGO_VIEWS = """\
from django.http import JsonResponse


def listing(request):
    return JsonResponse(_page(request.GET))


def _page(params):
    page = int(params.get("page", 1))
    return {"page": page}
"""


def _write(root: Path, files: dict[str, str], deps: str) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\ndependencies = [{deps}]\n')


def _found(path: Path) -> list[Suggestion]:
    return [s for s in analyze(str(path), path.read_text()) if s.code == "BKD202"]


def _by_line(found: list[Suggestion]) -> dict[int, Suggestion]:
    return {s.span.start.line + 1: s for s in found}


def _fixed_alone(tmp_path: Path, files: dict[str, str], deps: str, rel: str) -> list[int]:
    """Each BKD202 applied on its own copy: it parses, and the patched file no longer has it
    (nor any new BKD202). The lines found."""
    _write(tmp_path / "check", files, deps)
    lines = sorted(_by_line(_found(tmp_path / "check" / rel)))
    for line in lines:
        root = tmp_path / f"copy{line}"
        _write(root, files, deps)
        path = root / rel
        before = _by_line(_found(path))
        suggestion = before[line]
        for text in apply_suggestion(suggestion).values():
            ast.parse(text)
        after = _found(path)
        titles = {s.title for s in after}
        assert suggestion.title not in titles, (line, path.read_text())
        assert len(after) == len(before) - 1, [s.title for s in after]
    return lines


def test_flask_helpers_given_the_request_mapping(tmp_path: Path) -> None:
    files = {"app/views.py": "from datetime import datetime\n" + FLASK_VIEWS}
    _write(tmp_path / "look", files, '"flask"')
    found = _by_line(_found(tmp_path / "look" / "app/views.py"))
    text = files["app/views.py"].splitlines()
    assert {line: text[line - 1].strip() for line in found} == {
        21: 'feed_id = int(args.get("feed", 0))',
        22: 'category_id = int(args.get("category", 0))',
        34: 'filters["id"] = int(data["filter_id"])',
        40: 'return datetime.strptime(data.get("since"), "%Y-%m-%d")',
    }
    # request.args is a MultiDict: ``type=int`` keeps the default for bad input
    assert found[21].edits[0].new_text == 'args.get("feed", 0, type=int)'
    assert "views hand it" not in found[21].rationale
    # a JSON body is a plain dict: the statement is guarded, answering abort(400)
    patched = "\n".join(e.new_text for e in found[34].edits)
    assert "abort(400)" in patched and "from flask import Flask, abort" in patched
    assert "request.get_json()" in found[40].rationale  # followed through _mark_filters
    assert _fixed_alone(tmp_path, files, '"flask"', "app/views.py") == [21, 22, 34, 40]


def test_a_helper_also_given_a_json_body_gets_no_type_argument(tmp_path: Path) -> None:
    """``dict.get`` takes no ``type=``: a helper one view hands ``request.json`` is guarded
    with ``abort(400)`` even where another hands it ``request.args``."""
    views = FLASK_VIEWS.replace(
        "    return jsonify(done=_mark_filters(request.get_json()))",
        "    _filters(request.json)\n    return jsonify(done=_mark_filters(request.get_json()))",
    )
    files = {"app/views.py": "from datetime import datetime\n" + views}
    _write(tmp_path / "look", files, '"flask"')
    found = _by_line(_found(tmp_path / "look" / "app/views.py"))
    assert "type=int" not in "".join(e.new_text for e in found[21].edits)
    assert "abort(400)" in "".join(e.new_text for e in found[21].edits)
    assert "views hand it `request.args / request.json`" in found[21].rationale


def test_typed_or_caught_helper_conversions_stay_silent(tmp_path: Path) -> None:
    _write(tmp_path, {"app/views.py": FLASK_CLEAN}, '"flask"')
    assert _found(tmp_path / "app/views.py") == []


def test_a_django_helper_given_the_query_dict_raises_bad_request(tmp_path: Path) -> None:
    files = {"shop/views.py": DJANGO_VIEWS}
    _write(tmp_path / "look", files, '"django"')
    found = _by_line(_found(tmp_path / "look" / "shop/views.py"))
    assert list(found) == [9]
    patched = "".join(e.new_text for e in found[9].edits)
    assert 'raise BadRequest("page must be an integer")' in patched
    assert "from django.core.exceptions import BadRequest" in patched
    assert _fixed_alone(tmp_path, files, '"django"', "shop/views.py") == [9]
