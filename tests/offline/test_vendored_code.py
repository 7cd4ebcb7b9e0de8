"""Vendored, minified and generated code is nobody's to edit: no suggestions there (a real
app's vendored pdf.min.js drew seven, every one judged noise), while the app's own script of
the same shape still gets its advice."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.cli.suggest import collect
from subagent_lsp.review.offline.minified import is_minified

_FETCH = (
    'const express = require("express");\nconst app = express();\n'
    'app.get("/x", (req, res) => {\n  fetch("http://x").then((r) => res.json(r.status));\n});\n'
)


def _codes(root: Path) -> list[tuple[str, str]]:
    return sorted(
        (Path(s.path).relative_to(root).as_posix(), s.code) for s in collect([str(root)], None)
    )


def test_vendored_minified_and_generated_files_get_nothing(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "app", "dependencies": {"express": "4"}}')
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "app.js").write_text(_FETCH)
    (tmp_path / "static" / "js" / "pdf.min.js").write_text(_FETCH)
    (tmp_path / "static" / "js" / "viewer.js").write_text(_FETCH.replace("\n", " ") * 120)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "lib.js").write_text(_FETCH)
    got = _codes(tmp_path)
    assert got, "the app's own script must still be reviewed"
    assert {path for path, _ in got} == {"static/js/app.js"}


def test_minified_is_told_by_line_shape() -> None:
    assert is_minified("a();" * 3_000)  # one 12,000-character line
    assert is_minified("\n".join(["x = 1;" * 400] * 5))  # every line 2,400 characters
    assert not is_minified(_FETCH)
    assert not is_minified("")
    # one long data line among short ones is hand-written code with a literal in it
    assert not is_minified("const table = '" + "a" * 3_000 + "';\n" + "f();\n" * 100)
