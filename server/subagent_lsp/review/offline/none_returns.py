"""Whether a project function or method provably may return None, for BKD306's helper path
(helper_rows): an explicit ``return None`` or bare ``return`` beside returns of a value (timed's
``User.get_active_employment`` answers ``except Employment.DoesNotExist: return None``), a body
that can fall off its end after such returns, or a returned ``.first()`` / ``.last()`` /
``.one_or_none()`` / dict ``.get(key)``. A function typed as returning something that is not
Optional, or documented as never None, is taken at its word: the caller need not test it.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted
from .row_uses import session_like, short

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Calls that end a path by raising, as a ``raise`` would (Flask's ``abort(404)``).
_RAISING = frozenset({"abort", "exit", "sys.exit", "os._exit", "pytest.fail"})
_MAYBE_ONE = frozenset({"first", "last", "one_or_none", "scalar_one_or_none"})
# Receivers of a one-argument ``.get`` that are clients, not mappings: ``requests.get(url)``.
_CLIENTS = ("requests", "httpx", "client", "http", "api")


def none_path(source: Source, func: Function) -> str | None:
    """How ``func`` may give None, as the message says it (``return None`` in its ``except
    Employment.DoesNotExist``), or None when no path of it provably does."""
    if not may_give_none(func):
        return None
    returns: list[ast.Return] = []
    for node in source.nodes_of(func):
        if source.function_of(node) is not func:
            continue
        if isinstance(node, ast.Yield | ast.YieldFrom | ast.Await):
            return None  # a generator's or coroutine's value is no row
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
    return None


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
    names = [dotted(p).rsplit(".", 1)[-1].strip("'\"") for p in parts if not _is_none(p)]
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


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _returns_none(ret: ast.Return) -> bool:
    return ret.value is None or _is_none(ret.value)


def _handler_of(
    up: dict[ast.AST, ast.AST], node: ast.AST, func: Function
) -> ast.ExceptHandler | None:
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.ExceptHandler):
            return current
        current = up.get(current)
    return None


def always_leaves(body: list[ast.stmt]) -> bool:
    """Every path through ``body`` returns or raises."""
    return any(_stops(stmt) for stmt in body)


def _stops(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Return | ast.Raise):
        return True
    if isinstance(stmt, ast.If):
        return always_leaves(stmt.body) and always_leaves(stmt.orelse)
    if isinstance(stmt, ast.With | ast.AsyncWith):
        return always_leaves(stmt.body)
    if isinstance(stmt, ast.Try):
        if always_leaves(stmt.finalbody):
            return True
        tried = always_leaves(stmt.body) or always_leaves(stmt.orelse)
        return tried and all(always_leaves(h.body) for h in stmt.handlers)
    if isinstance(stmt, ast.While):
        forever = isinstance(stmt.test, ast.Constant) and bool(stmt.test.value)
        return forever and not any(isinstance(n, ast.Break) for n in ast.walk(stmt))
    if isinstance(stmt, ast.Match):
        last = stmt.cases[-1].pattern if stmt.cases else None
        wildcard = isinstance(last, ast.MatchAs) and last.pattern is None
        return wildcard and all(always_leaves(c.body) for c in stmt.cases)
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return dotted(stmt.value.func) in _RAISING
    return False


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
