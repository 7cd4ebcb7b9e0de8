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
from .pysource import dotted, every_node

_CONVERSIONS = ("int", "float")
_DATE_PARSERS = ("fromisoformat", "strptime")
# A statement the fix can wrap in a try (not a def, a loop or a with block).
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)


def fastapi_conversions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    text_params = _text_parameters(route.func)
    if not text_params and not _text_collections(route.func) and not _model_params(route.func):
        return []
    out: list[Suggestion] = []
    done: set[int] = set()
    src = facts.source
    for node in src.nodes_of(route.func):
        what = _conversion(node)
        if what is None or not isinstance(node, ast.Call):
            continue
        collections = _text_collections(route.func)
        param = _from_text_parameter(node.args[0], text_params, facts.up) or _from_text_items(
            route.func, node.args[0], text_params, collections
        )
        if param is None:
            param = _text_field(facts, route.func, node.args[0])
        if param is None or caught(node, facts.up, {"ValueError", "TypeError"}):
            continue
        stmt = enclosing_statement(node, facts.up)
        if not isinstance(stmt, _SIMPLE) or id(stmt) in done:
            continue
        done.add(id(stmt))
        many = "a list of numbers" if what == "a number" else "a list of dates"
        detail = f"{param} must be {many if _split(node.args[0], facts.up) else what}"
        declared = "declared as text"
        if param in collections:  # ``for key in body: int(key.rsplit("_", 1)[1])``
            detail, declared = f"malformed item in {param}", "declared as a collection of text"
        elif "." in param:  # a model's text field: the client knows it by its own name
            detail = f"{param.split('.')[-1]} must be {what}"
        elif isinstance(node.args[0], ast.Subscript):  # a piece of it: ``int(parts[1])``
            detail = f"malformed {param}"
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
                f"`{param}` is {declared}, so FastAPI accepts any string and "
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
        for node in facts.source.of(ast.Call)
        if dotted(node.func).split(".")[-1] == "Depends"
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


def _text_collections(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters annotated ``list[str]``, ``set[str]``, ``dict[str, str]`` (a JSON body of
    strings): FastAPI checked each item is a string, not what the string holds."""
    out = set()
    for arg in [*func.args.args, *func.args.kwonlyargs]:
        note = arg.annotation
        if not isinstance(note, ast.Subscript):
            continue
        outer = dotted(note.value).split(".")[-1].lower()
        items = note.slice.elts if isinstance(note.slice, ast.Tuple) else [note.slice]
        if outer in ("list", "set", "dict", "sequence") and all(_is_text(i) for i in items):
            out.add(arg.arg)
    return out


def _from_text_items(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    value: ast.expr,
    params: set[str],
    collections: set[str],
) -> str | None:
    """A piece of request text the route takes apart itself: ``int(parts[1])`` after
    ``parts = key.rsplit("_", 1)``, where ``key`` is a text parameter or an item of a
    ``list[str]`` / ``dict[str, str]`` body (``for key in body``). Each name is bound once."""
    if isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
        bound = _bound_once(func, value.value.id)
        if (
            isinstance(bound, ast.Call)
            and isinstance(bound.func, ast.Attribute)
            and bound.func.attr in ("split", "rsplit", "partition", "rpartition")
        ):
            value = bound.func.value
    if not isinstance(value, ast.Name):
        return None
    if value.id in params:
        return value.id
    loops = [
        n
        for n in every_node(func)
        if isinstance(n, ast.For | ast.AsyncFor)
        and isinstance(n.target, ast.Name)
        and n.target.id == value.id
    ]
    if len(loops) != 1 or _bound_once(func, value.id) is not None:
        return None
    over = loops[0].iter
    if (
        isinstance(over, ast.Call)
        and isinstance(over.func, ast.Attribute)
        and not over.args
        and over.func.attr in ("keys", "values")
    ):
        over = over.func.value
    return over.id if isinstance(over, ast.Name) and over.id in collections else None


def _model_params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [
        a.arg
        for a in (*func.args.args, *func.args.kwonlyargs)
        if isinstance(a.annotation, ast.Name) and a.annotation.id[:1].isupper()
    ]


def _text_field(
    facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef, value: ast.expr
) -> str | None:
    """``body.start`` (or a local bound once to it) where ``body``'s model declares
    ``start: str``: pydantic checked a string, not the date or number the route parses it as.
    A field typed ``int`` or ``date`` is validated and is not this."""
    if isinstance(value, ast.Name):
        bound = _bound_once(func, value.id)
        value = bound if isinstance(bound, ast.Attribute) else value
    if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name)):
        return None
    if value.value.id not in _model_params(func):
        return None
    found = (
        facts.upstream.receiver_class(facts.source, value, value.value) if facts.upstream else None
    )
    if found is None:
        return None
    for stmt in found[1].body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == value.attr
        ):
            return f"{value.value.id}.{value.attr}" if _is_text(stmt.annotation) else None
    return None


def _bound_once(func: ast.AST, name: str) -> ast.expr | None:
    # Asked of one route for each value it converts: its ``name = value`` assignments are
    # read once, by name, and kept on it (a fact of its text, as ``dotted`` is).
    bound: dict[str, list[ast.expr]] | None = func.__dict__.get("_assigned_by_name")
    if bound is None:
        bound = {}
        for n in every_node(func):
            if (
                isinstance(n, ast.Assign)
                and len(n.targets) == 1
                and isinstance(n.targets[0], ast.Name)
            ):
                bound.setdefault(n.targets[0].id, []).append(n.value)
        func.__dict__["_assigned_by_name"] = bound
    values = bound.get(name, [])
    return values[0] if len(values) == 1 else None


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


def stamps(stmt: ast.AST) -> bool:
    """``datetime.fromtimestamp(float(x))`` in the statement: ``?t=inf`` or ``1e20`` converts
    but is out of the platform's range, an OverflowError that a ValueError handler misses."""
    return any(
        isinstance(n, ast.Call) and dotted(n.func).endswith("fromtimestamp") for n in ast.walk(stmt)
    )


# Shared with the other readers of raw text (filter_methods.py).
conversion = _conversion
from_text_parameter = _from_text_parameter
text_parameters = _text_parameters
is_text = _is_text
split_parameter = _split
