"""BKD202 for a MongoDB id the client sends as text: ``/job-applications/{id}`` with
``id: str``, handed to a service, then to a repository that filters on ``{"_id": ObjectId(id)}``
(a real FastAPI + pymongo app, every repository alike). ``bson``'s ``ObjectId()`` raises
``InvalidId`` on text that is no 24-digit hex id, so ``/job-applications/abc`` is a 500 for
the client's typo. Body fields typed ``str`` (``status``) or ``list[str]`` (``skills``) that
become ObjectIds fail the same way.

The fix is at the route's call, as service_gets does for Django: the route is where a bad id
becomes an answer (404 for the path's id, which names no document; 400 for a body's or a
query's), and the repository stays free of the web. Calls are followed through the project's
own functions and methods (``service.x(id)`` with ``service = Depends(Service)``, then
``self.repository.y(id)``), the value passed on unchanged, a few steps deep.

Silent when ``bson`` is not a dependency (pymongo, motor and beanie bring it), when something
on the way catches ``InvalidId`` (or anything broader that answers no 5xx), checks the text
with ``ObjectId.is_valid``, or binds the name again; when the parameter is typed other than
``str`` (a validator type such as a ``PyObjectId``, ``Annotated[str, AfterValidator(...)]``)
or carries a ``pattern``; and when the app registers a handler for ``InvalidId``. An app
with three routes or more to guard gets one handler instead (object_id_app).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..suggestion import Suggestion
from .fastapi_conversions import text_parameters
from .frameworks import ModuleFacts, Route
from .object_id_app import object_id_handler_suggestions, object_id_site
from .pyedits import ensure_imports, wrap_in_try
from .pysource import Source, dotted, own_nodes, qualified
from .try_blocks import caught

Function = ast.FunctionDef | ast.AsyncFunctionDef
BSON_PACKAGES = frozenset({"bson", "pymongo", "motor", "beanie", "mongoengine", "odmantic"})
_BSON = BSON_PACKAGES
_OBJECT_ID = frozenset({"bson.ObjectId", "bson.objectid.ObjectId"})
_NOT_CLIENT = frozenset({"Depends", "Security"})
# Defaults and ``Annotated`` extras that still let any text through.
_PLAIN = frozenset({"Path", "Query", "Body", "Form", "Header", "Cookie", "Field"})
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return)
_MAX_DEPTH = 3


@dataclass(frozen=True)
class _Value:
    """What the client sent, as a function holds it: a text parameter (``model`` None) or a
    body model's parameter, with the model's class to read its fields' types off."""

    label: str  # as the route names it: ``job_application_id``, ``job_application.status``
    path: bool  # a value of the URL's path
    model: tuple[Source, ast.ClassDef] | None = None


def object_id_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    """The route's own guards, unless the app takes them all in one handler (object_id_app)."""
    found = route_object_id_suggestions(facts, route)
    return [] if found and object_id_site(facts, guarded_routes(facts)) is not None else found


def object_id_app_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    """The one handler, from the module that makes the app."""
    if "FastAPI" not in facts.source.text or not _bson_available(facts):
        return []
    if "InvalidId" in facts.handled:
        return []
    return object_id_handler_suggestions(facts, guarded_routes(facts))


def guarded_routes(facts: ModuleFacts) -> tuple[tuple[str, str], ...]:
    """(path, name) of each route of the app a malformed id makes a 500 in (this module's
    alone without a project)."""
    if facts.object_id_routes is not None:
        return facts.object_id_routes()
    return module_guarded_routes(facts)


def module_guarded_routes(facts: ModuleFacts) -> tuple[tuple[str, str], ...]:
    return tuple(
        (facts.source.path, r.func.name)
        for r in facts.routes
        if route_object_id_suggestions(facts, r)
    )


def route_object_id_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "fastapi" or not _bson_available(facts):
        return []
    if "InvalidId" in facts.handled:
        return []
    values = _client_values(facts, route)
    if not values:
        return []
    src = facts.source
    out: list[Suggestion] = []
    for stmt in _statements(route.func):
        found = _converted(facts, src, stmt, values, 0, set())
        if not found or caught(stmt, src.up(), {"InvalidId"}, client_error=True):
            continue
        labels = sorted(set(found))
        by_label = {v.label: v for v in values.values()}
        path = all(label in by_label and by_label[label].path for label in labels)
        if path:
            noun = labels[0].removesuffix("_id").replace("_", " ").capitalize() or "Document"
            handler = [
                "except InvalidId:",
                f'    raise HTTPException(status_code=404, detail="{noun} not found") from None',
            ]
        else:
            # the client knows a body's field by its own name, not the route's parameter
            fields = sorted({label.rsplit(".", 1)[-1] for label in labels})
            detail = f"malformed id in {', '.join(fields)}"
            handler = [
                "except InvalidId:",
                f'    raise HTTPException(status_code=400, detail="{detail}") from None',
            ]
        edits = [
            *ensure_imports(src, [("bson.errors", "InvalidId"), ("fastapi", "HTTPException")]),
            wrap_in_try(src, stmt, handler),
        ]
        named = ", ".join(f"`{label}`" for label in labels)
        answer = "404 (no document has that id)" if path else "400"
        out.append(
            Suggestion(
                "BKD202",
                "validation",
                src.path,
                src.span(stmt),
                f"Answer a malformed id in {named}",
                f"{named} is declared as text, so FastAPI accepts any string, and it reaches "
                "`ObjectId()`, which raises bson's InvalidId (a 500) on one that is not a "
                f"24-digit hex id; catching it at the route answers {answer}.",
                tuple(edits),
            )
        )
    return out


def _bson_available(facts: ModuleFacts) -> bool:
    if facts.declared is not None:
        return bool(facts.declared & _BSON)
    return any(v.split(".")[0] in _BSON for v in facts.imports.values())


def _statements(func: Function) -> list[ast.stmt]:
    """The route's simple statements a ``try`` may wrap, at any depth of its blocks."""
    return [n for n in own_nodes(func) if isinstance(n, _SIMPLE)]


def _client_values(facts: ModuleFacts, route: Route) -> dict[str, _Value]:
    """The route's parameters holding the client's text or body, by parameter name."""
    func = route.func
    path_names = _path_names(route)
    text = text_parameters(func)
    out: dict[str, _Value] = {}
    for arg, default in _parameters(func):
        if isinstance(default, ast.Call):
            name = dotted(default.func).rsplit(".", 1)[-1]
            if name in _NOT_CLIENT or _constrained(default):
                continue
        if arg.arg in text and not _validated(arg.annotation):
            out[arg.arg] = _Value(arg.arg, arg.arg in path_names)
        elif isinstance(arg.annotation, ast.Name) and facts.upstream is not None:
            found = facts.upstream.resolve_class(facts.source, arg.annotation)
            if found is not None and _is_model(found[1]):
                out[arg.arg] = _Value(arg.arg, False, found)
    return out


def _parameters(func: Function) -> list[tuple[ast.arg, ast.expr | None]]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    return [
        *zip(positional, [*defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]


def _constrained(call: ast.Call) -> bool:
    """``Path(pattern=...)``, ``Query(regex=...)``, ``min_length``: the text is checked."""
    return any(k.arg in ("pattern", "regex", "min_length", "max_length") for k in call.keywords)


def _validated(annotation: ast.expr | None) -> bool:
    """``Annotated[str, AfterValidator(check)]`` / ``Annotated[str, Path(pattern=...)]``."""
    if not (isinstance(annotation, ast.Subscript) and isinstance(annotation.slice, ast.Tuple)):
        return False
    for extra in annotation.slice.elts[1:]:
        if not isinstance(extra, ast.Call):
            return True
        if dotted(extra.func).rsplit(".", 1)[-1] not in _PLAIN or _constrained(extra):
            return True
    return False


def _path_names(route: Route) -> set[str]:
    written = [route.path] if route.path is not None else []
    for deco in route.func.decorator_list:
        if isinstance(deco, ast.Call) and deco.args:
            written.append(deco.args[0])
    out: set[str] = set()
    for node in written:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for piece in node.value.split("{")[1:]:
                out.add(piece.split("}")[0].split(":")[0])
    return out


def _is_model(cls: ast.ClassDef) -> bool:
    return any(isinstance(s, ast.AnnAssign) for s in cls.body)


def _converted(
    facts: ModuleFacts,
    src: Source,
    node: ast.AST,
    values: dict[str, _Value],
    depth: int,
    seen: set[int],
) -> list[str]:
    """The labels of the client values that reach an unguarded ``ObjectId()`` from ``node``
    (a statement of a function of ``src`` whose parameters/locals ``values`` names)."""
    out: list[str] = []
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if _is_object_id(src, call):
            label = _client_arg(src, call, values)
            if label is not None and not caught(call, src.up(), {"InvalidId"}, client_error=True):
                out.append(label)
            continue
        if facts.upstream is None or depth >= _MAX_DEPTH:
            continue
        passed = _passed(call, values)
        if not passed or caught(call, src.up(), {"InvalidId"}, client_error=True):
            continue
        target = facts.upstream.callee(src, call)
        if target is None or id(target[1]) in seen:
            continue
        callee_src, func = target
        mapped = _mapped(func, call, passed)
        if not mapped:
            continue
        seen.add(id(func))
        out.extend(_converted(facts, callee_src, func, mapped, depth + 1, seen))
        seen.discard(id(func))
    return out


def _is_object_id(src: Source, call: ast.Call) -> bool:
    written = dotted(call.func)
    return len(call.args) == 1 and bool(written) and qualified(src, written) in _OBJECT_ID


def _client_arg(src: Source, call: ast.Call, values: dict[str, _Value]) -> str | None:
    """``ObjectId(id)``, ``ObjectId(body.status)``, ``[ObjectId(s) for s in body.skills]``."""
    arg = call.args[0]
    func = src.function_of(call)
    if isinstance(arg, ast.Name):
        value = values.get(arg.id)
        if value is not None and value.model is None:
            return None if _checked_or_rebound(func, arg.id) else value.label
        over = _comprehended(src, arg)
        if over is not None:
            return _text_field(over, values, lists=True)
        return None
    return _text_field(arg, values, lists=False)


def _text_field(node: ast.expr, values: dict[str, _Value], lists: bool) -> str | None:
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return None
    value = values.get(node.value.id)
    if value is None or value.model is None:
        return None
    for stmt in value.model[1].body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == node.attr
        ):
            note = stmt.annotation
            if lists:
                if not isinstance(note, ast.Subscript):
                    return None
                outer = dotted(note.value).rsplit(".", 1)[-1].lower()
                if outer not in ("list", "set", "sequence"):
                    return None
                note = note.slice
            return f"{value.label}.{node.attr}" if _plain_text(note) else None
    return None


def _plain_text(note: ast.expr) -> bool:
    if isinstance(note, ast.Name):
        return note.id == "str"
    if isinstance(note, ast.Subscript) and dotted(note.value).endswith("Optional"):
        return _plain_text(note.slice)
    if isinstance(note, ast.BinOp) and isinstance(note.op, ast.BitOr):
        sides = [note.left, note.right]
        return any(_plain_text(s) for s in sides) and all(
            _plain_text(s) or (isinstance(s, ast.Constant) and s.value is None) for s in sides
        )
    return False


def _comprehended(src: Source, name: ast.Name) -> ast.expr | None:
    """What ``name`` runs over, bound by the comprehension it is read in."""
    current = src.up().get(name)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            for gen in current.generators:
                if isinstance(gen.target, ast.Name) and gen.target.id == name.id:
                    return gen.iter
        current = src.up().get(current)
    return None


def _checked_or_rebound(func: ast.AST | None, name: str) -> bool:
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        if (
            isinstance(node, ast.Call)
            and dotted(node.func).endswith("is_valid")
            and any(isinstance(a, ast.Name) and a.id == name for a in node.args)
        ):
            return True
    return False


def _passed(call: ast.Call, values: dict[str, _Value]) -> dict[int | str, _Value]:
    """The client values ``call`` hands on unchanged, by position or keyword."""
    out: dict[int | str, _Value] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Name) and arg.id in values:
            out[i] = values[arg.id]
    for keyword in call.keywords:
        if keyword.arg and isinstance(keyword.value, ast.Name) and keyword.value.id in values:
            out[keyword.arg] = values[keyword.value.id]
    return out


def _mapped(func: Function, call: ast.Call, passed: dict[int | str, _Value]) -> dict[str, _Value]:
    params = [*func.args.posonlyargs, *func.args.args]
    bound = isinstance(call.func, ast.Attribute) and params and params[0].arg in ("self", "cls")
    if bound or func.name == "__init__":
        params = params[1:]
    names = {a.arg for a in [*params, *func.args.kwonlyargs]}
    out: dict[str, _Value] = {}
    for key, value in passed.items():
        if isinstance(key, int):
            if key < len(params):
                out[params[key].arg] = value
        elif key in names:
            out[key] = value
    return {k: v for k, v in out.items() if not _checked_or_rebound(func, k) or v.model}
