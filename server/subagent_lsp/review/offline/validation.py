"""Request data used without a schema, and conversions that fail on missing or bad input."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

from ..suggestion import Edit, Suggestion
from .body_readers import body_reader, reads_json
from .body_splat import body_splat_suggestions
from .client_attributes import client_attribute_suggestions
from .column_lengths import column_length_suggestions
from .date_parts import date_part_suggestions
from .decode_guards import Idioms, decode_guard_suggestions, fixed_in_handler
from .dependency_json import dependency_json_suggestions
from .django_json import json_body_locals
from .django_views import request_attr, request_data_method
from .drf import drf_view
from .drf_serializers import drf_validation_error
from .earlier_guards import negated, refused_before
from .enum_conversions import allowed, enum_conversion
from .factory_bounds import factory_bound_suggestions
from .factory_sort_keys import factory_sort_key_suggestions
from .fastapi_conversions import dependencies, fastapi_conversions, stamps
from .fastapi_enums import fastapi_enum_suggestions
from .fastapi_params import body_params
from .filter_methods import filter_method_suggestions
from .flask_answers import json_error
from .form_bounds import form_bound_suggestions
from .form_models import form_factory_suggestions, form_model_suggestions
from .frameworks import (
    ModuleFacts,
    Route,
    caught,
    django_bad_request,
    enclosing_statement,
    flask_abort,
    route_guards,
)
from .helper_mappings import (
    MULTIDICTS,
    conversion_guard,
    flask_helper_fix,
    mapping_conversions,
    passed_on,
    request_mapping,
    typed_default,
)
from .helper_mappings import date_parse as _date_parse
from .html_answers import answers_html
from .inline_conversions import free_local, hoisted_guard
from .int_path_parts import int_path_part_suggestions
from .json_helpers import django_json_key_suggestions, helper_json_key_suggestions
from .json_helpers import json_locals as json_locals_of
from .list_indexes import list_index_suggestions
from .mapping_keys import mapping_key_suggestions
from .mass_assignment import mass_assignment_suggestions
from .misspelled_bounds import misspelled_bound_suggestions
from .model_parses import model_parse_suggestions
from .nested_body import nested_body_suggestions, validated_from
from .null_updates import null_update_suggestions
from .object_ids import object_id_app_suggestions, object_id_suggestions
from .open_schemas import open_schema_suggestions
from .orm_lookups import orm_lookup_suggestions
from .page_bounds import page_bound_suggestions
from .positive_inputs import positive_input_suggestions
from .pyedits import (
    ensure_imports,
    insert_before_line,
    replace_statement,
    statement_lines,
    wrapped_in_try,
)
from .pysource import Source, dotted, top_level_function
from .query_models import query_model_suggestions
from .raw_json_models import raw_json_model_suggestions
from .request_asserts import request_assert_suggestions
from .request_helpers import request_helpers
from .row_uses import short
from .serializer_keys import serializer_key_suggestions
from .sort_keys import sort_key_suggestions
from .try_blocks import validated_by_form
from .uuid_params import uuid_parameter_suggestions
from .webhook_keys import webhook_key_suggestions

_VALIDATING = {"model_validate", "model_validate_json", "parse_obj", "validate", "load", "is_valid"}
_CONVERTERS = {"int": "int", "float": "float", "str": "str", "bool": "bool"}
# Statements a ``try`` may wrap whole, their line(s) as written.
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)


def validation_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    _CURRENT.append(facts.source)
    try:
        return _validation_suggestions(facts)
    finally:
        _CURRENT.pop()


def _validation_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = object_id_app_suggestions(facts)
    out.extend(int_path_part_suggestions(facts))
    for route in facts.routes:
        if route.framework == "flask":
            out.extend(_flask_json(facts, route))
            answer = functools.partial(_flask_400, facts, route)
            out.extend(helper_json_key_suggestions(facts, route, answer))
        if route.framework == "fastapi":
            out.extend(_fastapi_body(facts, route))
            out.extend(_fastapi_raw_json(facts, route))
            out.extend(raw_json_model_suggestions(facts, route))
            out.extend(form_model_suggestions(facts, route))
            out.extend(fastapi_conversions(facts, route))
            out.extend(fastapi_enum_suggestions(facts, route))
            out.extend(client_attribute_suggestions(facts, route))
            out.extend(positive_input_suggestions(facts, route))
            out.extend(column_length_suggestions(facts, route))
            out.extend(uuid_parameter_suggestions(facts, route))
            out.extend(object_id_suggestions(facts, route))
            out.extend(list_index_suggestions(facts, route))
            out.extend(query_model_suggestions(facts, route))
            out.extend(null_update_suggestions(facts, route))
        out.extend(_conversions(facts, route))
        if route.framework == "django":
            out.extend(_django_keys(facts, route))
            answer = functools.partial(_django_answer, facts, route)
            out.extend(django_json_key_suggestions(facts, route, answer))
            out.extend(orm_lookup_suggestions(facts, route))
            out.extend(date_part_suggestions(facts, route))
        out.extend(nested_body_suggestions(facts, route))
        out.extend(mass_assignment_suggestions(facts, route))
        out.extend(open_schema_suggestions(facts, route))
        out.extend(body_splat_suggestions(facts, route))
        out.extend(model_parse_suggestions(facts, route))
        out.extend(page_bound_suggestions(facts, route))
    if "fastapi" in facts.frameworks:
        # a page size's misnamed cap is renamed by BKD214's fix, with its floor
        renamed = {
            (e.path, e.span.start.line, e.span.start.column)
            for s in out
            if s.code == "BKD214"
            for e in s.edits
        }
        out.extend(misspelled_bound_suggestions(facts, renamed))
        out.extend(form_factory_suggestions(facts))
        out.extend(factory_bound_suggestions(facts))
    helpers = request_helpers(facts)
    for helper in helpers:
        out.extend(_conversions(facts, helper))
    if "fastapi" in facts.frameworks:
        for dependency in dependencies(facts):
            out.extend(fastapi_conversions(facts, dependency))
            out.extend(fastapi_enum_suggestions(facts, dependency))
        out.extend(dependency_json_suggestions(facts))
    if "FilterSet" in facts.source.text:  # django-filter's module need not import django
        out.extend(filter_method_suggestions(facts))
    out.extend(_helper_conversions(facts))
    idioms = Idioms(_request_value, _flask_400, _free_http_exception)
    out.extend(decode_guard_suggestions(facts, helpers, idioms))
    out.extend(request_assert_suggestions(facts))
    out.extend(serializer_key_suggestions(facts))
    out.extend(form_bound_suggestions(facts))
    out.extend(sort_key_suggestions(facts, _flask_400))
    out.extend(factory_sort_key_suggestions(facts))
    out.extend(webhook_key_suggestions(facts))
    out.extend(mapping_key_suggestions(facts, _flask_400, helpers))
    return out


def _helper_conversions(facts: ModuleFacts) -> list[Suggestion]:
    """A view hands a request value (``_prepare(context, self.request.GET.get("date"))``) or
    the whole request mapping (``_filters(request.args)``) to a function of its module that
    converts it (``strptime(date, ...)``, ``int(args.get("feed", 0))``): the conversion raises
    as the view's own would. The fix is at the conversion: Django raises ``BadRequest``
    (answered 400 from wherever in the request it is raised); a Flask helper, which returns
    values and not responses, uses ``type=`` on a MultiDict or ``abort(400)``."""
    out: list[Suggestion] = []
    done: set[int] = set()
    # id(helper) -> the helper, its parameter holding the mapping, what each caller hands it
    mappings: dict[int, tuple[ast.FunctionDef, str, list[str]]] = {}
    for route in facts.routes:
        if route.framework not in ("django", "flask"):
            continue
        # An app handler for ValueError, or a view that validates the data itself, owns it.
        handled = bool({"ValueError", "Exception", "BaseException"} & route.handled)
        whole = not handled and not _validates(route.func)
        for call in _nodes(route.func):
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name):
                continue
            helper = _module_function(facts, call.func.id)
            if helper is None or facts.is_route(helper):
                continue
            if caught(call, facts.up, {"ValueError"}) or validated_by_form(call, facts.up):
                continue  # the view answers the helper's ValueError itself
            params = [a.arg for a in helper.args.args]
            for param, arg in zip(params, call.args, strict=False):
                origin = request_mapping(route.func, arg)
                if origin is not None:
                    if whole:
                        _add_mapping(facts, mappings, helper, param, origin, depth=0)
                    continue
                value = _bound_request_value(route.func, arg) if isinstance(arg, ast.Name) else arg
                if value is None or _request_value(value) is None:
                    continue
                conversion = _converted_param(facts, helper, param)
                if conversion is None or id(conversion) in done:
                    continue
                done.add(id(conversion))
                kind = "date" if _date_parse(dotted(conversion.func)) else "int"
                if isinstance(conversion.func, ast.Name):
                    kind = conversion.func.id
                base = _request_value(value) or ""
                found = _helper_fix(facts, route.framework, helper, conversion, value, kind, base)
                if found is not None:
                    out.append(found)
    for helper, param, origins in mappings.values():
        # Django's QueryDicts and Flask's mappings have their own names: the origin tells.
        framework = "django" if {"request.GET", "request.POST"} & set(origins) else "flask"
        multidict = all(o in MULTIDICTS for o in origins)
        for conversion, read, kind in mapping_conversions(helper, param, facts.up):
            if id(conversion) in done:
                continue
            done.add(id(conversion))
            key = _constant_key(read)
            if key is None:
                continue
            found = (
                flask_helper_fix(
                    facts,
                    helper,
                    conversion,
                    read,
                    kind,
                    key,
                    multidict,
                    " / ".join(sorted(set(origins))),
                )
                if framework == "flask"
                else _conversion_fix(
                    facts, Route(helper, "django", answers=False), conversion, read, kind, ""
                )
            )
            if found is not None:
                out.append(found)
    return out


def _add_mapping(
    facts: ModuleFacts,
    mappings: dict[int, tuple[ast.FunctionDef, str, list[str]]],
    helper: ast.FunctionDef,
    param: str,
    origin: str,
    depth: int,
) -> None:
    """Record that ``helper``'s ``param`` holds the request mapping ``origin``, and follow it
    into the module's functions the helper hands it on to (``_articles_filters(args)`` calls
    ``_get_filters(args)``), a few levels deep."""
    entry = mappings.setdefault(id(helper), (helper, param, []))
    if entry[1] != param:
        return  # another parameter holds a mapping from another caller: too mixed to follow
    entry[2].append(origin)
    if depth >= 2 or len(entry[2]) > 1:
        return  # followed on the first visit already
    for call, index in passed_on(helper, param):
        assert isinstance(call.func, ast.Name)
        inner = _module_function(facts, call.func.id)
        if inner is None or inner is helper or facts.is_route(inner):
            continue
        if caught(call, facts.up, {"ValueError"}):
            continue
        params = [a.arg for a in inner.args.args]
        if index < len(params):
            _add_mapping(facts, mappings, inner, params[index], origin, depth + 1)


def _constant_key(read: ast.expr) -> str | None:
    key = read.args[0] if isinstance(read, ast.Call) and read.args else getattr(read, "slice", None)
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _helper_fix(
    facts: ModuleFacts,
    framework: str,
    helper: ast.FunctionDef,
    conversion: ast.Call,
    value: ast.expr,
    kind: str,
    base: str,
) -> Suggestion | None:
    """The fix at a helper's conversion of one request value the view read for it."""
    if framework == "django":
        return _conversion_fix(
            facts, Route(helper, "django", answers=False), conversion, value, kind, base
        )
    key = _constant_key(value)
    if key is None:
        return None
    # The helper has only the value, not the mapping: ``type=`` is the view's to add, so the
    # conversion is guarded where it is.
    return flask_helper_fix(
        facts, helper, conversion, value, kind, key, False, _flat(facts.source.text_of(value))
    )


def _module_function(facts: ModuleFacts, name: str) -> ast.FunctionDef | None:
    return top_level_function(facts.source, name)


def _converted_param(facts: ModuleFacts, func: ast.FunctionDef, param: str) -> ast.Call | None:
    """The first uncaught ``int(param)`` / ``float(param)`` / ``...strptime(param, fmt)`` of
    ``func``, before anything rebinds ``param``."""
    for node in sorted(
        (n for n in _nodes(func) if isinstance(n, ast.Call | ast.Assign)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        if isinstance(node, ast.Call) and node.args:
            arg = node.args[0]
            name = dotted(node.func)
            converts = (name in ("int", "float") and len(node.args) == 1) or _date_parse(name)
            if converts and isinstance(arg, ast.Name) and arg.id == param:
                return None if caught(node, facts.up, {"ValueError", "TypeError"}) else node
        elif (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == param for t in node.targets)
            and not any(isinstance(n, ast.Name) and n.id == param for n in ast.walk(node.value))
        ):
            return None  # rebound to something else before any conversion
    return None


def _validates(func: ast.AST) -> bool:
    for node in _nodes(func):
        if isinstance(node, ast.Call):
            name = dotted(node.func).split(".")[-1]
            if name in _VALIDATING or "jsonschema" in dotted(node.func):
                return True
    return False


_CURRENT: list[Source] = []


def _nodes(func: ast.AST) -> list[ast.AST]:
    """The function's nodes from the module's one traversal (see Source._index)."""
    return _CURRENT[-1].nodes_of(func) if _CURRENT else list(ast.walk(func))


def _target(stmt: ast.AST | None) -> str | None:
    """The variable of ``name = value`` with one plain name target, else None."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id
    return None


def _assignments(func: ast.AST) -> Iterator[tuple[ast.Assign, str, ast.expr]]:
    """Every ``name = value`` in a function: (statement, name, value)."""
    for stmt in _nodes(func):
        name = _target(stmt)
        if name is not None and isinstance(stmt, ast.Assign):
            yield stmt, name, stmt.value


def _model_name(func: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return "".join(p.capitalize() for p in func.name.split("_") if p) + "Body"


Lines = tuple[int, int]  # 1-based, inclusive


def _in_lines(node: ast.AST, lines: Lines | None) -> bool:
    return lines is None or lines[0] <= getattr(node, "lineno", 0) <= lines[1]


def _binding_reach(func: ast.AST, var: str, stmt: ast.stmt) -> Lines:
    """The lines where ``var`` holds what ``stmt`` bound: up to its next binding (the POST and
    the DELETE branch of one view each bind ``data = request.json``; one's check is not the
    other's)."""
    start = (stmt.end_lineno or stmt.lineno) + 1
    later = [
        n.lineno
        for n in _nodes(func)
        if isinstance(n, ast.Assign)
        and n.lineno >= start
        and any(isinstance(t, ast.Name) and t.id == var for t in n.targets)
    ]
    end = min(later) - 1 if later else (getattr(func, "end_lineno", None) or start)
    return start, end


def _keys(func: ast.AST, var: str, lines: Lines | None = None) -> dict[str, tuple[bool, str]]:
    """Keys read from dict ``var``: name -> (required, type inferred from a conversion)."""
    keys: dict[str, tuple[bool, str]] = {}
    conversions: dict[int, str] = {}
    nodes = sorted(
        (n for n in _nodes(func) if hasattr(n, "lineno") and _in_lines(n, lines)),
        key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
    )
    for node in _nodes(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            kind = _CONVERTERS.get(node.func.id)
            if kind:
                conversions[id(node.args[0])] = kind
    for node in nodes:
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == var
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and isinstance(node.ctx, ast.Load)
        ):
            old = keys.get(node.slice.value)
            kind = conversions.get(id(node), old[1] if old else "Any")
            keys[node.slice.value] = (True, kind)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == var
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            key = node.args[0].value
            if key not in keys:
                keys[key] = (False, conversions.get(id(node), "Any"))
    return keys


def _only_key_access(func: ast.AST, var: str, lines: Lines | None = None) -> bool:
    """``var`` is used only as ``var["key"]`` / ``var.get("key")`` after it is bound, or tested
    for truth (``if data:``): a non-empty body may still lack the key read next, so a
    truthiness test is no check of its keys."""
    allowed: set[int] = set()
    nodes = [n for n in _nodes(func) if _in_lines(n, lines)]
    for node in nodes:
        # Only a key written out: a model of the keys the code names drops the rest, so a
        # ``data[field]`` read after the fix would miss every key but those.
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            if _text_constant(node.slice):
                allowed.add(id(node.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.args
            and _text_constant(node.args[0])
        ):
            allowed.add(id(node.func.value))
        if isinstance(node, ast.If | ast.While | ast.IfExp):
            allowed.update(id(n) for n in _truth_tested(node.test))
    return all(
        id(node) in allowed
        for node in nodes
        if isinstance(node, ast.Name) and node.id == var and isinstance(node.ctx, ast.Load)
    )


def _text_constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _truth_tested(test: ast.expr) -> list[ast.Name]:
    """The names a condition tests for truth: ``data``, ``not data``, ``data and ...``."""
    if isinstance(test, ast.Name):
        return [test]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _truth_tested(test.operand)
    if isinstance(test, ast.BoolOp):
        return [n for value in test.values for n in _truth_tested(value)]
    return []


def _model_class(name: str, keys: dict[str, tuple[bool, str]], indent: str) -> str:
    lines = [f"{indent}class {name}(BaseModel):"]
    for key, (required, kind) in keys.items():
        if not key.isidentifier():
            return ""
        lines.append(
            f"{indent}    {key}: {kind}" if required else f"{indent}    {key}: {kind} | None = None"
        )
    return "\n".join(lines) + "\n\n"


def _model_anchor(facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.stmt:
    """Where a body model for ``func`` is declared: before it, or before its class when it is
    a method (a class attribute is no name the method's body can read)."""
    anchor: ast.stmt = func
    while isinstance(facts.up.get(anchor), ast.ClassDef):
        anchor = facts.up[anchor]  # type: ignore[assignment]
    return anchor


def _class_before(facts: ModuleFacts, anchor: ast.stmt, text: str) -> Edit:
    first, _ = statement_lines(anchor)
    return insert_before_line(facts.source, first, text.rstrip("\n") + "\n\n")


def _imports(facts: ModuleFacts, pairs: list[tuple[str, str]]) -> list[Edit]:
    return ensure_imports(facts.source, pairs)


def _flask_plain_check(
    facts: ModuleFacts,
    route: Route,
    stmt: ast.stmt,
    var: str,
    value: ast.expr,
    keys: dict[str, tuple[bool, str]],
    reader: str | None = None,
) -> Suggestion:
    """BKD201 for an app without pydantic: importing it would break the next install, so the
    fix checks the body's shape with plain Python and answers 400 itself. ``reader``: the
    project function's call the body comes from, kept as it is."""
    func = route.func
    indent = facts.source.indent_of(stmt.lineno - 1)
    required = tuple(k for k, (needed, _) in keys.items() if needed)
    replacement = f"{indent}{var} = {reader or _silent_reader(value)}\n"
    condition = f"not isinstance({var}, dict)"
    if required:
        condition += f" or any(key not in {var} for key in {required!r})"
    answer, edits = _flask_body_answer(facts, route)
    replacement += f"{indent}if {condition}:\n{indent}    {answer}"
    edits.append(replace_statement(facts.source, stmt, replacement))
    return Suggestion(
        "BKD201",
        "validation",
        facts.source.path,
        facts.source.span(value),
        f"Check the JSON body of {func.name} before reading it",
        f"`{func.name}` reads {', '.join(repr(k) for k in keys)} from the request JSON without "
        "checking it: a body that is not JSON or lacks a key raises as a 500 for what is the "
        "client's mistake. The project does not declare pydantic, so the check is plain Python "
        "and answers 400.",
        tuple(edits),
    )


def _flask_body_answer(facts: ModuleFacts, route: Route) -> tuple[str, list[Edit]]:
    """How a bad JSON body is answered: a JSON 400 from a handler, ``abort(400)`` from a view
    class's helper method."""
    if not route.answers:
        return "abort(400)", _imports(facts, flask_abort(facts) or [])
    answer, needed = json_error(facts, route.func, 400, [("error", '"invalid request body"')])
    return answer, _imports(facts, needed)


def _silent_reader(value: ast.expr) -> str:
    """The body read as the handler read it, None instead of raising: ``force=True`` (any
    content type) is kept."""
    forced = isinstance(value, ast.Call) and any(
        k.arg == "force" and isinstance(k.value, ast.Constant) and k.value.value is True
        for k in value.keywords
    )
    return (
        "request.get_json(force=True, silent=True)" if forced else "request.get_json(silent=True)"
    )


def _silent(keyword: ast.keyword) -> bool:
    """``silent=True``: what the replacement reads the body with anyway."""
    return (
        keyword.arg == "silent"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is True
    )


def _flask_json(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    func = route.func
    if _validates(func):
        return []
    out: list[Suggestion] = []
    for stmt, var, value in _assignments(func):
        fallback = (
            isinstance(value, ast.BoolOp)
            and isinstance(value.op, ast.Or)
            and len(value.values) == 2
            and isinstance(value.values[1], ast.Dict)
            and not value.values[1].keys
        )
        if fallback:
            # ``request.get_json(silent=True) or {}``: no body is an empty one, whose keys
            # read with ``[...]`` still fail (``.get`` ones do not)
            assert isinstance(value, ast.BoolOp)
            value = value.values[0]
        reader: str | None = None  # a project function that returns the body, called
        if not reads_json(value):
            reader = body_reader(facts, value)
            if reader is None:
                continue
        reach = _binding_reach(func, var, stmt)
        keys = _keys(func, var, reach)
        if not keys or not _only_key_access(func, var, reach):
            continue
        if not any(required for required, _ in keys.values()):
            # every key read with ``.get`` and checked by the code: what is left is a body
            # that is not an object, which reviewers judged not worth a model
            continue
        if caught(stmt, facts.up, {"KeyError", "TypeError", "LookupError"}):
            continue  # the handler's own try answers a bad body already
        if isinstance(value, ast.Call) and any(
            not _silent(k) and k.arg != "force" for k in value.keywords
        ):
            continue  # ``get_json(cache=False)``: the replacement would change what is read
        if not facts.can_import("pydantic"):
            out.append(_flask_plain_check(facts, route, stmt, var, value, keys, reader))
            continue
        model = _model_name(func)
        anchor = _model_anchor(facts, func)
        body = _model_class(model, keys, facts.source.indent_of(anchor.lineno - 1))
        if not body:
            continue
        indent = facts.source.indent_of(stmt.lineno - 1)
        needs = [("pydantic", "BaseModel"), ("pydantic", "ValidationError")]
        if route.answers:
            fields = [
                ("error", '"invalid request body"'),
                ("details", "exc.errors(include_url=False, include_context=False)"),
            ]
            answer, needed = json_error(facts, route.func, 400, fields, indent)
            handler = f"{indent}except ValidationError as exc:\n{indent}    {answer}"
            needs.extend(needed)
        else:
            # a view class's helper method: its caller takes what it returns for the body
            handler = f"{indent}except ValidationError:\n{indent}    abort(400)"
            needs.extend(flask_abort(facts) or [])
        replacement = (
            f"{indent}try:\n"
            f"{indent}    {var} = {model}.model_validate(\n"
            f"{indent}        {reader or _silent_reader(value)} or {{}}\n"
            f"{indent}    ).model_dump()\n"
            f"{handler}"
        )
        if any(kind == "Any" for _, kind in keys.values()):
            needs.append(("typing", "Any"))
        edits = [
            *_imports(facts, needs),
            _class_before(facts, anchor, body),
            replace_statement(facts.source, stmt, replacement),
        ]
        out.append(
            Suggestion(
                "BKD201",
                "validation",
                facts.source.path,
                facts.source.span(value),
                f"Validate the JSON body of {func.name} with a pydantic model",
                f"`{func.name}` reads {', '.join(repr(k) for k in keys)} from the request JSON "
                "without checking it: a missing key raises KeyError and a wrong type fails later, "
                "both as a 500. A pydantic model rejects bad input with a 400 that says what is "
                "wrong; `model_dump()` keeps the rest of the function unchanged."
                + (
                    " Fields whose type the code does not reveal are `Any`: narrow them."
                    if any(k == "Any" for _, k in keys.values())
                    else ""
                ),
                tuple(edits),
            )
        )
    return out


def _fastapi_body(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    func = route.func
    out: list[Suggestion] = []
    for arg in body_params(func):
        ann = arg.annotation
        if ann is None:
            continue
        name = dotted(ann.value if isinstance(ann, ast.Subscript) else ann)
        if name.split(".")[-1] not in ("dict", "Dict", "Any"):
            continue
        keys = _keys(func, arg.arg)
        if not keys or not _only_key_access(func, arg.arg):
            continue
        model = _model_name(func)
        anchor = _model_anchor(facts, func)
        body = _model_class(model, keys, facts.source.indent_of(anchor.lineno - 1))
        if not body:
            continue
        edits = [Edit(facts.source.path, facts.source.span(ann), model)]
        for node in _nodes(func):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == arg.arg
            ):
                key = node.slice.value if isinstance(node.slice, ast.Constant) else None
                if not isinstance(key, str) or not key.isidentifier():
                    edits = []
                    break
                edits.append(Edit(facts.source.path, facts.source.span(node), f"{arg.arg}.{key}"))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == arg.arg
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                edits.append(
                    Edit(
                        facts.source.path,
                        facts.source.span(node),
                        f"{arg.arg}.{node.args[0].value}",
                    )
                )
        if not edits:
            continue
        needs = [("pydantic", "BaseModel")]
        if any(kind == "Any" for _, kind in keys.values()):
            needs.append(("typing", "Any"))
        edits = [*_imports(facts, needs), _class_before(facts, anchor, body), *edits]
        out.append(
            Suggestion(
                "BKD203",
                "validation",
                facts.source.path,
                facts.source.span(arg),
                f"Give {func.name} a pydantic body model instead of `{name.split('.')[-1]}`",
                f"`{arg.arg}: {facts.source.text_of(ann)}` accepts any JSON: FastAPI validates "
                f"nothing, and a missing {', '.join(repr(k) for k in keys)} fails as a 500. With "
                "a model FastAPI answers bad input with a 422 that names the field, and the "
                "OpenAPI schema documents the body.",
                tuple(edits),
            )
        )
    return out


# A parameter whose default is one of these is no JSON body (``cfg: dict = Depends(settings)``).
def _fastapi_raw_json(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    func = route.func
    src = facts.source
    out: list[Suggestion] = []
    if _validates(func):
        return out
    for stmt, var, value in _assignments(func):
        if not (
            isinstance(value, ast.Await)
            and isinstance(value.value, ast.Call)
            and dotted(value.value.func).endswith("request.json")
        ):
            continue
        keys = _keys(func, var)
        if not keys or not _only_key_access(func, var):
            continue
        model = _model_name(func)
        anchor = _model_anchor(facts, func)
        body = _model_class(model, keys, src.indent_of(anchor.lineno - 1))
        if not body:
            continue
        indent = src.indent_of(stmt.lineno - 1)
        call = src.text_of(stmt.value)
        text = (
            f"{indent}try:\n"
            f"{indent}    {var} = {model}.model_validate({call}).model_dump()\n"
            f"{indent}except ValueError as exc:  # malformed JSON or a failed validation\n"
            f"{indent}    raise HTTPException("
            'status_code=422, detail="invalid request body") from exc'
        )
        needs = [("pydantic", "BaseModel"), ("fastapi", "HTTPException")]
        if any(kind == "Any" for _, kind in keys.values()):
            needs.append(("typing", "Any"))
        edits = [
            *_imports(facts, needs),
            _class_before(facts, anchor, body),
            replace_statement(src, stmt, text),
        ]
        out.append(
            Suggestion(
                "BKD204",
                "validation",
                src.path,
                src.span(stmt.value),
                f"Validate the body of {func.name} with a pydantic model",
                f"`{call}` hands back whatever the client sent: FastAPI validates nothing, and a "
                f"missing {', '.join(repr(k) for k in keys)} fails as a 500. Validating with a "
                "model answers 422 with the reason instead.",
                tuple(edits),
            )
        )
    return out


def _conversions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    out: list[Suggestion] = []
    names = {"ValueError", "TypeError", "KeyError"}
    if names & route.handled:
        return out
    owner = facts.up.get(route.func)
    aliases = _request_aliases(route.func, owner if isinstance(owner, ast.ClassDef) else None)
    json_locals: set[str] | None = None  # read only when a conversion needs them
    body_locals: set[str] | None = None  # a Django view's decoded body, read likewise
    must: dict[int, str] = {}  # an enum conversion's allowed values, for its message
    unguarded: set[str] = set()  # the reads an earlier conversion of which has no fix
    for node in _nodes(route.func):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in ("int", "float"):
            kind = node.func.id
            if len(node.args) != 1:
                continue
        elif _date_parse(dotted(node.func)):
            kind = "date"  # strptime(value, fmt) / fromisoformat(value): ValueError on a bad date
            if not node.args:
                continue
        elif _decimal(facts, node) and route.framework == "django":
            # InvalidOperation is no ValueError: Flask's ``type=Decimal`` would not catch it
            kind = "decimal"
        elif _uuid(facts, node):
            kind = "uuid"  # ValueError on junk, TypeError on None, AttributeError on a number
        elif route.framework in ("django", "flask") and _maybe_client(node, aliases):
            # ``Status(request.args.get("status"))``: ValueError on a value the enum lacks
            enum = enum_conversion(facts, node)
            if enum is None:
                continue
            kind, must[id(node)] = "enum", allowed(enum[1])
        else:
            continue
        if kind in ("int", "float") and fixed_in_handler(node, facts.up):
            continue  # the handler that meant bad input gains ValueError (decode_guards)
        inner = node.args[0]
        or_default = _or_default(inner)
        if or_default is not None:
            inner = or_default  # ``int(request.args.get("page") or 1)``: "x" still raises
        split = _split_item(node, inner, facts.up, aliases) if kind == "int" else None
        if split is not None:
            if not caught(node, facts.up, {"ValueError"}, client_error=True):
                found = _split_conversion_fix(facts, route, node, split)
                if found is not None:
                    out.append(found)
            continue
        local: str | None = None  # the local the conversion reads the request value through
        if isinstance(inner, ast.Name):  # ``page_arg = request.args.get("page")`` first
            at = enclosing_statement(node, facts.up)
            bound = _bound_request_value(route.func, inner, at, aliases)
            if bound is not None:
                local, inner = inner.id, bound
        source_name = _request_value(inner, aliases)
        if source_name is None and route.framework == "flask" and kind != "decimal":
            if json_locals is None:
                json_locals = json_locals_of(facts, route.func)
            key = _json_key(inner, json_locals)
            if key is not None and not caught(node, facts.up, {"ValueError"}, client_error=True):
                found = _json_conversion_fix(facts, route, node, key, kind, must.get(id(node)))
                if found is not None:
                    out.append(found)
            continue
        if source_name is None and route.framework == "django":
            if body_locals is None:
                body_locals = json_body_locals(facts.source, route.func)
            if _json_key(inner, body_locals) is not None:
                source_name = "the JSON body"
        # Only a handler for ValueError (or broader) catches a malformed number; one for
        # TypeError or KeyError catches a missing value, not ``?page=abc``. A broad one that
        # answers 500 does not handle it: it blames the server for the client's input.
        malformed = {"InvalidOperation", "ArithmeticError"} if kind == "decimal" else {"ValueError"}
        if source_name is None or caught(node, facts.up, malformed, client_error=True):
            continue
        if validated_by_form(node, facts.up):
            continue
        read = ast.unparse(inner)
        suggestion = _conversion_fix(
            facts, route, node, inner, kind, source_name, must.get(id(node)), local
        )
        if suggestion is None:
            unguarded.add(read)
        elif read not in unguarded:
            out.append(suggestion)
        # else: an earlier conversion of the same read (``if int(request.args.get("size")) <
        # 1:``) raises first, and no fix guards it: this one's 400 could never run (a real
        # admin API's page size, judged so)
    return out


def _split_item(
    call: ast.Call, inner: ast.expr, up: dict[ast.AST, ast.AST], aliases: dict[str, str]
) -> tuple[ast.expr, str] | None:
    """``[int(x) for x in request.args.get("ids").split(",")]``: each item of a raw value's
    split -> (the read, its key). A missing value has no ``.split`` and "1,x" or a trailing
    comma has an item that is no number: a 500 either way."""
    if not isinstance(inner, ast.Name):
        return None
    current = up.get(call)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for gen in current.generators:
                target, it = gen.target, gen.iter
                if not (isinstance(target, ast.Name) and target.id == inner.id):
                    continue
                if not (
                    isinstance(it, ast.Call)
                    and isinstance(it.func, ast.Attribute)
                    and it.func.attr == "split"
                ):
                    return None
                read = it.func.value
                if _request_value(read, aliases) is None:
                    return None
                key = read.args[0] if isinstance(read, ast.Call) else getattr(read, "slice", None)
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    return read, key.value
                return None
        current = up.get(current)
    return None


def _split_conversion_fix(
    facts: ModuleFacts, route: Route, call: ast.Call, split: tuple[ast.expr, str]
) -> Suggestion | None:
    """The statement as written inside ``try``: AttributeError for a missing value (``None``
    has no ``split``), ValueError for an item that is no integer; both answer 400."""
    src = facts.source
    read, key = split
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or not isinstance(stmt, _SIMPLE):
        return None
    message = f"{key} must be a comma-separated list of integers"
    errors = "AttributeError, ValueError"
    if route.framework == "flask":
        answer, imports = _flask_400(facts, route, message)
    elif route.framework == "django":
        bad, needed = django_bad_request(route, message)
        answer, imports = bad, _imports(facts, [needed])
        if isinstance(read, ast.Subscript):
            errors = "KeyError, " + errors  # MultiValueDictKeyError is a KeyError, and a 500
    else:
        return None
    text = wrapped_in_try(src, stmt, errors, answer)
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(call),
        f"Guard the conversion of the items of `{key}`",
        f"`{_flat(src.text_of(stmt))}` raises (a 500) when `{key}` is missing (None has no "
        "`split`) or an item is not a number (`1,x`, a trailing comma); it now answers 400.",
        (*imports, replace_statement(src, stmt, text)),
    )


def _json_key(node: ast.expr, json_locals: set[str]) -> str | None:
    """``data["quantity"]`` / ``data.get("quantity")`` of a JSON-body local -> "quantity"."""
    if isinstance(node, ast.Subscript):
        base, key = node.value, node.slice
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and node.args
    ):
        base, key = node.func.value, node.args[0]
    else:
        return None
    if not (isinstance(base, ast.Name) and base.id in json_locals):
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _json_conversion_fix(
    facts: ModuleFacts, route: Route, call: ast.Call, key: str, kind: str, what: str | None
) -> Suggestion | None:
    """``quantity = int(data["quantity"])`` on the JSON body: a missing key, a null or "abc"
    raises (a 500). The statement as written goes inside ``try`` and answers 400."""
    src = facts.source
    stmt = enclosing_statement(call, facts.up)
    if stmt is None or not isinstance(stmt, _SIMPLE):
        return None
    message = f"{key} must be {what or _what(kind)}"
    answer, imports = _flask_400(facts, route, message)
    text = wrapped_in_try(src, stmt, "KeyError, TypeError, ValueError", answer)
    return conversion_guard(
        src,
        call,
        key,
        f"`{short(src.text_of(call))}` raises (a 500) when the JSON body has no `{key}`, a null "
        f"or a value that is not {message.split(' must be ', 1)[1]}; it now answers 400.",
        (*imports, replace_statement(src, stmt, text)),
    )


def _or_default(value: ast.expr) -> ast.Call | None:
    """``request.args.get("page") or 1`` -> the read, rewritten as ``request.args.get("page",
    1)``: a blank or missing value takes the default either way, and so does a malformed one
    once ``type=`` converts it."""
    if not (
        isinstance(value, ast.BoolOp)
        and isinstance(value.op, ast.Or)
        and len(value.values) == 2
        and isinstance(value.values[1], ast.Constant)
        and isinstance(value.values[1].value, int | float)
        and not isinstance(value.values[1].value, bool)
    ):
        return None
    read = value.values[0]
    if not (
        isinstance(read, ast.Call)
        and isinstance(read.func, ast.Attribute)
        and read.func.attr == "get"
        and len(read.args) == 1
        and not read.keywords
    ):
        return None
    merged = ast.Call(read.func, [read.args[0], value.values[1]], [])
    return ast.copy_location(merged, value)


def _what(kind: str) -> str:
    return {"int": "an integer", "date": "a date", "uuid": "a UUID"}.get(kind, "a number")


def _unlike(kind: str, what: str | None) -> str:
    if kind == "enum":
        return what or "a value of the enum"
    if kind == "uuid":
        return "a UUID"
    return "a date in that format" if kind == "date" else "a number"


def _maybe_client(call: ast.Call, aliases: dict[str, str]) -> bool:
    """The one argument may be the client's (a request read, a local): cheap, before the
    enum's class is looked up through the project."""
    if len(call.args) != 1 or call.keywords:
        return False
    arg = _or_default(call.args[0]) or call.args[0]
    return isinstance(arg, ast.Name) or _request_value(arg, aliases) is not None


def _free_http_exception(facts: ModuleFacts) -> bool:
    """``HTTPException`` is FastAPI's (or Starlette's, which takes the same arguments) or free."""
    return facts.imports.get("HTTPException", "fastapi.HTTPException") in (
        "fastapi.HTTPException",
        "fastapi.exceptions.HTTPException",
        "starlette.exceptions.HTTPException",
    )


def _uuid(facts: ModuleFacts, call: ast.Call) -> bool:
    """``uuid.UUID(value)`` / ``UUID(value)`` of the standard library, of one argument."""
    name = dotted(call.func)
    return (
        len(call.args) == 1
        and not call.keywords
        and (name == "uuid.UUID" or facts.imports.get(name) == "uuid.UUID")
    )


def _indexes(call: ast.Call, up: dict[ast.AST, ast.AST]) -> bool:
    """``items[int(request.args["i"])]``: the number picks an item of a sequence, and one past
    its end raises IndexError, a 500 as the malformed number is (a dict's KeyError is
    BKD213's, checked against the dict's keys)."""
    parent = up.get(call)
    return isinstance(parent, ast.Subscript) and parent.slice is call


def _decimal(facts: ModuleFacts, call: ast.Call) -> bool:
    """``Decimal(value)`` of the standard library (InvalidOperation on junk, TypeError on None)."""
    name = dotted(call.func)
    return (
        len(call.args) == 1
        and not call.keywords
        and (name == "decimal.Decimal" or facts.imports.get(name) == "decimal.Decimal")
    )


# Built once: tested of every node.
_ALIASING = ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr


def _request_aliases(func: ast.AST, owner: ast.ClassDef | None = None) -> dict[str, str]:
    """Locals bound once to a request's data (``data = request.GET``, a copy of it
    ``params = self.request.GET.copy()``, or what a method of the view class returns that is
    such a copy, ``params = self.get_filter_params()``): read as it is."""
    bound: dict[str, list[str]] = {}
    for node in _nodes(func):
        if isinstance(node, _ALIASING):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    bound.setdefault(target.id, []).append(_request_mapping_of(node.value, owner))
    return {
        name: values[0]
        for name, values in bound.items()
        if len(values) == 1 and values[0] in _REQUEST_DATA
    }


def _request_mapping_of(value: ast.expr, owner: ast.ClassDef | None) -> str:
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and not value.args:
        if value.func.attr in ("copy", "dict"):
            return request_attr(value.func.value)
        if owner is not None and dotted(value.func.value) == "self":
            return request_data_method(owner, value.func.attr)
    return request_attr(value)


def _bound_request_value(
    func: ast.AST,
    name: ast.Name,
    at: ast.stmt | None = None,
    aliases: dict[str, str] | None = None,
) -> ast.expr | None:
    """The request value a local holds where it is converted: bound once, before, by
    ``x = request.args.get(...)`` or a walrus (``if x := request.args.get(...):``), and read
    elsewhere only as a plain test (``if x``, ``x is None``, ``x.strip()``). Any other use
    (``x.isdigit()``, a regex) may be the check that makes the conversion safe. ``at``: the
    conversion's statement; when it rebinds the local (``x = int(x) if x else None``), that
    binding and the reads after it are of the converted value."""
    bindings: list[ast.expr] = []
    tests: set[int] = set()
    rebinds = (
        isinstance(at, ast.Assign)
        and len(at.targets) == 1
        and isinstance(at.targets[0], ast.Name)
        and at.targets[0].id == name.id
    )
    end = getattr(at, "end_lineno", None) or 0
    for node in _nodes(func):
        if rebinds and node is at:
            continue
        if rebinds and getattr(node, "lineno", 0) > end:
            continue
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.NamedExpr | ast.AugAssign | ast.AnnAssign):
            target, value = node.target, node.value  # type: ignore[assignment]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.With | ast.AsyncWith) and any(
            isinstance(n, ast.Name) and n.id == name.id for n in _bound_by(node)
        ):
            return None  # a loop or ``with`` binds it too
        if isinstance(target, ast.Name) and target.id == name.id:
            if isinstance(node, ast.AugAssign) or value is None:
                return None
            bindings.append(value)
        if isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            tests.add(id(node.test))
        elif isinstance(node, ast.BoolOp):
            tests.update(id(v) for v in node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            tests.add(id(node.operand))
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Is | ast.IsNot)
        ):
            tests.add(id(node.left))
        elif (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq | ast.NotEq)
            and isinstance(node.comparators[0], ast.Constant)
        ):
            tests.add(id(node.left))  # ``if x == "None"``: one value, not a check of the rest
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "strip"
            and not node.args
            and id(node) in tests
        ):
            tests.add(id(node.func.value))  # ``x and x.strip()``: only whether it is blank
        elif isinstance(node, ast.FormattedValue):
            tests.add(id(node.value))  # ``logger.info(f"got {x}")`` checks nothing either
    if len(bindings) != 1 or _request_value(bindings[0], aliases) is None:
        return None
    if getattr(bindings[0], "lineno", 0) > name.lineno:
        return None
    # What follows the conversion cannot be the check that made it safe (``render_template(...,
    # on=on)`` after ``fromisoformat(on)``), unless a loop brings it round again.
    looped = at is not None and any(
        isinstance(n, ast.For | ast.AsyncFor | ast.While)
        and n.lineno <= at.lineno <= (n.end_lineno or n.lineno)
        for n in _nodes(func)
    )
    for node in _nodes(func):
        if (rebinds or (at is not None and not looped)) and getattr(node, "lineno", 0) > end:
            continue
        if (
            isinstance(node, ast.Name)
            and node.id == name.id
            and isinstance(node.ctx, ast.Load)
            and node is not name
            and id(node) not in tests
        ):
            return None
    return bindings[0]


def _bound_by(node: ast.For | ast.AsyncFor | ast.With | ast.AsyncWith) -> list[ast.AST]:
    if isinstance(node, ast.For | ast.AsyncFor):
        return list(ast.walk(node.target))
    return [n for item in node.items if item.optional_vars for n in ast.walk(item.optional_vars)]


def _local_for(stmt: ast.stmt | None, call: ast.Call, key: str, func: ast.AST) -> str | None:
    """A new local for a conversion stored into an attribute or item: the key's name, when the
    function binds no such name."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and stmt.value is call):
        return None
    if not isinstance(stmt.targets[0], ast.Attribute | ast.Subscript):
        return None
    return free_local(func, key)


def _written(src: Source, read: ast.expr, base: str) -> str:
    """The read's mapping as the module names it (``flask.request.args`` where only ``flask``
    is imported), when it is ``base`` and not a local bound to it."""
    owner = (
        read.func.value
        if isinstance(read, ast.Call) and isinstance(read.func, ast.Attribute)
        else getattr(read, "value", None)
    )
    if not isinstance(owner, ast.expr) or request_attr(owner) != base:
        return base
    text = src.text_of(owner)
    return text if "\n" not in text else base


def _stored(src: Source, stmt: ast.stmt | None) -> str:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return src.text_of(stmt.targets[0])
    return ""


_REQUEST_DATA = (
    "request.args",
    "request.form",
    "request.values",
    "request.GET",
    "request.POST",
    "request.query_params",
)


def _request_value(node: ast.expr, aliases: dict[str, str] | None = None) -> str | None:
    """``request.args.get("x", ...)`` / ``request.args["x"]`` -> "request.args" (``aliases``:
    locals bound to one of them, ``data = request.GET``)."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
    ):
        base = request_attr(node.func.value)
    elif isinstance(node, ast.Subscript):
        base = request_attr(node.value)
    else:
        return None
    if aliases:
        base = aliases.get(base, base)
    if base in (
        "request.args",
        "request.form",
        "request.values",
        "request.GET",
        "request.POST",
        "request.query_params",
        "request.headers",
    ):
        return base
    if base == "request.data" and isinstance(node, ast.Call):
        return base  # DRF's parsed body: ``Decimal(request.data.get("charge", "0"))``
    return None


def _conversion_fix(
    facts: ModuleFacts,
    route: Route,
    call: ast.Call,
    inner: ast.expr,
    kind: str,
    base: str,
    what: str | None = None,
    local: str | None = None,
) -> Suggestion | None:
    src = facts.source
    key_node = (
        inner.args[0]
        if isinstance(inner, ast.Call) and inner.args
        else getattr(inner, "slice", None)
    )
    if isinstance(key_node, ast.Name) and kind == "date" and route.framework == "flask":
        # ``request.args.get(status_date_key)`` in a loop over the args' names: the statement
        # is wrapped as for any date (the key only names the value in the messages)
        key = key_node.id
    elif not isinstance(key_node, ast.Constant) or not isinstance(key_node.value, str):
        return None
    else:
        key = key_node.value
    default = inner.args[1] if isinstance(inner, ast.Call) and len(inner.args) > 1 else None
    edits: list[Edit]
    base = _written(src, inner, base)
    # ``type=`` converts with a callable of one argument: not strptime. Not an enum with a
    # default either: Werkzeug hands a default back unconverted (``"open"``, not the member).
    given = typed_default(default, kind) if kind not in ("date", "enum", "uuid") else None
    # ``items[int(...)]``: ``type=int`` leaves an out-of-range number to raise IndexError, so
    # the statement is wrapped for that too, on every framework.
    indexed = _indexes(call, facts.up)
    if indexed:
        given = None
    if route.framework == "flask" and base != "request.headers" and given is not None:
        edits = [Edit(src.path, src.span(call), f'{base}.get("{key}", {given}, type={kind})')]
        how = f"`{base}.get(..., type={kind})` falls back to the default on bad input"
    elif (
        route.framework == "flask"
        and kind in ("int", "float")
        and default is not None
        and not indexed
    ):
        # ``int(args.get("page", PAGE))``: a guard would turn a missing page into a 400, and
        # ``type=`` hands a default back unconverted (whatever PAGE holds): no edit is right
        return None
    else:
        stmt = enclosing_statement(call, facts.up)
        var = _target(stmt)
        # Django's fix wraps the statement as it is, wherever in it the conversion sits
        # (``return datetime.strptime(...)``, ``rows[: int(limit)] if limit else rows``).
        # So does Flask's for a date: ``args.get(..., type=)`` has no date parser to offer.
        # So is a number that picks an item, or one a Flask statement returns as it is
        # (``return float(request.args.get("lat"))`` in a helper: no local to check).
        bare = route.framework == "flask" and isinstance(stmt, ast.Return) and stmt.value is call
        wrapped = kind in ("date", "uuid") or indexed or bare
        raising = route.framework in ("django", "fastapi")
        returned = (raising or wrapped) and isinstance(stmt, _SIMPLE)
        # An enum: ``status = Status(request.args.get("status"))`` takes ``type=Status``, as
        # int does; any other statement (``q.filter_by(status=Status(s))``) is wrapped.
        plain = (
            isinstance(stmt, ast.Assign)
            and stmt.value is call
            and var is not None
            and default is None
        )
        if kind == "enum" and route.framework == "flask" and not plain:
            returned = isinstance(stmt, _SIMPLE)
        if (
            route.framework == "flask"
            and kind in ("int", "float")
            and default is None
            and not wrapped
        ):
            read = f'{base}.get("{key}", type={kind})'
            answer, imports = _flask_400(facts, route, f"{key} must be {what or _what(kind)}")
            hoisted = hoisted_guard(src, facts.up, route.func, call, stmt, key, read, answer, local)
            if hoisted is not None:
                return conversion_guard(
                    src,
                    call,
                    key,
                    f"`{_flat(src.text_of(call))}` raises (a 500) when `{key}` is missing or "
                    f"not {_unlike(kind, what)}; "
                    + (
                        f"`{local}` is read with `type={kind}` and answers 400 when None."
                        if local is not None
                        else "it is read first into a local that answers 400 when None "
                        f"(`.get(..., type={kind})` inline would hand None on)."
                    ),
                    (*imports, *hoisted),
                )
        # ``x = int(x) if x and x.strip() else None``: a blank value is meant to be None, so
        # ``type=int`` (None, then 400, on a blank) would change it; the statement is wrapped.
        conditional = (
            route.framework == "flask"
            and kind != "date"
            and isinstance(stmt, ast.Assign)
            and isinstance(stmt.value, ast.IfExp)
            and call in (stmt.value.body, stmt.value.orelse)
        )
        returned = returned or conditional
        if stmt is None or not isinstance(stmt, ast.Assign | ast.Return):
            if not returned:
                return None
        elif stmt.value is not call and not returned:
            return None
        assert stmt is not None
        stored = ""  # ``line.quantity = int(...)``: checked in a local first, then stored
        if var is None and route.framework == "flask" and isinstance(stmt, ast.Assign):
            var, stored = _local_for(stmt, call, key, route.func), _stored(src, stmt)
        if var is None and not returned:
            return None
        indent = src.indent_of(stmt.lineno - 1)
        message = f"{key} must be {what or _what(kind)}"
        if indexed:
            message = f"{key} must be an integer in range"
        if route.framework == "flask" and wrapped:
            text, imports = _flask_date_guard(facts, route, stmt, message, indexed)
        elif conditional or (kind == "enum" and route.framework == "flask" and not plain):
            answer, imports = _flask_400(facts, route, message)
            text = wrapped_in_try(src, stmt, "ValueError", answer)
        elif route.framework == "flask":
            answer, imports = _flask_400(facts, route, message)
            converter = src.text_of(call.func) if kind == "enum" else kind
            text = (
                f'{indent}{var} = {base}.get("{key}", type={converter})\n'
                f"{indent}if {var} is None:\n{indent}    {answer}"
            )
            if stored:
                text += f"\n{indent}{stored} = {var}"
        elif route.framework == "django":
            answer, needed = django_bad_request(route, message)
            errors = "KeyError, TypeError, ValueError"
            if kind == "uuid" and base == "request.data":
                errors += ", AttributeError"  # a JSON number has no ``replace``
            if indexed:
                errors += ", IndexError"
            if stamps(stmt):
                errors += ", OverflowError"
            wanted = [needed]
            if kind == "decimal":
                errors += ", InvalidOperation"
                wanted.append(("decimal", "InvalidOperation"))
            text = wrapped_in_try(src, stmt, errors, answer)
            imports = _imports(facts, wanted)
        elif route.framework == "fastapi" and _free_http_exception(facts):
            # a read of Starlette's ``request.query_params`` FastAPI never validated
            answer = f'raise HTTPException(status_code=400, detail="{message}") from None'
            errors = "KeyError, TypeError, ValueError"
            if indexed:
                errors += ", IndexError"
            if stamps(stmt):
                errors += ", OverflowError"
            text = wrapped_in_try(src, stmt, errors, answer)
            imports = _imports(facts, [("fastapi", "HTTPException")])
        else:
            return None
        edits = [*imports, replace_statement(src, stmt, text)]
        how = "a missing or malformed value now answers 400 instead of raising"
    return conversion_guard(
        src,
        call,
        key,
        f"`{_flat(src.text_of(call))}` raises (a 500) when `{key}` is missing or not "
        f"{_unlike(kind, what)}; {how}.",
        tuple(edits),
    )


def _django_keys(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    out: list[Suggestion] = []
    src = facts.source
    if {"KeyError", "MultiValueDictKeyError"} & route.handled:
        return out
    bases: tuple[str, ...] = ("request.GET", "request.POST", "request.FILES")
    # DRF's ``request.query_params`` is the same QueryDict: its KeyError is a 500 there too,
    # and the 400 is DRF's ValidationError, which answers from a helper (``get_queryset``)
    # as from a handler. A serializer run on it first (``is_valid``) has checked its keys.
    drf_error = drf_validation_error(facts) if drf_view(facts, route) else None
    checked_from = validated_from(_nodes(route.func)) if drf_error is not None else 0
    if drf_error is not None:
        bases += ("request.query_params",)
    seen: set[str] = set()
    # in source order: a key read first in an ``if`` gets its check before that ``if``
    ordered = sorted(
        (n for n in _nodes(route.func) if isinstance(n, ast.Subscript)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for value in ordered:
        if not (
            isinstance(value, ast.Subscript)
            and isinstance(value.ctx, ast.Load)
            and request_attr(value.value) in bases
        ):
            continue
        drf = request_attr(value.value) == "request.query_params"
        if drf and checked_from and value.lineno >= checked_from:
            continue
        if not isinstance(value.slice, ast.Constant) or caught(
            value, facts.up, {"KeyError", "MultiValueDictKeyError"}
        ):
            continue
        key = value.slice.value
        if not isinstance(key, str) or key in route_guards(facts, route).keys or key in seen:
            continue  # a decorator has read it already and answers 400 without it
        if validated_by_form(value, facts.up):
            continue  # ``if form.is_valid():`` with a form bound to the request: validated
        if _tests_key(route.func, key) or _present_by_test(value, key, facts.up):
            continue  # the view checks the key itself (``if "release" in request.POST:``)
        got = frozenset(
            t.id
            for n in _nodes(route.func)
            if isinstance(n, ast.Assign) and _gets_key(n.value, key)
            for t in n.targets
            if isinstance(t, ast.Name)
        )
        if refused_before(value, facts.up, functools.partial(_refuses_missing, key, names=got)):
            continue  # ``if not request.POST.get("query"): return ...`` runs first
        if getattr(route.func, "name", "") == "form_valid":
            continue  # Django calls it once the form bound to the POST has validated
        stmt = enclosing_statement(value, facts.up)
        base = dotted(value.value)
        answer, needed = django_bad_request(route, f"{key} is required")
        imports = _imports(facts, [needed])
        if drf and drf_error is not None:
            answer = f'raise {drf_error[0]}("{key} is required")'
            imports = ensure_imports(src, drf_error[1])
        if isinstance(stmt, ast.Assign) and stmt.value is value and _target(stmt):
            indent = src.indent_of(stmt.lineno - 1)
            var = _target(stmt)
            text = (
                f'{indent}{var} = {base}.get("{key}")\n'
                f"{indent}if {var} is None:\n{indent}    {answer}"
            )
            edit = replace_statement(src, stmt, text)
        elif isinstance(stmt, ast.If | ast.While) and _within(value, stmt.test):
            # ``if request.POST["action"] in (...):``: the check goes before the ``if`` (not
            # into its body, after the read that raises); an ``elif`` has no line before it
            # that runs first, so it is left alone, with the key's later reads
            seen.add(key)
            if src.lines[stmt.lineno - 1].lstrip().startswith("elif"):
                continue
            indent = src.indent_of(stmt.lineno - 1)
            text = f'{indent}if "{key}" not in {base}:\n{indent}    {answer}'
            edit = insert_before_line(src, stmt.lineno - 1, text)
        elif isinstance(stmt, _SIMPLE) and not _json_loaded(facts, value):
            # ``toast_write(request, request.POST["toast"])``: the key is checked on a line of
            # its own before the statement that reads it
            indent = src.indent_of(stmt.lineno - 1)
            first, _ = statement_lines(stmt)
            text = f'{indent}if "{key}" not in {base}:\n{indent}    {answer}'
            edit = insert_before_line(src, first, text)
        else:
            continue
        seen.add(key)
        out.append(
            Suggestion(
                "BKD205",
                "validation",
                src.path,
                src.span(value),
                f"Answer 400 when `{key}` is missing",
                f"`{base}[{key!r}]` raises MultiValueDictKeyError, a 500, when the client leaves "
                f"`{key}` out; check it and answer 400.",
                (*imports, edit),
            )
        )
    return out


def _json_loaded(facts: ModuleFacts, node: ast.AST) -> bool:
    """The argument of ``json.loads`` (BKD305) or of a conversion (BKD202): those fixes
    answer both its absence and its bad value."""
    parent = facts.up.get(node)
    if not isinstance(parent, ast.Call):
        return False
    name = dotted(parent.func)
    if name == "json.loads" or name in ("int", "float") or _date_parse(name):
        return True
    return enum_conversion(facts, parent) is not None


def _django_answer(facts: ModuleFacts, route: Route, message: str) -> tuple[str, list[Edit]]:
    answer, needed = django_bad_request(route, message)
    return answer, _imports(facts, [needed])


def _flask_400(facts: ModuleFacts, route: Route, message: str) -> tuple[str, list[Edit]]:
    """How a Flask view answers 400, and the import that needs: ``abort(400)`` in a module that
    answers errors with ``abort(code)`` or in a view that answers a browser (a JSON body shown
    as raw text there was judged the wrong idiom), JSON otherwise. A view class's helper
    method (``list`` that ``get`` returns through) aborts: its caller may do anything with
    what it returns (view_helpers marks it only where ``abort`` is Flask's or free)."""
    if not route.answers:
        return "abort(400)", _imports(facts, flask_abort(facts) or [])
    if facts.imports.get("abort") == "flask.abort":
        return "abort(400)", []
    if answers_html(facts, route):
        return "abort(400)", _imports(facts, [("flask", "abort")])
    answer, needed = json_error(facts, route.func, 400, [("error", f'"{message}"')])
    return answer, _imports(facts, needed)


def _flask_date_guard(
    facts: ModuleFacts, route: Route, stmt: ast.stmt, message: str, indexed: bool = False
) -> tuple[str, list[Edit]]:
    """The statement as written inside ``try``, answering 400 in the view's idiom."""
    answer, imports = _flask_400(facts, route, message)
    errors = "IndexError, TypeError, ValueError" if indexed else "TypeError, ValueError"
    return wrapped_in_try(facts.source, stmt, errors, answer), imports


def _tests_key(func: ast.AST, key: str) -> bool:
    """``"key" in request.POST`` somewhere in the view: it checks the key itself."""
    return any(
        isinstance(n, ast.Compare)
        and isinstance(n.left, ast.Constant)
        and n.left.value == key
        and any(isinstance(op, ast.In | ast.NotIn) for op in n.ops)
        for n in _nodes(func)
    )


def _refuses_missing(key: str, test: ast.expr, names: frozenset[str] = frozenset()) -> bool:
    """``not request.POST.get("key")`` / ``request.POST.get("key") is None``: true when the
    key is missing. ``names``: locals bound to that ``.get`` (``kind = ...get("kind")``, then
    ``if not kind:``)."""
    operand = negated(test)
    if operand is None and (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Is | ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    ):
        operand = test.left
    if isinstance(operand, ast.Name):
        return operand.id in names
    return operand is not None and _gets_key(operand, key)


def _gets_key(operand: ast.expr, key: str) -> bool:
    """``request.GET.get("key")`` (or with a falsy default): None or empty when it is missing."""
    return (
        isinstance(operand, ast.Call)
        and isinstance(operand.func, ast.Attribute)
        and operand.func.attr == "get"
        and request_attr(operand.func.value)
        in ("request.GET", "request.POST", "request.FILES", "request.query_params")
        and bool(operand.args)
        and isinstance(operand.args[0], ast.Constant)
        and operand.args[0].value == key
        # a truthy default (``.get("key", "all")``) is not refused when the key is missing
        and all(isinstance(a, ast.Constant) and not a.value for a in operand.args[1:])
        and not operand.keywords
    )


def _within(node: ast.AST, tree: ast.AST) -> bool:
    return any(n is node for n in ast.walk(tree))


def _present_by_test(node: ast.AST, key: str, up: dict[ast.AST, ast.AST]) -> bool:
    """Under an ``if`` whose test reads the same key with ``.get`` (``if url_has_allowed_host_
    and_scheme(request.GET.get("next"), None):``): a missing key makes the test false."""
    current: ast.AST | None = node
    child: ast.AST | None = None
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(current, ast.If) and child in current.body:
            for n in ast.walk(current.test):
                if (
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Attribute)
                    and n.func.attr == "get"
                    and n.args
                    and isinstance(n.args[0], ast.Constant)
                    and n.args[0].value == key
                ):
                    return True
        child, current = current, up.get(current)
    return False


def _flat(text: str) -> str:
    return " ".join(text.split())
