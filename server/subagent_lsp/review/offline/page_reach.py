"""Where a function hands a value to a page's bounds: ``.limit(x)``, ``.offset(x)`` (pymongo's
``.skip(x)``), or a window ``rows[offset : offset + limit]``; and whether it checks the value
first. The values are paths: a parameter or local (``limit``), or an attribute read off one
(``page.limit`` of a pagination model the route is handed).

What each value is follows from where it goes: ``.limit(limit)``'s argument (or
``limit + 1``, one more to learn whether a next page exists) is a page size; ``.offset(skip)``'s
a row offset; ``(page - 1) * size`` a page number counted from one, and ``size`` its page size.
A value that reaches the bounds through one call into the project
(``crud.list_items(db, skip=skip, limit=limit)``) is followed into that function, not further:
the call-following machinery of upstream_calls finds it.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .frameworks import ModuleFacts
from .pysource import Source, dotted, method_of
from .receiver_classes import local_bindings
from .sql_params import PAGES, call_sql, page_values
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
# ``limit`` (None), or ``page.limit`` ("limit" read off the parameter ``page``).
Path = tuple[str, str | None]

_OFFSETS = ("offset", "skip")
# A call that takes a value and a bound: the value is clamped where it is an argument.
_CLAMPS = ("min", "max")
_ORDERINGS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_BASES_DEPTH = 3  # a class, its base, and that one's


@dataclass(frozen=True)
class PageUse:
    kind: str  # limit | offset | page
    node: ast.AST  # the ``.limit(...)`` call or the slice
    helper: str = ""  # the project function it is used in, when not the one asked about
    clause: str = ""  # a raw SQL statement's ``LIMIT`` or ``OFFSET`` it is bound to


def path_of(node: ast.AST) -> Path | None:
    if isinstance(node, ast.Name):
        return node.id, None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def page_uses(src: Source, func: Function) -> dict[Path, PageUse]:
    """The values ``func``'s own code hands to a page's bounds, each with its kind (a value
    given two kinds is left out: what it is is unsure). Kept on the parse."""
    cache: dict[int, dict[Path, PageUse]] = src.__dict__.setdefault("_page_uses", {})
    found = cache.get(id(func))
    if found is None:
        found = cache[id(func)] = _page_uses(src, func)
    return found


def _page_uses(src: Source, func: Function) -> dict[Path, PageUse]:
    kinds: dict[Path, set[str]] = {}
    where: dict[Path, ast.AST] = {}
    clauses: dict[Path, str] = {}
    once = _assigned_once(src, func)

    def note(found: list[tuple[Path, str]], node: ast.AST, clause: str = "") -> None:
        for path, kind in found:
            kinds.setdefault(path, set()).add(kind)
            where.setdefault(path, node)
            if clause:
                clauses.setdefault(path, clause)

    for node in src.nodes_of(func):
        if src.function_of(node) is not func:
            continue  # a nested function's value is another scope's
        bound = call_sql(src, node, PAGES) if isinstance(node, ast.Call) else None
        if bound is not None:
            # ``cur.execute("... LIMIT %s OFFSET %s", (limit, offset))``
            for clause, value in page_values(bound):
                found = _size if clause == "limit" else _start
                note(found(_through(_unwrapped(value), once)), node, clause.upper())
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "paginate"
            and not any(k.arg == "max_per_page" for k in node.keywords)
        ):
            # Flask-SQLAlchemy's ``paginate(page=..., per_page=...)``: a size given is used
            # as it is (its own ``max_per_page`` caps only the size it reads itself)
            size = next((k.value for k in node.keywords if k.arg == "per_page"), None)
            if size is not None:
                note(_size(_through(size, once)), node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and len(node.args) == 1
            and not node.keywords
        ):
            arg = _through(node.args[0], once)
            if node.func.attr == "limit":
                note(_size(arg), node)
            elif node.func.attr in _OFFSETS:
                note(_start(arg), node)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.slice, ast.Slice)
            and node.slice.lower is not None
            and node.slice.upper is not None
            and node.slice.step is None
        ):
            note(_window(_through(node.slice.lower, once), node.slice.upper), node)
    return {
        p: PageUse(next(iter(k)), where[p], clause=clauses.get(p, ""))
        for p, k in kinds.items()
        if len(k) == 1
    }


def _unwrapped(node: ast.expr) -> ast.expr:
    """``int(limit)``, ``str(limit)`` in an f-string's LIMIT: the value itself."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("int", "str")
        and len(node.args) == 1
        and not node.keywords
    ):
        return node.args[0]
    return node


def _assigned_once(src: Source, func: Function) -> dict[str, ast.expr]:
    """The locals (not parameters) bound once, to a value: ``skip = (page - 1) * size``."""
    out: dict[str, ast.expr] = {}
    for name, bound in local_bindings(src, func).items():
        if len(bound) == 1 and isinstance(bound[0], ast.expr):
            out[name] = bound[0]
    return out


def _through(node: ast.expr, once: dict[str, ast.expr]) -> ast.expr:
    """The arithmetic a local holds (one step: ``skip = (page - 1) * size``), or the node
    itself (a local read from the request is the value)."""
    if isinstance(node, ast.Name) and isinstance(once.get(node.id), ast.BinOp):
        return once[node.id]
    return node


def _size(node: ast.expr) -> list[tuple[Path, str]]:
    """``limit``, ``limit + 1``: the page size."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        if isinstance(node.right, ast.Constant):
            node = node.left
        elif isinstance(node.left, ast.Constant):
            node = node.right
    path = path_of(node)
    return [(path, "limit")] if path is not None else []


def _start(node: ast.expr) -> list[tuple[Path, str]]:
    """``skip``: an offset; ``(page - 1) * size``: a page from one and its size; ``page *
    size``: a page from zero (an offset's bound) when one side's name says it is the page."""
    path = path_of(node)
    if path is not None:
        return [(path, "offset")]
    if not isinstance(node, ast.BinOp) or not isinstance(node.op, ast.Mult):
        return []
    for page, size in ((node.left, node.right), (node.right, node.left)):
        if (
            isinstance(page, ast.BinOp)
            and isinstance(page.op, ast.Sub)
            and isinstance(page.right, ast.Constant)
            and page.right.value == 1
        ):
            number = path_of(page.left)
            if number is None:
                return []
            sized = path_of(size)
            found: list[tuple[Path, str]] = [(number, "page")]
            return [*found, (sized, "limit")] if sized is not None else found
    left, right = path_of(node.left), path_of(node.right)
    if left is None or right is None:
        return []
    pages = [p for p in (left, right) if _names_a_page(p)]
    if len(pages) != 1:
        return []
    sized = right if pages[0] == left else left
    return [(pages[0], "offset"), (sized, "limit")]


def _names_a_page(path: Path) -> bool:
    name = (path[1] or path[0]).lower()
    return name.rsplit("_", 1)[-1] in ("page", "pageno") and "size" not in name


def _window(lower: ast.expr, upper: ast.expr) -> list[tuple[Path, str]]:
    """``[offset : offset + limit]`` or ``[(page - 1) * size : page * size]``; any other slice
    (``[skip:limit]``, ``[:n]``) is not read as a page."""
    start = _start(lower)
    if not start:
        return []
    first = path_of(lower)
    if first is not None:
        if isinstance(upper, ast.BinOp) and isinstance(upper.op, ast.Add):
            sides = [upper.left, upper.right]
            rest = [s for s in sides if path_of(s) != first]
            if len(rest) == 1:
                size = path_of(rest[0])
                return [*start, (size, "limit")] if size is not None else []
        return []
    if any(kind == "page" for _, kind in start) and _names_of(upper) <= {path for path, _ in start}:
        return start
    return []


def _names_of(node: ast.expr) -> set[Path]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _names_of(node.left) | _names_of(node.right)
    path = path_of(node)
    return {path} if path is not None else {("", "")}


def checked(src: Source, func: Function, path: Path, kind: str | None = None) -> bool:
    """``func`` bounds the value itself, or may have: it compares it (``if limit > 100``),
    clamps it (``min(limit, MAX_LIMIT)``), or binds it again (``limit = limit or 50``). A
    page size (``kind`` "limit") compared only with a floor (``if per_page < 1: abort(400)``)
    is still uncapped."""
    name, attr = path
    for node in src.nodes_of(func):
        if isinstance(node, ast.Compare) and any(isinstance(op, _ORDERINGS) for op in node.ops):
            if any(path_of(side) == path for side in (node.left, *node.comparators)):
                if kind == "limit" and _floor_only(node, path):
                    continue
                return True
        elif isinstance(node, ast.Call):
            called = dotted(node.func).rsplit(".", 1)[-1].lower()
            clamps = called in _CLAMPS or "clamp" in called
            if clamps and any(path_of(a) == path for a in node.args):
                return True
        elif attr is not None and isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(path_of(t) == path for t in targets):
                return True
    if attr is None:
        bound = local_bindings(src, func).get(name, [])
        parameter = any(isinstance(b, ast.arg) for b in bound)
        return len(bound) > 1 or (not parameter and len(bound) != 1)
    return False


def _floor_only(node: ast.Compare, path: Path) -> bool:
    """``per_page < 1``, ``per_page <= 0``, ``1 > per_page``: a test against a small constant
    floor (at most 1), which says nothing of how large the value may be."""
    if len(node.ops) != 1:
        return False
    left, op, right = node.left, node.ops[0], node.comparators[0]
    if path_of(right) == path:  # ``1 > per_page`` reads as ``per_page < 1``
        left, right = right, left
        op = {ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}.get(type(op), op)
    small = isinstance(right, ast.Constant) and type(right.value) is int and right.value <= 1
    return path_of(left) == path and small and isinstance(op, ast.Lt | ast.LtE)


def reached_uses(facts: ModuleFacts, func: Function, paths: set[Path]) -> dict[Path, PageUse]:
    """Which of ``paths`` (values of ``func``, in the module ``facts`` reads) reach a page's
    bounds unchecked: in ``func`` itself, or in a project function it hands them to."""
    src = facts.source
    out = {
        p: use
        for p, use in page_uses(src, func).items()
        if p in paths and not checked(src, func, p, use.kind)
    }
    if facts.upstream is None:
        return out
    names = {name for name, _ in paths}
    for node in src.nodes_of(func):
        if not isinstance(node, ast.Call) or src.function_of(node) is not func:
            continue
        passed = _passed(node, names)
        if not passed:
            continue
        followed = followed_call(facts.upstream, src, node)
        if followed is None:
            continue
        where, callee, params = followed
        uses = page_uses(where, callee)
        if not uses:
            continue
        for param, given in matched_arguments(node, params):
            for path in paths:
                inside = _renamed(path, given, param)
                if inside is None or path in out:
                    continue
                use = uses.get(inside)
                if use is None or checked(src, func, path, use.kind):
                    continue
                if not checked(where, callee, inside, use.kind):
                    out[path] = PageUse(use.kind, use.node, callee.name, use.clause)
    return out


def inherited_method(
    upstream: UpstreamCalls, source: Source, call: ast.Call
) -> tuple[Source, Function] | None:
    """A method the receiver's class inherits from a project base: the generic CRUD class's
    ``fetch_all`` that ``DetectionCRUD`` does not redefine (upstream_calls reads the
    receiver's own class only)."""
    if not isinstance(call.func, ast.Attribute):
        return None
    owner = upstream.receiver_class(source, call, call.func.value)
    for _ in range(_BASES_DEPTH):
        if owner is None:
            return None
        where, cls = owner
        found = method_of(cls, call.func.attr)
        if found is not None:
            return where, found
        bases = [upstream.resolve_class(where, generic_base(b)) for b in cls.bases]
        known = [b for b in bases if b is not None]
        owner = known[0] if len(known) == 1 else None
    return None


def generic_base(base: ast.expr) -> ast.expr:
    """``BaseCRUD`` of ``BaseCRUD[Detection, DetectionCreate]``."""
    return base.value if isinstance(base, ast.Subscript) else base


def _passed(call: ast.Call, names: set[str]) -> bool:
    values = [*call.args, *(k.value for k in call.keywords)]
    return any(isinstance(v, ast.Name | ast.Attribute) and _root(v) in names for v in values)


def _root(node: ast.expr) -> str | None:
    path = path_of(node)
    return path[0] if path is not None else None


def followed_call(
    upstream: UpstreamCalls, source: Source, call: ast.Call
) -> tuple[Source, Function, tuple[list[str], list[str]]] | None:
    """The project function or method ``call`` runs (an inherited one too), with the
    parameters the call fills; None when unknown or a star argument makes it unsure."""
    target = upstream.callee(source, call) or inherited_method(upstream, source, call)
    if target is None:
        return None
    params = call_parameters(target[1], call)
    return (target[0], target[1], params) if params is not None else None


def call_parameters(callee: Function, call: ast.Call) -> tuple[list[str], list[str]] | None:
    """The callee's positional parameters as the call fills them (``self`` of a method left
    out), and every name a keyword may give; None when a star argument makes it unsure."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    positional = [a.arg for a in (*callee.args.posonlyargs, *callee.args.args)]
    if positional and positional[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    named = [a.arg for a in (*callee.args.args, *callee.args.kwonlyargs)]
    return positional, named


def matched_arguments(
    call: ast.Call, params: tuple[list[str], list[str]]
) -> list[tuple[str, ast.expr]]:
    """(the callee's parameter, what the call gives it)."""
    positional, named = params
    out = list(zip(positional, call.args, strict=False))
    out.extend((k.arg, k.value) for k in call.keywords if k.arg in named)
    return out


def _renamed(path: Path, given: ast.expr, param: str) -> Path | None:
    """``path`` of the caller as the callee holds it, when ``given`` hands it over:
    ``limit=limit`` gives ``limit``; ``params=page`` gives ``page.limit`` as ``params.limit``;
    ``size=page.limit`` gives ``page.limit`` as ``size``."""
    name, attr = path
    written = path_of(given)
    if written == (name, None):
        return param, attr
    if attr is not None and written == path:
        return param, None
    return None
