"""BKD210 in FastAPI: a route builds a pydantic model of the project from its own parameters
(``ProductCreate(name=name, price=price)`` of ``name: str = Form(...)``), and the model checks
what FastAPI did not (``Field(min_length=3)``, ``ge=0``, a validator).

FastAPI validated the parameters as declared (a ``str``, a ``float``) and answers only its own
RequestValidationError with 422; the ValidationError the model raises in the handler is a 500
(a real app's product create and update, judged musts: a two-letter name or a negative price).
Only a keyword filled with a parameter the client sends (no ``Depends``) into a field with a
bound, a constrained type or a validator that the parameter's own declaration does not carry.
Silent inside a ``try`` that catches it (ValidationError, ValueError or broader) and where an
app-wide handler may answer it. The fix wraps the statement and raises FastAPI's
``HTTPException`` with 422 and the model's errors; from FastAPI 0.113 the rationale also names
the other way, the model itself as the form (``Annotated[Model, Form()]``).

The same model is built inside a dependency when the route takes it through a classmethod,
``data: VisaCreate = Depends(VisaCreate.as_form)`` returning ``cls(...)`` of its ``Form(...)``
parameters (a real student-admin app's every form; its visa model's ``model_validator``
raising ValueError for an existing student sent without the student's id was a must): the
fix goes in the classmethod, raising FastAPI's RequestValidationError with the errors (its own
422, through any handler the app has for it; ``HTTPException`` before FastAPI 0.100, whose
RequestValidationError wants pydantic 1's raw errors). Counted there: a field's bound or
constrained type its parameter lacks, and a validator of the model (or of a field the call
sets) that raises what pydantic turns into a ValidationError; not a validator that only
rewrites values, nor one of a field whose parameter is already an ``EmailStr`` or the like
(it repeats that check). One suggestion per classmethod in a module, at its first route.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .form_factories import (
    FormFactory,
    Param,
    annotated_markers,
    client_params,
    form_factory,
    markers,
)
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .positive_inputs import validated_fields, validates
from .pyedits import LINE_LENGTH, ensure_imports, wrap_in_try
from .pysource import Source, bound_as, dotted, imported_names, parameters_with_defaults
from .raw_json_models import app_answers, project_model

CODE = "BKD210"
Function = ast.FunctionDef | ast.AsyncFunctionDef
_ERRORS = frozenset({"ValidationError", "ValueError"})
# What pydantic's ``Field`` (and FastAPI's ``Form``/``Query``) check beyond the type.
_BOUNDS = frozenset(
    {
        *("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern"),
        *("regex", "max_digits", "decimal_places", "min_items", "max_items", "allow_inf_nan"),
    }
)
# Annotations that check more than the parameter's plain type.
_CONSTRAINED = frozenset(
    {
        *("constr", "conint", "confloat", "condecimal", "conlist", "conset", "EmailStr"),
        *("HttpUrl", "AnyUrl", "AnyHttpUrl", "PositiveInt", "NegativeInt", "NonNegativeInt"),
        *("PositiveFloat", "NonNegativeFloat", "Literal", "StringConstraints"),
    }
)
_FORM_FROM = (0, 113)  # FastAPI takes a pydantic model as the form from 0.113
_PYDANTIC_ERRORS = ("pydantic.ValidationError", "pydantic_core.ValidationError")
_REQUEST_ERRORS = ("fastapi.exceptions.RequestValidationError",)
# FastAPI's RequestValidationError takes pydantic's ``errors()`` list from 0.100 (before, the
# raw error wrappers of pydantic 1).
_ERRORS_LIST_FROM = (0, 100)


def form_model_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.upstream is None or app_answers(facts, _ERRORS):
        return []
    bound = facts.imports.get("ValidationError")
    if bound is not None and bound not in (
        "pydantic.ValidationError",
        "pydantic_core.ValidationError",
    ):
        return []  # the module's ValidationError is another library's
    exception = bound_as(facts.imports, "fastapi.HTTPException")
    if exception is None and "HTTPException" in facts.imports:
        return []
    src = facts.source
    params = _client_params(route.func)
    out: list[Suggestion] = []
    for call in src.nodes_of(route.func):
        if not isinstance(call, ast.Call) or call.args or not call.keywords:
            continue
        filled = {
            k.arg: params[k.value.id]
            for k in call.keywords
            if k.arg and isinstance(k.value, ast.Name) and k.value.id in params
        }
        if not filled or any(k.arg is None for k in call.keywords):
            continue
        found = project_model(facts, src, call.func)
        if found is None:
            continue
        checked = _checked_fields(facts, *found, filled)
        if not checked:
            continue
        stmt = enclosing_statement(call, facts.up)
        if not (isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is call):
            continue
        if caught(call, facts.up, set(_ERRORS)):
            continue
        out.append(_suggestion(facts, route, stmt, call, checked, filled, exception))
    return out


def form_factory_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    """The routes' ``Depends(Model.as_form)`` whose ``cls(...)`` the model rejects: one
    suggestion per method in a module, at the first route taking it."""
    if facts.upstream is None or app_answers(facts, _ERRORS):
        return []
    takers: dict[int, list[tuple[Route, FormFactory]]] = {}
    for route in facts.routes:
        if route.framework != "fastapi":
            continue
        for arg, default in parameters_with_defaults(route.func):
            factory = form_factory(facts, arg, default)
            if factory is not None:
                takers.setdefault(id(factory.method), []).append((route, factory))
    out: list[Suggestion] = []
    for taken in takers.values():
        route, factory = taken[0]
        names = imported_names(factory.source)
        if names.get("ValidationError", _PYDANTIC_ERRORS[0]) not in _PYDANTIC_ERRORS:
            continue  # the module's ValidationError is another library's
        for call in factory.builds:
            stmt = enclosing_statement(call, factory.source.up())
            if not (
                isinstance(stmt, ast.Return | ast.Assign | ast.AnnAssign) and stmt.value is call
            ):
                continue
            if caught(call, factory.source.up(), set(_ERRORS)):
                continue
            checked = _factory_checks(facts, factory, call)
            if not checked:
                continue
            found = _factory_suggestion(facts, [r for r, _ in taken], factory, stmt, checked)
            if found is not None:
                out.append(found)
    return out


def _factory_checks(facts: ModuleFacts, factory: FormFactory, call: ast.Call) -> list[str]:
    """What the model checks of ``cls(...)`` that FastAPI did not: fields' bounds and types
    beyond their parameters', and each validator that raises, as the rationale shows them."""
    filled = factory.filled(call)
    out = _checked_fields(facts, factory.model_source, factory.model, filled, validators=False)
    given = {k.arg for k in call.keywords if k.arg}
    # A field whose parameter is already an ``EmailStr`` (a URL...): its validator repeats
    # that check (a real app's ``"@" not in v`` of an EmailStr form field cannot fail).
    checked_by_type = {f for f, p in filled.items() if _named(p[0].annotation) & _CONSTRAINED}
    for cls, func, raised in _raising_validators(facts, factory.model_source, factory.model, 0):
        fields: set[str] = set()
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if "validator" in dotted(target).rsplit(".", 1)[-1]:
                fields |= validated_fields(deco)
        if "*" in fields:
            out.append(
                f"`{cls.name}.{func.name}` (a validator of the whole model, raising {raised})"
            )
        elif fields & given - checked_by_type:
            of = _listed(sorted(fields & given - checked_by_type))
            out.append(f"`{cls.name}.{func.name}` (a validator of {of}, raising {raised})")
    return out


# What pydantic turns into a ValidationError when a validator raises it.
_VALIDATOR_ERRORS = ("ValueError", "AssertionError", "PydanticCustomError", "PydanticKnownError")


def _raising_validators(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef, depth: int
) -> list[tuple[ast.ClassDef, Function, str]]:
    """The validators of the class and its project bases that raise what pydantic turns into
    a ValidationError: each with its class and what it raises (``ValueError``)."""
    out: list[tuple[ast.ClassDef, Function, str]] = []
    for stmt in cls.body:
        if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not any(
            "validator" in dotted(d.func if isinstance(d, ast.Call) else d).rsplit(".", 1)[-1]
            for d in stmt.decorator_list
        ):
            continue
        raised: list[str] = []
        for node in ast.walk(stmt):
            if isinstance(node, ast.Assert):
                raised.append("AssertionError")
            elif isinstance(node, ast.Raise) and node.exc is not None:
                made = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                name = dotted(made).rsplit(".", 1)[-1]
                if name in _VALIDATOR_ERRORS:
                    raised.append(name)
        if raised:
            out.append((cls, stmt, _listed(sorted(set(raised)))))
    if depth >= 3 or facts.upstream is None:
        return out
    for base in cls.bases:
        parent = facts.upstream.resolve_class(src, base)
        if parent is not None:
            out.extend(_raising_validators(facts, *parent, depth + 1))
    return out


def _factory_suggestion(
    facts: ModuleFacts,
    routes: list[Route],
    factory: FormFactory,
    stmt: ast.Return | ast.Assign | ast.AnnAssign,
    checked: list[str],
) -> Suggestion | None:
    src = factory.source
    names = imported_names(src)
    needed: list[tuple[str, str]] = []
    if "ValidationError" not in names:
        needed.append(("pydantic", "ValidationError"))
    indent = len(src.indent_of(stmt.lineno - 1)) + 4
    fastapi = facts.package_version("fastapi") if facts.package_version else None
    if fastapi is not None and fastapi < _ERRORS_LIST_FROM:
        # its RequestValidationError wants pydantic 1's error wrappers: the 422 is answered
        # as the handler-built model's is
        exception = next((k for k, v in names.items() if v == "fastapi.HTTPException"), None)
        if exception is None:
            if "HTTPException" in names:
                return None
            exception = "HTTPException"
            needed.append(("fastapi", "HTTPException"))
        raised = _raised(indent, exception, ["status_code=422", f"detail={_errors(facts)}"])
        answer = f"raising HTTPException with 422 and {factory.model.name}'s errors"
    else:
        exception = next((k for k, v in names.items() if v in _REQUEST_ERRORS), None)
        if exception is None:
            if "RequestValidationError" in names:
                return None
            exception = "RequestValidationError"
            needed.append(("fastapi.exceptions", "RequestValidationError"))
        raised = _raised(indent, exception, [_errors(facts)])
        answer = (
            "raising RequestValidationError with its errors answers 422 as FastAPI does for "
            "its own parameters (an app-wide handler of it included)"
        )
    handler = ["except ValidationError as exc:", *(f"    {line}" for line in raised.split("\n"))]
    edits: tuple[Edit, ...] = (*ensure_imports(src, needed), wrap_in_try(src, stmt, handler))
    takers = _listed([f"`{r.func.name}`" for r in routes])
    why = (
        f"`{factory.name}` builds the model inside the dependency, after FastAPI has accepted "
        f"its parameters as declared, and the model checks {_listed(checked)}. The "
        "ValidationError it raises there is no RequestValidationError, the only one FastAPI "
        f"answers with 422 (only request parsing raises that): a bad form sent to {takers} "
        f"is a 500. Catching it in `{factory.method.name}` and {answer}."
    )
    title = f"Answer 422 when {factory.name} builds a {factory.model.name} it rejects"
    span = facts.source.span(factory.marker)
    return Suggestion(CODE, "validation", facts.source.path, span, title, why, edits)


def _client_params(func: Function) -> dict[str, Param]:
    """The parameters FastAPI fills from the request, by name (not a dependency's)."""
    return client_params(parameters_with_defaults(func))


def _declared_bounds(param: Param) -> set[str]:
    """The checks the parameter's own ``Form(...)``/``Query(...)`` declares."""
    return {
        k.arg
        for m in markers(param)
        if isinstance(m, ast.Call)
        for k in m.keywords
        if k.arg in _BOUNDS
    }


def _checked_fields(
    facts: ModuleFacts,
    src: Source,
    cls: ast.ClassDef,
    filled: dict[str, Param],
    validators: bool = True,
) -> list[str]:
    """The filled fields the model checks beyond what their parameters declare, each as the
    rationale shows it (``name (min_length=3)``); ``validators`` False: bounds and types
    only."""
    out: list[str] = []
    for field, param in filled.items():
        found = _field(facts, src, cls, field, 0)
        if found is None:
            continue
        where, owner, stmt = found
        checks: list[str] = []
        value = stmt.value
        calls = [value] if isinstance(value, ast.Call) else []
        calls += [m for m in annotated_markers(stmt.annotation) if isinstance(m, ast.Call)]
        declared = _declared_bounds(param)
        for made in calls:
            if dotted(made.func).split(".")[-1] != "Field":
                continue
            checks += [
                f"{k.arg}={where.text_of(k.value)}"
                for k in made.keywords
                if k.arg in _BOUNDS and k.arg not in declared
            ]
        # a ``Literal[...]`` or ``EmailStr`` the parameter is annotated with too is checked
        checks += sorted(_named(stmt.annotation) & _CONSTRAINED - _named(param[0].annotation))
        if validators and validates(owner, field):
            checks.append("a validator")
        if checks:
            out.append(f"{field} ({', '.join(checks)})")
    return out


def _field(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef, field: str, depth: int
) -> tuple[Source, ast.ClassDef, ast.AnnAssign] | None:
    """The field's annotated statement, in the class or the nearest project base."""
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == field
        ):
            return src, cls, stmt
    if depth > 3 or facts.upstream is None:
        return None
    for base in cls.bases:
        parent = facts.upstream.resolve_class(src, base)
        found = _field(facts, *parent, field, depth + 1) if parent is not None else None
        if found is not None:
            return found
    return None


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    stmt: ast.Assign | ast.AnnAssign,
    call: ast.Call,
    checked: list[str],
    filled: dict[str, Param],
    exception: str | None,
) -> Suggestion:
    src = facts.source
    model = dotted(call.func)
    needed: list[tuple[str, str]] = []
    if "ValidationError" not in facts.imports:
        needed.append(("pydantic", "ValidationError"))
    if exception is None:
        exception = "HTTPException"
        needed.append(("fastapi", "HTTPException"))
    indent = len(src.indent_of(stmt.lineno - 1)) + 4
    raised = _raised(indent, exception, ["status_code=422", f"detail={_errors(facts)}"])
    handler = ["except ValidationError as exc:", *(f"    {line}" for line in raised.split("\n"))]
    edits = (*ensure_imports(src, needed), wrap_in_try(src, stmt, handler))
    forms = all(
        any(
            isinstance(m, ast.Call) and dotted(m.func).split(".")[-1] == "Form"
            for m in markers(param)
        )
        for param in filled.values()
    )
    what = "form fields" if forms else "parameters"
    fastapi = facts.package_version("fastapi") if facts.package_version else None
    other = (
        f" FastAPI {fastapi[0]}.{fastapi[1]} can also take the model itself as the form "
        f"(`Annotated[{model}, Form()]`), which it validates with the other parameters."
        if forms and fastapi is not None and fastapi >= _FORM_FROM
        else ""
    )
    why = (
        f"`{src.text_of(call)}` checks {_listed(checked)} of the {what} FastAPI has already "
        f"accepted as declared. The ValidationError {model} raises is no "
        "RequestValidationError, the only one FastAPI answers with 422: the client's bad "
        "value is a 500. Catching it answers 422 with the model's errors." + other
    )
    title = f"Answer 422 when {model} rejects what {route.func.name} was sent"
    return Suggestion(CODE, "validation", src.path, src.span(call), title, why, edits)


def _errors(facts: ModuleFacts) -> str:
    """The model's errors as the app's pydantic gives them, fit for a JSON answer."""
    pydantic = facts.package_version("pydantic") if facts.package_version else None
    if pydantic is not None and pydantic[0] < 2:
        return "exc.errors()"
    return "exc.errors(include_url=False, include_context=False)"


def _raised(indent: int, exception: str, args: list[str]) -> str:
    """``raise exception(args) from exc``, split as ruff would where it does not fit."""
    joined = ", ".join(args)
    raised = f"raise {exception}({joined}) from exc"
    if indent + len(raised) <= LINE_LENGTH:
        return raised
    if indent + 4 + len(joined) <= LINE_LENGTH:
        return f"raise {exception}(\n    {joined}\n) from exc"
    lines = "".join(f"    {a},\n" for a in args)
    return f"raise {exception}(\n{lines}) from exc"


def _named(annotation: ast.expr | None) -> set[str]:
    """The names an annotation is made of (``Optional[EmailStr]``: Optional and EmailStr)."""
    if annotation is None:
        return set()
    return {
        dotted(n).split(".")[-1]
        for n in ast.walk(annotation)
        if isinstance(n, ast.Name | ast.Attribute)
    }


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
