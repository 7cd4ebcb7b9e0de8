"""Backend code in the real server: suggestions as diagnostics, quick fixes, hovers and the
"Ask backend-developer" actions, served by the offline engine."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from ..conftest import REPO
from .waiting import index_builds, indexed, pushed

EXAMPLES = REPO / "examples" / "backend"


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "subagent_lsp", "serve"],
        # the whole environment (coverage of the server process rides on it), without a key
        server_env={k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"},
    ),
    params=["visual-studio-code", "neovim@v0.11.0"],
)
async def client(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    root = tmp_path / "backend"
    shutil.copytree(EXAMPLES, root)

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    lsp_client.root = root  # type: ignore[attr-defined]
    lsp_client.pull = request.param.startswith("neovim")  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="backend")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, rel: str) -> tuple[str, str]:
    path = client.root / rel  # type: ignore[attr-defined]
    text = path.read_text(encoding="utf-8")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(path.as_uri(), "python", 1, text))
    )
    return path.as_uri(), text


async def _diagnostics(
    client: LanguageClient, uri: str, ready: Callable[[list[types.Diagnostic]], bool]
) -> list[types.Diagnostic]:
    """A pull client asks (the server answers once the analysis in flight is done); a push
    client waits for the publication that makes ``ready`` true."""
    if client.pull:  # type: ignore[attr-defined]
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        items = list(report.items)
        assert ready(items), items
        return items
    return await pushed(client, uri, ready)


def _at_least(n: int) -> Callable[[list[types.Diagnostic]], bool]:
    return lambda items: len(items) >= n


async def test_suggestions_become_information_diagnostics(client: LanguageClient) -> None:
    uri, _ = await _open(client, "flask_shop/app.py")
    diags = await _diagnostics(client, uri, _at_least(5))
    assert {d.source for d in diags} == {"backend-developer"}
    assert {d.severity for d in diags} == {types.DiagnosticSeverity.Information}
    codes = sorted(str(d.code) for d in diags)
    # No BKD303: create_order's commit is rolled back by Flask-SQLAlchemy's teardown.
    assert codes == ["BKD101", "BKD201", "BKD202", "BKD301", "BKD302"]
    index = next(d for d in diags if d.code == "BKD101")
    assert "proven on SQLite" in index.message and index.range.start.line == 13


async def test_quick_fix_edits_the_model_file_and_hover_explains(client: LanguageClient) -> None:
    uri, _ = await _open(client, "flask_shop/app.py")
    diags = await _diagnostics(client, uri, _at_least(5))
    index = next(d for d in diags if d.code == "BKD101")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            index.range,
            types.CodeActionContext(diagnostics=[index], only=[types.CodeActionKind.QuickFix]),
        )
    )
    fix = next(a for a in actions or [] if isinstance(a, types.CodeAction) and "index" in a.title)
    assert fix.edit is not None and fix.edit.document_changes
    targets = {c.text_document.uri for c in fix.edit.document_changes}  # type: ignore[union-attr]
    assert any(t.endswith("flask_shop/models.py") for t in targets)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), index.range.start)
    )
    assert hover is not None
    text = hover.contents if isinstance(hover.contents, str) else hover.contents.value  # type: ignore[union-attr]
    assert "Plan before: SCAN orders" in text


async def test_ask_backend_developer_actions(client: LanguageClient) -> None:
    uri, text = await _open(client, "flask_shop/app.py")
    await _diagnostics(client, uri, _at_least(5))
    line = text.splitlines().index("def create_order():") + 2
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(line, 4), types.Position(line, 4)),
            types.CodeActionContext(diagnostics=[]),
        )
    )
    asks = {
        a.title: a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.title.startswith("Ask")
    }
    validation = asks["Ask backend-developer: add input validation (offline engine)"]
    assert validation.edit is not None
    # Its commit is Flask-SQLAlchemy's to roll back: nothing to add (the upstream call in
    # order_total_in is served in test_agent_actions_lsp's keyless test).
    errors = asks.get("Ask backend-developer: add error handling (offline engine)")
    if errors is not None:
        assert errors.edit is None and errors.disabled is not None
    indexes = asks.get("Ask backend-developer: suggest indexes (offline engine)")
    if indexes is not None:  # clients that show disabled actions get the reason
        assert indexes.disabled is not None and "nothing" in indexes.disabled.reason


async def test_edit_updates_suggestions(client: LanguageClient) -> None:
    uri, text = await _open(client, "flask_shop/app.py")
    await _diagnostics(client, uri, _at_least(5))
    line = text.splitlines().index(
        '    rates = requests.get(RATES_URL, params={"base": "EUR"}).json()'
    )
    old = 'params={"base": "EUR"})'
    col = text.splitlines()[line].index(old) + len(old) - 1
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            [
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(line, col), types.Position(line, col)),
                    text=", timeout=5",
                )
            ],
        )
    )
    diags = await _diagnostics(client, uri, lambda items: "BKD301" not in {d.code for d in items})
    assert "BKD302" in {d.code for d in diags}


async def test_garbage_and_huge_backend_files_do_not_hurt(client: LanguageClient) -> None:
    root: Path = client.root  # type: ignore[attr-defined]
    for name, text in (
        ("garbage.py", "\x00\x01def (:\n\tclass\n" + "é😀" * 100),
        ("huge.py", "def f():\n    return requests.get('x')\n" * 60_000),
        ("bad.sql", "SELECT FROM WHERE (((;;; \x00"),
    ):
        path = root / name
        path.write_text(text)
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(path.as_uri(), "python", 1, text)
            )
        )
    uri, _ = await _open(client, "flask_shop/app.py")
    diags = await _diagnostics(
        client, uri, _at_least(5)
    )  # the server still works for the real file
    assert len(diags) >= 5


async def test_backend_severity_settings_reach_the_editor(client: LanguageClient) -> None:
    uri, _ = await _open(client, "flask_shop/app.py")
    diags = await _diagnostics(client, uri, _at_least(5))
    assert (
        next(d for d in diags if d.code == "BKD101").severity
        == types.DiagnosticSeverity.Information
    )
    await indexed(client)
    builds = index_builds(client)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"subagentLsp": {"severity": {"BKD101": "warning"}, "ignore": ["BKD302"]}}
        )
    )
    await indexed(client, builds + 1)  # the settings are applied everywhere by then

    def rerated(items: list[types.Diagnostic]) -> bool:
        return any(d.code == "BKD101" and d.severity == 2 for d in items)

    diags = await _diagnostics(client, uri, rerated)
    rated = {str(d.code): d.severity for d in diags}
    assert rated.get("BKD101") == types.DiagnosticSeverity.Warning
    assert "BKD302" not in rated and "BKD301" in rated


SERVICES = (
    "import requests\n\n\n"
    "def notify(order_id):\n"
    '    requests.post("https://hooks.example.com/orders", json={"id": order_id}, timeout=5)\n'
)
ROUTES = (
    "from flask import Flask, jsonify\n\n"
    "from shop import services\n\n"
    "app = Flask(__name__)\n\n\n"
    '@app.post("/orders/<int:order_id>/ship")\n'
    "def ship(order_id):\n"
    "    services.notify(order_id)\n"
    '    return jsonify(status="shipped")\n'
)


async def test_a_helper_edited_in_another_document_updates_the_route(
    client: LanguageClient,
) -> None:
    """The project model over LSP: the route's BKD302 comes from a helper in another module,
    and goes when that helper -- open, edited, not saved -- handles its errors."""
    shop = client.root / "shop"  # type: ignore[attr-defined]
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "services.py").write_text(SERVICES)
    (shop / "routes.py").write_text(ROUTES)
    routes, _ = await _open(client, "shop/routes.py")
    diags = await _diagnostics(client, routes, lambda items: "BKD302" in {d.code for d in items})
    (found,) = [d for d in diags if d.code == "BKD302"]
    assert found.range.start.line == 9 and "services.notify()" in found.message
    services, _ = await _open(client, "shop/services.py")
    handled = SERVICES.replace(
        "    requests.post(",
        "    try:\n        requests.post(",
    ).replace(
        "timeout=5)\n",
        "timeout=5)\n    except requests.RequestException:\n        return False\n    return True\n",
    )
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=services, version=2),
            [types.TextDocumentContentChangeWholeDocument(text=handled)],
        )
    )
    diags = await _diagnostics(
        client, routes, lambda items: "BKD302" not in {d.code for d in items}
    )
    assert "BKD302" not in {d.code for d in diags}


async def test_not_sources_setting_reaches_the_server(client: LanguageClient) -> None:
    """A route in tests/ gets nothing by default; with notSources emptied it is reviewed."""
    tests = client.root / "tests"  # type: ignore[attr-defined]
    tests.mkdir()
    (tests / "rates.py").write_text(
        "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
        "@app.get('/rates')\ndef rates():\n"
        "    return requests.get('https://rates.example.com', timeout=5).json()\n"
    )
    uri, _ = await _open(client, "tests/rates.py")
    if client.pull:  # type: ignore[attr-defined]
        assert await _diagnostics(client, uri, lambda items: True) == []
    await indexed(client)
    builds = index_builds(client)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"subagentLsp": {"notSources": []}})
    )
    await indexed(client, builds + 1)
    diags = await _diagnostics(client, uri, lambda items: "BKD302" in {d.code for d in items})
    assert [d.range.start.line for d in diags if d.code == "BKD302"] == [8]
