"""BKD202 for a FastAPI id declared as text and used as a UUID: ``id: str`` in
``/messages/{id}``, then ``message_table.c.id == id`` on a UUID column, ``Message.id == id``,
``session.get(Message, id)`` or ``uuid.UUID(id)`` (a real app's three routes). FastAPI lets
any text through, so ``/messages/abc`` fails in the driver (a DataError on PostgreSQL) or in
``uuid.UUID()`` (ValueError): a 500 for the client's typo. Typed ``uuid.UUID``, FastAPI
answers 422 itself and hands the route the UUID the column holds.

Silent when the parameter is read as text too (a method, ``+``, ``len()``, a subscript), is
bound again, when the conversion is inside a ``try`` for ValueError, and when the column's
type is not known to be a UUID.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .pyedits import ensure_imports, ensure_module_import
from .pysource import dotted, module_imported_names
from .schema import Schema, Table
from .try_blocks import caught

Function = ast.FunctionDef | ast.AsyncFunctionDef
# Defaults that fill a parameter from somewhere other than the client's text.
_NOT_CLIENT = frozenset({"Depends", "Security"})
# Builtins that need the text itself: a UUID in their place fails or means something else.
_TEXT_ONLY = frozenset({"len", "int", "float", "ord", "bytes"})


def uuid_parameter_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi":
        return []
    out: list[Suggestion] = []
    for arg, default in _text_params(route.func):
        found = _suggestion(facts, route, arg, default)
        if found is not None:
            out.append(found)
    return out


def _text_params(func: Function) -> list[tuple[ast.arg, ast.expr | None]]:
    """Parameters annotated plain ``str`` that the client fills (path, query, body)."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [
        *zip(positional, [*defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    out: list[tuple[ast.arg, ast.expr | None]] = []
    for arg, default in pairs:
        if not (isinstance(arg.annotation, ast.Name) and arg.annotation.id == "str"):
            continue
        if isinstance(default, ast.Call):
            if dotted(default.func).split(".")[-1] in _NOT_CLIENT:
                continue
            if any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in default.args):
                continue  # ``Query("latest")``: a default no UUID can stand for
        elif default is not None:
            continue  # ``= "latest"`` / ``= None``: the text means something besides an id
        out.append((arg, default))
    return out


def _suggestion(
    facts: ModuleFacts, route: Route, arg: ast.arg, default: ast.expr | None
) -> Suggestion | None:
    func, src = route.func, facts.source
    nodes = src.nodes_of(func)
    if any(_stores(n, arg.arg) for n in nodes):
        return None
    names = {arg.arg} | _aliases(nodes, arg.arg)
    conversions: list[ast.Call] = []
    column = ""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in names and _read_as_text(node, facts.up):
            return None
        if isinstance(node, ast.Call) and _uuid_call(facts, node) and _names_one(node, names):
            if caught(node, facts.up, {"ValueError"}):
                return None  # the route answers a malformed id itself
            if not (isinstance(node.args[0], ast.Name) and node.args[0].id == arg.arg):
                return None  # converting an alias: the edit would leave a UUID(UUID)
            conversions.append(node)
        elif isinstance(node, ast.Compare) and _compares(node, names):
            found = _uuid_column(facts.schema, node, names) if facts.schema else ""
            if not found and not all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
                # ``user.id != id``, ``id == "latest"``: compared as text, a UUID never equals
                return None
            column = column or found
        elif isinstance(node, ast.Call) and dotted(node.func).endswith("dumps"):
            if any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node)):
                return None  # ``json.dumps({"id": id})``: a UUID is no JSON value
        elif not column and facts.schema is not None and isinstance(node, ast.Call):
            column = _uuid_column(facts.schema, node, names)
    if not (conversions or column):
        return None
    typed = _uuid_name(facts)
    if typed is None:
        return None
    name, imports = typed
    edits = [
        *imports,
        Edit(src.path, src.span(arg.annotation), name),  # type: ignore[arg-type]
        *(Edit(src.path, src.span(call), arg.arg) for call in conversions),
    ]
    used = f"compared with the UUID column `{column}`" if column else "converted with `UUID()`"
    fails = (
        "fails in the database driver (a DataError on PostgreSQL)"
        if column
        else "raises ValueError in `UUID()`"
    )
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(arg),
        f"Type `{arg.arg}` as a UUID",
        f"`{arg.arg}: str` is {used}, so FastAPI accepts any text and a malformed one {fails}: "
        f"a 500 for the client's typo. Typed `{name}`, FastAPI answers 422 and the route gets "
        "the UUID itself.",
        tuple(edits),
    )


def _stores(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load)


def _aliases(nodes: list[ast.AST], name: str) -> set[str]:
    """``parent_id = id``: locals bound once, to the parameter itself."""
    out = set()
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            alias = node.targets[0].id
            if sum(1 for n in nodes if _stores(n, alias)) == 1:
                out.add(alias)
    return out


def _read_as_text(node: ast.Name, up: dict[ast.AST, ast.AST]) -> bool:
    parent = up.get(node)
    if isinstance(parent, ast.Attribute | ast.Subscript) and parent.value is node:
        return True  # ``id.strip()``, ``id[:8]``
    if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
        return True  # ``"msg-" + id``
    if isinstance(parent, ast.Call) and node in parent.args:
        if isinstance(parent.func, ast.Name) and parent.func.id in _TEXT_ONLY:
            return True
        if isinstance(parent.func, ast.Attribute) and parent.func.attr in ("join", "startswith"):
            return True
    return False


def _uuid_call(facts: ModuleFacts, node: ast.Call) -> bool:
    name = dotted(node.func)
    if len(node.args) != 1 or node.keywords:
        return False
    if name == "uuid.UUID":
        return facts.imports.get("uuid", "uuid") == "uuid"
    return name == "UUID" and facts.imports.get("UUID") == "uuid.UUID"


def _compares(node: ast.Compare, names: set[str]) -> bool:
    sides = [node.left, *node.comparators]
    return any(isinstance(side, ast.Name) and side.id in names for side in sides)


def _names_one(call: ast.Call, names: set[str]) -> bool:
    return isinstance(call.args[0], ast.Name) and call.args[0].id in names


def _uuid_column(schema: Schema, node: ast.AST, names: set[str]) -> str:
    """``table.c.id == name`` / ``Model.id == name`` / ``session.get(Model, name)`` on a
    column the schema types as a UUID: that column, as the code names it."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        if not isinstance(node.ops[0], ast.Eq | ast.NotEq):
            return ""
        left, right = node.left, node.comparators[0]
        if isinstance(left, ast.Name) and left.id in names:
            left, right = right, left
        if not (isinstance(right, ast.Name) and right.id in names):
            return ""
        if isinstance(left, ast.Attribute):
            table = _table_of(schema, left.value)
            column = table.columns.get(left.attr) if table else None
            if column is not None and "uuid" in column.type.lower():
                return dotted(left)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and len(node.args) == 2
        and isinstance(node.args[1], ast.Name)
        and node.args[1].id in names
    ):
        table = schema.table_for_model(dotted(node.args[0]).split(".")[-1])
        keys = [c for c in table.columns.values() if c.primary_key] if table else []
        if len(keys) == 1 and "uuid" in keys[0].type.lower():
            return f"{dotted(node.args[0])}.{keys[0].name}"
    return ""


def _table_of(schema: Schema, owner: ast.expr) -> Table | None:
    """``Message`` (a model), ``message_table.c`` / ``messages.columns`` (a Core table by its
    variable, or by its name with ``_table`` left off)."""
    if isinstance(owner, ast.Attribute) and owner.attr in ("c", "columns"):
        name = dotted(owner.value).split(".")[-1]
        if not name:
            return None
        return schema.table_named(name) or schema.tables.get(name.removesuffix("_table"))
    name = dotted(owner)
    return schema.table_for_model(name.split(".")[-1]) if name else None


def _uuid_name(facts: ModuleFacts) -> tuple[str, list[Edit]] | None:
    """How the module names ``uuid.UUID``, and the import that takes. The annotation is read
    when the ``def`` runs: an import in a function's body (``from uuid import UUID`` in the
    route itself, a real app's) does not bind it there, and the module gets its own."""
    src = facts.source
    imports = module_imported_names(src)
    if imports.get("uuid") == "uuid":
        return "uuid.UUID", []
    if imports.get("UUID") == "uuid.UUID":
        return "UUID", []
    if facts.imports.get("UUID") == "uuid.UUID":
        return "UUID", ensure_imports(src, [("uuid", "UUID")])
    if not _bound(src.modules, "uuid"):
        return "uuid.UUID", ensure_module_import(src, "uuid")
    if not _bound(src.modules, "UUID"):
        return "UUID", ensure_imports(src, [("uuid", "UUID")])
    return None


def _bound(modules: list[ast.Module], name: str) -> bool:
    """``name`` is a module-level name already (imported, assigned, defined)."""
    for module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.Import | ast.ImportFrom):
                if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                    return True
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if node.name == name:
                    return True
            elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
                return True
    return False
