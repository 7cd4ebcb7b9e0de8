"""A Flask-SQLAlchemy ``.first()`` whose row must exist, so no 404 for a miss.

Judged on a real app (held-out round 18), two such 404s were noise: ``login`` re-read the user
it had just loaded or created by that row's own id (``filter_by(id=userobj.id)``), and a PUT
looked up ``Video`` by the id under which it had just found a ``VideoInfo`` row whose
non-null foreign key points at ``Video``. A key read off a row the server loaded is its data,
not the client's; a child row found by the key says the parent is there.
"""

from __future__ import annotations

import ast

from .earlier_guards import inside_if, negated, refused_before
from .frameworks import ModuleFacts
from .pysource import dotted, method_of

_ROW_ENDS = frozenset({"first", "one", "get", "first_or_404", "one_or_404", "get_or_404"})


def row_implied(facts: ModuleFacts, call: ast.Call) -> bool:
    """``call`` (``Model.query.filter_by(...).first()``) is keyed by a loaded row's column,
    by a key a row referencing the model was found under, or by the signed-in user's own."""
    chain = call.func.value if isinstance(call.func, ast.Attribute) else None
    if chain is not None and _signed_in_user_only(chain):
        return True
    if not (isinstance(chain, ast.Call) and isinstance(chain.func, ast.Attribute)):
        return False
    if chain.func.attr != "filter_by" or chain.args or not chain.keywords:
        return False
    func = facts.source.function_of(call)
    if func is None:
        return False
    binds = _bindings(func, call.lineno)
    values = [k.value for k in chain.keywords]
    if all(_row_attribute(v, binds) for v in values):
        return True
    model = _model(chain.func.value)
    return model is not None and _child_found(facts, func, call, model, chain.keywords, binds)


def _bindings(func: ast.AST, before: int) -> dict[str, list[ast.expr]]:
    out: dict[str, list[ast.expr]] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and node.lineno < before:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
    return out


def _row_attribute(value: ast.expr, binds: dict[str, list[ast.expr]]) -> bool:
    """``userobj.id`` where every binding of ``userobj`` is a row: a query's ``.first()`` (its
    attribute read would have raised on None already) or a new ``User(...)``."""
    if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)):
        return False
    found = binds.get(value.value.id, [])
    return bool(found) and all(_row(v) for v in found)


def _row(node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = dotted(node.func)
    if isinstance(node.func, ast.Attribute) and node.func.attr in _ROW_ENDS:
        return ".query" in f"{name}." or "session.query(" in ast.unparse(node.func)
    return bool(name) and "." not in name and name[:1].isupper()  # ``User(username=...)``


def _model(node: ast.expr) -> str | None:
    """``Video.query`` -> Video; ``db.session.query(Video)`` -> Video."""
    if isinstance(node, ast.Attribute) and node.attr == "query":
        return dotted(node.value) or None
    if isinstance(node, ast.Call) and dotted(node.func).endswith("session.query") and node.args:
        return dotted(node.args[0]) or None
    return None


def _child_found(
    facts: ModuleFacts,
    func: ast.AST,
    call: ast.Call,
    model: str,
    keywords: list[ast.keyword],
    binds: dict[str, list[ast.expr]],
) -> bool:
    """``info = VideoInfo.query.filter_by(video_id=id).first()``, then inside ``if info:``
    the ``Video.query.filter_by(video_id=id).first()``: ``video_info.video_id`` is a foreign
    key to ``video``, and a row was found under that very key, so the parent row exists."""
    schema = facts.schema
    parent = schema.table_for_model(model) if schema is not None else None
    if parent is None or len(keywords) != 1 or keywords[0].arg is None:
        return False
    key = ast.unparse(keywords[0].value)
    for name, values in binds.items():
        if len(values) != 1 or not _inside_truthy(func, call, name):
            continue
        found = values[0]
        if not (isinstance(found, ast.Call) and isinstance(found.func, ast.Attribute)):
            continue
        inner = found.func.value
        if found.func.attr != "first" or not isinstance(inner, ast.Call):
            continue
        if not isinstance(inner.func, ast.Attribute) or inner.func.attr != "filter_by":
            continue
        child_model = _model(inner.func.value)
        child = schema.table_for_model(child_model) if child_model and schema else None
        if child is None or child is parent:
            continue
        for kw in inner.keywords:
            column = child.columns.get(kw.arg or "")
            if (
                column is not None
                and ast.unparse(kw.value) == key
                and column.references in (parent.name, parent.model)
            ):
                return True
    return False


def _inside_truthy(func: ast.AST, call: ast.Call, name: str) -> bool:
    """The call sits in the body of ``if name:`` (or ``if name is not None:``)."""
    for node in ast.walk(func):
        if not isinstance(node, ast.If):
            continue
        test = node.test
        truthy = (isinstance(test, ast.Name) and test.id == name) or (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Name)
            and test.left.id == name
            and isinstance(test.ops[0], ast.IsNot)
        )
        if truthy and any(call in ast.walk(stmt) for stmt in node.body):
            return True
    return False


_SIGNED_IN = ("current_user", "g.user", "flask_login.current_user")


def _signed_in_user_only(query: ast.expr) -> bool:
    """Every value the query filters by is the signed-in user's (``current_user.id``,
    ``g.user.id``): Flask-Login loaded that row for the request, a miss is no client's doing
    (judged noise on a real app, freshermeat)."""
    values: list[ast.expr] = []
    node = query
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "filter_by":
            values.extend(k.value for k in node.keywords)
        elif node.func.attr in ("filter", "where"):
            for arg in node.args:
                if not (isinstance(arg, ast.Compare) and len(arg.comparators) == 1):
                    return False
                values.append(arg.comparators[0])
        node = node.func.value
    return bool(values) and all(
        isinstance(v, ast.Attribute) and dotted(v.value) in _SIGNED_IN for v in values
    )


def exists_checked(facts: ModuleFacts, call: ast.Call) -> bool:
    """``qs.first()`` under ``if qs.exists():`` or after ``if not qs.exists(): return``, the
    same queryset written the same way; the test may be a property of the view's class that
    returns that ``.exists()`` (``if self.user_was_invited:``, round 24's covidportal)."""
    if not isinstance(call.func, ast.Attribute):
        return False
    wanted = ast.dump(call.func.value)
    owner = _class_of(facts, call)

    def holds(test: ast.expr) -> bool:
        if isinstance(test, ast.Call) and not test.args and not test.keywords:
            if isinstance(test.func, ast.Attribute) and test.func.attr == "exists":
                return ast.dump(test.func.value) == wanted
            test = test.func  # ``self.was_invited()``
        if owner is None or not (isinstance(test, ast.Attribute) and dotted(test.value) == "self"):
            return False
        method = method_of(owner, test.attr)
        if not isinstance(method, ast.FunctionDef):
            return False
        last = method.body[-1]
        return isinstance(last, ast.Return) and last.value is not None and holds(last.value)

    def refuses(test: ast.expr) -> bool:
        operand = negated(test)
        return operand is not None and holds(operand)

    return inside_if(call, facts.up, holds) or refused_before(call, facts.up, refuses)


def _class_of(facts: ModuleFacts, node: ast.AST) -> ast.ClassDef | None:
    current = facts.up.get(node)
    while current is not None and not isinstance(current, ast.ClassDef):
        current = facts.up.get(current)
    return current
