"""A ``.first()`` that cannot be None: it runs in the ``except Event.MultipleObjectsReturned:``
of a ``.get()`` (or ``get_object_or_404``) by the same lookups, so two rows at least match.

``try: event = get_object_or_404(Event, page_url=url) except Event.MultipleObjectsReturned:
event = Event.objects.filter(page_url=url).order_by("-date").first()`` picks the newest of
several: a 404 after it was judged noise on a real app.
"""

from __future__ import annotations

import ast

from .django_views import lookup_field, lookup_of, lookup_positional
from .pysource import dotted, own_nodes
from .try_blocks import handler_names

# Queryset steps that keep the rows a lookup matched (an ``exclude`` or ``[:n]`` would not).
_SAME_ROWS = frozenset(
    {"filter", "order_by", "all", "select_related", "prefetch_related", "only", "defer", "using"}
)


def found_several(call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """``call`` is a queryset's ``.first()`` / ``.last()`` in a handler of
    ``MultipleObjectsReturned`` whose ``try`` runs a ``.get()`` of the same model and lookups."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in ("first", "last"):
        return False
    wanted = _filtered(call.func.value)
    if wanted is None:
        return False
    handler = _handler_of(call, up)
    while handler is not None:
        owner = up.get(handler)
        if "MultipleObjectsReturned" in handler_names(handler) and isinstance(owner, ast.Try):
            for stmt in owner.body:
                for node in own_nodes(stmt):
                    if isinstance(node, ast.Call) and _looked_up(node) == wanted:
                        return True
        handler = _handler_of(handler, up)
    return False


def _handler_of(node: ast.AST, up: dict[ast.AST, ast.AST]) -> ast.ExceptHandler | None:
    current = up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.ExceptHandler):
            return current
        current = up.get(current)
    return None


Lookup = tuple[str, frozenset[tuple[str, str]]]


def _filtered(chain: ast.expr) -> Lookup | None:
    """``Event.objects.filter(page_url=url).order_by("-date")`` -> (Event, {page_url: url})."""
    keys: set[tuple[str, str]] = set()
    node = chain
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr not in _SAME_ROWS or (node.func.attr == "filter" and node.args):
            return None
        if any(k.arg is None for k in node.keywords):
            return None
        if node.func.attr == "filter":
            keys |= {_keyword(k) for k in node.keywords}
        node = node.func.value
    if not (isinstance(node, ast.Attribute) and node.attr == "objects") or not keys:
        return None
    model = dotted(node.value).rsplit(".", 1)[-1]
    return (model, frozenset(keys)) if model[:1].isupper() else None


def _looked_up(call: ast.Call) -> Lookup | None:
    """``Event.objects.get(page_url=url)`` / ``get_object_or_404(Event, page_url=url)``."""
    found = lookup_of(call)
    if found is None or any(k.arg is None for k in call.keywords):
        return None
    if lookup_positional(call):
        return None  # a ``Q(...)`` argument: other lookups than the keywords
    return found[0], frozenset(_keyword(k) for k in call.keywords)


def _keyword(keyword: ast.keyword) -> tuple[str, str]:
    return lookup_field(keyword.arg), ast.dump(keyword.value)
