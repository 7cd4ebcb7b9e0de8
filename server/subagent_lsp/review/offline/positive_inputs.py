"""BKD211: a typed numeric input whose name says it cannot be negative, with no bound, that a
FastAPI handler writes or computes money or stock with.

``quantity: int`` on an order body parses ``-3`` as happily as ``3``: the type is checked, the
sign is not, and ``price * quantity`` becomes a refund the shop never meant to give, or a
stock level below zero. The rule is deliberately narrow:

- the name's last word is one of ``_POSITIVE`` (counted things: more than zero) or
  ``_NON_NEGATIVE`` (measured things: zero allowed), past a word that keeps the sign
  (``amount_paid``) and before a rate's ``per`` (``fee_per_month``); ``total``, ``offset``,
  ``page``, ``limit`` and the like are not listed (offsets and deltas are signed; a page size
  or offset that reaches a query is BKD214's, page_bounds.py, which judges it by where it
  goes);
- the field or parameter is typed ``int``/``float``/``Decimal`` (or Optional of one) and has
  no bound of any kind, and its model has no validator for it (nor a model-wide one);
- the handler itself uses the value: in arithmetic, as a keyword or attribute it stores, or
  the whole body goes to a write (``Model(**body.dict())``, ``crud.create(db, body)``).

Response models, dataclasses and TypedDicts are never request input here: only a class a
route takes as a parameter is read, and not one a dependency builds (``Depends(Model.as_form)``:
a bound on that model is checked inside the dependency, a 500; factory_bounds.py bounds the
dependency's parameters instead). The fix is the bound the name implies:
``Field(gt=0)`` / ``Field(ge=0)`` on the model (the model's existing ``Field`` keeps its
arguments), ``Query(gt=0)`` on a query parameter.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Position, Span
from ..suggestion import Edit, Suggestion
from .api_routes import path_names
from .frameworks import ModuleFacts, Route
from .pyedits import add_keyword, ensure_imports, replace_node
from .pysource import Source, dotted, imported_names

# The last word of the name (``unit_price``, ``spool_weight``, ``room_nights``).
_POSITIVE = frozenset({"quantity", "qty", "copies", "seats", "nights", "guests"})
# Not ``count``: on real apps a ``*_count`` input is a reported statistic (codecarbon's run
# report's ``cpu_count``/``gpu_count``), judged noise, not a quantity the client orders.
_NON_NEGATIVE = frozenset(
    {"amount", "price", "weight", "duration", "cents", "fee", "fees", "salary"}
)  # ``amount_cents``
# Words after the measured one that keep its sign (``amount_paid``, ``fee_due``); a rate's
# ``per`` ends the measure (``fee_per_month``, ``price_per_night``).
_QUALIFIERS = frozenset({"paid", "due", "received", "charged", "spent", "owed"})
_NUMBERS = frozenset({"int", "float", "Decimal"})
BOUNDS = frozenset({"gt", "ge", "lt", "le", "multiple_of", "allow_inf_nan"})
_MODEL_BASES = ("BaseModel", "SQLModel", "Schema")
# A call the whole body goes to that writes it (``crud.create_order(db, body)``).
_WRITES = ("create", "update", "add", "insert", "save", "upsert")


def positive_input_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi":
        return []
    out: list[Suggestion] = []
    func = route.func
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaulted = [a.arg for a in positional[len(positional) - len(args.defaults) :]]
    defaults: dict[str, ast.expr] = dict(zip(defaulted, args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d})
    for arg in [*positional, *args.kwonlyargs]:
        if arg.annotation is None:
            continue
        if number_type(arg.annotation) is not None:
            found = _query_parameter(facts, route, arg, defaults.get(arg.arg))
            if found is not None:
                out.append(found)
            continue
        if not _built_by_dependency(arg, defaults.get(arg.arg)):
            out.extend(_body_fields(facts, route, arg))
    return out


def _built_by_dependency(arg: ast.arg, default: ast.expr | None) -> bool:
    """``Depends(Model.as_form)``: the app builds the model inside the dependency, where a
    ``Field`` bound raises a ValidationError FastAPI answers with 500 (factory_bounds.py bounds
    the dependency's own parameters)."""
    annotation = arg.annotation
    metadata = (
        annotation.slice.elts[1:]
        if isinstance(annotation, ast.Subscript)
        and dotted(annotation.value).rsplit(".", 1)[-1] == "Annotated"
        and isinstance(annotation.slice, ast.Tuple)
        else []
    )
    return any(
        isinstance(m, ast.Call) and dotted(m.func).rsplit(".", 1)[-1] == "Depends" and m.args
        for m in [default, *metadata]
    )


def bound_word(name: str) -> str | None:
    """``gt`` or ``ge`` for a name that says its sign, None for any other name."""
    if name.lower().startswith(("max_", "min_")):
        return None  # a limit (``max_count``) bounds a read, it is not a quantity
    words = name.lower().split("_")
    if "per" in words[1:]:
        words = words[: words.index("per", 1)]
    while len(words) > 1 and words[-1] in _QUALIFIERS:
        words.pop()
    last = words[-1]
    if last in _POSITIVE:
        return "gt"
    return "ge" if last in _NON_NEGATIVE else None


def number_type(annotation: ast.expr) -> str | None:
    """``int``, ``Optional[float]``, ``Decimal | None``: the number type; None otherwise."""
    if isinstance(annotation, ast.Name | ast.Attribute):
        name = dotted(annotation).rsplit(".", 1)[-1]
        return name if name in _NUMBERS else None
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [annotation.left, annotation.right]
        nones = [s for s in sides if isinstance(s, ast.Constant) and s.value is None]
        rest = [s for s in sides if s not in nones]
        return number_type(rest[0]) if len(nones) == 1 and len(rest) == 1 else None
    if isinstance(annotation, ast.Subscript) and dotted(annotation.value).endswith("Optional"):
        return number_type(annotation.slice)
    return None  # ``Annotated[int, Field(ge=1)]``, ``conint(...)``: bounded or not plain


def bounded(call: ast.expr | None) -> bool:
    return isinstance(call, ast.Call) and any(k.arg in BOUNDS for k in call.keywords)


# What a bound's keyword is misspelled as, with the name it should have: FastAPI's markers
# and pydantic's ``Field`` take ``ge``/``gt``/``le``/``lt`` only, and keep any other keyword
# as an extra of the schema, checking nothing.
MISSPELLED_BOUNDS = {
    "lte": "le", "gte": "ge", "max": "le", "min": "ge", "maximum": "le", "minimum": "ge",
    "max_value": "le", "min_value": "ge", "less_than": "lt", "greater_than": "gt",
    "less_than_equal": "le", "greater_than_equal": "ge",
}  # fmt: skip


def misspelled_keywords(call: ast.expr | None) -> tuple[tuple[ast.keyword, str], ...]:
    if not isinstance(call, ast.Call):
        return ()
    written = {k.arg for k in call.keywords}
    return tuple(
        (k, MISSPELLED_BOUNDS[k.arg])
        for k in call.keywords
        if k.arg in MISSPELLED_BOUNDS and MISSPELLED_BOUNDS[k.arg] not in written
    )


def _query_parameter(
    facts: ModuleFacts, route: Route, arg: ast.arg, default: ast.expr | None
) -> Suggestion | None:
    op = bound_word(arg.arg)
    if op is None or bounded(default) or in_path(route, arg.arg):
        return None
    if misspelled_keywords(default):  # a bound meant and misnamed: misspelled_bounds renames it
        return None
    if isinstance(default, ast.Call) and dotted(default.func).rsplit(".", 1)[-1] != "Query":
        return None  # ``Depends(...)``, ``Body(...)``: not a plain query parameter
    use = value_use(route.func, arg.arg, None)
    if use is None:
        return None
    src = facts.source
    query = next((k for k, v in facts.imports.items() if v == "fastapi.Query"), None)
    edits: list[Edit] = []
    if query is None:
        query = "Query"
        edits.extend(ensure_imports(src, [("fastapi", "Query")]))
    if isinstance(default, ast.Call):
        edits.append(add_keyword(src, default, f"{op}=0"))
    elif default is not None:
        edits.append(replace_node(src, default, f"{query}({src.text_of(default)}, {op}=0)"))
    else:
        assert arg.annotation is not None
        end = src.end(arg.annotation)
        edits.append(Edit(src.path, _at(end), f" = {query}({op}=0)"))
    return _suggestion(src, arg, arg.arg, op, use, route, tuple(edits), "query parameter")


def in_path(route: Route, name: str) -> bool:
    if f"{{{name}" in path_names(route.path):
        return True
    for deco in route.func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args:
            first = deco.args[0]
            if isinstance(first, ast.Constant) and f"{{{name}" in str(first.value):
                return True
    return False


def _body_fields(facts: ModuleFacts, route: Route, arg: ast.arg) -> list[Suggestion]:
    if facts.upstream is None or arg.annotation is None:
        return []
    found = facts.upstream.resolve_class(facts.source, arg.annotation)
    if found is None:
        return []
    out = []
    for src, cls, stmt in model_fields(facts, *found, depth=0):
        assert isinstance(stmt.target, ast.Name)
        name = stmt.target.id
        op = bound_word(name)
        if misspelled_keywords(stmt.value):
            continue  # a bound meant and misnamed: misspelled_bounds renames it
        if op is None or number_type(stmt.annotation) is None or bounded(stmt.value):
            continue
        value = stmt.value
        if isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] != "Field":
            continue
        use = value_use(route.func, arg.arg, name)
        if use is None:
            continue
        edits = field_bound_edits(src, cls, stmt, f"{op}=0")
        if edits is None:
            continue
        out.append(
            _suggestion(facts.source, arg, f"{cls.name}.{name}", op, use, route, edits, "field")
        )
    return out


def model_fields(
    facts: ModuleFacts, src: Source, cls: ast.ClassDef, depth: int, field: str | None = None
) -> list[tuple[Source, ast.ClassDef, ast.AnnAssign]]:
    """The annotated fields of a pydantic model and of its project bases; none for a class
    that is no model, or that validates its fields itself (``field``: that field, or the
    whole model)."""
    if depth > 3 or validates(cls, field):
        return []
    out: list[tuple[Source, ast.ClassDef, ast.AnnAssign]] = []
    model = False
    for base in cls.bases:
        name = dotted(base).rsplit(".", 1)[-1]
        if name in _MODEL_BASES:
            model = True
            continue
        parent = facts.upstream.resolve_class(src, base) if facts.upstream else None
        if parent is not None:
            inherited = model_fields(facts, *parent, depth=depth + 1, field=field)
            model = model or bool(inherited) or is_model(facts, *parent, depth + 1)
            out.extend(inherited)
    if not model:
        return []
    if any(_table_model(k) for k in cls.keywords):
        return []  # ``SQLModel, table=True``: the table, not what the client sends
    out.extend(
        (src, cls, s)
        for s in cls.body
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
    )
    return out


def is_model(facts: ModuleFacts, src: Source, cls: ast.ClassDef, depth: int) -> bool:
    if depth > 3:
        return False
    for base in cls.bases:
        if dotted(base).rsplit(".", 1)[-1] in _MODEL_BASES:
            return True
        parent = facts.upstream.resolve_class(src, base) if facts.upstream else None
        if parent is not None and is_model(facts, *parent, depth + 1):
            return True
    return False


def _table_model(keyword: ast.keyword) -> bool:
    return (
        keyword.arg == "table"
        and isinstance(keyword.value, ast.Constant)
        and bool(keyword.value.value)
    )


def validates(cls: ast.ClassDef, field: str | None = None) -> bool:
    """Any validator in the class: it may check the sign in its own way. With ``field``, one
    that may check that field: a validator of the whole model, or of fields that include it
    (``@field_validator("product")`` checks no other field)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in stmt.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if "validator" in dotted(target).rsplit(".", 1)[-1]:
                    fields = validated_fields(deco) if field is not None else {"*"}
                    if field in fields or "*" in fields:
                        return True
    return False


def validated_fields(deco: ast.expr) -> set[str]:
    """The fields ``@field_validator("a", "b")`` names; ``*`` (every field) for a model's
    validator, a ``"*"``, or names not written out."""
    if not isinstance(deco, ast.Call) or not deco.args:
        return {"*"}
    names = [a.value for a in deco.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(names) != len(deco.args) or "*" in names:
        return {"*"}
    return set(names)


def value_use(
    func: ast.FunctionDef | ast.AsyncFunctionDef, param: str, field: str | None
) -> str | None:
    """How the handler uses the value (None: it does not, here): ``arithmetic``, ``stored``
    (a keyword, an attribute or key it sets), or the whole body ``written``."""

    def is_value(node: ast.AST) -> bool:
        if field is None:
            return isinstance(node, ast.Name) and node.id == param
        return (
            isinstance(node, ast.Attribute)
            and node.attr == field
            and isinstance(node.value, ast.Name)
            and node.value.id == param
        )

    for node in ast.walk(func):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mult | ast.Sub | ast.Add)
            and (is_value(node.left) or is_value(node.right))
        ):
            return "arithmetic"
        if isinstance(node, ast.AugAssign) and is_value(node.value):
            return "arithmetic"
        if (
            isinstance(node, ast.Call)
            and _writes(node)
            and any(is_value(k.value) for k in node.keywords)
        ):
            return "stored"
        if (
            isinstance(node, ast.Assign)
            and is_value(node.value)
            and any(isinstance(t, ast.Attribute | ast.Subscript) for t in node.targets)
        ):
            return "stored"
        if field is not None and isinstance(node, ast.Call) and _writes_body(node, param):
            return "written"
    return None


def _writes_body(call: ast.Call, param: str) -> bool:
    """``Order(**body.dict())``, ``Order(**body.model_dump())``, ``crud.create(db, body)``."""
    for k in call.keywords:
        value = k.value
        if (
            k.arg is None
            and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Attribute)
            and value.func.attr in ("dict", "model_dump")
            and isinstance(value.func.value, ast.Name)
            and value.func.value.id == param
        ):
            return True
    return _writes(call) and any(isinstance(a, ast.Name) and a.id == param for a in call.args)


def _writes(call: ast.Call) -> bool:
    """A model's constructor (``Order(...)``) or a write (``crud.create_order``): not a read
    (``fetch_flagged_messages(max_count=...)``) nor an upstream call (``move(duration=...)``)."""
    name = dotted(call.func).rsplit(".", 1)[-1]
    return name[:1].isupper() or any(w in name.lower() for w in _WRITES)


def field_bound_edits(
    src: Source, cls: ast.ClassDef, stmt: ast.AnnAssign, bounds: str
) -> tuple[Edit, ...] | None:
    """``bounds`` (``gt=0``, ``ge=1, le=100``) on a model's field: added to its ``Field(...)``,
    or a ``Field`` made of its default (None when where ``Field`` comes from is unsure)."""
    value = stmt.value
    if isinstance(value, ast.Call):
        return (add_keyword(src, value, bounds),)
    found = field_name(src, cls)
    if found is None:
        return None
    field, imports = found
    if value is None:
        text = f" = {field}({bounds})"
        edit = Edit(src.path, _at(src.end(stmt.annotation)), text)
    else:
        edit = replace_node(src, value, f"{field}({src.text_of(value)}, {bounds})")
    return (*imports, edit)


def field_name(src: Source, cls: ast.ClassDef) -> tuple[str, list[Edit]] | None:
    """How the model's module names ``Field``, and the import that gives it one when it does
    not (from sqlmodel for a SQLModel); None when where ``Field`` comes from is unsure."""
    imports = imported_names(src)
    field = next((k for k, v in imports.items() if v.endswith((".Field", "pydantic.Field"))), None)
    if field is not None:
        return field, []
    sqlmodel = any(dotted(b).rsplit(".", 1)[-1] == "SQLModel" for b in cls.bases)
    module = "sqlmodel" if sqlmodel else "pydantic"
    if not any(v.split(".")[0] in (module, "fastapi", "sqlmodel") for v in imports.values()):
        return None  # the model's module names no pydantic: where Field comes from is unsure
    return "Field", ensure_imports(src, [(module, "Field")])


def _at(position: Position) -> Span:
    return Span(position, position)


def _suggestion(
    src: Source,
    node: ast.AST,
    name: str,
    op: str,
    use: str,
    route: Route,
    edits: tuple[Edit, ...],
    what: str,
) -> Suggestion:
    bound = "more than zero" if op == "gt" else "zero or more"
    how = {
        "arithmetic": "computes with it",
        "stored": "stores it",
        "written": "writes the body",
    }[use]
    return Suggestion(
        "BKD211",
        "validation",
        src.path,
        src.span(node),
        f"Bound {name} to {bound}",
        f"The {what} `{name}` is typed but unbounded: a client can send a negative value and "
        f"`{route.func.name}` {how} all the same (a negative quantity or price is a refund or "
        f"a stock level below zero). `{op}=0` makes the framework answer 422 instead.",
        edits,
    )
