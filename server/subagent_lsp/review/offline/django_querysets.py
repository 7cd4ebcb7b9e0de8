"""The Django model a view's queryset reads, and how a Django view refuses a bad sort key.

``Post.objects.filter(...)``, ``self.queryset`` or ``super().get_queryset()`` of a view class
whose ``queryset = Post.objects...`` or ``model = Post`` says which; the model counts only
when the schema knows all its fields (every base is ``models.Model`` or an abstract model of
the workspace), as an allow-list built from them must not refuse a field it leaves out.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit
from .drf import drf_view
from .drf_serializers import drf_validation_error
from .frameworks import ModuleFacts, Route, django_bad_request
from .pyedits import ensure_imports
from .pysource import dotted
from .schema import Schema

# Steps after which the rows may carry names no field has (``annotate(n=Count(...))``), or
# come from more than the one model.
_NAMES_MORE = {"annotate", "alias", "extra", "raw", "union", "intersection", "difference"}
_MAX_DEPTH = 8


def manager_model(schema: Schema, node: ast.expr) -> str | None:
    """``Post.objects`` (or ``models.Post.objects``): a Django model of the schema whose
    fields are all known."""
    if not (isinstance(node, ast.Attribute) and node.attr == "objects"):
        return None
    name = dotted(node.value).split(".")[-1]
    return name if name and fields_known(schema, name) else None


def adds_names(step: str) -> bool:
    return step in _NAMES_MORE


def view_queryset(up: dict[ast.AST, ast.AST], node: ast.expr) -> ast.expr | None:
    """``self.queryset``, ``self.get_queryset()`` or ``super().get_queryset()`` in a method of
    a view class: what its own ``queryset = ...`` is, or ``model = Post`` as ``Post.objects``."""
    if isinstance(node, ast.Attribute) and node.attr == "queryset" and _is_self(node.value):
        pass
    elif not (
        isinstance(node, ast.Call)
        and not node.args
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_queryset"
        and (_is_self(node.func.value) or _is_super(node.func.value))
    ):
        return None
    owner: ast.AST | None = up.get(node)
    while owner is not None and not isinstance(owner, ast.ClassDef):
        owner = up.get(owner)
    if owner is None:
        return None
    found: dict[str, ast.expr] = {}
    for stmt in owner.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            found[stmt.targets[0].id] = stmt.value
    if "queryset" in found:
        return found["queryset"]
    model = found.get("model")
    if isinstance(model, ast.Name | ast.Attribute):
        return ast.Attribute(value=model, attr="objects", ctx=ast.Load())
    return None


def fields_known(schema: Schema, model: str) -> bool:
    table = schema.table_for_model(model)
    if table is None or table.origin != "django":
        return False
    bases, seen = list(table.bases), set()
    for _ in range(_MAX_DEPTH):
        following: list[str] = []
        for base in bases:
            if base == "Model" or base in seen:
                continue
            info = schema.classes.get(base)
            if info is None:
                return False  # a base of another package: fields the schema has not seen
            seen.add(base)
            following.extend(info.bases)
        if not following:
            return True
        bases = following
    return False


def django_refusal(
    facts: ModuleFacts, route: Route, label: str, message: str
) -> tuple[str, list[Edit], set[str]] | None:
    """How the Django view refuses the client's ``label``, the imports that needs, and the
    exceptions a ``try`` around the check must not catch: DRF's ``ValidationError`` from a DRF
    view (its handler answers 400 from a helper as from a handler), else ``django_bad_request``'s
    answer. None: the name the answer needs is bound to something else."""
    src = facts.source
    if drf_view(facts, route) or route.drf:
        error = drf_validation_error(facts)
        if error is None:
            return None
        name, needed = error
        answer = f'raise {name}({{"{label}": "{message}"}})'
        return answer, ensure_imports(src, needed), {"ValidationError", "APIException"}
    answer, (module, name) = django_bad_request(route, message)
    if facts.imports.get(name, f"{module}.{name}") != f"{module}.{name}":
        return None
    return answer, ensure_imports(src, [(module, name)]), {"BadRequest"}


def _is_self(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "self"


def _is_super(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == "super" and not node.args
