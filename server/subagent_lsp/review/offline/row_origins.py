"""Where a SQLAlchemy model's (or a raw SQL table's) rows are made: the lines of a module that
may add one.

Judged on real apps (blind reviews of their index proposals), indexes on tables whose rows
no request makes were noise: an election an administrator opens on the admin pages (a row a
year), a group the CLI seeds. The project asks, per table, whether every line found here is
off the request path (an admin page, a command, a seed); admin_rows.py is the same question
for Django's admin site.

Read conservatively: a mention of the model that is not plainly a read counts as a line that
may make a row -- a call of the class (``Election(...)``, ``cls(...)`` in its own methods), a
class method (``Group.get_or_create``), the class passed to a call that is not a known read
(``insert(Model)``, ``get_or_create(session, Model)``), bound to a name or a class attribute
(a serializer's ``model = Model``), subclassed, its ``__table__``. SQL text that inserts into
the table (``INSERT INTO``, ``COPY``) counts too. A read is ``Model.query`` and the query
methods that add no row, a column (``Model.owner_id == x``), an annotation, ``isinstance``,
``select(Model)``, ``session.query(Model)``, a relationship's target.
"""

from __future__ import annotations

import ast
import re

from .admin_rows import annotation_nodes
from .pysource import Source, dotted

# Query methods (Flask-SQLAlchemy's ``Model.query``) that add no row.
_QUERY_READS = frozenset(
    {
        *("filter", "filter_by", "get", "get_or_404", "first", "first_or_404", "one"),
        *("one_or_none", "one_or_404", "all", "order_by", "count", "limit", "offset"),
        *("paginate", "scalar", "options", "join", "outerjoin", "distinct", "exists"),
        *("delete", "update", "with_entities", "group_by", "having", "select_from"),
        *("yield_per", "execution_options", "params", "populate_existing", "with_for_update"),
    }
)
# Calls that take a model and make no row of it.
_READING_CALLS = frozenset(
    {
        *("query", "select", "isinstance", "issubclass", "relationship", "aliased"),
        *("joinedload", "selectinload", "subqueryload", "contains_eager", "lazyload"),
        *("get", "get_or_404", "one_or_404", "first_or_404", "scalar", "scalars", "count"),
        *("exists", "with_polymorphic", "delete", "update", "len", "str", "repr", "type"),
        *("backref", "Mapped", "ForeignKey", "join", "outerjoin", "select_from"),
        *("with_entities", "defer", "undefer", "load_only", "inspect"),
    }
)
_OWN_CLASS = frozenset({"cls", "self.__class__"})


def row_lines(
    source: Source, model: str, table: str, reads: frozenset[str] = frozenset()
) -> list[int]:
    """The 0-based lines of the module that may make a row of ``model`` (its class name, ""
    for a table without one) or of ``table``, read once per parse. ``reads``: the model's
    own methods that make no row (``Election.get``, ``Election.search``)."""
    cache: dict[tuple[str, str, frozenset[str]], list[int]] = source.__dict__.setdefault(
        "_row_lines", {}
    )
    key = (model, table, reads)
    if key not in cache:
        cache[key] = _row_lines(source, model, table, reads)
    return cache[key]


_Function = ast.FunctionDef | ast.AsyncFunctionDef


def _model_class(source: Source, class_line: int, model: str) -> ast.ClassDef | None:
    for cls in source.of(ast.ClassDef):
        first = min([cls.lineno, *(d.lineno for d in cls.decorator_list)])
        if first - 1 == class_line and cls.name == model:
            return cls
    return None


def _makers(cls: ast.ClassDef, source: Source, model: str) -> set[str]:
    """The class's methods that may make a row: one of its lines does, or it calls another
    (``cls.get_or_create(...)``, ``self.add(...)``) that does."""
    methods = {f.name: f for f in cls.body if isinstance(f, _Function)}
    lines = set(row_lines(source, model, ""))
    makers = {
        name
        for name, f in methods.items()
        if any(f.lineno - 1 <= line <= (f.end_lineno or f.lineno) - 1 for line in lines)
    }
    calls = {
        name: {
            n.func.attr
            for n in ast.walk(f)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and dotted(n.func.value) in ("cls", "self", model)
        }
        for name, f in methods.items()
    }
    # A method the class does not define (a mixin's ``create``) may make one.
    makers |= {name for name, called in calls.items() if called - set(methods)}
    grown = True
    while grown:
        more = {name for name, called in calls.items() if called & makers} - makers
        makers |= more
        grown = bool(more)
    return makers


def class_makers(source: Source, class_line: int, model: str) -> list[tuple[int, int]]:
    """The 0-based line spans of the class's own class methods that make a row of it
    (``Group.get_or_create``): their callers name them (``Group.get_or_create(...)`` is a
    line that may make a row), so where those calls run is what counts."""
    cls = _model_class(source, class_line, model)
    if cls is None:
        return []
    makers = _makers(cls, source, model)
    return [
        (f.lineno - 1, (f.end_lineno or f.lineno) - 1)
        for f in cls.body
        if isinstance(f, _Function)
        and f.name in makers
        and any(dotted(d) in ("classmethod", "staticmethod") for d in f.decorator_list)
    ]


def reading_methods(source: Source, class_line: int, model: str) -> frozenset[str]:
    """The methods the model's class defines (0-based ``class_line``) that make no row of it:
    no ``cls(...)``, no ``Model(...)``, no call of another method of the class that may
    (inherited ones are not known here, so they stay possible makers)."""
    cls = _model_class(source, class_line, model)
    if cls is not None:
        methods = {f.name for f in cls.body if isinstance(f, _Function)}
        reads = methods - _makers(cls, source, model)
        for stmt in cls.body:  # ``get = by_alias``: another name of a method that reads
            value = stmt.value if isinstance(stmt, ast.Assign) else None
            if isinstance(value, ast.Name) and value.id in reads and isinstance(stmt, ast.Assign):
                reads.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
        return frozenset(reads)
    return frozenset()


def _row_lines(source: Source, model: str, table: str, reads: frozenset[str]) -> list[int]:
    text = source.text
    named = bool(model) and model in text
    inserts = _inserts(table) if table and table.lower() in text.lower() else None
    if not named and inserts is None:
        return []
    up = source.up()
    typed = annotation_nodes(source) if named else set()
    by_name, strings, aliases = _candidates(source)
    # The nodes that can make a row, in walk order: the model's name, ``cls`` and
    # ``self.__class__``; SQL strings; imports under another name.
    found: list[tuple[int, ast.AST]] = []
    if named:
        for name in dict.fromkeys((model, "cls", "__class__")):
            found += by_name.get(name, ())
        found += aliases
    if inserts is not None:
        found += strings
    out: list[tuple[int, int]] = []
    for at, node in found:
        if isinstance(node, ast.Name | ast.Attribute):
            makes = _makes_here(node, up, model, typed, reads)
        elif isinstance(node, ast.Constant):
            makes = inserts is not None and bool(inserts.search(str(node.value)))
        else:  # ``import Election as E``: its calls are not found by the model's name
            assert isinstance(node, ast.alias)
            makes = node.asname not in (None, model) and node.name.split(".")[-1] == model
        if makes:
            out.append((at, node.lineno - 1))
    return [line for _, line in sorted(out)]


_Candidates = tuple[
    dict[str, list[tuple[int, ast.AST]]], list[tuple[int, ast.AST]], list[tuple[int, ast.AST]]
]


def _candidates(source: Source) -> _Candidates:
    """The module's names and attributes by name, its strings and its aliases, each with its
    place in walk order: asked once per model of the workspace for every module, a walk of
    every node each time was most of the time row_lines cost."""
    cached = source.__dict__.get("_row_candidates")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    by_name: dict[str, list[tuple[int, ast.AST]]] = {}
    strings: list[tuple[int, ast.AST]] = []
    aliases: list[tuple[int, ast.AST]] = []
    for at, node in enumerate(source.walk()):
        if isinstance(node, ast.Name):
            by_name.setdefault(node.id, []).append((at, node))
        elif isinstance(node, ast.Attribute):
            by_name.setdefault(node.attr, []).append((at, node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append((at, node))
        elif isinstance(node, ast.alias):
            aliases.append((at, node))
    result = (by_name, strings, aliases)
    source.__dict__["_row_candidates"] = result
    return result


def _makes_here(
    node: ast.Name | ast.Attribute,
    up: dict[ast.AST, ast.AST],
    model: str,
    typed: set[int],
    reads: frozenset[str],
) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr
    if name == model:
        return id(node) not in typed and _may_make(node, up, reads)
    return dotted(node) in _OWN_CLASS and _own_class_call(node, up, model)


def _inserts(table: str) -> re.Pattern[str]:
    name = re.escape(table)
    return re.compile(
        rf'\b(insert\s+(or\s+\w+\s+)?into|replace\s+into|merge\s+into|copy)\s+(\w+\.)?"?{name}\b',
        re.I,
    )


def _own_class_call(node: ast.expr, up: dict[ast.AST, ast.AST], model: str) -> bool:
    """``cls(...)`` or ``self.__class__(...)`` in a method of the model's own class."""
    call = up.get(node)
    if not (isinstance(call, ast.Call) and call.func is node):
        return False
    current = up.get(call)
    while current is not None and not isinstance(current, ast.ClassDef):
        current = up.get(current)
    return current is not None and current.name == model


def _may_make(node: ast.expr, up: dict[ast.AST, ast.AST], reads: frozenset[str]) -> bool:
    parent = up.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        if parent.attr == "query":
            return _query_may_make(parent, up)
        if parent.attr.startswith("_"):
            return True  # ``Model.__table__.insert()``, ``Model.__init__``
        call = up.get(parent)
        called = isinstance(call, ast.Call) and call.func is parent
        # a class method may make one, unless it is the class's own that makes none
        return called and parent.attr[:1].islower() and parent.attr not in reads
    if isinstance(parent, ast.Call):
        if parent.func is node:
            return True  # ``Model(...)``
        return not _reading(parent)
    if isinstance(parent, ast.keyword):
        call = up.get(parent)
        return not (isinstance(call, ast.Call) and _reading(call))
    if isinstance(parent, ast.Tuple):
        call = up.get(parent)
        return not (isinstance(call, ast.Call) and _reading(call))
    if isinstance(parent, ast.ClassDef):
        return node in parent.bases  # a subclass's rows are rows of this table too
    return not isinstance(parent, ast.Compare)  # ``type(row) is Model`` reads


def _reading(call: ast.Call) -> bool:
    return dotted(call.func).split(".")[-1] in _READING_CALLS


def _query_may_make(query: ast.Attribute, up: dict[ast.AST, ast.AST]) -> bool:
    """``Model.query.filter_by(...).first()``: every method of the chain adds no row."""
    current: ast.AST = query
    while True:
        parent = up.get(current)
        if not (isinstance(parent, ast.Attribute) and parent.value is current):
            return False
        call = up.get(parent)
        if not (isinstance(call, ast.Call) and call.func is parent):
            return True  # passed on uncalled: an unknown use
        if parent.attr not in _QUERY_READS:
            return True
        current = call


_LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def in_loop(source: Source, line: int) -> bool:
    """Whether 0-based ``line`` is in a loop (or a comprehension) of its function: code that
    may make many rows per run. Read once per parse."""
    spans: list[tuple[int, int]] | None = source.__dict__.get("_loop_spans")
    if spans is None:
        spans = source.__dict__["_loop_spans"] = [
            (node.lineno - 1, (getattr(node, "end_lineno", None) or node.lineno) - 1)
            for node in source.walk()
            if isinstance(node, _LOOPS)
        ]
    return any(first <= line <= last for first, last in spans)
