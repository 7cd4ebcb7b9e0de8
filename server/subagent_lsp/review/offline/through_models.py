"""What a Django through model stands for: ``TeamMembers(team=FK(Team), user=FK(User))``
named by ``Team.members = ManyToManyField(User, through="TeamMembers")``. A check written
against the relation (``request.user in team.members.all()``) then reads as a lookup of the
through model (``TeamMembers(team=team, user=request.user)``), which is how a DRF permission
proves the row a view later ``.get``s (drf_permissions)."""

from __future__ import annotations

import ast
from typing import Protocol

from .pysource import Source, dotted, imported_from

_FOREIGN_KEYS = frozenset({"ForeignKey", "OneToOneField"})


class ClassResolver(Protocol):
    def __call__(self, source: Source, node: ast.expr) -> tuple[Source, ast.ClassDef] | None: ...


def through_relations(
    resolve: ClassResolver, source: Source, model: ast.ClassDef
) -> dict[str, tuple[str, str]]:
    """``{"members": ("team", "user")}``: each many-to-many attribute another model declares
    ``through`` this one, with this model's field naming the owner row and the one naming
    the member. Only an unambiguous pair: one foreign key to each side, two distinct sides
    (a self-referencing relation does not say which key is which)."""
    keys = _foreign_keys(model)
    out: dict[str, tuple[str, str]] = {}
    for target in {t for _, t in keys}:
        owner = _target_class(resolve, source, model, target)
        if owner is None:
            continue
        for attr, member, fields in _many_to_many_through(owner[1], model.name):
            if fields is not None:
                out[attr] = fields
                continue
            owner_keys = [name for name, t in keys if _last(t) == owner[1].name]
            member_keys = [name for name, t in keys if _last(t) == _last(member)]
            if len(owner_keys) == 1 and len(member_keys) == 1 and owner_keys != member_keys:
                out[attr] = (owner_keys[0], member_keys[0])
    return out


def _foreign_keys(model: ast.ClassDef) -> list[tuple[str, str]]:
    """``(field, target as written)`` for the model's ForeignKey/OneToOne fields."""
    out: list[tuple[str, str]] = []
    for stmt in model.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target, value = stmt.targets[0], stmt.value
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            continue
        if dotted(value.func).split(".")[-1] in _FOREIGN_KEYS:
            written = _written_target(value)
            if written:
                out.append((target.id, written))
    return out


def _many_to_many_through(
    owner: ast.ClassDef, through: str
) -> list[tuple[str, str, tuple[str, str] | None]]:
    """``(attribute, member model as written, through_fields)`` of the owner's
    ManyToManyFields whose ``through`` is the model named ``through``."""
    out: list[tuple[str, str, tuple[str, str] | None]] = []
    for stmt in owner.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target, value = stmt.targets[0], stmt.value
        if not (isinstance(target, ast.Name) and isinstance(value, ast.Call)):
            continue
        if dotted(value.func).split(".")[-1] != "ManyToManyField":
            continue
        kwargs = {k.arg: k.value for k in value.keywords if k.arg}
        via = kwargs.get("through")
        named = via.value if isinstance(via, ast.Constant) else dotted(via) if via else ""
        if not isinstance(named, str) or _last(named) != through:
            continue
        member = _written_target(value)
        if member:
            out.append((target.id, member, _through_fields(kwargs.get("through_fields"))))
    return out


def _through_fields(node: ast.expr | None) -> tuple[str, str] | None:
    if isinstance(node, ast.Tuple | ast.List) and len(node.elts) == 2:
        names = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(names) == 2 and all(isinstance(n, str) for n in names):
            return str(names[0]), str(names[1])
    return None


def _written_target(call: ast.Call) -> str:
    """The related model as written: ``Team``, ``"Team"``, ``"team.Team"``,
    ``settings.AUTH_USER_MODEL`` (its first argument, or ``to=``)."""
    node = (
        call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "to"), None)
    )
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return dotted(node) if node is not None else ""


def _target_class(
    resolve: ClassResolver, source: Source, model: ast.ClassDef, written: str
) -> tuple[Source, ast.ClassDef] | None:
    """The project class a foreign key points at: a name the models module binds, or a
    string naming a class of the same module (``"Team"``, ``"team.Team"``)."""
    if written == "self":
        return source, model
    name = _last(written)
    if not name.isidentifier():
        return None
    if "." in written and not imported_from(source, written.split(".")[0]):
        # ``"team.Team"``: an app label, looked for in this module only
        return _own_class(source, name)
    return resolve(source, ast.Name(id=name, ctx=ast.Load())) or _own_class(source, name)


def _own_class(source: Source, name: str) -> tuple[Source, ast.ClassDef] | None:
    for module in source.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == name:
                return source, stmt
    return None


def _last(written: str) -> str:
    return written.split(".")[-1]
