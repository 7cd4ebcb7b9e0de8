"""BKD315 of a row the route makes whole from the client's body: SQLModel's and Pydantic's
``User.model_validate(user)`` (``User.from_orm(user)``, ``parse_obj``), every field of the body
copied, the unique ``username`` with them. The route commits it itself, or hands the row to a
CRUD function that adds and commits it (``crud.create_user(session, user_data)``, with no
constructor of its own to read): a real FastAPI app's sign-up and user creation.

The body's fields are those of its model (the route's annotation), or what a converter of it
copies (body_converters). The commit is the route's (``session.commit()`` after the row is
made) or the callee's: it adds the parameter the row came in (``session.add(user)``) and
commits the session the route passed. Nothing on the way may catch it or look the value up
first; the fix, as for a create in the route or a CRUD function, is at the route.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .body_converters import converted_fields
from .create_reads import (
    CAUGHT,
    bindings,
    commit_after,
    looked_up,
    model_fields,
    model_named,
    sent_as_is,
    unique,
)
from .frameworks import ModuleFacts, Route
from .helper_creates import HelperCreate
from .pysource import dotted
from .schema import Schema
from .try_blocks import caught

# Class methods that build the model from another object's fields, all of them.
_VALIDATORS = frozenset({"model_validate", "from_orm", "parse_obj", "validate"})


@dataclass(frozen=True)
class MadeRow:
    made: ast.Call  # ``User.model_validate(user)``
    model: str
    column: str


def made_rows(facts: ModuleFacts, route: Route, schema: Schema) -> list[MadeRow]:
    """The rows the route builds whole from the client's body with a unique column of it."""
    out: list[MadeRow] = []
    bound = bindings(route.func)
    params = {a.arg: a for a in [*route.func.args.args, *route.func.args.kwonlyargs]}
    for node in facts.source.nodes_of(route.func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _VALIDATORS
            and len(node.args) == 1
        ):
            continue
        model = model_named(facts.source, node.func.value, schema)
        table = schema.table_for_model(model) if model is not None else None
        if model is None or table is None or facts.upstream is None:
            continue
        arg = node.args[0]
        fields: list[str] = []
        given = params.get(arg.id) if isinstance(arg, ast.Name) else None
        if given is not None and given.annotation is not None:
            if sent_as_is(arg, route, bound, 0):
                fields = model_fields(facts.upstream, facts.source, given.annotation)
        elif isinstance(arg, ast.Name):
            made = bound.get(arg.id)
            fields = converted_fields(facts.upstream, facts.source, made, route, bound)
        column = next((f for f in fields if unique(table, f)), None)
        if column is not None and not looked_up(route.func, column):
            out.append(MadeRow(node, model, column))
    return out


def handed_on(facts: ModuleFacts, route: Route, row: MadeRow) -> HelperCreate | None:
    """The route's call that hands the row to a project function which adds and commits it,
    with nothing on the way to answer a duplicate."""
    upstream = facts.upstream
    if upstream is None:
        return None
    names = _row_names(facts, row.made)
    for call in sorted(
        (n for n in facts.source.nodes_of(route.func) if isinstance(n, ast.Call)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        if call.lineno < row.made.lineno or caught(call, facts.up, CAUGHT):
            continue
        target = upstream.callee(facts.source, call)
        if target is None or facts.is_route(target[1]):
            continue
        src, func = target
        positional = [*func.args.posonlyargs, *func.args.args]
        if positional and positional[0].arg in ("self", "cls"):
            positional = positional[1:]
        by_name = {a.arg: a for a in [*positional, *func.args.kwonlyargs]}
        filled = [*zip(positional, call.args, strict=False)]
        filled += [(by_name[k.arg], k.value) for k in call.keywords if k.arg in by_name]
        rows = {p.arg for p, arg in filled if arg is row.made or dotted(arg) in names}
        sessions = {p.arg: dotted(arg) for p, arg in filled if p.arg not in rows and dotted(arg)}
        if not rows or looked_up(func, row.column):
            continue
        for add in src.nodes_of(func):
            if not (
                isinstance(add, ast.Call)
                and isinstance(add.func, ast.Attribute)
                and add.func.attr == "add"
                and len(add.args) == 1
                and dotted(add.args[0]) in rows
            ):
                continue
            commit = commit_after(func, add)
            if commit is None or caught(commit, src.up(), CAUGHT):
                continue
            root, _, rest = dotted(commit.func)[: -len(".commit")].partition(".")
            if root not in sessions:
                continue
            before = any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr == "commit"
                and n.lineno < add.lineno
                for n in src.nodes_of(func)
            )
            return HelperCreate(
                call,
                dotted(call.func),
                src.path,
                row.model,
                row.column,
                sessions[root] + (f".{rest}" if rest else ""),
                isinstance(src.up().get(commit), ast.Await),
                before,
                facts.source.text_of(row.made),
            )
    return None


def added(facts: ModuleFacts, func: ast.AST, row: MadeRow) -> bool:
    """The route adds the row to its session itself (``session.add(user_data)``)."""
    names = _row_names(facts, row.made)
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "add"
        and len(n.args) == 1
        and (n.args[0] is row.made or dotted(n.args[0]) in names)
        for n in facts.source.nodes_of(func)
    )


def _row_names(facts: ModuleFacts, made: ast.Call) -> set[str]:
    """The local the route binds the row to (``user_data = User.model_validate(user)``)."""
    parent = facts.up.get(made)
    if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
        target = parent.targets[0]
        if isinstance(target, ast.Name):
            return {target.id}
    return set()
