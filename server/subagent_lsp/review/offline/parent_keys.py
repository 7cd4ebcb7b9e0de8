"""BKD333's client's values: which value a row's foreign key takes is the client's, how the
code reads it, and which foreign key it fills.

The client's: a body model's field (FastAPI's body or query model, also one a dependency builds
from the form), the request's JSON (``request.json["car_id"]``, a local of
``request.get_json()``, FastAPI's ``payload: dict``), a URL part or query parameter, at most
converted (``int(...)``) or trimmed; not the signed-in user's id, nor a loaded row's own column
(``data.course.id``). Read as ``data.course_id``, ``data["course_id"]``,
``data.get("course_id")`` or a bare name, so a lookup elsewhere can be matched to it. Only a
key the schema declares (the model's ``ForeignKey``, SQLModel's ``foreign_key=``) to the single
primary key of a model it knows is one a ``get()`` looks up.

How the values reach the write: in the route, off its own parameters; in a project function
the route hands them to, off the parameters it filled, each value spelled as the route wrote
it (what it passed as a name, ``data.course_id`` of its own parameter) so that the fix's lookup,
which goes in the route, reads it there.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from .create_reads import SAME_VALUE, bindings, model_fields
from .frameworks import ModuleFacts, Route
from .helper_creates import Frame
from .helper_rows import keyed_by_client
from .pysource import Source, dotted, parameters_with_defaults
from .schema import Column, Schema, Table
from .upstream_calls import UpstreamCalls

# ``int(payload["car_id"])``: a conversion of the client's value is still the client's value.
_CONVERSIONS = frozenset({"int", "str", "UUID", "uuid.UUID"})


@dataclass(frozen=True)
class Read:
    """How code reads the client's value: ``data.course_id`` / ``data["course_id"]`` /
    ``data.get("course_id")`` (``root`` ``data``, ``key`` ``course_id``), or a bare name."""

    root: str
    key: str | None = None

    def matches(self, node: ast.AST) -> bool:
        if self.key is None:
            return isinstance(node, ast.Name) and node.id == self.root
        if isinstance(node, ast.Attribute):
            return node.attr == self.key and ast.unparse(node.value) == self.root
        if isinstance(node, ast.Subscript):
            key = node.slice
            return (
                isinstance(key, ast.Constant)
                and key.value == self.key
                and ast.unparse(node.value) == self.root
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            return node.args[0].value == self.key and ast.unparse(node.func.value) == self.root
        return False


@dataclass(frozen=True)
class ParentKey:
    """A foreign key the create fills with the client's value."""

    attribute: str  # the row's attribute (``course_id``)
    column: Column
    parent: Table
    parent_model: str
    value: str  # as the route writes it (``data.course_id``)
    read: Read  # how the route reads it
    inner: Read  # how the function making the row reads it
    # the value may be None: a nullable key, or an update's field that may be left out
    may_be_none: bool


# How a function's site reads the client's values: the keys of ``**name.model_dump()`` (or a
# setattr loop over it; ``True``: an update, whose fields may be left out), and the key a
# keyword's (or an assignment's) value fills.
Splat = Callable[[str, Table, bool], list[ParentKey]]
Valued = Callable[[str, ast.expr, Table], "ParentKey | None"]
# What the route passed for a parameter of a function on the way: its module and the argument.
Passed = dict[str, tuple[Source, ast.expr]]


def route_readers(
    facts: ModuleFacts, route: Route, schema: Schema, upstream: UpstreamCalls
) -> tuple[Splat, Valued]:
    """How the route's own sites read the client's values: off its body model's fields, or
    a value it was sent."""
    src = facts.source
    bound = bindings(route.func)

    def splat(name: str, table: Table, update: bool) -> list[ParentKey]:
        param = body_param(facts, route, name)
        if param is None or param.annotation is None:
            return []
        out: list[ParentKey] = []
        for field in model_fields(upstream, src, param.annotation):
            read = Read(name, field)
            optional = _optional_field(upstream, src, param.annotation, field)
            key = parent_key(schema, table, field, f"{name}.{field}", read, read, optional, update)
            if key is not None:
                out.append(key)
        return out

    def valued(attribute: str, value: ast.expr, table: Table) -> ParentKey | None:
        plain = unconverted(value)
        read = read_of(plain) if sent(facts, route, plain, bound, 0) else None
        if read is None:
            return None
        return parent_key(schema, table, attribute, src.text_of(value), read, read, None, False)

    return splat, valued


def frame_readers(
    frame: Frame, schema: Schema, written: Passed, upstream: UpstreamCalls
) -> tuple[Splat, Valued]:
    """How a project function's sites read the client's values: off its parameters that hold
    them, each value spelled as the route wrote it (what the route passed as a name, or as
    ``data.course_id`` for a parameter of its own), so that the lookup reads it there."""

    def splat(name: str, table: Table, update: bool) -> list[ParentKey]:
        fields = frame.client.get(name)
        given = written.get(name)
        if not fields or given is None or not isinstance(given[1], ast.Name):
            return []
        outer = given[1].id
        out: list[ParentKey] = []
        for field in fields:
            optional = _field_optional(frame, upstream, name, field)
            read, inner = Read(outer, field), Read(name, field)
            key = parent_key(
                schema, table, field, f"{outer}.{field}", read, inner, optional, update
            )
            if key is not None:
                out.append(key)
        return out

    def valued(attribute: str, value: ast.expr, table: Table) -> ParentKey | None:
        plain = unconverted(value)
        inner = read_of(plain)
        if inner is None or inner.root not in frame.client:
            return None
        given = written.get(inner.root)
        if given is None:
            return None
        route_src, arg = given
        if inner.key is None:
            # ``Cart(user_id=user_id)`` of the route's ``cart_create.user_id``
            outer = read_of(unconverted(arg))
            text = route_src.text_of(arg)
        elif isinstance(arg, ast.Name) and isinstance(plain, ast.Attribute):
            outer, text = Read(arg.id, inner.key), f"{arg.id}.{inner.key}"
        else:
            return None  # a dict's key: the route's own spelling is not known
        if outer is None:
            return None
        return parent_key(schema, table, attribute, text, outer, inner, None, False)

    return splat, valued


def parent_key(
    schema: Schema,
    table: Table,
    attribute: str,
    value: str,
    read: Read,
    inner: Read,
    optional: bool | None,
    update: bool,
) -> ParentKey | None:
    """The foreign key ``attribute`` of ``table`` is, to a model's primary key; ``optional``:
    whether the body model's field may be None (None: not known); ``update``: a field of an
    update's body, which may be left out."""
    column = table.columns.get(table.attributes.get(attribute, attribute))
    if column is None or not column.references or column.primary_key:
        return None
    parent = schema.table_named(column.references) or schema.table_for_model(column.references)
    if parent is None or parent.model is None or parent.origin != "sqlalchemy":
        return None
    keys = [c.name for c in parent.columns.values() if c.primary_key]
    if len(keys) != 1 or column.references_key != keys[0]:
        return None  # a key to another unique column, or to a composite one: not a get()
    may_be_none = (update or column.nullable is not False) and optional is not False
    return ParentKey(attribute, column, parent, parent.model, value, read, inner, may_be_none)


def unconverted(value: ast.expr) -> ast.expr:
    """``payload["car_id"]`` of ``int(payload["car_id"])`` (or of ``.strip()``)."""
    while isinstance(value, ast.Call):
        if dotted(value.func) in _CONVERSIONS and len(value.args) == 1 and not value.keywords:
            value = value.args[0]
        elif isinstance(value.func, ast.Attribute) and value.func.attr in SAME_VALUE:
            value = value.func.value
        else:
            break
    return value


def read_of(value: ast.expr) -> Read | None:
    if isinstance(value, ast.Name):
        return Read(value.id)
    if isinstance(value, ast.Attribute):
        return Read(ast.unparse(value.value), value.attr)
    if isinstance(value, ast.Subscript):
        key = value.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return Read(ast.unparse(value.value), key.value)
        return None
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and value.args
        and isinstance(value.args[0], ast.Constant)
        and isinstance(value.args[0].value, str)
    ):
        return Read(ast.unparse(value.func.value), value.args[0].value)
    return None


def sent(
    facts: ModuleFacts, route: Route, value: ast.expr, bound: dict[str, ast.expr], depth: int
) -> bool:
    """The value is what the client sent: read off the request (``request.json["x"]``, a
    local of ``request.get_json()``), the body model, a URL part or query parameter; not the
    signed-in user's id, nor a loaded row's own column."""
    if depth > 3:
        return False
    value = unconverted(value)
    root: ast.expr = value
    steps = 0
    while True:
        if isinstance(root, ast.Attribute | ast.Subscript):
            root = root.value
        elif (
            isinstance(root, ast.Call)
            and isinstance(root.func, ast.Attribute)
            and root.func.attr == "get"
        ):
            root = root.func.value
        else:
            break
        steps += 1
    if isinstance(root, ast.Call) and dotted(root.func) == "request.get_json":
        return True
    if not isinstance(root, ast.Name):
        return False
    if root.id == "request":
        return route.framework == "flask" and steps >= 2  # ``request.json["x"]``
    if root.id in bound:
        return sent(facts, route, bound[root.id], bound, depth + 1)
    if steps > 1:
        return False  # ``data.course.id``: a row the body model holds, not an id it sent
    if body_param(facts, route, root.id) is not None:
        return True
    if steps == 1 and not _dict_param(route, root.id):
        return False  # ``user.id`` of a parameter that is no body: not a key it sent
    return keyed_by_client(root, route)


def _dict_param(route: Route, name: str) -> bool:
    """FastAPI's ``payload: dict`` (``Dict[str, Any]``): the JSON body as it came."""
    args = route.func.args
    param = next((a for a in [*args.args, *args.kwonlyargs] if a.arg == name), None)
    annotation = param.annotation if param is not None else None
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    return annotation is not None and dotted(annotation).rsplit(".", 1)[-1] in ("dict", "Dict")


def body_param(facts: ModuleFacts, route: Route, name: str) -> ast.arg | None:
    """The route's parameter ``name`` when it holds the client's body model: FastAPI's body
    (or query) model, also when a dependency builds it from the form
    (``data: StudentIn = Depends(StudentIn.as_form)``, ``Depends()``); not a dependency's user
    or session, nor a table model."""
    param, default = next(
        ((a, d) for a, d in parameters_with_defaults(route.func) if a.arg == name), (None, None)
    )
    if param is None or param.annotation is None or facts.upstream is None:
        return None
    found = facts.upstream.resolve_class(facts.source, param.annotation)
    if found is None or (facts.schema is not None and found[1].name in facts.schema.models):
        return None
    if default is None or not depends(default):
        return param if keyed_by_client(ast.Name(id=name), route) else None
    assert isinstance(default, ast.Call)
    if not default.args:
        return param  # ``Depends()``: FastAPI builds the class from the query
    maker = default.args[0]
    if isinstance(maker, ast.Attribute) and ast.unparse(maker.value) == ast.unparse(
        param.annotation
    ):
        return param  # ``Depends(StudentIn.as_form)``: the class's own builder of the form
    return None


def depends(node: ast.expr) -> bool:
    """``Depends(...)`` or ``Security(...)``: a parameter FastAPI fills from a dependency."""
    return isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] in (
        "Depends",
        "Security",
    )


def _field_optional(frame: Frame, upstream: UpstreamCalls, param: str, field: str) -> bool | None:
    func = frame.func
    arg = next((a for a in [*func.args.args, *func.args.kwonlyargs] if a.arg == param), None)
    if arg is None or arg.annotation is None:
        return None
    return _optional_field(upstream, frame.source, arg.annotation, field)


def _optional_field(
    upstream: UpstreamCalls, source: Source, annotation: ast.expr, field: str
) -> bool | None:
    """Whether the body model's ``field`` may be None (``Optional[int]``, ``int | None``, a
    None default); None when the field is not found."""
    todo = [upstream.resolve_class(source, annotation)]
    seen: set[int] = set()
    while todo:
        here = todo.pop(0)
        if here is None or id(here[1]) in seen or len(seen) > 4:
            continue
        seen.add(id(here[1]))
        src, cls = here
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id == field
            ):
                written = ast.unparse(stmt.annotation)
                default = stmt.value
                none_default = isinstance(default, ast.Constant) and default.value is None
                return "Optional" in written or "None" in written or none_default
        todo.extend(upstream.resolve_class(src, base) for base in cls.bases)
    return None
