"""A Django form's ``clean()`` / ``clean_<field>()`` looking a row up by what the client
posted, unchecked.

These run inside the view's ``form.is_valid()``: ``Coupon.objects.get(code=...)`` raises
``DoesNotExist`` straight out of it (a 500), and a ``.first()`` read unchecked an
AttributeError. The form's answer to a value no row matches is its own ``ValidationError``
(the form comes back invalid, with the field's error, and the view shows it); a 404 from a
form was judged noise on a real app, and so a form is no view (django_views.is_form_class)
and this module makes its only fixes. A lookup the method already checks (``if coupon is
None: raise ValidationError``) or converts (``except DoesNotExist``) is left alone, and so is
one by the server's own values (``self.instance``, a constant), by a choice field's value
(``forms.ChoiceField`` whose choices the form filled from the rows: Django has refused any
other) or by a disabled field's (Django keeps its initial value, whatever was posted).
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .django_rows import django_model, model_label
from .django_views import is_form_class, module_lineage
from .frameworks import ModuleFacts, enclosing_statement
from .pyedits import ensure_imports, insert_before_line, replace_statement, wrapped_in_try
from .pysource import dotted
from .row_uses import missing_row, read_unchecked, short
from .try_blocks import caught

_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.Return, ast.Expr)
# Where a form's method reads what the client posted.
_POSTED = ("self.cleaned_data", "self.data", "self.request.POST", "self.request.GET")
_MISSES = {"DoesNotExist", "ObjectDoesNotExist", "AttributeError"}


def form_clean_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "django" not in facts.source.text or "clean" not in facts.source.text:
        return []
    error = _validation_error(facts)
    if error is None:
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not (isinstance(cls, ast.ClassDef) and is_form_class(cls, facts.source)):
            continue
        for method in cls.body:
            if isinstance(method, ast.FunctionDef) and _clean_method(method):
                out.extend(_method(facts, method, error, _trusted_fields(facts, cls)))
    return out


def _clean_method(func: ast.FunctionDef) -> bool:
    return len(func.args.args) == 1 and (func.name == "clean" or func.name.startswith("clean_"))


def _validation_error(facts: ModuleFacts) -> tuple[str, list[tuple[str, str]]] | None:
    """How the module names Django's ValidationError, and the import it needs; None when the
    name is another library's (DRF's)."""
    for name, full in facts.imports.items():
        if full in ("django.forms", "django.core.exceptions"):
            return f"{name}.ValidationError", []
    bare = facts.imports.get("ValidationError")
    if bare is None:
        return "ValidationError", [("django.core.exceptions", "ValidationError")]
    if bare in ("django.forms.ValidationError", "django.core.exceptions.ValidationError"):
        return "ValidationError", []
    return None


def _trusted_fields(facts: ModuleFacts, cls: ast.ClassDef) -> frozenset[str]:
    """The form's fields (declared on it or a base of its module) whose cleaned value is no
    free text of the client's: a ``*ChoiceField`` (one of its choices) or a disabled field."""
    out: set[str] = set()
    for current in module_lineage(facts.source, cls):
        for stmt in current.body:
            if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                continue
            made = dotted(stmt.value.func).split(".")[-1]
            disabled = any(
                k.arg == "disabled" and isinstance(k.value, ast.Constant) and k.value.value
                for k in stmt.value.keywords
            )
            if made.endswith("ChoiceField") or disabled:
                out.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return frozenset(out)


def _method(
    facts: ModuleFacts,
    func: ast.FunctionDef,
    error: tuple[str, list[tuple[str, str]]],
    trusted: frozenset[str],
) -> list[Suggestion]:
    src = facts.source
    posted = _posted_locals(func, trusted)
    out: list[Suggestion] = []
    for node in src.nodes_of(func):
        if not isinstance(node, ast.Call) or src.function_of(node) is not func:
            continue
        if not isinstance(node.func, ast.Attribute) or node.func.attr not in ("get", "first"):
            continue
        model = django_model(node.func.value) if node.func.attr == "first" else _got(node)
        if model is None or not _by_posted(node, posted, trusted):
            continue
        label = model_label(model)
        if caught(node, facts.up, _MISSES | {f"{model}.DoesNotExist"}):
            continue
        name, needed = error
        if node.func.attr == "get":
            edit = _wrapped(facts, node, model, f'raise {name}("No such {label}.") from None')
            if edit is None:
                continue
            why = f"raises {model}.DoesNotExist when nothing matches"
        else:
            found = _first_unchecked(facts, func, node, f'raise {name}("No such {label}.")')
            if found is None:
                continue
            edit, used = found
            why = f"gives None when nothing matches, and `{used}` then raises"
        edits = (*ensure_imports(src, needed), edit)
        text = (
            f"`{short(src.text_of(node))}` in `{func.name}` {why}: out of the view's "
            f"`is_valid()`, a 500 for a value the client posted. `{name}` makes the form "
            "invalid with the error, which the view shows."
        )
        title = f"Raise ValidationError when {label} is not found"
        if node.func.attr == "get":
            out.append(
                Suggestion("BKD304", "error-handling", src.path, src.span(node), title, text, edits)
            )
        else:
            out.extend(missing_row(src, node, title, text, edits))
    return out


def _got(call: ast.Call) -> str | None:
    """``Model.objects.get(...)`` (through ``filter``/``select_related``...) -> its model."""
    return django_model(call.func.value) if isinstance(call.func, ast.Attribute) else None


def _posted_locals(func: ast.FunctionDef, trusted: frozenset[str]) -> set[str]:
    """Locals bound from what the client posted, in source order: ``code =
    self.cleaned_data["code"]``, ``data = super().clean()`` (the cleaned data itself)."""
    out: set[str] = set()
    for node in sorted(
        (n for n in ast.walk(func) if isinstance(n, ast.Assign)), key=lambda n: n.lineno
    ):
        value = node.value
        super_clean = (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr == "clean"
            and dotted(value.func.value) == "super()"
        )
        if super_clean or _reads_posted(value, out, trusted):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _reads_posted(node: ast.AST, names: set[str], trusted: frozenset[str]) -> bool:
    """``node`` reads what the client posted, other than a trusted field's value."""
    todo = [node]
    while todo:
        inner = todo.pop()
        if _field_key(inner) in trusted:
            continue  # ``self.cleaned_data["assigned"]`` of a ChoiceField
        if isinstance(inner, ast.Name) and inner.id in names:
            return True
        if isinstance(inner, ast.Attribute) and dotted(inner) in _POSTED:
            return True
        todo.extend(ast.iter_child_nodes(inner))
    return False


def _field_key(node: ast.AST) -> str | None:
    """The constant key of ``m["assigned"]`` / ``m.get("assigned", ...)``."""
    key: ast.expr | None = None
    if isinstance(node, ast.Subscript):
        key = node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        key = node.args[0]
    if isinstance(key, ast.Constant) and isinstance(key.value, str):
        return key.value
    return None


def _by_posted(call: ast.Call, posted: set[str], trusted: frozenset[str]) -> bool:
    """Some value the lookup chain is by is the client's."""
    node: ast.expr = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        values = (*node.args, *(k.value for k in node.keywords))
        if any(_reads_posted(v, posted, trusted) for v in values):
            return True
        node = node.func.value
    return False


def _wrapped(facts: ModuleFacts, call: ast.Call, model: str, answer: str) -> Edit | None:
    stmt = enclosing_statement(call, facts.up)
    if not isinstance(stmt, _STATEMENTS):
        return None
    text = wrapped_in_try(facts.source, stmt, f"{model}.DoesNotExist", answer)
    return replace_statement(facts.source, stmt, text)


def _first_unchecked(
    facts: ModuleFacts, func: ast.FunctionDef, call: ast.Call, answer: str
) -> tuple[Edit, str] | None:
    """``coupon = ....first()`` then ``coupon.percent`` untested: the guard after it."""
    assign = facts.up.get(call)
    if not (
        isinstance(assign, ast.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0], ast.Name)
    ):
        return None
    name = assign.targets[0].id
    used = read_unchecked(facts, func, name, assign.end_lineno or 0, helpers=True)
    if used is None:
        return None
    indent = facts.source.indent_of(assign.lineno - 1)
    line = assign.end_lineno or assign.lineno
    text = f"{indent}if {name} is None:\n{indent}    {answer}"
    return insert_before_line(facts.source, line, text), used
