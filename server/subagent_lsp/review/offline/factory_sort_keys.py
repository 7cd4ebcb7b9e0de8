"""BKD212 for a handler a CRUD factory makes: ``getattr(model.table, order_by)``.

A generic module defines one read-range handler per model by a factory
(``def make_read_range(model): def read_range(order_by: str = None): ...``) registered for
every model (api_routes). The class sorted is the factory's parameter, so sort_keys.py has
no model of the schema to take an allow-list from, and stays silent; the sort key is still
the client's, and an unknown name is still an AttributeError (a 500), a relationship's name
fails in ``asc()``, and any attribute of the class is reachable.

The check is the columns of whichever class the factory is given, read at request time:
``if order_by and order_by not in model.table.__table__.columns:`` answers 400 (a
ColumnCollection tests a name by its key, which SQLModel and plain columns name as their
attribute; a model that maps an attribute to a column named apart is read through its
mapper's columns instead, keyed by attribute).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .client_text import (
    ClientText,
    allow_listed,
    client_text,
    holders,
    tested_inline,
    text_reader,
)
from .frameworks import ModuleFacts, Route, caught
from .pysource import binds_anywhere, dotted
from .sort_keys import (
    directed,
    getattr_of,
    membership_check,
    order_by_calls,
    through_local,
)

Function = ast.FunctionDef | ast.AsyncFunctionDef


def factory_sort_key_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "order_by" not in facts.source.text:
        return []
    out = []
    for route in facts.routes:
        factory = facts.up.get(route.func)
        if route.framework != "fastapi" or not isinstance(
            factory, ast.FunctionDef | ast.AsyncFunctionDef
        ):
            continue
        found = _site(facts, route, factory)
        if found is not None:
            out.append(found)
    return out


def _site(facts: ModuleFacts, route: Route, factory: Function) -> Suggestion | None:
    func = route.func
    given = {a.arg for a in (*factory.args.posonlyargs, *factory.args.args)}
    given |= {a.arg for a in factory.args.kwonlyargs}
    reader = text_reader(facts, route)
    for call in order_by_calls(facts.source, func):
        for arg in call.args:
            for expr in directed(through_local(func, arg)):
                attribute = getattr_of(func, expr)
                if attribute is None:
                    continue
                value, node = attribute
                owner = dotted(node.args[0])
                root = owner.split(".")[0]
                if not owner or root not in given or binds_anywhere(func, root):
                    continue  # not the factory's class: sort_keys.py reads a known model
                if caught(node, facts.up, {"AttributeError"}, client_error=True):
                    continue
                key = client_text(reader, value)
                if key is None or not key.name or key.constrained:
                    continue
                if allow_listed(func, holders(reader, key)) or tested_inline(func, key.expr):
                    continue
                return _suggestion(facts, route, factory, node, key, owner)
    return None


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    factory: Function,
    node: ast.Call,
    key: ClientText,
    owner: str,
) -> Suggestion | None:
    against = f"{owner}.{_columns(facts)}"
    edits = membership_check(facts, route, key, node, against, None)
    if edits is None:
        return None
    src = facts.source
    root = owner.split(".")[0]
    return Suggestion(
        "BKD212",
        "validation",
        src.path,
        src.span(node),
        f"Allow only the columns of `{owner}` as the sort key `{key.label}`",
        f"`{src.text_of(node)}` sorts by whatever attribute the client names in "
        f"`{key.label}`: an unknown name raises AttributeError (a 500), a relationship's "
        f"name fails when sorted, and any attribute of the class is reachable. `{root}` is "
        f"the parameter of the factory `{factory.name}`, so the check is the columns of "
        f"whichever model it is given: testing `{key.label}` against `{against}` answers "
        "400 to anything else.",
        tuple(edits),
    )


def _columns(facts: ModuleFacts) -> str:
    """SQLModel names a column as its attribute; plain SQLAlchemy may not, and its mapper's
    columns are keyed by attribute, as ``getattr`` reads them."""
    if any(v.split(".")[0] == "sqlmodel" for v in facts.imports.values()):
        return "__table__.columns"
    return "__mapper__.columns"
