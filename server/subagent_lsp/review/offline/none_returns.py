"""Whether a project function or method provably may return None, for BKD306's helper path
(helper_rows): an explicit ``return None`` or bare ``return`` beside returns of a value (timed's
``User.get_active_employment`` answers ``except Employment.DoesNotExist: return None``), a body
that can fall off its end after such returns, or a returned ``.first()`` / ``.last()`` /
``.one_or_none()`` / dict ``.get(key)``. A function typed as returning something that is not
Optional, or documented as never None, is taken at its word: the caller need not test it.
"""

from __future__ import annotations

import ast

from .block_exits import always_leaves
from .pysource import Source, dotted, is_none
from .row_uses import session_like, short

Function = ast.FunctionDef | ast.AsyncFunctionDef

_MAYBE_ONE = frozenset({"first", "last", "one_or_none", "scalar_one_or_none"})
# Receivers of a one-argument ``.get`` that are clients, not mappings: ``requests.get(url)``.
_CLIENTS = ("requests", "httpx", "client", "http", "api")


def none_path(source: Source, func: Function, awaited: bool = False) -> str | None:
    """How ``func`` may give None, as the message says it (``return None`` in its ``except
    Employment.DoesNotExist``), or None when no path of it provably does. ``awaited``: the
    caller awaits it, so a coroutine's value is what it returns."""
    if not may_give_none(func):
        return None
    coroutine = awaited and isinstance(func, ast.AsyncFunctionDef)
    if isinstance(func, ast.AsyncFunctionDef) and not awaited:
        return None  # the caller holds a coroutine, never None
    returns: list[ast.Return] = []
    for node in source.nodes_of(func):
        if source.function_of(node) is not func:
            continue
        if isinstance(node, ast.Yield | ast.YieldFrom) or (
            isinstance(node, ast.Await) and not coroutine
        ):
            return None  # a generator's or an unawaited coroutine's value is no row
        if isinstance(node, ast.Return):
            returns.append(node)
    valued = [r for r in returns if not _returns_none(r)]
    if not valued:
        return None  # a procedure: nothing reads its None
    up = source.up()
    for ret in returns:
        if _returns_none(ret):
            handler = _handler_of(up, ret, func)
            if handler is not None and handler.type is not None:
                return f"`except {short(source.text_of(handler.type), 40)}: return None`"
            return f"`return None` (line {ret.lineno})"
    if not always_leaves(func.body):
        return "None when it falls off its end"
    for ret in valued:
        assert ret.value is not None
        if _maybe_one(ret.value):
            return f"`return {short(source.text_of(ret.value), 60)}`, None when nothing matches"
        if _none_branch(ret.value):
            # ``return user if user else None``, ``return Model(**doc) if doc else None``
            return f"`return {short(source.text_of(ret.value), 60)}`"
    return None


def _none_branch(value: ast.expr) -> bool:
    """``x if test else None`` / ``None if test else x``: one branch gives None."""
    return isinstance(value, ast.IfExp) and (is_none(value.body) or is_none(value.orelse))


def optional_model(func: Function) -> str:
    """The model ``func`` gives when it gives one: ``-> Employment | None`` /
    ``Optional[Employment]`` / ``except Employment.DoesNotExist`` -> Employment; else ""."""
    ann = func.returns
    if isinstance(ann, ast.Constant) and isinstance(ann.value, str):
        try:
            ann = ast.parse(ann.value, mode="eval").body
        except SyntaxError:
            return ""
    parts: list[ast.expr] = []
    if isinstance(ann, ast.BinOp) and isinstance(ann.op, ast.BitOr):
        parts = [ann.left, ann.right]
    elif isinstance(ann, ast.Subscript) and dotted(ann.value).endswith("Optional"):
        parts = [ann.slice]
    names = [dotted(p).rsplit(".", 1)[-1].strip("'\"") for p in parts if not is_none(p)]
    if len(names) == 1 and names[0][:1].isupper():
        return names[0]
    # ``except Employment.DoesNotExist: return None``: the row it looked for
    missing = {
        dotted(n.type).removesuffix(".DoesNotExist")
        for n in ast.walk(func)
        if isinstance(n, ast.ExceptHandler)
        and n.type is not None
        and dotted(n.type).endswith(".DoesNotExist")
    }
    found = next(iter(missing)) if len(missing) == 1 else ""
    return found.rsplit(".", 1)[-1] if found[:1].isupper() else ""


def may_give_none(func: Function) -> bool:
    """Neither typed nor documented as never None."""
    return _may_be_optional(func) and not _documented_never_none(func)


def _may_be_optional(func: Function) -> bool:
    """No return annotation, or one that admits None (``X | None``, ``Optional[X]``,
    ``Any``)."""
    ann = func.returns
    if ann is None:
        return True
    text = ann.value if isinstance(ann, ast.Constant) and isinstance(ann.value, str) else ""
    spelled = text or ast.unparse(ann)
    return "None" in spelled or "Optional" in spelled or spelled.endswith("Any")


def _documented_never_none(func: Function) -> bool:
    doc = (ast.get_docstring(func) or "").lower()
    return "never none" in doc or "never returns none" in doc or "always returns" in doc


def _returns_none(ret: ast.Return) -> bool:
    return ret.value is None or is_none(ret.value)


def _handler_of(
    up: dict[ast.AST, ast.AST], node: ast.AST, func: Function
) -> ast.ExceptHandler | None:
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.ExceptHandler):
            return current
        current = up.get(current)
    return None


def _maybe_one(value: ast.expr) -> bool:
    """``....filter(...).first()`` / ``Model.query.get(id)`` / ``self._cache.get(key)``."""
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
        return False
    func = value.func
    receiver = func.value
    if func.attr in _MAYBE_ONE and not value.args and not value.keywords:
        # a query or queryset: a chain of calls, ``X.objects`` / ``X.query`` or a relation
        return isinstance(receiver, ast.Call) or (
            isinstance(receiver, ast.Attribute) and receiver.attr in ("objects", "query")
        )
    if func.attr != "get" or len(value.args) != 1 or value.keywords:
        return False
    spelled = dotted(receiver).lower()
    if not spelled or session_like(receiver) or any(c in spelled for c in _CLIENTS):
        return False
    return not isinstance(value.args[0], ast.Constant) or isinstance(value.args[0].value, str)
