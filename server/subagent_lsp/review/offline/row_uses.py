"""Where a row that may be None is used as if it were there: an attribute read (``page.title``),
a subscript (``row[1]``), an unpacking (``a, b = row``), ``key in row`` or a session's
``delete(row)``, each of which raises on None, with nothing testing the name before it."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pysource import Source, dotted, every_node
from .try_blocks import answers_server_error, handler_names


def read_unchecked(
    facts: ModuleFacts, func: ast.AST, name: str, after: int, helpers: bool, copies: bool = False
) -> str | None:
    """The first use of ``name`` in ``func`` after line ``after`` that raises on None, with
    nothing testing ``name`` before it; with ``helpers``, also ``serialize(name)`` where that
    project function reads an attribute of its parameter unchecked; with ``copies``, also
    ``dict(name)`` (a DB-API row's usual way out, a TypeError on None)."""
    tested = False
    up: dict[ast.AST, ast.AST] | None = None
    for node in sorted(
        (n for n in every_node(func) if getattr(n, "lineno", 0) > after),
        key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
    ):
        if isinstance(node, ast.If | ast.IfExp | ast.While | ast.Assert | ast.BoolOp):
            test = node.values if isinstance(node, ast.BoolOp) else [node.test]
            if any(tests_name(t, name) for t in test):
                tested = True
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return None  # rebound: what follows is another value
        use = _use_of(node, name) or (_copy_of(node, name) if copies else None)
        if use is not None:
            if tested:
                return None
            if up is None:
                up = {c: p for p in ast.walk(func) for c in ast.iter_child_nodes(p)}
            if _swallowed(node, up):
                # ``try: user.delete_index() except Exception: log.exception(...)``: its
                # AttributeError is logged, no 500; a later use may still raise
                continue
            return use
        if helpers and not tested and isinstance(node, ast.Call):
            read = _helper_reads(facts, node, name)
            if read is not None:
                return read
    return None


def _swallowed(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """``node`` is in the body of a ``try`` of its function whose handler takes the
    AttributeError or TypeError a None raises (or anything broader) and answers no 5xx and
    re-raises nothing."""
    child, current = node, up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.Try) and child in current.body:
            for handler in current.handlers:
                if not handler_names(handler) & _NONE_ERRORS:
                    continue
                raises = any(isinstance(n, ast.Raise) for n in ast.walk(handler))
                return not raises and not answers_server_error(handler)
        child, current = current, up.get(current)
    return False


# What using None raises, and what catches it.
_NONE_ERRORS = frozenset({"AttributeError", "TypeError", "Exception", "BaseException"})


def _use_of(node: ast.AST, name: str) -> str | None:
    """``node`` uses ``name`` in a way that raises on None."""
    if isinstance(node, ast.Attribute | ast.Subscript) and _is(node.value, name):
        return f"{name}.{node.attr}" if isinstance(node, ast.Attribute) else f"{name}[...]"
    if (
        isinstance(node, ast.Assign)
        and _is(node.value, name)
        and any(isinstance(t, ast.Tuple | ast.List) for t in node.targets)
    ):
        return f"unpacking {name}"
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and _is(node.comparators[0], name)
    ):
        return ast.unparse(node)  # ``x in None``: TypeError, not False
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "delete"
        and len(node.args) == 1
        and _is(node.args[0], name)
        and session_like(node.func.value)
    ):
        # SQLAlchemy's ``Session.delete(None)`` raises UnmappedInstanceError.
        return f"{dotted(node.func)}({name})"
    return None


def _copy_of(node: ast.AST, name: str) -> str | None:
    """``dict(row)`` / ``list(row)`` / ``tuple(row)``: iterating None raises TypeError."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("dict", "list", "tuple")
        and len(node.args) == 1
        and not node.keywords
        and _is(node.args[0], name)
    ):
        return f"{node.func.id}({name})"
    return None


def session_like(node: ast.expr) -> bool:
    """A session or connection by its name: ``db.session``, ``session``, ``db``, ``conn``."""
    last = dotted(node).rsplit(".", 1)[-1].lower()
    return "session" in last or last in ("db", "sess", "conn", "connection")


_AGGREGATES = frozenset({"count", "sum", "avg", "min", "max", "array_agg", "string_agg", "every"})


def is_aggregate(node: ast.AST) -> bool:
    """``func.count(...)`` or an expression over one (``func.coalesce(func.sum(x), 0)``): a
    query selecting only such gives one row whatever matches."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _AGGREGATES
        and dotted(n.func.value).split(".")[-1] == "func"
        for n in ast.walk(node)
    )


def _is(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _helper_reads(facts: ModuleFacts, call: ast.Call, name: str) -> str | None:
    """``serialize_product(product)`` / ``form.save(project, member)``: a project function or
    method (upstream_calls' callee: of a receiver built, typed or made by a project factory)
    given the row that reads or sets an attribute of it before testing it (``product.sku``,
    ``person.name = ...``)."""
    if facts.upstream is None:
        return None
    index = next((i for i, a in enumerate(call.args) if _is(a, name)), None)
    if any(isinstance(a, ast.Starred) for a in call.args[: index or 0]):
        return None  # ``f(*extra, row)``: its parameter is not known here
    keyword = next((k.arg for k in call.keywords if k.arg and _is(k.value, name)), None)
    if index is None and keyword is None:
        return None
    found = facts.upstream.callee(facts.source, call)
    if found is None:
        return None
    _, helper = found
    params = [a.arg for a in [*helper.args.posonlyargs, *helper.args.args]]
    if params[:1] in (["self"], ["cls"]):
        if params[0] == "self" and _named_class(facts, call):
            return None  # ``Form.save(form, row)``: which argument is which is not read here
        params = params[1:]
    if index is not None:
        param = params[index] if index < len(params) else None
    else:
        param = keyword if keyword in params or keyword in _kwonly(helper) else None
    if param is None or read_unchecked(facts, helper, param, 0, helpers=False) is None:
        return None
    return f"{dotted(call.func)}({name})"


def _named_class(facts: ModuleFacts, call: ast.Call) -> bool:
    """The call's receiver names a project class (``Form.save(...)``), not an instance."""
    func = call.func
    return (
        facts.upstream is not None
        and isinstance(func, ast.Attribute)
        and facts.upstream.resolve_class(facts.source, func.value) is not None
    )


def _kwonly(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [a.arg for a in func.args.kwonlyargs]


def tests_name(test: ast.expr, name: str) -> bool:
    """``name`` itself is tested (``if page``, ``page is None``): not ``if not page.flag`` or
    ``if row["status"] != ...``, whose attribute or item raises on None as any other use
    would."""
    reads = {id(n.value) for n in ast.walk(test) if isinstance(n, ast.Attribute | ast.Subscript)}
    reads |= {  # ``key in row`` raises on None too
        id(n.comparators[0])
        for n in ast.walk(test)
        if isinstance(n, ast.Compare) and isinstance(n.ops[0], ast.In | ast.NotIn)
    }
    return any(
        isinstance(n, ast.Name) and n.id == name and id(n) not in reads for n in ast.walk(test)
    )


def short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def app_catches(facts: ModuleFacts, names: set[str]) -> bool:
    """An app-wide handler catches the lookup's error itself (or every exception). Handlers of
    a status (``@app.errorhandler(500)`` / ``(404)``) do not count: they render the page for
    a status the app already chose, and the missing row's error still answers 500."""
    return bool(facts.handled & (names | {"Exception", "BaseException"}))


def fetched_row(facts: ModuleFacts, call: ast.Call, name: str) -> bool:
    """``name`` is bound in the call's function to a row the view fetched:
    ``get_object_or_404(...)``, ``Model.objects.get(...)`` or ``self.get_object()``."""
    func = facts.source.function_of(call)
    if func is None:
        return False
    for node in facts.source.nodes_of(func):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        if not any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            continue
        callee = dotted(node.value.func)
        if callee.rsplit(".", 1)[-1] in ("get_object_or_404", "get_object") or (
            ".objects." in f"{callee}." and callee.endswith(".get")
        ):
            return True
    return False


def missing_row(
    source: Source, call: ast.Call, title: str, why: str, edits: Sequence[Edit]
) -> list[Suggestion]:
    """BKD306 at ``call``: a row the client names used as if it were there."""
    return [
        Suggestion(
            "BKD306", "error-handling", source.path, source.span(call), title, why, tuple(edits)
        )
    ]
