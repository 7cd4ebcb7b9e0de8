"""didChange -> publishDiagnostics latency and initialize time, over stdio, against a floor.

Run: ``.venv/bin/python bench/bench_lsp.py [REPS]``. The floor is a do-nothing pygls server on the
same Python (bench/floor_server.py). Servers are measured interleaved, each repetition a fresh
pair of processes, so machine noise hits both alike.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "backend-developer.agent.md"
SERVERS = {
    "subagent-lsp": [sys.executable, "-m", "subagent_lsp", "serve"],
    "floor": [sys.executable, str(ROOT / "bench" / "floor_server.py")],
}
CHANGES = 30


async def one_run(cmd: list[str], uri: str, text: str) -> tuple[float, list[float]]:
    client = LanguageClient("bench", "0")
    got: asyncio.Queue[int | None] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        got.put_nowait(params.version)

    await client.start_io(*cmd)
    start = time.perf_counter()
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    init_ms = (time.perf_counter() - start) * 1000
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "markdown", 1, text))
    )
    while await got.get() != 1:
        pass
    latencies = []
    for version in range(2, CHANGES + 2):
        letter = "ab"[version % 2]
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(1, 6), types.Position(1, 7)), text=letter
        )
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uri, version=version), [change]
            )
        )
        while await got.get() != version:
            pass
        latencies.append((time.perf_counter() - start) * 1000)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return init_ms, latencies


def summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    q = statistics.quantiles(values, n=100)
    return (
        f"{label:28} p50 {statistics.median(values):7.2f} ms  p95 {q[94]:7.2f}  "
        f"min {values[0]:6.2f}  max {values[-1]:7.2f}  (n={len(values)})"
    )


async def main(reps: int) -> None:
    text = SEED.read_text(encoding="utf-8")
    uri = (ROOT / "examples" / "workspace" / ".claude" / "agents" / "bench.md").as_uri()
    init: dict[str, list[float]] = {k: [] for k in SERVERS}
    change: dict[str, list[float]] = {k: [] for k in SERVERS}
    for _ in range(reps):
        for name, cmd in SERVERS.items():
            i, lat = await one_run(cmd, uri, text)
            init[name].append(i)
            change[name].extend(lat[5:])  # the first changes warm caches
    for name in SERVERS:
        print(summary(f"{name} initialize", init[name]))
    for name in SERVERS:
        print(summary(f"{name} didChange->diagnostics", change[name]))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20))
