"""When PostgreSQL cannot start: a clear one-line reason, SQLite proves instead, nothing hangs.
The failing servers here are real programs (scripts standing in for initdb/pg_ctl), run the
way the cluster runs the real ones."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from subagent_lsp.review.pgproof import cluster as cluster_mod
from subagent_lsp.review.pgproof.cluster import ClusterHolder, NoPostgres, start_cluster

from ..conftest import REPO


@pytest.fixture()
def tmp_path() -> Iterator[Path]:
    """A folder every user can enter: as root, the scripts run as nobody (pytest's own
    temporary folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="pgfail-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _bindir(tmp_path: Path, initdb: str, pg_ctl: str) -> str:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, body in (("initdb", initdb), ("pg_ctl", pg_ctl)):
        path = folder / name
        path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    folder.chmod(0o755)
    return str(folder)


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("subagent-lsp-pg-*")}


def test_initdb_failing_says_why_in_one_line(tmp_path: Path) -> None:
    before = _leftovers()
    bindir = _bindir(tmp_path, "echo 'initdb: error: cannot create directory' >&2\nexit 1", "")
    with pytest.raises(NoPostgres) as err:
        start_cluster(bindir)
    assert str(err.value) == "initdb failed: initdb: error: cannot create directory"
    assert _leftovers() <= before  # its folder is removed


def test_a_server_that_never_comes_up_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cluster_mod, "STEP_TIMEOUT", 1.0)
    bindir = _bindir(tmp_path, "exit 0", "sleep 30")
    started = time.monotonic()
    with pytest.raises(NoPostgres, match=r"pg_ctl failed: .*timed out"):
        start_cluster(bindir)
    assert time.monotonic() - started < 20


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs as root only")
def test_as_root_without_an_unprivileged_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_mod, "UNPRIVILEGED", "no-such-user-subagent-lsp")
    with pytest.raises(NoPostgres, match="no user 'no-such-user-subagent-lsp'"):
        start_cluster(shutil.which("pg_ctl") and os.path.dirname(shutil.which("pg_ctl") or ""))


def test_a_long_temporary_folder_is_not_used_for_the_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deep = tmp_path / ("d" * 90)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr("tempfile.tempdir", None)
    folder = cluster_mod._cluster_folder()
    try:
        assert folder.startswith("/tmp/subagent-lsp-pg-")
        assert len(os.path.join(folder, ".s.PGSQL.5432")) <= cluster_mod.SOCKET_ROOM
    finally:
        os.rmdir(folder)


def test_the_failure_is_remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_mod, "find_bindir", lambda: None)
    holder = ClusterHolder()
    for _ in range(2):  # the second ask answers at once, from memory
        with pytest.raises(NoPostgres, match="no PostgreSQL server binaries"):
            holder.get()


def test_the_cli_says_it_in_one_line_and_proves_on_sqlite(tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(REPO / "examples" / "postgres" / "activity_app", app)
    env = {k: v for k, v in os.environ.items() if k != "SUBAGENT_LSP_POSTGRES"}
    env[cluster_mod.BINDIR] = str(tmp_path / "nowhere")  # no PostgreSQL there
    env["PYTHONPATH"] = str(REPO / "server")
    done = subprocess.run(
        [sys.executable, "-m", "subagent_lsp", "suggest", "--kind", "index", str(app)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "subagent-lsp: index proofs on SQLite, PostgreSQL did not start: initdb failed:"
        f" [Errno 2] No such file or directory: '{tmp_path}/nowhere/initdb'"
    ]
    assert "(proven on SQLite)" in done.stdout and "PostgreSQL 15" not in done.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="runs as root only")
def test_as_root_a_private_temporary_folder_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    private = tempfile.mkdtemp(prefix="private-", dir="/tmp")  # 0700: nobody cannot enter
    monkeypatch.setenv("TMPDIR", private)
    monkeypatch.setattr("tempfile.tempdir", None)
    try:
        folder = cluster_mod._cluster_folder()
        os.rmdir(folder)
        assert os.path.dirname(folder) == "/tmp"
    finally:
        shutil.rmtree(private, ignore_errors=True)
