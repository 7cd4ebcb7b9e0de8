"""BKD202 for a Flask URL part with no converter used as a model's integer key: the rule
``/books/<book_id>`` (``@app.route``, or Flask-RESTful's ``api.add_resource(BookApi, ...)``
in any module of the project) hands the view any text, and the view only looks a row up by
it (``filter_by(id=book_id)``, ``.get(book_id)``, ``get_or_404``, ``Book.id == book_id``) on
an Integer column. PostgreSQL refuses to compare an integer with ``'abc'`` (DataError,
invalid input syntax for type integer): ``/books/abc`` is a 500. ``<int:book_id>`` makes
Flask answer 404 itself and hand the view the number the column holds.

Only on PostgreSQL (the app declares its driver) and with no SQLite beside the view: SQLite
compares the text with the integer and finds no row, and MySQL casts it to 0. Silent when the
part is read any other way (a method, a call, a slug or text column), is bound again, when a
rule already converts it, and when a method of a Resource taking it does not qualify.
"""

from __future__ import annotations

import ast
import os
import re

from ..pgproof.detect import postgres_evidence, sqlite_evidence
from ..suggestion import Edit, Suggestion
from .frameworks import ROUTE_VERBS, ModuleFacts
from .pysource import Source, dotted
from .schema import Schema

Function = ast.FunctionDef | ast.AsyncFunctionDef
_PART = re.compile(r"<(?:(\w+)(?:\(.*?\))?:)?(\w+)>")
_LOOKUPS = ("get", "get_or_404")


def int_path_part_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    schema = facts.schema
    if schema is None or "flask" not in facts.frameworks:
        return []
    flask = [r for r in facts.routes if r.framework == "flask"]
    if not flask or postgres_evidence(facts.source.path) is None:
        return []
    if sqlite_evidence(facts.source.path):
        return []
    out: list[Suggestion] = []
    seen: set[int] = set()
    for route in flask:
        owner = facts.up.get(route.func)
        group: list[Function]
        if isinstance(owner, ast.ClassDef):
            if id(owner) in seen:
                continue
            seen.add(id(owner))
            group = [r.func for r in flask if facts.up.get(r.func) is owner]
            rules = _resource_rules(facts, owner)
        else:
            group = [route.func]
            rules = [(facts.source, r) for r in _decorator_rules(route.func)]
        out.extend(_suggestions(facts, schema, group, rules))
    return out


def _decorator_rules(func: Function) -> list[ast.Constant]:
    out = []
    for deco in func.decorator_list:
        if isinstance(deco, ast.Call) and dotted(deco.func).split(".")[-1] in ROUTE_VERBS:
            rule = deco.args[0] if deco.args else None
            if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                out.append(rule)
    return out


def _resource_rules(facts: ModuleFacts, cls: ast.ClassDef) -> list[tuple[Source, ast.Constant]]:
    """The rules ``add_resource(Cls, "/a/<x>", ...)`` registers the class on, in any module
    of the project that names it (and resolves the name to this very class)."""
    sources = list(facts.writers(cls.name)) if facts.writers else [facts.source]
    out: list[tuple[Source, ast.Constant]] = []
    own = os.path.abspath(facts.source.path)
    for src in sources:
        if "add_resource" not in src.text:
            continue
        for call in src.of(ast.Call):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "add_resource"
                and len(call.args) >= 2
                and dotted(call.args[0]).split(".")[-1] == cls.name
            ):
                continue
            if os.path.abspath(src.path) != own:
                found = facts.upstream.resolve_class(src, call.args[0]) if facts.upstream else None
                if found is None or os.path.abspath(found[0].path) != own:
                    continue
                if found[1].lineno != cls.lineno:
                    continue
            for rule in call.args[1:]:
                if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                    out.append((src, rule))
    return out


def _suggestions(
    facts: ModuleFacts,
    schema: Schema,
    funcs: list[Function],
    rules: list[tuple[Source, ast.Constant]],
) -> list[Suggestion]:
    parts: dict[str, list[tuple[Source, ast.Constant]]] = {}
    converted: set[str] = set()
    for src, rule in rules:
        for converter, name in _PART.findall(str(rule.value)):
            if converter in ("", "string"):
                parts.setdefault(name, []).append((src, rule))
            else:
                converted.add(name)
    out: list[Suggestion] = []
    for name, at in parts.items():
        if name in converted:
            continue
        taking = [f for f in funcs if name in _params(f)]
        if not taking:
            continue
        keys: list[tuple[ast.AST, str]] = []
        for func in taking:
            found = _integer_keys(facts, schema, func, name)
            if found is None:
                keys = []
                break
            keys.extend(found)
        if keys:
            out.append(_suggestion(facts, name, at, keys, taking))
    return out


def _params(func: Function) -> set[str]:
    args = func.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _integer_keys(
    facts: ModuleFacts, schema: Schema, func: Function, name: str
) -> list[tuple[ast.AST, str]] | None:
    """Where the view uses ``name`` as an integer key (node, the column as the code names
    it); None when it reads it any other way."""
    keys: list[tuple[ast.AST, str]] = []
    for node in facts.source.nodes_of(func):
        if not isinstance(node, ast.Name) or node.id != name:
            continue
        if not isinstance(node.ctx, ast.Load):
            return None  # bound again
        parent = facts.up.get(node)
        if isinstance(parent, ast.FormattedValue):
            continue  # ``f"book:{book_id}"``: the same text for the number
        column = _key_use(schema, node, parent, facts.up)
        if column is None:
            return None
        keys.append((node, column))
    return keys


def _key_use(
    schema: Schema, node: ast.Name, parent: ast.AST | None, up: dict[ast.AST, ast.AST]
) -> str | None:
    if isinstance(parent, ast.keyword) and parent.arg:
        call = up.get(parent)
        if isinstance(call, ast.Call) and dotted(call.func).split(".")[-1] == "filter_by":
            model = _queried(call.func)
            return _integer_column(schema, model, parent.arg)
        return None
    if isinstance(parent, ast.Call) and isinstance(parent.func, ast.Attribute):
        if parent.func.attr in _LOOKUPS and parent.args == [node]:
            return _integer_column(schema, _queried(parent.func), None)
        if parent.func.attr == "get" and len(parent.args) == 2 and parent.args[1] is node:
            return _integer_column(schema, dotted(parent.args[0]), None)  # session.get(M, id)
        return None
    if (
        isinstance(parent, ast.Compare)
        and len(parent.ops) == 1
        and isinstance(parent.ops[0], ast.Eq | ast.NotEq)
    ):
        other = parent.left if parent.comparators[0] is node else parent.comparators[0]
        if isinstance(other, ast.Attribute):
            return _integer_column(schema, dotted(other.value), other.attr)
    return None


def _queried(func: ast.expr) -> str:
    """The model a ``Model.query...`` / ``session.query(Model)...`` chain reads."""
    node = func.value if isinstance(func, ast.Attribute) else func
    while True:
        if isinstance(node, ast.Attribute):
            if node.attr == "query" and not isinstance(node.value, ast.Call):
                return dotted(node.value)
            node = node.value
        elif isinstance(node, ast.Call):
            if dotted(node.func).split(".")[-1] == "query" and len(node.args) == 1:
                return dotted(node.args[0])
            node = node.func
        else:
            return ""


def _integer_column(schema: Schema, model: str, column: str | None) -> str | None:
    """``Book.id`` when the model's column (its one primary key for None) is an integer."""
    name = model.split(".")[-1]
    table = schema.table_for_model(name) if name else None
    if table is None:
        return None
    if column is None:
        keys = [c for c in table.columns.values() if c.primary_key]
        found = keys[0] if len(keys) == 1 else None
    else:
        found = table.columns.get(column)
    if found is None or "int" not in found.type.lower():
        return None
    return f"{name}.{found.name}"


def _suggestion(
    facts: ModuleFacts,
    name: str,
    rules: list[tuple[Source, ast.Constant]],
    keys: list[tuple[ast.AST, str]],
    funcs: list[Function],
) -> Suggestion:
    src = facts.source
    edits = []
    for rule_src, rule in rules:
        text = rule_src.text_of(rule)
        new = re.sub(rf"<(?:string(?:\(.*?\))?:)?{name}>", f"<int:{name}>", text)
        edits.append(Edit(rule_src.path, rule_src.span(rule), new))
    first = keys[0][0]
    written = str(rules[0][1].value)
    shown = re.sub(rf"<(?:string(?:\(.*?\))?:)?{name}>", "abc", written)
    owner = facts.up.get(funcs[0])
    view = owner.name if isinstance(owner, ast.ClassDef) else funcs[0].name
    columns = sorted({c for _n, c in keys})
    why = (
        f"`{written}` hands {view} any text as `{name}`, and it is only used as the integer "
        f"key {', '.join(f'`{c}`' for c in columns)}: PostgreSQL ({postgres_evidence(src.path)}) "
        f"refuses to compare an integer column with text (DataError, invalid input syntax for "
        f"type integer), so `{shown}` is a 500. With `<int:{name}>` Flask answers 404 itself "
        "and hands the view the number."
    )
    title = f"Take `{name}` as `<int:{name}>`: `{shown}` is a 500 on PostgreSQL"
    return Suggestion("BKD202", "validation", src.path, src.span(first), title, why, tuple(edits))
