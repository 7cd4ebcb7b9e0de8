"""BKD217: a partial update that writes a client's explicit ``null`` into a NOT NULL column.

An update model's ``name: Optional[str] = None`` lets the client leave the field out and
send ``{"name": null}`` alike. ``model_dump(exclude_unset=True)`` drops only what was left
out, so the null is kept, and ``setattr(row, "name", None)`` (or ``query.update(...)``,
``row.sqlmodel_update(...)``) writes it: on a NOT NULL column an IntegrityError at commit, a
500 (a real quiz API's user update stored such a null, and every later request of that user
failed). ``exclude_none=True`` beside it drops the explicit nulls too.

Read for a FastAPI body model (not ``Depends()``: BKD216's) whose fields that default to None
all land on NOT NULL columns of the one model the route names whose table has every field:
a field that may be cleared (a nullable column) would lose that with ``exclude_none``, so
then nothing is said.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .fastapi_params import body_params
from .frameworks import ModuleFacts, Route
from .page_bounds import annotated
from .positive_inputs import model_fields
from .pyedits import replace_node
from .pysource import Source, dotted
from .query_models import required_or_none, unset_dump, writes_each
from .schema import Table

CODE = "BKD217"

Function = ast.FunctionDef | ast.AsyncFunctionDef


def null_update_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or "exclude_unset" not in facts.source.text:
        return []
    if facts.schema is None or facts.upstream is None:
        return []
    func = route.func
    out: list[Suggestion] = []
    for arg in body_params(func):
        if arg.annotation is None:
            continue
        annotation, marker = annotated(arg.annotation)
        if marker is not None or not isinstance(annotation, ast.Name | ast.Attribute):
            continue
        found = facts.upstream.resolve_class(facts.source, annotation)
        if found is None:
            continue
        fields = model_fields(facts, *found, 0)
        if not fields:
            continue
        for node in ast.walk(func):
            keyword = unset_dump(node, arg.arg)
            if keyword is None or not isinstance(node, ast.Call):
                continue
            if not writes_each(func, node, facts.source):
                continue
            made = _suggestion(facts, route, arg, fields, node, keyword)
            if made is not None:
                out.append(made)
    return out


def _nullable_fields(fields: list[tuple[Source, ast.ClassDef, ast.AnnAssign]]) -> list[str]:
    """The fields a client may send as null: ``Optional[X]`` / ``X | None`` defaulting to
    None."""
    out = []
    for _, _, stmt in fields:
        if not isinstance(stmt.target, ast.Name) or stmt.value is None:
            continue
        if not required_or_none(stmt.value) or not _optional(stmt.annotation):
            continue
        out.append(stmt.target.id)
    return out


def _optional(annotation: ast.expr) -> bool:
    text = ast.unparse(annotation).replace(" ", "")
    return (
        text.startswith(("Optional[", "typing.Optional["))
        or "|None" in text
        or (text.startswith("None|"))
    )


def _target_table(facts: ModuleFacts, route: Route, names: list[str]) -> Table | None:
    """The one model the route names whose table has a column for every field."""
    assert facts.schema is not None
    mentioned = {
        n.id for n in ast.walk(route.func) if isinstance(n, ast.Name) and n.id[:1].isupper()
    }
    found = []
    for name in sorted(mentioned):
        table = facts.schema.table_for_model(name)
        if table is not None and all(n in table.columns for n in names):
            found.append(table)
    return found[0] if len(found) == 1 else None


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    arg: ast.arg,
    fields: list[tuple[Source, ast.ClassDef, ast.AnnAssign]],
    dump: ast.Call,
    keyword: ast.keyword,
) -> Suggestion | None:
    nullable = _nullable_fields(fields)
    every = [s.target.id for _, _, s in fields if isinstance(s.target, ast.Name)]
    if not nullable:
        return None
    table = _target_table(facts, route, every)
    if table is None:
        return None
    if any(table.columns[n].nullable is not False for n in nullable):
        return None  # a field that may be cleared: exclude_none would lose that
    src = facts.source
    model = dotted(annotated(arg.annotation)[0]) if arg.annotation is not None else ""
    shown = ", ".join(f"`{n}`" for n in nullable[:3])
    more = f" (and {len(nullable) - 3} more)" if len(nullable) > 3 else ""
    why = (
        f"`{model}` declares {shown}{more} optional with a None default, so the client may "
        f'send `{{"{nullable[0]}": null}}` as well as leave it out: `exclude_unset=True` drops '
        f"only what was left out, and the null is written into `{table.name}.{nullable[0]}`, "
        "which is NOT NULL: an IntegrityError at commit, a 500. `exclude_none=True` drops "
        "explicit nulls too; none of these columns can hold one."
    )
    title = f"Drop explicit nulls from `{arg.arg}` before the update"
    edit = replace_node(src, keyword, f"{src.text_of(keyword)}, exclude_none=True")
    return Suggestion(CODE, "validation", src.path, src.span(dump), title, why, (edit,))
