"""Every suggestion of a file applied together (review/offline/compose.py, ``suggest --diff``
and ``--fix``): each computed on the text the earlier ones left, so edits that each rewrite
the same import, or each add a ``class Meta:``, land once."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from subagent_lsp.cli import main
from subagent_lsp.definitions.findings import Position, Span
from subagent_lsp.review.offline import compose as compose_module
from subagent_lsp.review.offline.compose import compose
from subagent_lsp.review.project import Projects
from subagent_lsp.review.suggestion import Edit, Suggestion

FIXTURES = Path(__file__).parent / "compose_fixtures"


def _copy(name: str, to: Path) -> Path:
    root = to / name
    shutil.copytree(FIXTURES / name, root)
    return root


def _composed(root: Path, kinds: list[str] | None = None, not_sources: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    projects = Projects(not_sources=not_sources) if not_sources else Projects()
    projects.scan([str(root)])
    files = sorted(str(p) for p in root.rglob("*.py"))
    return compose(projects, files, kinds)


def test_get_object_or_404_lookups_share_one_import(tmp_path: Path) -> None:
    root = _copy("django_shop", tmp_path)
    result = _composed(root, ["error-handling"])
    assert [s.code for s in result.applied] == ["BKD304"] * 4 and not result.skipped
    views = result.changed()[str(root / "shop" / "views.py")]
    ast.parse(views)
    assert views.count("from django.shortcuts import get_object_or_404, redirect, render\n") == 1
    assert "from django.shortcuts" not in views.replace(
        "from django.shortcuts import get_object_or_404, redirect, render\n", ""
    )
    for model in ("Article", "Article", "Article", "Order"):
        assert f"get_object_or_404({model}, pk=pk)" in views
    assert views.count("get_object_or_404(") == 4 and ".objects.get(" not in views


def test_indexes_of_one_model_join_one_meta(tmp_path: Path) -> None:
    root = _copy("django_shop", tmp_path)
    result = _composed(root, ["index"])
    assert len(result.applied) == 4 and not result.skipped
    models = result.changed()[str(root / "shop" / "models.py")]
    tree = ast.parse(models)
    order = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Order")
    metas = [n for n in order.body if isinstance(n, ast.ClassDef) and n.name == "Meta"]
    assert len(metas) == 1
    for name in ("ix_order_state_placed", "ix_order_number_placed"):
        assert models.count(f'name="{name}"') == 1
        assert name in ast.unparse(metas[0])
    assert models.count("class Meta:") == 1  # Order's; a one-column index is db_index=True
    assert "email = models.CharField(max_length=200, db_index=True)" in models
    # One index per line, as ruff writes a list that does not fit on one: the composed file
    # is already formatted.
    assert all(line.count("models.Index(") <= 1 for line in models.splitlines())
    written = tmp_path / "composed_models.py"
    written.write_text(models, encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")
    check = subprocess.run(
        [str(ruff), "format", "--check", "--isolated", str(written)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_sqlalchemy_import_and_table_args_land_once(tmp_path: Path) -> None:
    root = _copy("sqlalchemy_ledger", tmp_path)
    result = _composed(root)
    assert not result.skipped
    changed = result.changed()
    service = changed[str(root / "ledger" / "service.py")]
    models = changed[str(root / "ledger" / "models.py")]
    ast.parse(service)
    ast.parse(models)
    assert service.count("from sqlalchemy.exc import SQLAlchemyError\n") == 1
    assert service.count("except SQLAlchemyError:") == 2
    assert models.count("__table_args__") == 1
    assert models.count('Index("ix_entries_kind_booked"') == 1
    assert models.count('Index("ix_entries_memo_booked"') == 1
    assert models.count("import Column, DateTime, Index, Integer, String\n") == 1


def test_defaults_without_config_and_with_empty_not_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy("sqlalchemy_ledger", tmp_path)
    projects = Projects(not_sources=[])
    projects.scan([str(root)])
    result = compose(projects, [str(root / "ledger" / "service.py")])
    assert len(result.applied) >= 4 and not result.skipped
    monkeypatch.chdir(root)
    assert main(["suggest", "--diff", "."]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("diff --git a/ledger/models.py b/ledger/models.py\n")
    assert "0 skipped; would change 2 files." in captured.err


def _patch(patch_text: str, where: Path) -> None:
    if shutil.which("patch"):
        subprocess.run(["patch", "-p1", "-s"], input=patch_text, text=True, cwd=where, check=True)
    else:
        subprocess.run(["git", "apply", "-"], input=patch_text, text=True, cwd=where, check=True)


@pytest.mark.parametrize("name", ["django_shop", "sqlalchemy_ledger"])
def test_cli_diff_applies_and_fix_writes_the_same(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    diffed = _copy(name, tmp_path / "diffed")
    patched = _copy(name, tmp_path / "patched")
    fixed = _copy(name, tmp_path / "fixed")
    monkeypatch.chdir(diffed)
    assert main(["suggest", "--diff", "."]) == 0
    captured = capsys.readouterr()
    assert "applied" in captured.err and captured.out.startswith("diff --git a/")
    _patch(captured.out, patched)
    monkeypatch.chdir(fixed)
    assert main(["suggest", "--fix", "."]) == 0
    out = capsys.readouterr().out
    assert ": changed\n" in out and "applied" in out
    changed = 0
    for path in sorted(p.relative_to(patched) for p in patched.rglob("*.py")):
        after = (patched / path).read_bytes()
        assert (fixed / path).read_bytes() == after, path
        assert (diffed / path).read_bytes() == (
            FIXTURES / name / path
        ).read_bytes()  # --diff wrote nothing
        changed += after != (FIXTURES / name / path).read_bytes()
        ast.parse(after)
    assert changed == 2
    monkeypatch.chdir(fixed)
    assert main(["suggest", "--diff", "."]) == 0  # nothing left to apply
    assert capsys.readouterr().out == ""


def test_fix_keeps_crlf_and_bom(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy("sqlalchemy_ledger", tmp_path)
    service = root / "ledger" / "service.py"
    service.write_bytes(b"\xef\xbb\xbf" + service.read_bytes().replace(b"\n", b"\r\n"))
    models_before = (root / "ledger" / "models.py").read_bytes()
    monkeypatch.chdir(root)
    assert main(["suggest", "--fix", "--kind", "error-handling", "."]) == 0
    assert "ledger/service.py: changed" in capsys.readouterr().out
    data = service.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.count(b"\n") == data.count(b"\r\n") and b"except SQLAlchemyError:\r\n" in data
    assert (root / "ledger" / "models.py").read_bytes() == models_before  # only what changed


@pytest.mark.parametrize(
    "extra, word", [(["--diff", "--agent"], "--agent"), (["--fix", "--format", "json"], "json")]
)
def test_diff_and_fix_usage(
    extra: list[str], word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", *extra, str(FIXTURES / "sqlalchemy_ledger")]) == 2
    err = capsys.readouterr().err
    assert "does not combine with" in err and word in err


def test_an_edit_that_does_not_resolve_or_breaks_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "app.py"
    path.write_text("x = 1\ny = 2\n")

    def fake(file: str, text: str, *args: object, **kwargs: object) -> list[Suggestion]:
        lines = text.split("\n")
        at = lines.index("x = 1")  # a note above it leaves its cause: still found after
        found = [_suggestion(file, at, "stays", "# note\n", Span.point(at, 0))]
        if "y = 2" in lines:  # an edit that breaks the file
            found.append(_suggestion(file, lines.index("y = 2"), "breaks", "y = (\n"))
        return found

    monkeypatch.setattr(compose_module, "analyze", fake)
    result = compose(Projects(), [str(path)])
    assert not result.applied
    assert [(s.title, why.split(" as Python")[0]) for s, why in result.skipped] == [
        ("stays", "its edit did not make it go away"),
        ("breaks", "with the earlier edits it does not parse"),
    ]
    assert result.changed() == {}


def test_rounds_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "app.py"
    path.write_text("".join(f"v{i} = {i}\n" for i in range(5)))

    def fake(file: str, text: str, *args: object, **kwargs: object) -> list[Suggestion]:
        lines = text.splitlines()
        return [
            _suggestion(file, i, f"fix v{i}", f"v{i} = 0  # fixed\n")
            for i, line in enumerate(lines)
            if not line.endswith("# fixed")
        ]

    monkeypatch.setattr(compose_module, "analyze", fake)
    result = compose(Projects(), [str(path)], limit=3)
    assert len(result.applied) == 3
    assert [why for _, why in result.skipped] == ["not tried: more than 3 suggestions"] * 2


def _suggestion(
    path: str, line: int, title: str, text: str, where: Span | None = None
) -> Suggestion:
    span = Span(Position(line, 0), Position(line + 1, 0))
    edit = Edit(path, where or span, text)
    return Suggestion("BKD303", "error-handling", path, span, title, "why", (edit,))


def test_a_timeout_and_a_502_on_one_call_are_both_applied(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "rates"\ndependencies = ["flask", "requests"]\n'
    )
    (tmp_path / "app.py").write_text(
        "import requests\n"
        "from flask import Flask, jsonify\n\n"
        "app = Flask(__name__)\n\n\n"
        '@app.get("/rates")\n'
        "def rates():\n"
        '    reply = requests.get("https://rates.example.com/latest")\n'
        "    return jsonify(reply.json())\n"
    )
    result = _composed(tmp_path)
    # BKD301's timeout goes inside the call BKD302 wraps: the 502 is still the same suggestion
    assert sorted(s.code for s in result.applied) == ["BKD301", "BKD302"]
    assert not result.resolved and not result.skipped
    text = result.changed()[str(tmp_path / "app.py")]
    ast.parse(text)
    assert "timeout=10" in text and "502" in text
