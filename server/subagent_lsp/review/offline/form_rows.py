"""A row a form's own validation has already found, so a lookup of it after the form is valid
cannot miss (a 404 for it was judged noise on real apps).

WTForms: ``if form.validate():`` and then ``Project.query.get(form.id.data)``, where the
form's ``validate_id`` raises ValidationError under ``if not Project.query.get(field.data):``
(or ``if not project:`` of that lookup), or its ``validate`` override returns False there.
A validator that raises when the row *exists* (a new project's free id) guarantees nothing
and is not counted.

Django: a lookup by ``form.cleaned_data["ticket"]`` (a wizard's ``get_all_cleaned_data()`` /
``get_cleaned_data_for_step()`` and its forms' ``cleaned_data`` alike), or by a local bound
to such a value. A ``ModelChoiceField`` has found its row (``cleaned_data["product"].pk``
names a row read off it), and the form's ``clean_ticket`` / ``clean`` may have checked or
chosen one. A field the form declares as plain data (``forms.CharField()``) with no clean
method that raises ValidationError checks nothing of the sort: the lookup by it still misses
on the client's value.
"""

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
    name = model.split(".")[-1]
    return any(
        isinstance(stmt, ast.FunctionDef)
        and (
            (stmt.name == f"validate_{field}" and _refuses_missing(stmt, name))
            or (stmt.name == "validate" and _refuses_missing(stmt, name, field))
        )
        for stmt in resolved[1].body
    )


def checked_by_validator(facts: ModuleFacts, call: ast.Call) -> bool:
    """``User.by_username(form.username.data)`` (any call keyed by one field of a WTForms
    form) under the form's successful validation, where a validator of the form raises
    ValidationError when a call given that field's value finds nothing: ``validate_username``
    doing ``user = User.by_username(field.data)`` then ``if not user: raise``, or the
    password's validator refusing ``if not User.login(form.username.data, field.data)``
    (judged noise on a real app: the 404 after it can never happen)."""
    key = _key(call)
    if key is None or facts.upstream is None:
        return False
    form, field = key
    if not inside_if(call, facts.up, lambda test: _validates(test, form)):
        return False
    made = _form_class(facts, call, form)
    resolved = facts.upstream.resolve_class(facts.source, made) if made is not None else None
    if resolved is None:
        return False
    return any(
        isinstance(stmt, ast.FunctionDef)
        and stmt.name.startswith("validate_")
        and _refuses_unfound(stmt, field, own=stmt.name == f"validate_{field}")
        for stmt in resolved[1].body
    )


def _refuses_unfound(method: ast.FunctionDef, field: str, own: bool) -> bool:
    """The validator raises ValidationError under ``if not <call>`` (or ``if not x`` of
    ``x = <call>``) where the call is given the field's value: ``field.data`` in its own
    validator, ``form.<field>.data`` / ``self.<field>.data`` in any."""
    params = [a.arg for a in method.args.args]
    form_name = params[0] if params else "form"
    field_name = params[1] if len(params) > 1 else "field"

    def given(node: ast.AST) -> bool:
        for inner in ast.walk(node):
            text = dotted(inner) if isinstance(inner, ast.Attribute) else ""
            if text == f"{form_name}.{field}.data" or (own and text == f"{field_name}.data"):
                return True
        return False

    bound = _bound_calls(method)
    for node in ast.walk(method):
        if not (isinstance(node, ast.If) and node.body and isinstance(node.body[0], ast.Raise)):
            continue
        exc = node.body[0].exc
        raised = dotted(exc.func if isinstance(exc, ast.Call) else exc) if exc else ""
        if raised.split(".")[-1] != "ValidationError":
            continue
        test = node.test
        if not (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)):
            continue
        looked = test.operand
        if isinstance(looked, ast.Name):
            looked = bound.get(looked.id, looked)
        if isinstance(looked, ast.Call) and given(looked):
            return True
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


def _refuses_missing(method: ast.FunctionDef, model: str, field: str | None = None) -> bool:
    """``if not Model.query...(...): raise ValidationError(...)`` in the validator (or ``if
    not row:`` of ``row = Model.query...``). With ``field``, the form's own ``validate``
    override, which refuses by ``return False`` (edurange's ``self.code.errors.append(...)``
    then ``return False``), and whose lookup must be given ``self.<field>.data``."""
    bound = _bound_calls(method)
    own = f"{method.args.args[0].arg}.{field}.data" if field and method.args.args else None
    for node in ast.walk(method):
        if not (isinstance(node, ast.If) and node.body and _refusal(node.body, field is None)):
            continue
        test = node.test
        looked = (
            test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else None
        )
        if isinstance(looked, ast.Name):
            looked = bound.get(looked.id, looked)
        if not (isinstance(looked, ast.Call) and lookup_model(looked).split(".")[-1] == model):
            continue
        if own is None or any(dotted(n) == own for n in ast.walk(looked)):
            return True
    return False


def _refusal(body: list[ast.stmt], raises: bool) -> bool:
    """A validator's ``raise ValidationError(...)``; a ``validate`` override's ``return
    False``."""
    if raises:
        exc = body[0].exc if isinstance(body[0], ast.Raise) else None
        raised = dotted(exc.func if isinstance(exc, ast.Call) else exc) if exc else ""
        return raised.split(".")[-1] == "ValidationError"
    last = body[-1]
    return (
        isinstance(last, ast.Return)
        and isinstance(last.value, ast.Constant)
        and last.value.value is False
    )


# What a Django form (or a form wizard) hands back once valid.
_CLEANED = ("cleaned_data", "get_all_cleaned_data", "get_cleaned_data_for_step")
# Fields whose value is a row the field itself looked up.
_ROW_FIELDS = ("ModelChoiceField", "ModelMultipleChoiceField")


def keyed_by_django_form(facts: ModuleFacts, call: ast.Call) -> bool:
    """Every value the lookup chain of ``call`` is by comes from a valid form's cleaned data
    (directly or through a local bound to it), and none is a field the form declares as
    plain data that nothing of the form checks."""
    func = facts.source.function_of(call)
    if func is None:
        return False
    bound = _cleaned_locals(facts, func)
    values: list[ast.expr] = []
    node: ast.expr = call
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        values += [*node.args, *(k.value for k in node.keywords)]
        node = node.func.value
    return bool(values) and all(
        _cleaned(v, bound) and not _unchecked_field(facts, func, v) for v in values
    )


def _cleaned_locals(facts: ModuleFacts, func: ast.AST) -> set[str]:
    """Locals bound (in source order) to cleaned data or a value read off it: ``data =
    self.get_all_cleaned_data()``, ``forms = [f.cleaned_data for f in form_list]``,
    ``ticket = form.cleaned_data["ticket"]``. Not ``n = len(form.cleaned_data)``."""
    out: set[str] = set()
    for node in sorted(
        (n for n in facts.source.nodes_of(func) if isinstance(n, ast.Assign)),
        key=lambda n: n.lineno,
    ):
        value = node.value
        if isinstance(value, ast.ListComp | ast.GeneratorExp):
            value = value.elt
        if _cleaned(value, out):
            out.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return out


def _cleaned(value: ast.expr, bound: set[str]) -> bool:
    """``form.cleaned_data``, ``self.get_all_cleaned_data()``, a bound local, or a key,
    ``.get(key)`` or attribute read off one."""
    while True:
        if isinstance(value, ast.Name):
            return value.id in bound
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and len(value.args) == 1
            and not value.keywords
        ):
            value = value.args[0]  # ``int(form.cleaned_data["id"])``
        elif isinstance(value, ast.Subscript):
            value = value.value
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            if value.func.attr in _CLEANED:
                return True
            if value.func.attr != "get":
                return False
            value = value.func.value
        elif isinstance(value, ast.Attribute):
            if value.attr in _CLEANED:
                return True
            value = value.value
        else:
            return False


def _unchecked_field(facts: ModuleFacts, func: ast.AST, value: ast.expr) -> bool:
    """``form.cleaned_data["code"]`` (the value itself, no attribute of it) where ``form =
    CodeForm(...)`` declares ``code = forms.CharField()`` and has no clean method raising
    ValidationError: the form checked the text, not that a row has it."""
    if isinstance(value, ast.Name):  # ``code = form.cleaned_data["code"]``, bound once
        assigned = [
            n.value
            for n in facts.source.nodes_of(func)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == value.id for t in n.targets)
        ]
        value = assigned[0] if len(assigned) == 1 else value
    read = _field_read(value)
    if read is None or facts.upstream is None:
        return False
    form, field = read
    made = [
        n.value.func
        for n in facts.source.nodes_of(func)
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == form for t in n.targets)
        and isinstance(n.value, ast.Call)
    ]
    if len(made) != 1:
        return False
    resolved = facts.upstream.resolve_class(facts.source, made[0])
    if resolved is None:
        return False
    declared = None
    for stmt in resolved[1].body:
        if (
            isinstance(stmt, ast.FunctionDef)
            and stmt.name in ("clean", f"clean_{field}")
            and any(_raises_validation(n) for n in ast.walk(stmt))
        ):
            return False  # the form's own check, whatever it is
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == field for t in stmt.targets)
            and isinstance(stmt.value, ast.Call)
        ):
            declared = dotted(stmt.value.func).split(".")[-1]
    return declared is not None and declared.endswith("Field") and declared not in _ROW_FIELDS


def _field_read(value: ast.expr) -> tuple[str, str] | None:
    """``form.cleaned_data["code"]`` / ``form.cleaned_data.get("code")`` -> (form, code)."""
    if isinstance(value, ast.Subscript):
        mapping, key = value.value, value.slice
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "get"
        and value.args
    ):
        mapping, key = value.func.value, value.args[0]
    else:
        return None
    if not (
        isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and isinstance(mapping, ast.Attribute)
        and mapping.attr == "cleaned_data"
        and isinstance(mapping.value, ast.Name)
    ):
        return None
    return mapping.value.id, key.value


def _raises_validation(node: ast.AST) -> bool:
    if not isinstance(node, ast.Raise) or node.exc is None:
        return False
    exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    return dotted(exc).split(".")[-1] == "ValidationError"


def _bound_calls(method: ast.AST) -> dict[str, ast.Call]:
    """Local name -> the call it is assigned (``row = User.query.filter_by(...).first()``)."""
    return {
        t.id: n.value
        for n in ast.walk(method)
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
