"""BKD211: a bound written under a name FastAPI and pydantic do not know (``lte=100``).

``Query(10, lte=100)``, ``Path(gte=1)``, ``Field(min=0)``: their bounds are ``ge``, ``gt``,
``le`` and ``lt``; any other keyword is kept as an extra of the OpenAPI schema and checked
by no one, so the number the author meant to bound is not. The fix gives the keyword its
name, keeping its value. Read: a route's number parameters (``int``, ``float``,
``Decimal``, optional or ``Annotated``) and the number fields of the pydantic body model it
takes. Not a string's ``min=``/``max=`` (the author may have meant a length), not SQLModel's
``Field`` (it refuses unknown keywords itself), and not a page size or offset BKD214 already
renames.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts
from .page_bounds import annotated, query_constant
from .positive_inputs import is_model, misspelled_keywords, model_fields, number_type
from .pyedits import replace_node
from .pysource import Source, dotted, imported_names, parameters_with_defaults

_MARKERS = ("Query", "Path", "Body", "Form", "Header", "Cookie")


def misspelled_bound_suggestions(
    facts: ModuleFacts, taken: set[tuple[str, int, int]]
) -> list[Suggestion]:
    """``taken``: where BKD214's edits already start (path, 0-based line, column)."""
    out: list[Suggestion] = []
    seen: set[int] = set()
    for route in facts.routes:
        if route.framework != "fastapi":
            continue
        for arg, default in parameters_with_defaults(route.func):
            if arg.annotation is None:
                continue
            plain, meta = annotated(arg.annotation)
            if number_type(plain) is not None:
                if isinstance(default, ast.Name):
                    default = query_constant(facts.source, default) or default
                for call in (meta, default):
                    out.extend(_renames(facts.source, call, _MARKERS, arg.arg, seen, taken))
            else:
                out.extend(_fields(facts, plain, seen, taken))
    return out


def _fields(
    facts: ModuleFacts, annotation: ast.expr, seen: set[int], taken: set[tuple[str, int, int]]
) -> list[Suggestion]:
    if facts.upstream is None or not isinstance(annotation, ast.Name | ast.Attribute):
        return []
    found = facts.upstream.resolve_class(facts.source, annotation)
    if found is None or not is_model(facts, *found, 0):
        return []
    out = []
    for src, _, stmt in model_fields(facts, *found, depth=0):
        if not _pydantic_field(src) or not isinstance(stmt.target, ast.Name):
            continue
        plain, meta = annotated(stmt.annotation)
        if number_type(plain) is None:
            continue
        for call in (meta, stmt.value):
            out.extend(_renames(src, call, ("Field",), stmt.target.id, seen, taken))
    return out


def _pydantic_field(src: Source) -> bool:
    """The module's ``Field`` is pydantic's (SQLModel's refuses an unknown keyword itself)."""
    return imported_names(src).get("Field", "").startswith("pydantic")


def _renames(
    src: Source,
    call: ast.expr | None,
    markers: tuple[str, ...],
    name: str,
    seen: set[int],
    taken: set[tuple[str, int, int]],
) -> list[Suggestion]:
    if not isinstance(call, ast.Call) or dotted(call.func).rsplit(".", 1)[-1] not in markers:
        return []
    out = []
    for keyword, right in misspelled_keywords(call):
        start = src.span(keyword).start
        at = (src.path, start.line, start.column)
        if id(keyword) in seen or at in taken:
            continue
        seen.add(id(keyword))
        value = src.text_of(keyword.value)
        marker = dotted(call.func).rsplit(".", 1)[-1]
        out.append(
            Suggestion(
                "BKD211",
                "validation",
                src.path,
                src.span(keyword),
                f"Rename `{keyword.arg}=` to `{right}=`: {marker} ignores it",
                f"`{keyword.arg}` is not a bound {marker} knows (its bounds are `ge`, `gt`, "
                f"`le` and `lt`): it is kept as an extra of the schema and nothing is checked, "
                f"so `{name}` takes any number. `{right}={value}` makes FastAPI answer 422 to "
                "a value past it.",
                (replace_node(src, keyword, f"{right}={value}"),),
            )
        )
    return out
