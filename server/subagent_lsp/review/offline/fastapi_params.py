"""Which parameters of a FastAPI route the JSON body fills: shared by the rules that read
the body model (validation's BKD201/BKD203, null_updates' BKD217)."""

from __future__ import annotations

import ast

from .pysource import dotted

NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie", "Form", "File"})


def body_params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    """The parameters that can be the JSON body, keyword-only ones too (``*, messages: dict``
    after ``*`` was missed on a real app): not those a dependency or a query fills."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [
        *zip(positional, [*defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    return [
        a
        for a, default in pairs
        if not (isinstance(default, ast.Call) and dotted(default.func).split(".")[-1] in NOT_BODY)
    ]
