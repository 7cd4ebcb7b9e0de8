"""Project functions that run the SQL they are handed: ``db_exec(query, params)`` whose body
is ``await cursor().execute(query, params)``. A call of one is a query like the driver call
it wraps; the call-following (upstream_calls) finds the function, its body says which of its
parameters reaches the driver."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .built_queries import Callee
from .pysource import Source

# What a DB-API cursor, asyncpg, aiopg, aiosqlite and ``databases`` run SQL with
RUNS = frozenset(
    {
        "execute",
        "executemany",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetch_all",
        "fetch_one",
        "fetch_val",
        "read_sql",
        "read_sql_query",
    }
)
# Which positional argument of a call the project function runs as SQL, if any.
RunsSql = Callable[[Source, ast.Call], int | None]


def helper_runs_sql(callee: Callee) -> RunsSql:
    memo: dict[int, int | None] = {}

    def position(source: Source, call: ast.Call) -> int | None:
        found = callee(source, call)
        if found is None:
            return None
        func = found[1]
        if id(func) not in memo:
            memo[id(func)] = _executed_parameter(func, isinstance(call.func, ast.Attribute))
        return memo[id(func)]

    return position


def _executed_parameter(func: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> int | None:
    params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)]
    if method and params[:1] in (["self"], ["cls"]):
        params = params[1:]
    reassigned = {
        n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    for node in ast.walk(func):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in RUNS
            and node.args
            and isinstance(node.args[0], ast.Name)
        ):
            continue
        name = node.args[0].id
        # a parameter rebuilt inside (``query = query.format(...)``) is no longer what was passed
        if name in params and name not in reassigned:
            return params.index(name)
    return None
