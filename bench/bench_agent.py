"""Our own overhead per "Ask backend-developer" call, against an instant stand-in Messages API,
and the tokens each call sends with and without the cached prefix.

Run: ``.venv/bin/python bench/bench_agent.py``. Starts the stand-in on 127.0.0.1 (nothing leaves
the machine), points the real anthropic SDK at it, and times ``call_agent`` end to end (context
building, request, parsing, mapping edits, proofs) for 30 calls after the first. The result cache
is cleared before each call so every call goes over HTTP. Token counts come from the stand-in's
count_tokens (an estimate: 3.5 characters per token) on the exact request.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.standin import StandIn  # noqa: E402

from subagent_lsp.definitions.findings import Position, Span  # noqa: E402
from subagent_lsp.review.agent import bundled_agent_path, load_agent  # noqa: E402
from subagent_lsp.review.anthropic_agent import _CACHE, AgentCall, call_agent  # noqa: E402
from subagent_lsp.review.context import build_context, estimate_tokens  # noqa: E402
from subagent_lsp.review.offline.schema import SchemaCache  # noqa: E402

BACKEND = ROOT / "examples" / "backend"


def main() -> None:
    standin = StandIn().start()
    os.environ["ANTHROPIC_BASE_URL"] = standin.url
    os.environ["ANTHROPIC_API_KEY"] = "sk-bench-not-a-real-key"
    standin.answer = lambda body: {
        "summary": "Roll back a failed commit.",
        "suggestions": [
            {
                "kind": "error-handling",
                "title": "Roll back",
                "rationale": "r",
                "edits": [
                    {
                        "find": "    db.session.commit()\n",
                        "replace": "    try:\n        db.session.commit()\n"
                        "    except Exception:\n        db.session.rollback()\n        raise\n",
                    }
                ],
            }
        ],
    }
    path = BACKEND / "flask_shop" / "app.py"
    text = path.read_text()
    lines = text.splitlines()
    start = lines.index("def create_order():") - 1
    cache = SchemaCache()
    cache.scan([str(BACKEND)])
    schema = cache.schema()
    agent = load_agent(bundled_agent_path())

    def once() -> float:
        _CACHE.clear()
        begin = time.perf_counter()
        context = build_context(
            str(path),
            text,
            Span(Position(start, 0), Position(start + 12, 0)),
            "error-handling",
            schema,
        )
        answer = asyncio.run(
            call_agent(AgentCall(agent, agent.model_id(), context), schema, [str(BACKEND)])
        )
        assert answer.suggestions
        return (time.perf_counter() - begin) * 1000

    first = once()
    samples = sorted(once() for _ in range(30))
    print(f"first call (imports the SDK): {first:.1f} ms")
    print(
        f"overhead per call after the first: median {statistics.median(samples):.1f} ms, "
        f"min {samples[0]:.1f}, max {samples[-1]:.1f} (n={len(samples)}, instant stand-in)"
    )
    body = standin.requests[-1]["body"]
    prefix = json.dumps(body["tools"]) + json.dumps(body["system"])
    rest = json.dumps(body["messages"])
    cached, uncached = estimate_tokens(prefix), estimate_tokens(rest)
    print(
        f"tokens per call: {cached + uncached} without caching; with the prefix cached, "
        f"{uncached} full-price + {cached} read from the cache (billed at 10%) "
        f"= {uncached + cached / 10:.0f} token-equivalents"
    )
    print(f"cached prefix (tools + system prompt): {cached} tokens (caching minimum: 1,024)")
    standin.stop()


if __name__ == "__main__":
    main()
