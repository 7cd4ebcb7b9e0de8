"""BKD211 on form and serializer fields: ``nights = forms.IntegerField()`` on a Django form,
``quantity = serializers.IntegerField()`` on a DRF serializer, ``IntegerField("Copies")`` on a
WTForms form. A form is request input by what it is for, so the field itself is the finding:
its type is checked (``"-3"`` becomes ``-3``), its sign is not, and the view that saves the
form or computes a price with ``cleaned_data["nights"]`` gets a negative stay.

The names are BKD211's (positive_inputs.py): a counted thing is at least 1, a measured one at
least 0. A field with any bound (``min_value``, ``validators=``, WTForms' ``NumberRange``) is
left alone, and so is one its form checks itself: a ``clean_<name>``/``validate_<name>``
method, or a form-wide ``clean``/``validate`` that reads the field by name; nor a form that
adjusts a value either way (its name or a field's says ``adjust``, ``delta``, ``balance``...).
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .positive_inputs import bound_word
from .pyedits import add_keyword, ensure_imports
from .pysource import Source, dotted, imported_names

_NUMBER_FIELDS = frozenset({"IntegerField", "DecimalField", "FloatField"})
# The module each library's fields come from, and how it bounds a number.
_LIBRARIES = {
    "django.forms": "django",
    "rest_framework.serializers": "drf",
    "rest_framework.fields": "drf",
    "wtforms": "wtforms",
    "wtforms.fields": "wtforms",
}
_SIGNED_WORDS = ("adjust", "delta", "balance", "correction", "offset", "change")
_OWN_CHECK = {"django": "clean_", "drf": "validate_", "wtforms": "validate_"}
_FORM_WIDE = {"django": "clean", "drf": "validate", "wtforms": "validate"}


def form_bound_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if not any(f in src.text for f in _NUMBER_FIELDS):
        return []
    names = imported_names(src)
    out: list[Suggestion] = []
    for cls in src.of(ast.ClassDef):
        for stmt in cls.body:
            found = _unbounded_field(names, cls, stmt)
            if found is None:
                continue
            name, call, library, least = found
            edits = _bound_edits(src, names, call, library, least)
            if edits is None:
                continue
            out.append(_suggestion(src, cls, name, call, least, library, edits))
    return out


def _unbounded_field(
    names: dict[str, str], cls: ast.ClassDef, stmt: ast.stmt
) -> tuple[str, ast.Call, str, int] | None:
    """``(field name, its call, its library, the least value its name allows)``."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.Call)
    ):
        return None
    name, call = stmt.targets[0].id, stmt.value
    library = _library(names, call)
    if library is None:
        return None
    op = bound_word(name)
    if op is None:
        return None
    if any(k.arg in ("min_value", "max_value") or k.arg is None for k in call.keywords):
        return None
    validators = _validators(call, library)
    if validators is not None and not (
        library == "wtforms"
        and isinstance(validators, ast.List)
        and not any(_names_range(v) for v in validators.elts)
    ):
        return None  # bounded, or checked by validators of its own
    if _checked_by_form(cls, name, library) or _signed(cls):
        return None
    return name, call, library, 1 if op == "gt" else 0


def _validators(call: ast.Call, library: str) -> ast.expr | None:
    """The field's validators as given (WTForms takes them second, as ``validators=`` too)."""
    given = next((k.value for k in call.keywords if k.arg == "validators"), None)
    if given is None and library == "wtforms" and len(call.args) > 1:
        given = call.args[1]
    return given


def _names_range(validator: ast.expr) -> bool:
    target = validator.func if isinstance(validator, ast.Call) else validator
    return dotted(target).rsplit(".", 1)[-1] == "NumberRange"


def _library(names: dict[str, str], call: ast.Call) -> str | None:
    written = dotted(call.func)
    head, _, rest = written.partition(".")
    full = f"{names[head]}.{rest}" if rest and head in names else names.get(written, "")
    module, _, field = full.rpartition(".")
    if field not in _NUMBER_FIELDS:
        return None
    return _LIBRARIES.get(module)


def _signed(cls: ast.ClassDef) -> bool:
    """A form for changing a value by an amount either way: an account adjustment's ``amount``
    subtracts as well as adds (judged on a real app's "Add or subtract amount" form)."""
    words = [cls.name.lower()]
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign):
            words.extend(t.id.lower() for t in stmt.targets if isinstance(t, ast.Name))
    return any(w in word for word in words for w in _SIGNED_WORDS)


def _checked_by_form(cls: ast.ClassDef, name: str, library: str) -> bool:
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if stmt.name == _OWN_CHECK[library] + name:
            return True
        if stmt.name == _FORM_WIDE[library] and _reads(stmt, name):
            return True
    return False


def _reads(func: ast.AST, name: str) -> bool:
    """``cleaned_data["nights"]``, ``attrs.get("nights")``, ``self.nights.data``."""
    for node in ast.walk(func):
        if isinstance(node, ast.Constant) and node.value == name:
            return True
        if isinstance(node, ast.Attribute) and node.attr == name:
            return True
    return False


def _bound_edits(
    src: Source, names: dict[str, str], call: ast.Call, library: str, least: int
) -> tuple[Edit, ...] | None:
    if library != "wtforms":
        return (add_keyword(src, call, f"min_value={least}"),)
    number_range = next(
        (k for k, v in names.items() if v == "wtforms.validators.NumberRange"), None
    )
    imports: list[Edit] = []
    if number_range is None:
        validators = next((k for k, v in names.items() if v == "wtforms.validators"), None)
        if validators is not None:
            number_range = f"{validators}.NumberRange"
        else:
            number_range = "NumberRange"
            imports = ensure_imports(src, [("wtforms.validators", "NumberRange")])
    bound = f"{number_range}(min={least})"
    given = _validators(call, library)
    if isinstance(given, ast.List):  # WTForms' list without a range: the range joins it
        end = src.end(given)
        at = Position(end.line, end.column - 1)
        text = f", {bound}" if given.elts else bound
        return (*imports, Edit(src.path, Span(at, at), text))
    return (*imports, add_keyword(src, call, f"validators=[{bound}]"))


def _suggestion(
    src: Source,
    cls: ast.ClassDef,
    name: str,
    call: ast.Call,
    least: int,
    library: str,
    edits: tuple[Edit, ...],
) -> Suggestion:
    what = {"django": "form field", "drf": "serializer field", "wtforms": "form field"}[library]
    bound = "more than zero" if least else "zero or more"
    how = f"NumberRange(min={least})" if library == "wtforms" else f"min_value={least}"
    return Suggestion(
        "BKD211",
        "validation",
        src.path,
        src.span(call),
        f"Bound {cls.name}.{name} to {bound}",
        f"The {what} `{name}` converts the client's text to a number but takes any sign: "
        f"`-3` passes validation and reaches whatever saves the form or computes with it (a "
        f"negative quantity or price is a refund or a stock level below zero). `{how}` "
        "makes the form refuse it with its usual error.",
        edits,
    )
