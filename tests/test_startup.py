"""`check` pays its start-up on every pre-commit run: what it imports for a plain file, and what it
loads only when the file or the configuration needs it. (How fast it is lives in bench/.)"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

CLEAN = """---
name: reviewer
description: Reviews code for bugs and style; use after every change to the code base.
tools: Read, Grep
model: sonnet
---
You review code.
"""
# A misspelt key and tool: "did you mean" needs the fuzzy matcher.
TYPO = CLEAN.replace("tools: Read, Grep", "tols: Read, Grpe")
# PyYAML loads only for frontmatter beyond flat one-line entries (definitions/yamlfast.py).
OPTIONAL = (
    "rapidfuzz",
    "pathspec",
    "difflib",
    "tomllib",
    "importlib.util",
    "shutil",
    "yaml",
    # the parser and grammars of the Node/Go review: loaded by the first such file only
    "tree_sitter",
    "tree_sitter_go",
    "tree_sitter_javascript",
    "tree_sitter_typescript",
)


# Standard modules a plain `check FILE` does without (each cost milliseconds of every run):
# argparse (a plain `check PATH...` is read by hand), dataclasses and typing (records.py),
# pathlib (os.path), json and datetime (loaded by the paths that need them).
STDLIB_AVOIDED = (
    "argparse", "dataclasses", "inspect", "typing", "pathlib", "json", "datetime", "gettext",
    "locale", "contextlib",
)  # fmt: skip


def _loaded(
    args: list[str], cwd: Path, watched: tuple[str, ...] = OPTIONAL
) -> tuple[list[str], str]:
    """Run ``subagent-lsp ARGS`` in a fresh interpreter; (``watched`` modules it loaded, stdout)."""
    code = (
        "import sys\nfrom subagent_lsp.cli import main\n"
        f"code = main({args!r})\n"
        f"optional = {watched!r}\n"
        "print('LOADED', sorted(m for m in optional if m in sys.modules))\n"
    )
    # Without coverage's start-up hook, which imports some of OPTIONAL itself.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    last = proc.stdout.splitlines()[-1]
    assert last.startswith("LOADED "), proc.stderr
    return ast.literal_eval(last.removeprefix("LOADED ")), proc.stdout


def _agent(root: Path, text: str, name: str = "reviewer") -> Path:
    path = root / ".claude" / "agents" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_check_of_a_clean_file_imports_nothing_optional(tmp_path: Path) -> None:
    path = _agent(tmp_path, CLEAN)
    loaded, out = _loaded(["check", str(path)], tmp_path)
    assert "All clear" in out
    assert loaded == []


def test_check_of_a_clean_file_avoids_the_costly_standard_modules(tmp_path: Path) -> None:
    # (A misspelling loads rapidfuzz, which imports typing: that case pays for it.)
    path = _agent(tmp_path, CLEAN)
    loaded, out = _loaded(["check", str(path)], tmp_path, STDLIB_AVOIDED)
    assert "All clear" in out
    assert loaded == []


def test_an_option_still_goes_through_argparse(tmp_path: Path) -> None:
    path = _agent(tmp_path, CLEAN)
    loaded, out = _loaded(["check", "--exit-zero", str(path)], tmp_path, ("argparse",))
    assert "All clear" in out
    assert loaded == ["argparse"]


@pytest.mark.parametrize(
    "argv",
    [["check"], ["check", "a.md"], ["check", "a.md", "dir/", "b c.md"], ["check", "check"]],
)
def test_a_plain_check_reads_as_argparse_reads_it(argv: list[str]) -> None:
    from subagent_lsp.cli import _parser, plain_check

    fast = plain_check(argv)
    assert fast is not None
    assert vars(fast) == vars(_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv", [["check", "-"], ["check", "--fix", "a.md"], ["check", "--", "-a.md"], ["rules"], []]
)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    from subagent_lsp.cli import plain_check

    assert plain_check(argv) is None


def test_fuzzy_matching_loads_only_for_a_misspelling(tmp_path: Path) -> None:
    path = _agent(tmp_path, TYPO)
    loaded, out = _loaded(["check", str(path)], tmp_path)
    assert "did you mean `tools`?" in out
    assert loaded == ["rapidfuzz"]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("gitignore", ["pathspec"]),
        ("exclude", ["pathspec", "tomllib"]),
        ("perPathIgnores", ["pathspec", "tomllib"]),
        ("globs", ["tomllib"]),  # plain globs are translated without pathspec
        ("glob range", ["pathspec", "tomllib"]),  # a range needs pathspec's full rules
    ],
)
def test_pathspec_loads_when_patterns_need_it(
    tmp_path: Path, setup: str, expected: list[str]
) -> None:
    _agent(tmp_path, CLEAN)
    config = {
        "exclude": 'exclude = ["drafts/"]',
        "perPathIgnores": 'perPathIgnores = { "legacy/**" = ["AGT020"] }',
        "globs": 'globs = { subagent = ["**/.claude/agents/*.md"] }',
        "glob range": 'globs = { subagent = ["**/.claude/agents/[a-z]*.md"] }',
    }
    if setup == "gitignore":
        (tmp_path / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    else:
        (tmp_path / "pyproject.toml").write_text(
            f"[tool.subagent-lsp]\n{config[setup]}\n", encoding="utf-8"
        )
    loaded, out = _loaded(["check", "."], tmp_path)
    assert "All clear: 1 Claude Code file checked." in out
    assert loaded == expected


def test_pyyaml_loads_for_frontmatter_beyond_flat_entries(tmp_path: Path) -> None:
    path = _agent(tmp_path, CLEAN.replace("tools: Read, Grep", "tools:\n  - Read\n  - Grep"))
    loaded, out = _loaded(["check", str(path)], tmp_path)
    assert "All clear" in out
    assert loaded == ["yaml"]


def test_a_full_model_id_reads_the_sdk_list_only_then(tmp_path: Path) -> None:
    # An alias (`sonnet`) is settled from our own table; an id is looked up in the SDK's list.
    path = _agent(tmp_path, CLEAN.replace("model: sonnet", "model: claude-sonnet-4-5"))
    loaded, _ = _loaded(["check", str(path)], tmp_path)
    assert loaded == ["importlib.util"]


def _gc_after(main_call: str, path: Path) -> tuple[bool, int]:
    code = (
        "import gc, sys\nfrom subagent_lsp import cli\n"
        f"sys.argv = ['subagent-lsp', 'check', {str(path)!r}]\n"
        f"{main_call}\n"
        "print(gc.isenabled(), gc.get_freeze_count())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    enabled, frozen = proc.stdout.split()[-2:]
    return enabled == "True", int(frozen)


def test_check_as_the_program_freezes_what_it_imported(tmp_path: Path) -> None:
    path = _agent(tmp_path, CLEAN)
    enabled, frozen = _gc_after("cli.main()", path)  # argv from the command line
    assert enabled and frozen > 1000
    # Called as a function (tests, other tools), main leaves the caller's GC alone.
    enabled, frozen = _gc_after("cli.main(sys.argv[1:])", path)
    assert enabled and frozen == 0


@pytest.mark.parametrize("columns", [None, "50", "132", "0", "wide"])
def test_help_width_is_shutils(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    import shutil

    from subagent_lsp.cli import _terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert _terminal_columns() == shutil.get_terminal_size().columns


def test_python_review_never_loads_tree_sitter(tmp_path: Path) -> None:
    """Suggestions for a Python file do not pay for the Node/Go grammars."""
    app = tmp_path / "app.py"
    app.write_text("import requests\n\ndef f():\n    return requests.get('https://x')\n")
    loaded, out = _loaded(["suggest", str(app)], tmp_path)
    assert "BKD301" in out
    assert not [m for m in loaded if m.startswith("tree_sitter")]


def _suggest_as_program(app: Path, program: bool) -> subprocess.CompletedProcess[str]:
    call = "cli.main()" if program else "cli.main(sys.argv[1:])"
    code = (
        "import atexit, sys\nfrom subagent_lsp import cli\n"
        "atexit.register(lambda: print('EXIT HANDLER RAN', flush=True))\n"
        f"sys.argv = ['subagent-lsp', 'suggest', {str(app)!r}]\n"
        f"code = {call}\nprint('RETURNED', code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_suggest_as_the_program_ends_without_teardown_but_runs_exit_handlers(
    tmp_path: Path,
) -> None:
    app = tmp_path / "app.py"
    app.write_text("import requests\n\ndef f():\n    return requests.get('https://x')\n")
    proc = _suggest_as_program(app, program=True)
    assert proc.returncode == 0, proc.stderr
    assert "BKD301" in proc.stdout and "EXIT HANDLER RAN" in proc.stdout
    assert "RETURNED" not in proc.stdout  # the process ended in main
    # Called as a function, main returns to its caller.
    proc = _suggest_as_program(app, program=False)
    assert "BKD301" in proc.stdout and "RETURNED 0" in proc.stdout
