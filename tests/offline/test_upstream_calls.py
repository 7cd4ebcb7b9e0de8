"""Errors followed through calls within the project (issue #15): a route that calls a project
function which makes an upstream request nothing catches fails as a 500 just like a direct
call; and an app-wide handler registered in one module covers the routes of the others."""

from __future__ import annotations

import ast
from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.project import Project, Projects

from .applied import apply_suggestion

PYPROJECT = '[project]\nname = "shop"\ndependencies = ["flask", "requests", "httpx"]\n'
INIT = "from flask import Flask\n\napp = Flask(__name__)\n"
SERVICES = (
    "import requests\n\n\n"
    "def reserve_stock(order_id):\n"
    '    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)\n'
)
HANDLED = SERVICES.replace(
    '    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)\n',
    "    try:\n"
    '        requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)\n'
    "    except requests.RequestException:\n"
    "        return False\n"
    "    return True\n",
)
ROUTES = (
    "from flask import jsonify\n\n"
    "from shop import app\n"
    "from shop import services\n\n\n"
    '@app.post("/orders/<int:order_id>/ship")\n'
    "def ship(order_id):\n"
    "    services.reserve_stock(order_id)\n"
    '    return jsonify(status="shipped")\n'
)


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in {"pyproject.toml": PYPROJECT, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _bkd302(root: Path) -> list[tuple[str, int, str]]:
    return [
        (Path(s.path).relative_to(root).as_posix(), s.span.start.line + 1, s.title)
        for s in collect([str(root)], ["error-handling"])
        if s.code == "BKD302"
    ]


def test_a_helper_in_another_module_is_followed(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {"shop/__init__.py": INIT, "shop/services.py": SERVICES, "shop/routes.py": ROUTES},
    )
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [("routes.py", 9)]
    (suggestion,) = found
    assert suggestion.title == "Answer 502 when services.reserve_stock() fails"
    assert "`reserve_stock` makes an upstream request (`requests.post` in services.py)" in (
        suggestion.rationale
    )
    new = apply_suggestion(suggestion)[str(root / "shop" / "routes.py")]
    ast.parse(new)
    assert "import requests\n" in new
    assert (
        "    try:\n        services.reserve_stock(order_id)\n    except requests.RequestException:"
        in new
    )
    assert '"upstream service unavailable"), 502' in new
    # Applied, the route handles it: nothing more is said.
    assert _bkd302(root) == []


def test_relative_imports_and_two_levels_deep_with_httpx(tmp_path: Path) -> None:
    client = (
        "import httpx\n\n\n"
        "def _post(path, body):\n"
        '    return httpx.post("https://crm.example.com" + path, json=body)\n\n\n'
        "def sync_customer(customer):\n"
        '    return _post("/customers", customer)\n'
    )
    routes = (
        "from fastapi import FastAPI\n\n"
        "from .crm import sync_customer\n\n"
        "app = FastAPI()\n\n\n"
        '@app.post("/customers")\n'
        "def create(body: dict):\n"
        "    sync_customer(body)\n"
        "    return body\n"
    )
    root = _write(tmp_path, {"api/__init__.py": "", "api/crm.py": client, "api/main.py": routes})
    found = [s for s in collect([str(root)], ["error-handling"]) if s.code == "BKD302"]
    assert [(Path(s.path).name, s.span.start.line + 1) for s in found] == [("main.py", 10)]
    assert "`sync_customer` -> `_post` makes an upstream request (`httpx.post`" in (
        found[0].rationale
    )
    new = apply_suggestion(found[0])[str(root / "api" / "main.py")]
    ast.parse(new)
    assert "except httpx.HTTPError as exc:" in new and "status_code=502" in new


def test_a_helper_that_handles_its_errors_is_not_flagged(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {"shop/__init__.py": INIT, "shop/services.py": HANDLED, "shop/routes.py": ROUTES},
    )
    assert _bkd302(root) == []


def test_the_route_already_catching_is_not_flagged(tmp_path: Path) -> None:
    caught = ROUTES.replace(
        "    services.reserve_stock(order_id)\n",
        "    try:\n        services.reserve_stock(order_id)\n    except Exception:\n        pass\n",
    )
    root = _write(
        tmp_path,
        {"shop/__init__.py": INIT, "shop/services.py": SERVICES, "shop/routes.py": caught},
    )
    assert _bkd302(root) == []


def test_an_app_wide_handler_in_another_module_covers_the_routes(tmp_path: Path) -> None:
    direct = ROUTES.replace("from shop import services\n", "import requests\n").replace(
        "    services.reserve_stock(order_id)\n",
        '    requests.post("https://hooks.example.com/x", json={}, timeout=5)\n',
    )
    files = {"shop/__init__.py": INIT, "shop/routes.py": direct}
    root = _write(tmp_path, files)
    assert [t for _, _, t in _bkd302(root)] == ["Answer 502 when requests.post fails"]
    handlers = (
        "import requests\n\nfrom shop import app\n\n\n"
        "@app.errorhandler(requests.RequestException)\n"
        "def upstream_failed(error):\n"
        '    return {"error": "upstream"}, 502\n'
    )
    _write(tmp_path, {"shop/errors.py": handlers})
    assert _bkd302(root) == []
    # A blueprint's app_errorhandler is app-wide too.
    _write(
        tmp_path,
        {"shop/errors.py": handlers.replace("@app.errorhandler", "@bp.app_errorhandler")},
    )
    assert _bkd302(root) == []


def test_a_handler_in_a_test_does_not_cover_the_app(tmp_path: Path) -> None:
    direct = ROUTES.replace(
        "    services.reserve_stock(order_id)\n", "    services.reserve_stock(order_id)\n"
    )
    test_handler = (
        "import requests\nfrom shop import app\n\n\n"
        "@app.errorhandler(requests.RequestException)\ndef h(e):\n    return '', 502\n"
    )
    root = _write(
        tmp_path,
        {
            "shop/__init__.py": INIT,
            "shop/services.py": SERVICES,
            "shop/routes.py": direct,
            "tests/test_routes.py": test_handler,
        },
    )
    assert len(_bkd302(root)) == 1


def test_the_project_model_follows_the_open_documents(tmp_path: Path) -> None:
    """The server's view: what an open document says now, not the file on disk."""
    root = _write(
        tmp_path,
        {"shop/__init__.py": INIT, "shop/services.py": SERVICES, "shop/routes.py": ROUTES},
    )
    projects = Projects()
    projects.scan([str(root)])
    routes = str(root / "shop" / "routes.py")
    services = str(root / "shop" / "services.py")

    def found() -> list[str]:
        project = projects.of(routes)
        assert isinstance(project, Project) and project.root == str(root)
        return [
            s.code
            for s in analyze(routes, ROUTES, kinds=["error-handling"], project=project)
            if s.code == "BKD302"
        ]

    assert found() == ["BKD302"]
    # The helper, edited (not saved) to handle its errors: the route is fine now.
    projects.edited(services, HANDLED)
    assert found() == []
    projects.closed(services)  # the file on disk again
    assert found() == ["BKD302"]
    # An app-wide handler typed into an open document counts at once.
    handler = INIT + (
        "\n\nimport requests\n\n\n@app.errorhandler(500)\ndef oops(e):\n    return 'x', 500\n"
    )
    projects.edited(str(root / "shop" / "__init__.py"), handler)
    assert found() == []


def test_without_a_project_model_only_the_module_itself_is_followed(tmp_path: Path) -> None:
    same_module = (
        "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "def reserve_stock():\n    requests.get('https://x.example.com', timeout=3)\n\n\n"
        "@app.get('/')\ndef index():\n    reserve_stock()\n    return 'ok'\n"
    )
    path = tmp_path / "app.py"
    path.write_text(same_module, encoding="utf-8")
    found = [s for s in analyze(str(path), same_module) if s.code == "BKD302"]
    assert [s.span.start.line + 1 for s in found] == [13]
