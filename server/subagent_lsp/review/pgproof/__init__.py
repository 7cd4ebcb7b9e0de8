"""Index proofs on PostgreSQL's own planner, for apps that run PostgreSQL.

detect.py says whether an app is one; cluster.py runs a throwaway local cluster (the system's
``initdb``/``pg_ctl``, as an unprivileged user when we are root); load.py applies the app's
schema and fills it with synthetic rows; probes.py turns a query into the SQL to EXPLAIN and the
index to try; proof.py compares the plans; prover.py is what the offline engine and the agent
path call. psycopg is imported only here, and only once an app is a PostgreSQL app.
"""

from __future__ import annotations

import os

SWITCH = "SUBAGENT_LSP_POSTGRES"  # "off": never use PostgreSQL (proofs stay on SQLite)


def proofs_off() -> bool:
    """The user turned proofs on PostgreSQL off: read before the prover's modules (the
    cluster, the loader, the probes, what they import) are, which then are not."""
    return os.environ.get(SWITCH, "").lower() in ("off", "0", "false", "no")
