"""A DRF class view with the project classes it derives from, for the rules that ask which
permissions DRF runs it with (BKD327, BKD328).

Only a view whose every base outside the project is one of DRF's own views, viewsets or
mixins is read: those set no ``permission_classes`` of their own and pick them only through
``get_permissions()``. Any other base (``ObtainAuthToken``, which sets ``permission_classes =
()``; a library's mixin that may read a map of its own; a name not resolved) may decide the
permissions in a way not read here, and the view is left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .frameworks import ModuleFacts
from .pysource import Source, dotted, qualified

# DRF's classes that leave the permissions to ``permission_classes`` and the settings.
_GENERICS = frozenset(
    {"CreateAPIView", "ListAPIView", "RetrieveAPIView", "DestroyAPIView", "UpdateAPIView"}
    | {"ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView"}
    | {"RetrieveUpdateDestroyAPIView", "GenericAPIView"}
)
VIEWSETS = frozenset(
    {"ViewSet", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet", "ViewSetMixin"}
)
_MIXINS = frozenset(
    {"CreateModelMixin", "ListModelMixin", "RetrieveModelMixin", "UpdateModelMixin"}
    | {"DestroyModelMixin"}
)
_KNOWN = frozenset({"APIView"}) | _GENERICS | VIEWSETS | _MIXINS
# DRF's classes that serve ``get_object()`` (a generic view's, a viewset's over GenericAPIView).
GETS_OBJECT = (_GENERICS | VIEWSETS | _MIXINS) - {"ViewSet", "ViewSetMixin"}
_MAX_CLASSES = 6  # an app's own view hierarchy


@dataclass(frozen=True)
class DrfView:
    """The view class first, then its project bases (each with its module); ``drf``: the
    last names of DRF's classes it derives from."""

    chain: tuple[tuple[Source, ast.ClassDef], ...]
    drf: frozenset[str]

    @property
    def cls(self) -> ast.ClassDef:
        return self.chain[0][1]

    def defines(self, names: set[str] | frozenset[str]) -> bool:
        """Some class of the chain defines a method of ``names``."""
        return any(
            isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name in names
            for _, c in self.chain
            for s in c.body
        )

    def assigned(self) -> set[str]:
        """The class attributes the chain assigns."""
        out: set[str] = set()
        for _, c in self.chain:
            for s in c.body:
                targets = s.targets if isinstance(s, ast.Assign) else []
                if isinstance(s, ast.AnnAssign):
                    targets = [s.target]
                out |= {t.id for t in targets if isinstance(t, ast.Name)}
        return out

    @property
    def viewset(self) -> bool:
        return bool(self.drf & VIEWSETS)


def drf_view_class(facts: ModuleFacts, cls: ast.ClassDef) -> DrfView | None:
    """``cls`` read as a DRF view over DRF's own classes only; None for anything else."""
    if facts.upstream is None or not cls.bases:
        return None
    chain: list[tuple[Source, ast.ClassDef]] = [(facts.source, cls)]
    drf: set[str] = set()
    todo = [(facts.source, cls)]
    while todo:
        at, current = todo.pop(0)
        for base in current.bases:
            found = facts.upstream.resolve_class(at, base)
            if found is not None and found[1] is not current:
                if all(found[1] is not c for _, c in chain):
                    if len(chain) >= _MAX_CLASSES:
                        return None
                    chain.append(found)
                    todo.append(found)
                continue
            written = dotted(base)
            if written == "object":
                continue
            full = qualified(at, written) if written else ""
            last = full.rsplit(".", 1)[-1]
            if not full.startswith("rest_framework.") or last not in _KNOWN:
                return None
            drf.add(last)
    if not drf:
        return None
    return DrfView(tuple(chain), frozenset(drf))
