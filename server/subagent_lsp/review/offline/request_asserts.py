"""BKD208: ``assert`` used to validate what the client sent.

``assert media_type in [TV, MOVIE]`` on a query parameter, ``assert 'task' in request.data``,
``assert limit <= max_limit`` on ``int(request.args.get("limit"))``: a failing assert raises
AssertionError, which every framework answers with a 500, and ``python -O`` strips it, so the
check is gone in an optimised deployment. The fix keeps the condition and answers 400 the way
the module does (DRF ``ValidationError``, Django ``HttpResponseBadRequest``/``BadRequest``,
Flask ``abort(400)``/``jsonify``, FastAPI ``HTTPException``). An assert on anything the client
did not send (a row's state, a computed value) is an internal invariant and is left alone.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .django_views import request_attr
from .flask_answers import json_error
from .frameworks import ModuleFacts, Route, caught, flask_abort
from .pyedits import ensure_imports, replace_statement
from .pysource import bound_as, dotted, every_node

# What the client controls on a request; ``request.user``/``session``/``method`` are not it.
_CLIENT = (
    "request.args",
    "request.form",
    "request.values",
    "request.json",
    "request.get_json",
    "request.data",
    "request.files",
    "request.headers",
    "request.cookies",
    "request.GET",
    "request.POST",
    "request.FILES",
    "request.body",
    "request.query_params",
    "request.path_params",
    "request.COOKIES",
    "request.META",
)
# Calls through which a client value stays the client's: conversions and containers.
_KEEPS = {"int", "float", "str", "bool", "len", "list", "set", "tuple", "sorted", "dict"}
_HANDLED = {"AssertionError", "Exception", "BaseException"}


def request_assert_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    seen: set[int] = set()
    for func, framework, answers, tainted, handled in _handlers(facts):
        if _HANDLED & handled or facts.handled_by_app({"AssertionError"}):
            continue
        names = set(tainted) | _locals(facts, func, set(tainted))
        for node in facts.source.nodes_of(func):
            if not isinstance(node, ast.Assert) or id(node) in seen:
                continue
            if not _reads_client(node.test, names) or caught(node, facts.up, _HANDLED):
                continue
            if _type_checking_only(facts, node):
                continue  # ``if TYPE_CHECKING: assert ...`` never runs
            seen.add(id(node))
            found = _suggestion(facts, func, framework, answers, node, _subject(node.test, names))
            if found is not None:
                out.append(found)
    return out


Handler = tuple[ast.FunctionDef | ast.AsyncFunctionDef, str, bool, set[str], frozenset[str]]


def _handlers(facts: ModuleFacts) -> list[Handler]:
    """The module's routes (their path parameters are the client's), its Flask functions that
    read the global ``request`` (a resource's base-class ``paginate``), and the module's own
    functions a route hands a client value to (that parameter is the client's)."""
    out: list[Handler] = []
    routes = {id(r.func) for r in facts.routes}
    for route in facts.routes:
        params = [a.arg for a in (*route.func.args.args, *route.func.args.kwonlyargs)]
        params = [p for p in params if p not in ("self", "cls", "request", "req")]
        if route.sent is not None:
            params = [p for p in params if p in route.sent]
        out.append(
            (route.func, _framework(facts, route), route.answers, set(params), route.handled)
        )
    flask = facts.imports.get("request") == "flask.request"
    for node in facts.source.functions():
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or id(node) in routes:
            continue
        if flask and any(_client_read(n) for n in facts.source.nodes_of(node)):
            out.append((node, "flask", False, set(), frozenset()))
    top = {
        n.name: n
        for m in facts.source.modules
        for n in m.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and id(n) not in routes
    }
    for func, framework, _, tainted, handled in list(out[: len(facts.routes)]):
        names = tainted | _locals(facts, func, tainted)
        for call in facts.source.nodes_of(func):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                continue
            helper = top.get(call.func.id)
            if helper is None or caught(call, facts.up, _HANDLED):
                continue
            params = [a.arg for a in helper.args.args]
            passed = {p for p, a in zip(params, call.args, strict=False) if _reads_client(a, names)}
            passed |= {k.arg for k in call.keywords if k.arg and _reads_client(k.value, names)}
            if passed:
                out.append((helper, framework, False, passed, handled))
    return out


def _framework(facts: ModuleFacts, route: Route) -> str:
    if route.framework == "django" and "rest_framework" in {
        v.split(".")[0] for v in facts.imports.values()
    }:
        return "drf"
    return route.framework


# Built once: tested of every node.
_READS = ast.Attribute | ast.Name


def _client_read(node: ast.AST) -> bool:
    if not isinstance(node, _READS):
        return False
    name = request_attr(node)
    return any(name == c or name.startswith(c + ".") for c in _CLIENT)


# Built once: tested of every node.
_VALUED = ast.AnnAssign | ast.NamedExpr


def _locals(
    facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef, tainted: set[str]
) -> set[str]:
    """Locals bound (in order, to a fixed point) from the client's values."""
    names = set(tainted)
    assigned: list[tuple[list[ast.expr], ast.expr]] = []
    for node in facts.source.nodes_of(func):
        if isinstance(node, ast.Assign):
            assigned.append((node.targets, node.value))
        elif isinstance(node, _VALUED) and node.value is not None:
            assigned.append(([node.target], node.value))
    changed = True
    while changed:
        changed = False
        for targets, value in assigned:
            if not _reads_client(value, names):
                continue
            for target in targets:
                for n in every_node(target):
                    if isinstance(n, ast.Name) and n.id not in names:
                        names.add(n.id)
                        changed = True
    return names


def _reads_client(node: ast.AST, names: set[str]) -> bool:
    """The expression's value comes from the client: a request read or a tainted local,
    through subscripts, methods of those values, conversions and operators, but not through
    other calls (``Task.query.get(request.args["id"])`` is a row, not the client's value)."""
    if _client_read(node):
        return True
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name):
            return node.func.id in _KEEPS and any(
                _reads_client(a, names) for a in (*node.args, *[k.value for k in node.keywords])
            )
        return isinstance(node.func, ast.Attribute) and _reads_client(node.func.value, names)
    if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred | ast.Await):
        return _reads_client(node.value, names)
    if isinstance(node, ast.Lambda | ast.FunctionDef | ast.ListComp | ast.GeneratorExp):
        return False
    return any(_reads_client(child, names) for child in ast.iter_child_nodes(node))


def _subject(test: ast.expr, names: set[str]) -> str:
    """What the message names: the client's local, or the key read off the request."""
    for node in ast.walk(test):
        if isinstance(node, ast.Name) and node.id in names:
            return node.id
        if isinstance(node, ast.Subscript | ast.Call) and _client_read(
            node.value if isinstance(node, ast.Subscript) else node.func
        ):
            key: ast.expr | None = None
            if isinstance(node, ast.Subscript):
                key = node.slice
            elif node.args:
                key = node.args[0]
            if (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and key.value.isidentifier()
            ):
                return key.value
    return "request"


def _negate(line: str, test: ast.expr) -> str:
    """The assert's condition turned into the ``if`` that answers 400."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _text(line, test.operand)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        flipped = _FLIPPED.get(type(test.ops[0]))
        if flipped is not None:
            return f"{_text(line, test.left)} {flipped} {_text(line, test.comparators[0])}"
    return f"not ({_text(line, test)})"


_FLIPPED: dict[type[ast.cmpop], str] = {
    ast.In: "not in",
    ast.NotIn: "in",
    ast.Is: "is not",
    ast.IsNot: "is",
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.Lt: ">=",
    ast.LtE: ">",
    ast.Gt: "<=",
    ast.GtE: "<",
}


def _text(line: str, node: ast.expr) -> str:
    return ast.get_source_segment(line, node) or ast.unparse(node)


def _suggestion(
    facts: ModuleFacts,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    framework: str,
    answers: bool,
    node: ast.Assert,
    subject: str,
) -> Suggestion | None:
    src = facts.source
    if node.lineno != (node.end_lineno or node.lineno):
        return None  # a multi-line assert: rewriting its condition is the reviewer's call
    # The statement re-read on its own line, so its parts are sliced as written.
    line = src.lines[node.lineno - 1].strip()
    try:
        local = ast.parse(line).body
    except SyntaxError:
        return None
    if not (len(local) == 1 and isinstance(local[0], ast.Assert)):
        return None  # ``assert x; y = 1`` on one line
    stmt = local[0]
    condition = _negate(line, stmt.test)
    message = _text(line, stmt.msg) if stmt.msg is not None else f'"invalid {subject}"'
    answer, imports = _answer(facts, func, framework, answers, message)
    if answer is None:
        return None
    indent = src.indent_of(node.lineno - 1)
    text = f"{indent}if {condition}:\n{indent}    {answer}"
    edits: list[Edit] = [*ensure_imports(src, imports), replace_statement(src, node, text)]
    return Suggestion(
        "BKD208",
        "validation",
        src.path,
        src.span(node),
        f"Answer 400 instead of asserting on request input in `{func.name}`",
        f"`{line}` checks what the client sent with an assert: a failing assert raises "
        "AssertionError (a 500, not the client's 400), and `python -O` removes the check "
        "altogether. The same condition now answers 400.",
        tuple(edits),
    )


def _answer(
    facts: ModuleFacts,
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    framework: str,
    answers: bool,
    message: str,
) -> tuple[str | None, list[tuple[str, str]]]:
    imports = facts.imports
    if framework == "drf":
        name = bound_as(imports, "rest_framework.exceptions.ValidationError")
        if name is None and imports.get("exceptions") == "rest_framework.exceptions":
            return f"raise exceptions.ValidationError({message})", []
        if name is not None:
            return f"raise {name}({message})", []
        return f"raise ValidationError({message})", [
            ("rest_framework.exceptions", "ValidationError")
        ]
    if framework == "django":
        if answers:
            return f"return HttpResponseBadRequest({message})", [
                ("django.http", "HttpResponseBadRequest")
            ]
        return f"raise BadRequest({message})", [("django.core.exceptions", "BadRequest")]
    if framework == "fastapi" and facts.can_import("fastapi"):  # not a Starlette-only app's
        return f"raise HTTPException(status_code=400, detail={message})", [
            ("fastapi", "HTTPException")
        ]
    if framework == "flask":
        aborts = imports.get("abort") == "flask.abort"
        if answers and not aborts:
            return json_error(facts, func, 400, [("error", message)])
        # a helper returns values, not responses: abort raises the 400 from wherever it is
        needed = flask_abort(facts)
        if needed is None:
            return None, []
        if imports.get("abort", "flask.abort") != "flask.abort":
            return f"abort(400, message={message})", []  # Flask-RESTful's takes keywords only
        return f"abort(400, {message})", needed
    return None, []


def _type_checking_only(facts: ModuleFacts, node: ast.AST) -> bool:
    """Inside ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): for the type checker only."""
    current = facts.up.get(node)
    while current is not None:
        if isinstance(current, ast.If) and dotted(current.test).endswith("TYPE_CHECKING"):
            return True
        current = facts.up.get(current)
    return False
