"""Which functions of a module a signal runs, and in what: Django's ``@receiver(post_save,
sender=Event)`` (django.dispatch), a module's ``post_save.connect(func, sender=User)`` (Django's
and blinker's signals alike), and SQLAlchemy's ``@event.listens_for(Model, "after_insert")`` or
``event.listen(Model, "after_insert", func)``.

A receiver runs inside the code that sent its signal: ``post_save`` in the request whose
``save()`` wrote the row, allauth's ``user_signed_up`` in the sign-up view, a mapper's
``after_insert`` in the flush of the request's commit. What it raises is that request's 500;
what it returns is dropped.

Only this module's own connections are read: a ``connect`` in another module (an app's
``ready()``) would put the finding in a file other than the one being read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import Source, dotted, imported_names

Function = ast.FunctionDef | ast.AsyncFunctionDef

_DJANGO_RECEIVERS = ("django.dispatch.receiver", "django.dispatch.dispatcher.receiver")
_SQLALCHEMY = ("sqlalchemy", "flask_sqlalchemy")


@dataclass(frozen=True)
class Receiver:
    """A function a signal runs: the signal's name as written (``post_save``, ``after_insert``)
    and whether it is SQLAlchemy's (a listener, run in the flush or the commit)."""

    func: Function
    signal: str
    listener: bool = False


def signal_receivers(source: Source) -> list[Receiver]:
    """The module's functions that a signal runs, each once (the first signal said)."""
    imports = imported_names(source)
    top: dict[str, Function] = {
        f.name: f
        for module in source.modules
        for f in module.body
        if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    found: dict[int, Receiver] = {}
    for func in top.values():
        for deco in func.decorator_list:
            said = _decorated(imports, deco)
            if said is not None and id(func) not in found:
                found[id(func)] = Receiver(func, *said)
    for module in source.modules:
        for stmt in module.body:
            said_call = _connected(imports, stmt, top)
            if said_call is not None and id(said_call.func) not in found:
                found[id(said_call.func)] = said_call
    return list(found.values())


def _full(imports: dict[str, str], node: ast.expr) -> str:
    head, _, rest = dotted(node).partition(".")
    target = imports.get(head, head)
    return f"{target}.{rest}" if rest else target


def _decorated(imports: dict[str, str], deco: ast.expr) -> tuple[str, bool] | None:
    """``@receiver(signal, ...)`` or ``@event.listens_for(target, "name")``."""
    if not isinstance(deco, ast.Call) or not deco.args:
        return None
    full = _full(imports, deco.func)
    if full in _DJANGO_RECEIVERS:
        first = deco.args[0]
        if isinstance(first, ast.List | ast.Tuple):  # ``@receiver([post_save, post_delete])``
            first = first.elts[0] if first.elts else first
        return dotted(first).rpartition(".")[2] or "a signal", False
    if full.rpartition(".")[2] == "listens_for" and _sqlalchemy(imports, full):
        name = deco.args[1] if len(deco.args) > 1 else None
        if isinstance(name, ast.Constant) and isinstance(name.value, str):
            return name.value, True
    return None


def _sqlalchemy(imports: dict[str, str], full: str) -> bool:
    """``sqlalchemy.event.listens_for``, or a Flask-SQLAlchemy ``db.event`` in a module that
    imports SQLAlchemy or Flask-SQLAlchemy."""
    if full.split(".")[0] in _SQLALCHEMY:
        return True
    return any(v.split(".")[0] in _SQLALCHEMY for v in imports.values())


def _connected(
    imports: dict[str, str], stmt: ast.stmt, top: dict[str, Function]
) -> Receiver | None:
    """A module-level ``signal.connect(func, ...)`` or ``event.listen(target, "name", func)``
    naming one of the module's functions."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return None
    call = stmt.value
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "connect" and call.args and isinstance(call.args[0], ast.Name):
        target = top.get(call.args[0].id)
        # A receiver takes ``**kwargs`` (Django refuses one that does not; blinker passes
        # the signal's own arguments by keyword): a ``conn.connect(x)`` of a socket does not.
        if target is not None and target.args.kwarg is not None:
            return Receiver(target, dotted(func.value).rpartition(".")[2] or "a signal")
        return None
    if func.attr == "listen" and len(call.args) >= 3 and isinstance(call.args[2], ast.Name):
        name = call.args[1]
        target = top.get(call.args[2].id)
        if (
            target is not None
            and isinstance(name, ast.Constant)
            and isinstance(name.value, str)
            and _sqlalchemy(imports, _full(imports, func))
        ):
            return Receiver(target, name.value, True)
    return None
