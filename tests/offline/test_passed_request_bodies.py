"""BKD305 in a webhook service reached through a registry of service classes: the route
hands Flask's ``request`` to ``hook._request(owner, request, h)``, which hands it on to
``cls.handle_request(user, request, hook)``, where each service decodes its delivery with
``json.loads``. No callee resolution follows that dispatch, so a delivery that is not JSON was
a silent 500. The request's way there is read from the calls of each name instead
(passed_requests). Each shape has its clean twin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

BASE = """\
class HookService:
    services = {}

    @classmethod
    def _request(cls, user, request, hook):
        for message in cls.handle_request(user, request, hook) or []:
            print(message)
"""
# a form field decoded where its absence is caught (Werkzeug's form[...] raises KeyError)
GITHUB = """\
import json

from app.base import HookService


class GithubHook(HookService):
    @classmethod
    def handle_request(cls, user, request, hook):
        try:
            payload = json.loads(request.form["payload"])
        except KeyError:
            return
        return [payload["repository"]]
"""
# a field read into a local, tested for presence, then decoded bare
BITBUCKET = """\
import json

from app.base import HookService


class BitbucketHook(HookService):
    @classmethod
    def handle_request(cls, user, request, hook):
        p = request.form.get("payload", None)
        if not p:
            return
        j = json.loads(p)
        yield j["commits"]
"""
VIEWS = """\
from flask import Blueprint, abort, request

from app.base import HookService

bp = Blueprint("hooks", __name__)


@bp.route("/h/<int:sid>/<key>", methods=["POST"])
def hook_receive(sid, key):
    hook = HookService.services.get(sid)
    if hook is None:
        abort(404)
    hook._request(key, request, None)
    return ""
"""


def _found(root: Path, files: dict[str, str]) -> list[Suggestion]:
    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["flask"]\n')
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    merged = {"base.py": BASE, "github.py": GITHUB, "bitbucket.py": BITBUCKET, "views.py": VIEWS}
    merged.update(files)
    for name, text in merged.items():
        (root / "app" / name).write_text(text, encoding="utf-8")
    return sorted(
        (s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD305"),
        key=lambda s: s.path,
    )


def test_each_service_decode_of_a_delivery_is_found(tmp_path: Path) -> None:
    bitbucket, github = _found(tmp_path, {})
    assert bitbucket.path.endswith("bitbucket.py")
    assert bitbucket.title == "Answer 400 on a malformed JSON delivery"
    fixed = apply_suggestion(bitbucket)[str(tmp_path / "app" / "bitbucket.py")]
    new = fixed
    ast.parse(new)
    assert "import json\n\nfrom flask import abort\n" in new
    assert (
        "        try:\n"
        "            j = json.loads(p)\n"
        "        except ValueError:\n"
        "            abort(400)\n"
    ) in new
    assert github.title == "Catch a malformed JSON delivery where a missing one is caught"
    assert "`except KeyError` does not catch it" in github.rationale
    new = apply_suggestion(github)[str(tmp_path / "app" / "github.py")]
    assert "        except (KeyError, ValueError):\n            return\n" in new
    assert _found(tmp_path, {"bitbucket.py": fixed, "github.py": new}) == []


@pytest.mark.parametrize(
    "files",
    [
        # the route hands on something of its own, not Flask's request
        {
            "views.py": VIEWS.replace(
                "hook._request(key, request, None)", "hook._request(key, {}, None)"
            )
        },
        # the dispatch passes *args before the request's place: where it lands is not known
        {
            "base.py": BASE.replace(
                "cls.handle_request(user, request, hook)",
                "cls.handle_request(*(user, request, hook))",
            )
        },
        # the route answers the decode error itself
        {
            "views.py": VIEWS.replace(
                "    hook._request(key, request, None)\n",
                "    try:\n        hook._request(key, request, None)\n    except ValueError:\n        abort(400)\n",
            )
        },
        # another caller of the dispatch hands it a test double
        {
            "tasks.py": "from app.base import HookService\n\n\ndef replay(hook):\n    HookService._request(None, object(), hook)\n"
        },
        # the method is handed on uncalled as well: its callers are not all known
        {"tasks.py": "from app.base import HookService\n\nHANDLER = HookService._request\n"},
    ],
)
def test_no_fix_where_the_request_is_not_known_to_be_flasks(
    tmp_path: Path, files: dict[str, str]
) -> None:
    assert _found(tmp_path, files) == []


def test_a_decode_the_service_catches_already_needs_nothing(tmp_path: Path) -> None:
    jenkins = GITHUB.replace("except KeyError:", "except ValueError:").replace(
        'json.loads(request.form["payload"])', "json.loads(request.data)"
    )
    found = _found(tmp_path, {"github.py": jenkins})
    assert [s.path for s in found] == [str(tmp_path / "app" / "bitbucket.py")]
