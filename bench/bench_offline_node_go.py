"""The offline engine on Node and Go: a 2,000-line TypeScript file and a 2,000-line Go file.

Run: ``.venv/bin/python bench/bench_offline_node_go.py``. Each file is its example's handlers
(examples/backend/express_prisma/server.ts, go_orders/handlers.go) repeated with new names
until it has 2,000 lines, checked against the example workspace's schema (Prisma models, SQL
migrations). Every timed run parses again (tree-sitter's cache is cleared), after one warm run
that loads the grammars; the grammars' first load is timed on its own, in a fresh interpreter.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bench_offline import report, timed

from subagent_lsp.review.offline.engine import analyze
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.offline.treesitter import parse

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "examples" / "backend"


def big_typescript(lines: int = 2000) -> str:
    text = (BACKEND / "express_prisma" / "server.ts").read_text()
    head, _, rest = text.partition("app.get(")
    body = "app.get(" + rest.rsplit("app.use(", 1)[0]
    out = [head]
    i = 0
    while sum(p.count("\n") for p in out) < lines:
        out.append(re.sub(r'"/([\w/:-]*)"', rf'"/v{i}/\1"', body))
        i += 1
    return "".join(out)


def big_go(lines: int = 2000) -> str:
    text = (BACKEND / "go_orders" / "handlers.go").read_text()
    head, _, body = text.partition("func (s *Server) listOrders")
    body = "func (s *Server) listOrders" + body
    out = [head]
    i = 0
    while sum(p.count("\n") for p in out) < lines:
        out.append(re.sub(r"func (\(s \*Server\) )?(\w+)\(", rf"func \g<1>\g<2>{i}(", body))
        i += 1
    return "".join(out)


def first_load_ms() -> float:
    code = (
        "import time; t = time.perf_counter()\n"
        "from subagent_lsp.review.offline.treesitter import parser_for\n"
        "parser_for('typescript'); parser_for('go')\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    cache = SchemaCache()
    cache.scan([str(BACKEND)])
    schema = cache.schema()
    for label, path, text in (
        ("TypeScript", BACKEND / "express_prisma" / "big_server.ts", big_typescript()),
        ("Go", BACKEND / "go_orders" / "big_handlers.go", big_go()),
    ):
        found = analyze(str(path), text, schema)  # warm: grammars, sqlglot, caches
        assert len(found) > 100, "the engine found nothing: the benchmark would measure nothing"
        print(f"{label}: {text.count(chr(10))} lines, {len(found)} suggestions")

        def once(p: str = str(path), t: str = text) -> None:
            parse.cache_clear()
            analyze(p, t, schema)

        report(f"suggestions for a 2,000-line {label} file", timed(once))
    print(f"first load of the TypeScript and Go grammars: {first_load_ms():.1f} ms")


if __name__ == "__main__":
    main()
