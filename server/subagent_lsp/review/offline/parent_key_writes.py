"""BKD333's writes: where a function puts the client's values into a row's foreign keys, and
the commit that sends them to the database.

A site is a keyword of an ORM model's constructor (``Course(teacher_id=data.teacher_id)``),
``**body.model_dump()`` (``.dict()``) of a body model with such a field, a ``setattr`` loop over
it (``for key, value in data.dict(exclude_unset=True).items(): setattr(row, key, value)``, an
update), or assignments to a loaded row's attributes (``trip.car_id = request.json["car_id"]``).
The write is the function's first ``commit()`` (``flush()``) of a session after the site, a
new row added to a session first (``add``, ``add_all``, ``merge``), by a session the lookup can
use where it goes: the route's (a project function's parameter the route filled), a module's,
or a local bound before the site. How each value is read is parent_keys'; whether the commit's
failure is already answered, parent_checks'.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .create_reads import bindings, model_named
from .delete_children import row_model
from .frameworks import enclosing_statement
from .helper_creates import module_level, splatted
from .parent_checks import duplicate_answers
from .parent_keys import ParentKey, Splat, Valued
from .pysource import Source, dotted
from .row_uses import session_like
from .schema import Schema, Table

Function = ast.FunctionDef | ast.AsyncFunctionDef
_WRITES = ("commit", "flush")


@dataclass(frozen=True)
class KeySite:
    """Where a function writes the client's values into a row's foreign keys: ``Model(...)``
    (a create), a ``setattr`` loop over the body's fields, or ``row.key = ...``."""

    anchor: ast.AST  # the call, the loop, the first assignment
    model: str
    keys: tuple[ParentKey, ...]
    update: bool


@dataclass(frozen=True)
class KeyWrite:
    func: Function  # the function writing the row (the route, or a project function)
    source: Source
    site: KeySite
    write: ast.Call  # the commit (flush) after it
    session: str  # the session as the route holds it (``db``, ``db.session``)
    awaited: bool
    at: ast.Call | None  # the route's call reaching a project function's write
    duplicate: ast.ExceptHandler | None  # an ``except`` answering the error as a duplicate


def key_sites(
    src: Source,
    func: Function,
    schema: Schema,
    models: dict[str, str],
    splat: Splat,
    valued: Valued,
) -> list[KeySite]:
    """The function's writes of foreign keys from the client's values, in source order
    (``models``: parameters a caller filled with a model class)."""
    bound = bindings(func)
    out: list[KeySite] = []
    for call in _calls(src, func):
        model = models.get(dotted(call.func)) or model_named(src, call.func, schema)
        table = _orm_table(schema, model)
        if model is None or table is None:
            continue
        keys: list[ParentKey] = []
        for keyword in call.keywords:
            if keyword.arg is None:
                name = splatted(keyword.value, bound)
                keys += splat(name, table, False) if name is not None else []
            elif (key := valued(keyword.arg, keyword.value, table)) is not None:
                keys.append(key)
        if keys:
            out.append(KeySite(call, model, tuple(keys), False))
    assigned: dict[str, tuple[ast.stmt, str, list[ParentKey]]] = {}
    for node in src.nodes_of(func):
        if src.function_of(node) is not func:
            continue
        if isinstance(node, ast.For):
            loop = _setattr_loop(node, bound)
            model = row_model(src, func, ast.Name(id=loop[1]), schema, 0) if loop else None
            table = _orm_table(schema, model)
            if loop is not None and model is not None and table is not None:
                keys = splat(loop[0], table, True)
                if keys:
                    out.append(KeySite(node, model, tuple(keys), True))
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(target := node.targets[0], ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id not in ("self", "cls")
        ):
            row = target.value.id
            model = row_model(src, func, target.value, schema, 0)
            table = _orm_table(schema, model)
            key = valued(target.attr, node.value, table) if table is not None else None
            if model is not None and key is not None:
                first = assigned.setdefault(row, (node, model, []))
                first[2].append(key)
    out += [KeySite(stmt, model, tuple(keys), True) for stmt, model, keys in assigned.values()]
    return sorted(out, key=lambda site: getattr(site.anchor, "lineno", 0))


def _orm_table(schema: Schema, model: str | None) -> Table | None:
    table = schema.table_for_model(model) if model is not None else None
    return table if table is not None and table.origin == "sqlalchemy" else None


def _setattr_loop(loop: ast.For, bound: dict[str, ast.expr]) -> tuple[str, str] | None:
    """``for key, value in data.dict(exclude_unset=True).items(): setattr(row, key, value)``:
    the body's and the row's names."""
    target, it = loop.target, loop.iter
    if not (
        isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and all(isinstance(e, ast.Name) for e in target.elts)
        and isinstance(it, ast.Call)
        and isinstance(it.func, ast.Attribute)
        and it.func.attr == "items"
        and not it.args
    ):
        return None
    name, value = (e.id for e in target.elts)  # type: ignore[attr-defined]
    body = splatted(it.func.value, bound)
    if body is None:
        return None
    for stmt in loop.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and dotted(call.func) == "setattr"
            and len(call.args) == 3
            and isinstance(row := call.args[0], ast.Name)
            and [dotted(a) for a in call.args[1:]] == [name, value]
        ):
            return body, row.id
    return None


def _calls(src: Source, func: Function) -> list[ast.Call]:
    return sorted(
        (n for n in src.nodes_of(func) if isinstance(n, ast.Call) and n.keywords),
        key=lambda n: (n.lineno, n.col_offset),
    )


def committed(
    src: Source, func: Function, site: KeySite, sessions: dict[str, str] | None
) -> tuple[ast.Call, str, ast.ExceptHandler | None] | None:
    """The row is committed (flushed) after the site, added to a session first where it is
    made, with nothing around the write to answer the error (or only a duplicate's answer):
    the write, the session as the route holds it (``sessions`` maps a project function's
    parameters to the route's arguments), and that duplicate's ``except``."""
    call = site.anchor
    if isinstance(call, ast.Call) and not site.update and not _added(src, func, call):
        return None
    up = src.up()
    end = (getattr(call, "end_lineno", 0) or 0, getattr(call, "end_col_offset", 0) or 0)
    writes = sorted(
        (
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr in _WRITES
            and not n.args
            and (n.lineno, n.col_offset) >= end
            and session_like(n.func.value)
            and src.function_of(n) is func
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    if not writes:
        return None
    write = writes[0]
    assert isinstance(write.func, ast.Attribute)
    receiver = dotted(write.func.value)
    if not receiver:
        return None
    root, _, rest = receiver.partition(".")
    if sessions is not None:
        if root in sessions:
            receiver = sessions[root] + (f".{rest}" if rest else "")
        elif not module_level(src, root):
            return None
    elif not _bound_before(src, func, root, call):
        return None
    duplicates = duplicate_answers(write, up)
    if duplicates is None:
        return None
    return write, receiver, duplicates[0] if duplicates else None


def _added(src: Source, func: Function, call: ast.Call) -> bool:
    """``session.add(row)`` (``add_all``, ``merge``) of the row ``call`` makes, or of the
    call itself."""
    up = src.up()
    parent = up.get(call)
    if isinstance(parent, ast.Call) and _adds(parent) and call in parent.args:
        return True
    stmt = enclosing_statement(call, up)
    if not (
        isinstance(stmt, ast.Assign | ast.AnnAssign)
        and stmt.value is call
        and (targets := stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        and len(targets) == 1
        and isinstance(targets[0], ast.Name)
    ):
        return False
    name = targets[0].id
    return any(
        isinstance(n, ast.Call)
        and _adds(n)
        and any(isinstance(a, ast.Name) and a.id == name for arg in n.args for a in ast.walk(arg))
        for n in src.nodes_of(func)
        if getattr(n, "lineno", 0) >= call.lineno
    )


def _adds(call: ast.Call) -> bool:
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr in ("add", "add_all", "merge")
        and session_like(call.func.value)
    )


def _bound_before(src: Source, func: Function, name: str, at: ast.AST) -> bool:
    """``name`` means the same where the lookup goes (before ``at``): a parameter, a module
    name, or a local bound before it (``with Session() as db:``)."""
    args = func.args
    if name in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}:
        return True
    line = getattr(at, "lineno", 0)
    for node in src.nodes_of(func):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            return node.lineno < line
    return module_level(src, name)
