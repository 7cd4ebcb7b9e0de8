"""BKD202 for an app whose every route turns a malformed MongoDB id into a 500: one handler for
bson's ``InvalidId`` on the app, not a ``try`` in each route. A real FastAPI + pymongo app had
41 routes whose path or body ids reach ``ObjectId()`` through its services and repositories;
41 copies of the same guard are noise to a reviewer, where one handler next to the app's others
answers them all, and the routes the app adds later too.

From three routes on, when the project makes one FastAPI app (app_handlers): the handler
answers 400 in the shape of the app's other handlers. 400 and not 404 for a path's id: the
handler cannot tell a path's id from a body's field, and text that is no id at all is a
malformed request either way; not 422 either, which FastAPI keeps for its own validation's
detail list. One or two routes keep their own guard (object_ids).
"""

from __future__ import annotations

import os

from ...definitions.findings import Position, Span
from ..suggestion import Suggestion
from .app_handlers import AppSite, handler_edits, project_app_site
from .frameworks import ModuleFacts

MIN_ROUTES = 3


def object_id_site(facts: ModuleFacts, routes: tuple[tuple[str, str], ...]) -> AppSite | None:
    """Where the one handler goes, when the app takes it instead of the routes."""
    if len(routes) < MIN_ROUTES:
        return None
    site = project_app_site(facts)
    return site if site is not None and site.framework == "fastapi" else None


def object_id_handler_suggestions(
    facts: ModuleFacts, routes: tuple[tuple[str, str], ...]
) -> list[Suggestion]:
    site = object_id_site(facts, routes)
    if site is None or os.path.abspath(site.source.path) != os.path.abspath(facts.source.path):
        return []
    name = "invalid_id_handler"
    if any(f.name == name for f in site.source.functions()):
        return []
    src = site.source
    edits = handler_edits(site, "InvalidId", "bson.errors", name, "400", '"Malformed id"')
    shown = ", ".join(
        f"`{func}` ({os.path.relpath(path, os.path.dirname(src.path))})"
        for path, func in routes[:3]
    )
    more = f" and {len(routes) - 3} more" if len(routes) > 3 else ""
    line = site.line - 1
    return [
        Suggestion(
            "BKD202",
            "validation",
            src.path,
            Span(Position(line, 0), Position(line, len(src.lines[line]))),
            f"Answer a malformed id once for the app: {len(routes)} routes turn it into a 500",
            f"{len(routes)} routes ({shown}{more}) hand an id the client sends as text to "
            "`ObjectId()`, which raises bson's InvalidId (a 500) on one that is not a 24-digit "
            "hex id. One handler on the app answers them all, and the routes added later: 400, "
            "as it cannot tell a path's id from a body's field (a 404 would need each route's "
            "own guard), in the shape of the app's other answers.",
            tuple(edits),
        )
    ]
