"""The offline engine on Node (Express + Prisma) and Go (net/http + database/sql) code: every
planted defect on its line, clean twins silent, each edit applied leaves a file that still
parses and no longer triggers its suggestion, and the Node/Go examples of the rules run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from subagent_lsp.registry import Example
from subagent_lsp.review.offline.engine import analyze, is_backend_file
from subagent_lsp.review.offline.schema import SchemaCache
from subagent_lsp.review.offline.treesitter import parse
from subagent_lsp.review.rules import BACKEND_RULES
from subagent_lsp.review.rules_node_go import NODE_GO_EXAMPLES
from subagent_lsp.review.suggestion import Suggestion

from ..conftest import REPO
from .applied import apply_suggestion

EXAMPLES = REPO / "examples" / "backend"
PLANTED = {
    ("express_prisma/server.ts", 10, "BKD309"),  # async handler, Express 4, no next(err)
    ("express_prisma/server.ts", 10, "BKD101"),  # where userId orderBy createdAt: no @@index
    ("express_prisma/server.ts", 19, "BKD304"),  # findUnique result used without a 404
    ("express_prisma/server.ts", 28, "BKD201"),  # req.body destructured unvalidated (zod)
    ("express_prisma/server.ts", 38, "BKD202"),  # parseInt without radix or NaN check
    ("express_prisma/server.ts", 47, "BKD305"),  # JSON.parse of input outside a try
    ("express_prisma/server.ts", 53, "BKD301"),  # axios.get without a timeout
    ("go_orders/handlers.go", 21, "BKD301"),  # &http.Client{} without Timeout
    ("go_orders/handlers.go", 24, "BKD202"),  # strconv.Atoi error dropped
    ("go_orders/handlers.go", 25, "BKD307"),  # rows never closed, rows.Err unchecked
    ("go_orders/handlers.go", 25, "BKD101"),  # member_id = $1 ORDER BY created_at
    ("go_orders/handlers.go", 44, "BKD304"),  # QueryRow.Scan: ErrNoRows answered 500
    ("go_orders/handlers.go", 54, "BKD206"),  # Decode without MaxBytesReader
    ("go_orders/handlers.go", 54, "BKD305"),  # Decode error dropped
    ("go_orders/handlers.go", 55, "BKD303"),  # Begin without Rollback
    ("go_orders/handlers.go", 72, "BKD301"),  # http.Get: DefaultClient, no timeout
}
PLANTED_FILES = sorted({p[0] for p in PLANTED})
CLEAN = ["express_prisma/server_clean.ts", "go_orders/clean/handlers.go"]


def _suggest(root: Path, rel: str) -> list[Suggestion]:
    cache = SchemaCache()
    cache.scan([str(root)])
    path = root / rel
    return analyze(str(path), path.read_text(encoding="utf-8"), cache.schema())


def test_every_planted_defect_on_its_line_and_nothing_else() -> None:
    found = {
        (rel, s.span.start.line + 1, s.code)
        for rel in [*PLANTED_FILES, *CLEAN]
        for s in _suggest(EXAMPLES, rel)
    }
    assert found == PLANTED


@pytest.mark.parametrize("rel", CLEAN)
def test_clean_twins_get_nothing(rel: str) -> None:
    assert _suggest(EXAMPLES, rel) == []


def _still_parses(path: str, text: str) -> None:
    tree = parse(path, text)
    if tree is not None:
        assert not tree.root.has_error, text


@pytest.mark.parametrize("rel", PLANTED_FILES)
def test_each_edit_applies_and_resolves_its_suggestion(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "backend"
    shutil.copytree(EXAMPLES / rel.split("/")[0], root / rel.split("/")[0])
    for planted in sorted(s.title for s in _suggest(root, rel)):
        target = next((s for s in _suggest(root, rel) if s.title == planted), None)
        assert target is not None, planted
        for path, text in apply_suggestion(target).items():
            _still_parses(path, text)
        assert planted not in {s.title for s in _suggest(root, rel)}, planted


def test_index_edits_go_where_the_table_is_declared() -> None:
    prisma = next(s for s in _suggest(EXAMPLES, "express_prisma/server.ts") if s.code == "BKD101")
    assert prisma.proven and "SEARCH Purchase USING INDEX" in prisma.rationale
    assert prisma.edits[0].path.endswith("schema.prisma")
    assert prisma.edits[0].new_text == "  @@index([userId, createdAt])\n"
    go = next(s for s in _suggest(EXAMPLES, "go_orders/handlers.go") if s.code == "BKD101")
    assert go.edits[0].path.endswith("001_init.sql")
    assert go.edits[0].new_text.startswith("CREATE INDEX ix_invoices_member_id_created_at")


EXAMPLE_CASES = [
    (code, i, ex) for code, exs in NODE_GO_EXAMPLES.items() for i, ex in enumerate(exs)
]


@pytest.mark.parametrize(("code", "index", "example"), EXAMPLE_CASES, ids=lambda v: str(v)[:40])
def test_node_go_examples_trigger_and_their_edit_removes(
    code: str, index: int, example: Example, tmp_path: Path
) -> None:
    assert code in BACKEND_RULES
    for rel, text in {**example.files, example.path: example.text}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    main = tmp_path / example.path

    def suggestions() -> list[Suggestion]:
        cache = SchemaCache()
        cache.scan([str(tmp_path)])
        found = analyze(str(main), main.read_text(encoding="utf-8"), cache.schema())
        return [s for s in found if s.code == code]

    found = suggestions()
    assert found, f"{code}'s example #{index} does not trigger it"
    for path, text in apply_suggestion(found[0]).items():
        _still_parses(path, text)
    assert len(suggestions()) < len(found)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "app.get('/x', async (req, res) => { await",  # half typed
        "\ufeffconst a = 1;\r\nfunction h(req, res) { res.json(req.body.a) }\r\n",
        "package main\nfunc h(w http.ResponseWriter, r *http.Request) { x, _ := strconv.Atoi(",
        "\x00\x01\x02 binary \xff",
        "const s = '😀'; app.post('/e', (req, res) => { const n = parseInt(req.query.n); "
        "res.json(n) });",
    ],
)
@pytest.mark.parametrize("name", ["a.ts", "a.js", "a.go", "a.tsx"])
def test_bad_input_never_crashes(text: str, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    for suggestion in analyze(str(path), text):
        assert suggestion.span.start <= suggestion.span.end


def test_emoji_columns_are_code_points(tmp_path: Path) -> None:
    path = tmp_path / "a.js"
    text = (
        "const s = '😀'; app.post('/e', (req, res) => { const n = parseInt(req.query.n); "
        "res.json(n) });\n"
    )
    path.write_text(text, encoding="utf-8")
    (found,) = [s for s in analyze(str(path), text) if s.code == "BKD202"]
    assert text[found.span.start.column :].startswith("parseInt(")


def test_backend_files_and_skipped_ones(tmp_path: Path) -> None:
    assert all(is_backend_file(p) for p in ("a.ts", "b.js", "c.go", "d.tsx", "e.mjs"))
    assert not is_backend_file("types.d.ts") and not is_backend_file("README.md")
    (tmp_path / "package.json").write_text("{}", encoding="utf-8")
    text = "app.post('/e', (req, res) => { const n = parseInt(req.query.n); res.json(n) });\n"
    for rel in ("orders.test.ts", "__tests__/a.ts", "node_modules/x/index.js"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        assert analyze(str(path), text) == []


def test_a_line_comment_silences_a_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from subagent_lsp.cli import main

    code = 'export async function rates() {{\n  return fetch("https://rates.example.com");{}\n}}\n'
    path = tmp_path / "rates.ts"
    path.write_text(code.format(""), encoding="utf-8")
    main(["suggest", str(path)])
    assert "rates.ts:2:10: BKD301" in capsys.readouterr().out
    path.write_text(code.format("  // subagent-lsp: ignore BKD301"), encoding="utf-8")
    main(["suggest", str(path)])
    assert "BKD301" not in capsys.readouterr().out
