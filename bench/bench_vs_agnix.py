"""`subagent-lsp check` against agnix on real agent files (1,000 by default), interleaved.

Run: ``.venv/bin/python bench/bench_vs_agnix.py [RUNS] [FILES]`` (an agnix on PATH is used, else
it is installed into the venv). The files are the shared corpus's agents, renamed and laid out
as projects of 100 (agnix slows down superlinearly on one flat folder, so both run on the split
layout). Each run is a fresh process; the two tools alternate so machine noise hits both alike.
Our processes get a bytecode cache as an installed package has (see bench_startup.py): without
one, every run would compile every module again. CPU time (user + system) is shown beside wall
time: on a busy machine it moves far less, and agnix spreads its work over every core.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import bytecode_env, timed_run
from make_corpus import make_corpus

BIN = Path(sys.executable).parent


def ensure_agnix() -> str:
    found = shutil.which("agnix", path=str(BIN)) or shutil.which("agnix")
    if found is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "agnix"], check=True)
        found = shutil.which("agnix", path=str(BIN))
    assert found is not None, "agnix could not be installed"
    return found


ENV = bytecode_env()


def main(runs: int, files: int) -> None:
    root = make_corpus(Path(tempfile.mkdtemp()) / "corpus", files)
    tools = {
        "subagent-lsp": [str(BIN / "subagent-lsp"), "check", str(root)],
        "agnix": [ensure_agnix(), str(root)],
    }
    for cmd in tools.values():  # warm the page cache and write the bytecode cache once
        timed_run(cmd, ENV)
    times: dict[str, list[float]] = {name: [] for name in tools}
    cpus: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            wall, cpu = timed_run(cmd, ENV)
            times[name].append(wall)
            cpus[name].append(cpu)
    for name, values in times.items():
        print(
            f"{name:10} median {statistics.median(values):.3f} s  min {min(values):.3f}  "
            f"max {max(values):.3f}  stdev {statistics.stdev(values):.3f}  (n={len(values)})  "
            f"CPU median {statistics.median(cpus[name]):.3f} s"
        )
    ratio = statistics.median(times["subagent-lsp"]) / statistics.median(times["agnix"])
    projects = -(-files // 100)
    print(
        f"subagent-lsp / agnix median wall time: {ratio:.2f}x "
        f"on {files} files in {projects} projects"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10,
        int(sys.argv[2]) if len(sys.argv) > 2 else 1000,
    )
