"""`subagent-lsp check` against agnix on 1,000 real agent files, interleaved.

Run: ``.venv/bin/python bench/bench_vs_agnix.py [RUNS] [FILES]`` (installs agnix into the venv
if missing). The files are the shared corpus's agents, renamed and laid out as 10 projects of
100 (agnix slows down superlinearly on one flat folder, so both run on the split layout). Each
run is a fresh process; the two tools alternate so machine noise hits both alike.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus

BIN = Path(sys.executable).parent


def ensure_agnix() -> str:
    found = shutil.which("agnix", path=str(BIN)) or shutil.which("agnix")
    if found is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "agnix"], check=True)
        found = shutil.which("agnix", path=str(BIN))
    assert found is not None, "agnix could not be installed"
    return found


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(runs: int, files: int) -> None:
    root = make_corpus(Path(tempfile.mkdtemp()) / "corpus", files)
    tools = {
        "subagent-lsp": [str(BIN / "subagent-lsp"), "check", str(root)],
        "agnix": [ensure_agnix(), str(root)],
    }
    for cmd in tools.values():  # warm the page cache once
        timed(cmd)
    times: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            times[name].append(timed(cmd))
    for name, values in times.items():
        print(
            f"{name:10} median {statistics.median(values):.3f} s  min {min(values):.3f}  "
            f"max {max(values):.3f}  stdev {statistics.stdev(values):.3f}  (n={len(values)})"
        )
    ratio = statistics.median(times["subagent-lsp"]) / statistics.median(times["agnix"])
    print(f"subagent-lsp / agnix median wall time: {ratio:.2f}x on {files} files in 10 projects")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
    )
