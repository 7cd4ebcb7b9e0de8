"""In-process validation speed of a seed-sized agent file (parse + all checks).

Run: ``.venv/bin/python bench/bench_check.py`` (or ``make bench``). Prints the median and spread
of many timed repetitions; the bar is a median of at most 0.5 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from subagent_lsp.definitions.checks import check_document
from subagent_lsp.definitions.document import parse_document
from subagent_lsp.definitions.kinds import FileKind
from subagent_lsp.definitions.spec import Kind

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "backend-developer.agent.md"


def seed_texts() -> dict[str, str]:
    broken = SEED.read_text(encoding="utf-8")
    lines = broken.split("\n")
    # The seed with its description quoted: the same size, a valid file.
    value = lines[2].split(": ", 1)[1].replace("\\", "\\\\").replace('"', '\\"')
    lines[2] = f'description: "{value}"'
    return {"seed (YAML error)": broken, "seed (quoted, valid)": "\n".join(lines)}


AGENT = FileKind(Kind.SUBAGENT)
SETTINGS = ROOT / "tests" / "config_fixtures"
SETTINGS_PATH = "/ws/.claude/settings.json"


def settings_texts() -> dict[str, str]:
    """A project settings.json: the clean twin and the one with planted defects."""
    return {
        f"settings.json ({label})": (SETTINGS / folder / ".claude" / "settings.json").read_text(
            encoding="utf-8"
        )
        for label, folder in (("clean", "clean"), ("defects", "broken"))
    }


def measure(
    text: str,
    repeat: int = 2000,
    path: str = "/ws/.claude/agents/backend-developer.md",
    kind: FileKind = AGENT,
) -> list[float]:
    for _ in range(200):  # warm caches (model ids, tool index, regexes)
        check_document(parse_document(path, text), kind)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter_ns()
        check_document(parse_document(path, text), kind)
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return samples


def main() -> int:
    print(f"Python {sys.version.split()[0]}, {len(SEED.read_text())} characters per file")
    cases = [(label, text, {}) for label, text in seed_texts().items()]
    json_kind = {"path": SETTINGS_PATH, "kind": FileKind(Kind.SETTINGS)}
    cases += [(label, text, json_kind) for label, text in settings_texts().items()]
    for label, text, where in cases:
        s = sorted(measure(text, **where))  # type: ignore[arg-type]
        p = statistics.quantiles(s, n=100)
        print(
            f"{label:24} median {statistics.median(s):.3f} ms  p5 {p[4]:.3f}  p95 {p[94]:.3f}  "
            f"min {s[0]:.3f}  max {s[-1]:.3f}  (n={len(s)})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
