"""Filters gathered in a list before they are applied: ``filters = []``, ``if account_id:
filters.append(Application.account_id == account_id)``, then ``select(Application)
.where(*filters)`` in the same function, or ``get_applications(filters)``, a helper of the
project that applies them (a real app's applicant's own-applications list, missed).

Each filter appended under an ``if`` is one the search may apply alone: the query is read once
per optional filter, beside those always applied (all at once, an id among them would make every
other filter look served). An optional filter that an existing index pairs behind others of the
list (``round_id`` in ``UniqueConstraint("fund_id", "round_id", ...)``) is read with them: the
schema says they come together.

When the project's calls of the function are known (call_sites), the variants are the
callers' own instead: each call's optional filters (those whose ``if`` tests only parameters
the call passes) read together, and a filter no call passes is not read alone (a list helper's
``key`` that every caller passes with ``build_id``, or none passes). A filter on the parent the
query joins (``Namespace.name == ns`` over ``join(Namespace)``) reaches this table's rows by
its foreign key: where an existing index leads with that key (``namespace_id``), the variant
compares it too, so the index is seen to serve (``UniqueConstraint("namespace_id", "name")``).
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .call_sites import CallsOf
from .pysource import Source, dotted, top_level_function

# What applies a gathered list of conditions as one AND.
_APPLIERS = ("where", "filter")
# Calls that combine the list otherwise (an OR), or only count it.
_NOT_AND = ("or_", "not_", "len", "any", "all", "print")
# A model -> the column lists of its table's existing indexes.
IndexesOf = Callable[[str], list[tuple[str, ...]]]
_GUARDS = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.IfExp, ast.Try, ast.With)


@dataclass
class FilterList:
    always: list[ast.expr] = field(default_factory=list)
    optional: list[ast.expr] = field(default_factory=list)
    # per optional filter: the names its ``if`` tests read (None: another guard, a loop...)
    guards: list[frozenset[str] | None] = field(default_factory=list)

    def called(
        self, params: list[str], calls: list[tuple[int, frozenset[str]]]
    ) -> list[list[ast.expr]] | None:
        """The conditions each call runs with (``params``: the function's, in order); None
        when a filter's guard is not a test of parameters alone."""
        if not self.optional or len(self.guards) != len(self.optional):
            return None
        if any(g is None or not g or not g <= set(params) for g in self.guards):
            return None
        out: list[list[ast.expr]] = []
        seen: set[tuple[int, ...]] = set()
        for positional, keywords in calls:
            passed = set(params[:positional]) | keywords
            chosen = [
                c for c, g in zip(self.optional, self.guards, strict=True) if g and g <= passed
            ]
            ids = tuple(id(c) for c in chosen)
            if chosen and ids not in seen:
                seen.add(ids)
                out.append([*self.always, *chosen])
        return out

    def alternatives(self, indexes: list[tuple[str, ...]]) -> list[list[ast.expr]]:
        """The conditions the query may run with: those always applied, with each optional
        one (and the optional ones an existing index puts before it)."""
        if not self.optional:
            return [self.always] if self.always else []
        by_column = {_column(c): c for c in self.optional}
        out: list[list[ast.expr]] = []
        for condition in self.optional:
            paired = [condition]
            column = _column(condition)
            for cols in indexes:
                if column in cols[1:]:
                    before = cols[: cols.index(column)]
                    if all(c in by_column for c in before):
                        paired = [by_column[c] for c in before] + paired
                        break
            out.append([*self.always, *paired])
        return out


def starred_list(source: Source, call: ast.Call) -> tuple[int, str | ast.Call] | None:
    """``.where(*filters)`` / ``.where(*own_filters(x))``: the argument's position and the
    list's name (or the call of the module's function that builds it)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _APPLIERS):
        return None
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
            return i, arg.value.id
        if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Call):
            return i, arg.value
    return None


def gathered(source: Source, func: ast.AST, name: str) -> FilterList:
    """The conditions ``func`` gathers in its list ``name`` (through a helper of the module
    that returns the list it builds, too)."""
    out = FilterList()
    for node in _statements(source, func):
        if isinstance(node, ast.Assign) and _names(node.targets, name):
            if isinstance(node.value, ast.List):
                out.always.extend(node.value.elts)
            elif isinstance(node.value, ast.Call):
                inner = _built_by(source, node.value)
                out.always.extend(inner.always)
                out.optional.extend(inner.optional)
            continue
        added = _added(node, name)
        if added:
            guarded = _guarded(node, func, source.up())
            (out.optional if guarded else out.always).extend(added)
            if guarded:
                out.guards.extend([_guard_names(node, func, source.up())] * len(added))
    return out


# Built once: tested of every node.
_GATHERING = ast.Assign | ast.Expr | ast.AugAssign


def _statements(source: Source, func: ast.AST) -> list[ast.AST]:
    """The assignments and expression statements of ``func`` itself (not of a function nested
    in it), in order: all ``gathered`` reads, asked once per name a call of ``func`` hands on
    (walking every node of the function for each was most of the lists' time)."""
    kept: dict[ast.AST, list[ast.AST]] = source.__dict__.setdefault("_list_statements", {})
    found = kept.get(func)
    if found is None:
        found = kept[func] = [
            n
            for n in source.nodes_of(func)
            if isinstance(n, _GATHERING) and source.function_of(n) is func
        ]
    return found


def _built_by(source: Source, call: ast.Call) -> FilterList:
    """``own_filters(x)``: the list a function of the module builds and returns (its
    guards test the helper's parameters, not the caller's: not kept)."""
    helper = _module_function(source, dotted(call.func))
    built = _returned_list(helper) if helper is not None else None
    if helper is None or not built:
        return FilterList()
    inner = gathered(source, helper, built)
    return FilterList(inner.always, inner.optional)


def passed_lists(source: Source) -> Iterator[tuple[ast.Call, str]]:
    """``get_applications(filters, ...)``: a call handed a list its function gathers, not
    applied by that function itself (``.where(*filters)`` is read where it is written)."""
    for func in source.functions():
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        applied: set[str] = set()
        passed: list[tuple[ast.Call, str]] = []
        for node in source.nodes_of(func):
            if not isinstance(node, ast.Call) or source.function_of(node) is not func:
                continue
            found = starred_list(source, node)
            if found is not None:
                if isinstance(found[1], str):
                    applied.add(found[1])
                continue
            if dotted(node.func).split(".")[-1] in _NOT_AND:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg)]:
                if isinstance(arg, ast.Name):
                    passed.append((node, arg.id))
        yield from ((call, name) for call, name in passed if name not in applied)


def conditions_model(conditions: list[ast.expr], models: set[str] | None) -> str | None:
    """The one model every condition compares a column of (``Application.status == x``);
    ``models``: those it must be one of."""
    owners = {_owner(c) for c in conditions}
    if len(owners) != 1:
        return None
    owner = next(iter(owners))
    return owner if owner and (models is None or owner in models) else None


def with_conditions(call: ast.Call, position: int, conditions: list[ast.expr]) -> ast.Call:
    """``call`` with its ``*filters`` argument replaced by the conditions (a copy)."""
    out = copy.copy(call)
    out.args = [*call.args[:position], *conditions, *call.args[position + 1 :]]
    return out


def select_of(model: str, conditions: list[ast.expr], at: ast.AST) -> ast.Call:
    """``select(Model).where(*conditions)``, written where ``at`` is (for its span)."""
    base = ast.Call(ast.Name("select", ast.Load()), [ast.Name(model, ast.Load())], [])
    call = ast.Call(ast.Attribute(base, "where", ast.Load()), list(conditions), [])
    for node in (call, call.func, base, base.func, *base.args):
        ast.copy_location(node, at)
        node.end_lineno = getattr(at, "end_lineno", None)
        node.end_col_offset = getattr(at, "end_col_offset", None)
    return call


def expanded(
    source: Source,
    chain: ast.Call,
    at: ast.AST,
    indexes: IndexesOf,
    calls_of: CallsOf | None = None,
) -> list[ast.Call]:
    """``chain`` once per alternative of the list it applies with ``.where(*filters)`` (the
    function at ``at`` gathers it); ``[chain]`` when it applies none. ``calls_of``: what the
    project's calls of a function pass (the alternatives are then the callers')."""
    # Most modules star no list at all: nothing to look for in their chains.
    step = (
        next(
            (n for n in ast.walk(chain) if isinstance(n, ast.Call) and starred_list(source, n)),
            None,
        )
        if source.of(ast.Starred)
        else None
    )
    func = source.function_of(at)
    if step is None or func is None:
        return [chain]
    position, name = starred_list(source, step) or (0, "")
    found = gathered(source, func, name) if isinstance(name, str) else _built_by(source, name)
    model = conditions_model([*found.always, *found.optional], None)
    alternatives = _callers_alternatives(found, func, calls_of)
    if alternatives is None:
        alternatives = found.alternatives(indexes(model) if model else [])
    queried = _queried_model(chain)
    out = []
    for conditions in alternatives:
        if queried:
            conditions = _through_parents(conditions, queried, indexes(queried))
        out.append(replaced_step(chain, step, with_conditions(step, position, conditions)))
    return out or [chain]


def _callers_alternatives(
    found: FilterList, func: ast.AST, calls_of: CallsOf | None
) -> list[list[ast.expr]] | None:
    if calls_of is None or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    calls = calls_of(func.name)
    if calls is None:
        return None
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]]
    if params[:1] in (["self"], ["cls"]):
        params = params[1:]  # called as ``obj.method(...)``: the receiver is no argument
    return found.called(params, calls)


def _queried_model(chain: ast.Call) -> str:
    """``db.query(orm.Environment)...`` / ``select(Environment)...``: the model read."""
    for node in ast.walk(chain):
        if (
            isinstance(node, ast.Call)
            and dotted(node.func).split(".")[-1] in ("query", "select")
            and len(node.args) == 1
        ):
            return dotted(node.args[0]).split(".")[-1]
    return ""


def _through_parents(
    conditions: list[ast.expr], model: str, indexes: list[tuple[str, ...]]
) -> list[ast.expr]:
    """With ``Model.<parent>_id == v`` beside a condition on the joined parent
    (``Namespace.id == v``, ``Namespace.name == v``) when an existing index leads with that
    key: the planner finds the parent, then this table's rows by the index."""
    leads = {cols[0] for cols in indexes if len(cols) > 1}
    out = list(conditions)
    for condition in conditions:
        owner = _owner(condition) or _dotted_owner(condition)
        if not owner or owner == model or not isinstance(condition, ast.Compare):
            continue
        key = f"{_snake(owner)}_id"
        if key not in leads:
            continue
        compared = ast.Compare(
            ast.Attribute(ast.Name(model, ast.Load()), key, ast.Load()),
            [ast.Eq()],
            [condition.comparators[0]],
        )
        for node in ast.walk(compared):
            ast.copy_location(node, condition)
        out.append(compared)
    return out


def _dotted_owner(condition: ast.expr) -> str:
    """``orm.Namespace.name == x``: the model of a module-qualified column."""
    target = _target(condition)
    parts = dotted(target).split(".") if target is not None else []
    return parts[-2] if len(parts) == 3 and parts[-2][:1].isupper() else ""


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def replaced_step(chain: ast.expr, step: ast.Call, new: ast.Call) -> ast.Call:
    """``chain`` (copied along its spine) with ``step`` in it replaced by ``new``."""
    if chain is step:
        return new
    if isinstance(chain, ast.Call) and isinstance(chain.func, ast.Attribute):
        call, attribute = copy.copy(chain), copy.copy(chain.func)
        attribute.value = replaced_step(chain.func.value, step, new)
        call.func = attribute
        return call
    return chain  # type: ignore[return-value]


def _names(targets: list[ast.expr], name: str) -> bool:
    return len(targets) == 1 and isinstance(targets[0], ast.Name) and targets[0].id == name


def _added(node: ast.AST, name: str) -> list[ast.expr]:
    """``name.append(x)``, ``name.extend([x, y])``, ``name += [x]``: what it adds."""
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if dotted(call.func) == f"{name}.append" and len(call.args) == 1:
            return [call.args[0]]
        if dotted(call.func) == f"{name}.extend" and len(call.args) == 1:
            arg = call.args[0]
            return list(arg.elts) if isinstance(arg, ast.List | ast.Tuple) else []
    if (
        isinstance(node, ast.AugAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == name
        and isinstance(node.value, ast.List | ast.Tuple)
    ):
        return list(node.value.elts)
    return []


def _guarded(node: ast.AST, func: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, _GUARDS):
            return True
        current = up.get(current)
    return False


def _guard_names(node: ast.AST, func: ast.AST, up: dict[ast.AST, ast.AST]) -> frozenset[str] | None:
    """The names the ``if`` tests around ``node`` read; None under another guard."""
    names: set[str] = set()
    current = up.get(node)
    while current is not None and current is not func:
        if isinstance(current, ast.If):
            names.update(n.id for n in ast.walk(current.test) if isinstance(n, ast.Name))
        elif isinstance(current, _GUARDS):
            return None
        current = up.get(current)
    return frozenset(names)


def _module_function(source: Source, name: str) -> ast.FunctionDef | None:
    if not name or "." in name:
        return None
    return top_level_function(source, name)


def _returned_list(func: ast.FunctionDef) -> str | None:
    returned = [r.value for r in ast.walk(func) if isinstance(r, ast.Return) and r.value]
    if len(returned) == 1 and isinstance(returned[0], ast.Name):
        return returned[0].id
    return None


def _target(condition: ast.expr) -> ast.expr | None:
    """The column a condition tests: ``M.col == x`` / ``M.col.in_(xs)``."""
    if isinstance(condition, ast.Compare) and len(condition.ops) == 1:
        return condition.left
    if isinstance(condition, ast.Call) and isinstance(condition.func, ast.Attribute):
        return condition.func.value
    return None


def _owner(condition: ast.expr) -> str:
    target = _target(condition)
    parts = dotted(target).split(".") if target is not None else []
    return parts[0] if len(parts) == 2 else ""


def _column(condition: ast.expr) -> str:
    target = _target(condition)
    parts = dotted(target).split(".") if target is not None else []
    return parts[-1] if len(parts) == 2 else ""
