"""Verdicts from held-out Node apps (second round), each as a small fixture of our own:
a hand-written async wrapper applied where the routes are registered keeps an exported
handler quiet, and browser code (a package that declares a UI framework) gets no backend
advice -- while the same code without the wrapper, or in a server package, still does."""

from __future__ import annotations

from pathlib import Path

import pytest

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.foreign.project import defines_async_wrapper

HANDLER = (
    'const store = require("../store");\n\n'
    "async function list(req, res) {\n"
    "  const rows = await store.items.all();\n"
    "  res.json(rows);\n"
    "}\n\nmodule.exports = { list };\n"
)
WRAPPER = (
    'const express = require("express");\nconst items = require("./routes/items");\n\n'
    "function guarded(handler) {\n"
    "  return async function (req, res, next) {\n"
    "    try {\n      await handler(req, res);\n    } catch (failure) {\n"
    "      next(failure);\n    }\n  };\n}\n\n"
    "const app = express();\n"
    'app.get("/items", guarded(items.list));\nmodule.exports = app;\n'
)
PROMISE_WRAPPER = (
    "module.exports = (fn) => {\n"
    "  return (req, res, done) => Promise.resolve(fn(req, res, done)).catch(done);\n};\n"
)


def _project(tmp_path: Path, app: str | None) -> Path:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.18.2"}}')
    (tmp_path / "routes").mkdir()
    handler = tmp_path / "routes/items.js"
    handler.write_text(HANDLER)
    if app is not None:
        (tmp_path / "app.js").write_text(app)
    return handler


@pytest.mark.parametrize("app", [WRAPPER, PROMISE_WRAPPER])
def test_a_project_wrapper_keeps_an_exported_handler_quiet(tmp_path: Path, app: str) -> None:
    handler = _project(tmp_path, app)
    assert [s.code for s in analyze(str(handler), HANDLER)] == []


def test_without_a_wrapper_the_exported_handler_is_told(tmp_path: Path) -> None:
    handler = _project(tmp_path, 'const express = require("express");\n')
    (found,) = analyze(str(handler), HANDLER)
    assert (found.code, found.span.start.line) == ("BKD309", 3)


def test_a_handler_that_catches_for_itself_is_no_wrapper() -> None:
    own = (
        "async function save(req, res, next) {\n  try {\n    await work();\n"
        "  } catch (err) {\n    next(err);\n  }\n}\n"
    )
    assert not defines_async_wrapper(own)
    assert defines_async_wrapper(WRAPPER) and defines_async_wrapper(PROMISE_WRAPPER)


BROWSER = (
    'import axios from "axios";\n\n'
    "export function loadFeed() {\n"
    '  return axios.get("/api/feed");\n}\n\n'
    'navigator.serviceWorker.register("/sw.js").then((reg) => reg.update());\n'
)


def test_browser_code_gets_no_backend_advice(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"axios": "^1.6.0", "react": "^18.0.0", "react-dom": "^18.0.0"}}'
    )
    (tmp_path / "src").mkdir()
    path = tmp_path / "src/feed.js"
    path.write_text(BROWSER)
    assert analyze(str(path), BROWSER) == []


def test_the_same_calls_in_a_server_package_are_told(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"axios": "^1.6.0", "express": "^4.18.2"}}'
    )
    path = tmp_path / "feed.js"
    path.write_text(BROWSER)
    codes = sorted(s.code for s in analyze(str(path), BROWSER))
    assert codes == ["BKD301", "BKD308"]


def test_an_api_route_beside_a_ui_is_still_server_code(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(
        '{"dependencies": {"axios": "^1.6.0", "react-dom": "^18.0.0", "next": "^14.0.0"}}'
    )
    (tmp_path / "pages/api").mkdir(parents=True)
    path = tmp_path / "pages/api/feed.js"
    path.write_text(BROWSER)
    assert "BKD301" in {s.code for s in analyze(str(path), BROWSER)}
