"""BKD315, the driver's class: a route catches ``sqlite3.IntegrityError`` (``psycopg2``'s,
``pymysql.err``'s) around a SQLAlchemy session's commit. SQLAlchemy wraps what the driver
raises in its own ``sqlalchemy.exc.IntegrityError`` (the driver's is only its ``.orig``), so
the handler never runs: the duplicate it was written for is a 500 after all (a real app's
"like" endpoint, ``from sqlite3 import IntegrityError`` around its CRUD helper's commit).

The commit is in the ``try`` itself or in a project function it calls (two calls deep), in a
module that uses SQLAlchemy (or SQLModel, Flask-SQLAlchemy): a driver's own connection
(``sqlite3.connect``) raises the driver's class. Silent where a handler of the same ``try``, or
one around it, catches SQLAlchemy's class (or broader). The fix names SQLAlchemy's class; where
the driver's name was imported for these handlers alone, the import is swapped, and the
session is rolled back in a handler that does not yet.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pyedits import ensure_imports, insert_before_line, replace_statement
from .pysource import Source, dotted, imported_names
from .try_blocks import handlers_around, own_tries
from .upstream_calls import UpstreamCalls

CODE = "BKD315"
# What a DB-API driver raises for a broken unique or primary key, as the driver names it.
DRIVER_ERRORS = frozenset(
    {
        "sqlite3.IntegrityError",
        "psycopg2.IntegrityError",
        "psycopg2.errors.IntegrityError",
        "psycopg2.errors.UniqueViolation",
        "psycopg.IntegrityError",
        "psycopg.errors.IntegrityError",
        "psycopg.errors.UniqueViolation",
        "pymysql.IntegrityError",
        "pymysql.err.IntegrityError",
        "MySQLdb.IntegrityError",
        "MySQLdb._exceptions.IntegrityError",
        "asyncpg.UniqueViolationError",
        "asyncpg.exceptions.UniqueViolationError",
    }
)
# What does catch SQLAlchemy's wrapper: then the driver's handler is only dead code.
_WRAPPER_CATCHES = {
    "IntegrityError",
    "SQLAlchemyError",
    "DBAPIError",
    "DatabaseError",
    "Exception",
    "BaseException",
}
_ORMS = ("sqlalchemy", "sqlmodel", "flask_sqlalchemy")
_MAX_DEPTH = 2


def driver_catch_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.upstream is None:
        return []
    src, imports = facts.source, imported_names(facts.source)
    drivers = {name.split(".")[0] for name in DRIVER_ERRORS}
    if not any(target.split(".")[0] in drivers for target in imports.values()):
        return []
    flagged: list[tuple[ast.Try, ast.ExceptHandler, ast.expr, str | None]] = []
    # Not routes alone: a gateway's classmethod between the route and the repository that
    # commits has the same dead handler (a real app's ``CartGateway.create_cart``).
    funcs = [n for n in src.walk() if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for func in funcs:
        for block in own_tries(src, func):
            if handlers_around(block, facts.up) & _WRAPPER_CATCHES:
                continue
            driver = _driver_handler(block, imports)
            if driver is None:
                continue
            session = _committed(facts.upstream, src, block.body, 0)
            if session is not None:
                flagged.append((block, *driver, session or None))
    out: list[Suggestion] = []
    for _block, handler, written, session in flagged:
        out.append(_suggestion(facts, handler, written, session, [f[2] for f in flagged]))
    return out


def _driver_handler(
    block: ast.Try, imports: dict[str, str]
) -> tuple[ast.ExceptHandler, ast.expr] | None:
    """The handler naming a driver's class (and the name as written), where no handler of the
    same ``try`` catches SQLAlchemy's."""
    found: tuple[ast.ExceptHandler, ast.expr] | None = None
    for handler in block.handlers:
        if handler.type is None:
            return None
        types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for t in types:
            if _qualified(t, imports) in DRIVER_ERRORS:
                found = found or (handler, t)
            elif dotted(t).rsplit(".", 1)[-1] in _WRAPPER_CATCHES:
                return None
    return found


def _qualified(node: ast.expr, imports: dict[str, str]) -> str:
    root, _, rest = dotted(node).partition(".")
    bound = imports.get(root, root)
    return f"{bound}.{rest}" if rest else bound


def _committed(
    upstream: UpstreamCalls, src: Source, body: list[ast.stmt], depth: int
) -> str | None:
    """The session the statements commit, as they write it ("" where a callee commits one it
    does not take from here), or None: no SQLAlchemy commit."""
    orm = any(v.split(".")[0] in _ORMS for v in imported_names(src).values())
    calls = [n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)]
    for call in calls:
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("commit", "flush"):
            receiver = dotted(call.func.value)
            if orm and receiver and ("session" in receiver.lower() or receiver == "db"):
                return receiver
    if depth >= _MAX_DEPTH:
        return None
    for call in calls:
        target = upstream.callee(src, call)
        if target is None:
            continue
        inner, func = target
        found = _committed(upstream, inner, func.body, depth + 1)
        if found is None:
            continue
        return _passed(func, call, found)
    return None


def _passed(func: ast.FunctionDef | ast.AsyncFunctionDef, call: ast.Call, inner: str) -> str:
    """The caller's argument for the parameter the callee commits on ("" if none is)."""
    root, _, rest = inner.partition(".")
    positional = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    given = dict(zip(positional, call.args, strict=False))
    given.update({k.arg: k.value for k in call.keywords if k.arg})
    arg = given.get(root)
    written = dotted(arg) if arg is not None else ""
    return f"{written}.{rest}" if written and rest else written


def _suggestion(
    facts: ModuleFacts,
    handler: ast.ExceptHandler,
    written: ast.expr,
    session: str | None,
    flagged: list[ast.expr],
) -> Suggestion:
    src = facts.source
    imports = imported_names(src)
    driver = _qualified(written, imports)
    edits = _swap_import(src, written, flagged) if isinstance(written, ast.Name) else None
    if edits is None:
        name, needed, modules = _sqlalchemy_name(imports)
        edits = [
            *ensure_imports(src, needed, modules),
            Edit(src.path, src.span(written), name),
        ]
    rolls_back = any(
        isinstance(n, ast.Attribute) and n.attr == "rollback" for n in ast.walk(handler)
    )
    if session and not rolls_back:
        first = handler.body[0]
        indent = src.indent_of(first.lineno - 1)
        rollback = f"{indent}{session}.rollback()"
        if len(handler.body) == 1 and isinstance(first, ast.Pass):
            edits.append(replace_statement(src, first, rollback))  # the rollback is a body
        else:
            edits.append(insert_before_line(src, first.lineno - 1, rollback))
    why = (
        f"`except {src.text_of(written)}` waits for {driver}, which a SQLAlchemy session never "
        "raises: SQLAlchemy wraps the driver's error in its own sqlalchemy.exc.IntegrityError "
        "(the driver's is its `.orig`), so this handler never runs and the duplicate it was "
        "written for is a 500. Catching SQLAlchemy's class (and rolling the session back) "
        "answers it."
    )
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(written),
        f"Catch sqlalchemy.exc.IntegrityError, not {driver}",
        why,
        tuple(edits),
    )


def _sqlalchemy_name(
    imports: dict[str, str],
) -> tuple[str, list[tuple[str, str]], list[str]]:
    """How the module can name SQLAlchemy's class: as it binds it, or with a new import."""
    for local, target in imports.items():
        if target == "sqlalchemy.exc.IntegrityError":
            return local, [], []
        if target == "sqlalchemy.exc":
            return f"{'sqlalchemy.exc' if local == 'sqlalchemy' else local}.IntegrityError", [], []
    if "IntegrityError" not in imports:
        return "IntegrityError", [("sqlalchemy.exc", "IntegrityError")], []
    return "sqlalchemy.exc.IntegrityError", [], ["sqlalchemy.exc"]


def _swap_import(src: Source, written: ast.Name, flagged: list[ast.expr]) -> list[Edit] | None:
    """``from sqlite3 import IntegrityError`` bound for the flagged handlers alone (a one-line
    import of that name only): the import swapped for SQLAlchemy's, the handlers unchanged."""
    name = written.id
    if name != "IntegrityError":
        return None  # ``UniqueViolation``: SQLAlchemy has no class of that name
    loads = [n for n in src.walk() if isinstance(n, ast.Name) and n.id == name and n is not written]
    if any(all(n is not f for f in flagged) for n in loads):
        return None  # the driver's class is named elsewhere too: keep it bound
    imported = [
        n
        for n in src.walk()
        if isinstance(n, ast.ImportFrom) and any((a.asname or a.name) == name for a in n.names)
    ]
    if len(imported) != 1 or len(imported[0].names) != 1 or imported[0].col_offset != 0:
        return None
    stmt = imported[0]
    if stmt.names[0].asname is not None or (stmt.end_lineno or stmt.lineno) != stmt.lineno:
        return None
    line = stmt.lineno - 1
    dropped = Edit(src.path, Span(Position(line, 0), Position(line + 1, 0)), "")
    added = ensure_imports(src, [("sqlalchemy.exc", name)], rebound=[name])
    # A new line that goes where the dropped one was: one edit of that line, so the two
    # cannot be applied in either order.
    at = Position(line, 0)
    same = [e for e in added if e.span.start == at and e.span.end == at]
    if same:
        dropped = Edit(src.path, dropped.span, same[0].new_text)
    return [dropped, *(e for e in added if e not in same)]
