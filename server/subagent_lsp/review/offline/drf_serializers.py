"""A DRF serializer's own input methods fetch rows from what the client sent.

``to_internal_value(self, data)`` gets the raw body of its field, and ``validate`` /
``validate_<field>`` the values the client chose: ``Classification.objects.get(uuid=data["id"])``
there raises ``DoesNotExist`` (and ``data["id"]`` KeyError or TypeError) straight out of
``is_valid()``. DRF turns only its own ``ValidationError`` into a 400; anything else is a 500
for the client's mistake. The views that call ``is_valid`` are on the request path, so the
serializer is too (the engine drops what only commands reach). The fix raises the
serializer's ``ValidationError`` where the lookup is.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .drf import uses_drf
from .frameworks import ModuleFacts, enclosing_statement
from .pyedits import ensure_imports, replace_statement, wrapped_in_try
from .pysource import dotted
from .try_blocks import caught

Function = ast.FunctionDef | ast.AsyncFunctionDef
_BASES = ("Serializer", "Field")
_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)


def serializer_get_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "rest_framework" not in facts.source.text or not uses_drf(facts):
        return []
    error = drf_validation_error(facts)
    if error is None:
        return []
    out: list[Suggestion] = []
    for node in facts.source.of(ast.ClassDef):
        if isinstance(node, ast.ClassDef) and is_serializer(node):
            for method in node.body:
                if isinstance(method, ast.FunctionDef) and _input_method(method):
                    out.extend(_method(facts, method, error))
    return out


def is_serializer(cls: ast.ClassDef) -> bool:
    return any(dotted(b).split(".")[-1].endswith(_BASES) for b in cls.bases)


def _input_method(func: Function) -> bool:
    """The methods that run inside ``is_valid()`` on what the client sent."""
    if len(func.args.args) != 2:
        return False
    return func.name in ("to_internal_value", "validate") or func.name.startswith("validate_")


def drf_validation_error(facts: ModuleFacts) -> tuple[str, list[tuple[str, str]]] | None:
    """How the module names DRF's ValidationError, and the import it needs."""
    imports = facts.imports
    for name, full in imports.items():
        if full == "rest_framework.serializers":
            return f"{name}.ValidationError", []
    for name, full in imports.items():
        if full == "rest_framework.exceptions":
            return f"{name}.ValidationError", []
    for name, full in imports.items():
        if full in (
            "rest_framework.serializers.ValidationError",
            "rest_framework.exceptions.ValidationError",
        ):
            return name, []
    if "ValidationError" in imports:
        return None  # Django's, bound to the name the fix would use
    return "ValidationError", [("rest_framework.exceptions", "ValidationError")]


def model_get(call: ast.Call) -> str | None:
    """``Model.objects.get(...)`` (through ``filter``/``select_related``...) -> "Model"."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "get"):
        return None
    current: ast.expr = call.func.value
    while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
        current = current.func.value
    if not (isinstance(current, ast.Attribute) and current.attr == "objects"):
        return None
    model = dotted(current.value)
    return model if model and model.split(".")[-1][:1].isupper() else None


def _method(
    facts: ModuleFacts, func: ast.FunctionDef, error: tuple[str, list[tuple[str, str]]]
) -> list[Suggestion]:
    src = facts.source
    param = func.args.args[1].arg
    out: list[Suggestion] = []
    done: set[int] = set()
    for node in src.nodes_of(func):
        if not isinstance(node, ast.Call) or src.function_of(node) is not func:
            continue
        model = model_get(node)
        if model is None:
            continue
        used = [n for a in (*node.args, *node.keywords) for n in ast.walk(a)]
        if not any(isinstance(n, ast.Name) and n.id == param for n in used):
            continue  # a row the server names itself: its absence is not the client's fault
        names = {"DoesNotExist", "ObjectDoesNotExist", f"{model}.DoesNotExist"}
        if caught(node, facts.up, names):
            continue
        stmt = enclosing_statement(node, facts.up)
        if not isinstance(stmt, _STATEMENTS) or id(stmt) in done:
            continue
        done.add(id(stmt))
        # ``data["id"]`` of the raw data in the same statement: its KeyError/TypeError too
        keyed = func.name == "to_internal_value" and any(
            isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == param
            for n in used
        )
        errors = f"KeyError, TypeError, {model}.DoesNotExist" if keyed else f"{model}.DoesNotExist"
        name, needed = error
        message = f"no such {model.split('.')[-1]}"
        answer = f'raise {name}("{message}") from None'
        text = wrapped_in_try(src, stmt, errors, answer)
        edits = [*ensure_imports(src, needed), replace_statement(src, stmt, text)]
        what = (
            f"`{param}` without the keys it reads raises KeyError (TypeError when it is no "
            "object), and "
            if keyed
            else ""
        )
        out.append(
            Suggestion(
                "BKD304",
                "error-handling",
                src.path,
                src.span(node),
                f"Raise ValidationError when {model.split('.')[-1]} is not found",
                f"`{func.name}` runs inside the serializer's `is_valid()` on what the client "
                f"sent: {what}a value no row matches raises {model}.DoesNotExist, which DRF "
                f"answers with a 500 (it turns only its ValidationError into a 400). Raising "
                f"`{name}` answers 400 with the field's error.",
                tuple(edits),
            )
        )
    return out
