"""Imports placed where the app's isort/ruff settings put them (issue #15, "Edits that ship"):
each case checks the exact import block and that the real ruff ``--select I`` accepts it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from subagent_lsp.cli.suggest import collect
from subagent_lsp.definitions.findings import TextEdit
from subagent_lsp.definitions.fixes import apply_edits
from subagent_lsp.review.offline.pyedits import ensure_imports, ensure_module_import
from subagent_lsp.review.offline.pysource import parse_source

from .applied import apply_suggestion

RUFF = Path(sys.executable).with_name("ruff")
needs_ruff = pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed beside python")
PYPROJECT = '[project]\nname = "shop"\ndependencies = ["flask", "requests"]\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _ruff_accepts(root: Path, path: Path) -> bool:
    """ruff's isort rule on ``path``: with the fixture's own [tool.ruff] when it has one."""
    config = root / "pyproject.toml"
    has_ruff = config.exists() and "[tool.ruff" in config.read_text(encoding="utf-8")
    settings = ["--config", str(config)] if has_ruff else ["--isolated"]
    run = subprocess.run(
        [str(RUFF), "check", "--select", "I", "--no-cache", *settings, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode == 0


def _with_imports(
    root: Path,
    text: str,
    needed: list[tuple[str, str]],
    modules: tuple[str, ...] = (),
    rel: str = "shop/views.py",
) -> str:
    """The file at ``rel`` with the imports added, written back; ruff passed on it before."""
    path = root / rel
    _write(root, {"shop/__init__.py": "", rel: text})
    if RUFF.exists():
        assert _ruff_accepts(root, path), "the fixture itself must pass ruff's isort rule"
    edits = ensure_imports(parse_source(str(path), text), needed, modules)
    new = apply_edits(text, [TextEdit(e.span, e.new_text) for e in edits])
    path.write_text(new, encoding="utf-8")
    return new


SERVICES = (
    "import requests\n\n\n"
    "def reserve_stock(order_id):\n"
    '    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)\n'
)
ROUTES = (
    '"""The shop\'s routes."""\n\n'
    "import logging\n"
    "import os\n\n"
    "from flask import request\n\n"
    "from shop import app, services\n\n"
    "log = logging.getLogger(__name__)\n\n\n"
    '@app.post("/orders/<int:order_id>/ship")\n'
    "def ship(order_id):\n"
    "    services.reserve_stock(order_id)\n"
    '    return {"by": request.remote_addr, "pid": os.getpid()}\n'
)


@needs_ruff
def test_the_bkd302_fix_puts_each_import_in_its_section(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "shop/services.py": SERVICES,
            "shop/routes.py": ROUTES,
        },
    )
    routes = tmp_path / "shop" / "routes.py"
    assert _ruff_accepts(tmp_path, routes)
    (found,) = [s for s in collect([str(tmp_path)], ["error-handling"]) if s.code == "BKD302"]
    new = apply_suggestion(found)[str(routes)]
    assert new.startswith(
        '"""The shop\'s routes."""\n\n'
        "import logging\n"
        "import os\n\n"
        "import requests\n"
        "from flask import jsonify, request\n\n"
        "from shop import app, services\n\n"
        "log = logging.getLogger(__name__)\n"
    )
    assert "    except requests.RequestException:\n" in new
    assert _ruff_accepts(tmp_path, routes)


@needs_ruff
def test_every_section_at_once_and_a_new_future_import(tmp_path: Path) -> None:
    text = "import os\n\nfrom flask import Flask\n\nfrom shop.models import User\n\nX = 1\n"
    needed = [("sqlalchemy.exc", "SQLAlchemyError"), ("shop.errors", "NotFound")]
    needed += [("json", "loads"), ("__future__", "annotations")]
    new = _with_imports(tmp_path, text, needed, ("requests",))
    assert new == (
        "from __future__ import annotations\n\n"
        "import os\n"
        "from json import loads\n\n"
        "import requests\n"
        "from flask import Flask\n"
        "from sqlalchemy.exc import SQLAlchemyError\n\n"
        "from shop.errors import NotFound\n"
        "from shop.models import User\n\n"
        "X = 1\n"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
def test_known_first_party_from_the_ruff_config(tmp_path: Path) -> None:
    # ``billing`` is installed, not in the tree: only the config says it is first party.
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + '\n[tool.ruff.lint.isort]\nknown-first-party = ["billing"]\n',
        encoding="utf-8",
    )
    text = "import os\n\nfrom billing import charge\n\nX = (os, charge)\n"
    path = tmp_path / "shop" / "views.py"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)
    edits = ensure_imports(parse_source(str(path), text), [("flask", "jsonify")], ["requests"])
    new = apply_edits(text, [TextEdit(e.span, e.new_text) for e in edits])
    assert new == (
        "import os\n\nimport requests\nfrom flask import jsonify\n\n"
        "from billing import charge\n\nX = (os, charge)\n"
    )
    path.write_text(new, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)


@needs_ruff
def test_an_isort_cfg_known_first_party(tmp_path: Path) -> None:
    (tmp_path / ".isort.cfg").write_text(
        "[settings]\nprofile = black\nknown_first_party = billing\n", encoding="utf-8"
    )
    new = _with_imports(
        tmp_path, "from billing import charge\n\nX = charge\n", [("flask", "jsonify")]
    )
    assert new == "from flask import jsonify\n\nfrom billing import charge\n\nX = charge\n"


@needs_ruff
def test_force_sort_within_sections(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + "\n[tool.ruff.lint.isort]\nforce-sort-within-sections = true\n",
        encoding="utf-8",
    )
    text = "import os\nfrom pathlib import Path\nimport sys\n\nX = (os, Path, sys)\n"
    path = tmp_path / "shop" / "views.py"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)
    edits = ensure_imports(parse_source(str(path), text), [("collections", "deque")], ["re"])
    new = apply_edits(text, [TextEdit(e.span, e.new_text) for e in edits])
    assert new.startswith(
        "from collections import deque\nimport os\nfrom pathlib import Path\nimport re\n"
        "import sys\n\n"
    )
    path.write_text(new, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)


@needs_ruff
def test_force_single_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + "\n[tool.ruff.lint.isort]\nforce-single-line = true\n", encoding="utf-8"
    )
    text = "from flask import Flask\nfrom flask import request\n\nX = (Flask, request)\n"
    path = tmp_path / "shop" / "views.py"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)
    needed = [("flask", "jsonify"), ("flask", "abort")]
    edits = ensure_imports(parse_source(str(path), text), needed)
    new = apply_edits(text, [TextEdit(e.span, e.new_text) for e in edits])
    assert new.startswith(
        "from flask import Flask\nfrom flask import abort\nfrom flask import jsonify\n"
        "from flask import request\n\n"
    )
    path.write_text(new, encoding="utf-8")
    assert _ruff_accepts(tmp_path, path)


@needs_ruff
def test_a_file_whose_only_imports_are_first_party(tmp_path: Path) -> None:
    text = 'from shop import app\n\n\n@app.get("/")\ndef index():\n    return "ok"\n'
    new = _with_imports(tmp_path, text, [("flask", "jsonify")], ("requests", "json"))
    assert new.startswith(
        "import json\n\nimport requests\nfrom flask import jsonify\n\nfrom shop import app\n\n\n@"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
def test_relative_imports_stay_last(tmp_path: Path) -> None:
    text = "from flask import Flask\n\nfrom .models import User\n\nX = (Flask, User)\n"
    new = _with_imports(tmp_path, text, [("shop.errors", "NotFound")])
    assert new.startswith(
        "from flask import Flask\n\nfrom shop.errors import NotFound\n\nfrom .models import User\n"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"""Views."""\n\n\ndef index():\n    return 1\n',
            '"""Views."""\n\nimport json\n\n\ndef index():\n    return 1\n',
        ),
        ('"""Views."""\nX = 1\n', '"""Views."""\n\nimport json\n\nX = 1\n'),
        ("X = 1\n", "import json\n\nX = 1\n"),
        ("#!/usr/bin/env python\n\n\nclass A:\n    pass\n", None),
        (
            '"""Views."""\n\nfrom __future__ import annotations\n\nX = 1\n',
            '"""Views."""\n\nfrom __future__ import annotations\n\nimport json\n\nX = 1\n',
        ),
    ],
)
def test_a_file_without_imports(tmp_path: Path, text: str, expected: str | None) -> None:
    new = _with_imports(tmp_path, text, [], ("json",))
    if expected is None:  # a shebang stays on the first line
        expected = "#!/usr/bin/env python\n\nimport json\n\n\nclass A:\n    pass\n"
    assert new == expected
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
def test_names_are_kept_sorted_when_appended(tmp_path: Path) -> None:
    text = (
        "from flask import Flask, abort, request\n\n"
        "from shop.settings import DEBUG, Config, load\n\n"
        "X = (Flask, abort, request, DEBUG, Config, load)\n"
    )
    needed = [("flask", "jsonify"), ("flask", "g"), ("shop.settings", "TIMEOUT")]
    needed += [("shop.settings", "Base"), ("shop.settings", "dump")]
    new = _with_imports(tmp_path, text, needed)
    assert new.startswith(
        "from flask import Flask, abort, g, jsonify, request\n\n"
        "from shop.settings import DEBUG, TIMEOUT, Base, Config, dump, load\n\n"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
def test_a_line_grown_too_long_is_wrapped_as_ruff_wraps_it(tmp_path: Path) -> None:
    text = (
        "from flask import Flask, abort, current_app, redirect, render_template, request\n\n"
        "X = (Flask, abort, current_app, redirect, render_template, request)\n"
    )
    new = _with_imports(tmp_path, text, [("flask", "jsonify"), ("flask", "url_for")])
    assert new.startswith(
        "from flask import (\n    Flask,\n    abort,\n    current_app,\n    jsonify,\n"
        "    redirect,\n    render_template,\n    request,\n    url_for,\n)\n\n"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")
    # Wrapped already: the new name goes in its place, the wrapping stays.
    again = _with_imports(tmp_path, new, [("flask", "g")])
    assert "    current_app,\n    g,\n    jsonify,\n" in again
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


def test_a_module_bound_already_is_not_imported_again(tmp_path: Path) -> None:
    for text in ("import requests\n", "import requests as rq\n", "import requests.adapters\n"):
        source = parse_source(str(tmp_path / "views.py"), text)
        assert ensure_module_import(source, "requests") == []
    source = parse_source(str(tmp_path / "views.py"), "import os\n")
    (edit,) = ensure_module_import(source, "requests")
    assert apply_edits("import os\n", [TextEdit(edit.span, edit.new_text)]) == (
        "import os\n\nimport requests\n"
    )


def test_crlf_files_keep_their_line_breaks(tmp_path: Path) -> None:
    text = "import os\r\n\r\nfrom shop import app\r\n\r\nX = (os, app)\r\n"
    new = _with_imports(tmp_path, text, [("flask", "jsonify")])
    assert new == (
        "import os\r\n\r\nfrom flask import jsonify\r\n\r\nfrom shop import app\r\n\r\n"
        "X = (os, app)\r\n"
    )


@needs_ruff
def test_a_wrapped_import_with_comments_gets_a_line_per_name(tmp_path: Path) -> None:
    text = (
        "from flask import (  # the app's own\n"
        "    Flask,\n"
        "    request,  # body parsing\n"
        ")\n\n"
        "X = (Flask, request)\n"
    )
    new = _with_imports(tmp_path, text, [("flask", "jsonify"), ("flask", "abort")])
    assert new.startswith(
        "from flask import (  # the app's own\n"
        "    Flask,\n"
        "    abort,\n"
        "    jsonify,\n"
        "    request,  # body parsing\n"
        ")\n"
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")


@needs_ruff
def test_a_comment_above_the_next_import_keeps_its_blank_line(tmp_path: Path) -> None:
    text = '"""Doc."""\n# the web framework\nfrom flask import Flask\n\nX = Flask\n'
    new = _with_imports(tmp_path, text, [], ("os",))
    assert (
        new
        == '"""Doc."""\nimport os\n\n# the web framework\nfrom flask import Flask\n\nX = Flask\n'
    )
    assert _ruff_accepts(tmp_path, tmp_path / "shop" / "views.py")
