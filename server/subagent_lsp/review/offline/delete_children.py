"""BKD330: ``session.delete(parent)`` and a commit on a SQLAlchemy or SQLModel model whose rows
another table's foreign key holds, where nothing deletes those rows with it: deleting a parent
that has children raises IntegrityError, a 500.

Two ways it fails (a real app's three DELETE routes, judged musts):

- The parent's relationship to the children (``Cart.items``) has no delete cascade: on the
  delete SQLAlchemy sets the children's key to NULL, which a NOT NULL column refuses, on any
  database. The fix gives the relationship the cascade (SQLModel's ``cascade_delete=True``
  from 0.0.21, else ``sa_relationship_kwargs``; SQLAlchemy's ``cascade="all, delete-orphan"``):
  the children go with their parent.
- The parent has no relationship to them (``cart.user_id`` references ``user``, and ``User``
  names no carts): SQLAlchemy deletes the row alone, and a database that enforces foreign
  keys (PostgreSQL, MySQL: what the app declares) refuses it. The fix catches IntegrityError
  around the delete and its commit, rolls back and answers 409 as the route's framework does
  (FastAPI's ``HTTPException``, Flask's ``abort``).

Silent when a foreign key's ``ondelete`` (the model's, or a migration's) deletes or detaches
the rows, when a relationship cascades the delete or leaves it to the database
(``passive_deletes``), for a nullable key SQLAlchemy may set to NULL, for an association
table a ``secondary=`` relationship empties itself, for a self-reference or a shared primary
key, when the function deals with the children first (deletes them, loops over them, tests
them), when a ``try`` around the delete (or any call on the way from a route) catches it, when
an app-wide handler may answer it, and where no route reaches the function. Only SQLite apps
are left out of the second way: SQLite enforces no foreign key unless told to.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..pgproof.detect import mysql_evidence, postgres_evidence, sqlite_evidence
from ..suggestion import Edit, Suggestion
from .create_reads import bindings, model_named
from .driver_catches import _sqlalchemy_name
from .frameworks import ModuleFacts, Route, enclosing_statement
from .project_files import declared_release, project_root
from .pyedits import LINE_LENGTH, add_keyword, ensure_imports, wrap_in_try
from .pysource import Source, bound_as, dotted, imported_names
from .row_uses import session_like
from .schema import Column, Relationship, Schema, Table
from .try_blocks import caught

CODE = "BKD330"

Function = ast.FunctionDef | ast.AsyncFunctionDef
# What a handler around the delete (or its commit) may catch it as.
GUARDS = frozenset({"IntegrityError", "SQLAlchemyError", "DBAPIError", "DatabaseError"})
# Foreign-key rules under which the database deletes or detaches the children itself.
_DB_HANDLES = frozenset({"CASCADE", "SET NULL", "SET DEFAULT"})
_COMMITS = ("commit", "flush")
# SQLModel's ``Relationship(cascade_delete=True)`` came with 0.0.21.
_CASCADE_DELETE = (0, 0, 21)


@dataclass(frozen=True)
class _Child:
    """A table whose foreign key holds rows of the deleted model."""

    table: Table
    column: Column
    # the parent's relationships to it (attribute, relationship): SQLAlchemy nulls the key
    through: tuple[tuple[str, Relationship], ...]


def parent_delete_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    src = facts.source
    if schema is None or ".delete(" not in src.text or not schema.models:
        return []
    if app_answers(facts):
        return []
    out: list[Suggestion] = []
    for call in src.walk():
        found = _delete(src, call)
        if found is None:
            continue
        func, commit = found
        assert isinstance(call, ast.Call)
        if caught(call, facts.up, set(GUARDS)) or caught(commit, facts.up, set(GUARDS)):
            continue
        model = row_model(src, func, call.args[0], schema, 0)
        parent = schema.table_for_model(model) if model else None
        if model is None or parent is None or parent.origin != "sqlalchemy":
            continue
        children = [c for c in _children(schema, parent) if not _dealt_with(src, func, call, c)]
        if not children:
            continue
        routes = _reaching(facts, func)
        if not routes:
            continue
        strict = strict_database(src.path)
        failing = [c for c in children if c.through or strict]
        if failing:
            made = _suggestion(facts, func, call, commit, model, failing, routes, strict)
            if made is not None:
                out.append(made)
    return out


def app_answers(facts: ModuleFacts) -> bool:
    """An app-wide handler may answer the IntegrityError (one for ``Exception`` that answers
    only a 5xx does not), or a middleware catches what the routes raise."""
    if facts.middleware_catches or facts.handled & GUARDS:
        return True
    broad = facts.handled & {"Exception", "BaseException"}
    server = facts.server_errors() if facts.server_errors is not None else frozenset()
    return bool(broad - server)


def _delete(src: Source, node: ast.AST) -> tuple[Function, ast.Call] | None:
    """``session.delete(row)`` (awaited or not) in a function that commits the session after
    it: the function and the commit."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "delete"
        and len(node.args) == 1
        and not node.keywords
        and session_like(node.func.value)
    ):
        return None
    func = src.function_of(node)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    receiver = dotted(node.func.value)
    after = (node.end_lineno or node.lineno, node.end_col_offset or 0)
    for other in src.nodes_of(func):
        if (
            isinstance(other, ast.Call)
            and isinstance(other.func, ast.Attribute)
            and other.func.attr in _COMMITS
            and dotted(other.func.value) == receiver
            and (other.lineno, other.col_offset) >= after
            and src.function_of(other) is func
        ):
            return func, other
    return None


def row_model(
    src: Source, func: Function, node: ast.expr, schema: Schema, depth: int
) -> str | None:
    """The model of the row an expression holds: a parameter typed as it, or what it was read
    with (``session.get(Cart, id)``, ``Cart.query...first()``, ``session.query(Cart)...``,
    ``(await session.execute(select(Cart)...)).scalars().first()``, through locals bound
    once)."""
    while depth < 6:
        if isinstance(node, ast.Await):
            node = node.value
        elif isinstance(node, ast.Name):
            annotated = _annotated(src, func, node.id, schema)
            if annotated is not None:
                return annotated
            bound = bindings(func).get(node.id)
            if bound is None:
                return None
            node, depth = bound, depth + 1
        elif isinstance(node, ast.Attribute):
            if node.attr == "query":  # Flask-SQLAlchemy's ``Model.query``
                return model_named(src, node.value, schema)
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, receiver = node.func.attr, node.func.value
            if node.args and session_like(receiver):
                if attr in ("get", "get_one", "get_or_404", "query"):
                    return model_named(src, node.args[0], schema)
                if attr in ("execute", "exec", "scalars", "scalar", "first_or_404", "one_or_404"):
                    return _selected(src, func, node.args[0], schema, depth + 1)
            node = receiver
        else:
            return None
    return None


def _annotated(src: Source, func: Function, name: str, schema: Schema) -> str | None:
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            return model_named(src, arg.annotation, schema)
    return None


def _selected(
    src: Source, func: Function, node: ast.expr, schema: Schema, depth: int
) -> str | None:
    """``select(Cart).where(...)`` (or a local bound to it) -> Cart; not a column's select."""
    if isinstance(node, ast.Name) and depth < 6:
        bound = bindings(func).get(node.id)
        return _selected(src, func, bound, schema, depth + 1) if bound is not None else None
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value  # ``.where(...)``, ``.options(...)`` down to ``select(M)``
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "select" and node.args:
        return model_named(src, node.args[0], schema)
    return None


def _children(schema: Schema, parent: Table) -> list[_Child]:
    """The tables whose foreign key holds rows of ``parent`` and that deleting one leaves in
    the way: no ``ondelete`` rule, no relationship cascading the delete, no association
    table, and (where SQLAlchemy would set the key to NULL) a NOT NULL key."""
    out: list[_Child] = []
    secondaries = {
        found.name
        for table in schema.tables.values()
        for rel in table.relationships.values()
        if rel.secondary and (found := schema.table_named(rel.secondary)) is not None
    }
    for table in schema.tables.values():
        if table.origin == "django" or table.name == parent.name or table.name in secondaries:
            continue
        for column in table.columns.values():
            if column.primary_key or not _points_at(schema, column, parent):
                continue
            rule = (column.on_delete or table.delete_rules.get(column.name, "")).upper()
            if rule.replace("_", " ") in _DB_HANDLES:
                continue
            through = tuple(
                (attr, rel)
                for attr, rel in parent.relationships.items()
                if rel.target == table.model and not rel.secondary and _by(rel, table, column)
            )
            if any(rel.deletes_targets or rel.passive_deletes for _a, rel in through):
                continue
            if any(rel.viewonly for _a, rel in through):
                continue  # a read-only view of the rows: not known to be the only one
            if through and column.nullable is not False:
                continue  # SQLAlchemy sets the key to NULL, which the column allows
            out.append(_Child(table, column, through))
    return out


def _points_at(schema: Schema, column: Column, parent: Table) -> bool:
    target = column.references
    if not target:
        return False
    if target == parent.name or target == parent.model:
        return True
    found = schema.table_for_model(target)
    return found is not None and found.name == parent.name


def _by(rel: Relationship, table: Table, column: Column) -> bool:
    """The relationship joins by this column (one of several keys to the parent names it)."""
    if not rel.foreign_keys:
        return True
    attrs = {a for a, c in table.attributes.items() if c == column.name}
    return bool({column.name, *attrs} & set(rel.foreign_keys))


def _dealt_with(src: Source, func: Function, delete: ast.Call, child: _Child) -> bool:
    """Before the delete the function deletes the children itself, walks them or tests them
    (``for item in cart.items: session.delete(item)``, ``if cart.items: raise ...``,
    ``session.execute(delete(CartItem).where(...))``)."""
    names = {child.table.model or child.table.name, child.table.name}
    attrs = {attr for attr, _rel in child.through}

    def mentions(node: ast.AST) -> bool:
        return any(
            (isinstance(n, ast.Name) and n.id in names)
            or (isinstance(n, ast.Attribute) and (n.attr in attrs or n.attr in names))
            for n in ast.walk(node)
        )

    for node in src.nodes_of(func):
        if node is delete or getattr(node, "lineno", delete.lineno + 1) > delete.lineno:
            continue
        if isinstance(node, ast.If | ast.While | ast.Assert | ast.IfExp) and mentions(node.test):
            return True
        if isinstance(node, ast.For | ast.AsyncFor) and mentions(node.iter):
            return True
        if (
            isinstance(node, ast.Call)
            and dotted(node.func).split(".")[-1] == "delete"
            and mentions(node)
        ):
            return True
    return False


def _reaching(facts: ModuleFacts, func: Function) -> list[Route]:
    """The routes that run the delete with nothing on the way catching its error: the
    function itself, or the routes that call it (through other functions)."""
    own = next((r for r in facts.routes if r.func is func), None)
    if own is not None:
        return [] if own.handled & GUARDS else [own]
    if facts.routes_reaching is None:
        return []
    sites = facts.routes_reaching(facts.source, func, GUARDS)
    return [s.route for s in sites if not s.route.handled & GUARDS]


def strict_database(path: str) -> str | None:
    """Why the app's database is thought to enforce foreign keys (PostgreSQL, MySQL's InnoDB),
    or None: SQLite (which enforces none unless told to) or not known."""
    if sqlite_evidence(path):
        return None
    found = postgres_evidence(path)
    if found is not None:
        return f"PostgreSQL ({found})"
    found = mysql_evidence(path)
    return f"MySQL ({found})" if found is not None else None


def _suggestion(
    facts: ModuleFacts,
    func: Function,
    delete: ast.Call,
    commit: ast.Call,
    model: str,
    children: list[_Child],
    routes: list[Route],
    strict: str | None,
) -> Suggestion | None:
    src = facts.source
    via = _via(facts, func, routes)
    if all(c.through for c in children):
        cascade = _cascade_edits(facts, model, children)
        if cascade is not None:
            edits, written = cascade
            held = listed([f"{model}.{attr}" for c in children for attr, _r in c.through])
            keys = listed([f"{c.table.name}.{c.column.name}" for c in children])
            why = (
                f"`{src.text_of(delete)}` deletes a {model}{via}, and {held} "
                f"{'has' if len(children) == 1 else 'have'} no delete cascade: SQLAlchemy sets "
                f"{keys} to NULL on the rows it holds, which the NOT NULL column refuses, so "
                f"deleting a {model} that has any is an IntegrityError and a 500 (on any "
                f"database). `{written}` on the relationship deletes them with their {model}. "
                f"If a {model} that has them must not be deleted, catch IntegrityError and "
                "answer 409 instead."
            )
            held_rows = listed([c.table.model or c.table.name for c in children])
            title = f"Delete {held_rows} rows with their {model}"
            return Suggestion(CODE, "error-handling", src.path, src.span(delete), title, why, edits)
    answer = _answer(facts, delete, commit, routes, model, children)
    if answer is None:
        return None
    edits, how = answer
    parts = []
    for c in children:
        key = f"{c.table.name}.{c.column.name}"
        if c.through:
            parts.append(
                f"{listed([f'{model}.{a}' for a, _r in c.through])} has no delete cascade, so "
                f"SQLAlchemy sets {key} to NULL, which the NOT NULL column refuses"
            )
        else:
            parts.append(
                f"{key} references it with no ON DELETE rule and {model} has no relationship "
                f"that would delete those rows, so {strict} refuses the delete"
            )
    why = (
        f"`{src.text_of(delete)}` deletes a {model}{via}: {'; '.join(parts)}. Deleting a "
        f"{model} that still has such rows is an IntegrityError, and nothing on the way "
        f"catches it: a 500 for what is a conflict. {how}"
    )
    title = f"Answer 409 when a referenced {model} is deleted"
    return Suggestion(CODE, "error-handling", src.path, src.span(delete), title, why, edits)


def _via(facts: ModuleFacts, func: Function, routes: list[Route]) -> str:
    names = sorted({r.func.name for r in routes})
    if len(names) == 1 and routes[0].func is func:
        return ""
    return f" (reached from the route {listed([f'`{n}`' for n in names])})"


def _cascade_edits(
    facts: ModuleFacts, model: str, children: list[_Child]
) -> tuple[tuple[Edit, ...], str] | None:
    """The cascade keyword added to each relationship of the parent's class that holds the
    children, as its library spells it; None where one is not written in the class itself (a
    backref) or already sets its cascade another way."""
    if facts.upstream is None or facts.schema is None:
        return None
    parent = facts.schema.table_for_model(model)
    if parent is None:
        return None
    source = facts.upstream.loader(parent.path)
    if source is None:
        return None
    cls = next(
        (c for c in source.of(ast.ClassDef) if isinstance(c, ast.ClassDef) and c.name == model),
        None,
    )
    if cls is None:
        return None
    edits: list[Edit] = []
    written = ""
    for attr in dict.fromkeys(a for c in children for a, _r in c.through):
        call = _relationship_call(cls, attr)
        if call is None:
            return None
        keyword = _cascade_keyword(source, call)
        if keyword is None:
            return None
        edits.append(add_keyword(source, call, keyword))
        written = keyword
    return (tuple(edits), written) if edits else None


def _relationship_call(cls: ast.ClassDef, attr: str) -> ast.Call | None:
    for stmt in cls.body:
        target: ast.expr | None = stmt.target if isinstance(stmt, ast.AnnAssign) else None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if (
            isinstance(target, ast.Name)
            and target.id == attr
            and isinstance(value, ast.Call)
            and dotted(value.func).split(".")[-1] in ("relationship", "Relationship")
        ):
            return value
    return None


def _cascade_keyword(source: Source, call: ast.Call) -> str | None:
    written = {k.arg for k in call.keywords}
    if None in written or written & {"cascade", "cascade_delete", "sa_relationship"}:
        return None
    if dotted(call.func).split(".")[-1] == "relationship":
        return 'cascade="all, delete-orphan"'
    release = declared_release(project_root(source.path) or "", "sqlmodel")
    if release is not None and release >= _CASCADE_DELETE:
        return "cascade_delete=True"
    if "sa_relationship_kwargs" in written:
        return None
    return 'sa_relationship_kwargs={"cascade": "all, delete-orphan"}'


def _answer(
    facts: ModuleFacts,
    delete: ast.Call,
    commit: ast.Call,
    routes: list[Route],
    model: str,
    children: list[_Child],
) -> tuple[tuple[Edit, ...], str] | None:
    """The delete and its commit inside a ``try`` that rolls back and answers 409 the way the
    route's framework does; None where the two are not statements of one block."""
    src = facts.source
    first = enclosing_statement(delete, facts.up)
    last = enclosing_statement(commit, facts.up)
    if first is None or last is None:
        return None
    block = _block_of(facts, first)
    if block is None or last not in block or block.index(last) < block.index(first):
        return None
    imports = imported_names(src)
    error, needed, modules = _sqlalchemy_name(imports)
    awaited = isinstance(facts.up.get(commit), ast.Await)
    rollback = f"{'await ' if awaited else ''}{dotted(commit.func.value)}.rollback()"  # type: ignore[attr-defined]
    others = listed(sorted({c.table.model or c.table.name for c in children}))
    detail = f"This {model} is still referenced by {others} rows."
    indent = len(src.indent_of(first.lineno - 1)) + 4
    framework = routes[0].framework if routes else ""
    if framework == "fastapi" or (not framework and "fastapi" in facts.frameworks):
        exception = bound_as(imports, "fastapi.HTTPException") or bound_as(
            imports, "starlette.exceptions.HTTPException"
        )
        if exception is None:
            if "HTTPException" in imports:
                return None
            exception = "HTTPException"
            needed.append(("fastapi", "HTTPException"))
        status = bound_as(imports, "fastapi.status") or bound_as(imports, "starlette.status")
        code = f"{status}.HTTP_409_CONFLICT" if status else "409"
        raised = f'raise {exception}(status_code={code}, detail="{detail}") from exc'
        if indent + len(raised) > LINE_LENGTH:
            raised = (
                f'raise {exception}(\n        status_code={code}, detail="{detail}"\n    ) from exc'
            )
            if indent + 8 + len(f'status_code={code}, detail="{detail}"') > LINE_LENGTH:
                raised = (
                    f"raise {exception}(\n"
                    f"        status_code={code},\n"
                    f'        detail="{detail}",\n'
                    "    ) from exc"
                )
        handler = [f"except {error} as exc:", f"    {rollback}", *f"    {raised}".split("\n")]
        how = "Catching it, rolling the session back and raising HTTPException answers 409."
    elif framework == "flask" or "flask" in facts.frameworks:
        abort = bound_as(imports, "flask.abort") or bound_as(imports, "flask_restful.abort")
        if abort is None:
            if "abort" in imports:
                return None
            abort, needed = "abort", [*needed, ("flask", "abort")]
        word = "message" if imports.get(abort) == "flask_restful.abort" else "description"
        handler = [f"except {error}:", f"    {rollback}", f'    {abort}(409, {word}="{detail}")']
        how = "Catching it, rolling the session back and aborting with 409 answers the conflict."
    else:
        return None
    edits = [*ensure_imports(src, needed, modules), wrap_in_try(src, first, handler, through=last)]
    return tuple(edits), how


def _block_of(facts: ModuleFacts, stmt: ast.stmt) -> list[ast.stmt] | None:
    parent = facts.up.get(stmt)
    if parent is None:
        return None
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and stmt in block:
            return block
    return None


def listed(names: list[str], last: str = "and") -> str:
    """``a, b and c``, each name once."""
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {last} {names[-1]}"
