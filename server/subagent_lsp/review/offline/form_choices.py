"""A lookup keyed by a validated choice of a WTForms form: ``db.session.get(Venue,
form.venue_id.data)`` inside ``if form.validate_on_submit():``, where ``venue_id`` is a
``SelectField`` whose choices the view filled from the rows it loaded. The field's own
``pre_validate`` rejected any value not among them, so the row is there: no 404 to suggest.

Free-text fields (``HiddenField``, ``IntegerField``, ``StringField``) stay the client's.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts, Route
from .pysource import dotted
from .try_blocks import validated_by_form

# Fields that accept only one of their choices (QuerySelectField: one of its query's rows).
_CHOICE_FIELDS = {
    "SelectField",
    "RadioField",
    "QuerySelectField",
    "SelectMultipleField",
    "QuerySelectMultipleField",
}


def chosen_from_form(facts: ModuleFacts, call: ast.Call, route: Route) -> bool:
    """Every ``form.<field>.data`` the lookup reads is a choice field of the form's class,
    read where the form has been validated; and the lookup reads nothing else the client
    sent (no ``request``)."""
    reads = [n for n in ast.walk(call) if _field_data(n)]
    if not reads or not validated_by_form(call, facts.up):
        return False
    if any(isinstance(n, ast.Name) and n.id == "request" for n in ast.walk(call)):
        return False
    return all(_choice_field(facts, route, n) for n in reads)


def _field_data(node: ast.AST) -> bool:
    """``form.venue_id.data``."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "data"
        and isinstance(node.value, ast.Attribute)
        and isinstance(node.value.value, ast.Name)
    )


def _choice_field(facts: ModuleFacts, route: Route, node: ast.AST) -> bool:
    assert isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
    form, field = node.value.value, node.value.attr
    assert isinstance(form, ast.Name)
    cls = _form_class(facts, route, form.id)
    if cls is None:
        return False
    for stmt in cls.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign)
            else []
        )
        if not any(isinstance(t, ast.Name) and t.id == field for t in targets):
            continue
        kind = dotted(value.func).rsplit(".", 1)[-1] if isinstance(value, ast.Call) else ""
        return kind in _CHOICE_FIELDS
    return False


def _form_class(facts: ModuleFacts, route: Route, name: str) -> ast.ClassDef | None:
    """The class of ``form = EventForm()`` in the route: this module's or the project's."""
    if facts.upstream is None:
        return None
    for node in ast.walk(route.func):
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
            and isinstance(node.value, ast.Call)
        ):
            continue
        found = facts.upstream.resolve_class(facts.source, node.value.func)
        return found[1] if found is not None else None
    return None
