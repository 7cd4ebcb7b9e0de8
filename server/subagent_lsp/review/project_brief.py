"""What the agent is told about the project beyond the code in scope (issue #15): the packages
it declares, who already answers errors and rolls sessions back, and the indexes the tables it
touches already have wherever they were written (a migration, another module). Without these
the agent proposes what the app already does, or an edit importing a package it lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .offline.schema import Schema, Table

if TYPE_CHECKING:
    from .project import Project

MAX_PACKAGES = 60


def project_brief(project: Project | None, schema: Schema, tables: Iterable[Table]) -> list[str]:
    """One line per fact, for the prompt; empty when there is nothing to say."""
    lines: list[str] = []
    if project is not None:
        declared = project.declared_packages()
        if declared is None:
            lines.append(
                "Declared dependencies: the project has no manifest; only the packages this "
                "file already imports are known to be installed."
            )
        elif declared:
            names = sorted(declared)
            more = len(names) - MAX_PACKAGES
            listed = ", ".join(names[:MAX_PACKAGES]) + (f" and {more} more" if more > 0 else "")
            lines.append(f"Declared dependencies (import nothing else): {listed}.")
        handled = sorted(project.app_error_handlers())
        if handled:
            lines.append(
                "App-wide error handlers already answer: " + ", ".join(handled) + " (do not "
                "catch these again in a route unless the answer must differ)."
            )
    sessions = schema.sessions
    if sessions.flask_db:
        lines.append(
            "Sessions: the app's `db.session` comes from a Flask extension that removes it "
            "when the app context ends."
        )
    if sessions.rollback_handler:
        lines.append(
            "Sessions: an app-wide 500 handler or teardown already rolls back a failed transaction."
        )
    for table in tables:
        existing = [
            f"{name} ({', '.join(cols)})" if not name.endswith("(column)") else name
            for name, cols in table.all_indexes()
        ]
        if existing:
            lines.append(f"Indexes `{table.name}` already has: " + "; ".join(existing) + ".")
    return lines
