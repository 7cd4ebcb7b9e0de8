"""A throwaway PostgreSQL cluster: ``initdb`` in a temporary folder, a Unix socket only (no TCP
port), durability off (its data is synthetic), stopped when the process exits.

The server binaries are the system's (Debian's ``postgresql-15``: ``pg_ctl`` on PATH or under
/usr/lib/postgresql/N/bin), not a wheel: the machine image already has them, the distribution
keeps them patched, and Debian's HypoPG package fits them. PostgreSQL refuses to run as root, so
as root the cluster runs as ``nobody`` (its folder is handed to that user).
"""

from __future__ import annotations

import atexit
import glob
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
UNPRIVILEGED = "nobody"
# Settings for a cluster whose data can be thrown away: nothing is made durable.
SERVER_OPTIONS = (
    "-c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    " -c max_connections=20 -c shared_buffers=64MB -c max_parallel_workers_per_gather=2"
)


class NoPostgres(RuntimeError):
    """No PostgreSQL can be had here (no binaries, or the cluster would not start)."""


BINDIR = "SUBAGENT_LSP_PG_BINDIR"  # where initdb and pg_ctl are, when not where we look


def find_bindir() -> str | None:
    """The folder with ``initdb`` and ``pg_ctl``: $SUBAGENT_LSP_PG_BINDIR when set, else PATH,
    then Debian's layout (newest)."""
    chosen = os.environ.get(BINDIR, "")
    if chosen:
        return chosen  # as given: when it holds no server, starting says so
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return os.path.dirname(os.path.realpath(on_path))
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_major, reverse=True):
        if os.access(os.path.join(folder, "initdb"), os.X_OK):
            return folder
    return None


def _major(folder: str) -> int:
    part = folder.split("/")[-2]
    return int(part) if part.isdigit() else 0


STEP_TIMEOUT = 60.0  # seconds for initdb, and for pg_ctl to see the server up (never a hang)
# A Unix socket's path has room for 107 bytes: a long TMPDIR would leave the server unreachable.
SOCKET_ROOM = 100


def _as_user() -> dict[str, Any]:
    """Popen's arguments that drop root (PostgreSQL will not run as root)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return {"user": UNPRIVILEGED}
    return {}


def _check_user() -> None:
    if not _as_user():
        return
    import pwd

    try:
        pwd.getpwnam(UNPRIVILEGED)
    except KeyError:
        raise NoPostgres(
            f"running as root and there is no user {UNPRIVILEGED!r} to run PostgreSQL as"
            " (it refuses to run as root)"
        ) from None


def _cluster_folder() -> str:
    """A new private folder for the cluster, short enough for its socket's path and, as root,
    one that the unprivileged user can reach (a TMPDIR private to root is not)."""
    for parent in (None, "/tmp"):
        folder = tempfile.mkdtemp(prefix="subagent-lsp-pg-", dir=parent)
        short = len(os.path.join(folder, ".s.PGSQL.5432")) <= SOCKET_ROOM
        if short and (not _as_user() or _reachable(os.path.dirname(folder))):
            return folder
        os.rmdir(folder)
    raise NoPostgres(
        "no temporary folder for the cluster: TMPDIR's path is too long for PostgreSQL's socket"
        f" or, as root, {UNPRIVILEGED} cannot enter it"
    )


def _reachable(folder: str) -> bool:
    """Every folder on the way can be entered by any user."""
    import stat

    while True:
        try:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
        parent = os.path.dirname(folder)
        if parent == folder:
            return True
        folder = parent


@dataclass
class Cluster:
    folder: str
    bindir: str
    port: int = 5432  # only names the socket file: there is no TCP listener
    version: str = ""

    @property
    def socket_dir(self) -> str:
        return self.folder

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def stop(self) -> None:
        data = os.path.join(self.folder, "data")
        if os.path.isdir(data):
            try:
                subprocess.run(
                    [
                        os.path.join(self.bindir, "pg_ctl"),
                        "-D",
                        data,
                        "-m",
                        "immediate",
                        "-s",
                        "stop",
                    ],
                    capture_output=True,
                    check=False,
                    timeout=30,
                    stdin=subprocess.DEVNULL,
                    **_as_user(),
                )
            except (OSError, subprocess.SubprocessError) as err:  # the watchdog still stops it
                log.info("pg_ctl stop: %s", err)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(bindir: str | None = None) -> Cluster:
    """A new cluster, running. Raises NoPostgres when none can be started."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise NoPostgres("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    _check_user()
    try:
        folder = _cluster_folder()
    except OSError as err:
        raise NoPostgres(f"no temporary folder for the cluster: {err}") from err
    user = _as_user()
    if user:
        try:
            shutil.chown(folder, user=UNPRIVILEGED)
        except (OSError, LookupError) as err:
            shutil.rmtree(folder, ignore_errors=True)
            raise NoPostgres(
                f"the cluster's folder cannot be given to {UNPRIVILEGED}: {err}"
            ) from err
    cluster = Cluster(folder, bindir)
    data = os.path.join(folder, "data")
    steps = [
        [
            os.path.join(bindir, "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        [
            os.path.join(bindir, "pg_ctl"),
            "-D",
            data,
            "-w",
            "-t",
            str(int(STEP_TIMEOUT)),
            "-s",
            "-l",
            os.path.join(folder, "server.log"),
            "-o",
            f"{SERVER_OPTIONS} -k {folder} -p {cluster.port}",
            "start",
        ],
    ]
    for step in steps:
        try:
            done = subprocess.run(
                step,
                capture_output=True,
                text=True,
                check=False,
                timeout=STEP_TIMEOUT + 10,
                stdin=subprocess.DEVNULL,  # never the LSP's stdin
                **user,
            )
        except (OSError, subprocess.SubprocessError) as err:
            cluster.stop()
            raise NoPostgres(f"{os.path.basename(step[0])} failed: {err}") from err
        if done.returncode != 0:
            cluster.stop()
            said = " ".join((done.stderr or done.stdout).split())[:300] or f"exit {done.returncode}"
            raise NoPostgres(f"{os.path.basename(step[0])} failed: {said}")
    try:
        with cluster.connect() as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except Exception as err:
        cluster.stop()
        raise NoPostgres(f"the new cluster does not answer: {err}") from err
    cluster.version = str(row[0]).split()[0] if row else ""
    _watch(cluster)
    return cluster


def _watch(cluster: Cluster) -> None:
    """A process killed outright runs no atexit: a detached shell stops the cluster and removes
    its folder once this process is gone, so no postgres outlives the server that started it."""
    data = os.path.join(cluster.folder, "data")
    pg_ctl = os.path.join(cluster.bindir, "pg_ctl")
    stop = f"{pg_ctl} -D '{data}' -m immediate -s stop"
    if _as_user():
        stop = f"runuser -u {UNPRIVILEGED} -- {stop}"
    script = (
        f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
        f"[ -d '{data}' ] && {stop} >/dev/null 2>&1; rm -rf '{cluster.folder}'"
    )
    try:
        subprocess.Popen(
            ["sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        log.info("no watchdog for the PostgreSQL cluster in %s", cluster.folder)


class ClusterHolder:
    """One cluster per process, started on first use (by whichever thread asks first, never
    the event loop: analyses run in worker threads) and stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cluster: Cluster | None = None
        self._failure: str | None = None

    def get(self) -> Cluster:
        with self._lock:
            if self._cluster is not None:
                return self._cluster
            if self._failure is not None:
                raise NoPostgres(self._failure)
            try:
                self._cluster = start_cluster()
            except NoPostgres as err:
                self._failure = str(err)
                # one line, once per process (the CLI's stderr, the server's log)
                log.warning(
                    "subagent-lsp: index proofs on SQLite, PostgreSQL did not start: %s", err
                )
                raise
            atexit.register(self.stop)
            return self._cluster

    def stop(self) -> None:
        with self._lock:
            if self._cluster is not None:
                self._cluster.stop()
                self._cluster = None


CLUSTERS = ClusterHolder()
