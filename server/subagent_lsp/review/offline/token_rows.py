"""A row looked up by the signed-in token's identity (Flask-JWT-Extended's
``get_jwt_identity()``): the token outlives its user.

A real app's ``admin_required`` decorator runs ``user = UserModel.query.filter_by(email=
get_jwt_identity()).first()`` and reads ``user.id``: once the account is deleted, every token
issued to it is still valid until it expires, the lookup gives None and the read is a 500 (a
reviewer's "should"). Unlike Flask-Login's ``current_user``, loaded by the extension, or
Flask-JWT-Extended's own ``current_user`` (its ``user_lookup_loader`` answers a missing user
with a 401), the identity is a claim of the token, not a row that is known to be there.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route
from .pysource import every_node, single_binding

_IDENTITY = "flask_jwt_extended.get_jwt_identity"


def keyed_by_token(facts: ModuleFacts, call: ast.Call, route: Route) -> bool:
    """``call`` reads ``get_jwt_identity()`` itself, or a local the route bound to it (or to
    a value made from it) before ``call``."""
    names = {k for k, v in facts.imports.items() if v == _IDENTITY}
    if not names:
        return False

    def reads(node: ast.AST, derived: set[str]) -> bool:
        # ``user.profile_id`` of the token's user is that row's data: a local counts bare
        columns = {id(n.value) for n in every_node(node) if isinstance(n, ast.Attribute)}
        for inner in every_node(node):
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id in names
            ):
                return True
            if isinstance(inner, ast.Name) and inner.id in derived and id(inner) not in columns:
                return True
        return False

    derived: set[str] = set()
    for stmt in sorted(
        (n for n in every_node(route.func) if isinstance(n, ast.Assign | ast.AnnAssign)),
        key=lambda n: n.lineno,
    ):
        if stmt.lineno >= call.lineno:
            break
        name = single_binding(stmt)
        if name is not None and stmt.value is not None and reads(stmt.value, derived):
            derived.add(name)
    return reads(call, derived)
