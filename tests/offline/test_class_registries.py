"""BKD306 for a class's registry looked up by a URL part: ``HookService.services.get(sid)``
then ``hook.form()`` (a Flask app's hook services, filed under their ids by a metaclass). An
unknown id gave None and an AttributeError 500; dict_rows knew only module-level dicts. The
registry counts when the class body binds it to a dict, or its metaclass does
(``cls.services = {}``), in Python 3's ``metaclass=`` or Python 2's ``__metaclass__``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.suggestion import Suggestion

from .applied import apply_suggestion

META = """\
class Service(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        if not hasattr(cls, "services"):
            cls.services = {}
        else:
            cls.services[cls.SERVICE_ID] = cls
"""
HOOKS = """\
from app.services import Service


class HookService(metaclass=Service):
    SERVICE_ID = None

    @classmethod
    def form(cls):
        return None


class PlainHook(HookService):
    SERVICE_ID = 10
"""
VIEWS = """\
from flask import Blueprint, render_template

from app.services.hooks import HookService

bp = Blueprint("hooks", __name__)


@bp.route("/hook/new/<int:sid>")
def new_hook(sid):
    hook = HookService.services.get(sid)
    form = hook.form()
    return render_template("new_hook.html", service=hook, form=form)
"""


def _found(
    root: Path, hooks: str = HOOKS, views: str = VIEWS, meta: str = META
) -> list[Suggestion]:
    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["flask"]\n')
    (root / "app" / "services").mkdir(parents=True, exist_ok=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "services" / "__init__.py").write_text(meta)
    (root / "app" / "services" / "hooks.py").write_text(hooks)
    (root / "app" / "views.py").write_text(views)
    return [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD306"]


def test_a_metaclass_registry_looked_up_by_a_url_part_answers_404(tmp_path: Path) -> None:
    (found,) = _found(tmp_path)
    assert found.title == "Answer 404 when HookService.services has no such key"
    assert "the registry `HookService.services`" in found.rationale
    new = apply_suggestion(found)[str(tmp_path / "app" / "views.py")]
    ast.parse(new)
    assert (
        "    hook = HookService.services.get(sid)\n"
        "    if hook is None:\n"
        "        abort(404)\n"
        "    form = hook.form()\n"
    ) in new
    assert "from flask import Blueprint, abort, render_template" in new
    assert _found(tmp_path, views=new) == []


def test_a_python2_metaclass_and_a_class_body_dict_count_too(tmp_path: Path) -> None:
    py2 = HOOKS.replace(
        "class HookService(metaclass=Service):\n",
        "class HookService(object):\n    __metaclass__ = Service\n",
    )
    assert len(_found(tmp_path, hooks=py2)) == 1
    body = HOOKS.replace(
        "class HookService(metaclass=Service):\n", "class HookService:\n    services = {}\n"
    )
    assert len(_found(tmp_path, hooks=body)) == 1


@pytest.mark.parametrize(
    ("hooks", "views", "meta"),
    [
        # checked before the use
        (
            HOOKS,
            VIEWS.replace(
                "    form = hook.form()\n",
                "    if hook is None:\n        abort(404)\n    form = hook.form()\n",
            ).replace("Blueprint, ", "Blueprint, abort, "),
            META,
        ),
        # a default for a missing key
        (
            HOOKS,
            VIEWS.replace(".get(sid)", ".get(sid, PlainHook)").replace(
                "import HookService", "import HookService, PlainHook"
            ),
            META,
        ),
        # the metaclass binds no dict: a list of names, nothing keyed
        (HOOKS, VIEWS, META.replace("cls.services = {}", "cls.services = Registry()")),
        # the attribute is no registry: the class binds none
        (HOOKS.replace("metaclass=Service", "object"), VIEWS, META),
        # the key is the server's own
        (HOOKS, VIEWS.replace(".get(sid)", ".get(10)"), META),
    ],
)
def test_clean_twins_get_no_registry_fix(tmp_path: Path, hooks: str, views: str, meta: str) -> None:
    assert _found(tmp_path, hooks=hooks, views=views, meta=meta) == []
