"""Where code queries the database, as query shapes: raw SQL, SQLAlchemy and Django ORM."""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ...definitions.findings import Span
from ..suggestion import position_at
from .base_class_queries import Inlined
from .built_queries import QUERYSET_METHODS as _QUERYSET_METHODS
from .built_queries import Built, PagedBy, built_queries
from .built_queries import chain_of as _chain
from .call_sites import CallsOf
from .filter_lists import (
    FilterList,
    IndexesOf,
    conditions_model,
    expanded,
    gathered,
    passed_lists,
    replaced_step,
    select_of,
)
from .list_views import list_view_of, paged_list
from .local_sql import local_sql_pieces
from .pysource import Source, dotted, every_node, imported_names, keyword_value
from .schema import Relationship, Schema, Table
from .sql import QueryShape, looks_like_sql, query_shapes, soft_delete_mark, split_statements
from .sql_helpers import RunsSql

_SQL_CALLS = (
    "execute",
    "executemany",
    "executescript",
    "text",
    "read_sql",
    "read_sql_query",
    "fetch",
    "fetchrow",
    "fetchval",
    "raw",
    # the ``databases`` library's (FastAPI's async apps over SQLAlchemy Core)
    "fetch_all",
    "fetch_one",
    "fetch_val",
    "iterate",
)
_RANGE_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)
_DJANGO_RANGE = {"gt", "gte", "lt", "lte", "range", "startswith", "year", "date"}
_DJANGO_EQ = {"exact", "in", "isnull"}
_READS = {"SELECT", "UPDATE", "DELETE", "WITH"}  # statements whose WHERE an index can serve
# What a call of a project base class's method queries (base_class_queries), if anything.
InlineCall = Callable[[Source, ast.Call], Inlined | None]
# What a Django model's own manager method returns, by model and method (manager_queries).
ManagerChain = Callable[[Source, str, str], ast.expr | None]
# The Django model a manager or queryset class of the project is the manager of (its ``self``).
ManagerModel = Callable[[Source, ast.ClassDef], str | None]


@dataclass
class FoundQuery:
    shape: QueryShape
    span: Span  # where the query is written
    description: str  # the query as the user wrote it (short)
    sql: str = ""  # raw SQL: the whole text (PostgreSQL proofs EXPLAIN it as written)
    # A site that backs another's case for the same index and never stands for it while
    # another site wants it (an EXISTS a relationship's ``.any()`` writes: see exists_walks)
    backing: bool = False


def python_queries(
    source: Source,
    schema: Schema,
    calls_of: CallsOf | None = None,
    inline: InlineCall | None = None,
    managers: ManagerChain | None = None,
    paged_by: PagedBy | None = None,
    runs_sql: RunsSql | None = None,
    manager_model: ManagerModel | None = None,
) -> list[FoundQuery]:
    """``calls_of``: what the project's calls of a function pass (see filter_lists);
    ``inline``: what a call of a generic base class's method queries; ``managers``: what a
    model's own manager method returns; ``paged_by``: whether a call of a project function
    pages the query it is handed (see built_queries); ``runs_sql``: which argument of a
    project function's call it runs as SQL (``db_exec(query, params)``, see sql_helpers);
    ``manager_model``: the model a manager class's ``self`` reads (see manager_queries)."""
    found: list[FoundQuery] = []
    strings = _string_constants(source)
    up = source.up()
    models = set(schema.models)
    # Core tables (``sa.Table``) have no model, and are read by ``select([t])`` all the same
    tables = bool(models) or any(t.origin == "table" for t in schema.tables.values())

    def indexes_of(model: str) -> list[tuple[str, ...]]:
        table = schema.table_for_model(model)
        return [cols for _, cols in table.all_indexes()] if table is not None else []

    built = built_queries(source, indexes_of, paged_by) if models else Built()
    if built.readings:
        up = dict(up)  # the composed chains stand where their last step is written
        for step, readings in built.readings.items():
            for whole in readings or ():
                up[whole] = up.get(step, step)
    for node in source.walk():
        if isinstance(node, ast.Call) and node in built.readings:
            for composed in built.readings[node] or ():
                # (None: a step of a query built further down: the last step reads it)
                found.extend(
                    _built_query(
                        source,
                        node,
                        composed,
                        schema,
                        up,
                        built,
                        indexes_of,
                        calls_of,
                        managers,
                        manager_model,
                    )
                )
            continue
        if isinstance(node, ast.Attribute) and models:
            walked = _attribute_walk(source, node, schema, up)
            if walked is not None:
                found.append(walked)
            continue
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func).split(".")[-1].replace("()", "")
        if name in _SQL_CALLS:
            # the ``databases`` library names it: ``db.fetch_all(query="SELECT ...")``
            sql = node.args[0] if node.args else keyword_value(node, "query")
            if sql is not None:
                found.extend(_raw(source, sql, strings))
        elif runs_sql is not None and node.args:
            found.extend(_helper_sql(source, node, strings, runs_sql))
        if name in _SHORTCUTS and models and node.args:
            shortcut = _django_shortcut(source, node, schema)
            if shortcut is not None:
                found.append(shortcut)
            continue
        if name in _EAGER_LOADS and node.args and models:
            eager = _eager_load(source, node, schema, up)
            if eager is not None:
                found.append(eager)
        if tables and isinstance(node.func, ast.Attribute) and not _inner_of_chain(node, up):
            variants = expanded(source, node, node, indexes_of, calls_of)
            if variants != [node]:
                found.extend(_list_queries(source, node, variants, schema, up))
                continue
            query = (
                _sqlalchemy_chain(source, node, schema, up)
                or _relationship_walk(source, node, schema, up)
                or _django_chain(
                    source, node, schema, up, managers=managers, manager_model=manager_model
                )
                or (_base_class_query(source, node, schema, up, inline) if inline else None)
            )
            if query is not None:
                found.extend(_filtered_pages(source, node, query, schema, up))
                found.extend(
                    FoundQuery(j, query.span, query.description) for j in query.shape.joined
                )
                found.extend(_eager_relationships(source, node, schema, query.shape.table))
            elif node.func.attr == "get" and len(node.args) == 2:
                # ``db.get(Job, job_id)``: a key lookup, whose eager relationships still load
                model = dotted(node.args[0]).rsplit(".", 1)[-1]
                table = schema.table_for_model(model) if model[:1].isupper() else None
                if table is not None and table.origin == "sqlalchemy":
                    found.extend(_eager_relationships(source, node, schema, table.name))
    if models:
        found.extend(_passed_list_queries(source, schema, up, indexes_of))
        found.extend(_list_view_models(source, schema))
    return found


def _filtered_pages(
    source: Source, node: ast.Call, query: FoundQuery, schema: Schema, up: dict[ast.AST, ast.AST]
) -> list[FoundQuery]:
    """A paged, sorted list view's queryset as its clients read it: with each foreign key of
    its ``filterset_fields`` (``?post=3``, one post's comments, newest first) when it has
    some, as written otherwise. A list that declares the parent it is filtered by is read per
    parent: the index it wants is the parent's and then the sort (``(post, created_on)``),
    and one on the sort alone for the unfiltered list beside it was one index too many."""
    table = schema.tables.get(query.shape.table)
    if table is None or table.origin != "django" or not query.shape.order_by:
        return [query]
    view = list_view_of(source, node, up)
    if view is None or not view.paged or not view.filters:
        return [query]
    out: list[FoundQuery] = []
    for name in view.filters:
        column = table.columns.get(name)
        if column is None or not column.references or name in query.shape.eq:
            continue
        shape = copy.deepcopy(query.shape)
        shape.eq.append(name)
        shape.passed.append(name)
        described = f"{query.description}, filtered by ?{name}= ({view.view}.filterset_fields)"
        out.append(replace(query, shape=shape, description=described))
    return out or [query]


def _list_view_models(source: Source, schema: Schema) -> list[FoundQuery]:
    """Django's ``ListView`` with ``model = Post`` and no queryset of its own lists
    ``Post.objects.all()``, sorted by the view's ``ordering`` or the model's
    ``Meta.ordering``: a query with no call written, read here when the view pages it
    (``paginate_by``)."""
    out: list[FoundQuery] = []
    for module in source.modules:
        for cls in module.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            model = _model_attribute(cls)
            if model is None:
                continue
            table = schema.table_for_model(dotted(model.value).rsplit(".", 1)[-1])
            view = paged_list(source, cls, own_attribute=True)
            if table is None or table.origin != "django" or view is None or not view.paged:
                continue
            ordering, written = view.ordering, view.ordering_from
            if not ordering:
                ordering, written = table.ordering, f"{table.model}.Meta.ordering"
            if not ordering or _sorted_by_label_of(table, ordering):
                continue
            shape = QueryShape(table.name, limited=True, paged=True)
            shape.order_by = [c for c, _ in ordering]
            shape.order_desc = [d for _, d in ordering]
            terms = ", ".join(("-" if d else "") + c for c, d in ordering)
            description = (
                f"{table.model}.objects.all() ({cls.name}.model, sorted by {written}: {terms}, "
                f"a page at a time: {view.how})"
            )
            out.append(FoundQuery(shape, source.span(model), description))
    return out


def _model_attribute(cls: ast.ClassDef) -> ast.Assign | None:
    """The class's ``model = X`` when it sets neither ``queryset`` nor ``get_queryset``."""
    found: ast.Assign | None = None
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            if stmt.name == "get_queryset":
                return None
        elif isinstance(stmt, ast.Assign):
            names = {t.id for t in stmt.targets if isinstance(t, ast.Name)}
            if "queryset" in names:
                return None
            if "model" in names and isinstance(stmt.value, ast.Name | ast.Attribute):
                found = stmt
    return found


def _built_query(
    source: Source,
    node: ast.Call,
    composed: ast.Call,
    schema: Schema,
    up: dict[ast.AST, ast.AST],
    built: Built,
    indexes_of: IndexesOf,
    calls_of: CallsOf | None,
    managers: ManagerChain | None,
    manager_model: ManagerModel | None = None,
) -> list[FoundQuery]:
    """One reading of a query built step by step, written where its last step is."""
    out: list[FoundQuery] = []
    for variant in expanded(source, composed, node, indexes_of, calls_of):
        up[variant] = up.get(composed, node)
        query = _sqlalchemy_chain(source, variant, schema, up) or _django_chain(
            source, variant, schema, up, named=node, managers=managers, manager_model=manager_model
        )
        if query is None:
            continue
        query.span = source.span(node)
        query.description = _short(ast.unparse(composed))
        # read on a page at a time (``q.paginate(...)``, ``json_collection(q, page)``)
        query.shape.limited = query.shape.limited or node in built.limited
        query.shape.paged = query.shape.paged or node in built.paged
        out.append(query)
        out.extend(FoundQuery(j, query.span, query.description) for j in query.shape.joined)
    return out


def _list_queries(
    source: Source,
    node: ast.Call,
    variants: list[ast.Call],
    schema: Schema,
    up: dict[ast.AST, ast.AST],
) -> list[FoundQuery]:
    """The query ``node`` once per alternative of the filters it applies from a list."""
    out = []
    up = dict(up)
    for variant in variants:
        up[variant] = up.get(node, node)
        query = _sqlalchemy_chain(source, variant, schema, up)
        if query is not None:
            query.span, query.description = source.span(node), _short(source.text_of(node))
            out.append(query)
    return out


def _passed_list_queries(
    source: Source, schema: Schema, up: dict[ast.AST, ast.AST], indexes_of: IndexesOf
) -> list[FoundQuery]:
    """``get_applications(filters)``: the conditions a function gathers for a helper that
    applies them, read as ``select(Model).where(...)`` where the helper is called."""
    out: list[FoundQuery] = []
    models = set(schema.models)
    # Every call handing on a plain name is a candidate (``db`` to each of a route's calls):
    # the function's list is read once per name, not once per call it is handed to.
    lists: dict[tuple[int, str], FilterList] = {}
    for call, name in passed_lists(source):
        func = source.function_of(call)
        if func is None:
            continue
        found = lists.get((id(func), name))
        if found is None:
            found = lists[(id(func), name)] = gathered(source, func, name)
        model = conditions_model([*found.always, *found.optional], models)
        if model is None:
            continue
        variants = [select_of(model, c, call) for c in found.alternatives(indexes_of(model))]
        out.extend(_list_queries(source, call, variants, schema, up))
    return out


def _base_class_query(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST], inline: InlineCall
) -> FoundQuery | None:
    """``ArticleController(uid).read(readed=False).count()``: the chain the base class's
    ``read`` builds for these arguments, continued as the caller continues it."""
    calls, _ = _chain(node)
    if not calls:
        return None
    first = calls[0]
    inlined = inline(source, first)
    if inlined is None or (first is not node and not inlined.continued):
        return None  # a method that runs its query hands back rows, not a query to go on
    chain = replaced_step(node, first, inlined.query) if first is not node else inlined.query
    query = _sqlalchemy_chain(source, chain, schema, up)
    if query is not None:
        query.span, query.description = source.span(node), _short(source.text_of(node))
    return query


def _eager_relationships(
    source: Source, node: ast.Call, schema: Schema, table_name: str
) -> list[FoundQuery]:
    """``errors = relationship(lazy="selectin")``: every load of a job reads its errors by
    ``job_error.job_id``, though no line walks them (a real app's unindexed foreign key,
    missed: the rows load with the job, for the response model)."""
    owner = schema.tables.get(table_name)
    if owner is None or owner.origin != "sqlalchemy":
        return []
    out = []
    for attr, relationship in owner.relationships.items():
        if not relationship.eager:
            continue
        child, keys = walk_target(schema, owner, relationship)
        if child is None or len(keys) != 1:
            continue
        multi = [keys[0]] if relationship.eager == "selectin" else []
        shape = QueryShape(child.name, eq=[keys[0]], multi=multi)
        model = owner.model or owner.name
        out.append(
            FoundQuery(
                shape,
                source.span(node),
                f'{model}.{attr} (lazy="{relationship.eager}": loaded with every {model})',
            )
        )
    return out


def _string_constants(source: Source) -> dict[str, ast.expr]:
    """Names bound once to a string (``QUERY = "SELECT ..."``), for queries passed by name."""
    out: dict[str, ast.expr] = {}
    seen: set[str] = set()
    for node in source.of(ast.Assign):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(
                node.value, ast.Constant | ast.JoinedStr
            ):
                if target.id in seen:
                    out.pop(target.id, None)
                else:
                    out[target.id] = node.value
                seen.add(target.id)
    return out


def _sql_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            else:
                parts.append("?")
        return "".join(parts)
    return None


def _arg_text(source: Source, arg: ast.expr, strings: dict[str, ast.expr]) -> str | None:
    """The SQL an argument holds: a literal, a variable the function builds (local_sql), a
    module constant."""
    if isinstance(arg, ast.Name):
        pieces = local_sql_pieces(source, arg)
        if pieces is not None:
            texts = [_sql_text(p) for p in pieces]
            return "".join(t for t in texts if t is not None) if pieces else None
        return _sql_text(strings.get(arg.id, arg))
    return _sql_text(arg)


def _helper_sql(
    source: Source, call: ast.Call, strings: dict[str, ast.expr], runs_sql: RunsSql
) -> list[FoundQuery]:
    """``db_exec("SELECT ...", params)``: a project function's call, when the text passed looks
    like SQL (checked first: following the call costs more) and the function runs it."""
    for position, arg in enumerate(call.args[:3]):
        text = _arg_text(source, arg, strings)
        if text is not None and looks_like_sql(text):
            return _raw(source, arg, strings) if runs_sql(source, call) == position else []
    return []


def _raw(source: Source, arg: ast.expr, strings: dict[str, ast.expr]) -> list[FoundQuery]:
    if isinstance(arg, ast.Call) and dotted(arg.func).endswith("text") and arg.args:
        return []  # text("...") is itself a call: it is visited on its own
    text = _arg_text(source, arg, strings)
    if text is None or not looks_like_sql(text):
        return []
    return [
        FoundQuery(shape, source.span(arg), " ".join(text.split())[:120], text)
        for shape in query_shapes(text)
    ]


def _inner_of_chain(node: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """True when ``node`` is the receiver of another method call (``x.filter(..)`` in
    ``x.filter(..).order_by(..)``): only the outermost call of a chain is analysed."""
    parent = up.get(node)
    if isinstance(parent, ast.Attribute):
        grand = up.get(parent)
        return isinstance(grand, ast.Call) and grand.func is parent
    return False


def _sqlalchemy_chain(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    written = node
    if "cls" in source.text or not source.text.isascii():  # no ``cls`` to rename otherwise
        node = _own_model_named(node, up, schema)
    calls, base = _chain(node)
    if calls and isinstance(base, ast.Name) and dotted(calls[0].func) == f"{base.id}.select":
        # ``db.select(M)`` (Flask-SQLAlchemy 3), ``sa.select(M)``: the select is the base,
        # not a method of the module it is reached through
        base, calls = calls[0], calls[1:]
    model = None
    alias = ""  # ``cls``/``self`` in the model's own methods: conditions may name it so
    if (
        isinstance(base, ast.Call)
        and dotted(base.func).split(".")[-1] in ("query", "select", "delete", "update")
        and base.args
    ):
        model = _entity(base.args, calls, schema, _model_aliases(source, schema))
    elif isinstance(base, ast.Attribute) and base.attr == "query":
        model = dotted(base.value)
        if model in ("cls", "self"):
            alias, model = model, _enclosing_class(written, up)
    elif calls and dotted(calls[0].func).split(".")[-1] in ("query",) and calls[0].args:
        model = _entity(calls[0].args, calls[1:], schema, _model_aliases(source, schema))
        if model is None and dotted(calls[0].args[0]) in ("cls", "self"):
            # ``session.query(cls)`` in the model's own classmethod
            alias, model = dotted(calls[0].args[0]), _enclosing_class(written, up)
            model = model if model in schema.models else None
        if model is None:
            return _table_chain(source, written, calls[0].args[0], calls[1:], schema)
        calls = calls[1:]
    if model and model.count(".") == 1 and model.split(".")[1] in schema.models:
        # ``select(models.Project)``: the model reached through its module, and its columns
        # named so in the conditions (``models.Project.name``)
        alias, model = model, model.split(".")[1]
    if model and model not in schema.models:
        # ``from .sql_models import Run as SqlModelRun``: the model under the module's name
        imported = _model_aliases(source, schema).get(model)
        if imported is not None:
            alias, model = model, imported
    if not model:
        return _core_select(source, written, base, calls, schema)
    if "." in model:
        return None
    table = schema.table_for_model(model)
    if table is None or table.origin != "sqlalchemy":
        return None
    models = [model, alias] if alias else [model]
    shape = QueryShape(table.name)
    joins: list[ast.Call] = []
    for call in calls:
        op = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if op not in _SA_OPS:
            return None
        if op in ("filter", "where"):
            if any(_identity_test(arg) for arg in call.args):
                return None  # Python folds it to a constant (BKD317): no column is read
            for arg in call.args:
                for name in models:
                    _sa_condition(arg, name, shape)
        elif op == "filter_by":
            for kw in call.keywords:
                if kw.arg and kw.arg not in shape.eq:
                    shape.eq.append(kw.arg)
                if kw.arg and _passed_value(kw.value) and kw.arg not in shape.passed:
                    shape.passed.append(kw.arg)
        elif op == "order_by":
            for arg in call.args:
                for name in models:
                    _sa_order(arg, name, shape)
        elif op in ("join", "outerjoin") and len(call.args) >= 2:
            joins.append(call)
        elif op in _SA_LIMITS:
            shape.limited = True
            shape.paged = shape.paged or op in _SA_PAGES
        elif op == "with_parent":
            parent = _enclosing_class(written, up) if _on_own_instance(call) else ""
            if not _with_parent(call, model, table, shape, schema, parent):
                return None  # rows of an unknown parent: the query's real filter is unseen
    filters = [
        arg
        for call in calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("filter", "where")
        for arg in call.args
    ]
    if joins or _names_other_models(calls, model, schema):
        _sa_joins(joins, filters, model, shape, schema)
    if not (shape.eq or shape.ranges) and _names_other_models(calls, model, schema):
        # The rows are picked through another table (``ArticleTag.article_id == x``): the
        # few that come back are sorted, and an index for the sort alone serves nothing.
        shape.order_by, shape.order_desc = [], []
    if not (shape.eq or shape.ranges or shape.order_by or shape.joined or shape.json_eq) and not (
        shape.folded_eq or shape.any_of
    ):
        return None
    return FoundQuery(shape, source.span(written), _short(source.text_of(written)))


def _own_model_named(node: ast.Call, up: dict[ast.AST, ast.AST], schema: Schema) -> ast.Call:
    """``db.select(cls).where(cls.community_id == c.id)`` (or ``.join(cls, User.id ==
    cls.user_id)``) in a model's own classmethod, a function nested in it too: a copy naming
    the model for ``cls``, so the select, its joins and its conditions read as written with
    the model's name (a real app built every feed so, in a ``get_query()`` of the model's)."""
    if not any(isinstance(n, ast.Name) and n.id == "cls" for n in every_node(node)):
        return node
    model = _enclosing_class(node, up)
    if model not in schema.models:
        return node
    renamed = copy.deepcopy(node)
    for n in every_node(renamed):
        if isinstance(n, ast.Name) and n.id == "cls":
            n.id = model
    return renamed


# Calls that read only the first rows (``paginate``: one page).
_SA_LIMITS = {"first", "first_or_404", "limit", "offset", "paginate"}
_SA_PAGES = {"offset", "paginate"}
_SA_OPS = {
    "filter", "filter_by", "where", "order_by", "join", "outerjoin", "first", "all", "one",
    "scalar", "one_or_none", "limit", "offset", "count", "delete", "update", "with_entities",
    "values", "returning", "scalar_subquery", "subquery", "select", "exists", "with_parent",
    "paginate", "first_or_404", "one_or_404", "group_by",
    # what loads the rows, not which: the WHERE and ORDER BY are the same
    "options", "execution_options", "with_for_update", "yield_per", "distinct", "unique",
}  # fmt: skip


def _enclosing_class(node: ast.AST, up: dict[ast.AST, ast.AST]) -> str:
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.ClassDef):
        current = up.get(current)
    return current.name if isinstance(current, ast.ClassDef) else ""


def _on_own_instance(call: ast.Call) -> bool:
    """``with_parent(self, ...)`` / ``with_parent(cls, ...)``: the parent is the method's own."""
    return bool(call.args) and dotted(call.args[0]) in ("self", "cls")


def _with_parent(
    call: ast.Call, model: str, table: Table, shape: QueryShape, schema: Schema, parent: str
) -> bool:
    """``Comment.query.with_parent(photo)`` / ``with_parent(photo, Photo.comments)``: the rows
    the parent's relationship reads, by the foreign key pointing back at it (through an
    association table, that table by its column referencing the parent)."""
    owner: Table | None = None
    relationship: Relationship | None = None
    if not call.args:
        return False
    if len(call.args) >= 2 and isinstance(call.args[1], ast.Attribute):
        owner = schema.table_for_model(dotted(call.args[1].value).split(".")[-1])
        if owner is not None:
            relationship = owner.relationships.get(call.args[1].attr)
    else:
        name = dotted(call.args[0]).split(".")[-1].removeprefix("current_").replace("_", "")
        name = parent or name  # ``with_parent(self)`` in the parent model's own method
        owners = [t for t in schema.tables.values() if (t.model or "").lower() == name.lower()]
        if len(owners) == 1:
            owner = owners[0]
            towards = [r for r in owner.relationships.values() if r.target == model]
            relationship = towards[0] if len(towards) == 1 else None
    if owner is None or relationship is None or relationship.target != model:
        return False
    child, keys = walk_target(schema, owner, relationship)
    if child is None or len(keys) != 1:
        return False
    if child.name == table.name:
        if keys[0] not in shape.eq:
            shape.eq.insert(0, keys[0])
        return True
    if relationship.secondary:
        shape.joined.append(QueryShape(child.name, eq=[keys[0]]))
        return True
    return False


def _table_chain(
    source: Source, node: ast.Call, entity: ast.expr, calls: list[ast.Call], schema: Schema
) -> FoundQuery | None:
    """``db.session.query(billowers).filter(billowers.c.person_id == x)``: an association
    table (``db.Table``) read by its columns, ``billowers.c.x`` or ``.columns.get("x")``."""
    name = dotted(entity)
    table = schema.table_named(name) if name and "." not in name else None
    if table is None or table.origin != "table":
        return None
    shape = QueryShape(table.name)
    for call in calls:
        op = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if op not in _SA_OPS:
            return None
        if op in ("filter", "where"):
            if any(_identity_test(arg) for arg in call.args):
                return None
            for arg in call.args:
                _sa_condition(_columns_get(arg, name), f"{name}.c", shape)
        elif op == "order_by":
            for arg in call.args:
                _sa_order(arg, f"{name}.c", shape)
        shape.limited = shape.limited or op in _SA_LIMITS
        shape.paged = shape.paged or op in _SA_PAGES
    if not (shape.eq or shape.ranges):
        return None
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


def _core_select(
    source: Source, node: ast.Call, base: ast.expr, calls: list[ast.Call], schema: Schema
) -> FoundQuery | None:
    """SQLAlchemy Core on a ``Table``: ``select([post]).where(post.c.wall_id == x)`` (1.x),
    ``select(post)``, ``post.select().where(...)``, run by a connection or the ``databases``
    library (a real FastAPI app's every query, missed)."""
    if not isinstance(base, ast.Call):
        return None
    func = base.func
    entity: ast.expr | None = None
    if dotted(func).split(".")[-1] == "select" and base.args:
        entity = base.args[0]
        if isinstance(entity, ast.List | ast.Tuple):
            entity = entity.elts[0] if entity.elts else None
    elif isinstance(func, ast.Attribute) and func.attr == "select" and not base.args:
        entity = func.value  # ``post.select()``
    if entity is None:
        return None
    return _table_chain(source, node, entity, calls, schema)


def _columns_get(node: ast.expr, table: str) -> ast.expr:
    """``t.columns.get("x") == v`` read as ``t.c.x == v``."""
    if not isinstance(node, ast.Compare):
        return node
    left = node.left
    if (
        isinstance(left, ast.Call)
        and dotted(left.func) == f"{table}.columns.get"
        and left.args
        and isinstance(left.args[0], ast.Constant)
        and isinstance(left.args[0].value, str)
    ):
        column = ast.Attribute(ast.Name(table), "c")
        left = ast.Attribute(column, left.args[0].value)
        return ast.Compare(left, node.ops, node.comparators)
    return node


def _names_other_models(calls: list[ast.Call], model: str, schema: Schema) -> bool:
    """A condition names a column of another model (an implicit join)."""
    return any(
        isinstance(n, ast.Attribute)
        and dotted(n.value) in schema.models
        and dotted(n.value) != model
        for call in calls
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("filter", "where")
        for arg in call.args
        for n in every_node(arg)
    )


def _model_aliases(source: Source, schema: Schema) -> dict[str, str]:
    """``from .sql_models import Run as SqlModelRun``: SqlModelRun -> Run."""
    out = {}
    for local, imported in imported_names(source).items():
        model = imported.rsplit(".", 1)[-1]
        if local != model and model in schema.models and local not in schema.models:
            out[local] = model
    return out


def _entity(
    args: list[ast.expr],
    calls: list[ast.Call],
    schema: Schema,
    aliases: dict[str, str] | None = None,
) -> str | None:
    """The model a ``select(...)`` reads from: its first argument's (``select(Article)``,
    ``select(Article.id, User.name)``), else, for ``select(func.count())``, the one model its
    conditions name. A model imported under another name is returned by that name."""
    first = args[0]
    while isinstance(first, ast.Call) and isinstance(first.func, ast.Attribute):
        first = first.func.value  # Article.id.label("id")
    name = dotted(first)
    owner = name.split(".")[0] if name else ""
    if (owner in schema.models or owner in (aliases or {})) and name.count(".") <= 1:
        return owner
    parts = name.split(".") if name else []
    if len(parts) in (2, 3) and parts[1] in schema.models and parts[0] not in schema.models:
        return ".".join(parts[:2])  # ``models.Project`` (``models.Project.id``)
    if not isinstance(args[0], ast.Call):
        return None  # a name the schema does not know
    # ``select(func.count(Appointment.id))``: the model whose column the aggregate reads
    inner = args[0].args[0] if args[0].args else None
    if isinstance(inner, ast.Attribute) and dotted(inner.value) in schema.models:
        return dotted(inner.value)
    named = {
        dotted(n.value)
        for call in calls
        for arg in call.args
        for n in every_node(arg)
        if isinstance(n, ast.Attribute) and dotted(n.value) in schema.models
    }
    # a table the chain joins is not the one it reads from (``.join(Slot, ...)``)
    joined = {
        dotted(call.args[0])
        for call in calls
        if isinstance(call.func, ast.Attribute)
        and call.func.attr in ("join", "outerjoin")
        and call.args
    }
    if len(named) > 1:
        named -= joined
    return next(iter(named)) if len(named) == 1 else None


def _sa_joins(
    joins: list[ast.Call], filters: list[ast.expr], model: str, shape: QueryShape, schema: Schema
) -> None:
    """``.join(Follower, (Follower.following_id == Article.author_id) & (Follower.follower_id
    == user_id))``: the main table is looked up by its join column when the joined side is
    where the join starts (a value narrows it, in the ON or in a filter); each joined table is
    looked up by its own values and join columns."""
    pairs: list[tuple[str, str, str, str]] = []  # model, column, other model, other column
    narrowed: dict[str, list[str]] = {}
    for cond in (c for f in filters for c in _sa_conjuncts(f)):
        if isinstance(cond, ast.Compare) and len(cond.ops) == 1:
            left, right = cond.left, cond.comparators[0]
            if isinstance(cond.ops[0], ast.Eq) and isinstance(left, ast.Attribute):
                owner = dotted(left.value)
                value = not (
                    isinstance(right, ast.Attribute) and dotted(right.value) in schema.models
                )
                if owner in schema.models and owner != model and value:
                    narrowed.setdefault(owner, []).append(left.attr)
    for call in joins:
        target = dotted(call.args[0])
        for cond in _sa_conjuncts(call.args[1]):
            if not (isinstance(cond, ast.Compare) and len(cond.ops) == 1):
                continue
            if not isinstance(cond.ops[0], ast.Eq):
                continue
            left, right = cond.left, cond.comparators[0]
            sides = [
                (dotted(s.value), s.attr) if isinstance(s, ast.Attribute) else ("", "")
                for s in (left, right)
            ]
            (lm, lc), (rm, rc) = sides
            if lm in schema.models and rm in schema.models and lm != rm:
                pairs.append((lm, lc, rm, rc))
                pairs.append((rm, rc, lm, lc))
            elif lm in schema.models and rm not in schema.models:
                narrowed.setdefault(lm, []).append(lc)
        table = schema.table_for_model(target)
        if table is None or table.origin != "sqlalchemy":
            continue
        values = list(dict.fromkeys(narrowed.get(target, [])))
        inner = QueryShape(table.name, eq=list(values))
        for m, column, _, _ in pairs:
            if m == target and column not in inner.eq:
                inner.eq.append(column)
        if values and _led_by_join_column(table, values, inner.eq):
            inner.eq = values
        if inner.eq:
            shape.joined.append(inner)
    # ``query(Group, Member).filter(Member.user_id == uid, Member.group_id == Group.id)``: an
    # implicit join, which the planner starts at the table a value narrows (a judged app's
    # dashboard read a user's memberships so, on every page)
    explicit = {dotted(call.args[0]) for call in joins}
    linked = _linked_by_filters(filters, schema)
    for owner, columns in narrowed.items():
        if owner == model or owner in explicit or owner not in linked:
            continue
        table = schema.table_for_model(owner)
        if table is not None and table.origin == "sqlalchemy":
            shape.joined.append(QueryShape(table.name, eq=list(dict.fromkeys(columns))))
    for m, column, other, _ in pairs:
        if m == model and other in narrowed and column not in shape.eq:
            shape.eq.append(column)


def _led_by_join_column(table: Table, values: list[str], eq: list[str]) -> bool:
    """``.join(PostVote, User.id == PostVote.user_id).where(PostVote.post_id == p.id)`` on a
    key ``(user_id, post_id)``: the planner starts at the table the value narrows, where no
    join column is known yet, and the key led by the join column finds nothing by the value
    (a real app's upvoter lists, its followers list: the second column of a composite key)."""
    joined = [c for c in eq if c not in values]
    leads = [cols[0] for _, cols in table.all_indexes() if cols]
    return any(c in leads for c in joined) and not any(c in leads for c in values)


def _linked_by_filters(filters: list[ast.expr], schema: Schema) -> set[str]:
    """Models on either side of a ``Model.a == Other.b`` condition in the filters."""
    out: set[str] = set()
    for cond in (c for f in filters for c in _sa_conjuncts(f)):
        if isinstance(cond, ast.Compare) and len(cond.ops) == 1 and isinstance(cond.ops[0], ast.Eq):
            sides = [cond.left, cond.comparators[0]]
            owners = [dotted(s.value) for s in sides if isinstance(s, ast.Attribute)]
            if (
                len(owners) == 2
                and all(o in schema.models for o in owners)
                and len(set(owners)) == 2
            ):
                out.update(owners)
    return out


def _sa_conjuncts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return _sa_conjuncts(node.left) + _sa_conjuncts(node.right)
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        return [c for v in node.values for c in _sa_conjuncts(v)]
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "and_":
        return [c for a in node.args for c in _sa_conjuncts(a)]
    return [node]


_WALK_OPS = {
    "filter",
    "filter_by",
    "where",
    "order_by",
    "select",
    "first",
    "first_or_404",
    "one_or_404",
    "all",
    "one",
    "count",
    "paginate",
    "limit",
    "offset",
    "delete",
    "subquery",
}


def _relationship_walk(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    """``user.posts.order_by(Post.timestamp.desc())`` (a dynamic or write-only relationship):
    a read of the target table by the foreign key that points back at ``user``'s row, the
    query real apps run most and index least."""
    calls, base = _chain(node)
    if not calls or not isinstance(base, ast.Attribute):
        return None
    if any(not isinstance(c.func, ast.Attribute) or c.func.attr not in _WALK_OPS for c in calls):
        return None
    parent = _walked_from(source, base, schema, up)
    if parent is None:
        return None
    relationship = parent.relationships[base.attr]
    child, keys = walk_target(schema, parent, relationship)
    if child is None or len(keys) != 1:
        return None  # several foreign keys back and none named: which one is walked is unknown
    shape = QueryShape(child.name, eq=[keys[0]])
    # Through an association table, filters name its columns as ``followers.c.followed_by``
    # (those on the far model are another table's).
    model = relationship.target
    if relationship.secondary:  # a SQLModel link model is named as a model
        linked = schema.table_for_model(relationship.secondary) is not None
        model = relationship.secondary if linked else f"{relationship.secondary}.c"
    for call in calls:
        op = call.func.attr  # type: ignore[attr-defined]
        if op in ("filter", "where"):
            for arg in call.args:
                _sa_condition(arg, model, shape)
        elif op == "filter_by":
            shape.eq.extend(kw.arg for kw in call.keywords if kw.arg and kw.arg not in shape.eq)
        elif op == "order_by":
            for arg in call.args:
                _sa_order(arg, model, shape)
        shape.limited = shape.limited or op in _SA_LIMITS
        shape.paged = shape.paged or op in _SA_PAGES
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


# Calls that read every element of what they are given.
_CONSUMERS = {"len", "sorted", "list", "set", "tuple", "sum", "any", "all", "enumerate", "reversed"}


# Built once: tested of every node.
_ITERATES = ast.For | ast.AsyncFor | ast.comprehension


def _attribute_walk(
    source: Source, node: ast.Attribute, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    """``for entry in page.entries`` / ``sorted(self.entries)``: a lazy relationship loads
    its rows by the foreign key that points back, on first access."""
    parent = up.get(node)
    consumed = (isinstance(parent, _ITERATES) and parent.iter is node) or (
        isinstance(parent, ast.Call) and node in parent.args and dotted(parent.func) in _CONSUMERS
    )
    if not consumed or not isinstance(node.ctx, ast.Load):
        return None
    owner = _walked_from(source, node, schema, up)
    if owner is None:
        return None
    child, keys = walk_target(schema, owner, owner.relationships[node.attr])
    if child is None or len(keys) != 1:
        return None
    shape = QueryShape(child.name, eq=[keys[0]])
    return FoundQuery(shape, source.span(node), f"{_short(source.text_of(node))} (lazy load)")


# Loader options that read a one-to-many relationship's rows by the foreign key pointing back
# (``selectinload``: ``WHERE notebook_id IN (...)``; ``joinedload``/``subqueryload``: a join).
_EAGER_LOADS = {"selectinload", "subqueryload", "joinedload"}


def _eager_load(
    source: Source, node: ast.Call, schema: Schema, up: dict[ast.AST, ast.AST]
) -> FoundQuery | None:
    """``select(Notebook).options(selectinload(Notebook.notes))``: every notebook's notes,
    read by ``notes.notebook_id``."""
    arg = node.args[0]
    if not isinstance(arg, ast.Attribute):
        return None
    receiver = dotted(arg.value)
    if receiver in ("cls", "self"):
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.ClassDef):
            current = up.get(current)
        receiver = current.name if isinstance(current, ast.ClassDef) else ""
    owner = schema.table_for_model(receiver.split(".")[-1])
    if owner is None or arg.attr not in owner.relationships:
        return None
    child, keys = walk_target(schema, owner, owner.relationships[arg.attr])
    if child is None or len(keys) != 1:
        return None  # a many-to-one (the parent's key) or an ambiguous walk: nothing to say
    multi = [keys[0]] if dotted(node.func).endswith("selectinload") else []
    shape = QueryShape(child.name, eq=[keys[0]], multi=multi)
    return FoundQuery(shape, source.span(node), f"{_short(source.text_of(node))} (eager load)")


def walk_target(
    schema: Schema, owner: Table, relationship: Relationship
) -> tuple[Table | None, list[str]]:
    """The table a relationship walk reads, and the columns it may read it by."""
    if relationship.secondary:
        table = schema.table_named(relationship.secondary) or schema.table_for_model(
            relationship.secondary
        )
        if table is None or table.origin not in ("table", "sqlalchemy"):
            return None, []
        keys = [k for k in relationship.foreign_keys if k in table.columns]
        if not relationship.foreign_keys:  # no primaryjoin: the column referencing the owner
            keys = [
                c.name for c in table.columns.values() if c.references in (owner.name, owner.model)
            ]
        return table, keys
    child = schema.table_for_model(relationship.target)
    if child is None or child.origin != "sqlalchemy":
        return None, []
    if relationship.joins_on and not relationship.foreign_keys:
        # the join's own columns on the target: its key for a many-to-one (a lookup by the
        # primary key, which needs no index), not some other column pointing back
        return child, [k for k in relationship.joins_on if k in child.columns]
    named = {*child.columns, *child.attributes}
    if relationship.foreign_keys and not any(k in named for k in relationship.foreign_keys):
        # ``foreign_keys=[organization_id]`` names the owner's own column: a many-to-one
        return None, []
    keys = [k for k in relationship.foreign_keys if k in child.columns] or [
        c.name for c in child.columns.values() if c.references in (owner.name, owner.model)
    ]
    return child, keys


def _walked_from(
    source: Source, base: ast.Attribute, schema: Schema, up: dict[ast.AST, ast.AST]
) -> Table | None:
    """The model whose relationship ``base`` walks: ``self`` in a model's method, a variable
    named after a model (``user``, ``current_user``), else the only model with that attribute."""
    owners = [t for t in schema.tables.values() if base.attr in t.relationships]
    if not owners:
        return None
    receiver = dotted(base.value)
    name = receiver.split(".")[-1].removeprefix("current_").replace("_", "")
    if receiver == "self":
        current: ast.AST | None = base
        while current is not None and not isinstance(current, ast.ClassDef):
            current = up.get(current)
        name = current.name.lower() if isinstance(current, ast.ClassDef) else ""
    named = [t for t in owners if t.model and t.model.lower() == name.lower()]
    if named:
        return named[0]
    if len(owners) != 1 or not _bound_to_model(base.value, owners[0], up):
        return None
    return owners[0]


def _bound_to_model(receiver: ast.expr, owner: Table, up: dict[ast.AST, ast.AST]) -> bool:
    """Whether the function binds ``receiver`` to a row of ``owner``'s model: a parameter
    typed with it, an assignment or loop whose value names it (``Project.query.get(id)``).
    A name bound to anything else (``package = Package(url)``, a datapackage whose
    ``resources`` is a list) only shares the attribute's name with the relationship."""
    if not isinstance(receiver, ast.Name) or not owner.model:
        return False
    func: ast.AST | None = receiver
    while func is not None and not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        func = up.get(func)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
        return False
    return _binds_model(func, receiver.id, owner.model, 2)


def _binds_model(
    func: ast.FunctionDef | ast.AsyncFunctionDef, name: str, model: str, depth: int
) -> bool:
    """``name`` bound in ``func`` to a value naming ``model``, or (``depth`` > 1) to a name
    so bound: ``users = User.all(...)`` then ``for u in users``."""
    args = func.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        if arg.arg == name and arg.annotation is not None:
            return bool(re.search(rf"\b{model}\b", ast.unparse(arg.annotation)))
    for node in ast.walk(func):
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = node.value
        elif isinstance(node, ast.For | ast.comprehension) and (
            isinstance(node.target, ast.Name) and node.target.id == name
        ):
            value = node.iter
        if value is None:
            continue
        if re.search(rf"\b{model}\b", ast.unparse(value)):
            return True
        via = value.id if isinstance(value, ast.Name) and value.id != name else ""
        if via and depth > 1 and _binds_model(func, via, model, depth - 1):
            return True
    return False


def _sa_column(node: ast.expr, model: str) -> str | None:
    if isinstance(node, ast.Attribute) and dotted(node.value) == model:
        return node.attr
    return None


def _sa_folded(node: ast.expr, model: str) -> tuple[str, str] | None:
    """``func.lower(Model.name)`` (``sa.func.upper``, ``db.func.lower``): (lower, name)."""
    if not (isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords):
        return None
    parts = dotted(node.func).split(".")
    if len(parts) < 2 or parts[-2] != "func" or parts[-1].lower() not in ("lower", "upper"):
        return None
    column = _sa_column(node.args[0], model)
    return (parts[-1].lower(), column) if column else None


def _sa_json_key(node: ast.expr, model: str) -> tuple[str, str, str] | None:
    """``Model.col["key"].astext`` or ``.as_string()``: (col, key, "->>")."""
    if isinstance(node, ast.Call) and not node.args and isinstance(node.func, ast.Attribute):
        if node.func.attr != "as_string":
            return None
        node = node.func.value
    elif isinstance(node, ast.Attribute) and node.attr == "astext":
        node = node.value
    else:
        return None
    if not isinstance(node, ast.Subscript):
        return None
    column = _sa_column(node.value, model)
    key = node.slice
    if column is None or not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return None
    return column, key.value, "->>"


def _identity_test(condition: ast.expr) -> bool:
    """``Model.col is None`` as (part of) a condition: Python's ``is``, decided before the
    query is built (the filter is a constant true or false)."""
    if isinstance(condition, ast.Compare):
        return isinstance(condition.left, ast.Attribute) and any(
            isinstance(op, ast.Is | ast.IsNot) for op in condition.ops
        )
    if isinstance(condition, ast.BoolOp):
        return any(_identity_test(v) for v in condition.values)
    if isinstance(condition, ast.UnaryOp):
        return _identity_test(condition.operand)
    if isinstance(condition, ast.Call) and dotted(condition.func).split(".")[-1] in (
        "and_",
        "or_",
        "not_",
    ):
        return any(_identity_test(a) for a in condition.args)
    return False


def _sa_condition(node: ast.expr, model: str, shape: QueryShape) -> None:
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] in ("and_",):
        for arg in node.args:
            _sa_condition(arg, model, shape)
        return
    branches: list[ast.expr] = []
    if isinstance(node, ast.Call) and dotted(node.func).split(".")[-1] == "or_":
        branches = list(node.args)
    elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        branches = list(node.values)
    if branches:
        # ``or_(Task.status == A, Task.status == B)`` is ``status IN (A, B)``; an OR over
        # different columns is served by no single index.
        columns = {
            _sa_column(b.left, model)
            for b in branches
            if isinstance(b, ast.Compare) and len(b.ops) == 1 and isinstance(b.ops[0], ast.Eq)
        }
        column = next(iter(columns)) if len(columns) == 1 else None
        if column is not None and all(isinstance(b, ast.Compare) for b in branches):
            if column not in shape.eq:
                shape.eq.append(column)
            shape.multi.append(column)
        elif not shape.any_of:
            shape.any_of = _either_columns(branches, model)
        return
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:
            _sa_condition(value, model, shape)
        return
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        folded = _sa_folded(node.left, model)
        if folded is not None and isinstance(node.ops[0], ast.Eq):
            if folded not in shape.folded_eq:
                shape.folded_eq.append(folded)
            return
        column = _sa_column(node.left, model)
        json_key = _sa_json_key(node.left, model)
        if json_key is not None and isinstance(node.ops[0], ast.Eq):
            if json_key not in shape.json_eq:
                shape.json_eq.append(json_key)
            return
        if column is None or _other_table_column(node.comparators[0], model):
            return
        if isinstance(node.ops[0], ast.Eq) and _live_rows(column, node.comparators[0]):
            return
        if isinstance(node.ops[0], ast.Eq) and column not in shape.eq:
            shape.eq.append(column)
            if _passed_value(node.comparators[0]) and column not in shape.passed:
                shape.passed.append(column)
        elif (
            isinstance(node.ops[0], _RANGE_OPS)
            and column not in shape.ranges
            and not _other_model_column(node.comparators[0], model)
        ):
            shape.ranges.append(column)
        return
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        column = _sa_column(node.func.value, model)
        method = node.func.attr
        if column is None:
            return
        if method == "is_" and node.args and _live_rows(column, node.args[0]):
            return
        if method in ("in_", "is_") and column not in shape.eq:
            shape.eq.append(column)
            if method == "in_":
                shape.multi.append(column)
        elif method in ("between", "startswith") and column not in shape.ranges:
            shape.ranges.append(column)


def _either_columns(branches: list[ast.expr], model: str) -> list[str]:
    """``or_(Call.initiator_id == uid, Call.receiver_id == uid)``: the columns, each compared
    for equality with a value in a branch of its own (an index on each serves the OR); [] for
    any other OR (a range, another table's column, a nested condition)."""
    out: list[str] = []
    for branch in branches:
        if not (
            isinstance(branch, ast.Compare)
            and len(branch.ops) == 1
            and isinstance(branch.ops[0], ast.Eq)
            and not _other_table_column(branch.comparators[0], model)
            and not _other_model_column(branch.comparators[0], model)
        ):
            return []
        column = _sa_column(branch.left, model)
        if column is None or _sa_column(branch.comparators[0], model) is not None:
            return []
        if column not in out:
            out.append(column)
    return out if len(out) > 1 else []


def _q_either(table: Table, arg: ast.expr) -> list[str]:
    """``Q(sender=u) | Q(receiver=u)``: the fields of an OR of one-equality ``Q``s on this
    table's own columns (a foreign key by its field name), [] for any other condition."""
    branches: list[ast.expr] = []

    def flatten(node: ast.expr) -> None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            flatten(node.left)
            flatten(node.right)
        else:
            branches.append(node)

    flatten(arg)
    out: list[str] = []
    for branch in branches:
        if not (
            isinstance(branch, ast.Call)
            and dotted(branch.func).split(".")[-1] == "Q"
            and not branch.args
            and len(branch.keywords) == 1
            and branch.keywords[0].arg
        ):
            return []
        keyword = branch.keywords[0]
        field, _, lookup = (keyword.arg or "").partition("__")
        parent = table.columns.get(field.removesuffix("_id"))
        if field not in table.columns and parent is not None and parent.references:
            field = parent.name  # ``Q(sender_id=u)``: Django's field ``sender``
        if lookup not in ("", "exact", "id") or field not in table.columns:
            return []
        if lookup == "id" and not table.columns[field].references:
            return []
        if _column_expression(keyword.value) or (
            isinstance(keyword.value, ast.Constant) and keyword.value.value is None
        ):
            return []
        if field not in out:
            out.append(field)
    return out if len(out) > 1 else []


def _passed_value(value: ast.expr) -> bool:
    """A value the code hands the query (a name, an attribute, a call, an f-string), not a
    literal written into it (``key="theme"``, ``status=Status.OPEN``, ``None``)."""
    if isinstance(value, ast.Constant):
        return False
    if isinstance(value, ast.Attribute) and dotted(value).split(".")[0][:1].isupper():
        return False  # ``Status.OPEN``: an enum member, one of a handful
    return isinstance(value, ast.Name | ast.Attribute | ast.Call | ast.JoinedStr | ast.Subscript)


def _live_rows(column: str, value: ast.expr) -> bool:
    """``M.deleted_on == null()`` / ``== None`` / ``.is_(None)``: a soft-delete mark tested for
    NULL keeps the live rows, nearly all of them (no equality an index narrows by)."""
    null = (isinstance(value, ast.Constant) and value.value is None) or (
        isinstance(value, ast.Call) and dotted(value.func).split(".")[-1] == "null"
    )
    return null and soft_delete_mark(column)


def _other_table_column(node: ast.expr, model: str) -> bool:
    """``post.c.profile_id == profile.c.id`` in a Core select: the join's condition, which a
    key of the other table serves (not a value this table is searched by)."""
    root = dotted(node).split(".")
    return len(root) == 3 and root[1] == "c" and f"{root[0]}.c" != model


def _other_model_column(node: ast.expr, model: str) -> bool:
    """``Other.end_date`` (a class's attribute, by the capitalised name): a range against
    another table's column, which the index on this column cannot seek by."""
    root = dotted(node).split(".")
    return len(root) == 2 and root[0][:1].isupper() and root[0] != model


def _sa_order(node: ast.expr, model: str, shape: QueryShape) -> None:
    desc = False
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("desc", "asc")
    ):
        desc = node.func.attr == "desc"
        node = node.func.value
    elif (
        isinstance(node, ast.Call)
        and dotted(node.func).split(".")[-1] in ("desc", "asc")
        and node.args
    ):
        desc = dotted(node.func).endswith("desc")
        node = node.args[0]
    column = _sa_column(node, model)
    # A column sorted by again sorts nothing more (a listing's ``order_by`` written before
    # its filters and again after them: SQLAlchemy appends the repeat)
    if column is not None and column not in shape.order_by:
        shape.order_by.append(column)
        shape.order_desc.append(desc)


# Terminal calls that read one row of the sorted ones (LIMIT 1).
_DJANGO_LIMITS = {"first", "last", "latest", "earliest"}
# Terminal calls that drop the model's default ordering (Django clears it for them).
_UNORDERED = {"get", "count", "exists", "aggregate", "update", "delete", "get_or_create"}
_UNORDERED |= {"update_or_create", "in_bulk", "values_list", "distinct"}


def _django_chain(
    source: Source,
    node: ast.Call,
    schema: Schema,
    up: dict[ast.AST, ast.AST],
    named: ast.AST | None = None,
    managers: ManagerChain | None = None,
    manager_model: ManagerModel | None = None,
) -> FoundQuery | None:
    calls, base = _chain(node)
    if isinstance(base, ast.Attribute) and base.attr == "objects" and dotted(base) != _OWN_OBJECTS:
        model = dotted(base.value)
    else:
        own_manager = _own_manager_chain(source, node, calls, base, up, manager_model)
        if own_manager is None:
            return None
        model, calls = own_manager
    own = set(calls)
    if managers is not None:
        calls = _spliced(source, model, calls, managers)
    # A manager method's scope alone (``Event.objects.public()``: the rows on the homepage,
    # most of them) is a list, not a lookup: the query stands when the caller looks up by a
    # value of its own (the public event list sorted by date was judged noise on a real app).
    looked_up = len(own) == len(calls) and own == set(calls)
    table = schema.table_for_model(model)
    if table is None and "." in model and "(" not in model:
        # ``models.HackerApplication.objects`` through ``from applications import models``:
        # the model by its class name (missed on a real app's check-in desk)
        table = schema.table_for_model(model.rsplit(".", 1)[-1])
    if table is None or table.origin != "django":
        return None
    shape = QueryShape(table.name)
    ordered = False
    unordered = False
    for call in calls:
        op = _sync_name(call.func.attr) if isinstance(call.func, ast.Attribute) else ""
        if op not in _QUERYSET_METHODS:
            return None  # a custom manager/queryset method (``.live()``) filters its own way
        unordered = unordered or op in _UNORDERED
        shape.limited = shape.limited or op in _DJANGO_LIMITS
        # ``exclude(status=CANCELLED)`` is ``status <> 'cancelled'``: no index seeks by it
        if op in ("filter", "get", "get_or_create", "update_or_create"):
            before = len(shape.eq)
            if not _django_lookups(table, call.keywords, shape):
                return None
            for arg in call.args:
                either = _q_either(table, arg)
                if either and not shape.any_of:
                    shape.any_of = either
            looked_up = looked_up or (call in own and len(shape.eq) > before)
        elif op == "order_by":
            ordered = True
            for arg in call.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and "__" not in arg.value
                ):
                    shape.order_by.append(arg.value.lstrip("-"))
                    shape.order_desc.append(arg.value.startswith("-"))
        elif op == "annotate" and not shape.grouped:
            shape.grouped = _aggregates(call)
    if not looked_up:
        return None
    description = _short(source.text_of(node))
    view = list_view_of(source, named or node, up)
    if view is not None and view.ordering and not unordered:
        # The view's own default ordering (DRF's OrderingFilter, ListView.ordering) replaces
        # whatever the queryset sorts by.
        ordered = True
        shape.order_by = [c for c, _ in view.ordering]
        shape.order_desc = [d for _, d in view.ordering]
        terms = ", ".join(("-" if d else "") + c for c, d in view.ordering)
        description += f" (sorted by {view.ordering_from}: {terms})"
    # Meta.ordering sorts every queryset that does not say otherwise. Alone (no filter) it is
    # worth an index only where the rows are read a page at a time.
    default_order = not ordered and not unordered and bool(table.ordering)
    filtered = bool(shape.eq or shape.ranges)
    if default_order and not filtered and _sorted_by_label(table):
        # Categories or locations listed by name: a lookup table, a sort of a few rows (an
        # index for it was judged noise on real apps).
        default_order = False
    # A whole table sorted in a bare ListCreateAPIView, paged by the settings' default like
    # every list: its list is the create endpoint's by-product (a real app's contact messages,
    # likes, follows), not a page its clients browse, and its sort is no index's to serve.
    paged_view = view is not None and view.paged and (view.browsed or filtered)
    paginated = _paginated(named or node, up) or paged_view
    shape.limited = shape.limited or paginated
    shape.paged = paginated and not _one_row_taken(named or node, up)
    if default_order and (filtered or paginated):
        ordering = table.ordering or ()
        shape.order_by = [c for c, _ in ordering]
        shape.order_desc = [d for _, d in ordering]
        terms = ", ".join(("-" if d else "") + c for c, d in ordering)
        description += f" (sorted by {model}.Meta.ordering: {terms})"
    if paged_view and view is not None and shape.order_by:
        description += f", a page at a time ({view.view}: {view.how})"
    if not (
        shape.eq or shape.ranges or shape.order_by or shape.json_eq or shape.folded_eq
    ) and not (shape.any_of and looked_up):
        return None
    return FoundQuery(shape, source.span(node), description)


# Django's async queryset calls (4.1+): ``await TeleBotID.objects.filter(...).aexists()`` runs
# the same WHERE as ``exists()`` (a bot's lookup by telegram id was not read at all).
_ASYNC_CALLS = frozenset(
    {"aget", "afirst", "alast", "aexists", "acount", "aget_or_create", "aupdate_or_create"}
    | {"aupdate", "adelete", "aaggregate", "ain_bulk", "alatest", "aearliest", "acontains"}
    | {"aiterator"}
)


# Django's aggregates (and django.contrib.postgres's): an ``annotate()`` of one groups the rows
# (``GROUP BY id``), and the sort then orders the groups, which no index on the table serves.
_AGGREGATES = frozenset(
    {"Count", "Sum", "Avg", "Max", "Min", "StdDev", "Variance", "ArrayAgg", "StringAgg"}
    | {"JSONBAgg", "BoolAnd", "BoolOr", "BitAnd", "BitOr", "BitXor"}
)


def _aggregates(call: ast.Call) -> bool:
    """``annotate(n=Count("comment"))``: an aggregate over the rows, not a value of each row
    (an ``F()``, a ``Subquery`` counting in a query of its own, ``Lower("name")``)."""
    todo: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
    while todo:
        node = todo.pop()
        name = dotted(node.func).split(".")[-1] if isinstance(node, ast.Call) else ""
        if name in _AGGREGATES:
            return True
        if name not in ("Subquery", "Exists"):
            todo.extend(ast.iter_child_nodes(node))
    return False


def _sync_name(op: str) -> str:
    """The queryset call an async one stands for (``aget`` -> ``get``)."""
    return op[1:] if op in _ASYNC_CALLS else op


def _own_manager_chain(
    source: Source,
    node: ast.Call,
    calls: list[ast.Call],
    base: ast.expr,
    up: dict[ast.AST, ast.AST],
    manager_model: ManagerModel | None,
) -> tuple[str, list[ast.Call]] | None:
    """``self.select_related("user").get(key=k)`` in a method of ``SessionManager`` (also
    ``self.get_queryset()...``, ``super().get_queryset()...``, ``self.model.objects...``): the
    model whose manager the class is, and the queryset steps the chain takes. Not a chain the
    method hands back unevaluated (``return self.filter(...)``): a scope the callers go on
    from, read where they call it (see _spliced)."""
    if manager_model is None:
        return None
    steps = list(calls)
    if isinstance(base, ast.Call) and dotted(base.func) == "super":
        if not steps or dotted(steps[0].func).split(".")[-1] != "get_queryset":
            return None
        steps = steps[1:]
    elif isinstance(base, ast.Attribute) and dotted(base) == _OWN_OBJECTS:
        pass
    elif isinstance(base, ast.Name) and base.id == "self":
        if steps and dotted(steps[0].func).split(".")[-1] in ("get_queryset", "all"):
            steps = steps[1:]
    else:
        return None
    if not steps:
        return None
    cls, method = _enclosing_method(node, up)
    if cls is None or method is None:
        return None
    last = _sync_name(dotted(steps[-1].func).split(".")[-1])
    if last not in _EVALUATED and _handed_back(node, method, up):
        return None
    model = manager_model(source, cls)
    return (model, steps) if model else None


# A manager's own model's default manager (``self.model.objects.filter(...)``).
_OWN_OBJECTS = "self.model.objects"
# Queryset calls that run the query there and then (not a queryset handed on).
_EVALUATED = frozenset(
    {"get", "first", "last", "latest", "earliest", "exists", "count", "update", "delete"}
    | {"get_or_create", "update_or_create", "aggregate", "in_bulk", "contains"}
)


def _enclosing_method(
    node: ast.AST, up: dict[ast.AST, ast.AST]
) -> tuple[ast.ClassDef | None, ast.FunctionDef | ast.AsyncFunctionDef | None]:
    """The class whose method ``node`` is written in (directly in its body), and that method."""
    current: ast.AST | None = up.get(node)
    method = None
    while current is not None:
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            method = current
        elif isinstance(current, ast.ClassDef):
            if method is None or method not in current.body:
                return None, None
            return current, method
        elif isinstance(current, ast.Lambda):
            return None, None
        current = up.get(current)
    return None, None


def _handed_back(node: ast.AST, method: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """The unevaluated queryset leaves the method: returned (or yielded), or bound to a name
    the method returns."""
    parent = up.get(node)
    if isinstance(parent, ast.Return | ast.Yield):
        return True
    if isinstance(parent, ast.Assign):
        names = {t.id for t in parent.targets if isinstance(t, ast.Name)}
        return any(
            isinstance(n, ast.Return)
            and n.value is not None
            and any(isinstance(m, ast.Name) and m.id in names for m in ast.walk(n.value))
            for n in ast.walk(method)
        )
    return not isinstance(parent, ast.Expr)


def _spliced(
    source: Source, model: str, calls: list[ast.Call], managers: ManagerChain
) -> list[ast.Call]:
    """``Case.objects.unmerged().filter(uprn=u)`` read as ``Case.objects.filter(merged_into=
    None).filter(uprn=u)``: each own manager method's call replaced by the queryset steps it
    returns on ``self`` (or on ``self.get_queryset()`` / ``super().get_queryset()``). A method
    returning anything else is left as it is, for the reader to give up on."""
    out: list[ast.Call] = []
    for call in calls:
        op = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        returned = None if _sync_name(op) in _QUERYSET_METHODS else managers(source, model, op)
        if not isinstance(returned, ast.Call):
            out.append(call)
            continue
        steps, root = _chain(returned)
        if steps and dotted(steps[0].func).split(".")[-1] == "get_queryset":
            steps = steps[1:]
            root_ok = isinstance(root, ast.Call) and dotted(root.func) == "super"
        else:
            root_ok = False
        if not (root_ok or (isinstance(root, ast.Name) and root.id == "self")):
            out.append(call)
            continue
        out.extend(steps)
    return out


# Django's shortcuts: ``get_object_or_404(Member, card_number=card)`` is
# ``Member.objects.get(card_number=card)`` (the commonest single-row lookup of a Django view,
# missed on a blind planted set).
_SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404"})


def _django_shortcut(source: Source, node: ast.Call, schema: Schema) -> FoundQuery | None:
    model = dotted(node.args[0])
    if not model or "(" in model:
        return None  # a queryset (``Model.objects.filter(...)``): read as its own chain
    table = schema.table_for_model(model) or schema.table_for_model(model.rsplit(".", 1)[-1])
    if table is None or table.origin != "django" or len(node.args) != 1:
        return None
    shape = QueryShape(table.name)
    if not _django_lookups(table, node.keywords, shape):
        return None
    if not (shape.eq or shape.ranges or shape.json_eq or shape.folded_eq):
        return None
    return FoundQuery(shape, source.span(node), _short(source.text_of(node)))


def _django_lookups(table: Table, keywords: list[ast.keyword], shape: QueryShape) -> bool:
    """Adds a ``filter(...)``/``get(...)``'s keyword lookups to ``shape``; False for one no
    b-tree index serves (``icontains``, a regex)."""
    for kw in keywords:
        if kw.arg is None or kw.arg == "defaults":
            continue
        field, _, lookup = kw.arg.partition("__")
        json_key = _django_json_key(table, field, lookup)
        if json_key is not None:
            if json_key not in shape.json_eq:
                shape.json_eq.append(json_key)
            continue
        if _through_foreign_key(table, field, lookup, kw.value):
            # ``form__event__page_url=x``: the SQL joins the parents, narrowed by a value, and
            # compares this table's foreign key with the rows found (as a join on it does, see
            # _sa_joins). Read as ``number = ?`` alone, a real app's lookup was proven to want
            # an index that the foreign key's own one makes needless.
            if field not in shape.eq:
                shape.eq.append(field)
            if lookup.endswith("__in") and field not in shape.multi:
                shape.multi.append(field)
            continue
        if "__" in lookup:
            continue  # a lookup across a relation: another table
        if _column_expression(kw.value):
            # ``submitted_date__lte=F("reporting_period__end_date")``: compared with
            # another column (of this row or a joined one), not with a value, so no
            # index on this column can seek to the rows
            continue
        if lookup == "iexact" and field in table.columns:
            # PostgreSQL's ``UPPER("name"::text) = UPPER(%s)``: served by an index
            # on Upper("name"), not by one on the column
            if ("upper", field) not in shape.folded_eq:
                shape.folded_eq.append(("upper", field))
            continue
        if field == "pk":
            field = next((c.name for c in table.columns.values() if c.primary_key), "id")
        if lookup == "isnull" and _is_false(kw.value):
            continue  # IS NOT NULL keeps most rows: no index narrows it
        null = lookup == "isnull" or (
            not lookup and isinstance(kw.value, ast.Constant) and kw.value.value is None
        )
        if null and soft_delete_mark(field):
            continue  # ``deleted_at__isnull=True``: the live rows, nearly all
        if not lookup or lookup in _DJANGO_EQ:
            if field not in shape.eq:
                shape.eq.append(field)
            if not lookup and _passed_value(kw.value) and field not in shape.passed:
                shape.passed.append(field)
            if lookup == "in" and field not in shape.multi:
                shape.multi.append(field)
        elif lookup in _DJANGO_RANGE:
            # ``starts_at__gte=day, starts_at__lt=next_day``: one range, both ends
            if field not in shape.ranges:
                shape.ranges.append(field)
        elif field in table.columns:
            return False  # icontains, regex...: no b-tree index helps
    return True


_LABEL_FIELDS = ("CharField", "TextField", "SlugField", "EmailField")
# Django's lookups and transforms: a part of a keyword lookup that is none of them names a
# field (of this model, or across a relation).
_DJANGO_LOOKUPS = _DJANGO_EQ | _DJANGO_RANGE | {
    "iexact", "contains", "icontains", "istartswith", "endswith", "iendswith", "regex",
    "iregex", "search", "iso_year", "month", "day", "week", "week_day", "iso_week_day",
    "quarter", "time", "hour", "minute", "second", "contained_by", "overlap", "has_key",
    "has_keys", "has_any_keys", "trigram_similar", "unaccent", "len", "keys", "values",
}  # fmt: skip


def _through_foreign_key(table: Table, field: str, lookup: str, value: ast.expr) -> bool:
    """``parent__name=x`` (``parent__owner__email__exact=x``, ``parent__in=...`` aside): a
    value compared for equality with a column of the rows a foreign key of ``table`` points
    at, so the rows of ``table`` are the ones whose key is theirs."""
    column = table.columns.get(field)
    if column is None or not column.references or not lookup or _column_expression(value):
        return False
    parts = lookup.split("__")
    if parts[0] in _DJANGO_LOOKUPS or (isinstance(value, ast.Constant) and value.value is None):
        return False
    return parts[-1] not in _DJANGO_LOOKUPS or parts[-1] in ("exact", "in")


def _column_expression(node: ast.expr) -> bool:
    """The value names a column: ``F("end_date")`` (also inside arithmetic on it)."""
    return any(
        isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] == "F" for n in ast.walk(node)
    )


def _is_false(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def _sorted_by_label(table: Table) -> bool:
    return _sorted_by_label_of(table, table.ordering or ())


def _sorted_by_label_of(table: Table, ordering: tuple[tuple[str, bool], ...]) -> bool:
    first = table.columns.get((ordering or (("", False),))[0][0])
    return first is not None and first.type.endswith(_LABEL_FIELDS)


def _django_json_key(table: Table, field: str, lookup: str) -> tuple[str, str, str] | None:
    """``payload__source=x`` (or ``payload__source__exact``) on a JSONField: (payload, source).
    Deeper paths and other lookups on the key are left alone."""
    column = table.columns.get(field)
    if column is None or "json" not in column.type.lower() or not lookup:
        return None
    key, _, rest = lookup.partition("__")
    if rest not in ("", "exact") or key in _DJANGO_EQ | _DJANGO_RANGE or not key.isidentifier():
        return None
    if key in ("contains", "contained_by", "has_key", "has_keys", "has_any_keys", "icontains"):
        return None
    return field, key, "->"  # Django compares the jsonb value: ``payload -> 'source' = '"x"'``


def _paginated(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """The view around a queryset pages through it (DRF's ``paginate_queryset``, Django's
    ``Paginator``, a slice) and does not filter it elsewhere (``filter_queryset``)."""
    current: ast.AST | None = node
    scope: ast.AST | None = None
    while current is not None:
        if isinstance(current, ast.Subscript):
            return True
        if isinstance(current, ast.ClassDef):
            scope = current
            break
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = current
        current = up.get(current)
    if scope is None:
        return False
    names = {
        n.attr if isinstance(n, ast.Attribute) else n.id
        for n in every_node(scope)
        if isinstance(n, ast.Attribute | ast.Name)
    }
    defined = {
        n.name for n in every_node(scope) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if isinstance(scope, ast.ClassDef) and _lists_something_else(scope):
        # A class's ``queryset = ...`` where the class lists something else itself: the
        # queryset only finds the one row ``get_object`` asks for by its key.
        return False
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        # In a function, the paginator must page this queryset (by the name it is bound to),
        # not another one the function also builds (``Paginator(past_polls)`` beside
        # ``polls = Poll.objects.all()``)
        assign = up.get(node)
        bound = (
            [t.id for t in getattr(assign, "targets", ()) if isinstance(t, ast.Name)]
            if isinstance(assign, ast.Assign) and assign.value is node
            else []
        )
        return any(
            isinstance(call, ast.Call)
            and dotted(call.func).split(".")[-1] in _PAGINATORS
            and call.args
            and (
                call.args[0] is node
                or (isinstance(call.args[0], ast.Name) and call.args[0].id in bound)
            )
            for call in ast.walk(scope)
        ) or _paged_by_parent(node, up)
    return bool(names & _PAGINATORS) and ("filter_queryset" not in defined)


_PAGINATORS = frozenset({"paginate_queryset", "Paginator", "paginate"})


def _one_row_taken(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """``qs[0]`` / ``qs[-1]``: one row of the sorted ones, not a page."""
    parent = up.get(node)
    return (
        isinstance(parent, ast.Subscript)
        and parent.value is node
        and not isinstance(parent.slice, ast.Slice)
    )


def _paged_by_parent(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    """``Paginator(X.objects.all(), 20)`` / ``self.paginate_queryset(qs...)`` with the query
    written in the call itself."""
    parent = up.get(node)
    return isinstance(parent, ast.Call) and dotted(parent.func).split(".")[-1] in _PAGINATORS


def _lists_something_else(cls: ast.ClassDef) -> bool:
    """The view's own ``list``/``get`` never reads its ``queryset`` (nor ``get_queryset()``)."""
    methods = [
        n
        for n in cls.body
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name in ("list", "get")
    ]
    return bool(methods) and not any(
        isinstance(n, ast.Attribute) and n.attr in ("queryset", "get_queryset")
        for m in methods
        for n in ast.walk(m)
    )


_SCHEMA_CHANGES = frozenset({"CREATE", "ALTER", "DROP"})
_NAMED_QUERY = re.compile(r"^\s*--\s*name:", re.M)


def sql_file_queries(text: str) -> list[FoundQuery]:
    """SELECT/UPDATE/DELETE statements of a .sql file, each with its span. A file that also
    defines the schema (CREATE, ALTER, DROP) or seeds rows (INSERT) is a script run once -- a
    migration step, the schema with its seed rows -- so its queries are not the app's (judged
    on a real app: its ``UPDATE ... WHERE description IS NULL`` steps had indexes proposed).
    A file of named queries (``-- name: create_user!``, aiosql's and yesql's) is the app's."""
    found: list[FoundQuery] = []
    statements = split_statements(text)
    named = _NAMED_QUERY.search(text) is not None
    if any(
        s.keyword in _SCHEMA_CHANGES or (s.keyword == "INSERT" and not named) for s in statements
    ):
        return found
    for statement in statements:
        if statement.keyword not in _READS:
            continue
        code = text[statement.start : statement.end]
        span = Span(position_at(text, statement.start), position_at(text, statement.end))
        for shape in query_shapes(code):
            found.append(FoundQuery(shape, span, " ".join(code.split())[:120], code))
    return found


def _short(code: str, limit: int = 120) -> str:
    flat = " ".join(code.split()).replace("( ", "(").replace(" .", ".")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
