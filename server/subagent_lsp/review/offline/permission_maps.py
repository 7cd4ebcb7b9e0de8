"""BKD328: a DRF view sets a map of permission classes (``permission_classes_by_action =
{"update": (IsStaff,), ...}``) that nothing reads: DRF itself reads only ``permission_classes``
(through ``get_permissions()``), so every action runs with the default permissions and the
classes the map names never apply (a real shop's OrderViewSet ran as AllowAny: any customer
could update or delete an order, and an anonymous list was a 500; judged a must).

The map is a class attribute of a DRF view (drf_view_classes: over DRF's own classes only, so
no library mixin reads it) whose name speaks of permissions, a dict literal of string keys.
Unread means no ``get_permissions``/``check_permissions`` in the view's classes, and no
module of the project that reads the name where it may apply to the view: a permission's
``view.permissions_by_action``, a ``getattr(view, "...")``, a mixin's ``self.`` read of it
in one of the view's own classes (another viewset's ``get_permissions()`` reading its own
map through ``self`` does not count). The keys say
what ``get_permissions()`` looks them up by: a viewset's action names (``self.action``), or
HTTP methods (``self.request.method``); anything else is left alone. When the map has
``update`` and not ``partial_update``, a PATCH looks up ``update``'s classes: DRF's
``partial_update`` is the same update, and the map's author meant it to be guarded alike.
Actions the map does not name fall back to ``permission_classes``, as DRF would run them (to
the map's own ``"default"`` entry when it has one).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .drf import uses_drf
from .drf_defaults import anonymous_by_default
from .drf_view_classes import DrfView, drf_view_class
from .frameworks import ModuleFacts
from .pyedits import LINE_LENGTH, insert_before_line
from .pysource import Source

CODE = "BKD328"

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_DECIDES = frozenset({"get_permissions", "check_permissions"})
_UPDATES = frozenset({"ModelViewSet", "UpdateModelMixin"})


def permission_map_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    text = facts.source.text
    if "rest_framework" not in text or "permission" not in text or not uses_drf(facts):
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        for stmt in cls.body:
            found = _map(stmt)
            if found is None:
                continue
            view = drf_view_class(facts, cls)
            if view is None or view.defines(_DECIDES) or _read(facts, view, found[0]):
                break
            made = _suggestion(facts, view, stmt, *found)
            if made is not None:
                out.append(made)
            break  # one map a class: a second is the same fix's
    return out


def _map(stmt: ast.stmt) -> tuple[str, list[str]] | None:
    """``permission_classes_by_action = {"create": (IsAuthenticated,), ...}``: the name and
    the keys."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return None
    if not isinstance(target, ast.Name) or "permission" not in target.id:
        return None
    if target.id == "permission_classes" or not isinstance(value, ast.Dict) or not value.keys:
        return None
    keys: list[str] = []
    for key in value.keys:
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None  # ``**base``: a map built from another
        keys.append(key.value)
    return target.id, keys


def _read(facts: ModuleFacts, view: DrfView, name: str) -> bool:
    """Some module of the project (the view's and its bases' at least) reads ``name`` where it
    may apply to the view: anywhere but through ``self`` in another class's method (another
    viewset's own ``get_permissions()`` reads its own map, not this one's)."""
    sources: dict[str, Source] = {s.path: s for s, _ in view.chain}
    for source in facts.writers(name) if facts.writers is not None else ():
        sources.setdefault(source.path, source)
    chain = {id(c) for _, c in view.chain}
    for source in sources.values():
        up = source.up()
        for node in source.walk():
            held: ast.expr | None
            if isinstance(node, ast.Attribute) and node.attr == name:
                held = node.value
            elif isinstance(node, ast.Constant) and node.value == name:
                call = up.get(node)  # ``getattr(self, "permission_classes_by_action")``
                held = call.args[0] if isinstance(call, ast.Call) and call.args else None
            elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                return True  # a class body's own use of it (``permission_classes = MAP[...]``)
            else:
                continue
            if isinstance(held, ast.Name) and held.id == "self":
                owner = _class_of(source, node)
                if owner is not None and id(owner) not in chain:
                    continue
            return True
    return False


def _class_of(source: Source, node: ast.AST) -> ast.ClassDef | None:
    """The class whose method ``node`` sits in."""
    func = source.function_of(node)
    owner = source.up().get(func) if func is not None else None
    return owner if isinstance(owner, ast.ClassDef) else None


def _quote(src: Source) -> str:
    """The quote most of the module's strings open with (the app's own style)."""
    counts = {"'": 0, '"': 0}
    for node in src.of(ast.Constant):
        if isinstance(node.value, str) and 0 < node.lineno <= len(src.lines):
            first = src.lines[node.lineno - 1][node.col_offset : node.col_offset + 1]
            if first in counts:
                counts[first] += 1
    return "'" if counts["'"] > counts['"'] else '"'


def _lookup(view: DrfView, keys: list[str]) -> tuple[str, str] | None:
    """What ``get_permissions()`` looks the map up by, and the line that binds it (or "")."""
    named = [k for k in keys if k != "default"]
    if named and all(k in _METHODS for k in named):
        return "self.request.method", ""
    if named and all(k.upper() in _METHODS and k.islower() for k in named):
        return "self.request.method.lower()", ""
    if not view.viewset:
        return None  # a generic view has no action: keys it cannot be looked up by
    if "update" in keys and "partial_update" not in keys and view.drf & _UPDATES:
        return "action", 'action = "update" if self.action == "partial_update" else self.action'
    return "self.action", ""


def _suggestion(
    facts: ModuleFacts, view: DrfView, stmt: ast.stmt, name: str, keys: list[str]
) -> Suggestion | None:
    src, cls = facts.source, view.cls
    found = _lookup(view, keys)
    if found is None or cls.end_lineno is None:
        return None
    key, bind = found
    quote = _quote(src)
    bind = bind.replace('"', quote)
    indent = src.indent_of(stmt.lineno - 1)
    inner = indent + "    "
    lines = [
        "",
        f"{indent}def get_permissions(self):",
        f"{inner}# DRF itself reads only permission_classes: the map applies through here",
    ]
    if bind:
        lines.append(f"{inner}{bind}")
    # ``"default": [...]``: the map's own fallback, as its author wrote it
    fallback = f"self.{name}[{quote}default{quote}]" if "default" in keys else ""
    fallback = fallback or "self.permission_classes"
    call = f"classes = self.{name}.get({key}, {fallback})"
    if len(inner) + len(call) <= LINE_LENGTH:
        lines.append(f"{inner}{call}")
    else:
        lines += [
            f"{inner}classes = self.{name}.get(",
            f"{inner}    {key}, {fallback}",
            f"{inner})",
        ]
    lines.append(f"{inner}return [permission() for permission in classes]")
    edit = insert_before_line(src, cls.end_lineno, "\n".join(lines))
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt
    unnamed = ""
    if bind:
        unnamed = (
            " The map names `update` and not `partial_update`: a PATCH would run with "
            "`permission_classes`, so the fix looks it up as `update`."
        )
    default = "the default permissions"
    if "permission_classes" not in view.assigned() and anonymous_by_default(
        src.path, facts.writers
    ):
        default = "DRF's default, AllowAny (the settings set no DEFAULT_PERMISSION_CLASSES)"
    otherwise = "its `default` entry" if "default" in keys else "`permission_classes`"
    why = (
        f"DRF picks a view's permissions only from `permission_classes` (in "
        f"`get_permissions()`); nothing in the project reads `{cls.name}.{name}`, so every "
        f"request runs with {default} and the classes the map names never "
        f"apply.{unnamed} A `get_permissions()` that looks the request up in the map, "
        f"falling back to {otherwise}, makes it do what it says."
    )
    title = f"Apply {cls.name}.{name} in get_permissions()"
    return Suggestion(CODE, "error-handling", src.path, src.span(target), title, why, (edit,))
