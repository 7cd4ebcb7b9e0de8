"""What a Django model's own manager or queryset method hands back: ``Case.objects.unmerged()``
over ``class CaseManager(models.Manager)`` whose ``def unmerged(self): return
self.filter(merged_into=None)``. A view's lookup goes on from it (``.filter(uprn=...)``), so
the query reader splices the method's chain in where its call is (a real app's lookup by
address was not read at all).

And the other way round: the model a manager or queryset class's own ``self.get(...)`` reads
(``objects = SessionManager()``, whose ``authenticate_session`` looks a session up by its key
on every request: a real app's hottest lookup, missed because no ``Session.objects`` is
written)."""

from __future__ import annotations

import ast

from .pysource import Source, qualified
from .row_methods import manager_method, manager_names
from .schema import Schema
from .upstream_calls import UpstreamCalls


class ManagerChains:
    def __init__(self, upstream: UpstreamCalls, schema: Schema | None = None) -> None:
        self._upstream = upstream
        self._schema = schema
        # (path, line) of a manager or queryset class -> the Django models declaring it
        self._declared: dict[tuple[str, int], set[str]] | None = None

    def model_of(self, source: Source, cls: ast.ClassDef) -> str | None:
        """The one Django model whose manager ``cls`` is (``objects = SessionManager()``,
        ``CaseQuerySet.as_manager()``, ``Manager.from_queryset(CaseQuerySet)()``): its
        ``self`` reads that model's table. None for a class of no model or of several (a base
        manager shared by many models reads each one's)."""
        if not _django_manager(self._upstream, source, cls):
            return None
        models = self._declarations().get((source.path, cls.lineno), set())
        return next(iter(models)) if len(models) == 1 else None

    def _declarations(self) -> dict[tuple[str, int], set[str]]:
        if self._declared is not None:
            return self._declared
        declared: dict[tuple[str, int], set[str]] = {}
        schema = self._schema
        for table in schema.tables.values() if schema is not None else ():
            if table.origin != "django" or not table.model:
                continue
            loaded = self._upstream.loader(table.path)
            if loaded is None:
                continue
            model = next(
                (
                    n
                    for n in loaded.of(ast.ClassDef)
                    if isinstance(n, ast.ClassDef) and n.name == table.model
                ),
                None,
            )
            for stmt in model.body if model is not None else ():
                if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                    continue
                for name in manager_names(stmt.value):
                    found = self._upstream.resolve_class(loaded, ast.Name(name))
                    if found is not None:
                        key = (found[0].path, found[1].lineno)
                        declared.setdefault(key, set()).add(table.model)
        self._declared = declared
        return declared

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


def _django_manager(upstream: UpstreamCalls, source: Source, cls: ast.ClassDef) -> bool:
    """``cls`` derives from a Django manager or queryset (``models.Manager``,
    ``BaseUserManager``, ``models.QuerySet``), directly or through the project's own bases."""
    bases = upstream.outside_bases(source, cls) or {
        qualified(source, ast.unparse(b)) for b in cls.bases
    }
    return any(
        b.startswith("django.") and b.rsplit(".", 1)[-1].endswith(("Manager", "QuerySet"))
        for b in bases
    )
