"""BKD333's silences: whether something already looks the parent up before the write, or
takes the commit's failure.

Looked up: the client's value (or a local bound to it, or what the local was read from) is
read before the write by a call that is no plain conversion or log line (``db.get(Course,
data.course_id)``, a filter, a project helper: a lookup, or something that may be one), by an
``in`` test or a loop; the body is handed whole to a project function; or one of the route's
dependencies or decorators names the parent's model. Taken: an ``except`` around the commit
(or around the route's call of the project function making the row) that catches the
database's error, unless it answers a duplicate (a 409, "already exists": BKD315's fix, which
would call the unknown id taken), or a broad one that answers anything but a 5xx.
"""

from __future__ import annotations

import ast
import re

from .create_reads import bindings
from .delete_children import GUARDS
from .frameworks import ModuleFacts, Route
from .parent_keys import Read, depends, read_of, unconverted
from .pysource import Source, dotted, parameters_with_defaults
from .try_blocks import answers_server_error, enclosing_handlers, handler_names, status_code
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef
_BROAD = frozenset({"Exception", "BaseException"})
# Calls that hand a value on without looking anything up by it: a conversion, a log line.
_PLAIN = frozenset(
    {"int", "str", "float", "bool", "len", "repr", "print", "isinstance", "UUID", "format"}
    | {"debug", "info", "warning", "warn", "error", "exception", "log"}
)
# Words of an ``except`` that answers a duplicate (BKD315's "already exists", a 409).
_DUPLICATE = re.compile(r"already|exist|duplicate|taken|unique|conflict", re.IGNORECASE)


# -- looked up first? -----------------------------------------------------------------------


def checked(
    facts: ModuleFacts,
    src: Source,
    func: Function,
    read: Read,
    site: ast.AST,
    write: ast.AST,
    parent: str,
) -> bool:
    """Something before the write looks the value up (outside the site itself): a call it is
    handed to (``db.get(Course, data.course_id)``, ``filter(Course.id == ...)``,
    ``get_course(db, ...)``), an ``in`` test, a loop over it, the body handed whole to a
    project function; or one of the route's dependencies or decorators reads the parent's
    model."""
    if looked_up_in(src, func, [read], site, write, facts.upstream):
        return True
    route = next((r for r in facts.routes if r.func is func), None)
    return route is not None and dependency_reads(facts, route, parent)


def looked_up_in(
    src: Source,
    func: Function,
    reads: list[Read],
    site: ast.AST,
    before: ast.AST,
    upstream: UpstreamCalls | None,
) -> bool:
    """A read of the value before ``before`` (not in ``site``) that may look it up."""
    up = src.up()
    stop = (getattr(before, "lineno", 0), getattr(before, "col_offset", 0))
    inside = {id(n) for n in ast.walk(site)}
    reads = [*reads, *_aliases(func, reads), *_origins(func, reads)]
    for node in src.nodes_of(func):
        at = (getattr(node, "lineno", stop[0]), getattr(node, "col_offset", stop[1]))
        if at >= stop or id(node) in inside or src.function_of(node) is not func:
            continue
        if any(r.matches(node) for r in reads) and _handed_on(node, up):
            return True
        if isinstance(node, ast.Name) and upstream is not None:
            # ``validate_refs(db, data)``: the whole body handed to a project function
            roots = {r.root for r in reads if r.key is not None}
            parent = up.get(node)
            if (
                node.id in roots
                and isinstance(parent, ast.Call)
                and node in parent.args
                and upstream.callee(src, parent) is not None
            ):
                return True
    return False


def _aliases(func: Function, reads: list[Read]) -> list[Read]:
    """``cid = int(data.course_id)``: the locals bound (once) to the value itself."""
    return [
        Read(name)
        for name, value in bindings(func).items()
        if any(r.matches(unconverted(value)) for r in reads)
    ]


def _origins(func: Function, reads: list[Read]) -> list[Read]:
    """``data["car_id"]`` of ``car_id = data["car_id"]``: what a local the value is read
    from was bound to, which a lookup may read instead."""
    bound = bindings(func)
    out: list[Read] = []
    for read in reads:
        value = bound.get(read.root) if read.key is None else None
        origin = read_of(unconverted(value)) if value is not None else None
        if origin is not None:
            out.append(origin)
    return out


def _handed_on(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """The read is an argument (or inside one) of a call that is no plain conversion or log
    line, the left side of an ``in`` test, or what a loop walks."""
    child, current = node, up.get(node)
    while current is not None:
        if isinstance(current, ast.For | ast.AsyncFor | ast.comprehension):
            return child is current.iter  # ``for key in (data.course_id, ...)``: each is used
        if isinstance(current, ast.stmt):
            return False
        if isinstance(current, ast.Call) and child is not current.func:
            name = dotted(current.func).rsplit(".", 1)[-1]
            if name not in _PLAIN:
                return True
        if isinstance(current, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) for op in current.ops
        ):
            return True
        child, current = current, up.get(current)
    return False


def dependency_reads(facts: ModuleFacts, route: Route, parent: str) -> bool:
    """A dependency of the route (``course: Course = Depends(valid_course)``) or one of its
    decorators names the parent's model: it may have looked the value up."""
    upstream = facts.upstream
    func = route.func
    for param, default in parameters_with_defaults(func):
        if param.annotation is not None and _names(param.annotation, parent):
            return True
        if default is not None and depends(default):
            assert isinstance(default, ast.Call)
            if default.args and _function_names(facts, default.args[0], parent):
                return True
    for deco in func.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if upstream is not None and _function_names(facts, target, parent):
            return True
    return False


def _function_names(facts: ModuleFacts, node: ast.expr, parent: str) -> bool:
    if facts.upstream is None:
        return False
    found = facts.upstream.resolve(facts.source, node)
    return found is not None and _names(found[1], parent)


def _names(node: ast.AST, name: str) -> bool:
    return any(_is_named(n, name) for n in ast.walk(node))


def _is_named(node: ast.AST, name: str) -> bool:
    return (isinstance(node, ast.Name) and node.id == name) or (
        isinstance(node, ast.Attribute) and node.attr == name
    )


def names_before(src: Source, func: Function, name: str, at: ast.AST) -> bool:
    """``func`` names ``name`` (a model, as a name or an attribute) before ``at``."""
    line = getattr(at, "lineno", 0)
    return any(getattr(n, "lineno", line) < line and _is_named(n, name) for n in src.nodes_of(func))


# -- caught? --------------------------------------------------------------------------------


def duplicate_answers(write: ast.AST, up: dict[ast.AST, ast.AST]) -> list[ast.ExceptHandler] | None:
    """The ``except`` clauses around the commit that answer the database's error as a
    duplicate (innermost first); None when one answers it otherwise, or a broad one answers
    anything but a 5xx."""
    out: list[ast.ExceptHandler] = []
    for handler in enclosing_handlers(write, up):
        names = handler_names(handler)
        if names & GUARDS:
            if not _answers_duplicate(handler):
                return None
            out.append(handler)
        elif names & _BROAD and not answers_server_error(handler):
            return None
    return out


def caught_at(src: Source, call: ast.Call) -> bool:
    """A ``try`` around the route's call takes the error (a duplicate's answer aside)."""
    for handler in enclosing_handlers(call, src.up()):
        names = handler_names(handler)
        if names & GUARDS and not _answers_duplicate(handler):
            return True
        if names & _BROAD and not answers_server_error(handler):
            return True
    return False


def _answers_duplicate(handler: ast.ExceptHandler) -> bool:
    """The ``except`` answers 409, or says the value exists (``"... already exists"``)."""
    for node in ast.walk(handler):
        if isinstance(node, ast.expr) and status_code(node) == 409:
            return True
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _DUPLICATE.search(node.value)
        ):
            return True
    return False
