"""BKD315, Django's side: a create whose unique column gets its value after the form or
serializer has validated it, so nothing checks it for a duplicate before the database does.

A ModelForm's ``validate_unique`` and a ModelSerializer's unique validators only test the
values they were given, and skip a ``unique_together`` group whose field the form leaves
out. A value set in the view after ``is_valid()`` (``form.instance.event_id = ...`` in a
CreateView's ``form_valid``, ``serializer.save(owner=request.user)`` in ``perform_create``)
escapes both: a second registration is an IntegrityError, a 500.

Read only for a field of a unique group in the schema (``unique=True``, ``unique_together``,
a ``UniqueConstraint``), on the class's model (``model =``, its form's or serializer's
``Meta.model``). Silent when the method (or the ``form_valid`` that calls it) looks the value
up first (a ``filter`` by a field of the group, ``exists()``, ``get_or_create``) or catches
IntegrityError, when the serializer's own ``create()``/``save()`` catches it, and when an
app-wide handler answers it. The fix saves in a savepoint
(a caught IntegrityError leaves an atomic request's transaction unusable otherwise) and
answers as the view does: the form with an error, DRF's ValidationError (a 400).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .create_reads import CAUGHT, looked_up
from .drf import uses_drf
from .drf_serializers import drf_validation_error
from .frameworks import ModuleFacts, enclosing_statement
from .pyedits import LINE_LENGTH, ensure_imports, replace_statement, statement_lines
from .pysource import Source, dotted
from .schema import Schema, Table
from .try_blocks import caught, handler_names, own_tries

CODE = "BKD315"

_LOOKUPS = ("exists", "get_or_create", "update_or_create")
# How far up a serializer's project bases its create()/save() is looked for.
_MAX_SERIALIZER_BASES = 3


def set_after_validation_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or ("django" not in facts.frameworks and "django" not in facts.source.text):
        return []
    if facts.handled_by_app({"IntegrityError", "DatabaseError"}) or facts.middleware_catches:
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not isinstance(cls, ast.ClassDef):
            continue
        methods = {
            s.name: s for s in cls.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        if "form_valid" in methods:
            out.extend(_form_views(facts, schema, cls, methods))
        if "perform_create" in methods and uses_drf(facts):
            out.extend(_perform_create(facts, schema, cls, methods["perform_create"]))
    return out


def _form_views(
    facts: ModuleFacts,
    schema: Schema,
    cls: ast.ClassDef,
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
) -> list[Suggestion]:
    table = _table(facts, schema, cls, "form_class")
    if table is None:
        return []
    entry = methods["form_valid"]
    entry_sets = _instance_sets(entry)
    out: list[Suggestion] = []
    for method in methods.values():
        called = method is entry or _calls(entry, method.name)
        if not called or "form" not in {a.arg for a in method.args.args}:
            continue
        for save in _form_saves(method):
            sets = {**(entry_sets if method is not entry else {}), **_instance_sets(method, save)}
            group = _escaping_group(table, sets)
            if group is None or _answered(facts, [entry, method], group, save):
                continue
            found = _form_fix(facts, table, save, group)
            if found is not None:
                out.append(found)
    return out


def _perform_create(
    facts: ModuleFacts,
    schema: Schema,
    cls: ast.ClassDef,
    method: ast.FunctionDef | ast.AsyncFunctionDef,
) -> list[Suggestion]:
    table = _table(facts, schema, cls, "serializer_class")
    if table is None or _serializer_catches(facts, cls):
        return []
    out: list[Suggestion] = []
    for node in ast.walk(method):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "save"
            and node.keywords
        ):
            continue
        sets = {_column(table, k.arg): k.value for k in node.keywords if k.arg}
        group = _escaping_group(table, {k: v for k, v in sets.items() if k})
        if group is None or _answered(facts, [method], group, node):
            continue
        found = _serializer_fix(facts, table, node, group)
        if found is not None:
            out.append(found)
    return out


def _table(facts: ModuleFacts, schema: Schema, cls: ast.ClassDef, attr: str) -> Table | None:
    """The model the view creates: ``model = X``, else its form's (serializer's) Meta.model."""
    for stmt in cls.body:
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name):
            continue
        if target.id == "model":
            return schema.table_for_model(dotted(stmt.value).rsplit(".", 1)[-1])
        if target.id == attr and facts.upstream is not None:
            found = facts.upstream.resolve_class(facts.source, stmt.value)
            if found is not None:
                model = _meta_model(facts, *found)
                return schema.table_for_model(model) if model else None
    return None


def _serializer_catches(facts: ModuleFacts, cls: ast.ClassDef) -> bool:
    """The view's serializer (or a project base of it) catches the database's refusal in its
    own ``create()``/``save()``, which ``serializer.save(...)`` runs: the Code Institute DRF
    walkthrough's like/follow/bookmark serializers answer a duplicate there with a 400."""
    if facts.upstream is None:
        return False
    value = next(
        (
            s.value
            for s in cls.body
            if isinstance(s, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "serializer_class" for t in s.targets)
        ),
        None,
    )
    found = facts.upstream.resolve_class(facts.source, value) if value is not None else None
    for _ in range(_MAX_SERIALIZER_BASES):
        if found is None:
            return False
        source, serializer = found
        for stmt in serializer.body:
            if (
                isinstance(stmt, ast.FunctionDef)
                and stmt.name in ("create", "save")
                and any(
                    handler_names(h) & (CAUGHT | {"Exception"})
                    for t in own_tries(source, stmt)
                    for h in t.handlers
                )
            ):
                return True
        bases = serializer.bases
        found = facts.upstream.resolve_class(source, bases[0]) if bases else None
    return False


def _meta_model(facts: ModuleFacts, source: Source, cls: ast.ClassDef, depth: int = 0) -> str:
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "model" for t in inner.targets)
                    and dotted(inner.value)
                ):
                    return dotted(inner.value).rsplit(".", 1)[-1]
    if depth < 2 and facts.upstream is not None:
        for base in cls.bases:
            found = facts.upstream.resolve_class(source, base)
            if found is not None:
                model = _meta_model(facts, *found, depth + 1)
                if model:
                    return model
    return ""


def _calls(caller: ast.AST, name: str) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == name
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id == "self"
        for n in ast.walk(caller)
    )


def _form_saves(method: ast.AST) -> list[ast.Call]:
    """``super().form_valid(form)`` and ``form.save()``: where the row is written."""
    out = []
    for node in ast.walk(method):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        receiver = node.func.value
        if node.func.attr == "form_valid" and isinstance(receiver, ast.Call):
            if dotted(receiver.func) == "super":
                out.append(node)
        elif node.func.attr == "save" and dotted(receiver) == "form" and not node.keywords:
            out.append(node)
    return out


def _instance_sets(method: ast.AST, before: ast.AST | None = None) -> dict[str, ast.expr]:
    """``form.instance.<field> = value`` (before ``before``): field -> value."""
    out: dict[str, ast.expr] = {}
    for node in ast.walk(method):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if before is not None and node.lineno > getattr(before, "lineno", 0):
            continue
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Attribute)
            and target.value.attr == "instance"
            and dotted(target.value.value) == "form"
        ):
            out[target.attr] = node.value
    return out


def _column(table: Table, attr: str) -> str:
    """The column an attribute writes (``event_id`` writes the ``event`` ForeignKey)."""
    if attr in table.columns:
        return attr
    if attr.endswith("_id") and table.columns.get(attr[:-3]) is not None:
        return attr[:-3]
    return ""


def _escaping_group(table: Table, sets: dict[str, ast.expr]) -> tuple[str, ...] | None:
    """The first unique group (no primary key) a value set after validation writes into."""
    written = {_column(table, a) for a in sets} - {""}
    if not written:
        return None
    for group in _unique_groups(table):
        if written & set(group):
            return group
    return None


def _unique_groups(table: Table) -> list[tuple[str, ...]]:
    groups: list[tuple[str, ...]] = [
        (c.name,) for c in table.columns.values() if c.unique and not c.primary_key
    ]
    for kind, columns in table.indexes:
        unique = kind == "unique_together" or kind.endswith("UniqueConstraint")
        if unique and columns and all(c in table.columns for c in columns):
            groups.append(columns)
    return groups


def _answered(
    facts: ModuleFacts, methods: list[ast.AST], group: tuple[str, ...], save: ast.Call
) -> bool:
    if caught(save, facts.up, CAUGHT):
        return True
    for method in methods:
        for column in group:
            if looked_up(method, column) or looked_up(method, f"{column}_id"):
                return True
        for node in ast.walk(method):
            if isinstance(node, ast.Call) and dotted(node.func).rsplit(".", 1)[-1] in _LOOKUPS:
                return True
    return False


def _atomic_try(src: Source, stmt: ast.stmt, answer: list[str]) -> str:
    indent = src.indent_of(stmt.lineno - 1)
    first, last = statement_lines(stmt)
    body = "\n".join(
        f"        {line}" if line.strip() else line for line in src.lines[first : last + 1]
    )
    handler = "\n".join(f"{indent}{line}" for line in answer)
    return f"{indent}try:\n{indent}    with transaction.atomic():\n{body.rstrip()}\n{handler}"


def _named(table: Table, group: tuple[str, ...]) -> str:
    return " and ".join(group)


def _form_fix(
    facts: ModuleFacts, table: Table, save: ast.Call, group: tuple[str, ...]
) -> Suggestion | None:
    src = facts.source
    stmt = enclosing_statement(save, facts.up)
    if not isinstance(stmt, ast.Return | ast.Expr | ast.Assign):
        return None
    model = table.model or table.name
    message = f"{model} with this {_named(table, group)} already exists."
    added = f'    form.add_error(None, "{message}")'
    if len(src.indent_of(stmt.lineno - 1)) + len(added) > LINE_LENGTH:  # as ruff writes it
        added = f'    form.add_error(\n        None,\n        "{message}",\n    )'
    answer = ["except IntegrityError:", *added.split("\n"), "    return self.form_invalid(form)"]
    edits = [
        *ensure_imports(src, _db_imports(facts)),
        replace_statement(src, stmt, _atomic_try(src, stmt, answer)),
    ]
    why = (
        f"The view sets the {model}'s {_named(table, group)} on `form.instance` after the "
        "form has validated, so the form's unique check never tested the value saved "
        f"({_unique_words(group)}), and only the database does: a second submission (a "
        "double click, a value already taken) raises IntegrityError, a 500. Saving in a "
        "savepoint and catching the error answers with the form and its error instead."
    )
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(save),
        f"Answer the form when the {model} already exists",
        why,
        tuple(edits),
    )


def _serializer_fix(
    facts: ModuleFacts, table: Table, save: ast.Call, group: tuple[str, ...]
) -> Suggestion | None:
    src = facts.source
    stmt = enclosing_statement(save, facts.up)
    error = drf_validation_error(facts)
    if not isinstance(stmt, ast.Return | ast.Expr | ast.Assign) or error is None:
        return None
    name, needed = error
    model = table.model or table.name
    message = f"{model} with this {_named(table, group)} already exists."
    answer = ["except IntegrityError as exc:", f'    raise {name}("{message}") from exc']
    edits = [
        *ensure_imports(src, [*needed, *_db_imports(facts)]),
        replace_statement(src, stmt, _atomic_try(src, stmt, answer)),
    ]
    why = (
        f"`perform_create` passes the {model}'s {_named(table, group)} to `save()` after the "
        "serializer has validated the body, so its unique validators never tested the "
        f"value saved ({_unique_words(group)}), and only the database does: a second create "
        "raises IntegrityError, a 500. Saving in a savepoint and catching the error answers "
        "400 with DRF's ValidationError."
    )
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(save),
        f"Answer 400 when the {model} already exists",
        why,
        tuple(edits),
    )


def _unique_words(group: tuple[str, ...]) -> str:
    if len(group) == 1:
        return f"{group[0]} is unique"
    return f"{', '.join(group)} are unique together"


def _db_imports(facts: ModuleFacts) -> list[tuple[str, str]]:
    needed = []
    if "IntegrityError" not in facts.imports:
        needed.append(("django.db", "IntegrityError"))
    if "transaction" not in facts.imports:
        needed.append(("django.db", "transaction"))
    return needed
