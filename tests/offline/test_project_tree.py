"""One walk for every project scan: what it skips and in which order it reads."""

from __future__ import annotations

from pathlib import Path

from subagent_lsp.review.offline.project_tree import files_under, folders


def _tree(root: Path, *paths: str) -> None:
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x = 1\n", encoding="utf-8")


def test_skips_hidden_installed_and_built_folders(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        "app/models.py",
        "app/b.py",
        ".venv/lib/x.py",
        "venv/lib/x.py",
        "env/x.py",
        "node_modules/p/x.py",
        "build/lib/app/models.py",
        "dist/app/models.py",
        "lib/site-packages/x.py",
        "app/__pycache__/x.py",
        ".git/hooks/x.py",
    )
    found = [Path(p).relative_to(tmp_path).as_posix() for p in files_under(str(tmp_path), (".py",))]
    assert found == ["app/b.py", "app/models.py"]


def test_depth_limits_the_folders_read(tmp_path: Path) -> None:
    _tree(tmp_path, "settings.py", "a/settings.py", "a/b/settings.py", "a/b/c/settings.py")
    seen = [Path(f).relative_to(tmp_path).as_posix() for f, _ in folders(str(tmp_path), depth=2)]
    assert seen == [".", "a", "a/b"]
    assert len(list(folders(str(tmp_path)))) == 4


def test_suffixes_filter_and_sorted_order(tmp_path: Path) -> None:
    _tree(tmp_path, "z.sql", "a.py", "m.txt", "sub/b.sql")
    found = [Path(p).name for p in files_under(str(tmp_path), (".py", ".sql"))]
    assert found == ["a.py", "z.sql", "b.sql"]
