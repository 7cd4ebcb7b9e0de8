"""BKD216: ``exclude_unset=True`` of a pydantic model FastAPI builds from the query.

``updated: ProductUpdate = Depends()`` makes each field a query parameter, and FastAPI calls
the model with every one of them, defaults included: every field is "set", so
``updated.model_dump(exclude_unset=True)`` keeps the ones the client left out, as None, and a
partial update writes NULL over them (a real app's product PATCH: an IntegrityError on a NOT
NULL column, a 500, or a foreign key nulled silently). ``exclude_none=True`` drops them: a
query parameter cannot send a null anyway.

Only for ``Depends()`` with no argument (or ``Annotated[M, Depends()]``) of a project model
every field of which is required or defaults to None (a field with another default would
still be written), not for a body. A ``del fields["key"]`` of the dump becomes
``fields.pop("key", None)``: the key is no longer there when the client does not send it.

The same trap with an ``as_form`` classmethod (form_factories.py): ``data: RoomUpdate =
Depends(RoomUpdate.as_form)`` passes ``cls(...)`` each of its ``Form(None)`` parameters, so
each is set, None for every field the client left out (a real student-admin app's seven
partial-update forms, musts: None written into NOT NULL columns). Only where every parameter
the method passes defaults to None (one required says the form is a whole replacement), and
where the dump's every value is written as it is (``for k, v in ....items(): setattr(row, k,
v)`` testing no ``v``, or ``row.update(dump)``), in the route or in the function the route
hands the model to (``crud.update_salary_expense(db, expense_id, data)``) when the route is
its one caller: the suggestion is at the route's call, the edit in that function. The fix adds
``exclude_none=True`` beside ``exclude_unset=True``: a field the method does not pass stays
unset.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .form_factories import FormFactory, Param, form_factory, marker_named
from .frameworks import ModuleFacts, Route
from .page_bounds import annotated
from .positive_inputs import model_fields
from .pyedits import replace_node
from .pysource import Source, dotted, is_none, keyword_value, top_level_class

Function = ast.FunctionDef | ast.AsyncFunctionDef

_DUMPS = {"model_dump", "dict"}
_MARKERS = ("Form", "Query", "Body")


def query_model_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi":
        return []
    func = route.func
    unset = "exclude_unset" in facts.source.text
    out = []
    for arg, default in _parameters(func):
        model = _query_model(facts, arg, default) if unset else None
        if model is None:
            factory = form_factory(facts, arg, default)
            if factory is not None and _sets_every_field(factory):
                out.extend(_factory_dumps(facts, func, arg, factory))
            continue
        for node in ast.walk(func):
            keyword = unset_dump(node, arg.arg)
            if keyword is not None:
                assert isinstance(node, ast.Call)
                out.append(_suggestion(facts, func, arg, model, node, keyword))
    return out


def _sets_every_field(factory: FormFactory) -> bool:
    """Each ``cls(...)`` passes its fields parameters that default to None (by keyword, or
    all of them through ``**locals()``): a field the client leaves out is a None the model
    holds as set."""
    for call in factory.builds:
        if call.args:
            return False
        if any(k.arg is None and _of_locals(k.value) for k in call.keywords):
            passed = list(factory.params.values())
        elif any(k.arg is None for k in call.keywords):
            return False
        else:
            passed = list(factory.filled(call).values())
        if not passed or not all(_defaults_to_none(p) for p in passed):
            return False
    return True


def _of_locals(node: ast.expr) -> bool:
    """``**locals()``, ``**{k: v for k, v in locals().items() if k != "cls"}``."""
    return any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "locals"
        for n in ast.walk(node)
    )


def _defaults_to_none(param: Param) -> bool:
    """``= Form(None)``, ``= Form(default=None)``, ``= None`` (``Annotated[..., Form()] =
    None``)."""
    default = param[1]
    if default is not None and is_none(default):
        return True
    marker = marker_named(param, _MARKERS)
    if marker is None:
        return False
    first = marker.args[0] if marker.args else keyword_value(marker, "default")
    if first is None:
        return default is not None and is_none(default)
    return is_none(first)


def _factory_dumps(
    facts: ModuleFacts, func: Function, arg: ast.arg, factory: FormFactory
) -> list[Suggestion]:
    """The unset dumps of the factory's model whose every value is written: in the route, or
    in the project function the route hands the model to (``crud.update(db, id, data)``)."""
    src = facts.source
    out = []
    for node in ast.walk(func):
        keyword = unset_dump(node, arg.arg)
        if keyword is not None and writes_each(func, node, src):
            assert isinstance(node, ast.Call)
            out.append(_factory_suggestion(facts, arg, factory, node, src, keyword, node))
    if facts.upstream is None:
        return out
    for call in src.nodes_of(func):
        if not isinstance(call, ast.Call):
            continue
        handed = [i for i, a in enumerate(call.args) if isinstance(a, ast.Name) and a.id == arg.arg]
        if len(handed) != 1:
            continue
        found = facts.upstream.callee(src, call)
        if found is None:
            continue
        where, helper = found
        positional = [*helper.args.posonlyargs, *helper.args.args]
        if positional and positional[0].arg in ("self", "cls"):
            continue  # a method: which argument is which depends on how it is called
        if handed[0] >= len(positional):
            continue
        name = positional[handed[0]].arg
        if not _only_caller(facts, helper.name, call):
            continue  # another caller (a JSON PATCH) may mean its nulls: the edit is theirs too
        for node in where.nodes_of(helper):
            keyword = unset_dump(node, name)
            if keyword is not None and writes_each(helper, node, where):
                assert isinstance(node, ast.Call)
                out.append(_factory_suggestion(facts, arg, factory, node, where, keyword, call))
    return out


def writes_each(func: Function, dump: ast.AST, src: Source) -> bool:
    """Every value of the dump is written as it is: ``for k, v in dump.items(): setattr(row,
    k, v)`` with no test of ``v``, or ``row.update(dump)``; the dump bound to a local first
    counts too."""
    up = src.up()
    uses: list[ast.AST] = [dump]
    bound = up.get(dump)
    if (
        isinstance(bound, ast.Assign)
        and bound.value is dump
        and len(bound.targets) == 1
        and isinstance(bound.targets[0], ast.Name)
    ):
        local = bound.targets[0].id
        uses = [
            n
            for n in src.nodes_of(func)
            if isinstance(n, ast.Name) and n.id == local and isinstance(n.ctx, ast.Load)
        ]
    for use in uses:
        parent = up.get(use)
        if (
            isinstance(parent, ast.Call)
            and use in parent.args
            and isinstance(parent.func, ast.Attribute)
            and parent.func.attr == "update"
        ):
            return True
        if not (isinstance(parent, ast.Attribute) and parent.attr == "items"):
            continue
        called = up.get(parent)
        loop = up.get(called) if called is not None else None
        if not (
            isinstance(loop, ast.For)
            and loop.iter is called
            and isinstance(loop.target, ast.Tuple)
            and len(loop.target.elts) == 2
            and isinstance(loop.target.elts[1], ast.Name)
        ):
            continue
        value = loop.target.elts[1].id
        body = [n for stmt in loop.body for n in ast.walk(stmt)]
        tests = [n.test for n in body if isinstance(n, ast.If | ast.IfExp | ast.While)]
        if any(isinstance(n, ast.Name) and n.id == value for t in tests for n in ast.walk(t)):
            return False  # ``if value is not None``: the loop skips what was not sent
        if any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id == "setattr"
            and any(isinstance(a, ast.Name) and a.id == value for a in n.args)
            for n in body
        ):
            return True
    return False


def _only_caller(facts: ModuleFacts, name: str, call: ast.Call) -> bool:
    """``call`` is the one call of the project function ``name`` the project makes."""
    sources = list(facts.writers(name)) if facts.writers is not None else [facts.source]
    calls = [
        c
        for source in sources
        for c in source.of(ast.Call)
        if isinstance(c, ast.Call) and dotted(c.func).split(".")[-1] == name
    ]
    return calls == [call]


def _factory_suggestion(
    facts: ModuleFacts,
    arg: ast.arg,
    factory: FormFactory,
    dump: ast.Call,
    where: Source,
    keyword: ast.keyword,
    at: ast.Call,
) -> Suggestion:
    forms = all(marker_named(p, ("Form",)) is not None for p in factory.params.values())
    cannot = (
        "a form field cannot send a null: only one left out is None"
        if forms
        else "a parameter cannot send a null"
    )
    place = "" if where is facts.source else f" in `{dotted(at.func)}`"
    return Suggestion(
        "BKD216",
        "validation",
        facts.source.path,
        facts.source.span(at),
        f"Use `exclude_none=True` for `{arg.arg}`: {factory.name} sets every field",
        f"`{factory.name}` passes the model each of its parameters, None for every one the "
        "client leaves out, so every field is set: `exclude_unset=True`"
        f"{place} drops nothing, and the update writes None over each stored value the "
        "client did not send (an IntegrityError, a 500, on a NOT NULL column, or a value "
        f"erased). `exclude_none=True` drops them ({cannot}).",
        (replace_node(where, keyword, f"{where.text_of(keyword)}, exclude_none=True"),),
    )


def _parameters(func: Function) -> list[tuple[ast.arg, ast.expr | None]]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    pairs: list[tuple[ast.arg, ast.expr | None]] = []
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs.extend(zip(positional, defaults, strict=True))
    pairs.extend(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    return pairs


def _query_model(facts: ModuleFacts, arg: ast.arg, default: ast.expr | None) -> str | None:
    """The model ``arg`` is built as from the query: ``M = Depends()``, ``Annotated[M,
    Depends()]``, when every field of M is required or defaults to None."""
    if arg.annotation is None:
        return None
    annotation, marker = annotated(arg.annotation)
    marker = marker or (default if isinstance(default, ast.Call) else None)
    if (
        marker is None
        or dotted(marker.func).split(".")[-1] != "Depends"
        or marker.args
        or marker.keywords
        or not isinstance(annotation, ast.Name | ast.Attribute)
    ):
        return None
    found = _class(facts, annotation)
    if found is None:
        return None
    fields = model_fields(facts, *found, 0)
    if not fields or not all(required_or_none(f[2].value) for f in fields):
        return None
    if not any(f[2].value is not None for f in fields):
        return None  # all required: every field is the client's
    return dotted(annotation)


def _class(
    facts: ModuleFacts, node: ast.Name | ast.Attribute
) -> tuple[Source, ast.ClassDef] | None:
    if facts.upstream is not None:
        return facts.upstream.resolve_class(facts.source, node)
    own = top_level_class(facts.source, node.id) if isinstance(node, ast.Name) else None
    return (facts.source, own) if own is not None else None


def required_or_none(value: ast.expr | None) -> bool:
    """A field's default is none or None (``= None``, ``Field(None, ...)``,
    ``Field(default=None)``)."""
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return True
    if isinstance(value, ast.Call) and dotted(value.func).split(".")[-1] == "Field":
        if any(k.arg in ("default_factory",) for k in value.keywords):
            return False
        first = value.args[0] if value.args else None
        first = next((k.value for k in value.keywords if k.arg == "default"), first)
        if first is None:
            return True  # ``Field(description=...)``: required
        return isinstance(first, ast.Constant) and first.value in (None, Ellipsis)
    return False


def unset_dump(node: ast.AST, name: str) -> ast.keyword | None:
    """``name.model_dump(exclude_unset=True)`` (or ``.dict(...)``) with no ``exclude_none``:
    its ``exclude_unset`` keyword."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _DUMPS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == name
    ):
        return None
    if any(k.arg == "exclude_none" for k in node.keywords):
        return None
    return next(
        (
            k
            for k in node.keywords
            if k.arg == "exclude_unset" and isinstance(k.value, ast.Constant) and k.value.value
        ),
        None,
    )


def _deletes(func: Function, call: ast.Call) -> list[tuple[ast.Delete, str, str]]:
    """``del fields["inventory"]`` of the local the dump is bound to: the statement, the
    local, the key as written."""
    stmt = next(
        (
            n
            for n in ast.walk(func)
            if isinstance(n, ast.Assign) and n.value is call and len(n.targets) == 1
        ),
        None,
    )
    if stmt is None or not isinstance(stmt.targets[0], ast.Name):
        return []
    local = stmt.targets[0].id
    out = []
    for node in ast.walk(func):
        if isinstance(node, ast.Delete) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and target.value.id == local
                and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)
            ):
                out.append((node, local, ast.unparse(target.slice)))
    return out


def _suggestion(
    facts: ModuleFacts,
    func: Function,
    arg: ast.arg,
    model: str,
    call: ast.Call,
    keyword: ast.keyword,
) -> Suggestion:
    src = facts.source
    edits: list[Edit] = [replace_node(src, keyword, f"{src.text_of(keyword)}, exclude_none=True")]
    also = ""
    deletes = _deletes(func, call)
    for stmt, local, key in deletes:
        edits.append(replace_node(src, stmt, f"{local}.pop({key}, None)"))
    if deletes:
        stmt, local, key = deletes[0]
        also = (
            f" `del {local}[{key}]` becomes `{local}.pop({key}, None)`: the key is not there "
            "when the client does not send it."
        )
    return Suggestion(
        "BKD216",
        "validation",
        src.path,
        src.span(call),
        f"Use `exclude_none=True` for `{arg.arg}`: FastAPI sets every query field",
        f"`{arg.arg}: {model} = Depends()` is built from query parameters, and FastAPI passes "
        "the model every one of them, defaults included: `exclude_unset=True` drops nothing, "
        "so each field the client left out arrives as None and is written as NULL (an "
        "IntegrityError, a 500, on a NOT NULL column, or a value erased). "
        f"`exclude_none=True` drops them (a query parameter cannot send a null).{also}",
        tuple(edits),
    )
