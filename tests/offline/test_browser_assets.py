"""Browser JavaScript in a Python web app gets no backend advice (round 33: a promise chain in
a Flask app's bundled map script drew BKD308's Node rationale, judged noise): a file the app's
asset bundle names, one that reads browser-only globals and nothing of Node's, a script in its
page templates; and a chain that cannot reject (a timer's promise, then logging) is left alone.
Each shape has a twin that keeps its advice: a Node server beside a static/ folder, a chain
whose executor or callback calls other code."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.engine import analyze

BUNDLES = """\
import flask_assets

maps_js = flask_assets.Bundle(
    "js/leaflet.js",
    "../MapPool.js",
    output="gen/maps.js",
)
"""
# a plain script (no import, no window): only the bundle says a page runs it
POOL = """\
MapPool = {
    start: function(url) {
        const tile = new MapPool.Tile(url);
        tile.load({hello: "tile"}).then(msg => render(msg));
    },
};
"""
WORKER_POOL = """\
Pool = {
    start: function(count, url) {
        if (!window.Worker) return;
        count = count || window.navigator.hardwareConcurrency;
        for (let i = 0; i < count; i++) {
            const worker = new Worker(url);
            worker.post({hello: i}).then(msg => show(msg));
        }
    },
};
"""
SERVER = """\
const express = require("express");
const app = express();

app.get("/tiles", (req, res) => {
    load(req.query.name).then((tile) => res.json(tile));
});

app.use(express.static("static"));
app.listen(3000);
"""


def _flask_app(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("flask\nflask-assets\n")
    app = tmp_path / "maps"
    (app / "static" / "js").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "bundles.py").write_text(BUNDLES)
    return app


def _codes(tmp_path: Path) -> list[tuple[str, str]]:
    return sorted((Path(s.path).name, s.code) for s in collect([str(tmp_path)], ["error-handling"]))


def test_a_script_the_apps_asset_bundle_serves_gets_no_backend_advice(tmp_path: Path) -> None:
    app = _flask_app(tmp_path)
    (app / "MapPool.js").write_text(POOL)
    # the same script, named by no bundle, is read as it always was
    (app / "loader.js").write_text(POOL)
    assert _codes(tmp_path) == [("loader.js", "BKD308")]


def test_browser_globals_without_node_are_browser_code(tmp_path: Path) -> None:
    app = _flask_app(tmp_path)
    (app / "WorkerPool.js").write_text(WORKER_POOL)
    # what Node has beside the same globals keeps the file a source
    (app / "pool_server.js").write_text('const fs = require("fs");\n' + WORKER_POOL)
    assert _codes(tmp_path) == [("pool_server.js", "BKD308")]


def test_a_script_in_page_templates_is_browser_code(tmp_path: Path) -> None:
    app = _flask_app(tmp_path)
    (app / "templates").mkdir()
    (app / "templates" / "page.js").write_text(POOL)
    assert _codes(tmp_path) == []


def test_a_node_server_beside_a_static_folder_is_still_a_source(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.18.2"}}')
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.js").write_text(WORKER_POOL)
    (tmp_path / "server.js").write_text(SERVER)
    assert _codes(tmp_path) == [("server.js", "BKD308")]


TIMER_CHAINS = """\
function later() {
    new Promise(resolve => setTimeout(resolve, 50)).then(() => console.log("ready"));
    Promise.resolve(3).then((v) => console.log(v));
}
"""
THROWING_CHAINS = """\
function later(worker) {
    new Promise(resolve => setTimeout(resolve, 50)).then(() => refresh());
    new Promise(resolve => { worker.postMessage("hi"); resolve(); }).then(() => console.log(1));
    Promise.resolve(cached).then((v) => console.log(v));
}
"""


def test_a_chain_that_cannot_reject_needs_no_catch(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "^4.18.2"}}')
    path = tmp_path / "timers.js"
    assert analyze(str(path), TIMER_CHAINS) == []
    # a callback that calls the app's code, an executor that may throw, a value that may be a
    # rejecting thenable: each can reject
    found = [(s.code, s.span.start.line + 1) for s in analyze(str(path), THROWING_CHAINS)]
    assert found == [("BKD308", 2), ("BKD308", 3), ("BKD308", 4)]
