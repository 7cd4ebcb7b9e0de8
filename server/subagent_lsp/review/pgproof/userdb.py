"""The user's own PostgreSQL (``--database-url`` or ``SUBAGENT_LSP_DATABASE_URL``), the Dexter
way: a read-only session, HypoPG's hypothetical indexes only (never a real CREATE INDEX), the
statistics as they are. The URL usually holds a password: it comes from the environment or the
command line, never from a settings file, and is never logged.
"""

from __future__ import annotations

import threading

from .cluster import NoPostgres
from .load import Loader
from .session import PgSession

DATABASE_URL = "SUBAGENT_LSP_DATABASE_URL"

_lock = threading.Lock()
_sessions: dict[str, PgSession] = {}


def user_session(url: str) -> PgSession:
    """A read-only session on the database at ``url``. Raises NoPostgres when it cannot be
    reached or has no HypoPG (a hypothetical index is the only kind it may get)."""
    import psycopg

    with _lock:
        session = _sessions.get(url)
        if session is not None and _alive(session):
            return session
        try:
            conn = psycopg.connect(
                url, autocommit=True, options="-c default_transaction_read_only=on"
            )
        except psycopg.Error as err:
            # from None: nothing of the URL (its password) rides along in a traceback
            raise NoPostgres(
                f"the configured database cannot be reached ({type(err).__name__})"
            ) from None
        row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'hypopg'").fetchone()
        if row is None:
            conn.close()
            raise NoPostgres(
                "the configured database has no HypoPG (CREATE EXTENSION hypopg): its indexes "
                "are proven on a throwaway cluster instead"
            )
        version = conn.execute("SHOW server_version").fetchone()
        session = PgSession(
            conn,
            Loader(conn),
            str(version[0]).split()[0] if version else "",
            hypopg=True,
            readonly=True,
        )
        _sessions[url] = session
        return session


def _alive(session: PgSession) -> bool:
    """The connection still answers (a server restart or a dropped database ends it)."""
    import psycopg

    try:
        with session.lock:
            session.conn.execute("SELECT 1")
    except psycopg.Error:
        session.conn.close()
        return False
    return True
