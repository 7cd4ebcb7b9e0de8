"""Where a function hands a value to a page's bounds: ``.limit(x)``, ``.offset(x)`` (pymongo's
``.skip(x)``), or a window ``rows[offset : offset + limit]``; and whether it checks the value
first. The values are paths: a parameter or local (``limit``), or an attribute read off one
(``page.limit`` of a pagination model the route is handed).

What each value is follows from where it goes: ``.limit(limit)``'s argument (or
``limit + 1``, one more to learn whether a next page exists) is a page size; ``.offset(skip)``'s
a row offset; ``(page - 1) * size`` a page number counted from one, and ``size`` its page size.
A value that reaches the bounds through one call into the project
(``crud.list_items(db, skip=skip, limit=limit)``) is followed into that function, not further:
the call-following machinery of upstream_calls finds it, and from there on, a few calls deep
(a route hands it to a service's method, which hands it to a repository's: ``.limit(limit)``
is two calls away from the parameter).

A guard that bounds the value from above only (``if limit > 50: limit = 50``, ``limit =
min(limit, 50)``, ``if limit > 50: raise ...``) leaves a negative value through: on PostgreSQL
a negative LIMIT or OFFSET is an error (a 500). Such a use is reached, with the guard's cap
(``PageUse.capped_at``), so the fix adds the floor and keeps that cap.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

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
_CALL_DEPTH = 3  # calls followed from the route: a service's method, its repository's, one more
_LOWER, _UPPER = "lower", "upper"
_BOTH = frozenset({_LOWER, _UPPER})


@dataclass(frozen=True)
class PageUse:
    kind: str  # limit | offset | page
    node: ast.AST  # the ``.limit(...)`` call or the slice
    helper: str = ""  # the project function it is used in, when not the one asked about
    clause: str = ""  # a raw SQL statement's ``LIMIT`` or ``OFFSET`` it is bound to
    # The code on the way caps it from above only: that cap as written (``50``), the guard
    # (``if limit > 50``) and the function it is in
    capped_at: str = ""
    capped_by: str = ""
    capped_in: str = ""


@dataclass(frozen=True)
class Guard:
    """How a function bounds a value: the sides it bounds (``lower``, ``upper``), and for an
    upper clamp, its cap and the guard as written."""

    sides: frozenset[str]
    cap: str = ""
    test: str = ""


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
    """``func`` bounds the value itself on every side its ``kind`` needs (a page size both,
    an offset or a page its floor), or may have (see guard)."""
    return _needed(kind) <= guard(src, func, path, kind).sides


def _needed(kind: str | None) -> frozenset[str]:
    return _BOTH if kind == "limit" else frozenset({_LOWER})


def guard(src: Source, func: Function, path: Path, kind: str | None = None) -> Guard:
    """How ``func`` bounds the value: any side it may bound, when it compares it (``if limit
    > 100``), clamps it (``min(max(limit, 1), 100)``), or binds it again (``limit = limit or
    50``); its upper side only, for a clamp from above (``if limit > 50: limit = 50``, ``limit
    = min(limit, 50)``, ``if limit > 50: raise ...``). A page size (``kind`` "limit") compared
    only with a floor (``if per_page < 1: abort(400)``) is bounded from below only."""
    cache: dict[tuple[int, Path, str | None], Guard] = src.__dict__.setdefault("_guards", {})
    key = (id(func), path, kind)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _guard(src, func, path, kind)
    return found


def _guard(src: Source, func: Function, path: Path, kind: str | None) -> Guard:
    name, attr = path
    clamps = _upper_clamps(src, func, path)
    skipped = {id(n) for _, _, nodes in clamps for n in nodes}
    sides: set[str] = {_UPPER} if clamps else set()
    for node in src.nodes_of(func):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Compare) and any(isinstance(op, _ORDERINGS) for op in node.ops):
            if any(path_of(side) == path for side in (node.left, *node.comparators)):
                if kind == "limit" and _floor_only(node, path):
                    sides.add(_LOWER)
                    continue
                return Guard(_BOTH)
        elif isinstance(node, ast.Call):
            called = dotted(node.func).rsplit(".", 1)[-1].lower()
            clamp = called in _CLAMPS or "clamp" in called
            if clamp and any(path_of(a) == path for a in node.args):
                return Guard(_BOTH)
        elif attr is not None and isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(path_of(t) == path for t in targets):
                return Guard(_BOTH)
    if attr is None:
        bound = [b for b in local_bindings(src, func).get(name, []) if id(b) not in skipped]
        parameter = any(isinstance(b, ast.arg) for b in bound)
        if len(bound) > 1 or (not parameter and len(bound) != 1):
            return Guard(_BOTH)
    cap, test = (clamps[0][0], clamps[0][1]) if clamps else ("", "")
    return Guard(frozenset(sides), cap, test)


def _upper_clamps(src: Source, func: Function, path: Path) -> list[tuple[str, str, list[ast.AST]]]:
    """The guards of ``func`` that bound the value from above only, each as (its cap, the
    guard as written, the nodes it is made of): ``if limit > 50:`` whose body only rebinds
    the value or raises (no ``else``), and ``limit = min(limit, 50)``."""
    out: list[tuple[str, str, list[ast.AST]]] = []
    for node in src.nodes_of(func):
        if isinstance(node, ast.If) and not node.orelse:
            cap = _above(node.test, path)
            body = [_rebinds(s, path) for s in node.body]
            if cap is not None and body and all(b is not None for b in body):
                nodes: list[ast.AST] = [node.test]
                for stmt in node.body:
                    nodes.append(stmt)
                    if isinstance(stmt, ast.Assign):
                        nodes.append(stmt.value)
                test = f"if {src.text_of(node.test)}"
                out.append((src.text_of(cap), test, nodes))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            cap = _min_of(node.value, path) if path_of(node.targets[0]) == path else None
            if cap is not None:
                out.append((src.text_of(cap), src.text_of(node), [node.value]))
    return out


def _above(test: ast.expr, path: Path) -> ast.expr | None:
    """``limit > 50`` / ``limit >= 50`` / ``50 < limit``: the bound it is tested against."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    if path_of(left) == path and isinstance(op, ast.Gt | ast.GtE):
        return right
    if path_of(right) == path and isinstance(op, ast.Lt | ast.LtE):
        return left
    return None


def _rebinds(stmt: ast.stmt, path: Path) -> ast.stmt | None:
    """A statement of an upper guard's body: a raise, or the value bound again to something
    that does not read it (``limit = 50``, ``limit = MAX_LIMIT``)."""
    if isinstance(stmt, ast.Raise):
        return stmt
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and path_of(stmt.targets[0]) == path
        and not any(path_of(n) == path for n in ast.walk(stmt.value))
    ):
        return stmt
    return None


def _min_of(value: ast.expr, path: Path) -> ast.expr | None:
    """``min(limit, 50)`` / ``min(50, limit)``: the other argument."""
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "min"
        and len(value.args) == 2
        and not value.keywords
    ):
        return None
    first, second = value.args
    if path_of(first) == path and path_of(second) != path:
        return second
    if path_of(second) == path and path_of(first) != path:
        return first
    return None


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
    bounds unchecked: in ``func`` itself, or in the project functions it hands them to, and
    those hand them to (_CALL_DEPTH calls deep). A value is judged where it is first used; the
    guards on its way count, each for the sides it bounds."""
    out: dict[Path, PageUse] = {}
    chains: dict[Path, Chain] = {p: ((facts.source, func, p),) for p in paths}
    _reach(facts.upstream, chains, out, 0)
    return out


# One value on its way: (module, function, the value as that function holds it) per call.
Chain = tuple[tuple[Source, Function, Path], ...]


def _reach(
    upstream: UpstreamCalls | None, chains: dict[Path, Chain], out: dict[Path, PageUse], depth: int
) -> None:
    """Judges the values of ``chains`` (each ending in the same function) where that function
    uses them, and follows the others into the project calls it hands them to."""
    src, func, _ = next(iter(chains.values()))[-1]
    uses = page_uses(src, func)
    waiting: dict[Path, Chain] = {}
    for path, chain in chains.items():
        use = uses.get(chain[-1][2])
        if use is None:
            waiting[path] = chain
        elif path not in out:
            unguarded = _unguarded(chain, use)
            if unguarded is not None:
                out[path] = replace(unguarded, helper=_named(src, func) if depth else "")
    if upstream is None or depth >= _CALL_DEPTH or not waiting:
        return
    names = {chain[-1][2][0] for chain in waiting.values()}
    for node in src.nodes_of(func):
        if not isinstance(node, ast.Call) or src.function_of(node) is not func:
            continue
        if not _passed(node, names):
            continue
        followed = followed_call(upstream, src, node)
        if followed is None:
            continue
        where, callee, params = followed
        handed: dict[Path, Chain] = {}
        for param, given in matched_arguments(node, params):
            for path, chain in waiting.items():
                inside = _renamed(chain[-1][2], given, param)
                if inside is not None and path not in out and path not in handed:
                    handed[path] = (*chain, (where, callee, inside))
        if handed:
            _reach(upstream, handed, out, depth + 1)


def _named(src: Source, func: Function) -> str:
    """``MemberService.search`` for a method (a service's and its repository's often share the
    name), the function's name otherwise."""
    cls = src.up().get(func)
    return f"{cls.name}.{func.name}" if isinstance(cls, ast.ClassDef) else func.name


def _unguarded(chain: Chain, use: PageUse) -> PageUse | None:
    """``use`` when the guards on the value's way leave a side its kind needs unbounded (with
    the cap of an upper clamp among them); None when they bound it."""
    sides: set[str] = set()
    capped: tuple[str, str, str] | None = None
    for at, (src, func, held) in enumerate(chain):
        found = guard(src, func, held, use.kind)
        sides |= found.sides
        if found.cap and capped is None:  # (named when not the function asked about)
            capped = (found.cap, found.test, _named(src, func) if at else "")
    if _needed(use.kind) <= sides:
        return None
    if capped is None or _UPPER not in sides:
        return use
    return replace(use, capped_at=capped[0], capped_by=capped[1], capped_in=capped[2])


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
