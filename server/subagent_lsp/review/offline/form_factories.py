"""The ``as_form`` classmethod a FastAPI route takes its model through: ``data: VisaCreate =
Depends(VisaCreate.as_form)``, the method declaring each field as a ``Form(...)`` parameter and
returning ``cls(field=field, ...)``.

FastAPI fills the method's parameters from the request and validates them as declared; the
model is built afterwards, by the app, inside the dependency. So what the model checks beyond
the parameters (a ``Field`` bound, a validator) raises pydantic's ValidationError where FastAPI
answers only its own RequestValidationError (BKD210), a bound belongs on the ``Form(...)``
parameter to be answered with 422 (BKD211), and every field is passed explicitly, so every
field counts as set (BKD216). This module finds the method and what it builds; the rules
read it. Only a method of a project model (or of its project base) named as
``Depends(Model.method)``: a ``@classmethod`` building ``cls(...)``, or a ``@staticmethod``
building the class that defines it by name (``return DemoStudentCreate(...)``); a plain
function dependency is another shape.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .frameworks import ModuleFacts
from .pysource import Source, dotted, method_of, parameters_with_defaults
from .raw_json_models import project_model

Function = ast.FunctionDef | ast.AsyncFunctionDef
# A parameter and its default (``Form(...)``), as the function declares them.
Param = tuple[ast.arg, ast.expr | None]
_NOT_CLIENT = ("Depends", "Security")
_MAX_BASES = 3


@dataclass(frozen=True)
class FormFactory:
    """``Depends(Model.method)``: the marker in the route, the model the method builds (the
    one the route names for ``cls``, the defining class for a staticmethod) and its module,
    the method and the module and class that define it (a base's, maybe), the method's
    request parameters by name and each ``cls(...)`` it builds."""

    marker: ast.Call
    model_source: Source
    model: ast.ClassDef
    source: Source
    owner: ast.ClassDef
    method: Function
    params: dict[str, Param]
    builds: tuple[ast.Call, ...]

    @property
    def name(self) -> str:
        """``VisaCreate.as_form``, as the route names it."""
        return dotted(self.marker.args[0])

    def filled(self, call: ast.Call) -> dict[str, Param]:
        """The keywords of ``cls(...)`` given a request parameter as it is, by field."""
        return {
            k.arg: self.params[k.value.id]
            for k in call.keywords
            if k.arg and isinstance(k.value, ast.Name) and k.value.id in self.params
        }


def form_factory(facts: ModuleFacts, arg: ast.arg, default: ast.expr | None) -> FormFactory | None:
    """The classmethod ``arg`` is built by (``= Depends(Model.as_form)`` or ``Annotated[Model,
    Depends(Model.as_form)]``), None for any other parameter."""
    marker = _depends(arg, default)
    if marker is None or facts.upstream is None:
        return None
    target = marker.args[0]
    if not isinstance(target, ast.Attribute) or not isinstance(
        target.value, ast.Name | ast.Attribute
    ):
        return None
    found = project_model(facts, facts.source, target.value)
    if found is None:
        return None
    defined = _method(facts, *found, target.attr, 0)
    if defined is None:
        return None
    source, owner, method = defined
    decorators = {dotted(d) for d in method.decorator_list}
    pairs = parameters_with_defaults(method)
    if method.args.posonlyargs:
        return None
    if "classmethod" in decorators and pairs:
        built, pairs = pairs[0][0].arg, pairs[1:]  # ``cls``
    elif "staticmethod" in decorators:
        built = owner.name  # ``return DemoStudentCreate(...)`` of its own class
    else:
        return None
    builds = tuple(
        n
        for n in source.nodes_of(method)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == built
    )
    if not builds:
        return None
    params = client_params(pairs)
    model = found if "classmethod" in decorators else (source, owner)
    return FormFactory(marker, *model, source, owner, method, params, builds)


def client_params(pairs: list[Param]) -> dict[str, Param]:
    """The parameters FastAPI fills from the request, by name (not a dependency's)."""
    out: dict[str, Param] = {}
    for arg, default in pairs:
        markers = [default, *annotated_markers(arg.annotation)]
        if any(
            isinstance(m, ast.Call) and dotted(m.func).split(".")[-1] in _NOT_CLIENT
            for m in markers
        ):
            continue
        out[arg.arg] = (arg, default)
    return out


def annotated_markers(annotation: ast.expr | None) -> list[ast.expr]:
    """The metadata of ``Annotated[str, Form(min_length=3)]``."""
    if (
        isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).split(".")[-1] == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
    ):
        return list(annotation.slice.elts[1:])
    return []


def markers(param: Param) -> list[ast.expr | None]:
    """The parameter's default and its ``Annotated`` metadata: where ``Form(...)`` is."""
    return [param[1], *annotated_markers(param[0].annotation)]


def marker_named(param: Param, names: tuple[str, ...]) -> ast.Call | None:
    """The parameter's ``Form(...)`` (one of ``names``), as its default or its metadata."""
    return next(
        (
            m
            for m in markers(param)
            if isinstance(m, ast.Call) and dotted(m.func).split(".")[-1] in names
        ),
        None,
    )


def _depends(arg: ast.arg, default: ast.expr | None) -> ast.Call | None:
    """``Depends(Model.method)`` as the default or the ``Annotated`` metadata."""
    for marker in [default, *annotated_markers(arg.annotation)]:
        if (
            isinstance(marker, ast.Call)
            and dotted(marker.func).split(".")[-1] == "Depends"
            and len(marker.args) == 1
            and not marker.keywords
        ):
            return marker
    return None


def _method(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef, name: str, depth: int
) -> tuple[Source, ast.ClassDef, Function] | None:
    """The method the class or its nearest project base defines."""
    own = method_of(cls, name)
    if own is not None:
        return src, cls, own
    if depth >= _MAX_BASES or facts.upstream is None:
        return None
    for base in cls.bases:
        parent = facts.upstream.resolve_class(src, base)
        found = _method(facts, *parent, name, depth + 1) if parent is not None else None
        if found is not None:
            return found
    return None
