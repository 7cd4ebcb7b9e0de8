"""The agent call with the real anthropic SDK against a stand-in Messages API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.agent import bundled_agent_path, load_agent
from subagent_lsp.review.anthropic_agent import AgentCall, AgentError, call_agent
from subagent_lsp.review.context import build_context, estimate_tokens, redact
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.propose_changes import tool_definition

from ..conftest import REPO
from ..standin import Reply, StandIn, commit_fix
from .conftest import KEY


@pytest.fixture()
def app(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "examples" / "backend", tmp_path / "backend")
    return tmp_path / "backend"


def _call(
    app: Path, kind: str = "error-handling", function: str = "def create_order():"
) -> tuple[AgentCall, object, list[str]]:
    path = app / "flask_shop" / "app.py"
    text = path.read_text()
    lines = text.splitlines()
    start = lines.index(function) - 1
    end = start + 1
    while end + 1 < len(lines) and (
        lines[end + 1].startswith((" ", "\t")) or not lines[end + 1].strip()
    ):
        end += 1
    cache = SchemaCache()
    cache.scan([str(app)])
    schema = cache.schema()
    context = build_context(
        str(path), text, Span(Position(start, 0), Position(end, 0)), kind, schema
    )
    agent = load_agent(bundled_agent_path())
    return AgentCall(agent, agent.model_id(), context), schema, [str(app)]


def test_success_request_and_exact_edit(standin: StandIn, app: Path) -> None:
    standin.answer = lambda body: commit_fix()
    call, schema, roots = _call(app)
    answer = asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    request = standin.requests[0]["body"]
    assert request["model"] == "claude-sonnet-5-5"
    assert request["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert request["system"][0]["text"] == call.agent.system_prompt
    assert request["tools"][0]["name"] == "propose_changes"
    assert request["tool_choice"] == {"type": "tool", "name": "propose_changes"}
    assert "db.session.commit()" in request["messages"][0]["content"]
    assert (
        "CREATE TABLE" in request["messages"][0]["content"]
        or "class Order" in request["messages"][0]["content"]
    )
    headers = {k.lower(): v for k, v in standin.requests[0]["headers"].items()}
    assert KEY in (headers.get("x-api-key", "") + headers.get("authorization", ""))
    [suggestion] = answer.suggestions
    [edit] = suggestion.edits
    lines = (app / "flask_shop" / "app.py").read_text().splitlines()
    assert lines[edit.span.start.line] == "    db.session.commit()"
    assert edit.span.start.column == 0 and edit.span.end == Position(edit.span.start.line + 1, 0)
    assert suggestion.engine == "anthropic" and not answer.dropped


def test_overloaded_then_success_and_result_cache(standin: StandIn, app: Path) -> None:
    standin.answer = lambda body: commit_fix()
    standin.script = [Reply(status=529)]
    call, schema, roots = _call(app)
    answer = asyncio.run(call_agent(call, schema, roots, max_retries=2))  # type: ignore[arg-type]
    assert len(answer.suggestions) == 1 and len(standin.requests) == 2
    again = asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    assert len(again.suggestions) == 1 and len(standin.requests) == 2  # served from the cache


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (Reply(status=401), "auth"),
        (Reply(status=529), "busy"),
        (Reply(status=400), "refused"),
        (
            Reply(
                raw={
                    "id": "m",
                    "type": "message",
                    "role": "assistant",
                    "model": "x",
                    "content": [{"type": "text", "text": "I think..."}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 1, "output_tokens": 1},
                }
            ),
            "malformed",
        ),
        (Reply(tool_input={"summary": 3}), "malformed"),
        (
            Reply(tool_input={"summary": "x", "suggestions": [{"kind": "index", "title": "t"}]}),
            "malformed",
        ),
    ],
)
def test_failures_are_one_clear_error(standin: StandIn, app: Path, reply: Reply, kind: str) -> None:
    standin.script = [reply, reply, reply]
    call, schema, roots = _call(app)
    with pytest.raises(AgentError) as err:
        asyncio.run(call_agent(call, schema, roots, max_retries=0))  # type: ignore[arg-type]
    assert err.value.kind == kind
    assert KEY not in str(err.value)


def test_timeout(standin: StandIn, app: Path) -> None:
    standin.script = [Reply(delay=3)]
    call, schema, roots = _call(app)
    with pytest.raises(AgentError) as err:
        asyncio.run(call_agent(call, schema, roots, timeout=1, max_retries=0))  # type: ignore[arg-type]
    assert err.value.kind == "timeout"


def test_cancellation_mid_call(standin: StandIn, app: Path) -> None:
    standin.script = [Reply(delay=5)]
    call, schema, roots = _call(app)

    async def run() -> None:
        task = asyncio.ensure_future(call_agent(call, schema, roots))  # type: ignore[arg-type]
        assert await asyncio.to_thread(standin.wait_for_requests, 1)  # the request is in flight
        task.cancel()
        await task

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run())


def test_no_key(standin: StandIn, app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    call, schema, roots = _call(app)
    with pytest.raises(AgentError) as err:
        asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    assert err.value.kind == "no-key" and not standin.requests


def test_secrets_are_stripped_and_edits_touching_them_dropped(standin: StandIn, app: Path) -> None:
    path = app / "flask_shop" / "app.py"
    text = path.read_text().replace(
        "def create_order():\n",
        'def create_order():\n    api_key = "sk-ant-live-abcdefghijklmnop1234"\n',
    )
    path.write_text(text)
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            {
                "kind": "error-handling",
                "title": "Move the key",
                "rationale": "r",
                "edits": [
                    {"find": 'api_key = "[REDACTED]"', "replace": "api_key = os.environ['K']"}
                ],
            },
            {
                "kind": "error-handling",
                "title": "Roll back",
                "rationale": "r",
                "edits": [
                    {
                        "find": "    db.session.commit()\n",
                        "replace": "    db.session.commit()  # ok\n",
                    }
                ],
            },
        ],
    }
    call, schema, roots = _call(app)
    answer = asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    sent = json.dumps(standin.requests[0]["body"])
    assert "sk-ant-live" not in sent and "[REDACTED]" in sent
    assert [s.title for s in answer.suggestions] == ["Roll back"]
    assert "redacted" in answer.dropped[0]


def test_other_files_new_files_and_the_workspace_boundary(standin: StandIn, app: Path) -> None:
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            {
                "kind": "index",
                "title": "Index events",
                "rationale": "r",
                "edits": [
                    {
                        "path": "raw_sql/schema.sql",
                        "find": "CREATE INDEX ix_events_kind ON events (kind);",
                        "replace": "CREATE INDEX ix_events_kind ON events (kind);\nCREATE INDEX ix_events_account ON events (account_id, occurred_at);",
                    }
                ],
            },
            {
                "kind": "index",
                "title": "A migration",
                "rationale": "r",
                "edits": [
                    {
                        "path": "migrations/0002_index.sql",
                        "find": "",
                        "replace": "CREATE INDEX ix_a ON accounts USING gin (plan);\n",
                    }
                ],
            },
            {
                "kind": "index",
                "title": "Escape",
                "rationale": "r",
                "edits": [{"path": "../../outside.sql", "find": "", "replace": "x"}],
            },
            {
                "kind": "index",
                "title": "Secrets",
                "rationale": "r",
                "edits": [{"path": ".env", "find": "", "replace": "X=1"}],
            },
        ],
    }
    call, schema, roots = _call(app, kind="index", function="def customer_orders(customer_id):")
    answer = asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    titles = [s.title for s in answer.suggestions]
    assert titles == ["Index events", "A migration"]
    assert len(answer.dropped) == 2 and "outside the workspace" in answer.dropped[0]
    schema_edit = answer.suggestions[0].edits[0]
    assert schema_edit.path.endswith("raw_sql/schema.sql")
    new_file = answer.suggestions[1].edits[0]
    assert new_file.path.endswith("migrations/0002_index.sql") and new_file.span == Span.point(0, 0)
    assert answer.suggestions[0].proven is False  # no query on events in this scope
    assert answer.suggestions[1].proven is False and "PostgreSQL" in answer.suggestions[1].rationale


def test_agent_index_proposal_proven_on_sqlite(standin: StandIn, app: Path) -> None:
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            {
                "kind": "index",
                "title": "Index orders by customer",
                "rationale": "r",
                "edits": [
                    {
                        "path": "flask_shop/models.py",
                        "find": "    created_at = Column(DateTime, nullable=False)\n",
                        "replace": "    created_at = Column(DateTime, nullable=False)\n    # CREATE INDEX ix ON orders (customer_id, created_at)\n",
                    }
                ],
            },
        ],
    }
    call, schema, roots = _call(app, kind="index", function="def customer_orders(customer_id):")
    answer = asyncio.run(call_agent(call, schema, roots))  # type: ignore[arg-type]
    [suggestion] = answer.suggestions
    assert suggestion.proven is True
    assert "Proven on SQLite" in suggestion.rationale and "SEARCH orders" in suggestion.rationale


def test_redaction_patterns() -> None:
    text = (
        'password = "hunter22"\nAWS = "AKIAABCDEFGHIJKLMNOP"\nurl = "postgres://app:s3cret@db/x"\n'
        'token="ghp_abcdefghijklmnopqrstuvwxyz123"\nok = "plain"\n'
    )
    red = redact(text)
    for secret in ("hunter22", "AKIAABCDEFGHIJKLMNOP", "s3cret", "ghp_abc"):
        assert secret not in red.text
    assert 'ok = "plain"' in red.text
    start = red.text.index("ok")
    mapped = red.to_original(start, start + 2)
    assert mapped is not None and text[mapped[0] : mapped[1]] == "ok"


def test_cached_prefix_is_above_the_caching_minimum() -> None:
    agent = load_agent(bundled_agent_path())
    prefix = json.dumps(tool_definition()) + agent.system_prompt
    # 3.5 characters per token overestimates tokens for English prose; the real count is higher
    # per character for code and JSON, so this is a floor, not a ceiling.
    assert estimate_tokens(prefix) > 1024
