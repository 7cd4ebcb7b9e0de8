"""BKD202 for a date built from the parts of a Django view's URL: ``date(int(year),
int(month), int(day))`` or ``datetime.strptime(kwargs["day"], "%Y-%m-%d")``.

The URL's pattern (``(?P<month>\\d{2})``, ``<int:day>``) only says the parts are digits: the
calendar still refuses 2025-02-31 or month 13, and the ValueError is a 500 for a page that
does not exist (a judged app's feed by date did so, while its sibling view caught it). A
converter that guarantees the format is not enough, so the pattern never silences this.

Silent when a ``try`` around takes ValueError (or anything broader) or an app-wide handler
does. The fix wraps the statement and answers 404, as for any URL naming nothing: Django's
``Http404``, which DRF answers too.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .mapping_keys import url_value
from .pyedits import ensure_imports, replace_statement, wrapped_in_try
from .pysource import dotted

_BUILDERS = frozenset({"datetime.date", "datetime.datetime"})
_PARSERS = frozenset({"strptime", "fromisoformat"})
_PARTS = ("year", "month", "day")


def date_part_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "django" or facts.handled_by_app({"ValueError"}):
        return []
    out: list[Suggestion] = []
    done: set[int] = set()
    for node in facts.source.nodes_of(route.func):
        if not isinstance(node, ast.Call):
            continue
        parts = _url_parts(facts, route, node)
        if not parts or caught(node, facts.up, {"ValueError"}):
            continue
        stmt = enclosing_statement(node, facts.up)
        if stmt is None or id(stmt) in done or not isinstance(stmt, ast.Assign | ast.Return):
            continue
        done.add(id(stmt))
        out.append(_suggestion(facts, node, stmt, parts))
    return out


def _url_parts(facts: ModuleFacts, route: Route, call: ast.Call) -> list[tuple[str, str]]:
    """The URL parts (label, what the pattern lets through) a date built or parsed by
    ``call`` comes from."""
    written = dotted(call.func)
    full = _qualified(facts, written)
    if full in _BUILDERS:
        given = [*call.args[:3], *(k.value for k in call.keywords if k.arg in _PARTS)]
        values = [_int_of(a) or a for a in given]
    elif (
        written.rsplit(".", 1)[-1] in _PARSERS
        and _qualified(facts, written.rsplit(".", 1)[0]) in _BUILDERS
    ):
        values = call.args[:1]
    else:
        return []
    found = [url_value(facts, route, v) for v in values]
    return [(text.label, part.kind) for text, part in (f for f in found if f is not None)]


def _qualified(facts: ModuleFacts, written: str) -> str:
    head, _, rest = written.partition(".")
    full = facts.imports.get(head)
    if full is None:
        return written
    return f"{full}.{rest}" if rest else full


def _int_of(node: ast.expr) -> ast.expr | None:
    """``x`` of ``int(x)``."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "int"
        and len(node.args) == 1
    ):
        return node.args[0]
    return None


def _suggestion(
    facts: ModuleFacts, call: ast.Call, stmt: ast.stmt, parts: list[tuple[str, str]]
) -> Suggestion:
    src = facts.source
    text = wrapped_in_try(src, stmt, "ValueError", 'raise Http404("No such date.") from None')
    listed = ", ".join(f"`{label}`" for label, _kind in parts)
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(call),
        "Answer 404 for a date the calendar does not have",
        f"The date comes from the URL's {listed}, which no URL pattern holds to the "
        "calendar: an impossible date (2025-02-31, month 13) raises ValueError here, a 500 "
        "for a URL that names nothing. Caught, it answers 404.",
        (*ensure_imports(src, [("django.http", "Http404")]), replace_statement(src, stmt, text)),
    )
