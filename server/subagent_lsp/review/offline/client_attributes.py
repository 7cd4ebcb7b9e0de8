"""BKD209: an attribute the client names, read off a model: ``getattr(Sample, sort)`` where
``sort: str`` is a FastAPI query parameter. An unknown name is an AttributeError (a 500), and
any attribute the class has is reachable (``?sort=metadata``, ``?sort=__table__``).

The fix is FastAPI's own allow-list: ``sort: Literal[...]`` of the model's columns, which
answers 422 to anything else (the reviewer trims it to the columns meant to be offered). A
``getattr`` that picks an ``order_by``'s column is BKD212's (sort_keys.py), which knows it
is a sort key.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .client_text import allow_listed
from .frameworks import ModuleFacts, Route, caught
from .pyedits import ensure_imports, replace_node
from .pysource import dotted, every_node
from .sort_keys import literal_allowed, offered_attributes, sort_key_getattrs


def client_attribute_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.schema is None or not literal_allowed(facts):
        return []
    params = _str_params(route.func)
    if not params:
        return []
    sort_keys = sort_key_getattrs(facts, route.func)
    out: list[Suggestion] = []
    for node in every_node(route.func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) == 2  # a default answers an unknown name itself
            and isinstance(node.args[1], ast.Name)
            and node.args[1].id in params
            and id(node) not in sort_keys
        ):
            continue
        model = dotted(node.args[0])
        table = facts.schema.table_for_model(model)
        name = node.args[1].id
        if table is None or caught(node, facts.up, {"AttributeError"}):
            continue
        if allow_listed(route.func, {name}):
            continue
        param, default = params[name]
        columns = offered_attributes(table)
        if not columns:
            continue
        if isinstance(default, ast.Constant) and default.value not in columns:
            continue  # the default is no column: the attribute is something else
        assert param.annotation is not None
        src = facts.source
        allowed = ", ".join(f'"{c}"' for c in columns)
        out.append(
            Suggestion(
                "BKD209",
                "validation",
                src.path,
                src.span(node),
                f"Allow only {model}'s columns for `{name}`",
                f"`{src.text_of(node)}` reads whatever attribute the client names: an unknown "
                f"`{name}` raises AttributeError (a 500), and any attribute of the class is "
                f"reachable. `{name}: Literal[...]` of the columns meant to be offered makes "
                "FastAPI answer 422 to anything else.",
                (
                    *ensure_imports(src, [("typing", "Literal")]),
                    replace_node(src, param.annotation, f"Literal[{allowed}]"),
                ),
            )
        )
    return out


def _str_params(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
) -> dict[str, tuple[ast.arg, ast.expr | None]]:
    """The route's ``name: str`` parameters (with their defaults): query or path strings."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr | None] = dict(
        zip([a.arg for a in positional][::-1], args.defaults[::-1], strict=False)
    )
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False)})
    return {
        a.arg: (a, defaults.get(a.arg))
        for a in [*positional, *args.kwonlyargs]
        if isinstance(a.annotation, ast.Name) and a.annotation.id == "str"
    }
