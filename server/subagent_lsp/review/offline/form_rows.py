"""A row a WTForms form's own validator has already found: ``if form.validate():`` and then
``Project.query.get(form.id.data)``, where the form's ``validate_id`` raises ValidationError
under ``if not Project.query.get(field.data):``. The lookup cannot miss there, and a 404 for
it was judged noise on a real app. A validator that raises when the row *exists* (a new
project's free id) guarantees nothing and is not counted."""

from __future__ import annotations

import ast

from .earlier_guards import inside_if
from .frameworks import ModuleFacts
from .pysource import dotted
from .row_guards import lookup_model, session_get

_VALIDATES = ("validate_on_submit", "validate")


def validated_by_form(facts: ModuleFacts, call: ast.Call) -> bool:
    """``call`` looks its model up by ``form.x.data``, under the form's successful
    validation, and the form's ``validate_x`` refuses a value with no such row."""
    model = lookup_model(call)
    key = _key(call)
    if not model or key is None or facts.upstream is None:
        return False
    form, field = key
    if not inside_if(call, facts.up, lambda test: _validates(test, form)):
        return False
    made = _form_class(facts, call, form)
    if made is None:
        return False
    resolved = facts.upstream.resolve_class(facts.source, made)
    if resolved is None:
        return False
    for stmt in resolved[1].body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == f"validate_{field}":
            return _refuses_missing(stmt, model.split(".")[-1])
    return False


def _key(call: ast.Call) -> tuple[str, str] | None:
    """``form.x.data`` as the lookup's one key: (``form``, ``x``)."""
    values = [*call.args[1:]] if session_get(call) else [*call.args]
    values += [k.value for k in call.keywords]
    if isinstance(call.func, ast.Attribute) and call.func.attr == "first":
        inner = call.func.value
        if isinstance(inner, ast.Call) and not values:
            values = [*inner.args, *(k.value for k in inner.keywords)]
    if len(values) != 1:
        return None
    value = values[0]
    if (
        isinstance(value, ast.Attribute)
        and value.attr == "data"
        and isinstance(value.value, ast.Attribute)
        and isinstance(value.value.value, ast.Name)
    ):
        return value.value.value.id, value.value.attr
    return None


def _validates(test: ast.expr, form: str) -> bool:
    return (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr in _VALIDATES
        and isinstance(test.func.value, ast.Name)
        and test.func.value.id == form
    )


def _form_class(facts: ModuleFacts, call: ast.Call, form: str) -> ast.expr | None:
    """The class of ``form = SomeForm(...)``, its one assignment in the function."""
    func = facts.source.function_of(call)
    made = [
        n.value.func
        for n in (facts.source.nodes_of(func) if func is not None else [])
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == form for t in n.targets)
        and isinstance(n.value, ast.Call)
    ]
    return made[0] if len(made) == 1 else None


def _refuses_missing(method: ast.FunctionDef, model: str) -> bool:
    """``if not Model.query...(...): raise ValidationError(...)`` in the validator."""
    for node in ast.walk(method):
        if not (isinstance(node, ast.If) and node.body and isinstance(node.body[0], ast.Raise)):
            continue
        exc = node.body[0].exc
        raised = dotted(exc.func if isinstance(exc, ast.Call) else exc) if exc else ""
        test = node.test
        looked = (
            test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else None
        )
        if (
            raised.split(".")[-1] == "ValidationError"
            and isinstance(looked, ast.Call)
            and lookup_model(looked).split(".")[-1] == model
        ):
            return True
    return False
