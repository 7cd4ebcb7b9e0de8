"""BKD317: ``.filter(Model.col is None)``: Python's ``is`` in a SQLAlchemy condition.

``Model.col`` is the mapped attribute, an object that is never None, True or False, so Python
decides ``Model.col is None`` before SQLAlchemy sees it: the filter gets the constant
``False`` (``WHERE false``, no row ever) or, for ``is not``, ``True`` (the condition is gone,
every row comes back). Nothing raises; the query is simply wrong. ``==`` would have been
overloaded, ``is`` cannot be: the column's ``is_()`` / ``is_not()`` say ``IS NULL``.

Only a mapped attribute of a model the schema knows (a SQLAlchemy class, its column or
relationship; a Core table's ``t.c.col``), compared with None, True or False, as the
condition of ``filter`` / ``where`` / ``having`` or of ``and_`` / ``or_`` / ``not_``.
``filter_by`` takes keywords and is not affected. ``is_not`` is 1.4's name; a project that
allows an older SQLAlchemy gets ``isnot``.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pysource import dotted

_QUERIES = frozenset({"filter", "where", "having"})
_COMBINERS = frozenset({"and_", "or_", "not_"})
_CONSTANTS = (None, True, False)


def identity_filter_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if facts.schema is None or not facts.schema.models:
        return []
    src = facts.source
    out: list[Suggestion] = []
    negate: str | None = None
    for node in src.walk():
        if not _identity_test(node):
            continue
        assert isinstance(node, ast.Compare)
        column = _mapped(facts, node.left)
        if column is None or not _in_condition(facts, node):
            continue
        if negate is None:
            negate = _is_not(facts)
        value = src.text_of(node.comparators[0])
        written = src.text_of(node.left)
        positive = isinstance(node.ops[0], ast.Is)
        method = "is_" if positive else negate
        # what Python makes of it: the attribute is never the constant
        outcome = (
            "`False`: the query says `WHERE false` and never returns a row"
            if positive
            else "`True`: the condition is dropped and every row comes back"
        )
        op = "is" if positive else "is not"
        out.append(
            Suggestion(
                "BKD317",
                "error-handling",
                src.path,
                src.span(node),
                f"`{written} {op} {value}` is decided by Python, not the database",
                f"`{written}` is the model's mapped attribute, never `{value}` itself, so "
                f"Python evaluates `{src.text_of(node)}` to {outcome}. `{written}.{method}"
                f"({value})` is the SQL test (`IS {'' if positive else 'NOT '}"
                f"{'NULL' if value == 'None' else value.lower()}`).",
                (Edit(src.path, src.span(node), f"{written}.{method}({value})"),),
            )
        )
    return out


def _identity_test(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Is | ast.IsNot)
        and isinstance(node.comparators[0], ast.Constant)
        and any(node.comparators[0].value is c for c in _CONSTANTS)
    )


def _mapped(facts: ModuleFacts, left: ast.expr) -> str | None:
    """``Model.col`` (or ``models.Model.col``) of a SQLAlchemy model: the attribute's name."""
    if not isinstance(left, ast.Attribute):
        return None
    assert facts.schema is not None
    written = dotted(left.value)
    if written.endswith(".c"):
        # a Core table's column: ``users.c.deleted_at``
        core = facts.schema.table_named(written[:-2].rsplit(".", 1)[-1])
        return left.attr if core is not None and left.attr in core.columns else None
    owner = written.rsplit(".", 1)[-1]
    table = facts.schema.table_for_model(owner) if owner[:1].isupper() else None
    if table is None or table.origin != "sqlalchemy":
        return None
    name = left.attr
    known = name in table.columns or name in table.attributes or name in table.relationships
    return name if known else None


def _in_condition(facts: ModuleFacts, node: ast.AST) -> bool:
    """The test is (part of) a query's condition: the first call around it is ``filter`` /
    ``where`` / ``having``, or ``and_`` / ``or_`` / ``not_`` (which only build conditions)."""
    current = facts.up.get(node)
    while current is not None:
        if isinstance(current, ast.Call):
            name = dotted(current.func).rsplit(".", 1)[-1]
            if name in _QUERIES:
                return isinstance(current.func, ast.Attribute)
            return name in _COMBINERS
        if not isinstance(current, ast.BoolOp | ast.UnaryOp):
            return False
        current = facts.up.get(current)
    return False


def _is_not(facts: ModuleFacts) -> str:
    """``is_not``, SQLAlchemy 1.4's name; ``isnot`` where the project allows an older one."""
    version = facts.package_version("sqlalchemy") if facts.package_version else None
    return "isnot" if version is not None and version < (1, 4) else "is_not"
