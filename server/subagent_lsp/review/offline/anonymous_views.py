"""BKD327: a DRF class view names no ``permission_classes`` in a project whose settings let
anyone in by default, and reads ``request.user`` as a signed-in user: an anonymous client's
request is a 500 where DRF would have answered 401/403 (a real shop's ``/user/me/`` returned
``self.request.user`` for its serializer, and its logout ran ``request.user.auth_token
.delete()``: judged a must).

An anonymous request's ``request.user`` is Django's ``AnonymousUser``. Read here, in the view's
own methods, are what fails on it: an attribute it lacks (``email``, ``auth_token``, a
relation), a method it leaves unimplemented (``check_password``, ``save``...: a
NotImplementedError), the user as a lookup's or a create's value (``filter(user=
self.request.user)``: a TypeError, ``create(user=...)``/``serializer.save(user=...)``: a
ValueError), and a generic view's ``get_object()`` returning it (the serializer reads its
fields, an update saves it). The settings are read by drf_defaults: no
``DEFAULT_PERMISSION_CLASSES``, or only AllowAny.

Silent when any class of the view decides its permissions (``permission_classes``, a map of
them, which BKD328 answers, ``get_permissions``/``check_permissions``/``initial``/``dispatch``,
a decorator not known to be a schema's) or its authenticators (``authentication_classes``),
when a ``urls.py`` wraps its ``as_view()`` in a call of its own (``login_required(...)``),
when it tests the user (``is_authenticated``, ``is_anonymous``, ``request.auth``), when a
``try`` catches the failure, when a project class derives from it (a base its subclasses
complete), and for a view over any class but DRF's own (drf_view_classes). The fix adds
``permission_classes = [IsAuthenticated]`` to the class, imported as the module imports DRF's
permissions.

A view's own ``permission_classes`` may let anonymous clients in all the same: ``AllowAny``,
an empty list, or a project class over DRF's ``BasePermission`` that defines
``has_object_permission`` and no ``has_permission`` (BasePermission's answers True). Object
permissions run only in ``get_object()``, so a ``perform_create`` (a real contact form's
``serializer.save(owner=self.request.user)`` under ``[IsOwnerOrReadOnly]``: an anonymous POST
was a ValueError, judged a must), a handler or ``get_queryset`` reaches the user unchecked;
a generic view's ``retrieve``/``update``/``destroy`` and their ``perform_*``, and a method
that gets or checks the object itself, do not. Only the authenticators of the settings are
read then. Silent for a class not resolved, one that defines ``has_permission`` (or derives
from any class but BasePermission), a list that is no literal, and what else decides. The fix
puts ``IsAuthenticatedOrReadOnly`` first in the list when every such use is in a method only
writes run (``perform_create``, ``create``, ``post``): reads stay public; else
``IsAuthenticated``. An ``AllowAny`` first is replaced.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ...definitions.findings import Span
from ..suggestion import Edit, Suggestion
from .drf import uses_drf
from .drf_defaults import anonymous_admitted, anonymous_by_default
from .drf_view_classes import GETS_OBJECT, DrfView, drf_view_class
from .frameworks import ModuleFacts
from .pyedits import LINE_LENGTH, ensure_imports, insert_before_line, replace_node, statement_lines
from .pysource import Source, dotted, keyword_value, name_for, qualified
from .try_blocks import caught

CODE = "BKD327"

Function = ast.FunctionDef | ast.AsyncFunctionDef
# What Django's AnonymousUser has and answers without raising.
_ANONYMOUS_HAS = frozenset(
    {"id", "pk", "username", "is_staff", "is_active", "is_superuser", "is_anonymous"}
    | {"is_authenticated", "groups", "user_permissions", "get_username"}
    | {"get_user_permissions", "get_group_permissions", "get_all_permissions"}
    | {"has_perm", "has_perms", "has_module_perms", "__class__"}
)
# What it has and raises NotImplementedError on.
_NOT_IMPLEMENTED = frozenset({"save", "delete", "set_password", "check_password"})
# Calls whose keyword value is looked up as a row (TypeError) or assigned to one (ValueError).
_LOOKUPS = frozenset(
    {"filter", "exclude", "get", "get_or_create", "update_or_create", "get_object_or_404"}
    | {"get_list_or_404", "Q"}
)
_ASSIGNS = frozenset({"create", "save"})
# What decides the permissions besides ``permission_classes``.
_DECIDES = frozenset(
    {"get_permissions", "check_permissions", "initial", "dispatch", "perform_authentication"}
    | {"initialize_request"}
)
_GUARDS = frozenset({"is_authenticated", "is_anonymous"})
_AUTH = ("request.auth", "self.request.auth")
# Class decorators that document a view and change nothing it runs.
_SCHEMA_DECORATORS = frozenset(
    {"extend_schema", "extend_schema_view", "swagger_auto_schema", "csrf_exempt"}
)
_FAILURES = {"AttributeError", "TypeError", "ValueError", "NotImplementedError"}
_SHOWN = 3
_PERMISSIONS = "rest_framework.permissions"
_ALLOW_ANY = f"{_PERMISSIONS}.AllowAny"
_BASE_PERMISSION = f"{_PERMISSIONS}.BasePermission"
# A generic view's methods that run only after get_object() checked the object's permissions.
_AFTER_THE_OBJECT = frozenset(
    {"retrieve", "update", "partial_update", "destroy", "perform_update", "perform_destroy"}
)
# Methods only an unsafe request runs: a use there leaves anonymous reads working.
_WRITES_ONLY = frozenset(
    {"post", "put", "patch", "delete", "create", "perform_create"}
    | {"update", "partial_update", "destroy", "perform_update", "perform_destroy"}
)
_SAFE = frozenset({"get", "head", "options"})
_MAX_PERMISSION_CLASSES = 4  # a project's own permission hierarchy


@dataclass(frozen=True)
class _Read:
    node: ast.AST
    effect: str  # what fails, for the rationale
    returned: bool = False  # ``get_object()`` returns the user: only a generic view's fails


@dataclass(frozen=True)
class _Admitting:
    """The view's own ``permission_classes = [...]``, every class of which admits an
    anonymous client: the list, and each entry with why (for the rationale)."""

    value: ast.List | ast.Tuple
    entries: tuple[tuple[ast.expr, str], ...]


def anonymous_view_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    text = facts.source.text
    if "rest_framework" not in text or ".user" not in text or not uses_drf(facts):
        return []
    out: list[Suggestion] = []
    settings: dict[bool, bool] = {}  # whether the view names its permissions -> settings open
    for cls in facts.source.of(ast.ClassDef):
        reads = [*_reads(facts, cls), *_returned_user(facts, cls)]
        if not reads:
            continue
        view = drf_view_class(facts, cls)
        if view is None or _tests_the_user(view):
            continue
        admitting = None
        if _decided(view):
            admitting = _admitting(facts, view)
            if admitting is None:
                continue
            reads = _before_the_object(facts.source, view, reads)
        if not view.drf & GETS_OBJECT:
            reads = [r for r in reads if not r.returned]  # no get_object() DRF calls
        if not reads or _has_subclasses(facts, cls) or _wrapped_where_routed(facts, cls):
            continue
        named = admitting is not None
        if named not in settings:
            read = anonymous_admitted if named else anonymous_by_default
            settings[named] = read(facts.source.path, facts.writers)
        if not settings[named]:
            continue
        ordered = sorted(reads, key=_position)
        made = (
            _suggestion(facts, cls, ordered)
            if admitting is None
            else _listed_suggestion(facts, cls, admitting, ordered)
        )
        if made is not None:
            out.append(made)
    return out


def _position(read: _Read) -> tuple[int, int]:
    return getattr(read.node, "lineno", 0), getattr(read.node, "col_offset", 0)


def _methods(cls: ast.ClassDef) -> list[Function]:
    """The class's own methods a request runs: not an ``@action`` with its own permissions."""
    out: list[Function] = []
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if any(
            isinstance(d, ast.Call)
            and dotted(d.func).split(".")[-1] == "action"
            and keyword_value(d, "permission_classes") is not None
            for d in stmt.decorator_list
        ):
            continue
        out.append(stmt)
    return out


def _user_names(src: Source, func: Function) -> tuple[set[str], set[str]]:
    """How ``func`` writes the request's user: dotted forms, and locals bound to it once."""
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    written = {"self.request.user"}
    if "request" in params:
        written.add("request.user")
    bound: dict[str, int] = {}
    aliases: set[str] = set()
    for node in src.nodes_of(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound[node.id] = bound.get(node.id, 0) + 1
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and dotted(node.value) in written
        ):
            aliases.add(node.targets[0].id)
    return written, {a for a in aliases if bound.get(a) == 1}


def _is_user(node: ast.AST, written: set[str], aliases: set[str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in aliases
    return isinstance(node, ast.Attribute) and node.attr == "user" and dotted(node) in written


def _reads(facts: ModuleFacts, cls: ast.ClassDef) -> list[_Read]:
    """What the class's own methods do with the request's user that fails on AnonymousUser."""
    src, up = facts.source, facts.up
    out: list[_Read] = []
    for func in _methods(cls):
        written, aliases = _user_names(src, func)
        for node in src.nodes_of(func):
            if src.function_of(node) is not func:
                continue
            effect = ""
            if isinstance(node, ast.Attribute) and _is_user(node.value, written, aliases):
                effect = _attribute_effect(src, up, node)
            elif isinstance(node, ast.Call):
                effect = _call_effect(src, node, written, aliases)
            if effect and not caught(node, up, _FAILURES):
                out.append(_Read(node, effect))
    return out


def _attribute_effect(src: Source, up: dict[ast.AST, ast.AST], node: ast.Attribute) -> str:
    if node.attr in _ANONYMOUS_HAS or not isinstance(node.ctx, ast.Load):
        return ""
    parent = up.get(node)
    if node.attr in _NOT_IMPLEMENTED:
        if isinstance(parent, ast.Call) and parent.func is node:
            return f"`{src.text_of(node)}(...)` raises NotImplementedError"
        return ""
    return f"`{src.text_of(node)}` raises AttributeError (AnonymousUser has no `{node.attr}`)"


def _call_effect(src: Source, call: ast.Call, written: set[str], aliases: set[str]) -> str:
    name = dotted(call.func).split(".")[-1]
    if name not in _LOOKUPS and name not in _ASSIGNS:
        return ""
    for keyword in call.keywords:
        if keyword.arg is not None and _is_user(keyword.value, written, aliases):
            head = src.text_of(call.func)
            shown = f"`{head}({keyword.arg}={src.text_of(keyword.value)})`"
            if name in _LOOKUPS:
                return f"{shown} raises TypeError (AnonymousUser is no row to look up by)"
            return f"{shown} raises ValueError (AnonymousUser cannot be assigned to a row)"
    return ""


def _returned_user(facts: ModuleFacts, cls: ast.ClassDef) -> list[_Read]:
    """The class's own ``get_object()`` returning the request's user: a generic view's
    retrieve hands AnonymousUser to the serializer, its update saves it."""
    src = facts.source
    func = next((f for f in _methods(cls) if f.name == "get_object"), None)
    if func is None:
        return []
    written, aliases = _user_names(src, func)
    for node in src.nodes_of(func):
        if (
            isinstance(node, ast.Return)
            and node.value is not None
            and src.function_of(node) is func
            and _is_user(node.value, written, aliases)
        ):
            effect = (
                "`get_object()` returns AnonymousUser: the serializer's reading of a field it "
                "lacks raises AttributeError, and an update's save() raises NotImplementedError"
            )
            return [_Read(node, effect, returned=True)]
    return []


def _decided(view: DrfView) -> bool:
    """Some class of the view picks its permissions itself (or may: an unknown decorator)."""
    if any("permission" in name or "authentication" in name for name in view.assigned()):
        return True  # its own authenticators may refuse a request without credentials
    return view.defines(_DECIDES) or _decorated(view)


def _decorated(view: DrfView) -> bool:
    """A class of the view has a decorator not known to leave its requests alone."""
    for _, cls in view.chain:
        for deco in cls.decorator_list:
            name = dotted(deco.func if isinstance(deco, ast.Call) else deco).split(".")[-1]
            if name not in _SCHEMA_DECORATORS:
                return True
    return False


def _admitting(facts: ModuleFacts, view: DrfView) -> _Admitting | None:
    """The view's own literal ``permission_classes``, when nothing else of it decides and
    every class listed admits an anonymous client (for a request no object is checked in)."""
    others = {n for n in view.assigned() if "permission" in n or "authentication" in n}
    if others - {"permission_classes"} or view.defines(_DECIDES) or _decorated(view):
        return None
    own = [
        s
        for s in view.cls.body
        if isinstance(s, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "permission_classes" for t in s.targets)
    ]
    if len(own) != 1 or not isinstance(own[0].value, ast.List | ast.Tuple):
        return None  # a base's, a name, a call, one rebound
    value = own[0].value
    entries: list[tuple[ast.expr, str]] = []
    for entry in value.elts:
        why = _admits(facts, entry)
        if why is None:
            return None
        entries.append((entry, why))
    return _Admitting(value, tuple(entries))


def _admits(facts: ModuleFacts, entry: ast.expr) -> str | None:
    """Why a permission class lets an anonymous client in: DRF's AllowAny, or a project class
    that decides only per object; None for anything else (or not resolved)."""
    if isinstance(entry, ast.Starred):
        return None
    written = dotted(entry)
    if written and qualified(facts.source, written) == _ALLOW_ANY:
        return "AllowAny"
    found = facts.upstream.resolve_class(facts.source, entry) if facts.upstream else None
    if found is None:
        return None
    todo, seen, object_check = [found], 0, False
    while todo:
        source, cls = todo.pop()
        seen += 1
        if seen > _MAX_PERMISSION_CLASSES or cls.keywords:
            return None  # a metaclass may add what is not read
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                if stmt.name == "has_permission":
                    return None
                object_check |= stmt.name == "has_object_permission"
            elif isinstance(stmt, ast.Assign | ast.AnnAssign):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(isinstance(t, ast.Name) and t.id == "has_permission" for t in targets):
                    return None
        for base in cls.bases:
            if qualified(source, dotted(base)) == _BASE_PERMISSION:
                continue
            project = facts.upstream.resolve_class(source, base) if facts.upstream else None
            if project is None:
                return None  # DRF's IsAuthenticated, a library's class: a real has_permission
            todo.append(project)
    return "object" if object_check else None


def _before_the_object(source: Source, view: DrfView, reads: list[_Read]) -> list[_Read]:
    """The uses a request reaches before any object permission is checked: not a generic
    view's methods that run after ``get_object()``, nor a method that gets or checks an
    object itself."""
    out: list[_Read] = []
    for read in reads:
        func = source.function_of(read.node)
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if view.drf & GETS_OBJECT and func.name in _AFTER_THE_OBJECT:
            continue
        if func.name != "get_object" and _checks_an_object(source, func):
            continue
        out.append(read)
    return out


def _checks_an_object(source: Source, func: Function) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("get_object", "check_object_permissions")
        for node in source.nodes_of(func)
    )


def _tests_the_user(view: DrfView) -> bool:
    """Some method of the view asks whether the client signed in: it answers them itself."""
    for source, cls in view.chain:
        for node in source.nodes_of(cls):
            if isinstance(node, ast.Attribute) and node.attr in _GUARDS:
                return True
            if isinstance(node, ast.Attribute) and dotted(node) in _AUTH:
                return True
            if isinstance(node, ast.Name) and node.id in ("NotAuthenticated", "AnonymousUser"):
                return True
    return False


def _has_subclasses(facts: ModuleFacts, cls: ast.ClassDef) -> bool:
    """A project class derives from ``cls``: a base whose subclasses may name the permissions
    (only the routed classes run)."""
    sources = list(facts.writers(cls.name)) if facts.writers is not None else [facts.source]
    for source in sources:
        for other in source.of(ast.ClassDef):
            if other is not cls and any(dotted(b).split(".")[-1] == cls.name for b in other.bases):
                return True
    return False


# What a ``urls.py`` hands a view to on its way to the router.
_ROUTING = frozenset({"path", "re_path", "url", "include", "as_view"})


def _wrapped_where_routed(facts: ModuleFacts, cls: ast.ClassDef) -> bool:
    """Some module routes ``cls.as_view()`` through a call of its own (``login_required(
    MeView.as_view())``): that wrapper may turn anonymous clients away first."""
    sources = list(facts.writers(cls.name)) if facts.writers is not None else [facts.source]
    for source in sources:
        up = source.up()
        for call in source.of(ast.Call):
            func = call.func
            if not (isinstance(func, ast.Attribute) and func.attr == "as_view"):
                continue
            if dotted(func.value).split(".")[-1] != cls.name:
                continue
            parent = up.get(call)
            while parent is not None and not isinstance(parent, ast.stmt):
                name = dotted(parent.func) if isinstance(parent, ast.Call) else ""
                if name and name.split(".")[-1] not in _ROUTING:
                    return True
                parent = up.get(parent)
    return False


def _permission_name(
    facts: ModuleFacts, wanted: str = "IsAuthenticated"
) -> tuple[str, list[tuple[str, str]]] | None:
    """How the module names DRF's ``wanted`` permission class, and the import that needs."""
    return name_for(facts.imports, facts.source, _PERMISSIONS, wanted)


def _tuple_style(src: Source) -> bool:
    """The module writes its other views' ``permission_classes`` as tuples."""
    return any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "permission_classes" for t in node.targets)
        and isinstance(node.value, ast.Tuple)
        for node in src.of(ast.Assign)
    )


def _suggestion(facts: ModuleFacts, cls: ast.ClassDef, reads: list[_Read]) -> Suggestion | None:
    src = facts.source
    named = _permission_name(facts)
    if named is None or not cls.body:
        return None
    name, needed = named
    body = cls.body
    first = body[0]
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    if first.lineno == cls.lineno:
        return None  # ``class A(APIView): pass``: no line of its own to add to
    value = f"({name},)" if _tuple_style(src) else f"[{name}]"
    line = f"permission_classes = {value}"
    if docstring and len(body) == 1:
        indent = src.indent_of(first.lineno - 1)
        at = first.end_lineno or first.lineno  # the line after the docstring
        text = f"{indent}{line}"
    else:
        after = body[1] if docstring else first
        at = statement_lines(after)[0]
        indent = src.indent_of(after.lineno - 1)
        text = f"{indent}{line}"
        if isinstance(after, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            text += "\n"  # a blank line before the method, as the formatters keep it
    edits = [*ensure_imports(src, needed), insert_before_line(src, at, text)]
    effects = "; ".join(r.effect for r in reads[:_SHOWN])
    more = f" (and {len(reads) - _SHOWN} more)" if len(reads) > _SHOWN else ""
    why = (
        f"`{cls.name}` names no `permission_classes` and the settings set no "
        "`DEFAULT_PERMISSION_CLASSES`, so DRF runs it for anonymous clients too (AllowAny), "
        f"with `request.user` Django's AnonymousUser: {effects}{more}. Each such request is a "
        "500. `IsAuthenticated` answers it with DRF's 401/403 before the view runs."
    )
    title = f"Require an authenticated user in {cls.name}"
    span = src.span(reads[0].node)
    return Suggestion(CODE, "error-handling", src.path, span, title, why, tuple(edits))


def _writes_only(source: Source, read: _Read) -> bool:
    """The use is in a method only an unsafe request runs."""
    func = source.function_of(read.node)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call) and dotted(deco.func).split(".")[-1] == "action":
            methods = keyword_value(deco, "methods")
            if not isinstance(methods, ast.List | ast.Tuple) or not methods.elts:
                return False  # an action answers GET unless told otherwise
            named = {getattr(m, "value", "") for m in methods.elts}
            return (
                all(isinstance(m, str) for m in named)
                and not {str(m).lower() for m in named} & _SAFE
            )
    return func.name in _WRITES_ONLY


def _listed_suggestion(
    facts: ModuleFacts, cls: ast.ClassDef, admitting: _Admitting, reads: list[_Read]
) -> Suggestion | None:
    src = facts.source
    writes_only = all(_writes_only(src, r) for r in reads)
    wanted = "IsAuthenticatedOrReadOnly" if writes_only else "IsAuthenticated"
    named = _permission_name(facts, wanted)
    if named is None:
        return None
    name, needed = named
    edit = _put_first(src, admitting, name)
    if edit is None:
        return None
    effects = "; ".join(r.effect for r in reads[:_SHOWN])
    more = f" (and {len(reads) - _SHOWN} more)" if len(reads) > _SHOWN else ""
    admitted = [_admitted_because(src, entry, why) for entry, why in admitting.entries]
    listed = f"only {', '.join(admitted)}" if admitted else "no class"
    kept = (
        " Reads stay public: every such use is in a method only writes run." if writes_only else ""
    )
    why = (
        f"`{cls.name}` lists {listed} in its `permission_classes`, so DRF runs it for "
        f"anonymous clients, with `request.user` Django's AnonymousUser: {effects}{more}. "
        f"Each such request is a 500. `{wanted}` first answers it with DRF's 401/403 before "
        f"the view runs.{kept}"
    )
    title = f"Require an authenticated user in {cls.name}"
    span = src.span(reads[0].node)
    edits = [*ensure_imports(src, needed), edit]
    return Suggestion(CODE, "error-handling", src.path, span, title, why, tuple(edits))


def _admitted_because(src: Source, entry: ast.expr, why: str) -> str:
    if why == "AllowAny":
        return f"`{src.text_of(entry)}`, which lets everyone in"
    return (
        f"`{src.text_of(entry)}`, which decides only per object (`has_object_permission`, "
        "which DRF runs in `get_object()`; it has no `has_permission`, so BasePermission's "
        "lets every request in)"
    )


def _put_first(src: Source, admitting: _Admitting, name: str) -> Edit | None:
    """The list with ``name`` first: in place of a leading AllowAny, else before the first
    entry (on a line of its own in a list written one entry a line); a list on one line that
    would grow too long is written one entry a line."""
    value = admitting.value
    first = admitting.entries[0] if admitting.entries else None
    if first is not None and first[1] == "AllowAny":
        return replace_node(src, first[0], name)
    if value.lineno != value.end_lineno:
        if first is None:
            return None
        at = src.span(first[0]).start
        if first[0].lineno > value.lineno:
            return Edit(src.path, Span(at, at), f"{name},\n{src.indent_of(first[0].lineno - 1)}")
        return Edit(src.path, Span(at, at), f"{name}, ")
    tuple_ = isinstance(value, ast.Tuple)
    written = [name, *(src.text_of(e) for e, _ in admitting.entries)]
    inner = ", ".join(written) + ("," if tuple_ and len(written) == 1 else "")
    text = f"({inner})" if tuple_ else f"[{inner}]"
    line = src.lines[value.lineno - 1]
    if len(line) - len(src.text_of(value)) + len(text) <= LINE_LENGTH:
        return replace_node(src, value, text)
    indent = src.indent_of(value.lineno - 1)
    opening, closing = ("(", ")") if tuple_ else ("[", "]")
    body = "".join(f"{indent}    {w},\n" for w in written)
    return replace_node(src, value, f"{opening}\n{body}{indent}{closing}")
