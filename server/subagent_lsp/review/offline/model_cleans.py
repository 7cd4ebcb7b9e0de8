"""BKD324: a DRF serializer's ``create()``/``update()`` runs a project model's own validation,
which raises Django's ``ValidationError``, and DRF answers that with a 500.

DRF turns Django's ``ValidationError`` into a 400 only inside ``is_valid()`` (``run_validation``
catches it); ``create()`` and ``update()`` run in ``serializer.save()``, after it, where DRF's
exception handler does not know the class. Read on the calls there: ``route.clean()`` /
``full_clean()`` of a model whose ``clean()`` raises Django's ``ValidationError``, and a save
of such a model whose ``save()`` runs ``self.full_clean()`` (``Model.objects.create(...)``,
``row.save()``, ``super().create(...)``). The model is the project's, read where it is defined.
Silent when the call is inside a ``try`` for it (or anything broader), when the serializer's
``validate()`` runs the model's ``clean()`` already, when the serializer overrides ``save()``,
and when the settings name a DRF exception handler that may answer it. The fix overrides the
serializer's ``save()`` (which runs both create and update, and a view's
``perform_create``) to raise DRF's ``ValidationError`` with the model's messages, as
``is_valid()`` would have.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..suggestion import Suggestion
from .drf import uses_drf
from .drf_handlers import handler_may_answer
from .drf_serializers import is_serializer
from .frameworks import ModuleFacts
from .pyedits import ensure_imports, insert_before_line
from .pysource import Source, dotted, imported_names
from .try_blocks import caught

CODE = "BKD324"

Function = ast.FunctionDef | ast.AsyncFunctionDef
_DJANGO_ERRORS = ("django.core.exceptions.ValidationError", "django.forms.ValidationError")
# The manager calls that save a new row through ``Model.save()``.
_CREATES = frozenset({"create", "get_or_create", "update_or_create"})
_WRITES = ("create", "update")
_GUARDS = ("DjangoValidationError", "ValidationError")


def model_clean_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "rest_framework" not in facts.source.text or facts.upstream is None:
        return []
    if not uses_drf(facts) or handler_may_answer(facts.source.path, _GUARDS):
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not isinstance(cls, ast.ClassDef) or not is_serializer(cls):
            continue
        if _method(cls, "save") is not None or _validate_cleans(cls):
            continue
        found = _first_raising(facts, cls)
        if found is not None:
            made = _suggestion(facts, cls, *found)
            if made is not None:
                out.append(made)
    return out


def _method(cls: ast.ClassDef, name: str) -> Function | None:
    return next(
        (
            s
            for s in cls.body
            if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef) and s.name == name
        ),
        None,
    )


def _validate_cleans(cls: ast.ClassDef) -> bool:
    """``validate()`` runs a model's ``clean()``/``full_clean()``: what create does again was
    answered as a 400 already (the app's own idiom)."""
    validate = _method(cls, "validate")
    if validate is None:
        return False
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in ("clean", "full_clean")
        for n in ast.walk(validate)
    )


class _Model:
    """A project model class, read where it is defined."""

    def __init__(self, source: Source, cls: ast.ClassDef) -> None:
        self.name = cls.name
        self.raises = _clean_raises(source, cls)
        save = _method(cls, "save")
        self.save_cleans = save is not None and any(
            isinstance(n, ast.Call) and dotted(n.func) in ("self.full_clean", "self.clean")
            for n in ast.walk(save)
        )


def _clean_raises(source: Source, cls: ast.ClassDef) -> bool:
    """The model's ``clean()`` raises Django's ``ValidationError`` itself, or through a method of
    its class it calls (``self.check_seats()``)."""
    clean = _method(cls, "clean")
    if clean is None:
        return False
    imports = imported_names(source)
    bodies: list[Function] = [clean]
    for node in ast.walk(clean):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = dotted(node.func.value)
            if owner in ("self", cls.name):
                helper = _method(cls, node.func.attr)
                if helper is not None and helper is not clean:
                    bodies.append(helper)
    for body in bodies:
        for node in ast.walk(body):
            if isinstance(node, ast.Raise) and node.exc is not None:
                raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                head, _, rest = dotted(raised).partition(".")
                full = imports.get(head, "")
                if (f"{full}.{rest}" if rest else full) in _DJANGO_ERRORS:
                    return True
    return False


def _first_raising(facts: ModuleFacts, cls: ast.ClassDef) -> tuple[ast.Call, _Model, str] | None:
    """The first call of the serializer's own create/update that raises a model's
    ValidationError with nothing around it to catch it: (call, model, what it runs)."""
    meta = _meta_model(cls)
    models: dict[str, _Model | None] = {}

    def model(expr: ast.expr | None) -> _Model | None:
        if not isinstance(expr, ast.Name | ast.Attribute) or facts.upstream is None:
            return None
        key = dotted(expr)
        if key not in models:
            found = facts.upstream.resolve_class(facts.source, expr)
            models[key] = _Model(*found) if found is not None else None
        return models[key]

    for name in _WRITES:
        func = _method(cls, name)
        if func is None:
            continue
        typed: dict[str, ast.expr] = {}
        if name == "update" and len(func.args.args) > 1 and meta is not None:
            typed[func.args.args[1].arg] = meta
        for node in sorted(ast.walk(func), key=lambda n: getattr(n, "lineno", 0)):
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                made = _made_model(node.value)
                if isinstance(target, ast.Name) and made is not None:
                    typed[target.id] = made
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            found = _raising(node, typed, meta, model)
            if found is not None and not caught(node, facts.up, set(_GUARDS)):
                return node, *found
    return None


def _made_model(value: ast.expr) -> ast.expr | None:
    """``Route(**data)`` / ``Route.objects.create(...)``: the model a local holds."""
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Name) and func.id[:1].isupper():
        return func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("create", "get")
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
    ):
        return func.value.value
    return None


def _raising(
    call: ast.Call,
    typed: dict[str, ast.expr],
    meta: ast.expr | None,
    model: Callable[[ast.expr | None], _Model | None],
) -> tuple[_Model, str] | None:
    func = call.func
    assert isinstance(func, ast.Attribute)
    receiver = func.value
    if func.attr in ("clean", "full_clean"):
        held = _held(receiver, typed)
        found = model(held)
        if found is not None and found.raises:
            return found, f"`{ast.unparse(receiver)}.{func.attr}()`"
        return None
    if func.attr == "save" and not call.args:
        found = model(_held(receiver, typed))
        if found is not None and found.raises and found.save_cleans:
            return found, f"`{ast.unparse(receiver)}.save()`"
        return None
    if func.attr in _CREATES and isinstance(receiver, ast.Attribute) and receiver.attr == "objects":
        found = model(receiver.value)
        if found is not None and found.raises and found.save_cleans:
            return found, f"`{ast.unparse(func)}(...)`"
        return None
    if func.attr in _WRITES and isinstance(receiver, ast.Call) and dotted(receiver.func) == "super":
        found = model(meta)
        if found is not None and found.raises and found.save_cleans:
            return found, f"`super().{func.attr}(...)`"
    return None


def _held(receiver: ast.expr, typed: dict[str, ast.expr]) -> ast.expr | None:
    if isinstance(receiver, ast.Name):
        return typed.get(receiver.id)
    return _made_model(receiver)  # ``Route(**data).save()``


def _meta_model(cls: ast.ClassDef) -> ast.expr | None:
    """``class Meta: model = Route``."""
    for stmt in cls.body:
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Meta":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "model" for t in inner.targets
                ):
                    return inner.value
    return None


def _suggestion(
    facts: ModuleFacts, cls: ast.ClassDef, call: ast.Call, model: _Model, runs: str
) -> Suggestion | None:
    src = facts.source
    if not cls.body or cls.end_lineno is None:
        return None
    imports = facts.imports
    needed: list[tuple[str, str]] = []
    drf = next((k for k, v in imports.items() if v == "rest_framework.serializers"), None)
    if drf is None:
        if "serializers" in imports:
            return None
        drf = "serializers"
        needed.append(("rest_framework", "serializers"))
    django = next((k for k, v in imports.items() if v in _DJANGO_ERRORS), None)
    if django is None:
        if "DjangoValidationError" in imports:
            return None
        django = "DjangoValidationError"
        needed.append(("django.core.exceptions", "ValidationError as DjangoValidationError"))
    where = src.function_of(call)
    method = where.name if isinstance(where, ast.FunctionDef | ast.AsyncFunctionDef) else "create"
    indent = src.indent_of(cls.body[0].lineno - 1)
    lines = [
        "",
        "def save(self, **kwargs):",
        "    # DRF answers Django's ValidationError with a 400 only inside is_valid()",
        "    try:",
        "        return super().save(**kwargs)",
        f"    except {django} as exc:",
        f"        raise {drf}.ValidationError(",
        f"            {_messages(facts, drf)}",
        "        ) from exc",
    ]
    text = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    edits = [*ensure_imports(src, needed), insert_before_line(src, cls.end_lineno, text)]
    path = f": {model.name}.clean()"
    if not runs.endswith(("clean()`", "full_clean()`")):
        path = f", and {model.name}.save() runs full_clean(), whose {model.name}.clean()"
    also = ""
    meta = _meta_model(cls)
    if (
        method == "create"
        and _method(cls, "update") is None
        and isinstance(meta, ast.Name)
        and meta.id == model.name
        and model.save_cleans
    ):
        also = (
            f" DRF's own update() (a PUT or PATCH) saves the {model.name} too, and its save() "
            "runs full_clean()."
        )
    why = (
        f"`{cls.name}.{method}()` calls {runs}{path} raises Django's ValidationError, which "
        "DRF turns into a 400 only inside `is_valid()` (validate()). Raised in create() or "
        "update() it reaches DRF's exception handler, which does not know it: the client "
        f"gets a 500 for its own invalid data.{also} Overriding `save()` answers it as "
        "is_valid() would, with the model's messages."
    )
    title = f"Answer {model.name}'s ValidationError in {cls.name} with a 400"
    return Suggestion(CODE, "error-handling", src.path, src.span(call), title, why, tuple(edits))


def _messages(facts: ModuleFacts, drf: str) -> str:
    """DRF's own reading of a Django ValidationError (its field keys kept), which takes
    Django's class from DRF 3.10 on; before, the plain messages."""
    known = facts.package_version("djangorestframework") if facts.package_version else None
    if known is not None and known < (3, 10):
        return "exc.messages"
    return f"{drf}.as_serializer_error(exc)"
