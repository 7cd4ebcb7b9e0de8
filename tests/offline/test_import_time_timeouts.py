"""A call without a timeout at a module's top level runs once, as the module is imported: its
rationale says a dead upstream stops the app from starting, not that it holds a worker (a
settings module's key download was told so, judged wrong). Inside a function the worker
wording stays."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect

_AT_IMPORT = """\
import json
from urllib import request

KEYS = json.loads(request.urlopen("https://auth.example.com/keys.json").read())
"""

_IN_A_VIEW = """\
import json
from urllib import request

from django.http import JsonResponse


def keys(req):
    return JsonResponse(json.loads(request.urlopen("https://auth.example.com/keys").read()))
"""


def _rationale(root: Path, name: str, text: str) -> str:
    (root / name).write_text(text)
    (root / "requirements.txt").write_text("django\n")
    [s] = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD301"]
    return s.rationale


def test_a_call_at_import_time_is_told_as_stopping_the_start(tmp_path: Path) -> None:
    why = _rationale(tmp_path, "settings.py", _AT_IMPORT)
    assert "stops the app from starting" in why and "worker" not in why


def test_a_call_in_a_view_is_told_as_holding_the_worker(tmp_path: Path) -> None:
    why = _rationale(tmp_path, "views.py", _IN_A_VIEW)
    assert "holds this worker" in why
