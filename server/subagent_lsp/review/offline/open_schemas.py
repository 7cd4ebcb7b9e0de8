"""Mass assignment through a schema that lets unknown fields in (BKD207).

``class SamplePatch(BaseModel): model_config = ConfigDict(extra="allow")`` and then ``for field,
value in body.model_dump(exclude_unset=True).items(): setattr(sample, field, value)``: the
schema validates the fields it names and passes every other key through, so the client sets
``status``, ``id`` or an owner the endpoint never offered (planted set 5). The fix is in the
schema: ``extra="ignore"`` (pydantic's default) drops the unknown keys, so the loop sets only
what the schema names; ``"forbid"`` would answer 422 instead, a choice for the reviewer.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .mass_assignment import filters_key, setattr_of
from .pysource import Source, dotted

_DUMPS = ("model_dump", "dict")


def open_schema_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or facts.upstream is None:
        return []
    out: list[Suggestion] = []
    for arg in [*route.func.args.args, *route.func.args.kwonlyargs]:
        if not isinstance(arg.annotation, ast.Name):
            continue
        found = facts.upstream.resolve_class(facts.source, arg.annotation)
        if found is None:
            continue
        schema_source, schema = found
        allow = _allow_extra(schema)
        if allow is None:
            continue
        loop = _setting_loop(facts.source, route.func, arg.arg)
        if loop is None:
            continue
        out.append(_suggestion(facts, route, loop, schema_source, schema, allow))
    return out


def _allow_extra(cls: ast.ClassDef) -> ast.Constant | None:
    """The ``"allow"`` of ``model_config = ConfigDict(extra="allow")`` (pydantic 2) or of a
    ``class Config: extra = "allow"`` (pydantic 1)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ):
            value = stmt.value
            if isinstance(value, ast.Call):
                for kw in value.keywords:
                    if kw.arg == "extra" and _is_allow(kw.value):
                        return kw.value  # type: ignore[return-value]
            if isinstance(value, ast.Dict):
                for key, item in zip(value.keys, value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "extra" and _is_allow(item):
                        return item  # type: ignore[return-value]
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if (
                    isinstance(inner, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "extra" for t in inner.targets)
                    and _is_allow(inner.value)
                ):
                    return inner.value  # type: ignore[return-value]
    return None


def _is_allow(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "allow"


def _setting_loop(source: Source, func: ast.AST, param: str) -> ast.For | None:
    """``for k, v in <param>.model_dump(...).items(): setattr(row, k, v)`` (also through a
    local bound to the dump), unfiltered by key."""
    nodes = source.nodes_of(func)
    dumps = {
        t.id
        for n in nodes
        if isinstance(n, ast.Assign) and _dump_of(n.value, param)
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    for loop in nodes:
        if not isinstance(loop, ast.For) or not isinstance(loop.iter, ast.Call):
            continue
        items = loop.iter.func
        if not (isinstance(items, ast.Attribute) and items.attr == "items"):
            continue
        owner = items.value
        if not (_dump_of(owner, param) or (isinstance(owner, ast.Name) and owner.id in dumps)):
            continue
        target = loop.target
        if not (isinstance(target, ast.Tuple) and isinstance(target.elts[0], ast.Name)):
            continue
        key = target.elts[0].id
        if setattr_of(loop, key) is not None and not filters_key(loop, key):
            return loop
    return None


def _dump_of(node: ast.expr, param: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _DUMPS
        and dotted(node.func.value) == param
    )


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    loop: ast.For,
    schema_source: Source,
    schema: ast.ClassDef,
    allow: ast.Constant,
) -> Suggestion:
    src = facts.source
    quote = schema_source.text_of(allow)[0]
    edit = Edit(schema_source.path, schema_source.span(allow), f"{quote}ignore{quote}")
    return Suggestion(
        "BKD207",
        "validation",
        src.path,
        src.span(loop.iter),
        f"Keep unknown fields out of {schema.name}",
        f'`{schema.name}` is declared with `extra="allow"`, so every key the client sends '
        f"passes validation, and `{route.func.name}` sets each one on the row: a client can "
        "set attributes the schema never names (a status, an id, an owner). "
        '`extra="ignore"` drops them, so only the fields the schema declares are set '
        '(`"forbid"` would answer 422 instead).',
        (edit,),
    )
