"""Lay out N real agent files (from ../shared/corpus, renamed) as several plugin-like projects.

Used by the memory and throughput benchmarks; agnix slows down superlinearly in one flat folder,
so the files are split across projects of at most ``per_project`` agents each.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def make_corpus(dest: Path, count: int = 1000, per_project: int = 100) -> Path:
    sources = sorted(p for p in CORPUS.rglob("*.md") if p.name != "README.md")
    if dest.exists():
        shutil.rmtree(dest)
    for i in range(count):
        src = sources[i % len(sources)]
        project = dest / f"project-{i // per_project:02d}"
        agents = project / ".claude" / "agents"
        agents.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        name = f"{src.stem}-{i}"
        text = re.sub(r"^name: .*$", f"name: {name}", text, count=1, flags=re.MULTILINE)
        (agents / f"{name}.md").write_text(text, encoding="utf-8")
    (dest / "manifest.json").write_text(json.dumps({"files": count}), encoding="utf-8")
    return dest


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/subagent-lsp-bench-corpus")
    print(make_corpus(target))
