"""What a Django model's own manager or queryset method hands back: ``Case.objects.unmerged()``
over ``class CaseManager(models.Manager)`` whose ``def unmerged(self): return
self.filter(merged_into=None)``. A view's lookup goes on from it (``.filter(uprn=...)``), so
the query reader splices the method's chain in where its call is (a real app's lookup by
address was not read at all)."""

from __future__ import annotations

import ast

from .pysource import Source
from .row_methods import manager_method
from .upstream_calls import UpstreamCalls


class ManagerChains:
    def __init__(self, upstream: UpstreamCalls) -> None:
        self._upstream = upstream

    def returned(self, source: Source, model: str, name: str) -> ast.expr | None:
        """The expression ``Model.objects.<name>()`` returns, a local it binds once followed
        (``qs = self.filter(q); return qs``); None for a method that returns otherwise."""
        found = manager_method(self._upstream, source, model, name)
        if found is None or found[1].decorator_list:
            return None
        body = found[1].body
        returns = [n for n in body if isinstance(n, ast.Return)]
        if len(returns) != 1 or returns[0] is not body[-1] or returns[0].value is None:
            return None  # an early return or a branch: no one chain
        value = returns[0].value
        if isinstance(value, ast.Name):
            bound = [
                n.value
                for n in body
                if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
            ]
            if len(bound) != 1:
                return None
            value = bound[0]
        return value
