"""PostgreSQL for the index proofs' tests: the system's server binaries (`make postgres`
installs them where missing). Without them a test that needs one skips, saying so."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from subagent_lsp.review.pgproof.cluster import CLUSTERS, NoPostgres, find_bindir

from ..conftest import REPO

APP = REPO / "examples" / "postgres" / "activity_app"


def needs_postgres() -> None:
    if importlib.util.find_spec("psycopg") is None:
        pytest.skip("needs the psycopg driver (in the lock: `make` installs it)")
    if find_bindir() is None:
        pytest.skip("needs PostgreSQL server binaries (initdb, pg_ctl): run `make postgres`")
    try:
        CLUSTERS.get()
    except NoPostgres as err:
        pytest.skip(f"needs a PostgreSQL cluster, and none starts here: {err}")


@pytest.fixture()
def postgres() -> None:
    needs_postgres()


@pytest.fixture()
def activity_app(tmp_path: Path, postgres: None) -> Path:
    """A copy of the planted PostgreSQL app: its requirements.txt makes it a project root."""
    root = tmp_path / "activity_app"
    shutil.copytree(APP, root)
    return root
