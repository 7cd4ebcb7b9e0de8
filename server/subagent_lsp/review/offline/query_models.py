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
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .page_bounds import annotated
from .positive_inputs import model_fields
from .pyedits import replace_node
from .pysource import Source, dotted, top_level_class

Function = ast.FunctionDef | ast.AsyncFunctionDef

_DUMPS = {"model_dump", "dict"}


def query_model_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or "exclude_unset" not in facts.source.text:
        return []
    func = route.func
    out = []
    for arg, default in _parameters(func):
        model = _query_model(facts, arg, default)
        if model is None:
            continue
        for node in ast.walk(func):
            keyword = unset_dump(node, arg.arg)
            if keyword is not None:
                assert isinstance(node, ast.Call)
                out.append(_suggestion(facts, func, arg, model, node, keyword))
    return out


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
    edits: list[Edit] = [replace_node(src, keyword, "exclude_none=True")]
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
