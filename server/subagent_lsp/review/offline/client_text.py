"""A client's text as a handler reads it, and whether the handler checks it itself.

The value is a request mapping's (``request.args.get("sort", "created_at")``,
``request.args["order_by"]``, ``data.get("order_by")`` of a local holding the JSON body), a
FastAPI text parameter (``sort_by: str = "name"``), an item of a FastAPI list of text (``for col
in order_by`` of ``order_by: List[str] = Query(None)``), or a local bound once to one, read
through text methods that keep it the client's (``sort.lstrip("-")``): with the key the client
names it by, its default, whether it may be None, and where a check of it can go.
``allow_listed`` says the handler already checks it against its own allow-list (sort_keys.py,
client_attributes.py); a check that lets every value through (``if col not in ALLOWED: pass``,
an ``idle_guard``) is none.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .django_views import request_attr
from .fastapi_conversions import is_text, text_parameters
from .fastapi_enums import argument, text_constrained
from .frameworks import ModuleFacts, Route
from .html_answers import assigned_name
from .pysource import WITHS, binds_anywhere, dotted, every_node

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Flask's, Starlette's and Django's (DRF's ``request.data``): a Django view reads
# ``self.request.GET`` as ``request.GET`` (request_attr).
_QUERY_MAPPINGS = (
    "request.args", "request.values", "request.form", "request.query_params",
    "request.GET", "request.POST", "request.data",
)  # fmt: skip
# What a local may hold the client's mapping from (``data = request.get_json()``).
_BODIES = ("request.json", "request.get_json")
# Methods that leave a client's text the client's (``sort.lstrip("-")``, ``.lower()``), and
# how many arguments each takes.
_PASSING = {
    "strip": (0, 1), "lstrip": (0, 1), "rstrip": (0, 1), "lower": (0, 0), "casefold": (0, 0),
    "removeprefix": (1, 1), "removesuffix": (1, 1),
}  # fmt: skip
# Collections whose items a FastAPI parameter's text arrives in (``List[str]``).
_TEXT_LISTS = {"list", "set", "sequence", "frozenset"}
# Calls a guard's body may make and still do nothing the code after it sees: a log line.
_LOGS = {"debug", "info", "warning", "warn", "error", "exception", "critical"}


@dataclass(frozen=True)
class ClientText:
    """A client's text value, as the expression that reads it reads it."""

    expr: ast.expr  # ``sort``, ``sort.lstrip("-")``, ``request.args["order_by"]``
    name: str  # the local or parameter it is read from ("": read inline from the request)
    label: str  # what the client calls it: the query key or the parameter
    default: str | None  # its value when the client sends none (None: it has none)
    nullable: bool  # None when the client sends none (``.get`` without a default)
    after: ast.stmt | None  # the binding a check of it follows
    param: ast.arg | None  # a FastAPI parameter (a check opens the handler)
    constrained: bool = False  # ``Query(max_length=...)``: text's own constraints
    through: tuple[str, ...] = ()  # the locals it was read through (``field`` <- ``sort``)


@dataclass(frozen=True)
class TextReader:
    """A handler as its client's text values are read."""

    func: Function
    up: dict[ast.AST, ast.AST]
    params: frozenset[str]  # its FastAPI text parameters
    mappings: frozenset[str]  # its locals bound to a request mapping (``data = request.json``)
    # A helper's parameters every call hands a client's text (request_helpers), never rebound.
    sent: frozenset[str] = frozenset()
    labels: tuple[tuple[str, str], ...] = ()  # what the client calls each of them
    lists: frozenset[str] = frozenset()  # its FastAPI lists of text (``List[str]``)


def text_reader(facts: ModuleFacts, route: Route) -> TextReader:
    """The handler as its client's text is read (kept on the parse: BKD212 and BKD213 read
    the same handlers)."""
    func = route.func
    readers: dict[tuple[int, str], TextReader] = facts.source.__dict__.setdefault(
        "_text_readers", {}
    )
    key = (id(func), route.framework)
    reader = readers.get(key)
    if reader is None or reader.func is not func:
        fastapi = route.framework == "fastapi"
        params = text_parameters(func) if fastapi else set()
        lists = _text_lists(func) if fastapi else frozenset()
        locals_ = _mapping_locals(func, facts.source.nodes_of(func))
        reader = TextReader(func, facts.up, frozenset(params), locals_, lists=lists)
        readers[key] = reader
    return reader


def client_text(reader: TextReader, expr: ast.expr) -> ClientText | None:
    """The client's value ``expr`` reads (through ``.lstrip("-")``-like methods), or None."""
    base, methods = _peeled(expr)
    if isinstance(base, ast.Name):
        origin = _origin(reader, base.id, 0)
        if origin is None or (origin.after is not None and origin.after.lineno > expr.lineno):
            return None
        return replace(
            origin,
            expr=expr,
            default=_applied(origin.default, methods),
            nullable=origin.nullable and not methods,
        )
    read = _request_read(base, reader.mappings)
    if read is None:
        return None
    label, default, nullable = read
    return ClientText(
        expr, "", label, _applied(default, methods), nullable and not methods, None, None
    )


def allow_listed(func: ast.AST, names: set[str]) -> bool:
    """The handler checks the value itself: ``if sort not in ALLOWED`` (or ``in``), a
    ``hasattr(Model, sort)``, a call handed it in a condition (``if not valid(sort)``), a
    lookup (``SORTS[sort]``, ``SORTS.get(sort)``) or a ``match``: an allow-list of its own."""
    return checked(func, names, lookups=True)


def checked(func: ast.AST, names: set[str], *, lookups: bool) -> bool:
    """``allow_listed``, with a lookup of the value in a mapping counting as a check only
    when ``lookups`` (for mapping_keys.py an unchecked lookup is the finding itself)."""
    tests: list[ast.expr] = []
    idle = {id(n) for guard in idle_guards(func) for n in ast.walk(guard.test)}
    for node in ast.walk(func):
        if id(node) in idle:
            continue
        if isinstance(node, ast.Compare):
            if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops) and mentions(
                node.left, names
            ):
                return True
        elif isinstance(node, ast.Call):
            if dotted(node.func) == "hasattr" and any(mentions(a, names) for a in node.args):
                return True
            if lookups and _lookup(node.func, node.args[:1], names):
                return True
        elif isinstance(node, ast.Subscript):
            if lookups and _lookup(node, [node.slice], names):
                return True
        elif isinstance(node, ast.Match):
            if mentions(node.subject, names):
                return True
        elif (
            isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert)
            and id(node.test) not in idle
        ):
            tests.append(node.test)
    return any(
        isinstance(n, ast.Call)
        and any(mentions(a, names) for a in [*n.args, *(k.value for k in n.keywords)])
        for test in tests
        for n in ast.walk(test)
    )


def idle_guards(func: ast.AST) -> list[ast.If]:
    """The ``if`` statements of ``func`` that do nothing the code after them sees: no
    ``else``, and a body of ``pass`` or log lines (``if col not in ALLOWED: pass``). Such a
    check lets every value through, so it allow-lists nothing."""
    return [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.If) and not n.orelse and all(_does_nothing(s) for s in n.body)
    ]


def _does_nothing(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if not isinstance(stmt, ast.Expr):
        return False
    value = stmt.value
    if isinstance(value, ast.Constant):
        return True  # ``...`` or a comment written as a string
    if not isinstance(value, ast.Call):
        return False
    name = dotted(value.func)
    owner, _, method = name.rpartition(".")
    owner = owner.split(".")[-1].lower().strip("_")
    logs = owner in ("logging", "log") or owner.endswith("logger")
    return name == "print" or (method in _LOGS and logs)


def holders(reader: TextReader, text: ClientText) -> set[str]:
    """The names that hold the text: its local, the locals it was read from, and the ones
    bound from them as they are (``field = sort.lstrip("-")``), to a fixed point."""
    names = {n for n in (text.name, *text.through) if n}
    changed = True
    while changed and names:
        changed = False
        for node in ast.walk(reader.func):
            if not isinstance(node, ast.Assign):
                continue
            name = assigned_name(node)
            base, _ = _peeled(node.value)
            if name and name not in names and isinstance(base, ast.Name) and base.id in names:
                names.add(name)
                changed = True
    return names


def tested_inline(func: Function, read: ast.expr) -> bool:
    """``if request.args["sort"] not in ALLOWED``: the inline read, tested as it is read (or
    as ``request.args.get("sort")``, which tests the same value without raising KeyError)."""
    written = {ast.dump(read)}
    if isinstance(read, ast.Subscript):
        get = ast.Attribute(value=read.value, attr="get", ctx=ast.Load())
        written.add(ast.dump(ast.Call(func=get, args=[read.slice], keywords=[])))
    return any(
        isinstance(n, ast.Compare)
        and any(isinstance(op, ast.In | ast.NotIn) for op in n.ops)
        and ast.dump(n.left) in written
        for n in ast.walk(func)
    )


def bindings(func: Function, name: str) -> list[ast.expr] | None:
    """What ``name = ...`` statements of ``func`` bind it to, in order (None: it is also a
    parameter, or bound another way: a loop, ``with``, a walrus, ``+=``)."""
    return _bindings_by_name(func).get(name, [])


def _bindings_by_name(func: Function) -> dict[str, list[ast.expr] | None]:
    """``bindings`` of every name ``func`` binds, in one walk of it."""
    args = func.args
    out: dict[str, list[ast.expr] | None] = {
        a.arg: None for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
    }

    def bind(target: ast.AST, value: ast.expr | None) -> None:
        # ``value`` None: bound another way, which says nothing of its value
        for name in _stored(target):
            values = out.setdefault(name, [])
            if values is not None and value is not None:
                values.append(value)
            elif value is None:
                out[name] = None

    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            single = len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
            for target in node.targets:
                bind(target, node.value if single else None)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                bind(node.target, node.value)
        elif isinstance(
            node, ast.NamedExpr | ast.AugAssign | ast.For | ast.AsyncFor | ast.comprehension
        ):
            bind(node.target, None)
        elif isinstance(node, WITHS):
            for item in node.items:
                if item.optional_vars is not None:
                    bind(item.optional_vars, None)
    return out


def _stored(target: ast.AST) -> list[str]:
    """The names ``target`` stores to (each once)."""
    names = (
        n.id for n in every_node(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    )
    return list(dict.fromkeys(names))


def binds(target: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for n in ast.walk(target)
    )


def mentions(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))


def string_value(node: ast.AST | None) -> str | None:
    """The text of a string literal (None: anything else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


# --- where it comes from ------------------------------------------------------------------


def _origin(reader: TextReader, name: str, depth: int) -> ClientText | None:
    """Where the local or parameter ``name`` comes from: a FastAPI text parameter never
    rebound, or one ``name = ...`` binding of a request read (or of another such local)."""
    func = reader.func
    if name in reader.params:
        return _parameter(func, name)
    if name in reader.sent:
        if binds_anywhere(func, name):
            return None
        label = dict(reader.labels).get(name, name)
        return ClientText(ast.Name(name, ast.Load()), name, label, None, False, None, None)
    values = bindings(func, name)
    if values is None and depth == 0:
        return _list_item(reader, name)
    if values is None or len(values) != 1 or depth > 3:
        return None
    value = values[0]
    stmt = reader.up.get(value)
    if not isinstance(stmt, ast.Assign) or assigned_name(stmt) != name:
        return None
    base, methods = _peeled(value)
    through: tuple[str, ...] = ()
    if isinstance(base, ast.Name):
        inner = _origin(reader, base.id, depth + 1)
        if inner is None:
            return None
        default, nullable, label = inner.default, inner.nullable, inner.label
        through = (base.id, *inner.through)
    elif (read := _request_read(base, reader.mappings)) is not None:
        label, default, nullable = read
    else:
        return None
    default = _applied(default, methods)
    nullable = nullable and not methods
    return ClientText(value, name, label, default, nullable, stmt, None, through=through)


def _parameter(func: Function, name: str) -> ClientText | None:
    """A FastAPI text parameter never rebound: its default, read from the signature or its
    ``Query(...)``, and whether it may be None (``Optional[str]``, ``str | None``, a None
    default)."""
    arg, default = argument(func, name)
    if arg is None or arg.annotation is None or binds_anywhere(func, name):
        return None
    if _patterned(arg.annotation, default):
        return None  # ``Query(pattern="^(name|price)$")``: an allow-list of its own
    value = default
    if isinstance(default, ast.Call) and dotted(default.func).split(".")[-1] == "Query":
        value = default.args[0] if default.args else None
        value = next((k.value for k in default.keywords if k.arg == "default"), value)
    if value is not None and not isinstance(value, ast.Constant):
        return None  # a default the rule cannot read
    constant = value.value if value is not None else Ellipsis
    if constant is not None and constant is not Ellipsis and not isinstance(constant, str):
        return None
    optional = constant is None or any(
        (isinstance(n, ast.Constant) and n.value is None)
        or (isinstance(n, ast.Subscript) and dotted(n.value).split(".")[-1] == "Optional")
        for n in ast.walk(arg.annotation)
    )
    text = constant if isinstance(constant, str) else None
    constrained = text_constrained(arg.annotation, default)
    return ClientText(ast.Name(name), name, name, text, optional, None, arg, constrained)


def _list_item(reader: TextReader, name: str) -> ClientText | None:
    """``for col in order_by:`` over a FastAPI list of text never rebound, ``col`` bound
    nowhere else and read only in the loop's body: each item is the client's text (a check of
    it goes before the statement that reads it, in the loop)."""
    func = reader.func
    loops = [
        n
        for n in ast.walk(func)
        if isinstance(n, ast.For | ast.AsyncFor) and isinstance(n.target, ast.Name)
        and n.target.id == name
    ]  # fmt: skip
    if len(loops) != 1 or not isinstance(loops[0].iter, ast.Name):
        return None
    loop, items = loops[0], loops[0].iter.id
    if items not in reader.lists or binds_anywhere(func, items):
        return None
    arg, default = argument(func, items)
    if arg is None or arg.annotation is None or _patterned(arg.annotation, default):
        return None
    inside = {id(n) for stmt in loop.body for n in ast.walk(stmt)}
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Name)
            and node.id == name
            and node is not loop.target
            and (not isinstance(node.ctx, ast.Load) or id(node) not in inside)
        ):
            return None
    return ClientText(ast.Name(name), name, items, None, False, None, None, through=(items,))


def _text_lists(func: Function) -> frozenset[str]:
    """Parameters annotated ``List[str]``, ``list[str]``, ``Optional[List[str]]``, ``list[str]
    | None``: FastAPI checked each item is text, not what the text holds."""
    return frozenset(
        a.arg
        for a in [*func.args.args, *func.args.kwonlyargs]
        if a.annotation is not None and _text_list(a.annotation)
    )


def _text_list(node: ast.expr) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        return any(_text_list(s) for s in sides) and all(
            _text_list(s) or (isinstance(s, ast.Constant) and s.value is None) for s in sides
        )
    if not isinstance(node, ast.Subscript):
        return False
    outer = dotted(node.value).split(".")[-1]
    inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
    if outer in ("Optional", "Annotated"):
        return _text_list(inner)
    return outer.lower() in _TEXT_LISTS and is_text(inner)


def _patterned(annotation: ast.expr, default: ast.expr | None) -> bool:
    nodes = [*ast.walk(annotation), *(ast.walk(default) if default is not None else [])]
    return any(
        isinstance(n, ast.Call) and any(k.arg in ("regex", "pattern") for k in n.keywords)
        for n in nodes
    )


def _request_read(node: ast.expr, mappings: frozenset[str]) -> tuple[str, str | None, bool] | None:
    """``request.args.get("sort", "created_at")`` / ``request.args["sort"]`` (or of a local
    holding a request mapping, ``data.get("order_by", "date")``): the key, the default, and
    whether the value may be None."""
    if isinstance(node, ast.Subscript):
        key = string_value(node.slice)
        if not _request_mapping(node.value, mappings) or key is None:
            return None
        return key, None, False
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and _request_mapping(node.func.value, mappings)
        and 1 <= len(node.args) <= 2
    ):
        return None
    key = string_value(node.args[0])
    default: ast.expr | None = node.args[1] if len(node.args) == 2 else None
    for keyword in node.keywords:
        if keyword.arg == "default":
            default = keyword.value
        elif keyword.arg != "type" or dotted(keyword.value) != "str":
            return None  # ``type=int``: a converted value, not the client's text
    if key is None:
        return None
    if default is None or (isinstance(default, ast.Constant) and default.value is None):
        return key, None, True
    text = string_value(default)
    return (key, text, False) if text is not None else None


def _request_mapping(node: ast.expr, mappings: frozenset[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in mappings
    return request_attr(node) in _QUERY_MAPPINGS or request_attr(node) == "request.json"


def _mapping_locals(func: Function, nodes: Iterable[ast.AST]) -> frozenset[str]:
    """Locals bound once to the request's query or body mapping (``args = request.args``,
    ``data = request.get_json()``, ``await request.json()``)."""
    candidates = []
    for node in nodes:
        name = assigned_name(node) if isinstance(node, ast.Assign) else None
        if name is None or not isinstance(node, ast.Assign):
            continue
        value = node.value
        value = value.value if isinstance(value, ast.Await) else value
        value = value.func if isinstance(value, ast.Call) and not value.args else value
        read = request_attr(value)
        if read in _QUERY_MAPPINGS or read in _BODIES:
            candidates.append(name)
    if not candidates:
        return frozenset()  # most handlers: no need to read every binding
    bound = _bindings_by_name(func)
    return frozenset(n for n in candidates if len(bound.get(n) or []) == 1)


def _peeled(expr: ast.expr) -> tuple[ast.expr, list[tuple[str, list[str]]]]:
    """``expr`` without the text methods that keep it the client's (``.lstrip("-")``), and
    those methods, innermost first."""
    methods: list[tuple[str, list[str]]] = []
    while (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in _PASSING
        and not expr.keywords
    ):
        args = [t for t in map(string_value, expr.args) if t is not None]
        fewest, most = _PASSING[expr.func.attr]
        if len(args) != len(expr.args) or not fewest <= len(args) <= most:
            break
        methods.insert(0, (expr.func.attr, args))
        expr = expr.func.value
    return expr, methods


def _applied(value: str | None, methods: list[tuple[str, list[str]]]) -> str | None:
    """A default as the expression reads it (``"-created_at"`` through ``lstrip("-")``)."""
    if value is None:
        return None
    for method, args in methods:
        if method in ("removeprefix", "removesuffix"):
            affix = args[0] if args else ""
            if method == "removeprefix" and affix and value.startswith(affix):
                value = value[len(affix) :]
            elif method == "removesuffix" and affix and value.endswith(affix):
                value = value[: -len(affix)]
        else:
            value = getattr(value, method)(*args)
    return value


def _lookup(node: ast.expr, keys: list[ast.expr], names: set[str]) -> bool:
    """``SORTS[sort]`` / ``SORTS.get(sort)``: the value picks an entry of the app's own
    mapping (a read of the request's own mapping is no lookup)."""
    if isinstance(node, ast.Attribute) and node.attr == "get":
        mapping: ast.expr = node.value
    elif isinstance(node, ast.Subscript):
        mapping = node.value
    else:
        return False
    return any(mentions(k, names) for k in keys) and not request_attr(mapping).startswith(
        "request."
    )
