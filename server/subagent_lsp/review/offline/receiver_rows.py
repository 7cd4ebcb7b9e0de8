"""The model method or ``@property`` a route reads off the signed-in user or off a row it
fetched: ``self.request.user.get_active_employment()``, ``post.latest_revision`` of
``post = get_object_or_404(Post, pk=pk)``. row_methods follows a method only on an object the
code built; a model instance is never built in a view, so its class comes from the workspace's
models: the one named where the row was fetched, else the one model that defines the name
(the signed-in user's model when several do)."""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts
from .pysource import Source, dotted, method_of, top_level_class
from .receiver_classes import local_bindings
from .row_methods import class_level

Function = ast.FunctionDef | ast.AsyncFunctionDef

_SIGNED_IN = frozenset(
    {"request.user", "self.request.user", "current_user", "flask_login.current_user", "g.user"}
)
# Calls whose value is a row that is there (they raise or answer 404 otherwise).
_FETCHES = frozenset({"get_object_or_404", "get_or_404", "first_or_404", "one_or_404"})
_PROPERTIES = frozenset({"property", "cached_property", "functools.cached_property"})
_USER_BASES = ("AbstractUser", "AbstractBaseUser", "UserMixin")


def receiver_member(
    facts: ModuleFacts, node: ast.Call | ast.Attribute
) -> tuple[Source, Function] | None:
    """``recv.m(...)`` (a plain method) or ``recv.p`` (a property) of a model, ``recv`` the
    signed-in user or a fetched row: the definition."""
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Attribute):
            return None
        attr, recv, want_property = node.func, node.func.value, False
    else:
        attr, recv, want_property = node, node.value, True
    func = facts.source.function_of(node)
    if func is None:
        return None
    kind = _receiver(facts, func, recv)
    if kind is None:
        return None
    user, model = kind
    for source, cls in _models_defining(facts, attr.attr, model, user):
        member = _member(cls, attr.attr)
        if member is not None and _is_property(member) == want_property:
            return source, member
    return None


def _receiver(facts: ModuleFacts, func: ast.AST, recv: ast.expr) -> tuple[bool, str] | None:
    """(signed-in user?, the model's name when written) for ``recv``, or None."""
    spelled = dotted(recv)
    if spelled in _SIGNED_IN:
        return True, ""
    if not isinstance(recv, ast.Name):
        return None
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    values = local_bindings(facts.source, func).get(recv.id, [])
    # One binding only: a name bound twice may be either value.
    if len(values) != 1:
        return None
    value = values[0]
    # ``current_user: User = Depends(...)``: a parameter counts by its name
    if (value.arg if isinstance(value, ast.arg) else dotted(value)) in _SIGNED_IN:
        return True, ""
    if not isinstance(value, ast.Call):
        return None
    callee = dotted(value.func)
    last = callee.rsplit(".", 1)[-1]
    if last == "get_object_or_404" and value.args:
        return False, dotted(value.args[0]).rsplit(".", 1)[-1]
    if last == "get_object" and callee.startswith("self."):
        return False, ""
    if last in _FETCHES or (last == "get" and ".objects." in f"{callee}."):
        # ``Post.objects.get(...)``, ``Post.query.get_or_404(id)``, ``db.get_or_404(Post, id)``
        head = callee.split(".", 1)[0]
        if last == "get_or_404" and value.args and head in ("db", "session"):
            return False, dotted(value.args[0]).rsplit(".", 1)[-1]
        return False, head if head[:1].isupper() else ""
    return None


def _models_defining(
    facts: ModuleFacts, name: str, model: str, user: bool
) -> list[tuple[Source, ast.ClassDef]]:
    """The workspace's model classes that define ``name``: the named model only when there is
    one; else every definer when they are one, or the user models among them."""
    schema, upstream = facts.schema, facts.upstream
    if schema is None or upstream is None:
        return []
    found: list[tuple[Source, ast.ClassDef]] = []
    seen: set[tuple[str, str]] = set()
    for table in schema.tables.values():
        if not table.model or (model and table.model != model):
            continue
        if (table.path, table.model) in seen:
            continue
        seen.add((table.path, table.model))
        loaded = upstream.loader(table.path)
        cls = top_level_class(loaded, table.model) if loaded is not None else None
        if loaded is not None and cls is not None and _member(cls, name) is not None:
            found.append((loaded, cls))
    if len(found) <= 1:
        return found
    users = [f for f in found if _user_model(f[1])] if user else []
    return users if len(users) == 1 else []


def _user_model(cls: ast.ClassDef) -> bool:
    return cls.name == "User" or any(dotted(b).endswith(_USER_BASES) for b in cls.bases)


def _member(cls: ast.ClassDef, name: str) -> Function | None:
    """An instance's method or property: a classmethod or staticmethod is none."""
    node = method_of(cls, name)
    return None if node is None or class_level(node) else node


def _is_property(func: Function) -> bool:
    return any(dotted(d) in _PROPERTIES for d in func.decorator_list)
