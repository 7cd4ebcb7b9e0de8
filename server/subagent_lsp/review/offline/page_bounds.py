"""BKD214: a page size or offset the client sends, with no bound, reaching the query.

``limit: int = 50, offset: int = 0`` on a FastAPI route checks the type only: on PostgreSQL a
negative LIMIT or OFFSET is an error (a 500), and ``?limit=1000000000`` reads the whole table
into one response. BKD211 leaves these names alone on purpose (it bounds quantities and prices
by their names); here the value is judged by where it goes (page_reach): ``.limit(x)``,
``.offset(x)`` / ``.skip(x)``, a window ``rows[offset : offset + limit]``, a raw statement's
``LIMIT %s`` / ``OFFSET $2`` bound to it (sql_params), in the route or in the one project
function the route hands it to.

Read: a route's ``int`` parameter (``Optional``/``Annotated`` too), and the ``int`` fields of a
pagination model the route is given by ``Depends()`` or ``Query()`` (a pydantic model's
fields, or a plain class's ``__init__`` parameters it keeps as attributes). Silent when the
value has a bound (``le``/``lt``, a ``conint``/``PositiveInt`` type, a model validator; for an
offset or a page number ``ge``/``gt`` too, while a page size bounded from below only still
gets its cap), when the code compares or clamps it (``if limit > 100``, ``min(limit, MAX)``)
or binds it again, and when it reaches no query.

The fix, with the parameter's other ``Query`` arguments kept (``Annotated[int, Query(...)]``
where the module writes its parameters that way): ``ge=1, le=<cap>`` for a page size,
``ge=0`` for an offset, ``ge=1`` for a page counted from one. The cap is the app's own
constant when the module has one (``MAX_LIMIT``, ``MAX_PAGE_SIZE`` of the module or imported
into it, not below the default), else 100 when the default is at most 100, else the default
itself (the most the route serves today); a size whose default is None (every row unless the
client asks for fewer) gets no cap, only ``ge=1``.

Flask's ``request.args.get("limit", 20, type=int)`` is the same shape (``type=int`` checks the
type, not the range): it is clamped where it is read, ``min(max(..., 1), 100)``, as Flask has
no 422 of its own. A bare ``int(request.args.get(...))`` is BKD202's to fix first.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ...definitions.findings import Span
from ..pgproof.detect import mysql_evidence, postgres_evidence, sqlite_app, sqlite_evidence
from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .helper_mappings import MULTIDICTS
from .page_reach import (
    Function,
    PageUse,
    Path,
    checked,
    followed_call,
    matched_arguments,
    reached_uses,
)
from .positive_inputs import (
    BOUNDS,
    bounded,
    field_bound_edits,
    in_path,
    is_model,
    misspelled_keywords,
    model_fields,
)
from .pyedits import add_keyword, ensure_imports, replace_node
from .pysource import (
    Source,
    dotted,
    every_node,
    imported_names,
    is_none,
    method_of,
    parameters_with_defaults,
    top_level_class,
)
from .receiver_classes import module_bindings_of

# The FastAPI markers a parameter's bound keywords go into.
_PARAMS = ("Query", "Form", "Body", "Header", "Cookie")
_PARAM_TYPES = ("Query", "Path", "Body", "Form", "Header", "Cookie", "Depends", "Security")
_SIZE_CAP = 100
# A constant that caps a page: ``MAX_LIMIT``, ``MAX_PAGE_SIZE``, ``PER_PAGE_MAX``; not a rate
# limit, an upload size or a retry count, which share the words.
_CAP_WORDS = frozenset({"LIMIT", "PAGE", "PER", "RESULTS", "ITEMS", "ROWS", "SIZE"})
_NOT_CAPS = frozenset(
    {"RATE", "RETRY", "RETRIES", "ATTEMPTS", "LOGIN", "UPLOAD", "FILE", "CONTENT", "BYTES",
     "LENGTH", "TIMEOUT", "REQUESTS", "BODY"}
)  # fmt: skip
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")
# What a page size's default says, when it is not a number.
_EVERY, _REQUIRED, _UNKNOWN = "every row", "required", "unknown"


@dataclass(frozen=True)
class _Input:
    """A value the client sends, and where its declaration is written."""

    path: Path
    label: str  # ``limit``, ``Pagination.limit``
    src: Source  # the module the declaration is in
    holder: ast.arg | ast.AnnAssign  # a parameter, or a model's field
    default: ast.expr | None
    meta: ast.Call | None  # the ``Query(...)``/``Field(...)`` inside ``Annotated[int, ...]``
    func: Function | None = None  # the parameter's function
    cls: ast.ClassDef | None = None  # the field's model
    # ``Query(50, ge=1)``: bounded from below only, which caps no page size
    floored: bool = False
    # ``Query(50, le=1000)``: bounded from above only, so a negative value still gets through
    ceiled: bool = False
    # ``Query(100, lte=100)``: keywords meant as bounds that FastAPI and pydantic do not know
    # (it keeps them as extras and checks nothing), each with the name it should have
    misspelled: tuple[tuple[ast.keyword, str], ...] = ()


def page_bound_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework == "fastapi":
        return _fastapi(facts, route)
    if route.framework == "flask":
        return _flask(facts, route)
    return []


# --- FastAPI --------------------------------------------------------------------------------


def _fastapi(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    inputs: list[_Input] = []
    for arg, default in parameters_with_defaults(route.func):
        if in_path(route, arg.arg):
            continue
        found = _int_parameter(facts.source, route.func, arg, default)
        if found is not None:
            inputs.append(found)
        else:
            inputs.extend(_model_inputs(facts, arg, default))
    if not inputs:
        return []
    reached = reached_uses(facts, route.func, {i.path for i in inputs})
    edits: list[Edit] = []
    bounds: list[_Bound] = []
    anchor: ast.AST | None = None
    for inp in inputs:
        use = reached.get(inp.path)
        if use is None:
            continue
        if inp.floored and use.kind != "limit":
            continue  # an offset or page bounded from below is bounded enough
        if inp.floored and use.capped_at:
            continue  # its floor here, its cap in the code on its way
        if use.capped_at and use.kind == "limit" and not inp.ceiled:
            cap = _code_cap(facts, inp, use)
        else:
            cap = _cap(facts, inp) if use.kind == "limit" and not inp.ceiled else _EVERY
        if cap == _UNKNOWN:
            continue  # a default the cap cannot be told from
        capped = cap if isinstance(cap, tuple) else None
        if inp.floored and capped is None:
            continue  # a floor and no cap to add: nothing to change
        keywords = _keywords(use.kind, capped[0] if capped else None)
        if inp.floored:
            assert capped is not None
            keywords = f"le={capped[0]}"  # the floor it has stays as written
        renames, keywords, meant = _renamed(inp, keywords)
        if not keywords and not renames:
            continue
        written = _edits(inp, keywords) if keywords else []
        if written is None:
            continue
        edits.extend(renames)
        edits.extend(written)
        if use.kind == "limit":
            shown = f"1..{capped[0]}" if capped else "1 or more"
        else:
            shown = "0 or more" if use.kind == "offset" else "1 or more"
        why = capped[1] if capped else ""
        if meant is not None and use.kind == "limit":
            shown, why = f"1..{meant}", f"the one the code meant, {meant}"
        misspelled = tuple(f"`{k.arg}`" for k, _ in inp.misspelled)
        ceiled = inp.ceiled or bool(use.capped_at)
        bounds.append(_Bound(inp.label, use, shown, why, inp.floored, ceiled, misspelled))
        # A model's field is shown where the route takes the model.
        own = inp.holder if inp.func is route.func else None
        anchor = anchor or own or _route_argument(route, inp.path[0])
    if not bounds:
        return []
    return [_suggestion(facts, anchor, bounds, tuple(dict.fromkeys(edits)), flask=False)]


@dataclass(frozen=True)
class _Bound:
    """One value's bound, as the suggestion tells it."""

    label: str
    use: PageUse
    shown: str  # ``1..100``, ``0 or more``
    why: str  # why the cap is what it is ("" for none)
    floored: bool = False  # it has its floor already: only the cap is new
    ceiled: bool = False  # it has its cap already: only the floor is new
    misspelled: tuple[str, ...] = ()  # the ignored keywords the fix renames (``lte``)


def _int_parameter(
    src: Source, func: Function, arg: ast.arg, default: ast.expr | None
) -> _Input | None:
    """An unbounded ``int`` query parameter: ``int``, ``int | None``, ``Optional[int]``,
    ``Union[int, None]``, ``Annotated[int, Query(...)]``, defaulted to a value or a
    ``Query(...)`` (not ``Depends``, ``Path``, ``Body``...)."""
    if arg.annotation is None:
        return None
    plain, meta = annotated(arg.annotation)
    if not _is_int(plain) or (meta is not None and not _param_call(meta)):
        return None
    if isinstance(default, ast.Name):
        # ``limit: int = QUERY_LIMIT`` over a module's ``QUERY_LIMIT = Query(100, le=100)``
        default = query_constant(src, default) or default
    if isinstance(default, ast.Call) and not _param_call(default):
        return None
    given = _bound_keywords(default) | _bound_keywords(meta)
    if given - _FLOORS - _CEILINGS or (given & _FLOORS and given & _CEILINGS):
        return None  # bounded both ways, or in a way of its own (``multiple_of``)
    return _Input(
        (arg.arg, None),
        arg.arg,
        src,
        arg,
        default,
        meta,
        func=func,
        floored=bool(given & _FLOORS),
        ceiled=bool(given & _CEILINGS),
        misspelled=misspelled_keywords(default) + misspelled_keywords(meta),
    )


def query_constant(src: Source, name: ast.Name) -> ast.Call | None:
    """The ``Query(...)`` a module-level name is bound to once, in this module."""
    bound = module_bindings_of(src, name.id)
    if bound is None or len(bound) != 1:
        return None
    value = bound[0].value if isinstance(bound[0], ast.AnnAssign) else bound[0]
    return value if isinstance(value, ast.Call) and _named(value.func) in _PARAMS else None


def _renamed(inp: _Input, keywords: str) -> tuple[list[Edit], str, str | None]:
    """The edits that give a misspelled bound its name, keeping the value the author wrote,
    the keywords still to add (those the renamed ones do not already stand for), and the
    renamed cap as written (None: no cap renamed)."""
    wanted = [k.strip() for k in keywords.split(",") if k.strip()]
    edits = []
    meant = None
    for keyword, name in inp.misspelled:
        side = _FLOORS if name in _FLOORS else _CEILINGS
        if not any(w.split("=", 1)[0] in side for w in wanted):
            continue  # a bound this value does not need (``lte`` on an offset): left as is
        wanted = [w for w in wanted if w.split("=", 1)[0] not in side]
        value = inp.src.text_of(keyword.value)
        edits.append(replace_node(inp.src, keyword, f"{name}={value}"))
        meant = value if side is _CEILINGS else meant
    return edits, ", ".join(wanted), meant


_FLOORS, _CEILINGS = frozenset({"ge", "gt"}), frozenset({"le", "lt"})


def _bound_keywords(call: ast.expr | None) -> set[str]:
    if not isinstance(call, ast.Call):
        return set()
    return {k.arg for k in call.keywords if k.arg in BOUNDS}


def annotated(annotation: ast.expr) -> tuple[ast.expr, ast.Call | None]:
    """``Annotated[int, Query(...)]``: the type and the marker call (None: none, or not one
    marker); any other annotation as it is."""
    if isinstance(annotation, ast.Subscript) and _named(annotation.value) == "Annotated":
        items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else []
        if len(items) < 2:
            return annotation, None
        calls = [i for i in items[1:] if isinstance(i, ast.Call)]
        if len(calls) != len(items) - 1 or len(calls) != 1:
            return ast.Constant(None), None  # metadata this rule does not read
        return items[0], calls[0]
    return annotation, None


def _is_int(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "int"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [s for s in (node.left, node.right) if not is_none(s)]
        return len(sides) == 1 and _is_int(sides[0])
    if isinstance(node, ast.Subscript) and _named(node.value) in ("Optional", "Union"):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        rest = [i for i in items if not is_none(i)]
        return len(rest) == 1 and len(items) <= 2 and _is_int(rest[0])
    return False


def _named(node: ast.expr) -> str:
    return dotted(node).rsplit(".", 1)[-1]


def _param_call(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and _named(node.func) in (*_PARAMS, "Field")


def _model_inputs(facts: ModuleFacts, arg: ast.arg, default: ast.expr | None) -> list[_Input]:
    """The ``int`` fields of a pagination model FastAPI builds from the query:
    ``page: Pagination = Depends()``, ``Depends(Pagination)``, ``Annotated[Pagination,
    Depends()]``, ``Annotated[Pagination, Query()]``."""
    if arg.annotation is None:
        return []
    annotation, marker = annotated(arg.annotation)
    marker = marker or (default if isinstance(default, ast.Call) else None)
    if marker is None or _named(marker.func) not in ("Depends", "Query") or marker.keywords:
        return []
    built = marker.args[0] if marker.args else annotation
    if len(marker.args) > 1 or not isinstance(built, ast.Name | ast.Attribute):
        return []
    found = _class(facts, built)
    if found is None:
        return _dependency_parameters(facts, arg, built)
    src, cls = found
    if any(
        _named(d.func if isinstance(d, ast.Call) else d) == "dataclass" for d in cls.decorator_list
    ):
        return []  # a dataclass's defaults are FastAPI's markers only when written as such
    if is_model(facts, src, cls, 0):
        return _model_fields(facts, arg, src, cls)
    init = method_of(cls, "__init__")
    return _init_parameters(src, arg, cls, init) if init is not None else []


def _class(
    facts: ModuleFacts, node: ast.Name | ast.Attribute
) -> tuple[Source, ast.ClassDef] | None:
    if facts.upstream is not None:
        return facts.upstream.resolve_class(facts.source, node)
    own = top_level_class(facts.source, node.id) if isinstance(node, ast.Name) else None
    return (facts.source, own) if own is not None else None


def _model_fields(facts: ModuleFacts, arg: ast.arg, src: Source, cls: ast.ClassDef) -> list[_Input]:
    out = []
    for where, owner, stmt in model_fields(facts, src, cls, 0):
        assert isinstance(stmt.target, ast.Name)
        plain, meta = annotated(stmt.annotation)
        value = stmt.value
        if not _is_int(plain) or (meta is not None and not _param_call(meta)):
            continue
        if isinstance(value, ast.Call) and not _param_call(value):
            continue
        if bounded(value) or bounded(meta):
            continue
        name = stmt.target.id
        path = (arg.arg, name)
        out.append(_Input(path, f"{cls.name}.{name}", where, stmt, value, meta, cls=owner))
    return out


def _init_parameters(src: Source, arg: ast.arg, cls: ast.ClassDef, init: Function) -> list[_Input]:
    """A plain class's ``__init__(self, limit: int = 50)`` that keeps ``self.limit = limit``:
    FastAPI reads its parameters as the route's own."""
    kept = {}
    for node in ast.walk(init):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Attribute)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id == "self"
            and isinstance(node.value, ast.Name)
        ):
            kept[node.value.id] = node.targets[0].attr
    out = []
    for param, default in parameters_with_defaults(init)[1:]:
        found = _int_parameter(src, init, param, default)
        attr = kept.get(param.arg)
        if found is not None and attr is not None:
            out.append(replace(found, path=(arg.arg, attr), label=f"{cls.name}.{param.arg}"))
    return out


def _dependency_parameters(
    facts: ModuleFacts, arg: ast.arg, built: ast.Name | ast.Attribute
) -> list[_Input]:
    """``page: Pagination = Depends(pagination)`` of a project function whose parameters
    FastAPI reads from the query (``limit: int = Query(50, ge=1)``) and that hands them on
    as one object's attributes (``return Pagination(offset=offset, limit=limit)``): each such
    parameter is the route's ``page.limit``."""
    if facts.upstream is None:
        return []
    found = facts.upstream.resolve(facts.source, built)
    if found is None:
        return []
    src, func = found
    kept: dict[str, str] = {}
    for node in every_node(func):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            for keyword in node.value.keywords:
                if keyword.arg is not None and isinstance(keyword.value, ast.Name):
                    kept[keyword.value.id] = keyword.arg
    out = []
    for param, default in parameters_with_defaults(func):
        attr = kept.get(param.arg)
        inp = _int_parameter(src, func, param, default) if attr is not None else None
        if inp is not None and attr is not None:
            out.append(replace(inp, path=(arg.arg, attr), label=param.arg))
    return out


# --- the cap --------------------------------------------------------------------------------


def _cap(facts: ModuleFacts, inp: _Input) -> tuple[str, str] | str:
    """A page size's upper bound and why, or why it has none: ``_EVERY`` (the default is
    every row), ``_UNKNOWN`` (a default the cap cannot be told from)."""
    default = _default_value(facts, inp)
    if default in (_EVERY, _UNKNOWN):
        return str(default)
    known = default if isinstance(default, int) else None
    return _size_cap(facts, inp.src, inp.holder.lineno, inp.path[1] or inp.path[0], known)


def _size_cap(
    facts: ModuleFacts, src: Source, line: int, name: str, default: int | None
) -> tuple[str, str]:
    """The cap for a page size named ``name`` declared at ``line`` of ``src`` whose default
    is ``default`` (None: it has none), and why it is that."""
    constant = _cap_constant(facts, src, line, name, default)
    if constant is not None:
        return constant, f"the app's own `{constant}`"
    if default is None or default <= _SIZE_CAP:
        return str(_SIZE_CAP), f"{_SIZE_CAP} (raise it if clients need bigger pages)"
    return str(default), f"the default, {default}: the most the route serves today"


def _code_cap(facts: ModuleFacts, inp: _Input, use: PageUse) -> tuple[str, str] | str:
    """The cap of the code's own upper clamp on the value's way (``if limit > 50: limit =
    50`` in a service), kept as the parameter's ``le`` when it is a number at least the
    default (a cap below it would refuse the route's own default); else no cap (``_EVERY``):
    the clamp stays the cap, the fix adds the floor."""
    try:
        cap = int(use.capped_at)
    except ValueError:
        return _EVERY
    default = _default_value(facts, inp)
    if cap < 1 or (isinstance(default, int) and default > cap):
        return _EVERY
    return str(cap), f"the code's own, {cap}"


def _default_value(facts: ModuleFacts, inp: _Input) -> int | str:
    """The default: a number, ``_EVERY`` (None: left out, every row), ``_REQUIRED``, or
    ``_UNKNOWN`` (something this does not read)."""
    default = inp.default
    if isinstance(default, ast.Call):
        given = default.args[0] if default.args else None
        given = next((k.value for k in default.keywords if k.arg == "default"), given)
        if given is None:
            return _REQUIRED
        default = given
    if default is None or (isinstance(default, ast.Constant) and default.value is ...):
        return _REQUIRED
    if isinstance(default, ast.Name):
        value = _int_constant(facts, inp.src, default)
        return value if value is not None else _UNKNOWN
    if isinstance(default, ast.Constant) and default.value is None:
        return _EVERY
    if isinstance(default, ast.Constant) and type(default.value) is int:
        return default.value
    return _UNKNOWN


def _int_constant(facts: ModuleFacts, src: Source, node: ast.Name) -> int | None:
    """The value of a module-level ``NAME = 100``, of ``src`` or imported into it."""
    if facts.upstream is not None:
        found = facts.upstream.named(src, node, module_bindings_of)
        bound = found[1] if found is not None else None
    else:
        bound = module_bindings_of(src, node.id)
    if bound is None or len(bound) != 1:
        return None
    value = bound[0].value if isinstance(bound[0], ast.AnnAssign) else bound[0]
    if isinstance(value, ast.Constant) and type(value.value) is int:
        return value.value
    return None


def _cap_constant(
    facts: ModuleFacts, src: Source, line: int, name: str, default: int | None
) -> str | None:
    """The module's own cap on a page (bound before ``line``, or imported), when it has one
    (of several, the one that shares a word with the value's name); never one below the
    default."""
    names = [n for n in imported_names(src) if _caps_a_page(n)]
    for module in src.modules:
        for stmt in module.body:
            if isinstance(stmt, ast.Assign) and stmt.lineno < line:
                names.extend(
                    t.id for t in stmt.targets if isinstance(t, ast.Name) and _caps_a_page(t.id)
                )
    found = []
    for constant in dict.fromkeys(names):
        value = _int_constant(facts, src, ast.Name(id=constant))
        if value is not None and value >= 1 and (default is None or value >= default):
            found.append(constant)
    if len(found) > 1:
        words = set(name.upper().split("_"))
        found = [n for n in found if words & set(n.split("_"))]
    return found[0] if len(found) == 1 else None


def _caps_a_page(name: str) -> bool:
    if not _CONSTANT.fullmatch(name):
        return False
    words = set(name.split("_"))
    return "MAX" in words and bool(words & _CAP_WORDS) and not words & _NOT_CAPS


def _keywords(kind: str, cap: str | None) -> str:
    if kind == "limit":
        return f"ge=1, le={cap}" if cap is not None else "ge=1"
    return "ge=0" if kind == "offset" else "ge=1"


# --- the edits ------------------------------------------------------------------------------


def _edits(inp: _Input, bounds: str) -> list[Edit] | None:
    src = inp.src
    if inp.meta is not None:
        return [add_keyword(src, inp.meta, bounds)]
    if isinstance(inp.default, ast.Call):
        return [add_keyword(src, inp.default, bounds)]
    if isinstance(inp.holder, ast.AnnAssign):
        assert inp.cls is not None
        found = field_bound_edits(src, inp.cls, inp.holder, bounds)
        return list(found) if found is not None else None
    assert inp.func is not None and inp.holder.annotation is not None
    query = next((k for k, v in imported_names(src).items() if v == "fastapi.Query"), None)
    imports = [] if query is not None else ensure_imports(src, [("fastapi", "Query")])
    query = query or "Query"
    annotation = inp.holder.annotation
    if writes_annotated(src):
        text = f"Annotated[{src.text_of(annotation)}, {query}({bounds})]"
        return [*imports, replace_node(src, annotation, text)]
    if inp.default is not None:
        text = f"{query}({src.text_of(inp.default)}, {bounds})"
        return [*imports, replace_node(src, inp.default, text)]
    if not _may_take_default(inp.func, inp.holder):
        return None  # a default here would come before a parameter that has none
    end = src.end(annotation)
    return [*imports, Edit(src.path, Span(end, end), f" = {query}({bounds})")]


def writes_annotated(src: Source, markers: tuple[str, ...] = _PARAM_TYPES) -> bool:
    """The module writes its parameters ``Annotated[..., Query(...)]`` (or its model fields
    ``Annotated[..., Field(...)]``: ``markers``), with ``Annotated`` imported under its own
    name (the edit writes it so)."""
    cache: dict[tuple[str, ...], bool] = src.__dict__.setdefault("_writes_annotated", {})
    found = cache.get(markers)
    if found is None:
        imported = imported_names(src).get("Annotated", "")
        found = imported.endswith(".Annotated") and any(
            isinstance(node.value, ast.Name)
            and node.value.id == "Annotated"
            and isinstance(node.slice, ast.Tuple)
            and any(
                isinstance(i, ast.Call) and _named(i.func) in markers for i in node.slice.elts[1:]
            )
            for node in src.of(ast.Subscript)
        )
        cache[markers] = found
    return found


def _may_take_default(func: Function, arg: ast.arg) -> bool:
    if arg in func.args.kwonlyargs:
        return True
    positional = [*func.args.posonlyargs, *func.args.args]
    return positional.index(arg) == len(positional) - len(func.args.defaults) - 1


# --- Flask ----------------------------------------------------------------------------------


def _flask(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    src = facts.source
    reads: dict[Path, tuple[ast.Assign, ast.Call, int, Source]] = {}
    for node in src.nodes_of(route.func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.value, ast.Call)
            and src.function_of(node) is route.func
        ):
            target = node.targets[0]
            default = _typed_int_read(node.value) if "type=int" in src.text else None
            if default is None and isinstance(target, ast.Name):
                # ``request.args.get("per_page", type=int)`` handed to a project helper's
                # ``per_page=20``: None when left out, which overrides the helper's default
                default = _helper_default(facts, route, node.value, target.id)
                if default is not None:
                    reads[(target.id, None)] = (node, node.value, default, src)
                    continue
            if default is not None and isinstance(target, ast.Name):
                reads[(target.id, None)] = (node, node.value, default, src)
            elif default is None:
                reads.update(_helper_reads(facts, target, node.value))
    if not reads:
        return []
    reached = reached_uses(facts, route.func, set(reads))
    edits: list[Edit] = []
    bounds: list[_Bound] = []
    anchor: ast.AST | None = None
    for path, (stmt, call, default, where) in reads.items():
        use = reached.get(path)
        if use is None:
            continue
        helper = where.function_of(stmt) is not route.func
        if helper and use.kind != "limit":
            continue  # a helper's page or offset: its floor is the helper's own business
        text = _read_text(where, call, default)
        floored = helper and _floor_checked(where, stmt)
        if floored and use.capped_at:
            continue  # its floor where it is read, its cap in the helper it goes to
        if use.kind == "limit" and use.capped_at:
            # ``per_page = min(per_page, 100)`` in the helper stays the cap: the floor is new
            clamped, shown, why = f"max({text}, 1)", "1 or more", ""
        elif use.kind == "limit":
            cap, why = _size_cap(facts, where, stmt.lineno, path[0], default)
            clamped, shown = f"min(max({text}, 1), {cap})", f"1..{cap}"
            if floored:  # ``if per_page < 1: abort(400)`` after it stays the floor
                clamped = f"min({text}, {cap})"
        else:
            floor = 0 if use.kind == "offset" else 1
            clamped, shown, why = f"max({text}, {floor})", f"{floor} or more", ""
        edits.append(replace_node(where, call, clamped))
        bounds.append(_Bound(path[0], use, shown, why, floored, bool(use.capped_at)))
        anchor = anchor or (_route_statement(route, path[0]) if helper else stmt)
    if anchor is None:
        return []
    return [_suggestion(facts, anchor, bounds, tuple(edits), flask=True)]


def _helper_reads(
    facts: ModuleFacts, target: ast.expr, call: ast.Call
) -> dict[Path, tuple[ast.Assign, ast.Call, int, Source]]:
    """``page, per_page = pagination_args()``: the route's names a project function fills
    with its own ``request.args.get("per_page", 20, type=int)`` reads, returned as read (a
    floor checked on the way, ``if per_page < 1: abort(400)``, caps nothing)."""
    if facts.upstream is None or not isinstance(target, ast.Name | ast.Tuple):
        return {}
    found = facts.upstream.callee(facts.source, call)
    if found is None:
        return {}
    where, helper = found
    if "type=int" not in where.text:
        return {}
    returned = [n.value for n in ast.walk(helper) if isinstance(n, ast.Return) and n.value]
    if len(returned) != 1:
        return {}
    names = [target] if isinstance(target, ast.Name) else list(target.elts)
    values = [returned[0]] if isinstance(target, ast.Name) else None
    if values is None and isinstance(returned[0], ast.Tuple):
        values = list(returned[0].elts)
    if values is None or len(values) != len(names):
        return {}
    out: dict[Path, tuple[ast.Assign, ast.Call, int, Source]] = {}
    for name, value in zip(names, values, strict=True):
        if not (isinstance(name, ast.Name) and isinstance(value, ast.Name)):
            continue
        read = _read_into(facts, where, helper, value.id)
        if read is not None and not checked(where, helper, (value.id, None), "limit"):
            stmt, read_call, default = read
            out[(name.id, None)] = (stmt, read_call, default, where)
    return out


def _read_into(
    facts: ModuleFacts, src: Source, func: Function, name: str
) -> tuple[ast.Assign, ast.Call, int] | None:
    """The one ``name = request.args.get(..., type=int)`` of ``func`` (its default a number
    or a module's constant of one, ``DEFAULT_PER_PAGE``)."""
    bound = [
        n
        for n in src.nodes_of(func)
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
    ]
    if len(bound) != 1 or not isinstance(bound[0].value, ast.Call):
        return None
    default = _typed_int_read(bound[0].value, lambda n: _int_constant(facts, src, n))
    return (bound[0], bound[0].value, default) if default is not None else None


def _helper_default(facts: ModuleFacts, route: Route, read: ast.Call, name: str) -> int | None:
    """A ``request.args.get(..., type=int)`` with no default of its own, whose one local
    ``name`` the route hands to project helpers' parameters: their common int default."""
    if facts.upstream is None or not _no_default_read(read):
        return None
    src = facts.source
    defaults: set[int] = set()
    for node in src.nodes_of(route.func):
        if not isinstance(node, ast.Call) or src.function_of(node) is not route.func:
            continue
        given = [
            v for v in (*node.args, *(k.value for k in node.keywords)) if isinstance(v, ast.Name)
        ]
        if not any(v.id == name for v in given):
            continue
        followed = followed_call(facts.upstream, src, node)
        if followed is None:
            return None  # handed to something unread: its default is not known
        _, callee, params = followed
        for param, value in matched_arguments(node, params):
            if isinstance(value, ast.Name) and value.id == name:
                found = {a.arg: d for a, d in parameters_with_defaults(callee)}.get(param)
                if not (isinstance(found, ast.Constant) and type(found.value) is int):
                    return None
                defaults.add(found.value)
    return defaults.pop() if len(defaults) == 1 else None


def _no_default_read(node: ast.Call) -> bool:
    """``request.args.get("per_page", type=int)``: typed, with no default."""
    return (
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and dotted(node.func.value) in MULTIDICTS
        and len(node.args) == 1
        and any(
            k.arg == "type" and isinstance(k.value, ast.Name) and k.value.id == "int"
            for k in node.keywords
        )
        and not any(k.arg == "default" for k in node.keywords)
    )


def _read_text(src: Source, call: ast.Call, default: int) -> str:
    """The read as written, its default added when it has none (the helper's, which the
    ``None`` it gave when left out overrode)."""
    if not _no_default_read(call):
        return src.text_of(call)
    keywords = ", ".join(src.text_of(k) for k in call.keywords)
    return f"{src.text_of(call.func)}({src.text_of(call.args[0])}, {default}, {keywords})"


def _floor_checked(src: Source, read: ast.Assign) -> bool:
    """The helper that reads the value tests it against a floor (``if per_page < 1``)."""
    func = src.function_of(read)
    if func is None or not isinstance(read.targets[0], ast.Name):
        return False
    name = read.targets[0].id
    return any(
        isinstance(n, ast.Compare)
        and any(isinstance(s, ast.Name) and s.id == name for s in (n.left, *n.comparators))
        for n in src.nodes_of(func)
    )


def _route_statement(route: Route, name: str) -> ast.AST:
    """Where the route binds ``name`` (the suggestion is shown there)."""
    for node in ast.walk(route.func):
        if isinstance(node, ast.Assign) and any(
            isinstance(n, ast.Name) and n.id == name for t in node.targets for n in ast.walk(t)
        ):
            return node
    return route.func


def _typed_int_read(
    node: ast.Call, constant: Callable[[ast.Name], int | None] | None = None
) -> int | None:
    """``request.args.get("limit", 20, type=int)``'s default (None: not this read, or one
    with no number to fall back on, which ``max`` could not compare)."""
    if not (
        isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and dotted(node.func.value) in MULTIDICTS
        and node.args
    ):
        return None
    kind = next((k.value for k in node.keywords if k.arg == "type"), None)
    if not (isinstance(kind, ast.Name) and kind.id == "int"):
        return None
    default = node.args[1] if len(node.args) > 1 else None
    default = next((k.value for k in node.keywords if k.arg == "default"), default)
    if isinstance(default, ast.Constant) and type(default.value) is int:
        return default.value
    if isinstance(default, ast.Name) and constant is not None:
        return constant(default)
    return None


# --- the suggestion -------------------------------------------------------------------------


def _suggestion(
    facts: ModuleFacts,
    anchor: ast.AST | None,
    bounds: list[_Bound],
    edits: tuple[Edit, ...],
    flask: bool,
) -> Suggestion:
    src = facts.source
    title = "Bound " + " and ".join(f"`{b.label}` to {b.shown}" for b in bounds)
    sinks = _sinks([b.use for b in bounds])
    values = " and ".join(f"`{b.label}`" for b in bounds)
    why = next((b.why for b in bounds if b.why), "")
    cap = f"; the cap is {why}" if why else ""
    if flask:
        answer = (
            f"`type=int` checks the type, not the range: clamping keeps the page in bounds{cap}."
        )
    else:
        if all(b.floored for b in bounds):
            keywords = "`le=` makes"
        else:
            keywords = "`ge=`/`le=` make" if why else "`ge=` makes"
        answer = f"{keywords} FastAPI answer 422 instead{cap}."
    rationale = (
        f"{values} reach{'es' if len(bounds) == 1 else ''} {sinks} with no "
        f"{_missing_side(bounds)}bound{_upper_only(bounds)}: "
        f"{_harm(bounds, _on_sqlite(src.path))}. {answer}"
    )
    misspelled = tuple(dict.fromkeys(m for b in bounds for m in b.misspelled))
    if misspelled:
        names = " and ".join(misspelled)
        rationale += (
            f" {names} {'is' if len(misspelled) == 1 else 'are'} not a bound FastAPI knows "
            "(its bounds are `ge`, `gt`, `le` and `lt`): it is kept as an extra of the schema "
            "and nothing is checked, so the fix gives it its name."
        )
    span = src.span(anchor) if anchor is not None else src.span(src.modules[0])
    return Suggestion("BKD214", "validation", src.path, span, title, rationale, edits)


def _harm(bounds: list[_Bound], sqlite: bool = False) -> str:
    """What an out-of-range value does where these values go (``sqlite``: on the database
    the app runs on, SQLite, which reads a negative LIMIT as none and a negative OFFSET as 0)."""
    kinds = {b.use.kind for b in bounds}
    sliced = all(isinstance(b.use.node, ast.Subscript) for b in bounds)
    # a page size given its cap here, which it had nowhere on its way (one the code caps
    # already reads no huge page: ``if limit > 50: limit = 50`` in a service)
    capped = any(b.use.kind == "limit" and ".." in b.shown and not b.ceiled for b in bounds)
    if sliced:
        harm = "a negative value counts from the end of the rows (a wrong page)"
        huge = "a huge size returns every row at once"
    else:
        negative = {
            frozenset({"page"}): "`page=0` makes the OFFSET negative, which",
            frozenset({"offset"}): "a negative OFFSET",
            frozenset({"limit"}): "a negative LIMIT",
        }.get(frozenset(kinds), "a negative LIMIT or OFFSET")
        harm = f"{negative} is an error on PostgreSQL (a 500)"
        if sqlite:
            harm = (
                "on SQLite, which this app runs on, a negative LIMIT means no limit (every "
                "row at once) and a negative OFFSET reads as 0"
                if "limit" in kinds
                else "a negative OFFSET reads as 0 on SQLite (which this app runs on) and is an "
                "error on PostgreSQL"
            )
        size = next((b.label for b in bounds if b.use.kind == "limit"), "limit")
        size = size.rsplit(".", 1)[-1]
        huge = f"a huge page (`{size}=1000000000`) reads the whole table into one response"
    if all(b.floored for b in bounds):
        return huge
    return f"{harm}, and {huge}" if capped else harm


def _upper_only(bounds: list[_Bound]) -> str:
    """The code's own clamps from above on the values' way, which leave their floor open."""
    guards = [
        f"`{b.use.capped_by}`" + (f" in `{b.use.capped_in}`" if b.use.capped_in else "")
        for b in bounds
        if b.use.capped_by
    ]
    if not guards:
        return ""
    return f" ({' and '.join(guards)} caps it from above only)"


def _missing_side(bounds: list[_Bound]) -> str:
    """``upper `` when every value has its floor, ``lower `` when every one has its cap."""
    if all(b.floored for b in bounds):
        return "upper "
    if all(b.ceiled for b in bounds):
        return "lower "
    # beside a page size the code caps from above, an offset lacks its floor as well
    upper = any(b.use.capped_by for b in bounds)
    return "lower " if upper and all(b.ceiled or b.use.kind != "limit" for b in bounds) else ""


def _on_sqlite(path: str) -> bool:
    """The app talks to SQLite and shows nothing of PostgreSQL or MySQL."""
    if postgres_evidence(path) is not None or mysql_evidence(path) is not None:
        return False
    return sqlite_evidence(path) or sqlite_app(path)


def _route_argument(route: Route, name: str) -> ast.arg | None:
    args = route.func.args
    every = (*args.posonlyargs, *args.args, *args.kwonlyargs)
    return next((a for a in every if a.arg == name), None)


def _sinks(uses: list[PageUse]) -> str:
    """``.limit()` and `.offset()` in `list_items``: where the values go, by function."""
    by_helper: dict[str, list[str]] = {}
    for use in uses:
        node = use.node
        if use.clause:
            what = f"the SQL's `{use.clause}`"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            what = f"`.{node.func.attr}()`"
        else:
            what = "a slice"
        found = by_helper.setdefault(use.helper, [])
        if what not in found:
            found.append(what)
    return ", ".join(
        " and ".join(whats) + (f" in `{helper}`" if helper else "")
        for helper, whats in by_helper.items()
    )
