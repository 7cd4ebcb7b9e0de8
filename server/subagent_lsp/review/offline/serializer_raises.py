"""BKD329: a DRF serializer's ``validate()`` / ``validate_<field>()`` / ``create()`` /
``update()`` raises an exception DRF's handler does not answer: ``raise ValueError("Passwords
must be the same!")``, a 500 for the client's own mismatched input (a real app's sign-up and
password change, judged musts).

DRF answers only its ``APIException`` classes (``serializers.ValidationError`` among them),
Django's ``Http404`` and ``PermissionDenied``; ``is_valid()`` gathers DRF's (and Django's)
``ValidationError`` out of ``validate*`` into its 400 and lets anything else through. Read on
the builtin classes a check raises for bad input (``ValueError``, ``TypeError``, ``KeyError``,
``LookupError``, ``IndexError``, ``Exception``) and on a project class whose bases outside the
project are only those; one raised with one message (or none), as written in the method itself.
``AssertionError``, ``RuntimeError`` and ``NotImplementedError`` say the server's own mistake
and are left alone, as are a class with its own ``__init__`` (its arguments may be no message)
and one imported from a library; so is one ``create()``/``update()`` raises in an ``except``
(what it answers may be an upstream's failure, no 400). Silent when a ``try`` of the method
catches it, when a view of the project calls ``is_valid()``/``save()`` inside a ``try`` that
does, and when the settings name a DRF exception handler that may answer it. The fix raises DRF's
``ValidationError`` with the same arguments, named as the module names it.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .drf import uses_drf
from .drf_handlers import handler_may_answer
from .drf_serializers import drf_validation_error
from .frameworks import ModuleFacts
from .pyedits import ensure_imports, replace_node
from .pysource import Source, dotted, method_of, top_level_class
from .try_blocks import caught, handler_names

CODE = "BKD329"

Function = ast.FunctionDef | ast.AsyncFunctionDef
# The builtin classes a check raises for bad input: none of them is DRF's.
_INPUT_ERRORS = frozenset({"Exception", "ValueError", "TypeError", "KeyError", "LookupError"})
_INPUT_ERRORS |= {"IndexError"}
# The methods and the number of parameters DRF calls them with (self included).
_METHODS = {"validate": 2, "create": 2, "update": 3}
_BROAD = frozenset({"Exception", "BaseException"})


def serializer_raise_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "rest_framework" not in facts.source.text or "raise" not in facts.source.text:
        return []
    if not uses_drf(facts):
        return []
    error = drf_validation_error(facts)
    if error is None:
        return []  # Django's ValidationError holds the name the fix would use
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not _serializer(cls):
            continue
        for method in cls.body:
            if isinstance(method, ast.FunctionDef) and _drf_calls(method):
                out.extend(_raises(facts, cls, method, error))
    return out


def _serializer(cls: ast.ClassDef) -> bool:
    """A serializer class (its base named ``...Serializer``): a field's methods are others'."""
    return any(dotted(b).split(".")[-1].endswith("Serializer") for b in cls.bases)


def _drf_calls(func: ast.FunctionDef) -> bool:
    wanted = _METHODS.get("validate" if func.name.startswith("validate_") else func.name)
    args = func.args
    return wanted is not None and len(args.args) == wanted and not args.vararg


def _raises(
    facts: ModuleFacts,
    cls: ast.ClassDef,
    method: ast.FunctionDef,
    error: tuple[str, list[tuple[str, str]]],
) -> list[Suggestion]:
    src = facts.source
    out: list[Suggestion] = []
    for node in src.nodes_of(method):
        if not isinstance(node, ast.Raise) or src.function_of(node) is not method:
            continue
        exc = node.exc
        if not isinstance(exc, ast.Call) or len(exc.args) > 1 or exc.keywords:
            continue
        if exc.args and isinstance(exc.args[0], ast.Starred):
            continue
        raised = _unanswered(facts, exc.func)
        if raised is None:
            continue
        if method.name in ("create", "update") and _in_handler(node, facts.up):
            continue  # a failure of what save() ran (a payment, a mail): not the client's
        if caught(node, facts.up, {raised}) or handler_may_answer(src.path, [raised]):
            continue
        if _caught_by_a_view(facts, cls.name, raised):
            continue
        name, needed = error
        edits = [*ensure_imports(src, needed), replace_node(src, exc.func, name)]
        out.append(_suggestion(src, cls, method, node, raised, name, tuple(edits)))
    return out


def _in_handler(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    current = up.get(node)
    while current is not None and not isinstance(current, ast.FunctionDef):
        if isinstance(current, ast.ExceptHandler):
            return True
        current = up.get(current)
    return False


def _unanswered(facts: ModuleFacts, func: ast.expr) -> str | None:
    """The name of the class ``func`` raises when DRF's handler answers it with no 4xx: a
    builtin input error the module does not rebind, or a project class derived only from
    such builtins; None for anything else or anything unread."""
    if isinstance(func, ast.Name) and func.id in _INPUT_ERRORS:
        if func.id in facts.imports or top_level_class(facts.source, func.id) is not None:
            return None
        return func.id
    if facts.upstream is None or not isinstance(func, ast.Name | ast.Attribute):
        return None
    found = facts.upstream.resolve_class(facts.source, func)
    if found is None or method_of(found[1], "__init__") is not None:
        return None
    bases = facts.upstream.outside_bases(*found)
    if not bases or not bases <= _INPUT_ERRORS:
        return None  # over DRF's, Django's, a library's: it may be answered
    if not _plain_lineage(facts, *found):
        return None
    return found[1].name


def _plain_lineage(facts: ModuleFacts, source: Source, cls: ast.ClassDef) -> bool:
    """No project class between ``cls`` and the builtins takes its own arguments (an
    ``__init__`` of a base may read the message as a code)."""
    assert facts.upstream is not None
    todo, seen = [(source, cls)], 0
    while todo and seen < 6:
        at, current = todo.pop()
        seen += 1
        if method_of(current, "__init__") is not None:
            return False
        for base in current.bases:
            parent = facts.upstream.resolve_class(at, base)
            if parent is not None and parent[1] is not current:
                todo.append(parent)
    return not todo


def _caught_by_a_view(facts: ModuleFacts, serializer: str, raised: str) -> bool:
    """A module of the project that names the serializer runs ``is_valid()`` or ``save()``
    inside a ``try`` whose handler takes ``raised`` (or anything broader): the app answers it
    there itself."""
    sources = list(facts.writers(serializer)) if facts.writers is not None else [facts.source]
    for source in sources:
        for node in source.of(ast.Try):
            if not any(
                isinstance(n, ast.Call)
                and isinstance(n.func, ast.Attribute)
                and n.func.attr in ("is_valid", "save")
                for stmt in node.body
                for n in ast.walk(stmt)
            ):
                continue
            for handler in node.handlers:
                names = handler_names(handler)
                if raised in names or names & _BROAD:
                    return True
    return False


def _suggestion(
    src: Source,
    cls: ast.ClassDef,
    method: ast.FunctionDef,
    node: ast.Raise,
    raised: str,
    name: str,
    edits: tuple[Edit, ...],
) -> Suggestion:
    if method.name in ("create", "update"):
        where = (
            f"`{method.name}()` runs in `serializer.save()`, after validation: DRF's exception "
            f"handler answers only its APIException classes (`{name}` among them), Http404 "
            f"and PermissionDenied, so the {raised} is a 500."
        )
    else:
        where = (
            f"`is_valid()` turns only a ValidationError raised in `{method.name}()` into its "
            f"400 (with the field errors); a {raised} goes through it and DRF's exception "
            "handler, which answers only its APIException classes, Http404 and "
            "PermissionDenied: the client's invalid input is a 500."
        )
    why = (
        f"`{cls.name}.{method.name}()` raises {raised} (line {node.lineno}). {where} "
        f"Raising `{name}` with the same message answers 400."
    )
    title = f"Raise {name.split('.')[-1]} instead of {raised} in {cls.name}.{method.name}()"
    return Suggestion(CODE, "error-handling", src.path, src.span(node), title, why, edits)
