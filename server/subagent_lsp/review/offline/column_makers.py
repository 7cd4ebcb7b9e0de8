"""Project functions that make a ``Table(...)`` column: ``uuid_pk = lambda: Column("id", ...,
primary_key=True)``, ``def created_at(index=False): return sa.Column("created_at", ...,
index=index)``. A table written ``Table("post", metadata, uuid_pk(), created_at(index=True))``
has those columns, and a flag passed through a parameter is the caller's value (or the
parameter's default). Without them the table's key and timestamps are unknown and no index on
it can be proven.

The maker is usually in another module (``database/utils.py``): it is read per file here and
applied when the workspace's schema is resolved.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .pysource import Source, dotted, every_node

# The flags of a Column a caller may pass through: Column keyword -> CallColumn attribute.
_FLAGS = {"primary_key": "primary_key", "unique": "unique", "index": "indexed"}


@dataclass(frozen=True)
class Param:
    """A value the maker takes from its parameter."""

    name: str


@dataclass(frozen=True)
class ColumnMaker:
    # the column's name, the maker's first argument to Column: a constant, or the parameter
    # it comes from (``def fk(name, target): return Column(name, ForeignKey(target))``)
    name: str | Param
    type: str = ""
    references: str | Param = ""  # the table its ForeignKey points at
    flags: tuple[tuple[str, bool | Param], ...] = ()  # flag -> its constant or parameter
    params: tuple[str, ...] = ()  # positional parameters, in order
    defaults: tuple[tuple[str, object], ...] = ()  # parameter -> its constant default


@dataclass(frozen=True)
class MakerCall:
    """``created_at(index=True)`` inside a ``Table(...)``: the maker's name and the constants
    it is called with."""

    func: str
    args: tuple[object, ...] = ()
    kwargs: tuple[tuple[str, object], ...] = field(default=())


def column_makers(source: Source) -> dict[str, ColumnMaker]:
    """The module-level column makers of ``source``, by name."""
    out: dict[str, ColumnMaker] = {}
    for module in source.modules:
        for stmt in module.body:
            found = _maker(stmt)
            if found is not None:
                out[found[0]] = found[1]
    return out


def maker_call(call: ast.Call) -> MakerCall | None:
    """A call that may be a column maker's (anything but SQLAlchemy's own constructs)."""
    func = dotted(call.func)
    if not func or func.split(".")[-1] in _NOT_MAKERS:
        return None
    args = tuple(a.value if isinstance(a, ast.Constant) else _UNKNOWN for a in call.args)
    kwargs = tuple(
        (k.arg, k.value.value if isinstance(k.value, ast.Constant) else _UNKNOWN)
        for k in call.keywords
        if k.arg
    )
    return MakerCall(func.split(".")[-1], args, kwargs)


@dataclass(frozen=True)
class MadeColumn:
    name: str
    type: str
    references: str
    flags: dict[str, bool]  # CallColumn attribute -> its value


def made_column(maker: ColumnMaker, call: MakerCall) -> MadeColumn | None:
    """The column this call makes, its flags as the call sets them (a value not written as a
    constant: unset); None when its name is no constant."""
    given = dict(zip(maker.params, call.args, strict=False))
    given.update(call.kwargs)
    defaults = dict(maker.defaults)

    def value(written: object) -> object:
        if isinstance(written, Param):
            return given.get(written.name, defaults.get(written.name))
        return written

    name, references = value(maker.name), value(maker.references)
    if not isinstance(name, str) or not name:
        return None
    if not isinstance(references, str):
        references = ""
    flags = {_FLAGS[flag]: value(written) is True for flag, written in maker.flags}
    return MadeColumn(name, maker.type, references.rsplit(".", 1)[0], flags)


# Constructs of SQLAlchemy's own that sit in a Table(...) beside its columns.
_NOT_MAKERS = frozenset(
    {"Column", "Index", "UniqueConstraint", "PrimaryKeyConstraint", "ForeignKeyConstraint"}
    | {"CheckConstraint", "Computed", "Identity", "text", "func"}
)
_UNKNOWN = object()  # an argument that is no constant: the flag it feeds stays unset


def _maker(stmt: ast.stmt) -> tuple[str, ColumnMaker] | None:
    if isinstance(stmt, ast.FunctionDef):
        returned = [r.value for r in every_node(stmt) if isinstance(r, ast.Return) and r.value]
        if len(returned) != 1:
            return None
        name, body, arguments = stmt.name, returned[0], stmt.args
    elif (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Lambda)
    ):
        name, body, arguments = stmt.targets[0].id, stmt.value.body, stmt.value.args
    else:
        return None
    if not isinstance(body, ast.Call) or dotted(body.func).split(".")[-1] != "Column":
        return None
    params = tuple(a.arg for a in (*arguments.posonlyargs, *arguments.args))
    named = {*params, *(a.arg for a in arguments.kwonlyargs)}

    def written(node: ast.expr) -> str | bool | Param | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bool):
            return node.value
        if isinstance(node, ast.Name) and node.id in named:
            return Param(node.id)
        return None

    column = written(body.args[0]) if body.args else None
    if not isinstance(column, str | Param):
        return None
    flags: list[tuple[str, bool | Param]] = []
    for kw in body.keywords:
        flag = written(kw.value) if kw.arg in _FLAGS else None
        if kw.arg and isinstance(flag, bool | Param):
            flags.append((kw.arg, flag))
    references: str | Param = ""
    for arg in body.args[1:]:
        if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey") and arg.args:
            target = written(arg.args[0])
            references = target if isinstance(target, str | Param) else ""
    return name, ColumnMaker(
        column, _type(body), references, tuple(flags), params, _defaults(arguments)
    )


def _defaults(arguments: ast.arguments) -> tuple[tuple[str, object], ...]:
    positional = [*arguments.posonlyargs, *arguments.args]
    with_default = positional[len(positional) - len(arguments.defaults) :]
    pairs: list[tuple[str, ast.expr | None]] = [
        (a.arg, d) for a, d in zip(with_default, arguments.defaults, strict=True)
    ]
    pairs += [(a.arg, d) for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)]
    return tuple((n, d.value) for n, d in pairs if isinstance(d, ast.Constant))


def _type(call: ast.Call) -> str:
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and dotted(arg.func).endswith("ForeignKey"):
            continue
        if isinstance(arg, ast.Name | ast.Attribute | ast.Call):
            return dotted(arg.func if isinstance(arg, ast.Call) else arg)
    return ""
