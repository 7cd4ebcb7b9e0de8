"""An update route that writes a unique column from the client's input and commits with no
handling of the duplicate, where the module's create route for the same model answers it.

``create_user`` catches ``IntegrityError`` around its commit and answers 409; ``update_user``
sets ``user.email = data["email"]`` and commits bare: another user's e-mail is an
IntegrityError, a 500 (a blind review's find on a real app). The fix mirrors the app's own
answer: the same ``try``/``except`` around the update's commit, with the create's handler
(its exception class, its status, its answer helper) and a rollback, so the session stays
usable.

Only for a column unique in the schema (``unique=True``, a unique index) and a value the
client sends (``request``'s JSON, form or arguments, or a local read from them). Silent when
the update catches the error itself, checks the column first (any query by it in the
function), or an app-wide handler answers IntegrityError.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
from dataclasses import dataclass

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, enclosing_statement
from .pyedits import insert_before_line, wrap_in_try
from .pysource import dotted
from .schema import Schema, Table
from .try_blocks import caught

CODE = "BKD314"
_ERROR = "IntegrityError"
_CLIENT = ("request", "form")  # a Flask request's data, a WTForms form's fields


@dataclass(frozen=True)
class _Answer:
    """A create route's handling of the duplicate: ``except <error>:`` around its commit, or
    ``if Model.query.filter_by(<column>=...).first():`` before it; and the answer's lines."""

    model: str
    error: str  # the exception as written (``IntegrityError``, ``exc.IntegrityError``)
    body: list[str]  # the answer's lines, indented relative to its ``except`` (``if``)
    rolls_back: bool
    column: str = ""  # a look-up first: the column it looks the value up by
    bound: str = ""  # ``except IntegrityError as err``: the name the answer may read


def unique_update_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or "flask" not in facts.frameworks or facts.handled_by_app({_ERROR}):
        return []
    answers = _create_answers(facts, schema)
    if not answers:
        return []
    out: list[Suggestion] = []
    for route in facts.routes:
        found = _unhandled_update(facts, route, schema, answers)
        if found is not None:
            out.append(found)
    return out


# Built once: tested of every node.
_BRANCHES = ast.Try | ast.If


def _create_answers(facts: ModuleFacts, schema: Schema) -> dict[tuple[str, str], _Answer]:
    """(model, "") -> the answer of a route that makes one of its rows and catches
    IntegrityError around the commit; (model, column) -> that of one that looks the value up
    by the column first. Each answers the client (a ``return`` or an ``abort``)."""
    out: dict[tuple[str, str], _Answer] = {}
    for route in facts.routes:
        nodes = facts.source.nodes_of(route.func)
        if not any(isinstance(n, _BRANCHES) for n in nodes):
            continue  # neither a caught commit nor a look-up first (most routes: cheap)
        made = {
            n.func.id
            for n in nodes
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in schema.models
        }
        made |= {
            name
            for n in nodes
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr[:1].isupper()
            and (name := dotted(n.func)) in schema.models
        }
        if not made:
            continue
        for node in nodes:
            if isinstance(node, ast.Try) and _commits(node.body):
                for handler in node.handlers:
                    error = ast.unparse(handler.type) if handler.type is not None else ""
                    if error.rsplit(".", 1)[-1] != _ERROR or not _answers(handler):
                        continue
                    body, rolls = _lines(facts, handler, handler.body), _rolls_back(handler)
                    for model in made:
                        answer = _Answer(model, error, body, rolls, bound=handler.name or "")
                        out.setdefault((model, ""), answer)
            elif isinstance(node, ast.If) and _answers(node) and not node.orelse:
                looked = _looked_up(node.test, made)
                if looked is not None:
                    answer = _Answer(
                        looked[0], "", _lines(facts, node, node.body), False, looked[1]
                    )
                    out.setdefault(looked, answer)
    return out


def _lines(facts: ModuleFacts, head: ast.AST, body: list[ast.stmt]) -> list[str]:
    """The body's lines, indented relative to the ``except`` (``if``) that heads it."""
    src = facts.source
    text = src.lines[head.lineno - 1]  # type: ignore[attr-defined]
    indent = len(text) - len(text.lstrip())
    first, last = body[0].lineno - 1, (body[-1].end_lineno or body[-1].lineno) - 1
    return [line[indent:] if line.strip() else "" for line in src.lines[first : last + 1]]


def _rolls_back(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call) and dotted(n.func).endswith(".rollback") for n in ast.walk(node)
    )


def _looked_up(test: ast.expr, models: set[str]) -> tuple[str, str] | None:
    """``User.query.filter_by(email=e).first()`` (``.filter(User.email == e)``, ``is not
    None``): the model and the one column it looks a row up by."""
    for node in ast.walk(test):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("filter_by", "filter") or not dotted(node.func).endswith(
            f"query.{node.func.attr}"
        ):
            continue
        model = dotted(node.func).split(".")[0]
        if model not in models:
            continue
        if node.func.attr == "filter_by" and len(node.keywords) == 1 and not node.args:
            column = node.keywords[0].arg
            return (model, column) if column else None
        if node.func.attr == "filter" and len(node.args) == 1 and not node.keywords:
            test_ = node.args[0]
            if (
                isinstance(test_, ast.Compare)
                and len(test_.ops) == 1
                and isinstance(test_.ops[0], ast.Eq)
                and dotted(test_.left).startswith(f"{model}.")
            ):
                return model, dotted(test_.left).split(".", 1)[1]
    return None


def _answers(handler: ast.ExceptHandler | ast.If) -> bool:
    """The handler (the ``if``'s body) answers the client, in a few statements: it returns,
    or aborts."""
    if len(handler.body) > _ANSWER_STATEMENTS:
        return False
    for n in (n for stmt in handler.body for n in ast.walk(stmt)):
        if isinstance(n, ast.Return) and n.value is not None:
            return True
        if isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] == "abort":
            return True
    return False


_ANSWER_STATEMENTS = 4  # a rollback, a log line, a flash, the answer


def _commits(body: list[ast.stmt]) -> bool:
    return any(
        isinstance(n, ast.Call) and dotted(n.func).endswith("session.commit")
        for stmt in body
        for n in ast.walk(stmt)
    )


def _unhandled_update(
    facts: ModuleFacts, route: Route, schema: Schema, answers: dict[tuple[str, str], _Answer]
) -> Suggestion | None:
    func = route.func
    rows = _rows(func, schema)
    for node in ast.walk(func):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)):
            continue
        model = rows.get(target.value.id)
        answer = answers.get((model, target.attr)) or answers.get((model, "")) if model else None
        table = schema.table_for_model(model) if model else None
        column = table.columns.get(target.attr) if table is not None else None
        if answer is None or column is None or column.primary_key:
            continue
        if table is not None and not _unique(table, target.attr):
            continue
        if table is None or not _from_client(node.value, func) or _checked(func, target.attr):
            continue
        commit = next(
            (
                n
                for n in ast.walk(func)
                if isinstance(n, ast.Call)
                and dotted(n.func).endswith("session.commit")
                and n.lineno > node.lineno
            ),
            None,
        )
        errors = {_ERROR, "SQLAlchemyError", "DatabaseError"}
        if commit is None or caught(commit, facts.up, errors):
            return None
        if not _names_known(answer, func, facts):
            return None
        if answer.column:
            return _looked_up_first(facts, node, target, table, answer)
        return _caught_commit(facts, node, commit, answer)
    return None


def _caught_commit(
    facts: ModuleFacts, assign: ast.Assign, commit: ast.Call, answer: _Answer
) -> Suggestion | None:
    """The create's ``except`` (and a rollback) around the update's commit."""
    stmt = enclosing_statement(commit, facts.up)
    if not isinstance(stmt, ast.Expr):
        return None
    receiver = dotted(commit.func)[: -len(".commit")]
    bound = f" as {answer.bound}" if answer.bound else ""
    handler = [f"except {answer.error}{bound}:"]
    if not answer.rolls_back:
        handler.append(f"    {receiver}.rollback()")
    handler.extend(answer.body)  # indented under its ``except`` as the create writes it
    src = facts.source
    target = assign.targets[0]
    assert isinstance(target, ast.Attribute)
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(commit),
        f"Answer a duplicate {answer.model}.{target.attr} here as the create route does",
        f"`{src.text_of(assign).strip()[:80]}` writes the client's value to "
        f"{answer.model}.{target.attr}, which is unique: a value another row holds makes this "
        f"commit raise {_ERROR}, a 500. The module's create route catches `{answer.error}` "
        "and answers the client; the same handling (and a rollback) here gives the update "
        "the same answer.",
        (wrap_in_try(src, stmt, handler),),
    )


def _looked_up_first(
    facts: ModuleFacts, assign: ast.Assign, target: ast.Attribute, table: Table, answer: _Answer
) -> Suggestion | None:
    """The create's look-up before the write, of another row than this one."""
    keys = [c.name for c in table.columns.values() if c.primary_key]
    if len(keys) != 1 or not isinstance(target.value, ast.Name):
        return None
    src = facts.source
    model, column, row, key = answer.model, target.attr, target.value.id, keys[0]
    value = src.text_of(assign.value)
    if "\n" in value:
        return None
    indent = src.indent_of(assign.lineno - 1)
    test = f"{model}.query.filter({model}.{column} == {value}, {model}.{key} != {row}.{key})"
    lines = [f"{indent}if {test}.first():", *(f"{indent}{b}" if b else "" for b in answer.body)]
    return Suggestion(
        CODE,
        "error-handling",
        src.path,
        src.span(assign),
        f"Answer a duplicate {model}.{column} here as the create route does",
        f"`{src.text_of(assign).strip()[:80]}` writes the client's value to {model}.{column}, "
        f"which is unique: a value another row holds makes the commit raise {_ERROR}, a 500. "
        f"The module's create route looks the value up first and answers the client; the same "
        "look-up here (of another row than this one) gives the update the same answer.",
        (insert_before_line(src, assign.lineno - 1, "\n".join(lines)),),
    )


def _unique(table: Table, name: str) -> bool:
    """``unique=True`` on the column, or a ``UniqueConstraint`` of it alone."""
    column = table.columns.get(name)
    if column is not None and column.unique:
        return True
    return any(k.endswith("UniqueConstraint") and cols == (name,) for k, cols in table.indexes)


def _rows(func: ast.AST, schema: Schema) -> dict[str, str]:
    """Locals bound to a row of a model: ``user = User.query.get_or_404(id)``,
    ``db.session.get(User, id)``, ``db.get_or_404(User, id)``."""
    out: dict[str, str] = {}
    for node in ast.walk(func):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or not isinstance(node.value, ast.Call):
            continue
        call = node.value
        head = dotted(call.func).split(".")[0]
        if head in schema.models and ".query." in f"{dotted(call.func)}.":
            out[target.id] = head
        elif call.args and dotted(call.func).split(".")[-1] in ("get", "get_or_404"):
            first = dotted(call.args[0])
            if first in schema.models:
                out[target.id] = first
    return out


def _from_client(value: ast.expr, func: ast.AST) -> bool:
    """The value reads the request (``request.json["email"]``, ``form.email.data``), or a
    local bound from it (``data = request.get_json()``)."""
    bound: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and _reads_client(node.value, set()):
                bound.add(target.id)
    return _reads_client(value, bound)


def _reads_client(value: ast.expr, bound: set[str]) -> bool:
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    return bool(names & (set(_CLIENT) | bound))


def _checked(func: ast.AST, column: str) -> bool:
    """A query by the column in the function (``filter_by(email=...)``, ``User.email ==``):
    the update looks for the duplicate itself."""
    for node in ast.walk(func):
        if isinstance(node, ast.keyword) and node.arg == column:
            return True
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Attribute)
            and node.left.attr == column
        ):
            return True
    return False


def _names_known(answer: _Answer, func: ast.AST, facts: ModuleFacts) -> bool:
    """Every name the mirrored handler reads is the module's or a builtin: a create's local
    (``user.email``) would be a NameError in the update."""
    try:
        tree = ast.parse(textwrap.dedent("\n".join(answer.body)))
    except SyntaxError:
        return False
    module = facts.source.modules[0] if facts.source.modules else None
    known = set(facts.imports) | set(dir(builtins))
    if module is not None:
        for stmt in module.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                known.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                known.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    known.update(a.arg for a in ast.walk(func) if isinstance(a, ast.arg))
    known.update({answer.bound} - {""})
    known.update(
        t.id
        for n in ast.walk(func)
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    )
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read <= known
