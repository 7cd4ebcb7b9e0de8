"""How the project's own DRF views refuse deleting a row that is still referenced: a
``perform_destroy`` that runs DRF's and turns ProtectedError into an exception of the app's::

    def perform_destroy(self, instance):
        try:
            super().perform_destroy(instance)
        except ProtectedError as error:
            raise ValidationError({"series": "Remove every episode first."}) from error

BKD319's fix for another view writes that shape (its raise, its key, its chaining), so the
app answers every such delete one way: a judged app had one view doing so, and a 409
``destroy`` beside it would have been a second style for the same conflict.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from .pysource import Source, dotted, imported_names

_CAUGHT = frozenset({"ProtectedError", "RestrictedError"})
# Keys that say where the error goes, not what was deleted: kept as the sibling wrote them.
_GENERIC_KEYS = frozenset({"detail", "non_field_errors", "error", "errors", "message"})


@dataclass(frozen=True)
class DestroyIdiom:
    view: str  # the class whose perform_destroy it is
    raised: str  # as its module writes it: ``ValidationError``, ``serializers.ValidationError``
    raised_from: str  # the module its head is imported from (``rest_framework.exceptions``)
    errors_from: dict[str, str]  # caught error -> the module its module imports it from
    key: str | None  # the message's key in a dict, None: the message alone
    chained: str | None  # ``as error``'s name when the raise chains ``from`` it

    def key_for(self, model: str) -> str | None:
        """The key for a delete of ``model``: the sibling's own model's name becomes this one's
        (``{"series": ...}`` for a Series, ``{"organization": ...}`` for an Organization)."""
        if self.key is None or self.key in _GENERIC_KEYS:
            return self.key
        return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", model).lower()


def destroy_idiom(sources: Iterable[Source]) -> DestroyIdiom | None:
    """The first view of ``sources`` whose ``perform_destroy`` has the shape above."""
    for source in sources:
        for cls in source.of(ast.ClassDef):
            if not isinstance(cls, ast.ClassDef):
                continue
            for stmt in cls.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name == "perform_destroy":
                    found = _idiom(source, cls.name, stmt)
                    if found is not None:
                        return found
    return None


def _idiom(source: Source, view: str, func: ast.FunctionDef) -> DestroyIdiom | None:
    imports = imported_names(source)
    for stmt in func.body:
        if not (isinstance(stmt, ast.Try) and len(stmt.body) == 1 and _runs_drfs(stmt.body[0])):
            continue
        for handler in stmt.handlers:
            caught = _caught(handler.type)
            if not caught or len(handler.body) != 1:
                continue
            found = _raise(handler.body[0], handler.name)
            if found is None:
                continue
            raised, key, chained = found
            head = raised.split(".")[0]
            full = imports.get(head, "")
            if "." not in full:
                continue  # defined in that module, or ``import a``: not copied
            errors_from = {
                e: imports[e].rpartition(".")[0] for e in caught if imports.get(e, "").endswith(e)
            }
            return DestroyIdiom(view, raised, full.rpartition(".")[0], errors_from, key, chained)
    return None


def _runs_drfs(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and dotted(stmt.value.func) == "super().perform_destroy"
    )


def _caught(node: ast.expr | None) -> set[str]:
    names = node.elts if isinstance(node, ast.Tuple) else [node] if node is not None else []
    return {n for n in (dotted(e).rsplit(".", 1)[-1] for e in names) if n in _CAUGHT}


def _raise(stmt: ast.stmt, bound: str | None) -> tuple[str, str | None, str | None] | None:
    """(raised, key, chained) of ``raise Error({"key": "text"}) [from error]`` or of
    ``raise Error("text")``."""
    if not isinstance(stmt, ast.Raise) or not isinstance(stmt.exc, ast.Call):
        return None
    call = stmt.exc
    raised = dotted(call.func)
    if not raised or "(" in raised or len(call.args) != 1 or call.keywords:
        return None
    chained = None
    if stmt.cause is not None:
        if not (isinstance(stmt.cause, ast.Name) and stmt.cause.id == bound):
            return None  # ``from None`` or another cause: a choice not guessed at
        chained = bound
    arg = call.args[0]
    if _text(arg):
        return raised, None, chained
    if (
        isinstance(arg, ast.Dict)
        and len(arg.keys) == 1
        and isinstance(key := arg.keys[0], ast.Constant)
        and isinstance(key.value, str)
        and _text(arg.values[0])
    ):
        return raised, key.value, chained
    return None


def _text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
