"""Who rolls a failed transaction back, project-wide: the facts BKD303 needs before it advises
a rollback.

Real apps rarely roll back beside each commit, and rightly: Flask-SQLAlchemy removes the session
when the app context ends, a ``with Session(...) as s: yield s`` dependency closes it (closing
rolls back), and many apps register one 500 handler that calls ``rollback()``. Advice that
ignores these is noise a reviewer rejects, so they are read once per file into the workspace
schema and merged like its tables.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from .pysource import Source, dotted, every_node, imported_names

# Flask-SQLAlchemy removes the session, Alchemical's Flask class closes it, both on app teardown.
_FLASK_DB_EXTENSIONS = ("flask_sqlalchemy.", "alchemical.flask.", "alchemical.aioflask.")
_APP_WIDE = ("errorhandler", "app_errorhandler", "exception_handler")
# Flask's documented pattern for a plain scoped_session: removed when the context ends.
_TEARDOWN = ("teardown_appcontext", "teardown_request", "teardown_app_request")
_SERVER_ERRORS = {"500", "Exception", "BaseException", "InternalServerError", "SQLAlchemyError"}


@dataclass
class SessionFacts:
    # The app's ``db`` comes from a Flask extension that closes ``db.session`` at teardown.
    flask_db: bool = False
    # An app-wide 500/Exception handler calls rollback(), or a teardown removes the session.
    rollback_handler: bool = False
    # An HTTP middleware runs every request inside a session's ``with``, whatever the framework.
    request_session: bool = False

    def merge(self, other: SessionFacts) -> None:
        self.flask_db |= other.flask_db
        self.rollback_handler |= other.rollback_handler
        self.request_session |= other.request_session


_SESSION_WORDS = (
    "flask_sqlalchemy",
    "flask.ext.sqlalchemy",
    "alchemical",
    "rollback",
    "teardown_",
    "call_next",
)


def mentions_sessions(text: str) -> bool:
    """Cheap pre-filter, as for tables: only these files can hold a fact."""
    return any(word in text for word in _SESSION_WORDS)


def session_facts(source: Source) -> SessionFacts:
    facts = SessionFacts()
    imports = imported_names(source)
    # ``from flask_sqlalchemy import SQLAlchemy`` or ``import flask_sqlalchemy``
    facts.flask_db = any(
        v.startswith(_FLASK_DB_EXTENSIONS) or f"{v}." in _FLASK_DB_EXTENSIONS
        for v in imports.values()
    )
    for node in source.functions():
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (
            any(_server_error_handler(d) for d in node.decorator_list)
            and _calls(source, node, ("rollback",))
        ) or (
            any(_teardown(d) for d in node.decorator_list)
            and _calls(source, node, ("rollback", "remove", "close"))
        ):
            facts.rollback_handler = True
        elif _session_per_request(source, node):
            facts.request_session = True
    return facts


def _session_per_request(source: Source, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """An HTTP middleware that runs each request inside a session's ``with`` (``with
    get_session(factory): return await call_next(request)``): the session ends with the
    request, and a failed one is rolled back as the ``with`` exits (judged on a real app,
    whose seven rollback suggestions that ignored it were noise)."""
    if "call_next" not in (a.arg for a in (*func.args.posonlyargs, *func.args.args)):
        return False
    for node in source.nodes_of(func):
        if not isinstance(node, ast.With | ast.AsyncWith):
            continue
        opens_session = any(
            isinstance(item.context_expr, ast.Call)
            and "session" in dotted(item.context_expr.func).lower()
            for item in node.items
        )
        if opens_session and any(
            isinstance(n, ast.Call) and dotted(n.func) == "call_next"
            for stmt in node.body
            for n in ast.walk(stmt)
        ):
            return True
    return False


def _calls(source: Source, func: ast.AST, methods: tuple[str, ...]) -> bool:
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in methods
        for n in source.nodes_of(func)
    )


def _teardown(deco: ast.expr) -> bool:
    return dotted(deco).split(".")[-1] in _TEARDOWN


def _server_error_handler(deco: ast.expr) -> bool:
    if not isinstance(deco, ast.Call) or not deco.args:
        return False
    if dotted(deco.func).split(".")[-1] not in _APP_WIDE:
        return False
    arg = deco.args[0]
    name = str(arg.value) if isinstance(arg, ast.Constant) else dotted(arg).split(".")[-1]
    return name in _SERVER_ERRORS


def owns_lifecycle(receiver: str, call: ast.AST, up: dict[ast.AST, ast.AST]) -> str | None:
    """Why this function need not roll back ``receiver`` itself (None: it must).

    The session belongs to someone else when it is a parameter (the caller or a framework
    dependency opened it and will close it) or bound by an enclosing ``with`` (closing rolls
    back)."""
    root = receiver.split(".")[0]
    current: ast.AST | None = call
    while current is not None:
        if isinstance(current, ast.With | ast.AsyncWith):
            for item in current.items:
                if item.optional_vars is not None and dotted(item.optional_vars) == root:
                    return "closed by its with block"
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            args = current.args
            names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            if root in names and root not in ("self", "cls"):
                return "owned by the caller"
            if _from_parameter(current, root, names):
                return "owned by the caller"  # ``session = alerts.session``, a parameter's
            owner = up.get(current)
            if root == "self" and isinstance(owner, ast.ClassDef) and _injected(owner, receiver):
                return "given to the object by its creator"
            break
        current = up.get(current)
    return None


# Bases that make a class an ORM model: Flask-SQLAlchemy's ``db.Model``, a declarative
# ``Base``, SQLAlchemy 2's ``DeclarativeBase``, SQLModel.
_MODEL_BASES = ("Model", "Base", "DeclarativeBase", "SQLModel")


def in_model_method(
    call: ast.AST, up: dict[ast.AST, ast.AST], models: Callable[[str], bool] | None = None
) -> bool:
    """The commit or flush sits in a method of a model class (``User.del_email`` flushing
    ``db.session``): its error reaches the view that called it, whose request owns the session.
    A rollback there would throw away the caller's unit of work: the wrong layer."""
    current: ast.AST | None = call
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        current = up.get(current)
    cls = up.get(current) if current is not None else None
    if not isinstance(cls, ast.ClassDef):
        return False
    if models is not None and models(cls.name):
        return True  # the workspace schema read it as a model (through a mixin or a base)
    return any(dotted(b).rsplit(".", 1)[-1] in _MODEL_BASES for b in cls.bases)


def _from_parameter(func: ast.AST, name: str, params: set[str]) -> bool:
    """``name`` is bound only to an attribute of a parameter (``session = alerts.session``)."""
    bound = [
        n.value
        for n in every_node(func)
        if isinstance(n, ast.Assign) and any(dotted(t) == name for t in n.targets)
    ]
    return bool(bound) and all(
        isinstance(v, ast.Attribute) and dotted(v).split(".")[0] in params - {"self", "cls"}
        for v in bound
    )


def _injected(cls: ast.ClassDef, receiver: str) -> bool:
    """``self.session`` is whatever ``__init__`` was given (``self.session = session``): a
    repository or service over a session its caller (or a framework dependency) opened and
    will close."""
    attr = receiver.split(".", 1)[1] if "." in receiver else ""
    for node in cls.body:
        if not isinstance(node, ast.FunctionDef) or node.name != "__init__":
            continue
        args = node.args
        params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]} - {"self"}
        for stmt in ast.walk(node):
            if (
                isinstance(stmt, ast.Call)
                and dotted(stmt.func) == "super().__init__"
                and any(
                    isinstance(a, ast.Name) and a.id == attr and a.id in params for a in stmt.args
                )
            ):
                return True  # ``super().__init__(session, Sequence)``: the base keeps it
            if (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Name)
                and stmt.value.id in params
                and any(dotted(t) == f"self.{attr}" for t in stmt.targets)
            ):
                return True
    return False


def pushes_app_context(source: Source) -> bool:
    """``app.app_context().push()`` outside any function: a worker module, not a request."""
    for module in source.modules:
        for stmt in module.body:
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and dotted(stmt.value.func).endswith("app_context().push")
            ):
                return True
    return False
