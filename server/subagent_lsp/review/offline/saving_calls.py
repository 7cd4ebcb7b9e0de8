"""The calls of a view that save something: what has already happened when a later line
answers an error (a mail that fails after the row is saved; a 400 returned after documents
were imported tells the client nothing was done)."""

from __future__ import annotations

import ast

from .pysource import dotted, own_nodes

_CREATES = ("create", "get_or_create", "update_or_create", "bulk_create", "update", "delete")
_SUPER_SAVES = ("create", "update", "partial_update", "destroy", "perform_create")
# a many-to-many manager's writes (``folder.documents.add(*documents)``)
_RELATED = ("add", "set", "remove", "clear")


def saving_calls(func: ast.AST) -> list[ast.Call]:
    """Calls in the function that save: a manager's create, a row's or form's ``save()``, a
    ``delete()``, a related manager's ``add()``, DRF's ``super().create(...)``, a session's
    ``commit()``."""
    out: list[ast.Call] = []
    for node in own_nodes(func):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        attr, receiver = node.func.attr, node.func.value
        name = dotted(receiver)
        if (
            attr == "save"
            or (attr in _CREATES and "objects" in name.split("."))
            or (attr in ("update", "delete") and _queryset(name))
            or (attr == "delete" and not node.args)
            or (attr in _RELATED and isinstance(receiver, ast.Attribute) and _related(receiver))
            or (
                attr in _SUPER_SAVES
                and isinstance(receiver, ast.Call)
                and dotted(receiver.func) == "super"
            )
            or (attr == "commit" and not node.args and ("session" in name.lower() or name == "db"))
        ):
            out.append(node)
    return out


def saved_before(func: ast.AST, at: ast.stmt, up: dict[ast.AST, ast.AST]) -> ast.Call | None:
    """The first saving call of ``func`` that has run when ``at`` runs: it ends before it, and
    no branch ``at`` is not in holds it (a ``form.save()`` under another ``if`` has not run;
    one in a loop before it has)."""
    around = _ancestors(at, up)
    before = [
        w
        for w in saving_calls(func)
        if (w.end_lineno or w.lineno) < at.lineno
        and not any(
            isinstance(a, ast.If | ast.ExceptHandler | ast.match_case) and id(a) not in around
            for a in _ancestor_nodes(w, up, func)
        )
    ]
    return min(before, key=lambda w: w.lineno) if before else None


def _ancestor_nodes(node: ast.AST, up: dict[ast.AST, ast.AST], stop: ast.AST) -> list[ast.AST]:
    out: list[ast.AST] = []
    current = up.get(node)
    while current is not None and current is not stop:
        out.append(current)
        current = up.get(current)
    return out


def _ancestors(node: ast.AST, up: dict[ast.AST, ast.AST]) -> set[int]:
    out = {id(node)}
    current = up.get(node)
    while current is not None:
        out.add(id(current))
        current = up.get(current)
    return out


def _queryset(name: str) -> bool:
    """``queryset`` / ``qs`` / ``self.get_queryset()`` / ``user.report_set``: rows, not a dict."""
    last = name.rsplit(".", 1)[-1]
    return last in ("queryset", "qs", "get_queryset") or last.endswith("_set")


def _related(receiver: ast.Attribute) -> bool:
    """``folder.documents`` / ``request.user.groups``: a row's relation, not a local set
    (``seen.add(x)``), a registry of the app's (``app.extensions``) or a session."""
    parts = dotted(receiver).split(".")
    # ``db.session.add(row)`` stages a row: the commit is what saves it
    return parts[0] not in ("app", "settings", "os", "sys", "self") and "session" not in parts
