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


KOA = """\
const Router = require("@koa/router");
const db = require("./db");

const router = new Router();

router.post("/notes", async (ctx) => {
  const { title } = ctx.request.body; // BKD201
  ctx.body = await db.notes.create({ title });
});

router.get("/notes/:id", async (ctx) => {
  const id = parseInt(ctx.params.id); // BKD202
  const note = await db.notes.findOne({ where: { id } }); // BKD304
  ctx.body = { title: note.title };
});

module.exports = router;
"""
KOA_CLEAN = """\
const Router = require("@koa/router");
const db = require("./db");

const router = new Router();

router.post("/notes", async (ctx) => {
  const { title } = ctx.request.body;
  if (typeof title !== "string") ctx.throw(400, "title must be a string");
  ctx.body = await db.notes.create({ title });
});

router.get("/notes/:id", async (ctx) => {
  const id = Number.parseInt(ctx.params.id, 10);
  if (Number.isNaN(id)) ctx.throw(400, "id must be a number");
  const note = await db.notes.findOne({ where: { id } });
  ctx.assert(note, 404);
  ctx.body = { title: note.title };
});

module.exports = router;
"""
FASTIFY = """\
async function routes(fastify) {
  fastify.post("/notes", async (request, reply) => {
    const { title } = request.body; // BKD201
    return fastify.db.insert({ title });
  });
  fastify.post("/tags", { schema: { body: { type: "object" } } }, async (request, reply) => {
    return fastify.db.insert(request.body);
  });
}

module.exports = routes;
"""


def _marks(text: str) -> set[tuple[int, str]]:
    return {
        (n, line.rsplit("// ", 1)[1])
        for n, line in enumerate(text.splitlines())
        if "// BKD" in line
    }


@pytest.mark.parametrize(
    ("package", "text"),
    [('"koa": "^2.14.0", "@koa/router": "^12.0.0"', KOA), ('"fastify": "^4.0.0"', FASTIFY)],
)
def test_koa_and_fastify_handlers_are_reviewed(tmp_path: Path, package: str, text: str) -> None:
    (tmp_path / "package.json").write_text(f'{{"dependencies": {{{package}}}}}')
    path = tmp_path / "routes.js"
    path.write_text(text)
    found = analyze(str(path), text)
    assert {(s.span.start.line, s.code) for s in found} == _marks(text)
    edits = "".join(e.new_text for s in found for e in s.edits)
    assert ".json(" not in edits and "res." not in edits  # the framework's own answer
    if "koa" in package:
        assert 'ctx.throw(400, "invalid body")' in edits and 'ctx.throw(404, "not found")' in edits
    else:
        assert 'return reply.code(400).send({ error: "invalid body" });' in edits


def test_koa_handlers_written_correctly_get_nothing(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"koa": "^2.14.0"}}')
    path = tmp_path / "routes.js"
    path.write_text(KOA_CLEAN)
    assert analyze(str(path), KOA_CLEAN) == []


def test_a_dom_script_in_a_server_repository_is_browser_code(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"@nestjs/core": "^10.0.0"}}')
    (tmp_path / "client").mkdir()
    path = tmp_path / "client/fetcher.js"
    text = (
        "export async function load(url) {\n  const res = await fetch(url);\n"
        '  const box = document.createElement("div");\n  box.textContent = await res.text();\n'
        "  return box;\n}\n"
    )
    path.write_text(text)
    assert analyze(str(path), text) == []
    server = tmp_path / "sync.js"
    server.write_text(text.replace('document.createElement("div")', "{}"))
    assert [s.code for s in analyze(str(server), server.read_text())] == ["BKD301"]
