"""Nothing secret leaves the machine (issue 16): planted fake secrets never reach the stand-in
Messages API through any part of a request, secret files are never read, the dry run sends
nothing, placeholders keep the code readable and edits touching them are dropped."""

from __future__ import annotations

import asyncio
import builtins
import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.config import parse_settings
from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.agent import bundled_agent_path, load_agent
from subagent_lsp.review.anthropic_agent import AgentCall, call_agent
from subagent_lsp.review.context import build_context, redact
from subagent_lsp.review.exclusions import Exclusions, is_secret_file
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.secrets import find_secrets, looks_random

from ..conftest import REPO
from ..standin import StandIn
from .conftest import KEY
from .secret_samples import FORMATS, HELD_OUT, backend_file, rand

EVERYTHING = {**FORMATS, **HELD_OUT}
ENV_SECRET = "env_" + rand("abcdef0123456789", 40)
PEM_SECRET = "pem" + rand("ABCDEFGHIJKLMNOP0123456789", 40)
HIDDEN = {  # values only in files that must never be read or sent
    ".env": f"STRIPE_KEY={ENV_SECRET}\n",
    ".env.production": f"DB_URL=postgres://u:{ENV_SECRET}@h/db\n",
    "certs/server.pem": f"-----BEGIN CERTIFICATE-----\n{PEM_SECRET}\n-----END CERTIFICATE-----\n",
    "deploy/id_ed25519": f"{PEM_SECRET}\n",
    "config/app.key": f"{PEM_SECRET}\n",
}
# Backend files the agent is never sent, each holding a value of its own.
EXCLUDED_CODE = {
    "secrets/creds.py": "CREDS_TOKEN",
    "build/generated.py": "IGNORED_TOKEN",  # git-ignored
    "fixtures/seed.py": "FIXTURE_TOKEN",  # agentExclude
}
PLAIN = {name: "x" + rand("abcdefghijkmnpqrstuvwxyz", 15) for name in EXCLUDED_CODE}


def _workspace(root: Path) -> Path:
    (root / ".git").mkdir()
    (root / ".gitignore").write_text("build/\n")
    (root / ".subagent-lsp.toml").write_text('agentExclude = ["fixtures/**"]\n')
    tenant = root / "tenants" / FORMATS["hex-signing-key"][0]  # a secret in a file's path
    tenant.mkdir(parents=True)
    (tenant / "views.py").write_text(backend_file(EVERYTHING))
    for rel, text in HIDDEN.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    for rel, name in EXCLUDED_CODE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f'{name} = "{PLAIN[rel]}"\n\ndef handler():\n    return 1\n')
    return tenant / "views.py"


def _planted() -> list[str]:
    values = [value for value, _ in EVERYTHING.values()]
    return [*values, ENV_SECRET, PEM_SECRET, *PLAIN.values()]


def _leaks(text: str) -> list[str]:
    # Also a tail: a detector that cut a key short would leak most of it.
    return [v for v in _planted() if v in text or v[-12:] in text]


def test_no_planted_secret_reaches_the_api_nor_secret_files_are_opened(
    standin: StandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _workspace(tmp_path)
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file: object, *args: object, **kwargs: object) -> object:
        opened.append(os.path.realpath(os.fspath(file)) if isinstance(file, (str, Path)) else "")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_open)
    monkeypatch.chdir(tmp_path)
    assert main(["suggest", "--agent", "--format", "json", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    # one file sent, for each of the three kinds; the excluded ones named, each with why
    assert len(standin.requests) == 3, captured.err
    bodies = json.dumps([r["body"] for r in standin.requests], ensure_ascii=False)
    assert _leaks(bodies) == []
    assert "[REDACTED:stripe-key]" in bodies and "[REDACTED:private-key]" in bodies
    assert "request.get_json()" in bodies  # the code itself still goes
    assert "secrets/creds.py is not sent to the agent: it holds secrets by its name" in (
        captured.err
    )
    assert "build/generated.py is not sent to the agent: git ignores it" in captured.err
    assert "fixtures/seed.py is not sent to the agent: agentExclude lists it" in captured.err
    for rel in HIDDEN:
        assert os.path.realpath(tmp_path / rel) not in opened, rel
    assert _leaks(captured.out + captured.err) == [] and KEY not in captured.out + captured.err


def test_dry_run_prints_the_exact_request_and_sends_nothing(
    standin: StandIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = _workspace(tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY")  # a dry run needs no key: nothing is sent
    args = ["suggest", "--agent", "--dry-run", "--kind", "validation"]
    assert main([*args, "--format", "json", str(path)]) == 0
    captured = capsys.readouterr()
    assert standin.requests == []
    [shown] = json.loads(captured.out)
    request = shown["request"]
    assert set(request) >= {"model", "system", "tools", "tool_choice", "messages"}
    assert request["tools"][0]["name"] == "propose_changes"
    assert shown["redacted"]["stripe-key"] == 1 and shown["redacted"]["google-api-key"] == 1
    assert "dry run, nothing is sent" in captured.err
    # (the output names the file as it is on this machine: the request has it redacted)
    assert _leaks(json.dumps(request, ensure_ascii=False) + captured.err) == []
    # the same request the real call sends, byte for byte
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    assert main([*args[:2], "--kind", "validation", str(path)]) == 0
    assert standin.requests[0]["body"] == request
    capsys.readouterr()
    assert main([*args, str(path)]) == 0
    text = capsys.readouterr().out
    assert "--- system prompt" in text and "--- tools" in text and "--- message (user)" in text
    assert 'STRIPE = "[REDACTED:stripe-key]"' in text and "; not sent" in text
    assert main(["suggest", "--dry-run", str(path)]) == 2


def test_nothing_secret_is_logged(
    standin: StandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _workspace(tmp_path)
    text = path.read_text()
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    schema = cache.schema()
    lines = text.splitlines()
    context = build_context(
        str(path), text, Span(Position(0, 0), Position(len(lines) - 1, 0)), "validation", schema
    )
    agent = load_agent(bundled_agent_path())
    caplog.set_level(logging.DEBUG)  # the SDK and httpx log requests at debug level
    asyncio.run(call_agent(AgentCall(agent, agent.model_id(), context), schema, [str(tmp_path)]))
    assert standin.requests and caplog.records
    assert _leaks(caplog.text) == [] and KEY not in caplog.text


def test_placeholders_keep_the_code_and_edits_touching_them_are_dropped(
    standin: StandIn, tmp_path: Path
) -> None:
    stripe, _ = FORMATS["stripe-live-key"]
    text = (
        "import stripe\n\n\ndef charge(amount):\n"
        f'    stripe.api_key = "{stripe}"\n'
        "    return stripe.Charge.create(amount=amount)\n"
    )
    path = tmp_path / "pay.py"
    path.write_text(text)
    standin.answer = lambda body: {
        "summary": "x",
        "suggestions": [
            {
                "kind": "validation",
                "title": "Move the key",
                "rationale": "r",
                "edits": [
                    {
                        "find": 'stripe.api_key = "[REDACTED:stripe-key]"',
                        "replace": 'stripe.api_key = os.environ["STRIPE_KEY"]',
                    }
                ],
            },
            {
                "kind": "validation",
                "title": "Check the amount",
                "rationale": "r",
                "edits": [
                    {
                        "find": "    return stripe.Charge.create(amount=amount)",
                        "replace": "    if amount <= 0:\n        raise ValueError(amount)\n"
                        "    return stripe.Charge.create(amount=amount)",
                    }
                ],
            },
        ],
    }
    context = build_context(
        str(path), text, Span(Position(3, 0), Position(5, 0)), "validation", SchemaCache().schema()
    )
    assert 'stripe.api_key = "[REDACTED:stripe-key]"' in context.prompt()
    assert context.describe().endswith("(1 secret redacted (stripe-key))")
    agent = load_agent(bundled_agent_path())
    call = AgentCall(agent, agent.model_id(), context)
    answer = asyncio.run(call_agent(call, SchemaCache().schema(), [str(tmp_path)]))
    assert [s.title for s in answer.suggestions] == ["Check the amount"]
    [dropped] = answer.dropped
    assert "Move the key" in dropped and "redacted" in dropped
    [edit] = answer.suggestions[0].edits
    assert edit.span.start == Position(5, 0)  # mapped back past the placeholder


def test_redaction_maps_back_around_placeholders_of_any_length() -> None:
    jwt, line = FORMATS["jwt"]
    text = f"a = 1\n{line}\nb = 2\n"
    red = redact(text)
    assert jwt not in red.text and "[REDACTED:jwt]" in red.text
    start = red.text.index("b = 2")
    mapped = red.to_original(start, start + 5)
    assert mapped is not None and text[mapped[0] : mapped[1]] == "b = 2"
    mark = red.text.index("[REDACTED")
    assert red.to_original(mark, mark + 3) is None


def test_the_system_prompt_of_a_workspace_agent_is_redacted_too(tmp_path: Path) -> None:
    token, _ = FORMATS["github-token"]
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    body = Path(bundled_agent_path()).read_text()
    (agents / "backend-developer.md").write_text(body + f"\nUse the token {token} for the API.\n")
    agent = load_agent(str(agents / "backend-developer.md"))
    context = build_context(
        "x.py", "x = 1\n", Span.point(0, 0), "validation", SchemaCache().schema()
    )
    system = AgentCall(agent, agent.model_id(), context).request()["system"][0]["text"]
    assert token not in system and "[REDACTED:github-token]" in system


def test_user_patterns_are_stripped_and_bad_ones_reported() -> None:
    text = 'TENANT = "acme-prod-tenant-0042"\nREGION = "eu-west-1"\n'
    assert "acme-prod" in redact(text).text  # words and a number: nothing to find
    red = redact(text, "app.py", (r"acme-prod-tenant-\d+",))
    assert "acme-prod" not in red.text and "[REDACTED:user-pattern]" in red.text
    assert 'REGION = "eu-west-1"' in red.text
    # a group, when there is one, is the secret: the name around it stays
    red = redact("TENANT=acme-prod-tenant-0042\n", "", (r"TENANT=(\S+)",))
    assert red.text == "TENANT=[REDACTED:user-pattern]\n"
    settings = parse_settings({"secretPatterns": ["ok_[0-9]+", "bad(["]})
    assert settings.secret_patterns == ("ok_[0-9]+",)
    assert "secretPatterns" in settings.problems[0] and "bad([" in settings.problems[0]


def test_ordinary_backend_code_loses_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """The examples hold no secret: no placeholder may appear in what they would send (false
    positives cost the agent the code it is asked about)."""
    assert main(["suggest", "--agent", "--dry-run", "--format", "json", "examples/backend"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown and all(item["redacted"] == {} for item in shown), [
        (item["path"], item["redacted"]) for item in shown if item["redacted"]
    ]


@pytest.mark.parametrize(
    "word",
    [
        "migration_0002_add_orders_index",
        "customer_orders_by_date_2024",
        "550e8400-e29b-41d4-a716-446655440000",
        "test_create_order_returns_201",
        "TestCreateOrderReturns201Created",
        "12345678901234567890123",
    ],
)
def test_identifiers_and_ids_do_not_look_random(word: str) -> None:
    assert not looks_random(word)
    assert find_secrets(f"{word} = 1\n") == []


def test_secret_files_by_name_and_folder() -> None:
    for path in (".env", "app/.env.local", "k/server.pem", "x.key", "home/id_rsa", "secrets/a.py"):
        assert is_secret_file(path), path
    for path in ("app/env.py", "keys.py", "identity.py", "app/secret_santa/../views.py"):
        assert not is_secret_file(path), path


def test_gitignore_negation_and_nested_files(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("local/\n*.generated.py\n!keep.generated.py\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / ".gitignore").write_text("scratch.py\n")
    rules = Exclusions([str(tmp_path)])
    assert rules.excluded(str(tmp_path / "local" / "deep" / "a.py")) == "git ignores it"
    assert rules.excluded(str(tmp_path / "x.generated.py")) == "git ignores it"
    assert rules.excluded(str(tmp_path / "keep.generated.py")) is None
    assert rules.excluded(str(tmp_path / "pkg" / "scratch.py")) == "git ignores it"
    assert rules.excluded(str(tmp_path / "scratch.py")) is None
    assert rules.excluded(str(tmp_path / "app.py")) is None


def test_table_definitions_from_excluded_files_are_withheld(tmp_path: Path) -> None:
    token, _ = FORMATS["gitlab-token"]
    (tmp_path / ".gitignore").write_text("local_models.py\n")
    (tmp_path / "local_models.py").write_text(
        "from sqlalchemy import Column, Integer, String\n"
        "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n"
        "class Invoice(Base):\n"
        '    __tablename__ = "invoices"\n'
        "    id = Column(Integer, primary_key=True)\n"
        f'    note = Column(String, default="{token}")\n'
    )
    code = "def list_invoices(db):\n    return db.query(Invoice).filter_by(id=1).all()\n"
    (tmp_path / "views.py").write_text(code)
    cache = SchemaCache()
    cache.scan([str(tmp_path)])
    schema = cache.schema()
    assert "invoices" in schema.tables
    scope = Span(Position(0, 0), Position(1, 0))
    shown = build_context(str(tmp_path / "views.py"), code, scope, "index", schema)
    assert "class Invoice" in shown.schema  # without exclusions, as before
    context = build_context(
        str(tmp_path / "views.py"), code, scope, "index", schema,
        exclusions=Exclusions([str(tmp_path)]),
    )  # fmt: skip
    assert context.schema == "" and context.withheld == 1
    assert token not in context.prompt()


def test_the_catalogue_loads_on_the_first_agent_call_only(tmp_path: Path) -> None:
    """Offline suggestions (what a keystroke runs) and the server's start do not import
    detect-secrets; building the agent's context does."""
    code = (
        "import sys\n"
        "import subagent_lsp.lsp.server\n"
        "from subagent_lsp.cli.suggest import collect\n"
        f"collect([{str(REPO / 'examples' / 'backend')!r}])\n"
        "print('BEFORE', 'detect_secrets' in sys.modules)\n"
        "from subagent_lsp.definitions.findings import Span\n"
        "from subagent_lsp.review.context import build_context\n"
        "from subagent_lsp.review.offline.schema import Schema\n"
        "build_context('a.py', 'x = 1\\n', Span.point(0, 0), 'validation', Schema())\n"
        "print('AFTER', 'detect_secrets' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert proc.stdout.split() == ["BEFORE", "False", "AFTER", "True"], proc.stderr
