"""BKD211 on the ``Form(...)`` parameters of an ``as_form`` classmethod dependency:
``amount_paid: float = Form(...)`` in ``TransactionCreate.as_form``, the route taking
``data: TransactionCreate = Depends(TransactionCreate.as_form)`` and storing
``data.amount_paid``.

The parameter is where FastAPI reads the value, so it is where the bound goes: ``Form(...,
ge=0)`` is answered with 422 like any parameter, where a bound on the model alone is checked
inside the dependency, a ValidationError FastAPI answers with 500 (positive_inputs.py leaves
such a route's model to this module). The model's own ``Field(...)``, when it has one, gets
the bound too, so that the model says what it holds wherever else it is built. A real
student-admin app's payment, expense and salary forms (judged musts: a negative payment
passed the "exceeds the monthly fee" check and was stored).

The names, types and uses are BKD211's: the name says its sign (positive_inputs.bound_word),
the parameter is a plain number with a ``Form``/``Query``/``Body`` marker and no bound, it goes
as it is into a field the model neither bounds nor validates, and the route computes with the
field, stores it or writes the whole model. One suggestion per parameter in a module, at the
first route taking the classmethod.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .form_factories import FormFactory, Param, form_factory, marker_named
from .frameworks import ModuleFacts, Route
from .positive_inputs import (
    bound_word,
    bounded,
    misspelled_keywords,
    model_fields,
    number_type,
    value_use,
)
from .pyedits import add_keyword
from .pysource import dotted, parameters_with_defaults

_MARKERS = ("Form", "Query", "Body")


def factory_bound_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.upstream is None:
        return []
    out: list[Suggestion] = []
    done: set[tuple[int, str]] = set()
    for route in facts.routes:
        if route.framework != "fastapi":
            continue
        for arg, default in parameters_with_defaults(route.func):
            factory = form_factory(facts, arg, default)
            if factory is None:
                continue
            for field, (name, param) in _fields(factory).items():
                if (id(factory.method), name) in done:
                    continue
                found = _bounded_field(facts, route, arg.arg, factory, field, name, param)
                if found is not None:
                    done.add((id(factory.method), name))
                    out.append(found)
    return out


def _fields(factory: FormFactory) -> dict[str, tuple[str, Param]]:
    """Each field a ``cls(...)`` fills with a parameter as it is, with the parameter's name;
    a field filled two ways (two calls, two parameters) is not the parameter's alone."""
    out: dict[str, tuple[str, Param]] = {}
    seen: set[str] = set()
    for call in factory.builds:
        for field, param in factory.filled(call).items():
            name = param[0].arg
            if field in seen and out.get(field, ("", param))[0] != name:
                out.pop(field, None)
                continue
            seen.add(field)
            out[field] = (name, param)
    return out


def _bounded_field(
    facts: ModuleFacts,
    route: Route,
    taken: str,
    factory: FormFactory,
    field: str,
    name: str,
    param: Param,
) -> Suggestion | None:
    arg, _ = param
    op = bound_word(name)
    if op is None or arg.annotation is None or number_type(arg.annotation) is None:
        return None
    marker = marker_named(param, _MARKERS)
    if marker is None or bounded(marker) or misspelled_keywords(marker):
        return None
    # the model's field, unless the model validates it (or itself) in its own way
    stmt = next(
        (
            (src, s)
            for src, _cls, s in model_fields(facts, factory.model_source, factory.model, 0, field)
            if isinstance(s.target, ast.Name) and s.target.id == field
        ),
        None,
    )
    if stmt is None:
        return None
    src, field_stmt = stmt
    if number_type(field_stmt.annotation) is None or bounded(field_stmt.value):
        return None  # a bound the model checks alone is BKD210's (a 500 in the dependency)
    if misspelled_keywords(field_stmt.value):
        return None
    use = value_use(route.func, taken, field)
    if use is None:
        return None
    bound = f"{op}=0"
    edits: list[Edit] = [add_keyword(factory.source, marker, bound)]
    value = field_stmt.value
    also = ""
    if isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] == "Field":
        edits.append(add_keyword(src, value, bound))
        also = f" The model's `Field(...)` of `{field}` gets it too."
    how = {"arithmetic": "computes with it", "stored": "stores it", "written": "writes the body"}
    sign = "more than zero" if op == "gt" else "zero or more"
    kind = dotted(marker.func).rsplit(".", 1)[-1]
    why = (
        f"The {kind.lower()} field `{name}` of `{factory.name}` is typed but unbounded: a "
        f"client can send a negative value and `{route.func.name}` {how[use]} all the same "
        "(a negative amount or price is a refund, a negative quantity a stock level below "
        f"zero). `{bound}` on its `{kind}(...)` makes FastAPI answer 422 instead; a bound on "
        f"{factory.model.name} alone would be checked inside the dependency, a 500.{also}"
    )
    title = f"Bound {name} of {factory.name} to {sign}"
    span = facts.source.span(factory.marker)
    return Suggestion("BKD211", "validation", facts.source.path, span, title, why, tuple(edits))
