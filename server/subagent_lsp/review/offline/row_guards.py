"""How a module already answers a missing row: ``if not article: raise
InvalidUsage.article_not_found()`` / ``if member is None: return "Not Found", 404`` right after
another lookup of the same model. BKD306's fixes use the same test and statement (missing_rows
for Flask-SQLAlchemy's own lookups, helper_rows for a query class's, fetched_rows for a DB-API
``fetchone()``), so that a fix reads like the code around it."""

from __future__ import annotations

import ast
from typing import NamedTuple

from .frameworks import ModuleFacts, Route
from .pysource import Source, dotted, single_binding
from .row_methods import model_of

# A query class's methods that look one row up by their name (``Person.query.get(id,
# project)``, ``Project.query.get_by_name(name)``): what a guard after one answers.
_LOOKUPS = ("get_", "find_")


def session_get(call: ast.Call) -> bool:
    """``db.session.get(Model, id)`` (SQLAlchemy 2's ``Session.get``): None when no row has
    that key, as ``Model.query.get(id)`` was."""
    return (
        get_through(call, "session", 2)
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id[:1].isupper()
    )


def get_through(call: ast.Call, owner: str, args: int) -> bool:
    """``<name>.<owner>.get(...)`` with ``args`` positional arguments and no keywords."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "get"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == owner
        and isinstance(func.value.value, ast.Name)
        and len(call.args) == args
        and not call.keywords
    )


class _Guard(NamedTuple):
    """A one-line guard right after a lookup (``row = lookup(...)``, then ``if not row:``)."""

    lookup: ast.Call
    returns: bool  # a ``return``: an answer only from a handler that answers
    test: str  # written for ``{name}``
    text: str
    stmt: ast.stmt  # the guard's answer (``abort(404, message="...")``)


def app_guard(facts: ModuleFacts, call: ast.Call, route: Route) -> tuple[str, str] | None:
    """The guard after another lookup of ``call``'s model in this module: its test, written
    for ``x``, and its statement. Not a ``return`` into a view class's helper method, whose
    caller takes what it returns."""
    model = lookup_model(call)
    for guard in _guards(facts.source).get(model, []) if model else []:
        if guard.lookup is not call and (route.answers or not guard.returns):
            return guard.test, guard.text
    return None


def module_guards(source: Source) -> list[tuple[str, ast.stmt]]:
    """Every one-line guard after a lookup in the module, of any model: its test (written for
    ``{name}``) and its statement."""
    return [(g.test, g.stmt) for guards in _guards(source).values() for g in guards]


def _guards(source: Source) -> dict[str, list[_Guard]]:
    """The module's guards after lookups, by the lookup's model, in the order a walk of the
    module meets their blocks: read once per parse (asked for every lookup a fix is made for)."""
    cached: dict[str, list[_Guard]] | None = source.__dict__.get("_row_guards")
    if cached is not None:
        return cached
    up = source.up()
    found: list[tuple[ast.AST, int, str, _Guard]] = []
    # ``book : BookModel = ...first()`` then ``if not book:`` as well as the plain assignment
    binds: list[ast.Assign | ast.AnnAssign] = [*source.of(ast.Assign), *source.of(ast.AnnAssign)]
    binds.sort(key=lambda stmt: (stmt.lineno, stmt.col_offset))
    for stmt in binds:
        name = single_binding(stmt)
        if not (isinstance(stmt.value, ast.Call) and name is not None):
            continue
        model = lookup_model(stmt.value)
        owner = up.get(stmt)
        block = getattr(owner, "body", None)
        if not model or owner is None or not isinstance(block, list):
            continue
        at = next((i for i, s in enumerate(block) if s is stmt), len(block))
        following = block[at + 1] if at + 1 < len(block) else None
        if not isinstance(following, ast.If):
            continue
        test = missing_test(following.test, name)
        if test is None or len(following.body) != 1 or following.orelse:
            continue
        guard = following.body[0]
        answers = isinstance(guard, ast.Raise | ast.Return) or (
            isinstance(guard, ast.Expr)
            and isinstance(guard.value, ast.Call)
            and dotted(guard.value.func).split(".")[-1] == "abort"
        )
        if not answers or any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(guard)):
            continue
        text = source.text_of(guard)
        if "\n" not in text:
            returns = isinstance(guard, ast.Return)
            found.append((owner, at, model, _Guard(stmt.value, returns, test, text, guard)))
    if len({id(owner) for owner, *_ in found}) > 1:
        walked = {id(node): i for i, node in enumerate(source.walk())}
        found.sort(key=lambda f: (walked[id(f[0])], f[1]))
    table: dict[str, list[_Guard]] = {}
    for _, _, model, found_guard in found:
        table.setdefault(model, []).append(found_guard)
    source.__dict__["_row_guards"] = table  # published whole: worker threads share a parse
    return table


def missing_test(test: ast.expr, name: str) -> str | None:
    """``not x`` / ``x is None``, as a template for another name; of ``not x or x.project !=
    project`` its first part, which alone is the row's absence."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return missing_test(test.values[0], name)
    if (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and isinstance(test.operand, ast.Name)
        and test.operand.id == name
    ):
        return "not {name}"
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == name
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        return "{name} is None"
    return None


def lookup_model(call: ast.Call) -> str:
    """``Article.query.filter_by(...).first()`` -> Article (only first() chains count),
    ``db.session.get(Article, id)`` -> Article, and a query class's lookup
    ``Person.query.get(id, project)`` -> Person."""
    if session_get(call):
        return dotted(call.args[0])
    func = call.func
    if not isinstance(func, ast.Attribute):
        return ""
    if func.attr == "get" or func.attr.startswith(_LOOKUPS):
        return model_of(func.value, "query") or ""
    if func.attr != "first":
        return ""
    node: ast.expr = func.value
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Attribute) and node.attr == "query":
        return dotted(node.value)
    return ""
