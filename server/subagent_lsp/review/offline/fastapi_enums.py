"""A FastAPI parameter declared as text and turned into a project enum by hand:
``def list_shipments(status: str | None = None)`` then ``ShipmentStatus(status)``. An unknown
value raises ValueError, a 500. Typed as the enum (``status: ShipmentStatus | None = None``)
FastAPI checks it itself and answers 422 with the allowed values; where retyping could change
what the handler does with the value (it is used as text elsewhere, or constrained by a
pattern) the conversion is guarded instead, answering 400 as fastapi_conversions.py does.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .enum_conversions import allowed, enum_conversion
from .fastapi_conversions import from_text_parameter, text_parameters
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .pyedits import ensure_imports, wrap_in_try
from .pysource import Source, dotted, parameters_with_defaults

Function = ast.FunctionDef | ast.AsyncFunctionDef
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)
# ``Query(None, pattern=...)``: constraints of text, which an enum parameter does not take.
_TEXT_ONLY = {"regex", "pattern", "min_length", "max_length"}


def fastapi_enum_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    params = text_parameters(route.func)
    if not params:
        return []
    src = facts.source
    out: list[Suggestion] = []
    done: set[str] = set()
    for node in src.nodes_of(route.func):
        if not (isinstance(node, ast.Call) and len(node.args) == 1):
            continue
        param = from_text_parameter(node.args[0], params, facts.up)
        if param is None or param in done or caught(node, facts.up, {"ValueError"}):
            continue
        found = enum_conversion(facts, node)
        if found is None:
            continue
        what = allowed(found[1])
        suggestion = _typed(facts, route, param, node, what) or _guarded(facts, param, node, what)
        if suggestion is not None:
            done.add(param)
            out.append(suggestion)
    return out


def _typed(
    facts: ModuleFacts, route: Route, param: str, call: ast.Call, what: str
) -> Suggestion | None:
    """The parameter typed as the enum, and its conversions (``ShipmentStatus(status)``, each
    with the same class) read as the parameter itself."""
    src, func = facts.source, route.func
    arg, default = argument(func, param)
    if arg is None or arg.annotation is None:
        return None
    texts = [n for n in ast.walk(arg.annotation) if isinstance(n, ast.Name) and n.id == "str"]
    if len(texts) != 1 or text_constrained(arg.annotation, default):
        return None
    cls = dotted(call.func)
    if not _defined_before(src, func, cls):
        return None
    conversions = _only_converted(func, param, cls)
    if conversions is None:
        return None
    # A text default (``status: str = "open"``) reaches the handler unconverted: the calls
    # stay, to convert it (a member handed to its enum comes back as it is).
    keep = default is not None and any(
        isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(default)
    )
    edits = [Edit(src.path, src.span(texts[0]), src.text_of(call.func))]
    if not keep:
        edits.extend(Edit(src.path, src.span(c), param) for c in conversions)
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(call),
        f"Type `{param}` as {cls}",
        f"`{param}` is declared as text, so FastAPI accepts any string and "
        f"`{src.text_of(call)}` raises ValueError (a 500) on one that is not {what}. "
        f"Declared as `{cls}`, FastAPI checks the value itself and answers 422 naming the "
        "allowed values.",
        tuple(edits),
    )


def _guarded(facts: ModuleFacts, param: str, call: ast.Call, what: str) -> Suggestion | None:
    src = facts.source
    stmt = enclosing_statement(call, facts.up)
    if not isinstance(stmt, _SIMPLE):
        return None
    handler = [
        "except ValueError:",
        f'    raise HTTPException(status_code=400, detail="{param} must be {what}") from None',
    ]
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(call),
        f"Guard the conversion of `{param}`",
        f"`{param}` is declared as text, so FastAPI accepts any string and "
        f"`{src.text_of(call)}` raises ValueError (a 500) on one that is not {what}; catching "
        "it answers 400 with FastAPI's HTTPException.",
        (*ensure_imports(src, [("fastapi", "HTTPException")]), wrap_in_try(src, stmt, handler)),
    )


def argument(func: Function, name: str) -> tuple[ast.arg | None, ast.expr | None]:
    """The parameter and its default (None: it has none)."""
    for arg, default in parameters_with_defaults(func):
        if arg.arg == name:
            return arg, default
    return None, None


def text_constrained(annotation: ast.expr, default: ast.expr | None) -> bool:
    """A parameter's ``Query(max_length=...)`` / ``pattern=``: constraints of text."""
    nodes = [*ast.walk(annotation), *(ast.walk(default) if default is not None else [])]
    return any(
        isinstance(n, ast.Call) and any(k.arg in _TEXT_ONLY for k in n.keywords) for n in nodes
    )


def _defined_before(src: Source, func: Function, cls: str) -> bool:
    """The annotation can name the class where the function is defined: not a class of the
    module defined further down (read when ``def`` runs, without postponed annotations)."""
    root = cls.split(".", 1)[0]
    for module in src.modules:
        for node in module.body:
            if isinstance(node, ast.ClassDef) and node.name == root and node.lineno > func.lineno:
                return False
    return True


def _only_converted(func: Function, param: str, cls: str) -> list[ast.Call] | None:
    """The conversions of ``param`` when it is otherwise only tested (``if status``, ``status
    is None``): read anywhere else, as text, an enum in its place could behave otherwise."""
    tests: set[int] = set()
    conversions: dict[int, ast.Call] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            tests.add(id(node.test))
        elif isinstance(node, ast.BoolOp) and id(node) in tests:  # ``x = status or "all"``: no
            tests.update(id(v) for v in node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            tests.add(id(node.operand))
        elif isinstance(node, ast.Compare) and all(
            isinstance(op, ast.Is | ast.IsNot) for op in node.ops
        ):
            tests.add(id(node.left))
        elif (
            isinstance(node, ast.Call)
            and len(node.args) == 1
            and not node.keywords
            and dotted(node.func) == cls
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == param
        ):
            conversions[id(node.args[0])] = node
    for node in ast.walk(func):
        if not (isinstance(node, ast.Name) and node.id == param):
            continue
        if not isinstance(node.ctx, ast.Load):
            return None  # rebound: the conversion may read something else
        if id(node) not in tests and id(node) not in conversions:
            return None
    return list(conversions.values())
