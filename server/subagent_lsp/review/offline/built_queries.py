"""Queries a function builds step by step under one name: ``q = Model.query`` (or
``select(M)``, ``Case.objects.all()``), ``if x: q = q.filter(M.col == x)``, ``q =
q.order_by(...)``, then ``q.paginate(...)`` or ``json_collection(q, page)``.

A step under an ``if`` (a loop, an ``except``) that the first binding is not under is optional:
a search listing applies each of its filters only when the client sends it. Read with every
optional filter at once, the query is one nobody runs, and one indexed column among them makes
all the others look served (a real app's listing of seven optional filters: nothing found). So
the query is read once with its unconditional steps alone (a paged listing's sort), and once
per optional step beside them, with the optional steps an existing index puts before it
(``subject_identifier`` behind ``subject_type`` in their composite): the planner judges each.
At most ``MAX_OPTIONAL`` optional steps are read, the first ones written.

A step this reading cannot see into (``q = own_helper(q)``) under an ``if`` is left out of
every reading; written unconditionally, it ends the chain (its filters are unknown).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from .pysource import Source, dotted

MAX_OPTIONAL = 8
# Conditions under which a step may not run.
_GUARDS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.match_case)
# Calls that end a built query and read a page or a row of it (``q.paginate(...)``): the
# query's last step for the shape.
_TERMINALS = frozenset({"paginate", "limit", "offset", "first", "first_or_404"})
# Django's own QuerySet methods: a chain through anything else is the app's (or a library's)
# manager method, which filters or sorts in ways this reading cannot see.
QUERYSET_METHODS = {
    "all", "filter", "exclude", "get", "order_by", "select_related", "prefetch_related",
    "only", "defer", "values", "values_list", "annotate", "alias", "distinct", "first", "last",
    "exists", "count", "get_or_create", "update_or_create", "create", "update", "delete",
    "reverse", "using", "iterator", "aggregate", "in_bulk", "latest", "earliest", "none",
    "select_for_update",  # locks the rows it finds: still found by the same WHERE
}  # fmt: skip
# A model -> the column lists of its table's existing indexes.
IndexesOf = Callable[[str], list[tuple[str, ...]]]
# Whether the call hands the query it gets at that argument position to ``.paginate(...)``
# (a project helper's ``json_collection(q, page, limit)``).
PagedBy = Callable[[Source, ast.Call, int], bool]


@dataclass
class Built:
    """What the function's steps make of its query-building names: each step's call -> the
    readings of the query there (None for a step a later one continues), and the last steps
    whose query is then read a page or a row at a time (``q.paginate(...)``, a project helper
    that pages it): the query stays where it is written."""

    readings: dict[ast.Call, list[ast.Call] | None] = field(default_factory=dict)
    limited: set[ast.Call] = field(default_factory=set)  # read a page or a row at a time
    paged: set[ast.Call] = field(default_factory=set)  # read a page at a time


@dataclass
class _Name:
    base: ast.expr  # the first binding's value
    guards: frozenset[int]  # the conditions that binding is under (ids)
    steps: list[tuple[ast.Call, bool]] = field(default_factory=list)  # (step, optional)
    last: ast.Call | None = None  # the call that stands for the query so far

    def whole(self, name: str, chosen: list[ast.Call]) -> ast.expr:
        out = self.base
        for step, _ in self.steps:
            if step in chosen:
                out = rebased(step, name, out)
        return out

    def readings(self, name: str, indexes: IndexesOf) -> list[ast.Call]:
        fixed = [s for s, optional in self.steps if not optional]
        optional = [s for s, opt in self.steps if opt][:MAX_OPTIONAL]
        chosen = [fixed]
        for step in optional:
            chosen.append([*fixed, *_paired(step, optional, indexes), step])
        out: list[ast.Call] = []
        for steps in chosen:
            whole = self.whole(name, steps)
            if isinstance(whole, ast.Call):
                out.append(whole)
        return out


def built_queries(source: Source, indexes: IndexesOf, paged_by: PagedBy | None = None) -> Built:
    out = Built()
    for func in source.functions():
        _function(source, func, indexes, paged_by, out)
    out.readings = {
        n: r for n, r in out.readings.items() if r is None or r != [n]
    }  # a step read as itself is read where it is written
    return out


def _function(
    source: Source,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    indexes: IndexesOf,
    paged_by: PagedBy | None,
    out: Built,
) -> None:
    up = source.up()
    current: dict[str, _Name] = {}
    # Its own steps, not those of a function nested in it: the bindings, and the calls that
    # read a bound query on (``q.paginate(...)``, ``json_collection(q, ...)``).
    events: list[ast.AST] = []
    for n in source.nodes_of(func):
        if source.function_of(n) is not func:
            continue
        binding = isinstance(n, ast.Assign) and len(n.targets) == 1
        if (binding and isinstance(n.targets[0], ast.Name)) or (  # type: ignore[attr-defined]
            isinstance(n, ast.Call) and not _inner(n, up)
        ):
            events.append(n)
    for event in sorted(events, key=_position):
        if isinstance(event, ast.Call):
            _read_on(source, event, current, paged_by, out)
            continue
        assert isinstance(event, ast.Assign)
        name = event.targets[0].id  # type: ignore[attr-defined]
        value = event.value
        root = chain_of(value)[1] if isinstance(value, ast.Call) else None
        previous = current.pop(name, None)
        if _query_attribute(value):
            # ``query = Model.query``: the base itself, no call yet
            current[name] = _Name(value, _guards(event, func, up))
            continue
        if not isinstance(value, ast.Call):
            continue
        if isinstance(root, ast.Name) and root.id == name:
            if previous is None:
                previous = _handed_query(source, func, name, event)
            if previous is None:
                continue  # built from a parameter or a value this reading did not see
            optional = not _guards(event, func, up) <= previous.guards
            _continued(previous, out)
            previous.steps.append((value, optional))
            previous.last = value
            out.readings[value] = previous.readings(name, indexes)
            current[name] = previous
        elif previous is not None and _opaque_step(value, name, event, func, up, previous):
            current[name] = previous  # an optional step of its own: left out of every reading
        elif isinstance(root, ast.Name) and _scoped_queryset(current.get(root.id), root.id):
            # ``same_uprn = qs.filter(uprn=u)`` over ``qs = Case.objects.unmerged()``: a
            # query of its own on the one ``qs`` built, which stays a query too (Django's
            # alone: a local service object, ``svc = Controller(uid)``, is read elsewhere)
            scope = current[root.id]
            whole = rebased(value, root.id, scope.whole(root.id, [s for s, _ in scope.steps]))
            if isinstance(whole, ast.Call):
                out.readings[value] = [whole]
                current[name] = _Name(whole, _guards(event, func, up), last=value)
        else:
            current[name] = _Name(value, _guards(event, func, up), last=value)


def _read_on(
    source: Source,
    call: ast.Call,
    current: dict[str, _Name],
    paged_by: PagedBy | None,
    out: Built,
) -> None:
    """``q.paginate(...)`` / ``q.first()`` on a built query, or ``json_collection(q, page)``
    handing it to a project helper that pages it: the query's last step from here on."""
    calls, root = chain_of(call)
    if isinstance(root, ast.Name) and root.id in current and calls and _terminal(call):
        # The query stays where its last step writes it; this reads a page or a row of it.
        last = current[root.id].last
        if last is not None:
            out.limited.add(last)
            if any(isinstance(c.func, ast.Attribute) and c.func.attr in _PAGES for c in calls):
                out.paged.add(last)
        return
    if paged_by is None:
        return
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Name) and arg.id in current:
            state = current[arg.id]
            if state.last is not None and paged_by(source, call, position):
                out.limited.add(state.last)
                out.paged.add(state.last)


def _continued(state: _Name, out: Built) -> None:
    """The query's call so far is continued by a later step: that one reads it."""
    if state.last is not None:
        out.readings[state.last] = None


def _terminal(call: ast.Call) -> bool:
    calls, _ = chain_of(call)
    return bool(calls) and all(
        isinstance(c.func, ast.Attribute) and c.func.attr in _TERMINALS for c in calls
    )


def _opaque_step(
    value: ast.Call,
    name: str,
    at: ast.stmt,
    func: ast.AST,
    up: dict[ast.AST, ast.AST],
    previous: _Name,
) -> bool:
    """``q = own_helper(q)`` under a condition the query's base is not under: a step this
    reading cannot see into, which the query may skip."""
    handed = any(isinstance(a, ast.Name) and a.id == name for a in value.args)
    return handed and not _guards(at, func, up) <= previous.guards


def _paired(step: ast.Call, optional: list[ast.Call], indexes: IndexesOf) -> list[ast.Call]:
    """The optional steps an existing index puts before ``step``'s column (``subject_type``
    before ``subject_identifier``): the schema says they come together."""
    column = _step_column(step)
    if column is None:
        return []
    by_column = {c[1]: s for s in optional if (c := _step_column(s)) is not None}
    for cols in indexes(column[0]):
        if column[1] in cols[1:]:
            before = cols[: cols.index(column[1])]
            if all(c in by_column for c in before):
                return [by_column[c] for c in before]
    return []


def _step_column(step: ast.Call) -> tuple[str, str] | None:
    """``q.filter(Model.col == x)``: (model, column) of a step of one equality."""
    func = step.func
    if not (isinstance(func, ast.Attribute) and func.attr in ("filter", "where")):
        return None
    if len(step.args) != 1 or step.keywords:
        return None
    test = step.args[0]
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    if not isinstance(test.ops[0], ast.Eq):
        return None
    parts = dotted(test.left).split(".")
    return (parts[0], parts[1]) if len(parts) == 2 and parts[0][:1].isupper() else None


def _guards(node: ast.AST, func: ast.AST, up: dict[ast.AST, ast.AST]) -> frozenset[int]:
    out: set[int] = set()
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, _GUARDS):
            out.add(id(current))
        current = up.get(current)
    return frozenset(out)


def _query_attribute(value: ast.expr) -> bool:
    """``Model.query`` (Flask-SQLAlchemy's query property), not ``self.query``."""
    return (
        isinstance(value, ast.Attribute)
        and value.attr == "query"
        and isinstance(value.value, ast.Name)
        and value.value.id[:1].isupper()
    )


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _inner(node: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    parent = up.get(node)
    if isinstance(parent, ast.Attribute):
        grand = up.get(parent)
        return isinstance(grand, ast.Call) and grand.func is parent
    return False


def _scoped_queryset(built: _Name | None, name: str) -> bool:
    """A Django queryset through the model's own manager method (``Case.objects.unmerged()``):
    a scope a view refines under other names. A plain queryset refined under another name is
    left unread, as before: this change is for the scope's lookups, not for every paged list."""
    if built is None:
        return False
    whole = built.whole(name, [s for s, _ in built.steps])
    if not isinstance(whole, ast.Call):
        return False
    calls, root = chain_of(whole)
    return (
        isinstance(root, ast.Attribute)
        and root.attr == "objects"
        and any(
            isinstance(c.func, ast.Attribute) and c.func.attr not in QUERYSET_METHODS for c in calls
        )
    )


def _handed_query(
    source: Source, func: ast.FunctionDef | ast.AsyncFunctionDef, name: str, at: ast.stmt
) -> _Name | None:
    """``def filter_by_args(cls, q, args): q = q.filter(cls.language == lang)``: a method of a
    class that narrows a query it is handed, by the class's own columns; read as a query of
    that class (``cls.query``), whoever pages it later (a real app's every listing)."""
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    if name not in params[1:] or not isinstance(source.up().get(func), ast.ClassDef):
        return None
    owner = params[0] if params[0] in ("cls", "self") else ""
    if not owner:
        return None
    base = ast.Attribute(ast.Name(owner, ast.Load()), "query", ast.Load())
    ast.copy_location(base.value, at)
    ast.copy_location(base, at)
    # ``cls.query`` standing for the handed query: a call whose chain is that base alone
    whole = ast.Call(ast.Attribute(base, "filter", ast.Load()), [], [])
    ast.copy_location(whole.func, at)
    ast.copy_location(whole, at)
    return _Name(whole, frozenset())


def rebased(chain: ast.expr, name: str, value: ast.expr) -> ast.expr:
    """``chain`` with the ``name`` it starts from replaced by ``value`` (copies, the tree is
    left as it is)."""
    if isinstance(chain, ast.Call) and isinstance(chain.func, ast.Attribute):
        call, attribute = copy.copy(chain), copy.copy(chain.func)
        attribute.value = rebased(chain.func.value, name, value)
        call.func = attribute
        return call
    if isinstance(chain, ast.Name) and chain.id == name:
        return value
    return chain


def chain_of(node: ast.Call) -> tuple[list[ast.Call], ast.expr]:
    """``a.b(x).c(y)``: the calls from the first, and what the first is called on."""
    calls: list[ast.Call] = []
    current: ast.expr = node
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        calls.append(current)
        current = current.func.value
    calls.reverse()
    return calls, current


Callee = Callable[[Source, ast.Call], tuple[Source, ast.FunctionDef | ast.AsyncFunctionDef] | None]


def helper_pages(callee: Callee) -> PagedBy:
    """``json_collection(q, page, limit)``: whether the project function a call runs pages
    the query it is handed at that position (``query.paginate(...)``, ``.limit(...)`` on the
    parameter), by the project's call-following (upstream_calls)."""

    def pages(source: Source, call: ast.Call, position: int) -> bool:
        if isinstance(call.func, ast.Attribute) and call.func.attr in _TERMINALS:
            return False  # a method of the query's own, not a helper
        found = callee(source, call)
        if found is None:
            return False
        func = found[1]
        params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
        if params[:1] in (["self"], ["cls"]) and isinstance(call.func, ast.Attribute):
            params = params[1:]
        if position >= len(params):
            return False
        name = params[position]
        return any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _PAGES
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == name
            for n in ast.walk(func)
        )

    return pages


_PAGES = ("paginate", "limit", "offset")
