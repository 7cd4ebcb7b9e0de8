"""``await request.json()`` outside a route, in a FastAPI module: a ``Depends`` dependency, a
dependency class's ``__call__`` (a rate limiter), or a helper given the ``Request``. FastAPI
runs them before the body is validated, so a body that is not JSON raises JSONDecodeError
there, a 500 (held-out round 9: the rate-limit dependencies of every task POST). The fix is
BKD305's: catch the ValueError and answer 400 with FastAPI's ``HTTPException``. A route's own
``await request.json()`` is BKD204's (a model validates the body).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, caught, enclosing_statement
from .pyedits import ensure_imports, wrap_in_try
from .pysource import dotted

_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)


def dependency_json_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "fastapi" not in facts.frameworks:
        return []
    src = facts.source
    out: list[Suggestion] = []
    done: set[int] = set()
    for node in src.walk():
        if not isinstance(node, ast.AsyncFunctionDef) or facts.is_route(node):
            continue
        requests = _request_params(node)
        if not requests:
            continue
        for call in src.nodes_of(node):
            if not (
                isinstance(call, ast.Await)
                and isinstance(call.value, ast.Call)
                and isinstance(call.value.func, ast.Attribute)
                and call.value.func.attr == "json"
                and dotted(call.value.func.value) in requests
                and not call.value.args
            ):
                continue
            if src.function_of(call) is not node:
                continue
            if caught(call, facts.up, {"ValueError", "JSONDecodeError"}):
                continue
            stmt = enclosing_statement(call, facts.up)
            if not isinstance(stmt, _SIMPLE) or id(stmt) in done:
                continue
            done.add(id(stmt))
            handler = [
                "except ValueError:  # a body that is not JSON",
                '    raise HTTPException(status_code=400, detail="invalid JSON body") from None',
            ]
            edits = [
                *ensure_imports(src, [("fastapi", "HTTPException")]),
                wrap_in_try(src, stmt, handler),
            ]
            out.append(
                Suggestion(
                    "BKD305",
                    "error-handling",
                    src.path,
                    src.span(call),
                    f"Answer 400 on a malformed JSON body in {node.name}",
                    f"`{src.text_of(call)}` in `{node.name}` runs before FastAPI validates the "
                    "body (a dependency, or a helper of the request): a body that is not JSON "
                    "raises JSONDecodeError, a 500 for the client's mistake. Catching it "
                    "answers 400.",
                    tuple(edits),
                )
            )
    return out


def _request_params(func: ast.AsyncFunctionDef) -> set[str]:
    """Parameters annotated ``Request`` (FastAPI's or Starlette's)."""
    return {
        a.arg
        for a in [*func.args.args, *func.args.kwonlyargs]
        if a.annotation is not None and dotted(a.annotation).split(".")[-1] == "Request"
    }
