"""The offline engine's speed: a 2,000-line module, and one index proof on SQLite.

Run: ``.venv/bin/python bench/bench_offline.py``. The module is the Flask example's routes
repeated with new names until it has 2,000 lines (queries, request handling, HTTP calls), checked
against the example workspace's schema. Warm runs (sqlglot imported, caches filled), then 20 timed.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.indexes import propose, prove
from subagent_lsp.review.offline.queries import sql_file_queries
from subagent_lsp.review.offline.schema import SchemaCache

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "examples" / "backend"


def big_module(lines: int = 2000) -> str:
    app = (BACKEND / "flask_shop" / "app.py").read_text()
    head, _, body = app.partition('RATES_URL = "https://rates.example.com/latest"\n')
    out = [head, 'RATES_URL = "https://rates.example.com/latest"\n']
    i = 0
    while sum(part.count("\n") for part in out) < lines:
        renamed = re.sub(r"def (\w+)\(", rf"def \g<1>_{i}(", body)
        out.append(re.sub(r'"/([\w/<>:-]*)"', rf'"/v{i}/\1"', renamed))
        i += 1
    return "".join(out)


def timed(fn, runs: int = 20) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    s = sorted(samples)
    print(
        f"{label:38} median {statistics.median(s):7.2f} ms  min {s[0]:7.2f}  "
        f"max {s[-1]:7.2f}  (n={len(s)})"
    )


def main() -> None:
    cache = SchemaCache()
    cache.scan([str(BACKEND)])
    schema = cache.schema()
    module = big_module()
    path = str(BACKEND / "flask_shop" / "big_app.py")
    found = analyze(path, module, schema)  # warm: imports sqlglot, fills caches
    assert len(found) > 100, "the engine found nothing: the benchmark would measure nothing"
    print(f"module: {module.count(chr(10))} lines, {len(found)} suggestions")
    report("suggestions for a 2,000-line module", timed(lambda: analyze(path, module, schema)))
    reports = (BACKEND / "raw_sql" / "reports.sql").read_text()
    query = sql_file_queries(reports)[0]
    table = schema.tables[query.shape.table]
    cols = propose(query, table)
    assert cols is not None
    report("one index proof (SQLite, before+after)", timed(lambda: prove(query, table, cols), 200))


if __name__ == "__main__":
    main()
