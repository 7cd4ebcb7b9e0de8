"""BKD330 for Django: a ``ForeignKey(Parent, on_delete=models.DO_NOTHING)`` where a view of the
project deletes Parent rows. Django's collector then leaves the rows that point at the parent
in place, and the database's foreign key (which ``migrate`` creates for every ForeignKey)
refuses the delete of a parent that has any: IntegrityError, at once on MySQL, at the commit
on PostgreSQL and SQLite (Django creates its constraints DEFERRABLE INITIALLY DEFERRED there:
inside ``delete()`` itself without a request-wide transaction), a 500 (a real car
marketplace's ``Message.car_id`` under a ``RetrieveUpdateDestroyAPIView`` of cars: deleting a
listing with chat messages, judged a must).

A view deletes Parent rows when DRF's own destroy runs for a class over ``Parent.objects``
(the classes and mixins protected_deletes reads), or when a view function or a view class's
method calls ``.delete()`` on a Parent: ``Parent.objects...delete()``, ``get_object_or_404(
Parent, ...)``, a local bound to one of those or to ``self.get_object()`` of a class over
Parent, ``perform_destroy``'s instance, and ``request.user`` for the user model.

Silent when the model or the app's migrations create the key without a constraint
(``db_constraint=False``), when no migration of the app creates it as a foreign key (the
database has none yet), when a migration runs SQL of its own on the child's table, for an
unmanaged model, a self-reference, when the parent defines its own ``delete`` or a
``pre_delete`` receiver names it, when the deleting function deals with the children first
(names their model or the parent's accessor to them), when a ``try`` around the delete
catches IntegrityError (or ProtectedError, DatabaseError, anything broader: under
``ATOMIC_REQUESTS`` that ``try`` may not see the deferred error, so this errs towards silence),
and when a DRF
exception handler or a middleware's ``process_exception`` may answer it. The fix sets
``on_delete`` to ``CASCADE`` (the child rows go with their parent), or to ``SET_NULL`` when the
key is ``null=True`` already; the rationale asks for ``makemigrations``.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..suggestion import Suggestion
from .django_settings import project_folder, settings_files
from .django_views import is_view_class
from .drf_handlers import handler_may_answer
from .file_memo import FileMemo
from .frameworks import ModuleFacts
from .protected_deletes import deletes_allowed, destroys, queryset_model
from .pyedits import ensure_imports, replace_node
from .pysource import Source, dotted, keyword_value, qualified
from .try_blocks import caught

CODE = "BKD330"

Function = ast.FunctionDef | ast.AsyncFunctionDef
_GUARDS = frozenset({"IntegrityError", "ProtectedError", "DatabaseError"})
_KEYS = ("ForeignKey", "OneToOneField")
_AUTH_USER = "django.contrib.auth.models.User"
_USER = "User"  # the parent's name when it is Django's own user model
_LOOKUPS = frozenset({"get_object_or_404"})
_USERS = ("request.user", "self.request.user")
# ``AUTH_USER_MODEL = "accounts.Member"``: the project's own user model
_USER_MODEL = re.compile(r"""^AUTH_USER_MODEL\s*=\s*["'][\w.]*?(\w+)["']""", re.MULTILINE)
_SHOWN = 2
_MIGRATION = re.compile(r"\d{4}_\w+\.py$")


@dataclass(frozen=True)
class _Site:
    """Where a view deletes parent rows: its module, the node to show, and how."""

    source: Source
    node: ast.AST
    who: str  # the view, as the rationale names it: "`CarDetail`", "`CarView.delete`"
    how: str  # "DRF's destroy", "`car.delete()`"


def django_parent_delete_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src, schema = facts.source, facts.schema
    if schema is None or "DO_NOTHING" not in src.text or facts.writers is None:
        return []
    if facts.handled_by_app(set(_GUARDS)) or facts.middleware_catches:
        return []
    out: list[Suggestion] = []
    answered: bool | None = None
    here = os.path.abspath(src.path)
    for cls in src.of(ast.ClassDef):
        table = schema.table_for_model(cls.name)
        if table is None or table.origin != "django" or table.path != here:
            continue
        if _unmanaged(cls):
            continue
        for stmt in cls.body:
            found = _do_nothing_key(stmt)
            if found is None:
                continue
            name, call, rule = found
            parent = _parent(facts, call)
            if parent is None or parent == cls.name:
                continue
            if not _constrained(here, cls.name, table.name, name):
                continue
            if answered is None:
                answered = _answered_elsewhere(facts)
            if answered:
                return out
            sites = _deleting_sites(facts, parent, cls.name, _accessor(call, cls.name))
            if sites:
                made = _suggestion(facts, cls.name, name, call, rule, parent, sites)
                if made is not None:
                    out.append(made)
    return out


def _unmanaged(cls: ast.ClassDef) -> bool:
    """``Meta.managed = False``: Django does not create the table, nor its keys."""
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "managed" for t in inner.targets)
                    and not (isinstance(inner.value, ast.Constant) and inner.value.value is True)
                ):
                    return True
    return False


def _do_nothing_key(stmt: ast.stmt) -> tuple[str, ast.Call, ast.expr] | None:
    """``name = models.ForeignKey(..., on_delete=models.DO_NOTHING)`` with its constraint:
    the field's name, the call and the rule's node."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Call)
        and dotted(stmt.value.func).split(".")[-1] in _KEYS
    ):
        return None
    call = stmt.value
    rule = keyword_value(call, "on_delete")
    if rule is None and len(call.args) > 1:
        rule = call.args[1]  # ``ForeignKey(Car, models.DO_NOTHING)``
    if rule is None or dotted(rule).split(".")[-1] != "DO_NOTHING":
        return None
    constraint = keyword_value(call, "db_constraint")
    if not (constraint is None or (isinstance(constraint, ast.Constant) and constraint.value)):
        return None  # no constraint (or one chosen at run time)
    return stmt.targets[0].id, call, rule


def _parent(facts: ModuleFacts, call: ast.Call) -> str | None:
    """The model the key points at: a project model's class name, or ``User`` for Django's
    own user model; None for anything not read."""
    target = call.args[0] if call.args else keyword_value(call, "to")
    schema = facts.schema
    if target is None or schema is None:
        return None
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        if target.value == "auth.User":
            return _USER
        name = target.value.rsplit(".", 1)[-1]
    elif dotted(target) == "settings.AUTH_USER_MODEL" or (
        isinstance(target, ast.Call) and dotted(target.func).endswith("get_user_model")
    ):
        own = _user_model(facts.source.path)
        return _USER if own == "" else own
    elif isinstance(target, ast.Name | ast.Attribute):
        written = dotted(target)
        if qualified(facts.source, written) == _AUTH_USER:
            return _USER
        name = written.rsplit(".", 1)[-1]
    else:
        return None
    table = schema.table_for_model(name)
    if table is None or table.origin != "django" or _models_named(facts, name) > 1:
        return None
    return name


def _models_named(facts: ModuleFacts, name: str) -> int:
    """How many classes of the project called ``name`` derive from Django's Model (two apps
    may each have one: a name in a view is then not known to be this one)."""
    count = 0
    for source in facts.writers(name) if facts.writers else ():
        for cls in source.of(ast.ClassDef):
            if cls.name == name and any(dotted(b).endswith("Model") for b in cls.bases):
                count += 1
    return count


def _user_model(path: str) -> str | None:
    """The project's ``AUTH_USER_MODEL`` class name; "" when it sets none (Django's own
    User); None when its settings are not found."""
    root = project_folder(path)
    if root is None:
        return None
    files = settings_files(root)
    if not files:
        return None
    for file in files:
        found = _user_model_of.get(file)
        if found:
            return found
    return ""


_user_model_of: FileMemo[str] = FileMemo(
    lambda _p, text: m.group(1) if (m := _USER_MODEL.search(text)) else "", 1 << 20
)


def _accessor(call: ast.Call, child: str) -> str:
    """The parent's attribute for its children: ``related_name``, else ``<child>_set``."""
    related = keyword_value(call, "related_name")
    if isinstance(related, ast.Constant) and isinstance(related.value, str):
        return related.value
    return f"{child.lower()}_set"


# Django migrations: what the app's migrations make of a model's field.
@dataclass(frozen=True)
class _Migrated:
    fields: dict[tuple[str, str], bool]  # (model, field) -> a foreign key with its constraint
    own_sql: frozenset[str]  # models whose table a ``RunSQL`` names (lower case)


def _read_migration(_path: str, text: str) -> _Migrated:
    fields: dict[tuple[str, str], bool] = {}
    own_sql: set[str] = set()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return _Migrated({}, frozenset({"*"}))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        op = dotted(node.func).split(".")[-1]
        if op == "SeparateDatabaseAndState":
            own_sql.add("*")  # the database may differ from the state read here
        elif op == "RunSQL":
            sql = " ".join(
                str(n.value)
                for n in ast.walk(node)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            )
            own_sql.update(w.lower() for w in re.findall(r"\w+", sql))
        elif op == "CreateModel":
            model = _string(keyword_value(node, "name") or (node.args[0] if node.args else None))
            listed = keyword_value(node, "fields") or (node.args[1] if len(node.args) > 1 else None)
            if model and isinstance(listed, ast.List | ast.Tuple):
                for entry in listed.elts:
                    if isinstance(entry, ast.Tuple) and len(entry.elts) == 2:
                        field = _string(entry.elts[0])
                        if field:
                            fields[(model.lower(), field)] = _keyed(entry.elts[1])
        elif op in ("AddField", "AlterField"):
            model = _string(keyword_value(node, "model_name"))
            field = _string(keyword_value(node, "name"))
            value = keyword_value(node, "field")
            if model and field and value is not None:
                fields[(model.lower(), field)] = _keyed(value)
    return _Migrated(fields, frozenset(own_sql))


_migrations: FileMemo[_Migrated] = FileMemo(_read_migration, 1 << 20)


def _string(node: ast.AST | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _keyed(value: ast.expr) -> bool:
    """A migration's field: a foreign key the database gets a constraint for."""
    if not isinstance(value, ast.Call) or dotted(value.func).split(".")[-1] not in _KEYS:
        return False
    constraint = keyword_value(value, "db_constraint")
    return constraint is None or (isinstance(constraint, ast.Constant) and constraint.value is True)


def _constrained(models_path: str, model: str, table: str, field: str) -> bool:
    """The app's migrations, in order, leave ``model.field`` a foreign key with its
    constraint, and run no SQL of their own on the model's table."""
    folder = os.path.dirname(models_path)
    if os.path.basename(models_path) != "models.py":
        folder = os.path.dirname(folder)  # ``models/cars.py`` of a models package
    migrations = os.path.join(folder, "migrations")
    try:
        names = sorted(n for n in os.listdir(migrations) if _MIGRATION.match(n))
    except OSError:
        return False
    tables = {model.lower(), table.lower(), f"{os.path.basename(folder)}_{model}".lower()}
    state: bool | None = None
    key = (model.lower(), field)
    for name in names:
        read = _migrations.get(os.path.join(migrations, name))
        if read is None or "*" in read.own_sql or tables & read.own_sql:
            return False
        if key in read.fields:
            state = read.fields[key]
    return bool(state)


def _answered_elsewhere(facts: ModuleFacts) -> bool:
    """A DRF exception handler or a Django middleware of the project may answer the error."""
    if handler_may_answer(facts.source.path, _GUARDS):
        return True
    writers = facts.writers
    return writers is not None and any(
        isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == "process_exception"
        for source in writers("process_exception")
        for f in source.functions()
    )


def _deleting_sites(facts: ModuleFacts, parent: str, child: str, accessor: str) -> list[_Site]:
    """Where the project's views delete ``parent`` rows with nothing done to the children."""
    assert facts.writers is not None
    words = [parent, "delete"] if parent == _USER else [parent]
    sources: dict[str, Source] = {}
    for word in words:
        for source in facts.writers(word):
            sources.setdefault(source.path, source)
    if _parent_handles(facts, parent, sources.values()):
        return []
    out: list[_Site] = []
    for path in sorted(sources):
        source = sources[path]
        if "migrations" in path.split(os.sep) or "tests" in os.path.basename(path):
            continue
        out.extend(_class_destroys(facts, source, parent))
        out.extend(_explicit_deletes(facts, source, parent, child, accessor))
    return out


def _parent_handles(facts: ModuleFacts, parent: str, sources: Iterable[Source]) -> bool:
    """The parent model deletes its rows its own way (a ``delete`` method), or a
    ``pre_delete`` receiver of the project names it."""
    for source in sources:
        for cls in source.of(ast.ClassDef):
            if cls.name == parent and any(
                isinstance(s, ast.FunctionDef) and s.name == "delete" for s in cls.body
            ):
                return True
    writers = facts.writers
    for source in writers("pre_delete") if writers else ():
        if re.search(rf"\b{re.escape(parent)}\b", source.text):
            return True
    return False


def _names_parent(source: Source, node: ast.AST, parent: str) -> bool:
    """``node`` is the parent model's class as this module names it."""
    written = dotted(node)
    if not written or written.rsplit(".", 1)[-1] != parent:
        if parent == _USER and isinstance(node, ast.Call):
            return dotted(node.func).endswith("get_user_model")
        return False
    if parent == _USER:
        full = qualified(source, written)
        return full == _AUTH_USER or _bound_to_user_model(source, written)
    return True


def _bound_to_user_model(source: Source, name: str) -> bool:
    """``User = get_user_model()`` in the module."""
    return any(
        isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
        and isinstance(n.value, ast.Call)
        and dotted(n.value.func).endswith("get_user_model")
        for n in source.of(ast.Assign)
    )


def _class_destroys(facts: ModuleFacts, source: Source, parent: str) -> list[_Site]:
    """DRF view classes over ``parent`` whose DELETE runs DRF's own destroy."""
    out: list[_Site] = []
    for cls in source.of(ast.ClassDef):
        if not deletes_allowed(cls):
            continue
        found = queryset_model(cls)
        if found is None:
            continue
        node = ast.Name(id=found[0], ctx=ast.Load())
        if not _names_parent(source, node, parent) or not destroys(facts, source, cls):
            continue
        out.append(_Site(source, cls, f"`{cls.name}`", "DRF's destroy"))
    return out


def _explicit_deletes(
    facts: ModuleFacts, source: Source, parent: str, child: str, accessor: str
) -> list[_Site]:
    """``.delete()`` on a parent row or queryset in a view function or a view's method."""
    up = source.up()
    out: list[_Site] = []
    for call in source.of(ast.Call):
        func = call.func
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "delete"
            and not call.args
            and not call.keywords
        ):
            continue
        where = source.function_of(call)
        if not isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        owner = up.get(where)
        over = queryset_model(owner) if isinstance(owner, ast.ClassDef) else None
        if not _in_a_view(source, where, owner):
            continue
        if not _is_parent_row(source, where, func.value, parent, over):
            continue
        if caught(call, up, set(_GUARDS)) or _deals_with_children(source, where, child, accessor):
            continue
        shown = f"`{owner.name}.{where.name}`" if isinstance(owner, ast.ClassDef) else ""
        out.append(_Site(source, call, shown or f"`{where.name}`", f"`{dotted(func)}()`"))
    return out


def _in_a_view(source: Source, func: Function, owner: ast.AST | None) -> bool:
    """A method of a view class, or a module's function taking the request first."""
    if isinstance(owner, ast.ClassDef):
        return is_view_class(owner, source)
    if not isinstance(owner, ast.Module):
        return False
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    return bool(params) and params[0] == "request"


def _is_parent_row(
    source: Source,
    func: Function,
    node: ast.expr,
    parent: str,
    over: tuple[str, ast.stmt] | None,
) -> bool:
    """``node`` is a row (or queryset) of ``parent`` in ``func``."""
    over_parent = over is not None and _names_parent(
        source, ast.Name(id=over[0], ctx=ast.Load()), parent
    )
    if parent == _USER and dotted(node) in _USERS:
        return True
    if isinstance(node, ast.Name):
        if over_parent and func.name == "perform_destroy":
            params = [a.arg for a in func.args.args]
            if len(params) > 1 and node.id == params[1]:
                return True
        values = [
            n.value
            for n in source.nodes_of(func)
            if isinstance(n, ast.Assign)
            and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Name)
            and n.targets[0].id == node.id
        ]
        return len(values) == 1 and _made_of_parent(source, values[0], parent, over_parent)
    return _made_of_parent(source, node, parent, over_parent)


def _made_of_parent(source: Source, node: ast.expr, parent: str, over_parent: bool) -> bool:
    """``Parent.objects.get(...)``/``.filter(...)`` and the like, ``get_object_or_404(Parent,
    ...)``, or ``self.get_object()`` of a view over Parent."""
    current: ast.expr = node
    while isinstance(current, ast.Call | ast.Attribute):
        if isinstance(current, ast.Call):
            name = dotted(current.func).split(".")[-1]
            if name in _LOOKUPS and current.args:
                return _names_parent(source, current.args[0], parent)
            if name == "get_object" and dotted(current.func) == "self.get_object":
                return over_parent
            current = current.func
            continue
        if current.attr == "objects":
            return _names_parent(source, current.value, parent)
        current = current.value
    return False


def _deals_with_children(source: Source, func: Function, child: str, accessor: str) -> bool:
    """The function names the child model or the parent's accessor to its rows: it may
    delete or move them first."""
    for node in source.nodes_of(func):
        if isinstance(node, ast.Name) and node.id == child:
            return True
        if isinstance(node, ast.Attribute) and node.attr in (accessor, child):
            return True
    return False


def _suggestion(
    facts: ModuleFacts,
    child: str,
    field: str,
    call: ast.Call,
    rule: ast.expr,
    parent: str,
    sites: list[_Site],
) -> Suggestion | None:
    src = facts.source
    null = keyword_value(call, "null")
    nullable = isinstance(null, ast.Constant) and null.value is True
    new = "SET_NULL" if nullable else "CASCADE"
    written = dotted(rule)
    needed: list[tuple[str, str]] = []
    if "." in written:
        text = f"{written.rsplit('.', 1)[0]}.{new}"
    else:
        origin = _imported_from(src, written)
        if origin is None:
            return None
        bound = next((k for k, v in facts.imports.items() if v == f"{origin}.{new}"), None)
        text = bound or new
        if bound is None:
            if new in facts.imports:
                return None  # the name is another's
            needed.append((origin, new))
    shown = [_where(s) for s in sites[:_SHOWN]]
    more = f" (and {len(sites) - _SHOWN} more)" if len(sites) > _SHOWN else ""
    deleting = f"{' and '.join(shown)}{more} {'deletes' if len(sites) == 1 else 'delete'}"
    if nullable:
        answer = (
            f"`on_delete={text}` (the key is `null=True` already) clears the key of those "
            f"{child} rows instead"
        )
        title = f"Clear {child}.{field} when its {parent} is deleted"
    else:
        answer = f"`on_delete={text}` deletes those {child} rows with their {parent}"
        title = f"Delete {child} rows with their {parent}"
    why = (
        f"`{child}.{field}` is a ForeignKey to {parent} with `on_delete={written}`, and "
        f"{deleting} {parent} rows: Django leaves the {child} rows that point at a deleted "
        f"{parent} in place, and the database's foreign key refuses the delete of any "
        f"{parent} that has one: an IntegrityError when the delete commits (Django defers "
        f"the constraint on PostgreSQL and SQLite; MySQL checks it at once), a 500. "
        f"{answer}; then `makemigrations` records the field's new state."
    )
    edits = [*ensure_imports(src, needed), replace_node(src, rule, text)]
    return Suggestion(CODE, "error-handling", src.path, src.span(rule), title, why, tuple(edits))


def _where(site: _Site) -> str:
    line = getattr(site.node, "lineno", 0)
    return f"{site.who} ({_relative(site.source.path)}:{line}, {site.how})"


def _relative(path: str) -> str:
    root = project_folder(path)
    return os.path.relpath(path, root) if root else os.path.basename(path)


def _imported_from(source: Source, name: str) -> str | None:
    """The module a bare ``DO_NOTHING`` comes from (``from django.db.models import ...``)."""
    for node in source.of(ast.ImportFrom):
        if node.module in ("django.db.models", "django.db.models.deletion") and any(
            (a.asname or a.name) == name for a in node.names
        ):
            return node.module
    return None
