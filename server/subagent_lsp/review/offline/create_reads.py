"""What BKD315 reads of a create, wherever it sits (the route, or a CRUD function the route
hands the body to): which columns are unique, the fields a body model dumps, whether the
value is looked up first, and the session's commit after the row is made."""

from __future__ import annotations

import ast
import re

from .frameworks import Route
from .helper_rows import keyed_by_client
from .pysource import Source, dotted, every_node, imported_from
from .schema import Schema, Table
from .upstream_calls import UpstreamCalls

# What answers a duplicate around the commit (or the call that reaches it).
CAUGHT = {"IntegrityError", "SQLAlchemyError", "DatabaseError", "DBAPIError"}
# Calls that leave the client's value as it was sent, give or take its case and blanks.
SAME_VALUE = frozenset({"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title"})
DUMPS = frozenset({"dict", "model_dump"})
_MAX_BASES = 4
# The words of a function named for looking a value up (``get_by_email``, ``is_email_taken``).
_LOOKUP_WORDS = frozenset(
    {"get", "find", "by", "exists", "exist", "check", "taken", "lookup", "fetch", "query"}
    | {"search", "unique", "available", "select", "load", "read", "validate", "ensure"}
    | {"count", "has", "is", "used", "in", "verify"}
)


def unique(table: Table, name: str) -> bool:
    """A column unique in the schema (``unique=True``, a ``UniqueConstraint`` of it alone)
    that is no primary key."""
    column = table.columns.get(name)
    if column is None or column.primary_key:
        return False
    if column.unique:
        return True
    return any(k.endswith("UniqueConstraint") and cols == (name,) for k, cols in table.indexes)


def model_named(source: Source, node: ast.expr, schema: Schema) -> str | None:
    """The ORM model a name stands for, under the alias it was imported as (``UserModel`` of
    ``from app.models.user import User as UserModel``)."""
    written = dotted(node)
    if not written:
        return None
    name = written.rsplit(".", 1)[-1]
    if name in schema.models:
        return name
    if isinstance(node, ast.Name):
        for _, original in imported_from(source, node.id):
            if original in schema.models:
                return original
    return None


def bindings(func: ast.AST) -> dict[str, ast.expr]:
    """Locals bound once in the function, to what (read only: kept on the function, which
    both the create rules ask of every route)."""
    cached = func.__dict__.get("_bindings")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    seen: dict[str, list[ast.expr]] = {}
    for node in every_node(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                seen.setdefault(target.id, []).append(node.value)
    found = func.__dict__["_bindings"] = {k: v[0] for k, v in seen.items() if len(v) == 1}
    return found


def read_root(value: ast.expr) -> ast.expr:
    """What a value is read off, through trimming or recasing, ``.get`` and keys or
    attributes: ``payload`` of ``payload.email.lower()``, ``data`` of ``data["email"]``."""
    while (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in SAME_VALUE | {"get"}
    ):
        value = value.func.value
    while isinstance(value, ast.Subscript | ast.Attribute):
        value = value.value
    return value


def sent_as_is(value: ast.expr, route: Route, bound: dict[str, ast.expr], depth: int) -> bool:
    """The value is what the client sent, read off the request or the body model and at most
    trimmed or recased: ``payload.email.lower()``, ``data["email"]`` of ``data =
    request.get_json()``, ``form.email.data``. Not what a call made of it (``charge["id"]`` of
    ``charge = charge_card(token)`` is the provider's)."""
    if depth > 3:
        return False
    value = read_root(value)
    if isinstance(value, ast.Call) and dotted(value.func) == "request.get_json":
        return True
    if not isinstance(value, ast.Name):
        return False
    if value.id == "request" or (value.id == "form" and route.framework == "flask"):
        return True
    if value.id in bound:
        return sent_as_is(bound[value.id], route, bound, depth + 1)
    return route.framework == "fastapi" and keyed_by_client(value, route)


def dumped_name(value: ast.expr) -> str | None:
    """``payload`` of ``**payload.model_dump()`` (or ``.dict()``) that leaves no field out."""
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in DUMPS
        and isinstance(value.func.value, ast.Name)
    ):
        return None
    if any(k.arg in ("include", "exclude") for k in value.keywords):
        return None  # what it leaves out is not read here
    return value.func.value.id


def model_fields(upstream: UpstreamCalls, source: Source, annotation: ast.expr) -> list[str]:
    """The field names of the project's body model ``annotation`` names in ``source``, with
    those of its project bases (``EntryCreate(EntryBase)`` with ``pass`` for a body has all of
    ``EntryBase``'s)."""
    found = upstream.resolve_class(source, annotation)
    out: list[str] = []
    seen: set[int] = set()
    todo: list[tuple[tuple[Source, ast.ClassDef] | None, int]] = [(found, 0)]
    while todo:
        here, depth = todo.pop()
        if here is None or id(here[1]) in seen or depth > _MAX_BASES:
            continue
        seen.add(id(here[1]))
        src, cls = here
        out.extend(
            s.target.id
            for s in cls.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        )
        todo.extend((upstream.resolve_class(src, base), depth + 1) for base in cls.bases)
    return out


def looked_up(func: ast.AST, column: str) -> bool:
    """The function looks for the duplicate itself: a query by the column (``filter_by(email=
    ...)``, ``User.email == ...``) or a call named for it (``get_user_by_email(db, ...)``)."""
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == column
            for side in [node.left, *node.comparators]
        ):
            return True
        if isinstance(node, ast.Call):
            name = dotted(node.func).rsplit(".", 1)[-1].lower()
            if column.lower() in name and name != column.lower() and _lookup_name(name):
                return True
            if dotted(node.func).rsplit(".", 1)[-1] in ("filter_by", "where", "filter") and any(
                k.arg == column for k in node.keywords
            ):
                return True
    return False


def _lookup_name(name: str) -> bool:
    """A call named for a lookup (``get_user_by_email``, ``email_exists``), not one that only
    uses the value (``create_verification_code_and_send_email``)."""
    words = set(re.split(r"_+|(?<=[a-z])(?=[A-Z])", name.lower()))
    return bool(words & _LOOKUP_WORDS)


def commit_after(func: ast.AST, made: ast.Call) -> ast.Call | None:
    """The session's first ``commit()`` after the row is made (``db.session.commit()``,
    ``db.commit()``, ``await session.commit()``)."""
    best: ast.Call | None = None
    for node in ast.walk(func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit"
            and not node.args
            and node.lineno >= made.lineno
        ):
            continue
        receiver = dotted(node.func.value)
        if not receiver or not ("session" in receiver.lower() or receiver in ("db", "s")):
            continue
        if best is None or node.lineno < best.lineno:
            best = node
    return best
