"""MongoDB's ``find_one`` (pymongo, its ``AsyncMongoClient``, motor, Flask-PyMongo): the
document, or None when nothing matches; ``find_one_and_update`` / ``_replace`` / ``_delete``
too, unless they upsert. For BKD306 (helper_rows): a document the client names that is used
unchecked (``doc["_id"]``, ``doc.get``) is a TypeError or AttributeError, a 500, where the
client asked for something that is not there.

A call counts only on a collection the code shows to be one: ``db["users"]`` / ``db.users`` /
``db.get_collection("users")`` of a database that is a client's (``client[name]``,
``client.app``, ``client.get_database(...)``, Flask-PyMongo's ``mongo.db``), the client made
by pymongo, motor or Flask-PyMongo; each name followed to where it is bound (a local, the
module's top level, an attribute ``self.collection = db.users`` set in the class, or the
project module it is imported from), or a parameter typed as one of the drivers' collections
or databases. Anything else (another library's ``find_one``) is not read.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted, qualified
from .upstream_calls import UpstreamCalls

Function = ast.FunctionDef | ast.AsyncFunctionDef

FINDS = frozenset(
    {"find_one", "find_one_and_update", "find_one_and_replace", "find_one_and_delete"}
)
_DRIVERS = frozenset({"pymongo", "motor", "flask_pymongo"})
# How a client gives a database: ``client.get_database("app")``, ``client.get_default_database()``
_DATABASE_CALLS = frozenset({"get_database", "get_default_database"})
# Attributes of a client or database that are no database or collection.
_NOT_NAMES = frozenset({"client", "name", "codec_options", "address", "options"})
_MAX_STEPS = 8

# (source, the function the expression is read in, the expression)
_Bound = tuple[Source, ast.AST | None, ast.expr]


def mongo_find(upstream: UpstreamCalls | None, source: Source, call: ast.Call) -> str | None:
    """The collection's name ("" when it is not written) when ``call`` is a ``find_one`` of
    a MongoDB collection, which gives None when nothing matches; None otherwise."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in FINDS):
        return None
    upsert = next((k.value for k in call.keywords if k.arg == "upsert"), None)
    if upsert is not None and not (isinstance(upsert, ast.Constant) and not upsert.value):
        return None  # ``upsert=True``: a document is made when none matches
    return _collection(upstream, (source, source.function_of(call), func.value), 0)


def label(collection: str) -> str:
    """``user_skills`` -> "User skill", ``job_status`` -> "Job status", "" -> "Document"."""
    words = collection.replace("-", "_").strip("_").split("_")
    last = words[-1] if words else ""
    if last.endswith("ies") and len(last) > 4:
        words[-1] = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us", "is")) and len(last) > 3:
        words[-1] = last[:-1]
    text = " ".join(w for w in words if w)
    if not text.replace(" ", "").isalnum():
        return "Document"
    return text[:1].upper() + text[1:] if text else "Document"


def _collection(upstream: UpstreamCalls | None, bound: _Bound, steps: int) -> str | None:
    source, func, node = bound
    if steps > _MAX_STEPS:
        return None
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        name = node.slice.value
        if isinstance(name, str) and _database(upstream, (source, func, node.value), steps + 1):
            return name
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "get_collection" and node.args:
            name = _text(source, func, node.args[0])
            if _database(upstream, (source, func, node.func.value), steps + 1):
                return name if isinstance(name, str) else ""
        return None
    if isinstance(node, ast.Attribute) and not _self_attribute(node):
        if node.attr.startswith("_") or node.attr in _NOT_NAMES:
            return None
        return node.attr if _database(upstream, (source, func, node.value), steps + 1) else None
    if _typed(source, func, node, "Collection"):
        return ""
    for value in _values(upstream, source, func, node):
        found = _collection(upstream, value, steps + 1)
        if found is not None:
            return found
    return None


def _database(upstream: UpstreamCalls | None, bound: _Bound, steps: int) -> bool:
    source, func, node = bound
    if steps > _MAX_STEPS:
        return False
    if isinstance(node, ast.Subscript):
        return _client(upstream, (source, func, node.value), steps + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in _DATABASE_CALLS:
            return _client(upstream, (source, func, node.func.value), steps + 1)
        return False
    if isinstance(node, ast.Attribute) and not _self_attribute(node):
        if node.attr.startswith("_") or node.attr in _NOT_NAMES:
            return False
        return _client(upstream, (source, func, node.value), steps + 1)
    if _typed(source, func, node, "Database"):
        return True
    return any(
        _database(upstream, value, steps + 1) for value in _values(upstream, source, func, node)
    )


def _client(upstream: UpstreamCalls | None, bound: _Bound, steps: int) -> bool:
    source, func, node = bound
    if steps > _MAX_STEPS:
        return False
    if isinstance(node, ast.Call):
        written = dotted(node.func)
        made = qualified(source, written) if written else ""
        root, last = made.split(".", 1)[0], made.rsplit(".", 1)[-1]
        return root in _DRIVERS and (last.endswith("Client") or last == "PyMongo")
    if _typed(source, func, node, "Client"):
        return True
    return any(
        _client(upstream, value, steps + 1) for value in _values(upstream, source, func, node)
    )


def _self_attribute(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id in ("self", "cls"))
    )


def _typed(source: Source, func: ast.AST | None, node: ast.expr, kind: str) -> bool:
    """A parameter of ``func`` annotated with a driver's type whose name holds ``kind``
    (``AsyncIOMotorCollection``, ``pymongo.database.Database``)."""
    if not (
        isinstance(node, ast.Name) and isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
    ):
        return False
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg != node.id or arg.annotation is None:
            continue
        for part in ast.walk(arg.annotation):
            if isinstance(part, ast.Name | ast.Attribute):
                made = qualified(source, dotted(part))
                if made.split(".", 1)[0] in _DRIVERS and kind in made.rsplit(".", 1)[-1]:
                    return True
    return False


def _values(
    upstream: UpstreamCalls | None, source: Source, func: ast.AST | None, node: ast.expr
) -> list[_Bound]:
    """What a name or ``self.attr`` is bound to: assignments in the function, then at the
    module's top level, then in the project module it is imported from; for ``self.attr``
    its assignments in the class's methods."""
    if _self_attribute(node):
        assert isinstance(node, ast.Attribute)
        cls = _class_of(source, func)
        if cls is None:
            return []
        out: list[_Bound] = []
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                out += [(source, stmt, v) for v in _assigned(stmt, node.attr, attribute=True)]
        # ``db = mongodb.get_collection(name)`` in the class body, read as ``cls.db``
        out += [(source, cls, v) for v in _body_values(cls.body, node.attr)]
        return out
    if not isinstance(node, ast.Name):
        return []
    if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        local = _assigned(func, node.id, attribute=False)
        if local:
            return [(source, func, v) for v in local]
    top = _top_values(source, node.id)
    if top:
        return [(source, None, v) for v in top]
    if upstream is None:
        return []
    found = upstream.named(source, ast.Name(id=node.id), _top_value)
    return [(found[0], None, found[1])] if found is not None else []


def _class_of(source: Source, func: ast.AST | None) -> ast.ClassDef | None:
    if isinstance(func, ast.ClassDef):
        return func
    parent = source.up().get(func) if func is not None else None
    return parent if isinstance(parent, ast.ClassDef) else None


def _text(source: Source, func: ast.AST | None, node: ast.expr) -> str:
    """A collection's name as written: a string, or a name bound to one in the class body
    or at the module's top level; "" when it is not known."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else ""
    if not isinstance(node, ast.Name):
        return ""
    cls = _class_of(source, func)
    values = _body_values(cls.body, node.id) if cls is not None else []
    values = values or _top_values(source, node.id)
    if len(values) == 1 and isinstance(values[0], ast.Constant):
        return values[0].value if isinstance(values[0].value, str) else ""
    return ""


def _assigned(func: Function, name: str, attribute: bool) -> list[ast.expr]:
    out: list[ast.expr] = []
    for stmt in ast.walk(func):
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for target in targets:
            if attribute:
                held = isinstance(target, ast.Attribute) and _self_attribute(target)
                named = held and target.attr == name  # type: ignore[attr-defined]
            else:
                named = isinstance(target, ast.Name) and target.id == name
            if named:
                out.append(value)
    return out


def _top_values(source: Source, name: str) -> list[ast.expr]:
    return [v for module in source.modules for v in _body_values(module.body, name)]


def _body_values(body: list[ast.stmt], name: str) -> list[ast.expr]:
    """What the statements of a module's or a class's body bind ``name`` to."""
    out: list[ast.expr] = []
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets: list[ast.expr] = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        else:
            continue
        value = stmt.value
        if value is not None and any(isinstance(t, ast.Name) and t.id == name for t in targets):
            out.append(value)
    return out


def _top_value(source: Source, name: str) -> ast.expr | None:
    values = _top_values(source, name)
    return values[0] if values else None
