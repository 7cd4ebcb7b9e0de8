"""BKD320: ``except FriendRequest.DoesNotExist():`` catches nothing, it fails.

The handler's expression is evaluated when an exception reaches the clause: the call makes an
instance, not a class, and Python raises ``TypeError: catching classes that do not inherit
from BaseException is not allowed`` in place of the exception, whichever it was. The 404 the
handler meant is a 500 every time (judged on a real app, a DRF view's ``DoesNotExist()``).

Only a call of what is an exception class is the mistake: a name that says so (``...Error``,
``...DoesNotExist``), a builtin exception, a project class deriving from one. ``except
get_errors():``, a function returning a tuple of classes, is a handler as meant.
"""

from __future__ import annotations

import ast
import builtins

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pysource import caught_types, dotted, qualified_name

_SAYS_EXCEPTION = ("Error", "Exception", "DoesNotExist", "MultipleObjectsReturned", "Warning")
# Exception classes of the frameworks whose names say no exception.
_FRAMEWORK_ERRORS = frozenset({"Http404", "PermissionDenied", "SuspiciousOperation"})
_ERROR_MODULES = frozenset({"exceptions", "errors", "exc"})


def except_call_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    out: list[Suggestion] = []
    for _, expr in caught_types(src):
        if not isinstance(expr, ast.Call) or not _exception_class(facts, expr.func):
            continue
        name = src.text_of(expr.func)
        out.append(
            Suggestion(
                "BKD320",
                "error-handling",
                src.path,
                src.span(expr),
                f"Catch the class `{name}`, not an instance of it",
                f"`{src.text_of(expr)}` makes an instance when an exception reaches the "
                "handler, and Python then raises `TypeError: catching classes that do not "
                "inherit from BaseException is not allowed` instead: whatever the `try` "
                f"raised, the handler never runs and the client gets a 500. `except "
                f"{name}:` catches it.",
                (Edit(src.path, src.span(expr), name),),
            )
        )
    return out


def _exception_class(facts: ModuleFacts, func: ast.expr) -> bool:
    """``func`` names an exception class: a project class is judged by its lineage (the
    engine always knows the project; without one, names alone), a project function is none;
    anything else by its name."""
    if not isinstance(func, ast.Name | ast.Attribute):
        return False
    src = facts.source
    name = dotted(func).rsplit(".", 1)[-1]
    if facts.upstream is not None:
        if facts.upstream.resolve(src, func) is not None:
            return False  # a function of the project: what it returns may be classes
        found = facts.upstream.resolve_class(src, func)
        if found is not None:
            where, cls = found
            outside = facts.upstream.outside_bases(where, cls)
            return _says_exception(cls.name) or any(_says_exception(b) for b in outside)
    if _says_exception(name) or name in _FRAMEWORK_ERRORS:
        return True
    # ``NotFound`` of ``rest_framework.exceptions``, ``Forbidden`` of ``werkzeug.exceptions``
    module, _, last = qualified_name(facts.imports, dotted(func)).rpartition(".")
    return last[:1].isupper() and bool(_ERROR_MODULES & set(module.split(".")))


def _says_exception(written: str) -> bool:
    last = written.rsplit(".", 1)[-1]
    return last.endswith(_SAYS_EXCEPTION) or _builtin_exception(last)


def _builtin_exception(name: str) -> bool:
    """``StopIteration``, ``KeyboardInterrupt``: builtins no suffix names."""
    value = getattr(builtins, name, None)
    return isinstance(value, type) and issubclass(value, BaseException)
