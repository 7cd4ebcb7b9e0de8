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
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .positive_inputs import validates
from .pyedits import LINE_LENGTH, ensure_imports, wrap_in_try
from .pysource import Source, dotted
from .raw_json_models import app_answers, project_model

CODE = "BKD210"
Function = ast.FunctionDef | ast.AsyncFunctionDef
_ERRORS = frozenset({"ValidationError", "ValueError"})
_NOT_CLIENT = ("Depends", "Security")
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


def form_model_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.upstream is None or app_answers(facts, _ERRORS):
        return []
    bound = facts.imports.get("ValidationError")
    if bound is not None and bound not in (
        "pydantic.ValidationError",
        "pydantic_core.ValidationError",
    ):
        return []  # the module's ValidationError is another library's
    exception = _bound_as(facts, "fastapi.HTTPException")
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


# A parameter and its default (``Form(...)``), as the route declares them.
Param = tuple[ast.arg, ast.expr | None]


def _client_params(func: Function) -> dict[str, Param]:
    """The parameters FastAPI fills from the request, by name (not a dependency's)."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [
        *zip(positional, [*defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    out: dict[str, Param] = {}
    for arg, default in pairs:
        markers = [default, *_annotated_markers(arg.annotation)]
        if any(
            isinstance(m, ast.Call) and dotted(m.func).split(".")[-1] in _NOT_CLIENT
            for m in markers
        ):
            continue
        out[arg.arg] = (arg, default)
    return out


def _annotated_markers(annotation: ast.expr | None) -> list[ast.expr]:
    """The metadata of ``Annotated[str, Form(min_length=3)]``."""
    if (
        isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).split(".")[-1] == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return list(annotation.slice.elts[1:])
    return []


def _markers(param: Param) -> list[ast.expr | None]:
    """The parameter's default and its ``Annotated`` metadata: where ``Form(...)`` is."""
    return [param[1], *_annotated_markers(param[0].annotation)]


def _declared_bounds(param: Param) -> set[str]:
    """The checks the parameter's own ``Form(...)``/``Query(...)`` declares."""
    markers = _markers(param)
    return {
        k.arg for m in markers if isinstance(m, ast.Call) for k in m.keywords if k.arg in _BOUNDS
    }


def _checked_fields(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef, filled: dict[str, Param]
) -> list[str]:
    """The filled fields the model checks beyond what their parameters declare, each as the
    rationale shows it (``name (min_length=3)``)."""
    out: list[str] = []
    for field, param in filled.items():
        found = _field(facts, src, cls, field, 0)
        if found is None:
            continue
        where, owner, stmt = found
        checks: list[str] = []
        value = stmt.value
        calls = [value] if isinstance(value, ast.Call) else []
        calls += [m for m in _annotated_markers(stmt.annotation) if isinstance(m, ast.Call)]
        declared = _declared_bounds(param)
        for made in calls:
            if dotted(made.func).split(".")[-1] != "Field":
                continue
            checks += [
                f"{k.arg}={where.text_of(k.value)}"
                for k in made.keywords
                if k.arg in _BOUNDS and k.arg not in declared
            ]
        named = {
            dotted(n).split(".")[-1]
            for n in ast.walk(stmt.annotation)
            if isinstance(n, ast.Name | ast.Attribute)
        }
        checks += sorted(named & _CONSTRAINED)
        if validates(owner, field):
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
    pydantic = facts.package_version("pydantic") if facts.package_version else None
    errors = (
        "exc.errors()"
        if pydantic is not None and pydantic[0] < 2
        else "exc.errors(include_url=False, include_context=False)"
    )
    indent = len(src.indent_of(stmt.lineno - 1)) + 4
    raised = f"raise {exception}(status_code=422, detail={errors}) from exc"
    if indent + len(raised) > LINE_LENGTH:
        raised = f"raise {exception}(\n    status_code=422, detail={errors}\n) from exc"
        if indent + 4 + len(f"status_code=422, detail={errors}") > LINE_LENGTH:
            raised = f"raise {exception}(\n    status_code=422,\n    detail={errors},\n) from exc"
    handler = ["except ValidationError as exc:", *(f"    {line}" for line in raised.split("\n"))]
    edits = (*ensure_imports(src, needed), wrap_in_try(src, stmt, handler))
    forms = all(
        any(
            isinstance(m, ast.Call) and dotted(m.func).split(".")[-1] == "Form"
            for m in _markers(param)
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


def _bound_as(facts: ModuleFacts, target: str) -> str | None:
    return next((k for k, v in facts.imports.items() if v == target), None)


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
