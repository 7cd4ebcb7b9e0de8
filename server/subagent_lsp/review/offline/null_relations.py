"""BKD306 through a nullable relation: ``product.category.id`` where the model declares
``category = models.ForeignKey(..., null=True)``. A product without a category makes the read
an AttributeError, and a view that serialises every product in a loop answers 500 for the
whole list because of one row.

The row's model is known only where the view binds it itself: the loop variable of a
``for`` (or a comprehension) over ``Model.objects....`` (directly or through a local bound to
it once), or ``get_object_or_404(Model, ...)`` / ``Model.objects.get(...)``. Silent when the
view mentions the relation in any other way than reading through it (``if row.rel``,
``row.rel_id is not None``, ``getattr(row.rel, ...)``: it has thought about the None), when the
queryset filters on the relation (``filter(rel__isnull=False)``, ``exclude(rel=None)``,
``filter(rel__name=...)``: an inner join, no row without one), or when the read is caught.

The fix is the serialiser's own idiom, ``{...} if row.rel else None`` for a nested dict of
the relation's fields, ``row.rel.name if row.rel else None`` for one value; a read anywhere
else (a condition, arithmetic) has no answer the code shows, and is left alone.
"""

from __future__ import annotations

import ast

from ...definitions.findings import Span
from ..suggestion import Edit, Suggestion
from .django_rows import django_model, model_label
from .frameworks import ModuleFacts, Route, caught
from .pysource import Source, dotted
from .schema import Column, Schema

Function = ast.FunctionDef | ast.AsyncFunctionDef

# Queryset methods whose result is no iterable of model instances.
_NOT_ROWS = frozenset(
    {
        "values",
        "values_list",
        "count",
        "exists",
        "aggregate",
        "first",
        "last",
        "get",
        "in_bulk",
        "dates",
        "datetimes",
        "raw",
        "update",
        "delete",
        "create",
        "get_or_create",
        "update_or_create",
        "latest",
        "earliest",
        "explain",
    }
)
# What binds its ``target`` to something other than a plain assignment's value.
_BINDS_TARGET = (
    ast.AnnAssign,
    ast.AugAssign,
    ast.NamedExpr,
    ast.For,
    ast.AsyncFor,
    ast.comprehension,
)
_CAUGHT = {"AttributeError", "Exception", "BaseException"}


def null_relation_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or "django" not in facts.frameworks:
        return []
    out: list[Suggestion] = []
    for route in facts.routes:
        out.extend(_in_view(facts, schema, route))
    return out


def _in_view(facts: ModuleFacts, schema: Schema, route: Route) -> list[Suggestion]:
    src = facts.source
    nodes = src.nodes_of(route.func)
    rows = _bound_rows(route.func, nodes)
    out: list[Suggestion] = []
    for name, (model, chain) in rows.items():
        for rel, column in _nullable_relations(schema, model).items():
            if _filtered_on(chain, rel):
                continue
            reads, other = _uses(nodes, name, rel, facts.up)
            if other or not reads or any(caught(r, facts.up, _CAUGHT) for r in reads):
                continue
            edits = _fix(src, facts.up, reads, f"{name}.{rel}")
            if edits is None:
                continue
            first = min(reads, key=lambda r: (r.lineno, r.col_offset))
            label = model_label(model)
            why = (
                f"`{label}.{rel}` is a ForeignKey with `null=True`"
                + (f" (`on_delete={column.on_delete}`)" if column.on_delete == "SET_NULL" else "")
                + f": a {label} without one makes `{src.text_of(first)}` an AttributeError, "
                "and the view answers 500"
                + (" for the whole list because of that one row" if chain is not None else "")
                + f". Serialise the missing {rel} as None instead."
            )
            out.append(
                Suggestion(
                    "BKD306",
                    "error-handling",
                    src.path,
                    src.span(first),
                    f"Check `{name}.{rel}` for None before reading through it",
                    why,
                    tuple(edits),
                )
            )
    return out


def _bound_rows(func: Function, nodes: list[ast.AST]) -> dict[str, tuple[str, ast.expr | None]]:
    """Names the view binds once to a row of a known model: -> (the model, the queryset
    chain a loop takes it from, None for a single row)."""
    assigned: dict[str, list[ast.expr | None]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                _bind(assigned, target, node.value)
        elif isinstance(node, _BINDS_TARGET):
            _bind(assigned, node.target, None)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    _bind(assigned, item.optional_vars, None)
    args = func.args
    params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}

    def once(name: str) -> ast.expr | None:
        values = assigned.get(name, [])
        return values[0] if len(values) == 1 and name not in params else None

    out: dict[str, tuple[str, ast.expr | None]] = {}
    for node in nodes:
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            target, iterable = node.target, node.iter
            if not isinstance(target, ast.Name) or len(assigned.get(target.id, [])) != 1:
                continue
            if isinstance(iterable, ast.Name):
                bound = once(iterable.id)
                if bound is None:
                    continue
                iterable = bound
            model = _rows_model(iterable)
            if model is not None and target.id not in params:
                out[target.id] = (model, iterable)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and once(target.id) is node.value:
                model = _one_model(node.value)
                if model is not None:
                    out[target.id] = (model, None)
    return out


def _bind(
    assigned: dict[str, list[ast.expr | None]], target: ast.expr, value: ast.expr | None
) -> None:
    if isinstance(target, ast.Name):
        assigned.setdefault(target.id, []).append(value)
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            _bind(assigned, elt, None)
    elif isinstance(target, ast.Starred):
        _bind(assigned, target.value, None)


def _rows_model(node: ast.expr) -> str | None:
    """``Product.objects.select_related("category").available()`` -> Product: a queryset
    whose rows are model instances (not ``.values()`` dicts)."""
    call = node
    while isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
        if call.func.attr in _NOT_ROWS:
            return None
        call = call.func.value
    if isinstance(node, ast.Attribute) and node.attr == "objects":
        return None  # a manager is no iterable
    return django_model(node) if isinstance(node, ast.Call) else None


def _one_model(node: ast.expr) -> str | None:
    """``get_object_or_404(Product, pk=pk)`` / ``Product.objects.get(pk=pk)`` -> Product."""
    if not isinstance(node, ast.Call):
        return None
    if dotted(node.func).rsplit(".", 1)[-1] == "get_object_or_404" and node.args:
        model = dotted(node.args[0])
        last = model.rsplit(".", 1)[-1]
        return model if last[:1].isupper() and "(" not in model else None
    if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return django_model(node.func.value)
    return None


def _nullable_relations(schema: Schema, model: str) -> dict[str, Column]:
    table_name = schema.models.get(model_label(model))
    table = schema.tables.get(table_name) if table_name else None
    if table is None or table.origin != "django":
        return {}
    return {
        name: col
        for name, col in table.columns.items()
        if col.references and col.null and not col.primary_key
    }


def _filtered_on(chain: ast.expr | None, rel: str) -> bool:
    """The queryset names the relation in a filter, an exclude or a ``Q``: ``rel__isnull=False``,
    ``exclude(rel=None)``, ``filter(rel__name=...)`` (an inner join): no row without one, or
    a condition this rule does not read."""
    if chain is None:
        return False
    for node in ast.walk(chain):
        if isinstance(node, ast.keyword) and _names(node.arg, rel):
            return True
        # ``.exclude(**{"category": None})``, ``F("category__name")``
        if (
            isinstance(node, ast.Constant)
            and _names(node.value, rel)
            and not _select_related_arg(node, chain)
        ):
            return True
    return False


def _names(lookup: object, rel: str) -> bool:
    """``rel`` / ``rel__isnull`` / ``rel__name__startswith``: a lookup through ``rel``."""
    return isinstance(lookup, str) and (lookup == rel or lookup.startswith(f"{rel}__"))


def _select_related_arg(node: ast.Constant, chain: ast.expr) -> bool:
    """``select_related("category")``: a LEFT JOIN for a nullable key, which keeps the rows
    without one."""
    for call in ast.walk(chain):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ("select_related", "prefetch_related", "only", "defer")
            and node in call.args
        ):
            return True
    return False


def _uses(
    nodes: list[ast.AST], name: str, rel: str, up: dict[ast.AST, ast.AST]
) -> tuple[list[ast.Attribute], bool]:
    """The reads ``name.rel.attr``, and whether the view mentions ``name.rel`` (or
    ``name.rel_id``) any other way."""
    reads: list[ast.Attribute] = []
    other = False
    for node in nodes:
        if not (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == name
        ):
            continue
        if node.attr == f"{rel}_id":
            other = True
        if node.attr != rel:
            continue
        parent = up.get(node)
        if (
            isinstance(parent, ast.Attribute)
            and parent.value is node
            and isinstance(parent.ctx, ast.Load)
        ):
            reads.append(parent)
        else:
            other = True
    return reads, other


def _fix(
    src: Source, up: dict[ast.AST, ast.AST], reads: list[ast.Attribute], rel: str
) -> list[Edit] | None:
    """``{"id": row.rel.id, "name": row.rel.name}`` -> ``{...} if row.rel else None``; a
    value of a dict, a list or a keyword -> ``row.rel.x if row.rel else None``. None when a
    read is anywhere else."""
    targets: dict[int, ast.expr] = {}
    for read in reads:
        target = _serialised(up, read, rel)
        if target is None:
            return None
        targets[id(target)] = target
    edits = []
    for target in sorted(targets.values(), key=lambda t: (t.lineno, t.col_offset)):
        edits.append(Edit(src.path, _end_span(src, target), f" if {rel} else None"))
    # nested targets (a read inside a dict already wrapped) would wrap twice
    spans = [src.span(t) for t in targets.values()]
    for a in spans:
        for b in spans:
            if a is not b and a.start <= b.start and b.end <= a.end:
                return None
    return edits


def _serialised(up: dict[ast.AST, ast.AST], read: ast.Attribute, rel: str) -> ast.expr | None:
    """What to make conditional for ``read``: the nested dict it is a value of when each of
    that dict's values reads through ``rel``, else the read (the whole ``row.rel.x`` chain
    of attributes) when it is itself a value being serialised."""
    node: ast.expr = read
    while True:
        parent = up.get(node)
        if isinstance(parent, ast.Attribute) and parent.value is node:
            node = parent
        else:
            break
    parent = up.get(node)
    if isinstance(parent, ast.Dict) and node in parent.values:
        if all(_reads_through(v, rel) for v in parent.values if v is not None):
            holder = up.get(parent)
            if _value_slot(holder, parent):
                return parent
        return node if _value_slot(parent, node) else None
    return node if _value_slot(parent, node) else None


def _reads_through(node: ast.expr, rel: str) -> bool:
    while isinstance(node, ast.Attribute):
        if dotted(node.value) == rel:
            return True
        node = node.value
    return False


def _value_slot(parent: ast.AST | None, node: ast.expr) -> bool:
    """``node`` is a value a conditional expression may replace without parentheses: of a
    dict, a list or tuple display, a keyword argument."""
    if isinstance(parent, ast.Dict):
        return node in parent.values
    if isinstance(parent, ast.List | ast.Tuple):
        return True
    return isinstance(parent, ast.keyword)


def _end_span(src: Source, node: ast.AST) -> Span:
    end = src.end(node)
    return Span(end, end)
