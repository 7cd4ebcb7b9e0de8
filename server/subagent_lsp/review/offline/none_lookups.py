"""A None value whose first use is a Django lookup the view already answers a miss of:
``organization = get_user_org(user)`` then ``OrgProfile.objects.get(organization=organization)``
inside ``try: ... except OrgProfile.DoesNotExist: return ...404``. ``organization=None`` finds
no profile, so the handler answers before the later ``organization.id`` can raise: a BKD306
None check there is noise (held-out round 33, a Django API).
"""

from __future__ import annotations

import ast

from .django_rows import django_model
from .pysource import dotted

_MISS = "ObjectDoesNotExist"


def first_use_answered(func: ast.AST, name: str, after: int) -> bool:
    """The first read of ``name`` in ``func`` after line ``after`` is a keyword of a
    ``Model.objects[...].get(...)`` inside a ``try`` whose handler of ``Model.DoesNotExist``
    (or ``ObjectDoesNotExist``) ends in a return or a raise."""
    up = {child: parent for parent in ast.walk(func) for child in ast.iter_child_nodes(parent)}
    reads = sorted(
        (
            n
            for n in ast.walk(func)
            if isinstance(n, ast.Name)
            and n.id == name
            and isinstance(n.ctx, ast.Load)
            and n.lineno > after
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    if not reads:
        return False
    keyword = up.get(reads[0])
    call = up.get(keyword) if isinstance(keyword, ast.keyword) else None
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "get"
        and not call.args
    ):
        return False
    model = django_model(call.func.value)  # ``OrgProfile.objects[.filter(...)].get``
    return model is not None and _answered(up, call, model.rsplit(".", 1)[-1])


def _answered(up: dict[ast.AST, ast.AST], call: ast.AST, model: str) -> bool:
    child: ast.AST = call
    current = up.get(call)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                named = {dotted(t) for t in types if t is not None}
                if (
                    f"{model}.DoesNotExist" in named or _MISS in {n.split(".")[-1] for n in named}
                ) and (handler.body and isinstance(handler.body[-1], ast.Return | ast.Raise)):
                    return True
        child, current = current, up.get(current)
    return False
