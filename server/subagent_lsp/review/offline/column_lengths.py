"""BKD215: a request field allowed to be longer than the column it is written to.

``name: str`` on a FastAPI body model, with no ``max_length``, stored into ``String(50)``
(``VARCHAR(50)``, SQLModel's ``Field(max_length=50)``): PostgreSQL refuses a longer value
(``StringDataRightTruncation``, a DataError) and so does MySQL in strict mode, its default: a
500 that the usual IntegrityError handler does not catch. SQLite stores the value whole, so the
rule speaks only for a PostgreSQL app (pgproof/detect's evidence) or one that declares a MySQL
driver, and only when nothing beside the handler or the model talks to SQLite.

The field must reach the column, by its own name:

- every field: ``Model(**body.dict())`` / ``model_dump()`` (or a local holding it, or
  ``jsonable_encoder(body)``), ``Model.model_validate(body)``, ``insert(Model).values(**...)``,
  a ``setattr`` loop over the dump, ``row.sqlmodel_update(...)`` (``include``/``exclude`` kept);
- one field: ``Model(name=body.name)``, ``row.name = body.name`` (trimmed or recased too:
  ``body.name.strip()``);
- raw SQL (sql_params): ``INSERT INTO t (a) VALUES (%s)`` / ``UPDATE t SET a = %s`` run or
  returned as ``(sql, params)`` with ``body.name`` (or a parameter the field's value was
  handed to alone, ``register_user(user.username)``) for the placeholder, into a column a
  DDL declares ``VARCHAR(n)``/``CHAR(n)`` (a migration that alters its type after silences
  it, sql_types); the column is the statement's, whatever the field is named;

in the route or in a project function it hands the body to, two calls deep
(``create_contact(db, contact)`` then ``create_email(db, contact.email)``): a nested model's
fields (``contact.email``, each of ``contact.newsletters``) count as that model's, and a generic
CRUD's ``self.model(**payload.model_dump())`` writes the model its subclass names
(``BaseCRUD[Camera, ...]``, ``super().__init__(session, Camera)``). ``Model`` is resolved to
the ORM class itself: a pydantic ``schemas.Item`` is not the table ``models.Item``.

Silent when the field has a ``max_length`` or a ``pattern``, is not a plain ``str``
(``constr``, ``EmailStr``, ``Literal``, ``Annotated`` with anything but ``Field``), or its model
or one of its bases has a validator of it (``@field_validator("name")``) or of the whole model,
or a ``str_max_length``; when the column has no length
(``Text``, ``String()``); when the code on the way measures, slices, compares or sets the
value; when the route (or the app) catches DataError itself (or the raw driver's base error,
``psycopg2.Error``, asyncpg's ``PostgresError``). Django needs nothing: a ModelForm
and a DRF ModelSerializer take each field's ``max_length`` from the model.

The fix is ``Field(max_length=N)`` on the model's field, N the column's length, the field's
``Field`` keeping its arguments (``Annotated[str, Field(...)]`` where the module writes its
fields so). One suggestion per field of a model, shown at the route that takes the model.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass

from ..pgproof.detect import mysql_evidence, postgres_evidence, sqlite_evidence
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .mass_assignment import filters_key, setattr_of
from .page_bounds import writes_annotated
from .page_reach import followed_call, generic_base, matched_arguments
from .positive_inputs import field_bound_edits, field_name, is_model, model_fields, validates
from .pyedits import add_keyword, replace_node
from .pysource import Source, dotted, method_of, parameters_with_defaults
from .receiver_classes import Located, local_bindings
from .schema import Column, Table
from .sql_params import WRITES, BoundSql, call_sql, pair_sql, written_values
from .sql_types import altered
from .try_blocks import handler_names

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Column types with a length the database enforces (SQLModel's ``str`` with ``max_length``).
_STRING = re.compile(
    r"(^|\.)(String|VARCHAR|Unicode|CHAR|NVARCHAR|NCHAR|AutoString|str)(\(\d+\))?$"
)
# Tables a DDL text declares (a ``.sql`` file, a CREATE TABLE string run from Python): a later
# migration may change a column's type, which the schema does not read.
_DDL_ORIGINS = ("sql", "python-sql")
_DUMPS = ("dict", "model_dump")
# A table model's class methods that read a body whole (a table model does not validate).
_PARSES = ("model_validate", "from_orm", "parse_obj", "validate")
_COLLECTIONS = ("list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Iterable")
_HOPS = 2  # the route, a service it calls, and the CRUD helper that one calls
_BASES = 3
# What a longer value raises (psycopg's DataError under SQLAlchemy's, or a raw driver's:
# ``psycopg2.Error``, asyncpg's ``PostgresError``): a route or an app that catches one of
# these answers it on purpose.
_DATA_ERRORS = frozenset(
    {"DataError", "DBAPIError", "SQLAlchemyError", "StatementError", "DatabaseError", "Error",
     "PostgresError", "StringDataRightTruncation", "StringDataRightTruncationError"}
)  # fmt: skip
_LENGTH_CONFIG = frozenset({"str_max_length", "max_anystr_length"})
_BOUNDS = frozenset({"max_length", "pattern", "regex"})
_SELF_MODEL = ("model", "_model")


@dataclass(frozen=True)
class _Held:
    """A request model a local holds (``many``: a list of them; ``field``: the local holds that
    field's value, handed on alone: ``register_user(user.username, ...)``)."""

    cls: Located
    many: bool = False
    field: str = ""


@dataclass
class _Frame:
    """A function on the way from the route, with the request models its locals hold."""

    src: Source
    func: Function
    held: dict[str, _Held]
    owner: Located | None = None  # the class of ``self`` (its ``self.model``)
    helper: str = ""  # the function's name, when it is not the route


@dataclass(frozen=True)
class _Write:
    cls: Located  # the request model the field is read off
    field: str
    table: Table
    helper: str  # the project function that writes it ("": the route)
    column: str = ""  # a raw statement's column, which need not share the field's name


@dataclass(frozen=True)
class _Dump:
    """``body.model_dump(exclude={"id"})``: the model's fields it gives."""

    held: _Held
    include: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()

    def gives(self, name: str) -> bool:
        return name not in self.exclude and (self.include is None or name in self.include)


def column_length_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.schema is None or facts.upstream is None:
        return []
    if facts.handled & _DATA_ERRORS or _catches_data_errors(facts.source, route.func):
        return []
    # One per field of a model: written to two columns, the shorter one's length.
    shortest: dict[tuple[str, str, str], Suggestion] = {}
    lengths: dict[tuple[str, str, str], int] = {}
    databases: dict[str, str | None] = {}
    for arg, default in parameters_with_defaults(route.func):
        held = _request_model(facts, arg, default)
        if held is None:
            continue
        start = _Frame(facts.source, route.func, {arg.arg: held})
        for write, frames in _writes(facts, start, 0, set()):
            found = _unbounded(facts, write)
            if found is None:
                continue
            src, cls, stmt, column = found
            key = (src.path, cls.name, write.field)
            if lengths.get(key, column.length + 1) <= column.length:
                continue
            if any(_touched(f, write.field) for f in frames):
                continue
            table_path = write.table.path
            if table_path not in databases:
                databases[table_path] = _database(facts.source.path, table_path)
            database = databases[table_path]
            if database is None:
                continue
            edits = _edits(src, cls, stmt, column.length)
            if edits is None:
                continue
            lengths[key] = column.length
            shortest[key] = _suggestion(facts, route, arg, write, cls, column, database, edits)
    return list(shortest.values())


def _catches_data_errors(src: Source, func: Function) -> bool:
    return any(
        isinstance(n, ast.ExceptHandler) and handler_names(n) & _DATA_ERRORS
        for n in src.nodes_of(func)
    )


def _database(handler: str, model: str) -> str | None:
    """Which strict database the app runs on, and why it is thought so; None for an app
    that may be on SQLite (which stores a longer value whole)."""
    if sqlite_evidence(handler) or sqlite_evidence(model):
        return None
    found = postgres_evidence(handler)
    if found is not None:
        return f"PostgreSQL ({found})"
    found = mysql_evidence(handler)
    return f"MySQL ({found}; its default strict mode refuses it)" if found else None


# --- the request models a route takes -------------------------------------------------------


def _request_model(facts: ModuleFacts, arg: ast.arg, default: ast.expr | None) -> _Held | None:
    """The pydantic model (or list of them) FastAPI parses the request body into; not a
    dependency's result (``user: UserOut = Depends(current_user)`` comes from the database)."""
    if arg.annotation is None or _marker(default, ("Depends", "Security")):
        return None
    annotation = arg.annotation
    if _named(annotation) == "Annotated" and isinstance(annotation, ast.Subscript):
        items = _items(annotation.slice)
        if any(_marker(i, ("Depends", "Security")) for i in items[1:]):
            return None
        annotation = items[0]
    assert facts.upstream is not None
    return _model_type(facts, facts.source, annotation)


def _model_type(facts: ModuleFacts, src: Source, annotation: ast.expr) -> _Held | None:
    """``Item``, ``Item | None``, ``Optional[Item]``, ``list[Item]``: the project's pydantic
    model it names."""
    annotation = _optional(annotation)
    many = False
    if isinstance(annotation, ast.Subscript) and _named(annotation.value) in _COLLECTIONS:
        items = _items(annotation.slice)
        annotation, many = _optional(items[0]), True
    if not isinstance(annotation, ast.Name | ast.Attribute) or facts.upstream is None:
        return None
    found = facts.upstream.resolve_class(src, annotation)
    if found is None:
        # ``NewsletterInSchema = NewsletterBase``: a module's other name for a model
        alias = facts.upstream.named(src, annotation, _alias)
        found = facts.upstream.resolve_class(*alias) if alias is not None else None
    if found is None or not is_model(facts, *found, 0):
        return None
    return _Held(found, many)


def _alias(source: Source, name: str) -> ast.expr | None:
    for module in source.modules:
        for stmt in module.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == name
                and isinstance(stmt.value, ast.Name | ast.Attribute)
            ):
                return stmt.value
    return None


def _optional(node: ast.expr) -> ast.expr:
    """``X | None``, ``Optional[X]``, ``Union[X, None]``, ``Annotated[X, ...]``: X; any other
    annotation as it is."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not _none(s)]
        return _optional(sides[0]) if len(sides) == 1 else node
    if isinstance(node, ast.Subscript) and _named(node.value) in ("Optional", "Union", "Annotated"):
        items = _items(node.slice)
        if _named(node.value) == "Annotated":
            return _optional(items[0])
        rest = [i for i in items if not _none(i)]
        return _optional(rest[0]) if len(rest) == 1 else node
    return node


def _field_model(facts: ModuleFacts, held: _Held, name: str) -> _Held | None:
    """The model a field of ``held``'s model holds (``contact.email``, ``contact.newsletters``)."""
    stmt = _field(facts, held.cls, name)
    if stmt is None:
        return None
    return _model_type(facts, stmt[0], stmt[2].annotation)


def _field(
    facts: ModuleFacts, cls: Located, name: str
) -> tuple[Source, ast.ClassDef, ast.AnnAssign] | None:
    """The declaration of a model's field (a subclass's own over its base's)."""
    found = None
    for where, owner, stmt in model_fields(facts, *cls, 0, field=name):
        if isinstance(stmt.target, ast.Name) and stmt.target.id == name:
            found = (where, owner, stmt)
    return found


# --- where the request's fields are written -------------------------------------------------


def _writes(
    facts: ModuleFacts, frame: _Frame, hops: int, seen: set[tuple[object, ...]]
) -> list[tuple[_Write, tuple[_Frame, ...]]]:
    """Each write of a held model's field to a table's column, in ``frame``'s function or the
    project functions it hands a held model to; with the functions on the way."""
    held = ", ".join(
        f"{n}:{h.cls[1].name}:{h.many}:{h.field}" for n, h in sorted(frame.held.items())
    )
    key = (frame.src.path, frame.func.lineno, frame.func.name, held)
    if key in seen:
        return []
    seen.add(key)
    frame.held.update(_loop_targets(facts, frame))
    out: list[tuple[_Write, tuple[_Frame, ...]]] = [
        (w, (frame,)) for w in _own_writes(facts, frame)
    ]
    if hops >= _HOPS or facts.upstream is None:
        return out
    src = frame.src
    for call in src.nodes_of(frame.func):
        if not isinstance(call, ast.Call) or src.function_of(call) is not frame.func:
            continue
        values = [*call.args, *(k.value for k in call.keywords)]
        if not any(_held_value(facts, frame, v) for v in values):
            continue
        followed = followed_call(facts.upstream, src, call)
        if followed is None:
            continue
        where, callee, params = followed
        given: dict[str, _Held] = {}
        for param, value in matched_arguments(call, params):
            found = _held_value(facts, frame, value)
            if found is not None:
                given[param] = found
        if not given:
            continue
        owner = None
        if isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            if isinstance(receiver, ast.Name) and receiver.id == "self":
                owner = frame.owner
            owner = owner or facts.upstream.receiver_class(src, call, receiver)
        inner = _Frame(where, callee, given, owner, callee.name)
        out.extend((w, (frame, *path)) for w, path in _writes(facts, inner, hops + 1, seen))
    return out


def _held_value(facts: ModuleFacts, frame: _Frame, node: ast.expr) -> _Held | None:
    """The request model ``node`` is: a held local, or a nested model read off one; or the
    value of one of its fields (``user.username``)."""
    if isinstance(node, ast.Name):
        return frame.held.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        owner = frame.held.get(node.value.id)
        if owner is not None and not owner.many and not owner.field:
            nested = _field_model(facts, owner, node.attr)
            return nested if nested is not None else _Held(owner.cls, field=node.attr)
    return None


def _loop_targets(facts: ModuleFacts, frame: _Frame) -> dict[str, _Held]:
    """``for n in contact.newsletters`` (or a comprehension's): ``n`` holds one of them."""
    out: dict[str, _Held] = {}
    for node in frame.src.nodes_of(frame.func):
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and isinstance(
            node.target, ast.Name
        ):
            found = _held_value(facts, frame, node.iter)
            if found is not None and found.many:
                out[node.target.id] = _Held(found.cls)
    return out


def _own_writes(facts: ModuleFacts, frame: _Frame) -> list[_Write]:
    src, func = frame.src, frame.func
    out: list[_Write] = []
    for node in src.nodes_of(func):
        if src.function_of(node) is not func:
            continue
        if isinstance(node, ast.Call):
            out.extend(_call_writes(facts, frame, node))
            bound = call_sql(src, node, WRITES)
            if bound is not None:
                out.extend(_sql_writes(facts, frame, bound))
        elif isinstance(node, ast.Tuple):
            # ``return "INSERT ...", (tag.product, tag.comment)``: run by the caller
            bound = pair_sql(src, node, WRITES)
            if bound is not None:
                out.extend(_sql_writes(facts, frame, bound))
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            # ``row.name = body.name``
            target, value = node.targets[0], node.value
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
                continue
            held = _read_off(frame, value, target.attr)
            if held is None:
                continue
            table = _local_model(facts, frame, target.value.id)
            if table is not None:
                out.append(_Write(held.cls, target.attr, table, frame.helper))
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
            out.extend(_setattr_loop(facts, frame, node))
    return out


# A str's methods that make it no longer than it was: the column's limit still binds.
_SAME_LENGTH = frozenset(
    {"strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold"}
)


def _sql_writes(facts: ModuleFacts, frame: _Frame, bound: BoundSql) -> list[_Write]:
    """``INSERT INTO t (a) VALUES (%s)`` / ``UPDATE t SET a = %s`` with ``body.name`` its value:
    the field written to the column, whatever their names."""
    assert facts.schema is not None
    out = []
    for table_name, column, value in written_values(bound):
        found = _field_read(frame, value)
        table = facts.schema.table_named(table_name)
        if found is None or table is None or table.origin not in _DDL_ORIGINS:
            continue
        held, field = found
        out.append(_Write(held.cls, field, table, frame.helper, column))
    return out


def _untrimmed(node: ast.expr) -> ast.expr:
    """``body.name`` of ``body.name.strip().lower()``: what keeps its length on the way."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SAME_LENGTH
        and not node.keywords
    ):
        node = node.func.value
    return node


def _field_read(frame: _Frame, node: ast.expr) -> tuple[_Held, str] | None:
    """The held model and field ``body.name`` (or ``body.name.strip()``, or a local holding the
    field's value) reads."""
    node = _untrimmed(node)
    if isinstance(node, ast.Name):
        held = frame.held.get(node.id)
        return (held, held.field) if held is not None and held.field else None
    if isinstance(node, ast.Attribute):
        owner = _read_off(frame, node, node.attr)
        return (owner, node.attr) if owner is not None else None
    return None


def _read_off(frame: _Frame, node: ast.expr, name: str) -> _Held | None:
    """``body.name`` (the field ``name``), as it is or trimmed or recased
    (``body.name.strip()``): the held model it is read off."""
    node = _untrimmed(node)
    if isinstance(node, ast.Attribute) and node.attr == name:
        return _read_whole(frame, node.value)
    return None


def _call_writes(facts: ModuleFacts, frame: _Frame, call: ast.Call) -> list[_Write]:
    func = call.func
    table = _table_of(facts, frame, func)
    dumps: list[_Dump] = []
    if table is not None:
        # ``Model(**body.dict())``, ``Model(name=body.name)``
        passed = {k.arg for k in call.keywords if k.arg}
        out = []
        for k in call.keywords:
            if k.arg is not None:
                held = _read_off(frame, k.value, k.arg)
                if held is not None:
                    out.append(_Write(held.cls, k.arg, table, frame.helper))
                continue
            dump = _dump(facts, frame, k.value)
            if dump is not None:
                dumps.append(_Dump(dump.held, dump.include, dump.exclude | passed))
        return out + _dumped(facts, dumps, table, frame.helper)
    if not isinstance(func, ast.Attribute):
        return []
    first = call.args[0] if call.args else None
    if func.attr in _PARSES and first is not None:
        # ``Hero.model_validate(hero)``
        table = _table_of(facts, frame, func.value)
        dump = _dump(facts, frame, first, whole=True)
    elif func.attr == "values" and isinstance(func.value, ast.Call):
        # ``insert(Model).values(**body.model_dump())``
        inserted = func.value
        if _named(inserted.func) != "insert" or not inserted.args:
            return []
        table = _table_of(facts, frame, inserted.args[0])
        given = [*(k.value for k in call.keywords if k.arg is None), *call.args[:1]]
        dump = next((d for g in given if (d := _dump(facts, frame, g)) is not None), None)
    elif func.attr == "sqlmodel_update" and isinstance(func.value, ast.Name) and first:
        table = _local_model(facts, frame, func.value.id)
        dump = _dump(facts, frame, first, whole=True)
    else:
        return []
    if table is None or dump is None:
        return []
    return _dumped(facts, [dump], table, frame.helper)


def _setattr_loop(facts: ModuleFacts, frame: _Frame, loop: ast.For) -> list[_Write]:
    """``for k, v in body.dict(exclude_unset=True).items(): setattr(row, k, v)``."""
    if not (isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2):
        return []
    key, value = loop.target.elts
    items = loop.iter
    if not (
        isinstance(key, ast.Name)
        and isinstance(value, ast.Name)
        and isinstance(items, ast.Call)
        and isinstance(items.func, ast.Attribute)
        and items.func.attr == "items"
    ):
        return []
    dump = _dump(facts, frame, items.func.value)
    setter = setattr_of(loop, key.id)
    if dump is None or setter is None or filters_key(loop, key.id):
        return []
    row, given = setter.args[0], setter.args[2]
    if not (isinstance(row, ast.Name) and isinstance(given, ast.Name) and given.id == value.id):
        return []
    table = _local_model(facts, frame, row.id)
    return _dumped(facts, [dump], table, frame.helper) if table is not None else []


def _dumped(facts: ModuleFacts, dumps: list[_Dump], table: Table, helper: str) -> list[_Write]:
    out = []
    for dump in dumps:
        for _, _, stmt in model_fields(facts, *dump.held.cls, 0):
            if isinstance(stmt.target, ast.Name) and dump.gives(stmt.target.id):
                out.append(_Write(dump.held.cls, stmt.target.id, table, helper))
    return out


def _dump(facts: ModuleFacts, frame: _Frame, node: ast.expr, whole: bool = False) -> _Dump | None:
    """The held model whose fields ``node`` gives by name: ``body.dict(...)``,
    ``body.model_dump(...)``, ``jsonable_encoder(body)``, ``dict(body)``, a local bound once to
    one of these and left as it is; the held model itself when ``whole`` (a table model's
    ``model_validate(body)``)."""
    if isinstance(node, ast.Name):
        held = frame.held.get(node.id)
        if held is not None:
            return _Dump(held) if whole and not held.many and not held.field else None
        bound = local_bindings(frame.src, frame.func).get(node.id, [])
        if len(bound) != 1 or not isinstance(bound[0], ast.Call):
            return None
        if _changed(frame, node.id):
            return None  # ``data["name"] = data["name"][:50]``: the code shapes it itself
        node = bound[0]
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _DUMPS:
        held = _read_whole(frame, func.value)
        if held is None:
            return None
        include = exclude = None
        for k in node.keywords:
            if k.arg in ("include", "exclude"):
                names = _names(k.value)
                if names is None:
                    return None  # which fields it leaves out is not written here
                if k.arg == "include":
                    include = names
                else:
                    exclude = names
        return _Dump(held, include, exclude or frozenset())
    if _named(func) in ("jsonable_encoder", "dict") and len(node.args) == 1 and not node.keywords:
        held = _read_whole(frame, node.args[0])
        return _Dump(held) if held is not None else None
    return None


def _read_whole(frame: _Frame, node: ast.expr) -> _Held | None:
    if isinstance(node, ast.Name):
        held = frame.held.get(node.id)
        return held if held is not None and not held.many and not held.field else None
    return None


def _changed(frame: _Frame, name: str) -> bool:
    for node in frame.src.nodes_of(frame.func):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store | ast.Del)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("update", "pop", "setdefault", "__setitem__")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            return True
    return False


def _names(node: ast.expr) -> frozenset[str] | None:
    """``{"id", "owner"}`` / ``["id"]`` / ``{"id": True}``: the names; None for another value."""
    items = node.keys if isinstance(node, ast.Dict) else None
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        items = list(node.elts)
    if items is None:
        return None
    names = [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]
    return frozenset(names) if len(names) == len(items) else None


# --- the tables written ---------------------------------------------------------------------


def _table_of(facts: ModuleFacts, frame: _Frame, node: ast.expr) -> Table | None:
    """The table ``node`` names: an ORM class of the project (``Item``, ``models.Item``; not
    a pydantic ``schemas.Item``), or a generic CRUD's ``self.model``."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
        and node.attr in _SELF_MODEL
    ):
        return _owner_model(facts, frame.owner) if frame.owner is not None else None
    if isinstance(node, ast.Name | ast.Attribute) and _named(node)[:1].isupper():
        return _table_named(facts, frame.src, node)
    return None


def _table_named(facts: ModuleFacts, src: Source, node: ast.expr) -> Table | None:
    if facts.upstream is None or facts.schema is None:
        return None
    found = facts.upstream.resolve_class(src, node)
    if found is None:
        return None
    where, cls = found
    table = facts.schema.table_for_model(cls.name)
    if table is None or os.path.abspath(table.path) != os.path.abspath(where.path):
        return None  # another class of that name
    return table


def _owner_model(facts: ModuleFacts, owner: Located) -> Table | None:
    """The model a generic CRUD class serves: named in its base's parameters
    (``BaseCRUD[Camera, CameraCreate]``), its ``super().__init__(session, Camera)``, or a
    ``model = Camera`` of its body; through its project bases. None unless one model."""
    found: dict[str, Table] = {}
    current: Located | None = owner
    for _ in range(_BASES):
        if current is None or facts.upstream is None:
            break
        where, cls = current
        named: list[ast.expr] = []
        for base in cls.bases:
            if isinstance(base, ast.Subscript):
                named.extend(_items(base.slice))
        init = method_of(cls, "__init__")
        for node in ast.walk(init) if init is not None else []:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "__init__"
                and isinstance(node.func.value, ast.Call)
                and _named(node.func.value.func) == "super"
            ):
                named.extend(node.args)
        for stmt in cls.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in _SELF_MODEL for t in stmt.targets
            ):
                named.append(stmt.value)
        for node in named:
            if isinstance(node, ast.Name | ast.Attribute) and _named(node)[:1].isupper():
                table = _table_named(facts, where, node)
                if table is not None:
                    found[table.name] = table
        bases = [facts.upstream.resolve_class(where, generic_base(b)) for b in cls.bases]
        known = [b for b in bases if b is not None]
        current = known[0] if len(known) == 1 else None
    return next(iter(found.values())) if len(found) == 1 else None


def _local_model(facts: ModuleFacts, frame: _Frame, name: str) -> Table | None:
    """The table a local row is of: what binds it names one table and no other
    (``row = db.get(Item, item_id)``, ``row = Item(...)``, a parameter ``row: Item``)."""
    found: dict[str, Table] = {}
    for bound in local_bindings(frame.src, frame.func).get(name, []):
        if isinstance(bound, ast.arg):
            nodes = list(ast.walk(bound.annotation)) if bound.annotation is not None else []
        elif isinstance(bound, ast.Name) and isinstance(bound.ctx, ast.Store):
            return None  # a loop's or a ``with``'s target: what it holds is not read here
        elif isinstance(bound, ast.expr):
            nodes = list(ast.walk(bound))
        else:
            return None
        for node in nodes:
            if isinstance(node, ast.Name | ast.Attribute):
                table = _table_of(facts, frame, node)
                if table is not None:
                    found[table.name] = table
    return next(iter(found.values())) if len(found) == 1 else None


# --- the field and its column ---------------------------------------------------------------


def _unbounded(
    facts: ModuleFacts, write: _Write
) -> tuple[Source, ast.ClassDef, ast.AnnAssign, Column] | None:
    """The field's declaration and the column it is written to, when the column has a length
    and the field is a plain ``str`` nothing limits."""
    table = write.table
    column = table.columns.get(write.column or table.attributes.get(write.field, write.field))
    if column is None or column.length <= 0 or not _STRING.search(column.type):
        return None
    if table.origin in _DDL_ORIGINS and altered(table.path, table.name, column.name):
        return None
    if _validated(facts, write.cls, write.field):
        return None
    found = _field(facts, write.cls, write.field)
    if found is None or not _plain_str(found[2]):
        return None
    return (*found, column)


def _validated(facts: ModuleFacts, cls: Located, field: str) -> bool:
    """A validator of the field or of the whole model, or a model-wide string length, in the
    model or one of its bases."""
    current: list[Located] = [cls]
    for _ in range(_BASES + 1):
        following: list[Located] = []
        for where, each in current:
            if validates(each, field) or any(
                (isinstance(n, ast.keyword) and n.arg in _LENGTH_CONFIG)
                or (isinstance(n, ast.Name) and n.id in _LENGTH_CONFIG)
                for n in ast.walk(each)
            ):
                return True
            for base in each.bases:
                parent = facts.upstream.resolve_class(where, base) if facts.upstream else None
                if parent is not None and parent[1] is not each:
                    following.append(parent)
        current = following
    return False


def _plain_str(stmt: ast.AnnAssign) -> bool:
    """``name: str`` (or ``Optional``), its default a value or a ``Field(...)`` with no
    ``max_length`` nor ``pattern``; ``Annotated[str, Field(...)]`` the same."""
    annotation, meta = stmt.annotation, None
    if isinstance(annotation, ast.Subscript) and _named(annotation.value) == "Annotated":
        items = _items(annotation.slice)
        metas = items[1:]
        if len(metas) != 1 or not _marker(metas[0], ("Field",)):
            return False
        annotation, meta = items[0], metas[0]
    if not _is_str(annotation):
        return False
    value = stmt.value
    if isinstance(value, ast.Call) and not _marker(value, ("Field",)):
        return False
    return not any(
        isinstance(call, ast.Call) and any(k.arg in _BOUNDS for k in call.keywords)
        for call in (value, meta)
    )


def _is_str(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "str"
    stripped = _optional(node)
    return stripped is not node and _is_str(stripped)


def _touched(frame: _Frame, name: str) -> bool:
    """The function measures, slices, compares or sets the field (``len(body.name)``,
    ``body.name[:50]``, ``body.name = ...``): it may shape the value itself."""
    up = frame.src.up()
    values = {n for n, h in frame.held.items() if h.field == name}
    for node in frame.src.nodes_of(frame.func):
        if isinstance(node, ast.Name) and node.id in values:
            # a local holding the field's value, measured or rebound here
            parent = up.get(node)
            if isinstance(node.ctx, ast.Store | ast.Del) or isinstance(
                parent, ast.Subscript | ast.Compare
            ):
                return True
            if isinstance(parent, ast.Call) and _named(parent.func) == "len":
                return True
            continue
        if not (isinstance(node, ast.Attribute) and node.attr == name):
            continue
        root: ast.expr = node.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id in frame.held):
            continue
        parent = up.get(node)
        if isinstance(node.ctx, ast.Store | ast.Del) or isinstance(parent, ast.Subscript):
            return True
        if isinstance(parent, ast.Compare):
            return True
        if isinstance(parent, ast.Call) and _named(parent.func) == "len":
            return True
    return False


# --- the fix ---------------------------------------------------------------------------------


def _edits(
    src: Source, cls: ast.ClassDef, stmt: ast.AnnAssign, length: int
) -> tuple[Edit, ...] | None:
    keyword = f"max_length={length}"
    annotation = stmt.annotation
    if isinstance(annotation, ast.Subscript) and _named(annotation.value) == "Annotated":
        meta = _items(annotation.slice)[1]
        assert isinstance(meta, ast.Call)  # _plain_str: one Field(...)
        return (add_keyword(src, meta, keyword),)
    if not isinstance(stmt.value, ast.Call) and writes_annotated(src, ("Field",)):
        found = field_name(src, cls)
        if found is None:
            return None
        name, imports = found
        text = f"Annotated[{src.text_of(annotation)}, {name}({keyword})]"
        return (*imports, replace_node(src, annotation, text))
    return field_bound_edits(src, cls, stmt, keyword)


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    arg: ast.arg,
    write: _Write,
    cls: ast.ClassDef,
    column: Column,
    database: str,
    edits: tuple[Edit, ...],
) -> Suggestion:
    name = f"{cls.name}.{write.field}"
    model = write.table.model or write.table.name
    through = f" (through `{write.helper}`)" if write.helper else ""
    written = f"{column.type.rsplit('.', 1)[-1]}({column.length})"
    if column.type.endswith(")"):  # a DDL's ``VARCHAR(200)``, as declared
        written = column.type
    if column.type == "str":
        written = f"Field(max_length={column.length})"
    return Suggestion(
        "BKD215",
        "validation",
        facts.source.path,
        facts.source.span(arg),
        f"Limit {name} to {column.length} characters, as its column",
        f"`{name}` is a `str` with no length limit, and `{route.func.name}` writes it"
        f"{through} to `{model}.{column.name}`, a `{written}` column. On {database} a longer "
        "value makes the INSERT or UPDATE fail (DataError: value too long), a 500 that an "
        f"IntegrityError handler does not catch. `max_length={column.length}` makes FastAPI "
        "answer 422 instead, and shows the limit in the API's schema.",
        edits,
    )


# --- small readers ---------------------------------------------------------------------------


def _named(node: ast.expr) -> str:
    return dotted(node).rsplit(".", 1)[-1]


def _items(node: ast.expr) -> list[ast.expr]:
    return list(node.elts) if isinstance(node, ast.Tuple) else [node]


def _none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _marker(node: ast.expr | None, names: tuple[str, ...]) -> bool:
    return isinstance(node, ast.Call) and _named(node.func) in names
