"""The agent's CREATE INDEX on a PostgreSQL app, proven on PostgreSQL as written: expression,
partial and INCLUDE forms, CONCURRENTLY, through the real SDK and the stand-in API."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.agent import bundled_agent_path, load_agent
from subagent_lsp.review.anthropic_agent import AgentCall, call_agent
from subagent_lsp.review.context import build_context
from subagent_lsp.review.describe import edit_label
from subagent_lsp.review.offline.schema import SchemaCache

from ..pgproof.conftest import APP, needs_postgres
from ..standin import StandIn

CREATE = "CREATE INDEX ix_activity_kind ON activity ((payload ->> 'kind'));"


def _index(title: str, sql: str) -> dict[str, object]:
    return {
        "kind": "index",
        "title": title,
        "rationale": "r",
        "edits": [{"path": "schema.sql", "find": CREATE, "replace": f"{CREATE}\n{sql}"}],
    }


def test_agent_indexes_are_proven_on_postgres(standin: StandIn, tmp_path: Path) -> None:
    needs_postgres()
    app = tmp_path / "activity_app"
    shutil.copytree(APP, app)
    path = app / "repository.py"
    text = path.read_text(encoding="utf-8")
    start = text.splitlines().index("def activity_from(conn: psycopg.Connection, source: str):")
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            _index(
                "Expression index, built concurrently",
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_src ON activity "
                "((payload ->> 'source')) INCLUDE (id);",
            ),
            _index(
                "A partial index the query cannot use",
                "CREATE INDEX ix_recent ON activity (tenant_id) WHERE created_at > '2030-01-01';",
            ),
        ],
    }
    cache = SchemaCache()
    cache.scan([str(app)])
    schema = cache.schema()
    context = build_context(
        str(path), text, Span(Position(start, 0), Position(start + 5, 0)), "index", schema
    )
    agent = load_agent(bundled_agent_path())
    call = AgentCall(agent, agent.model_id(), context)
    answer = asyncio.run(call_agent(call, schema, [str(app)]))
    proven, unproven = answer.suggestions
    assert proven.proven is True and proven.proved_on.startswith("PostgreSQL ")
    assert "Proven on PostgreSQL 15" in proven.rationale and "Seq Scan cost" in proven.rationale
    assert "CREATE INDEX CONCURRENTLY" in proven.rationale
    assert edit_label(proven).endswith(f"(index proven on {proven.proved_on})")
    assert unproven.proven is False
    assert "Not proven on PostgreSQL" in unproven.rationale
    assert edit_label(unproven).endswith(f"(index NOT proven on {unproven.proved_on})")
