"""Start-up: the wall time of ``subagent-lsp check FILE`` in a fresh process, as pre-commit pays it.

Run: ``.venv/bin/python bench/bench_startup.py [RUNS] [--against DIR]``. Times, interleaved so
that machine noise hits every command alike, RUNS fresh processes each of:

- ``python -c pass``: the interpreter's own start-up, the floor nothing can go below;
- ``python -c "import re"``: the one costly standard module a clean check stands on (it needs no
  argparse, dataclasses, typing, pathlib, json or PyYAML: tests/test_startup.py keeps it so);
- ``subagent-lsp check`` on a clean agent file (the example workspace's code-reviewer);
- ``subagent-lsp check`` on a broken one (db-tuner: typos, so "did you mean" loads rapidfuzz).

With ``--against DIR`` (a ``server/`` folder of another checkout, e.g. the last release) the two
checks are timed with that package too, in the same rounds. Then, from ``-X importtime`` runs of
the clean check, the median import time per top-level package.

With ``--instructions``, each command also runs once under valgrind's callgrind and its count of
executed instructions is printed: a figure the machine's load does not move (valgrind must be
installed), to compare two versions on a busy machine.

Children get a private bytecode cache (``PYTHONPYCACHEPREFIX``) and may write to it, whatever
``PYTHONDONTWRITEBYTECODE`` says here: an installed package has its ``.pyc`` files, so
compiling every module on every run would measure something no user runs.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTS = ROOT / "examples" / "workspace" / ".claude" / "agents"
FILES = {"clean": AGENTS / "code-reviewer.md", "broken": AGENTS / "db-tuner.md"}
BIN = Path(sys.executable).parent
FLOOR = "re"


def bytecode_env(pythonpath: str | None = None) -> dict[str, str]:
    """The environment for timed children: bytecode cached, as for an installed package."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "subagent-lsp-bench-pyc")
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return env


def check_command() -> list[str]:
    """The console script when it is installed (what pre-commit runs), else ``python -m``."""
    script = BIN / "subagent-lsp"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "subagent_lsp"]


def timed_run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run. CPU time (user + system) hardly moves with the machine's
    load, so it tells a change apart on a busy machine where wall time cannot."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def instructions(cmd: list[str], env: dict[str, str]) -> int | None:
    """Instructions executed by one run (callgrind's total), or None without valgrind."""
    if shutil.which("valgrind") is None:
        return None
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    return int(found.group(1)) if found else None


def import_times(cmd: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    """Median self import time (ms) per top-level package over ``runs`` processes."""
    per_run: list[collections.Counter[str]] = []
    for _ in range(runs):
        proc = subprocess.run(
            cmd,
            env={**env, "PYTHONPROFILEIMPORTTIME": "1"},  # -X importtime, for a console script
            capture_output=True,
            text=True,
            check=False,
        )
        totals: collections.Counter[str] = collections.Counter()
        for line in proc.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _, name = line.removeprefix("import time:").split("|")
            totals[name.strip().split(".")[0]] += int(self_us)
        per_run.append(totals)
    names = {n for totals in per_run for n in totals}
    return {n: statistics.median(t[n] for t in per_run) / 1000 for n in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("runs", nargs="?", type=int, default=40)
    parser.add_argument("--against", metavar="DIR", help="also time the package found in DIR")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions (callgrind)"
    )
    args = parser.parse_args()
    env = bytecode_env()
    check = check_command()
    commands: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        f"import {FLOOR}": ([sys.executable, "-c", f"import {FLOOR}"], env),
    }
    variants = {"": env}
    if args.against:
        variants[" (against)"] = bytecode_env(str(Path(args.against).resolve()))
    for label, variant_env in variants.items():
        for name, path in FILES.items():
            commands[f"check {name}{label}"] = ([*check, "check", str(path)], variant_env)
    for cmd, cmd_env in commands.values():  # write the bytecode caches, warm the page cache
        timed_run(cmd, cmd_env)
        timed_run(cmd, cmd_env)
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (cmd, cmd_env) in commands.items():
            wall, cpu = timed_run(cmd, cmd_env)
            walls[name].append(wall * 1000)
            cpus[name].append(cpu * 1000)
    print(f"{' '.join(check)} check FILE, {args.runs} runs each, interleaved (ms):")
    for name, values in walls.items():
        q = statistics.quantiles(values, n=10)
        print(
            f"  {name:24} wall median {statistics.median(values):6.1f}  min {min(values):6.1f}  "
            f"p90 {q[-1]:6.1f}   CPU median {statistics.median(cpus[name]):6.1f}"
        )
    if args.instructions:
        print("instructions executed, one run each under callgrind (millions):")
        for name, (cmd, cmd_env) in commands.items():
            count = instructions(cmd, cmd_env)
            shown = "valgrind not found" if count is None else f"{count / 1e6:8.1f}"
            print(f"  {name:24} {shown}")
    imports = import_times([*check, "check", str(FILES["clean"])], env, 9)
    top = sorted(imports.items(), key=lambda item: -item[1])[:8]
    print(
        f"import time of the clean check, median of 9 (-X importtime, self times by package; "
        f"total {sum(imports.values()):.1f} ms):"
    )
    for name, ms in top:
        print(f"  {name:24} {ms:6.1f}")


if __name__ == "__main__":
    main()
