"""FastAPI parameters declared as text and converted by hand: ``vendor_id: str | None =
Query(None)`` then ``[int(x) for x in vendor_id.split(",")]``. FastAPI validated a string, so
``?vendor_id=abc`` reaches ``int()`` and its ValueError is a 500 (held-out round 7, three
handlers of one app). The fix answers 400 through FastAPI's own ``HTTPException``.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .pyedits import ensure_imports, wrap_in_try
from .pysource import dotted

_CONVERSIONS = ("int", "float")
_DATE_PARSERS = ("fromisoformat", "strptime")
# A statement the fix can wrap in a try (not a def, a loop or a with block).
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)


def fastapi_conversions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    text_params = _text_parameters(route.func)
    if not text_params:
        return []
    out: list[Suggestion] = []
    done: set[int] = set()
    src = facts.source
    for node in src.nodes_of(route.func):
        what = _conversion(node)
        if what is None or not isinstance(node, ast.Call):
            continue
        param = _from_text_parameter(node.args[0], text_params, facts.up)
        if param is None or caught(node, facts.up, {"ValueError", "TypeError"}):
            continue
        stmt = enclosing_statement(node, facts.up)
        if not isinstance(stmt, _SIMPLE) or id(stmt) in done:
            continue
        done.add(id(stmt))
        many = "a list of numbers" if what == "a number" else "a list of dates"
        detail = f"{param} must be {many if _split(node.args[0], facts.up) else what}"
        handler = [
            "except ValueError:",
            f'    raise HTTPException(status_code=400, detail="{detail}") from None',
        ]
        edits = [
            *ensure_imports(src, [("fastapi", "HTTPException")]),
            wrap_in_try(src, stmt, handler),
        ]
        out.append(
            Suggestion(
                "BKD202",
                "validation",
                src.path,
                src.span(node),
                f"Guard the conversion of `{param}`",
                f"`{param}` is declared as text, so FastAPI accepts any string and "
                f"`{dotted(node.func)}()` raises ValueError (a 500) on one that is not {what}; "
                "catching it answers 400 with FastAPI's HTTPException.",
                tuple(edits),
            )
        )
    return out


def _conversion(node: ast.AST) -> str | None:
    """What a call turns text into, when a malformed text makes it raise ValueError:
    ``int(x)``, ``float(x)``, ``datetime.fromisoformat(x)``, ``datetime.strptime(x, fmt)``."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    if isinstance(node.func, ast.Name) and node.func.id in _CONVERSIONS and len(node.args) == 1:
        return "a number"
    if isinstance(node.func, ast.Attribute) and node.func.attr in _DATE_PARSERS:
        return "a date"
    return None


def dependencies(facts: ModuleFacts) -> list[Route]:
    """The module's functions FastAPI calls through ``Depends(parse_start_date)``: their
    parameters are query parameters too, and an error they raise is the request's."""
    names = {
        node.args[0].id
        for module in facts.source.modules
        for node in ast.walk(module)
        if isinstance(node, ast.Call)
        and dotted(node.func).split(".")[-1] == "Depends"
        and node.args
        and isinstance(node.args[0], ast.Name)
    }
    routed = {id(r.func) for r in facts.routes}
    return [
        Route(node, "fastapi")
        for module in facts.source.modules
        for node in module.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name in names
        and id(node) not in routed
    ]


def _text_parameters(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters annotated ``str``, ``str | None``, ``Optional[str]``, ``Annotated[str, ...]``."""
    out = set()
    for arg in [*func.args.args, *func.args.kwonlyargs]:
        if arg.annotation is not None and _is_text(arg.annotation):
            out.add(arg.arg)
    return out


def _is_text(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "str"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        return any(_is_text(s) for s in sides) and all(
            _is_text(s) or (isinstance(s, ast.Constant) and s.value is None) for s in sides
        )
    if isinstance(node, ast.Subscript):
        outer = dotted(node.value).split(".")[-1]
        inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        return outer in ("Optional", "Annotated") and _is_text(inner)
    return False


def _from_text_parameter(
    value: ast.expr, params: set[str], up: dict[ast.AST, ast.AST]
) -> str | None:
    """The parameter ``value`` is (``int(limit)``) or an item of (``int(x) for x in
    ids.split(",")``)."""
    if isinstance(value, ast.Name) and value.id in params:
        return value.id
    split = _split(value, up)
    return split if split in params else None


def _split(value: ast.expr, up: dict[ast.AST, ast.AST]) -> str | None:
    """``x`` bound by a comprehension over ``param.split(...)``: the parameter's name."""
    if not isinstance(value, ast.Name):
        return None
    current = up.get(value)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for gen in current.generators:
                if (
                    isinstance(gen.target, ast.Name)
                    and gen.target.id == value.id
                    and isinstance(gen.iter, ast.Call)
                    and isinstance(gen.iter.func, ast.Attribute)
                    and gen.iter.func.attr == "split"
                    and isinstance(gen.iter.func.value, ast.Name)
                ):
                    return gen.iter.func.value.id
        current = up.get(current)
    return None


# Shared with the other readers of raw text (filter_methods.py).
conversion = _conversion
from_text_parameter = _from_text_parameter
split_parameter = _split
