"""The client errors a Django or DRF view's own code raises, each with the class it is raised
as: what an ``except`` takes it by, and how a fix lets it through by name.

``serializer.is_valid(raise_exception=True)`` raises DRF's ``ValidationError`` (a 400 with the
field errors), ``self.get_object()`` of a DRF generic view or a Django single-object view and
``get_object_or_404`` raise ``Http404``, and ``raise NotFound(...)`` / ``raise
PermissionDenied`` / ``raise serializers.ValidationError(...)`` raise what they name, known by
where it is imported from (Django's own ``ValidationError`` in a view is a 500: no client
error). A ``try: ... except Exception: return Response(..., status=500)`` around them answers
the client's mistake as the server's (judged a must on a real app's password reset: a weak
password came back as "Error resetting password", 500).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .drf_serializers import drf_validation_error
from .frameworks import ModuleFacts, Route, fetched_by_decorator
from .pysource import dotted, method_of, own_nodes, qualified_name

# Where each is imported from -> its status. DRF answers Django's two as well.
_ERRORS = {
    "django.http.Http404": 404,
    "django.http.response.Http404": 404,
    "django.core.exceptions.PermissionDenied": 403,
    "rest_framework.exceptions.ValidationError": 400,
    "rest_framework.serializers.ValidationError": 400,
    "rest_framework.exceptions.ParseError": 400,
    "rest_framework.exceptions.AuthenticationFailed": 401,
    "rest_framework.exceptions.NotAuthenticated": 401,
    "rest_framework.exceptions.PermissionDenied": 403,
    "rest_framework.exceptions.NotFound": 404,
    "rest_framework.exceptions.MethodNotAllowed": 405,
    "rest_framework.exceptions.NotAcceptable": 406,
    "rest_framework.exceptions.UnsupportedMediaType": 415,
    "rest_framework.exceptions.Throttled": 429,
}
# The view classes whose ``get_object()`` answers a miss with Http404: DRF's generic views
# and viewsets (``GenericAPIView.get_object`` is get_object_or_404), Django's single-object
# views. DRF's plain ``APIView`` and ``ViewSet`` have no get_object.
_GETS_OBJECT = frozenset(
    {"GenericAPIView", "GenericViewSet", "ModelViewSet", "ReadOnlyModelViewSet"}
    | {"CreateAPIView", "ListAPIView", "RetrieveAPIView", "DestroyAPIView", "UpdateAPIView"}
    | {"ListCreateAPIView", "RetrieveUpdateAPIView", "RetrieveDestroyAPIView"}
    | {"RetrieveUpdateDestroyAPIView"}
    | {"DetailView", "UpdateView", "DeleteView", "SingleObjectMixin", "BaseDetailView"}
    | {"BaseUpdateView", "BaseDeleteView"}
)


@dataclass(frozen=True)
class Raised:
    status: int
    caught_by: frozenset[str]  # the names an ``except`` takes it by (the last part)
    name: str  # how ``except NAME: raise`` names it here
    imports: tuple[tuple[str, str], ...] = ()  # what that name needs, when it is unbound


def django_client_error(facts: ModuleFacts, node: ast.AST, route: Route) -> Raised | None:
    """The client error ``node`` (a statement's own node, in a Django route) raises."""
    if isinstance(node, ast.Raise) and node.exc is not None:
        return _raised(facts, node.exc)
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
        return None
    name = dotted(node.func).rsplit(".", 1)[-1]
    if name == "is_valid" and isinstance(node.func, ast.Attribute):
        if not any(
            k.arg == "raise_exception" and isinstance(k.value, ast.Constant) and k.value.value
            for k in node.keywords
        ):
            return None
        error = drf_validation_error(facts)
        if error is None:
            return None  # Django's ValidationError holds the name a fix would use
        written, needed = error
        caught_by = frozenset({"ValidationError", "APIException"})
        return Raised(400, caught_by, written, tuple(needed))
    if name == "get_object_or_404" and not fetched_by_decorator(facts, route, node):
        return _http404(facts)
    if name == "get_object" and _own_get_object(facts, node, route):
        return _http404(facts)
    return None


def _raised(facts: ModuleFacts, exc: ast.expr) -> Raised | None:
    """``raise NotFound("...")`` / ``raise PermissionDenied`` / ``raise
    serializers.ValidationError(...)``: by where the class is imported from."""
    cls = exc.func if isinstance(exc, ast.Call) else exc
    written = dotted(cls)
    if not written or "(" in written:
        return None
    status = _ERRORS.get(qualified_name(facts.imports, written))
    if status is None:
        return None
    last = written.rsplit(".", 1)[-1]
    drf = qualified_name(facts.imports, written).startswith("rest_framework.")
    caught_by = frozenset({last, "APIException"} if drf else {last})
    return Raised(status, caught_by, written)


def _http404(facts: ModuleFacts) -> Raised | None:
    bound = facts.imports.get("Http404")
    if bound is not None and bound not in ("django.http.Http404", "django.http.response.Http404"):
        return None
    return Raised(404, frozenset({"Http404"}), "Http404", (("django.http", "Http404"),))


def _own_get_object(facts: ModuleFacts, call: ast.Call, route: Route) -> bool:
    """``self.get_object()`` in a method of a view class whose get_object 404s on a miss:
    DRF's or Django's own (the class defines none), or the class's own that raises Http404
    itself (``get_object_or_404``, ``raise Http404``)."""
    func = call.func
    if call.args or call.keywords or not isinstance(func, ast.Attribute):
        return False
    if dotted(func.value) != "self":
        return False
    cls = facts.up.get(route.func)
    if not isinstance(cls, ast.ClassDef):
        return False
    own = method_of(cls, "get_object")
    if own is not None:
        # the class's own: a 404 only when it raises one itself
        return any(
            (r := django_client_error(facts, n, route)) is not None and r.status == 404
            for n in own_nodes(own)
            if not (isinstance(n, ast.Call) and dotted(n.func) == "self.get_object")
        )
    return bool(_GETS_OBJECT & _bases(facts, cls))


def _bases(facts: ModuleFacts, cls: ast.ClassDef) -> set[str]:
    """The last names of the class's bases, through the project's own (``BaseView(
    generics.GenericAPIView)`` of another module) when the project is known."""
    names = {dotted(b).rsplit(".", 1)[-1] for b in cls.bases}
    if facts.upstream is not None:
        names |= {b.rsplit(".", 1)[-1] for b in facts.upstream.outside_bases(facts.source, cls)}
    return names
