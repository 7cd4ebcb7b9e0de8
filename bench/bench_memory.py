"""Resident memory of `subagent-lsp serve` with 1,000 agent files indexed and no backend file open.

Run: ``.venv/bin/python bench/bench_memory.py``. A pull client asks for workspace diagnostics
until all files are reported, then the server's VmRSS is read from /proc.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pytest_lsp import client_capabilities

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus

SERVER = [sys.executable, "-m", "subagent_lsp", "serve"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(count: int) -> None:
    root = make_corpus(Path(tempfile.mkdtemp()) / "ws", count)
    client = LanguageClient("bench", "0")

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def configuration(params: types.ConfigurationParams) -> list[None]:
        return [None for _ in params.items]

    await client.start_io(*SERVER)
    assert client._server is not None
    pid = client._server.pid
    idle = rss_mb(pid)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            workspace_folders=[types.WorkspaceFolder(root.as_uri(), "ws")],
        )
    )
    client.initialized(types.InitializedParams())
    start = time.perf_counter()
    reported = 0
    while reported < count and time.perf_counter() - start < 120:
        await asyncio.sleep(0.1)
        report = await client.workspace_diagnostic_async(
            types.WorkspaceDiagnosticParams(previous_result_ids=[])
        )
        reported = len(report.items)
    elapsed = time.perf_counter() - start
    print(f"indexed {reported} agent files in {elapsed:.2f} s (polled every 0.1 s)")
    print(
        f"RSS before initialize {idle:.1f} MB; with {reported} files indexed {rss_mb(pid):.1f} MB"
    )
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
