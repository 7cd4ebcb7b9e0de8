from __future__ import annotations

import json

import pytest

from subagent_lsp.cli import main

from ..conftest import REPO
from ..standin import Reply, StandIn
from .conftest import KEY


def test_suggest_agent_one_call_per_file_and_kind(
    standin: StandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            {
                "kind": "index",
                "title": "Index plan",
                "rationale": "r",
                "edits": [
                    {
                        "find": "SELECT id, email FROM accounts WHERE plan = :plan;",
                        "replace": "SELECT id, email FROM accounts WHERE plan = :plan; -- uses ix_accounts_plan",
                    }
                ],
            }
        ],
    }
    path = REPO / "examples" / "backend" / "raw_sql" / "reports.sql"
    assert main(["suggest", "--agent", "--kind", "index", "--format", "json", str(path)]) == 0
    captured = capsys.readouterr()
    assert "1 call (1 file x 1 kind)" in captured.err
    data = json.loads(captured.out)
    assert data[0]["engine"] == "anthropic" and data[0]["kind"] == "index"
    assert data[0]["proven"] is None  # no CREATE INDEX among the edits: nothing to prove
    assert len(standin.requests) == 1 and KEY not in captured.err + captured.out


def test_suggest_agent_failure_and_no_key(
    standin: StandIn, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    standin.script = [Reply(status=401)] * 3
    path = REPO / "examples" / "backend" / "raw_sql" / "reports.sql"
    assert main(["suggest", "--agent", "--kind", "index", str(path)]) == 0
    captured = capsys.readouterr()
    assert "rejected the credentials" in captured.err and KEY not in captured.err
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    assert main(["suggest", "--agent", str(path)]) == 2
    assert "needs ANTHROPIC_API_KEY" in capsys.readouterr().err
