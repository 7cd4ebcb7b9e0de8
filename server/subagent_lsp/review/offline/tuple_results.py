"""BKD335: a project function that always returns a pair (``return customer, None`` /
``return None, "not found"``) is called as if it returned the row: ``customer =
Service.update(...)`` then ``customer.to_dict()``.

A tuple has no such attribute: the read raises AttributeError on every call, a 500 even when
the update worked, and a test of the result (``if not customer:``) never sees the "not found"
the pair carries. A real shop API's customer update did this while its other routes unpacked
the same service's pairs (``category, error = ...``; judged a must). The fix unpacks the
pair as those routes do, so the name holds the row (or None) the code meant.

Read: a call of a project function every ``return`` of which gives a tuple of the same length
(two or more) and which cannot run off its end, bound to one name once, whose attribute the
function then reads (not a tuple's own ``count``/``index``).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .block_exits import always_leaves
from .frameworks import ModuleFacts
from .pyedits import replace_node
from .pysource import Source, single_binding

CODE = "BKD335"

Function = ast.FunctionDef | ast.AsyncFunctionDef
_TUPLE_ATTRS = frozenset({"count", "index"})


def tuple_result_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if facts.upstream is None or "return" not in src.text:
        return []
    out: list[Suggestion] = []
    for func in src.functions():
        for stmt in src.nodes_of(func):
            if src.function_of(stmt) is not func or not isinstance(stmt, ast.Assign):
                continue
            name = single_binding(stmt)
            value = stmt.value
            if isinstance(value, ast.Await):
                value = value.value
            if name is None or not isinstance(value, ast.Call):
                continue
            target = facts.upstream.callee(src, value)
            if target is None:
                continue
            callee = target[1]
            width = _pair_width(callee)
            read = _attribute_read(src, func, stmt, name) if width is not None else None
            if width is None or read is None:
                continue
            out.append(_suggestion(facts, func, stmt, name, width, read, callee.name))
    return out


def _pair_width(func: Function) -> int | None:
    """The length of the tuple every ``return`` of ``func`` gives, when it never runs off its
    end; None otherwise."""
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and _own(func, n)]
    if not returns or not always_leaves(func.body):
        return None
    widths = {len(r.value.elts) if isinstance(r.value, ast.Tuple) else 0 for r in returns}
    if len(widths) != 1:
        return None
    width = widths.pop()
    if width < 2 or any(
        any(isinstance(e, ast.Starred) for e in r.value.elts)
        for r in returns
        if isinstance(r.value, ast.Tuple)
    ):
        return None
    return width


def _own(func: Function, node: ast.AST) -> bool:
    """``node`` is in ``func`` itself, not in a function or lambda defined in it."""
    return not any(
        inner is not func
        and isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        and any(n is node for n in ast.walk(inner))
        for inner in ast.walk(func)
    )


def _attribute_read(src: Source, func: Function, stmt: ast.Assign, name: str) -> ast.AST | None:
    """The first read of ``name.attr`` after ``stmt``, ``name`` bound nowhere else."""
    bound = [
        n
        for n in src.nodes_of(func)
        if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
    ]
    if len(bound) != 1:
        return None
    reads = [
        n
        for n in src.nodes_of(func)
        if isinstance(n, ast.Attribute)
        and isinstance(n.value, ast.Name)
        and n.value.id == name
        and isinstance(n.ctx, ast.Load)
        and n.attr not in _TUPLE_ATTRS
        and n.lineno > (stmt.end_lineno or stmt.lineno)
    ]
    return min(reads, key=lambda n: (n.lineno, n.col_offset)) if reads else None


def _second_name(src: Source, func: Function, width: int) -> list[str]:
    """Names for the pair's other items: ``error`` (``_error`` when taken), then ``extra_N``."""
    taken = {n.id for n in src.nodes_of(func) if isinstance(n, ast.Name)}
    names = []
    for i in range(1, width):
        base = "error" if i == 1 else f"extra_{i}"
        names.append(base if base not in taken else f"_{base}")
    return names


def _suggestion(
    facts: ModuleFacts,
    func: Function,
    stmt: ast.Assign,
    name: str,
    width: int,
    read: ast.AST,
    callee: str,
) -> Suggestion:
    src = facts.source
    others = _second_name(src, func, width)
    target = stmt.targets[0]
    edit = replace_node(src, target, ", ".join([name, *others]))
    shown = src.text_of(read)
    why = (
        f"`{callee}()` returns a pair on every path ({width} values), and `{name}` takes the "
        f"whole tuple: `{shown}` raises AttributeError on each call, a 500 even when "
        f"`{callee}` succeeded, and a test of `{name}` never sees the failure the pair "
        f"reports. Unpacking it (`{', '.join([name, *others])} = ...`) gives `{name}` the "
        "value the code reads."
    )
    title = f"Unpack the pair `{callee}()` returns"
    return Suggestion(CODE, "error-handling", src.path, src.span(stmt), title, why, (edit,))
