"""A Django write whose IntegrityError is caught inside a transaction, with no savepoint.

``try: Watcher.objects.create(...) except IntegrityError: pass`` to make a re-add a no-op,
then ``ticket.watchers.count()``: under ``ATOMIC_REQUESTS`` (or in ``transaction.atomic()``)
the failed save marks the whole atomic block for rollback, so the next query of the request
raises TransactionManagementError ("An error occurred in the current transaction"), a 500 on
every duplicate (planted set 6). The fix gives the write its own savepoint: ``with
transaction.atomic():`` inside the ``try``, so only the savepoint rolls back.

Silent when the handler ends the function (re-raises, returns), when the write already has its
own ``atomic()`` inside the ``try``, or when no atomic block encloses it (autocommit: the
failed statement leaves the connection usable).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .django_settings import ATOMIC_REQUESTS
from .frameworks import ModuleFacts
from .pyedits import ensure_imports, replace_statement, statement_lines
from .pysource import dotted

_ERRORS = {"IntegrityError", "DatabaseError"}
_WRITES = {"create", "get_or_create", "update_or_create", "bulk_create", "save"}


def savepoint_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "django" not in facts.frameworks or facts.imports.get("IntegrityError", "") not in (
        "django.db.IntegrityError",
        "django.db.utils.IntegrityError",
    ):
        return []
    out: list[Suggestion] = []
    for node in facts.source.of(ast.Try):
        if not isinstance(node, ast.Try):
            continue
        write = _unsaved_write(node)
        if write is None or not _swallowed(node):
            continue
        func = facts.source.function_of(node)
        if func is None or not _queries_after(func, node):
            continue
        if not (_in_atomic(node, facts.up) or ATOMIC_REQUESTS.set_for(facts.source.path)):
            continue
        found = _suggestion(facts, write)
        if found is not None:
            out.append(found)
    return out


def _unsaved_write(node: ast.Try) -> ast.stmt | None:
    """The ``try`` body's one statement that writes a row (``X.objects.create(...)``,
    ``obj.save()``), not already under its own ``atomic()``."""
    if len(node.body) != 1 or isinstance(node.body[0], ast.With):
        return None
    stmt = node.body[0]
    writes = [
        n.func
        for n in ast.walk(stmt)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in _WRITES
    ]
    ok = any(w.attr == "save" or "objects" in dotted(w) for w in writes)
    return stmt if ok else None


def _swallowed(node: ast.Try) -> bool:
    """A handler for IntegrityError that carries on: no ``raise``/``return`` in it."""
    for handler in node.handlers:
        names = (
            {dotted(n).split(".")[-1] for n in ast.walk(handler.type)} if handler.type else set()
        )
        if names & _ERRORS:
            return not any(isinstance(n, ast.Raise | ast.Return) for n in ast.walk(handler))
    return False


def _queries_after(func: ast.AST, node: ast.Try) -> bool:
    """A call after the ``try`` in the same function that reaches the database again: a
    manager or queryset method, a related manager, a save."""
    end = node.end_lineno or node.lineno
    queries = {"count", "filter", "exists", "get", "all", "first", "save", "create", "update"}
    return any(
        isinstance(n, ast.Call)
        and n.lineno > end
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in queries
        for n in ast.walk(func)
    )


def _in_atomic(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """Under ``with transaction.atomic():`` or in a function decorated ``@transaction.atomic``."""
    current = up.get(node)
    while current is not None:
        if isinstance(current, ast.With | ast.AsyncWith) and any(
            _atomic(item.context_expr) for item in current.items
        ):
            return True
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            return any(_atomic(d) for d in current.decorator_list)
        current = up.get(current)
    return False


def _atomic(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return dotted(target).split(".")[-1] == "atomic"


def _suggestion(facts: ModuleFacts, write: ast.stmt) -> Suggestion | None:
    src = facts.source
    first, last = statement_lines(write)
    indent = src.indent_of(write.lineno - 1)
    body = "\n".join(
        f"    {line}" if line.strip() else line for line in src.lines[first : last + 1]
    )
    atomic = "transaction.atomic()"
    needed: list[tuple[str, str]] = []
    bound = facts.imports.get("transaction")
    if bound != "django.db.transaction":
        if facts.imports.get("atomic") == "django.db.transaction.atomic":
            atomic = "atomic()"
        elif bound is None:
            needed.append(("django.db", "transaction"))
        else:
            return None  # another ``transaction`` is bound here
    text = (
        f"{indent}# a savepoint: the IntegrityError rolls back only this write, not the\n"
        f"{indent}# request's transaction (whose next query would fail)\n"
        f"{indent}with {atomic}:\n{body.rstrip()}"
    )
    return Suggestion(
        "BKD303",
        "error-handling",
        src.path,
        src.span(write),
        "Give the write its own savepoint before catching IntegrityError",
        f"`{src.text_of(write).strip()[:80]}` runs inside the request's transaction "
        "(ATOMIC_REQUESTS or transaction.atomic()): when it fails, Django marks the whole "
        "block for rollback and the next query raises TransactionManagementError (a 500), "
        "although the handler meant to carry on. `with transaction.atomic():` around the "
        "write makes a savepoint, so only the write is undone.",
        (*ensure_imports(src, needed), replace_statement(src, write, text)),
    )
