"""Whether a module's project uses Django REST framework (its exception handler answers
``ValidationError`` with a 400). Its distribution is named ``djangorestframework``."""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route
from .pysource import dotted


def uses_drf(facts: ModuleFacts) -> bool:
    if any(v.split(".")[0] == "rest_framework" for v in facts.imports.values()):
        return True
    return facts.declared is not None and bool(
        {"djangorestframework", "rest_framework"} & facts.declared
    )


_DRF_VIEWS = ("APIView", "GenericAPIView", "ViewSet", "GenericViewSet", "ModelViewSet")


def drf_view(facts: ModuleFacts, route: Route) -> bool:
    """A DRF view (``@api_view``, a class built on ``APIView`` or a viewset): it answers with
    DRF's ``Response``, which a plain Django view could not render."""
    if not uses_drf(facts):
        return False
    if any(dotted(d).rsplit(".", 1)[-1] == "api_view" for d in _decorators(route.func)):
        return True
    owner = facts.up.get(route.func)
    if not isinstance(owner, ast.ClassDef):
        return False
    for base in owner.bases:
        name = dotted(base)
        head = name.split(".")[0]
        if facts.imports.get(head, "").startswith("rest_framework"):
            return True
        if name.rsplit(".", 1)[-1].endswith(_DRF_VIEWS):
            return True
    return False


def _decorators(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr]:
    return [d.func if isinstance(d, ast.Call) else d for d in func.decorator_list]
