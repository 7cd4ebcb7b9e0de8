"""BKD319: a DRF view deletes rows of a model that another model's ForeignKey points at with
``on_delete=PROTECT`` (or ``RESTRICT``): deleting one that is still referenced raises
ProtectedError (RestrictedError), which DRF does not answer, so the client gets a 500 for
what is a conflict with the rows that hold it.

Read on the view classes that delete (``ModelViewSet``, ``DestroyAPIView`` and the generic
views and mixins that destroy) whose model (``queryset = Model.objects...``) is such a
target in the schema. Silent when the class (or a base of this module) overrides
``destroy`` or ``perform_destroy`` (it decides what a delete does), when its
``http_method_names`` leave DELETE out, when a base comes from elsewhere (it may override
them), when the settings name a DRF ``EXCEPTION_HANDLER`` that may answer it (the project's
own handler that names the error, or one not read: drf_handlers.py), or when the app handles
the error itself. The fix overrides ``destroy`` to answer 409 the way DRF answers, or, when a
view of the project already turns ProtectedError into its own exception in
``perform_destroy``, writes that same ``perform_destroy`` (destroy_idioms.py).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .destroy_idioms import DestroyIdiom, destroy_idiom
from .drf import uses_drf
from .drf_handlers import handler_may_answer
from .frameworks import ModuleFacts
from .pyedits import LINE_LENGTH, ensure_imports, insert_before_line
from .pysource import Source, bound_as, dotted
from .schema import Schema

CODE = "BKD319"

# DRF's classes whose DELETE runs ``perform_destroy`` -> ``instance.delete()``
_DESTROYS = frozenset(
    {
        "ModelViewSet",
        "DestroyAPIView",
        "RetrieveDestroyAPIView",
        "RetrieveUpdateDestroyAPIView",
        "DestroyModelMixin",
    }
)
# DRF's classes that add no destroy of their own: safe to see through
_NEUTRAL = frozenset(
    {
        "GenericViewSet",
        "GenericAPIView",
        "APIView",
        "ViewSet",
        "ViewSetMixin",
        "CreateModelMixin",
        "ListModelMixin",
        "RetrieveModelMixin",
        "UpdateModelMixin",
        "object",
    }
)
_GUARDS = ("ProtectedError", "RestrictedError", "IntegrityError", "DatabaseError")
_ERROR_FOR = {"PROTECT": "ProtectedError", "RESTRICT": "RestrictedError"}


def protected_delete_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or "queryset" not in facts.source.text or not uses_drf(facts):
        return []
    if facts.handled_by_app(set(_GUARDS)) or facts.middleware_catches:
        return []
    if handler_may_answer(facts.source.path, _GUARDS):
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not isinstance(cls, ast.ClassDef) or not deletes_allowed(cls):
            continue
        if not destroys(facts, facts.source, cls):
            continue
        found_model = queryset_model(cls)
        if found_model is None:
            continue
        model, at = found_model
        holders = _protecting(schema, model)
        if holders:
            found = _suggestion(facts, cls, at, model, holders)
            if found is not None:
                out.append(found)
    return out


def destroys(facts: ModuleFacts, source: Source, cls: ast.ClassDef, depth: int = 0) -> bool:
    """DRF's own destroy runs for this class's DELETE (no base in between overrides it): its
    bases are DRF's, or the project's (this module's or another's) that come to DRF's."""
    if _overrides(cls) or depth > 3:
        return False
    runs = False
    for base in cls.bases:
        name = dotted(base).rsplit(".", 1)[-1]
        if name in _DESTROYS:
            runs = True
            continue
        if name in _NEUTRAL:
            continue
        found = _project_class(facts, source, base, name)
        if found is None:
            return False  # a base not read may override destroy
        if _overrides(found[1]):
            return False
        if destroys(facts, *found, depth + 1):
            runs = True
        elif not _neutral(facts, *found, depth + 1):
            return False
    return runs


def _project_class(
    facts: ModuleFacts, source: Source, base: ast.expr, name: str
) -> tuple[Source, ast.ClassDef] | None:
    if source is facts.source:
        local = next(
            (c for c in source.of(ast.ClassDef) if isinstance(c, ast.ClassDef) and c.name == name),
            None,
        )
        if local is not None:
            return source, local
    return facts.upstream.resolve_class(source, base) if facts.upstream is not None else None


def _neutral(facts: ModuleFacts, source: Source, cls: ast.ClassDef, depth: int) -> bool:
    """A project mixin that touches no destroy: its bases all known to add none."""
    if _overrides(cls) or depth > 3:
        return False
    for base in cls.bases:
        name = dotted(base).rsplit(".", 1)[-1]
        if name in _NEUTRAL or name in _DESTROYS:
            continue
        found = _project_class(facts, source, base, name)
        if found is None or not _neutral(facts, *found, depth + 1):
            return False
    return True


def _overrides(cls: ast.ClassDef) -> bool:
    return any(
        isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)
        and s.name in ("destroy", "perform_destroy", "delete")
        for s in cls.body
    )


def deletes_allowed(cls: ast.ClassDef) -> bool:
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "http_method_names" for t in stmt.targets)
            and isinstance(stmt.value, ast.List | ast.Tuple)
        ):
            methods = {e.value for e in stmt.value.elts if isinstance(e, ast.Constant)}
            return "delete" in methods
    return True


def queryset_model(cls: ast.ClassDef) -> tuple[str, ast.stmt] | None:
    """``queryset = Model.objects.all()`` (or ``.filter(...)``...): ``Model``."""
    for stmt in cls.body:
        if not (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "queryset" for t in stmt.targets)
        ):
            continue
        node: ast.expr = stmt.value
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute) and node.attr != "objects":
                node = node.value
            else:
                break
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return node.value.id, stmt
    return None


def _protecting(schema: Schema, model: str) -> list[tuple[str, str, str]]:
    """(model, field, rule) of each ForeignKey that keeps a row of ``model`` from deletion."""
    out: list[tuple[str, str, str]] = []
    for table in schema.tables.values():
        if table.origin != "django" or not table.model:
            continue
        for column in table.columns.values():
            if column.on_delete not in _ERROR_FOR or not column.references:
                continue
            target = column.references.rsplit(".", 1)[-1]
            if target == "self":
                target = table.model
            if target == model:
                out.append((table.model, column.name, column.on_delete))
    return sorted(set(out))


def _suggestion(
    facts: ModuleFacts,
    cls: ast.ClassDef,
    at: ast.stmt,
    model: str,
    holders: list[tuple[str, str, str]],
) -> Suggestion | None:
    src = facts.source
    if not cls.body or cls.end_lineno is None:
        return None
    errors = sorted({_ERROR_FOR[rule] for _m, _f, rule in holders})
    idiom = destroy_idiom([src, *(facts.writers("ProtectedError") if facts.writers else ())])
    needed: list[tuple[str, str]] = []
    names = []
    for error in errors:
        bound = _bound(facts, error)
        if bound is None:
            bound = error
            origin = idiom.errors_from.get(error) if idiom else None
            needed.append((origin or "django.db.models", error))
        names.append(bound)
    by = sorted({m for m, _f, _r in holders})
    indent = src.indent_of(cls.body[0].lineno - 1)
    caught = f"({', '.join(names)})" if len(names) > 1 else names[0]
    detail = f"This {model} is still referenced by {_listed(by)} rows."
    written = _as_idiom(facts, idiom, indent, caught, model, detail) if idiom else None
    if idiom is not None and written is not None:
        lines, imports = written
        answer = (
            f"`{idiom.view}` already turns it into a `{idiom.raised}` in its "
            "`perform_destroy`: the same override here answers this delete the app's way"
        )
        title = f"Refuse deleting a referenced {model} as {idiom.view} does"
    else:
        lines, imports = _as_409(facts, indent, caught, model, detail)
        answer = "Catching it in `destroy` answers 409"
        title = f"Answer 409 when a referenced {model} is deleted"
    text = "\n".join(f"{indent}{line}" if line else "" for line in ["", *lines])
    edits = [
        *ensure_imports(src, [*needed, *imports]),
        insert_before_line(src, cls.end_lineno, text),
    ]
    fields = ", ".join(f"{m}.{f} ({r})" for m, f, r in holders)
    why = (
        f"`{cls.name}` deletes {model} rows with DRF's own destroy, and {fields} "
        f"{'keeps' if len(holders) == 1 else 'keep'} a referenced {model} from deletion: "
        f"deleting one raises {' or '.join(errors)}, which DRF does not answer, so the client "
        f"gets a 500 for a conflict with the rows that still point at it. {answer}."
    )
    return Suggestion(CODE, "error-handling", src.path, src.span(at), title, why, tuple(edits))


def _as_409(
    facts: ModuleFacts, indent: str, caught: str, model: str, detail: str
) -> tuple[list[str], list[tuple[str, str]]]:
    """A ``destroy`` answering 409 the way DRF answers (``{"detail": ...}``)."""
    imports: list[tuple[str, str]] = []
    response = bound_as(facts.imports, "rest_framework.response.Response")
    if response is None:
        response = "Response"
        imports.append(("rest_framework.response", "Response"))
    status_module = bound_as(facts.imports, "rest_framework.status")
    code = f"{status_module}.HTTP_409_CONFLICT" if status_module else "409"
    if len(indent) + 27 + len(detail) > LINE_LENGTH:  # as ``{"detail": "..."},`` is written
        detail = f"This {model} is still referenced by other rows."
    lines = [
        "def destroy(self, request, *args, **kwargs):",
        "    try:",
        "        return super().destroy(request, *args, **kwargs)",
        f"    except {caught}:",
        f"        return {response}(",
        f'            {{"detail": "{detail}"}},',
        f"            status={code},",
        "        )",
    ]
    return lines, imports


def _as_idiom(
    facts: ModuleFacts, idiom: DestroyIdiom, indent: str, caught: str, model: str, detail: str
) -> tuple[list[str], list[tuple[str, str]]] | None:
    """The sibling view's ``perform_destroy``, raising its exception with its key; None when
    this module binds the exception's name to something else."""
    head = idiom.raised.split(".")[0]
    bound = facts.imports.get(head)
    if bound is not None and bound != f"{idiom.raised_from}.{head}":
        return None
    imports = [] if bound is not None else [(idiom.raised_from, head)]
    key = idiom.key_for(model)

    def message(text: str) -> str:
        return f'{{"{key}": "{text}"}}' if key is not None else f'"{text}"'

    arg = message(detail)
    if len(indent) + 12 + len(arg) > LINE_LENGTH:
        arg = message(f"This {model} is still referenced by other rows.")
    named = f" as {idiom.chained}" if idiom.chained else ""
    lines = [
        "def perform_destroy(self, instance):",
        "    try:",
        "        super().perform_destroy(instance)",
        f"    except {caught}{named}:",
        f"        raise {idiom.raised}(",
        f"            {arg}",
        f"        ){f' from {idiom.chained}' if idiom.chained else ''}",
    ]
    return lines, imports


def _listed(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _bound(facts: ModuleFacts, error: str) -> str | None:
    for name, full in facts.imports.items():
        if full in (f"django.db.models.{error}", f"django.db.models.deletion.{error}"):
            return name
    models = bound_as(facts.imports, "django.db.models")
    return f"{models}.{error}" if models else None
