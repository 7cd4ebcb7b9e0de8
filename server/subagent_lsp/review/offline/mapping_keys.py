"""BKD213: a value the client sends picks an entry of the project's own dict, unchecked.

``currency_symbol[currency]``, where ``currency`` is a part of the URL (a Django URL keyword,
a Flask ``<currency>``, a FastAPI path parameter) or a query or body value
(``request.args.get("currency")``, ``request.GET["currency"]``, a FastAPI ``str``
parameter), raises KeyError for a value the dict does not hold: a 500 where the client named
something that does not exist (a 404 for a URL's part, a 400 for a query or body value).

The dict is the project's constant: a literal with constant keys bound once (in the module,
the class, the handler, or a project module it is imported from) and never changed in the
module. Silent when the value is checked (``in``/``not in``, a call in a condition, the
dict's ``.get``, a ``match``, a form's ``is_valid()``), when a ``try`` or an app-wide handler
takes KeyError, when the URL only lets through values the dict holds (``re_path`` with
``(?P<currency>gbp|eur)``, Flask's ``any(...)``) or the type it converts to is not the keys'
(``<int:pk>`` for text keys), when a default is no key (the value means something else
too), and when the value is not the client's.

The fix is the check right before the first use, answered the route's way: Flask's
``abort(404)`` (a URL's part) or its 400 (validation.py's), Django's ``raise Http404`` or its
400, FastAPI's ``HTTPException``; a plain ``str`` FastAPI parameter becomes a ``Literal`` of
the keys instead (FastAPI answers 422 itself).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from ..suggestion import Edit, Suggestion
from .client_text import (
    ClientText,
    TextReader,
    bindings,
    checked,
    client_text,
    holders,
    mentions,
    string_value,
    tested_inline,
    text_reader,
)
from .django_json import json_body_locals
from .django_views import request_attr
from .frameworks import (
    ROUTE_VERBS,
    ModuleFacts,
    Route,
    caught,
    django_bad_request,
    enclosing_statement,
    flask_abort,
)
from .pyedits import ensure_imports, insert_before_line, replace_node, statement_lines
from .pysource import Source, binds_anywhere, dotted, imported_from, top_level_class
from .request_helpers import sent_labels
from .row_uses import short
from .sort_keys import FlaskAnswer, as_written, literal_allowed
from .try_blocks import validated_by_form
from .url_patterns import TEXT, UrlPart, django_part, flask_part

Function = ast.FunctionDef | ast.AsyncFunctionDef

_MUTATING = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"}
_CAUGHT = {"KeyError", "LookupError"}
# A raised answer a handler around the check would take for its own error.
_RAISED = {"HTTPException", "Http404", "NotFound"}
# Inside these the subscript may not run whenever its statement does.
_CONDITIONAL = (ast.IfExp, ast.BoolOp, ast.comprehension, ast.Lambda)
_LITERAL_MAX = 12  # more keys than this read better as a check than as a type
_LABEL = re.compile(r"[\w .-]+")


@dataclass(frozen=True)
class _Mapping:
    written: str  # how the handler names it: ``CURRENCIES``, ``self.CHOICES``
    keys: tuple[object, ...]  # the literal's keys, in its order


_Found = tuple[_Mapping, int] | None


@dataclass(frozen=True)
class _Key:
    text: ClientText  # the value, as client_text reads it (a URL's part too)
    url: UrlPart | None  # what the URL lets through (None: a query or body value)
    names: frozenset[str]  # the locals and parameters that hold it


def mapping_key_suggestions(
    facts: ModuleFacts, flask_400: FlaskAnswer, helpers: list[Route] | None = None
) -> list[Suggestion]:
    """``helpers``: functions on the request's path that raise rather than answer
    (request_helpers), read as routes."""
    if "[" not in facts.source.text:
        return []
    out: list[Suggestion] = []
    for route in facts.routes:
        if route.framework in ("flask", "fastapi", "django"):
            out.extend(_route_suggestions(facts, route, flask_400))
    for helper in helpers or []:
        out.extend(_route_suggestions(facts, helper, flask_400, helper.sent or frozenset()))
    return out


def _route_suggestions(
    facts: ModuleFacts, route: Route, flask_400: FlaskAnswer, sent: frozenset[str] = frozenset()
) -> list[Suggestion]:
    """``sent``: a helper's parameters that hold a client's text (request_helpers)."""
    src, func = facts.source, route.func
    reader: TextReader | None = None
    checks: list[tuple[str, str, ast.stmt]] = []  # (mapping, value, the check's statement)
    memo: dict[str, _Found] = {}
    out: list[Suggestion] = []
    subscripts = sorted(
        (
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Subscript)
            and isinstance(n.ctx, ast.Load)
            and isinstance(n.value, ast.Name | ast.Attribute)
            and not isinstance(n.slice, ast.Constant)
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in subscripts:
        if src.function_of(node) is not func:
            continue  # a nested function's own
        mapping = _mapping(facts, func, node, memo)
        if mapping is None:
            continue
        if reader is None:
            labels = tuple(sorted(sent_labels(facts, func).items())) if sent else ()
            reader = replace(_reader(facts, route), sent=sent, labels=labels)
        key = _key(facts, route, reader, node.slice)
        if key is None or not _unchecked(facts, route, node, mapping, key):
            continue
        identity = key.text.name or ast.dump(key.text.expr)
        if any(
            m == mapping.written and v == identity and _covers(stmt, node, facts.up)
            for m, v, stmt in checks
        ):
            continue
        found = _suggestion(facts, route, node, mapping, key, flask_400)
        if found is None:
            continue
        stmt, suggestion = found
        checks.append((mapping.written, identity, stmt))
        out.append(suggestion)
    return out


# --- the project's dict -------------------------------------------------------------------


def _mapping(
    facts: ModuleFacts, func: Function, node: ast.Subscript, memo: dict[str, _Found]
) -> _Mapping | None:
    """The dict constant ``node`` looks its key up in: a local bound once to a literal
    before the lookup, one of the module or of a project module it imports, or of the
    handler's class (``self.CHOICES``, ``Prices.CHOICES``). ``memo``: the handler's answers
    so far, by the name (a handler looks the same local up many times)."""
    written = dotted(node.value)
    if written not in memo:
        memo[written] = _resolved(facts, func, node.value)
    found = memo[written]
    return found[0] if found is not None and found[1] < node.lineno else None


def _resolved(facts: ModuleFacts, func: Function, value: ast.expr) -> _Found:
    """``_mapping``'s answer for a name, and the line it is bound on in the handler (0: it
    is bound outside it)."""
    src = facts.source
    if isinstance(value, ast.Name):
        name = value.id
        if binds_anywhere(func, name):
            bound = bindings(func, name)
            if not bound or len(bound) != 1 or _mutated(func, name):
                return None
            keys = _literal_keys(bound[0])
            stmt = facts.up.get(bound[0])
            if keys is None or not isinstance(stmt, ast.Assign | ast.AnnAssign):
                return None
            return _Mapping(name, keys), stmt.end_lineno or stmt.lineno
        if name in _changed_names(src):
            return None
        keys = _module_constant(src, name)
        if keys is None and facts.upstream is not None and imported_from(src, name):
            found = facts.upstream.named(src, value, _module_constant)
            keys = found[1] if found is not None else None
        return (_Mapping(name, keys), 0) if keys is not None else None
    if not isinstance(value, ast.Attribute) or not isinstance(value.value, ast.Name):
        return None
    owner = value.value.id
    if value.attr in _changed_attributes(src):
        return None
    if owner in ("self", "cls"):
        cls = facts.up.get(func)
    elif binds_anywhere(func, owner):
        return None
    else:
        cls = top_level_class(src, owner)
    keys = None
    if isinstance(cls, ast.ClassDef):
        keys = _class_constant(cls, value.attr)
    elif facts.upstream is not None and imported_from(src, owner):
        # ``constants.CURRENCIES``: a constant of the project module imported as ``constants``
        found = facts.upstream.named(src, value, _module_constant)
        keys = found[1] if found is not None else None
    return (_Mapping(f"{owner}.{value.attr}", keys), 0) if keys is not None else None


def _literal_keys(value: ast.expr | None) -> tuple[object, ...] | None:
    """The keys of ``{"gbp": "£", ...}`` / ``dict(gbp="£")``, all constants (None: anything
    else, a ``**`` splat or an empty dict: a registry filled later)."""
    if isinstance(value, ast.Dict):
        keys = value.keys
        if not keys or not all(isinstance(k, ast.Constant) for k in keys):
            return None
        return tuple(k.value for k in keys if isinstance(k, ast.Constant))
    if (
        isinstance(value, ast.Call)
        and dotted(value.func) == "dict"
        and not value.args
        and value.keywords
        and all(k.arg for k in value.keywords)
    ):
        return tuple(k.arg for k in value.keywords)
    return None


def _module_constant(source: Source, name: str) -> tuple[object, ...] | None:
    """The keys of the dict literal the module binds ``name`` to, once, at its top level."""
    found: dict[str, tuple[object, ...] | None] | None = source.__dict__.get("_dict_constants")
    if found is None:
        found = {}
        for module in source.modules:
            for stmt in module.body:
                for target, value in _assigned(stmt):
                    # bound twice: not a constant
                    found[target] = _literal_keys(value) if target not in found else None
        source.__dict__["_dict_constants"] = found
    return found.get(name)


def _class_constant(cls: ast.ClassDef, name: str) -> tuple[object, ...] | None:
    values = [v for stmt in cls.body for t, v in _assigned(stmt) if t == name]
    return _literal_keys(values[0]) if len(values) == 1 else None


def _assigned(stmt: ast.stmt) -> list[tuple[str, ast.expr | None]]:
    """The names a module's or class's statement binds, each with the value it binds it to
    (None: not one value of its own, ``a = b = {}``, a ``def``)."""
    if isinstance(stmt, ast.Assign):
        value = stmt.value if len(stmt.targets) == 1 else None
        return [(t.id, value) for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [(stmt.target.id, stmt.value)]
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [(stmt.name, None)]
    return []


def _changed_names(source: Source) -> frozenset[str]:
    """Names the module changes a dict of anywhere (``NAMES[k] = v``, ``NAMES.update(...)``,
    ``del NAMES[k]``) or declares ``global``: no constant's."""
    return _changed(source)[0]


def _changed_attributes(source: Source) -> frozenset[str]:
    """The same for attributes (``self.CHOICES[k] = v``)."""
    return _changed(source)[1]


def _changed(source: Source) -> tuple[frozenset[str], frozenset[str]]:
    cached: tuple[frozenset[str], frozenset[str]] | None = source.__dict__.get("_changed_dicts")
    if cached is not None:
        return cached
    names: set[str] = set()
    attributes: set[str] = set()
    for node in source.walk():
        target = _mutation_target(node)
        if isinstance(node, ast.AugAssign):
            target = node.target
        elif isinstance(node, ast.Global):
            names.update(node.names)
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            attributes.add(target.attr)
    result = (frozenset(names), frozenset(attributes))
    source.__dict__["_changed_dicts"] = result
    return result


def _mutated(func: Function, name: str) -> bool:
    """``func`` changes the local dict ``name`` (``prices[k] = v``, ``prices.update(...)``)."""
    for node in ast.walk(func):
        target = _mutation_target(node)
        if isinstance(target, ast.Name) and target.id == name:
            return True
    return False


def _mutation_target(node: ast.AST) -> ast.expr | None:
    """The dict ``node`` changes: ``prices[k] = v`` / ``del prices[k]``, ``prices.update(...)``."""
    if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
        return node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value if node.func.attr in _MUTATING else None
    return None


# --- the client's value -------------------------------------------------------------------


def _reader(facts: ModuleFacts, route: Route) -> TextReader:
    """The route's reader of client text; a Django view's decoded JSON body is a request
    mapping too (``data = json.loads(request.body)``)."""
    reader = text_reader(facts, route)
    if route.framework == "django":
        body = json_body_locals(facts.source, route.func)
        if body:
            reader = replace(reader, mappings=reader.mappings | frozenset(body))
    return reader


def _key(facts: ModuleFacts, route: Route, reader: TextReader, expr: ast.expr) -> _Key | None:
    url = url_value(facts, route, expr)
    part: UrlPart | None
    if url is not None:
        text, part = url
    else:
        found = client_text(reader, expr)
        if found is None:
            return None
        text, part = found, _fastapi_part(route, found)
    return _Key(text, part, frozenset(holders(reader, text)))


def url_value(
    facts: ModuleFacts, route: Route, expr: ast.expr
) -> tuple[ClientText, UrlPart] | None:
    """A part of the route's URL, as the view takes it: a Flask view's parameter its rule
    names, a Django view's URL keyword (a parameter, ``self.kwargs["slug"]``, ``kwargs[...]``
    or a local bound once to one), with what its pattern lets through."""
    func = route.func
    if route.sent is not None or route.framework not in ("flask", "django"):
        return None  # a view class's helper: its callers' values, of unknown patterns
    label, after = _url_read(func, expr), None
    if label is None and isinstance(expr, ast.Name):
        if expr.id in _url_parameters(func) and not binds_anywhere(func, expr.id):
            label = expr.id
        else:
            values = bindings(func, expr.id)
            if values is not None and len(values) == 1:
                label = _url_read(func, values[0])
                stmt = facts.up.get(values[0])
                after = stmt if isinstance(stmt, ast.Assign) else None
                if after is None or after.lineno > expr.lineno:
                    return None
    if label is None:
        return None
    if route.framework == "flask":
        part = flask_part(_flask_rules(func), label)
    else:
        routes = facts.url_routes.get(_view_name(facts, func), ()) if facts.url_routes else ()
        part = django_part(routes, label)
    if part is None:
        return None
    name = expr.id if isinstance(expr, ast.Name) else ""
    text = ClientText(expr, name, label, None, False, after, None)
    return text, part


def _url_read(func: Function, expr: ast.expr) -> str | None:
    """``self.kwargs["slug"]`` / ``kwargs.get("slug")`` (``kwargs`` the view's own ``**``)."""
    mapping: ast.expr | None = None
    key: ast.expr | None = None
    if isinstance(expr, ast.Subscript):
        mapping, key = expr.value, expr.slice
    elif (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and len(expr.args) == 1
        and not expr.keywords
    ):
        mapping, key = expr.func.value, expr.args[0]
    label = string_value(key)
    if mapping is None or label is None:
        return None
    own = func.args.kwarg.arg if func.args.kwarg is not None else None
    written = dotted(mapping)
    return label if written == "self.kwargs" or written == own else None


def _url_parameters(func: Function) -> set[str]:
    args = func.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]} - {
        "self",
        "cls",
        "request",
    }


def _view_name(facts: ModuleFacts, func: Function) -> str:
    owner = facts.up.get(func)
    return owner.name if isinstance(owner, ast.ClassDef) else func.name


def _flask_rules(func: Function) -> list[str]:
    """The rules of the view's own route decorators (``@bp.get("/<currency>")``)."""
    rules = []
    for deco in func.decorator_list:
        if not isinstance(deco, ast.Call) or dotted(deco.func).split(".")[-1] not in ROUTE_VERBS:
            continue
        rule = (
            deco.args[0]
            if deco.args
            else next((k.value for k in deco.keywords if k.arg == "rule"), None)
        )
        text = string_value(rule)
        if text is not None:
            rules.append(text)
    return rules


def _fastapi_part(route: Route, text: ClientText) -> UrlPart | None:
    """A FastAPI text parameter its path names (``{currency}``): a part of the URL."""
    if route.framework != "fastapi" or text.param is None:
        return None
    for deco in route.func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args:
            path = string_value(deco.args[0]) or ""
            if re.search(r"\{" + re.escape(text.param.arg) + r"(:\w+)?\}", path):
                return TEXT
    return None


# --- is it checked ----------------------------------------------------------------------


def _unchecked(
    facts: ModuleFacts, route: Route, node: ast.Subscript, mapping: _Mapping, key: _Key
) -> bool:
    func, text = route.func, key.text
    names = set(key.names)
    if checked(func, names, lookups=False) or _got(func, mapping, names):
        return False
    if not text.name and tested_inline(func, text.expr):
        return False
    if caught(node, facts.up, _CAUGHT) or facts.handled & _CAUGHT:
        return False
    if validated_by_form(node, facts.up):
        return False  # a form's ChoiceField has checked the value
    kind = key.url.kind if key.url is not None else "text"
    if kind == "only":
        return key.url is not None and not key.url.values <= set(mapping.keys)
    if kind == "text" and not all(isinstance(k, str) for k in mapping.keys):
        return False  # text is never such a key: the value means something else
    if kind == "number" and not all(type(k) is int for k in mapping.keys):
        return False
    if kind not in ("text", "number"):
        return False  # a UUID, a project's own converter: what it lets through is unknown
    return text.default is None or text.default in mapping.keys


def _got(func: Function, mapping: _Mapping, names: set[str]) -> bool:
    """``CURRENCIES.get(currency)`` somewhere in the handler: it answers a miss itself."""
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "get"
        and dotted(n.func.value) == mapping.written
        and any(mentions(a, names) for a in n.args[:1])
        for n in ast.walk(func)
    )


def _special(func: Function, names: set[str], keys: tuple[object, ...]) -> bool:
    """``if currency == "all": ...``: a value the handler gives its own meaning (no key), which
    a type of the keys alone would refuse."""
    for node in ast.walk(func):
        if isinstance(node, ast.Compare) and mentions(node.left, names):
            for op, other in zip(node.ops, node.comparators, strict=False):
                value = string_value(other) if isinstance(op, ast.Eq | ast.NotEq) else None
                if value is not None and value not in keys:
                    return True
    return False


# --- the fix --------------------------------------------------------------------------------


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    node: ast.Subscript,
    mapping: _Mapping,
    key: _Key,
    flask_400: FlaskAnswer,
) -> tuple[ast.stmt, Suggestion] | None:
    src, text = facts.source, key.text
    stmt = _check_point(facts, route, node)
    if stmt is None:
        return None
    written = as_written(src, text.expr)
    if "\n" in written:
        return None
    if route.framework == "django" and not route.answers:
        written = _read_with_get(src, text.expr) or written
    label = text.label if _LABEL.fullmatch(text.label) else "key"
    status = 404 if key.url is not None else 400
    literal = _literal_edits(facts, route, key, mapping)
    if literal is not None:
        assert text.param is not None
        fix = (
            f"`{text.param.arg}: Literal[...]` of its keys makes FastAPI answer 422 to "
            "anything else."
        )
        edits = literal
    else:
        answer = _answer(facts, route, status, f"unknown {label}", flask_400)
        if answer is None:
            return None
        statement, imports = answer
        if not statement.startswith("return ") and caught(stmt, facts.up, _RAISED):
            return None  # a handler around it would take the answer for a failure
        indent = src.indent_of(stmt.lineno - 1)
        check = f"{indent}if {written} not in {mapping.written}:\n{indent}    {statement}"
        edits = [*imports, insert_before_line(src, statement_lines(stmt)[0], check)]
        fix = f"`if {written} not in {mapping.written}:` before it answers {status} instead."
    where = "the URL's" if key.url is not None else "the client's"
    if status == 404:
        missing = "where the client asked for something that does not exist"
    else:
        missing = "for the client's own mistake"
    if literal is not None:
        title = f"Allow only the keys of `{mapping.written}` as `{text.label}`"
    else:
        title = f"Answer {status} for a `{text.label}` that `{mapping.written}` does not hold"
    suggestion = Suggestion(
        "BKD213",
        "validation",
        src.path,
        src.span(node),
        title,
        f"`{short(src.text_of(node), 60)}` looks {where} `{text.label}` up in "
        f"`{mapping.written}`: a value it does not hold raises KeyError, a 500 {missing}. " + fix,
        tuple(edits),
    )
    return stmt, suggestion


def _read_with_get(src: Source, expr: ast.expr) -> str | None:
    """``request.data["action"]`` as ``request.data.get("action")``: in a helper no body check
    (BKD201, BKD205) runs first, and a missing key would raise KeyError in the check itself
    (Flask's mappings answer a missing key 400 on their own)."""
    if not (isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant)):
        return None
    if request_attr(expr.value) not in ("request.data", "request.GET", "request.POST"):
        return None
    mapping = src.text_of(expr.value)
    return f"{mapping}.get({src.text_of(expr.slice)})" if "\n" not in mapping else None


def _check_point(facts: ModuleFacts, route: Route, node: ast.AST) -> ast.stmt | None:
    """The statement a check of the key goes right before: the one the lookup runs in,
    whenever it runs (not inside a conditional expression, a comprehension, a lambda), on
    lines of its own (not an ``elif``, nor after ``if x:`` on its line)."""
    src, func = facts.source, route.func
    stmt = enclosing_statement(node, facts.up)
    if stmt is None or stmt is func or isinstance(stmt, ast.FunctionDef | ast.ClassDef):
        return None
    current: ast.AST | None = node
    while current is not None and current is not stmt:
        parent = facts.up.get(current)
        if isinstance(parent, _CONDITIONAL):
            first = (
                isinstance(parent, ast.BoolOp) and parent.values and parent.values[0] is current
            ) or (isinstance(parent, ast.IfExp) and parent.test is current)
            if not first:
                return None
        current = parent
    line = src.lines[stmt.lineno - 1]
    if line[: stmt.col_offset].strip() or line.lstrip().startswith("elif"):
        return None
    return stmt


def _covers(check: ast.stmt, node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """A check placed before ``check`` runs before ``node``: ``node`` is in ``check`` or in a
    statement that follows it in the same block."""
    block = up.get(check)
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if current is check:
            return True
        if up.get(current) is block and isinstance(current, ast.stmt):
            for field in ("body", "orelse", "finalbody", "handlers"):
                stmts = getattr(block, field, None)
                if isinstance(stmts, list) and check in stmts and current in stmts:
                    return stmts.index(current) >= stmts.index(check)
        current = up.get(current)
    return False


def _answer(
    facts: ModuleFacts, route: Route, status: int, message: str, flask_400: FlaskAnswer
) -> tuple[str, list[Edit]] | None:
    src = facts.source
    if route.framework == "flask":
        if status == 400:
            return flask_400(facts, route, message)
        needed = flask_abort(facts)
        return ("abort(404)", ensure_imports(src, needed)) if needed is not None else None
    if route.framework == "fastapi":
        if "HTTPException" not in facts.imports and not facts.can_import("fastapi"):
            return None
        statement = f'raise HTTPException(status_code={status}, detail="{message}")'
        return statement, ensure_imports(src, [("fastapi", "HTTPException")])
    if status == 404:
        return f'raise Http404("{message}")', ensure_imports(src, [("django.http", "Http404")])
    statement, needed_import = django_bad_request(route, message)
    return statement, ensure_imports(src, [needed_import])


def _literal_edits(
    facts: ModuleFacts, route: Route, key: _Key, mapping: _Mapping
) -> list[Edit] | None:
    """``currency: str`` -> ``currency: Literal["eur", "gbp"]``: a FastAPI parameter looked
    up as it is, never None, whose values have no meaning of their own beside the keys, on
    a Python with ``typing.Literal``."""
    text, func = key.text, route.func
    param = text.param
    if param is None or param.annotation is None or text.constrained or text.nullable:
        return None
    if not (isinstance(text.expr, ast.Name) and text.expr.id == param.arg):
        return None  # read through ``.lower()``: its values are not the keys
    keys = mapping.keys
    if not literal_allowed(facts) or len(keys) > _LITERAL_MAX:
        return None
    if not all(_plain(k) for k in keys):
        return None
    if _special(func, set(key.names), keys) or _looked_up_elsewhere(facts, func, key, mapping):
        return None
    texts = [n for n in ast.walk(param.annotation) if isinstance(n, ast.Name) and n.id == "str"]
    if len(texts) != 1:
        return None
    src = facts.source
    names = ", ".join(f'"{k}"' for k in keys)
    return [
        *ensure_imports(src, [("typing", "Literal")]),
        replace_node(src, texts[0], f"Literal[{names}]"),
    ]


def _plain(key: object) -> bool:
    """A text key written as it is between double quotes."""
    return isinstance(key, str) and key.isprintable() and '"' not in key and "\\" not in key


def _looked_up_elsewhere(facts: ModuleFacts, func: Function, key: _Key, mapping: _Mapping) -> bool:
    """The parameter picks from another mapping too: the keys of one are not its type."""
    for node in facts.source.nodes_of(func):
        if (
            isinstance(node, ast.Subscript)
            and mentions(node.slice, set(key.names))
            and dotted(node.value) != mapping.written
        ):
            return True
    return False
