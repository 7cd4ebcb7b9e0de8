"""A raw request body splatted into a call with a fixed signature.

``clients.sign_up(**request.get_json())`` or ``Note(**data)`` after ``data = request.json``:
a key the callee does not take raises TypeError (a 500 for the client's typo), and every key
it does take is the client's to choose, a primary key or an owner included (mass assignment).
The fix passes only an explicit allow-list: the callee's parameters (BKD201), or a model's
columns minus its primary and foreign keys (BKD207), as mass_assignment.py writes it. A callee
the project does not define (a library's function, one taking ``**kwargs``) gets no
suggestion: its allow-list would be a guess. A schema's output (``body.model_dump()``,
``serializer.validated_data``) is not a raw body and is not read here.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts, Route
from .mass_assignment import _raw_body
from .pysource import Source, method_of, top_level_class

Function = ast.FunctionDef | ast.AsyncFunctionDef


def body_splat_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    src = facts.source
    nodes = src.nodes_of(route.func)
    raw = _raw_names(nodes)
    out: list[Suggestion] = []
    for call in nodes:
        if not isinstance(call, ast.Call):
            continue
        for kw in call.keywords:
            if kw.arg is not None or not _is_raw(kw.value, raw):
                continue
            callee = _callee(facts, route, call)
            if callee is None:
                continue
            code, what, names = callee
            passed = {k.arg for k in call.keywords if k.arg}
            allowed = [n for n in names[len(call.args) :] if n not in passed]
            if not allowed:
                continue
            out.append(_suggestion(src, route, call, kw, code, what, allowed))
    return out


def _raw_names(nodes: list[ast.AST]) -> set[str]:
    """Locals bound only to a raw body (a second binding may be the validated one)."""
    bound: dict[str, list[ast.expr]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(node.value)
    return {name for name, values in bound.items() if len(values) == 1 and _raw_body(values[0])}


def _is_raw(value: ast.expr, raw: set[str]) -> bool:
    return (isinstance(value, ast.Name) and value.id in raw) or _raw_body(value)


def _callee(facts: ModuleFacts, route: Route, call: ast.Call) -> tuple[str, str, list[str]] | None:
    """(code, what, the keys it takes) for a callee the project defines: a model (its
    columns), a function (its parameters), or a class's ``__init__``/method."""
    func = call.func
    # ``Note.objects.create(**data)``: Django's manager takes the model's fields
    if (
        isinstance(func, ast.Attribute)
        and func.attr == "create"
        and isinstance(func.value, ast.Attribute)
        and func.value.attr == "objects"
        and isinstance(func.value.value, ast.Name)
    ):
        return _model(facts, func.value.value.id)
    if isinstance(func, ast.Name):
        model = _model(facts, func.id)
        if model is not None:
            return model
        if facts.upstream is not None:
            found = facts.upstream.resolve(facts.source, func)
            if found is not None:
                return _params(found[1], f"`{found[1].name}`")
        cls = _class(facts, facts.source, func.id)
        if cls is not None:
            init = method_of(cls[1], "__init__")
            return _params(init, f"`{func.id}`") if init is not None else None
        return None
    if isinstance(func, ast.Attribute) and facts.upstream is not None:
        # ``self.notes.create(**data)``, ``svc.create(**data)`` of an injected ``svc``
        owner = facts.upstream.receiver_class(facts.source, call, func.value)
        if owner is None:
            return None
        method = method_of(owner[1], func.attr)
        if method is None:
            return None
        return _params(method, f"`{owner[1].name}.{func.attr}`", bound=True)
    return None


def _model(facts: ModuleFacts, name: str) -> tuple[str, str, list[str]] | None:
    if facts.schema is None or not name[:1].isupper():
        return None
    table = facts.schema.table_for_model(name)
    if table is None:
        return None
    columns = [
        c.name
        for c in table.columns.values()
        if not c.primary_key and not c.references and c.name.isidentifier()
    ]
    return ("BKD207", f"the model `{name}`", columns) if columns else None


def _params(func: Function, what: str, bound: bool = False) -> tuple[str, str, list[str]] | None:
    args = func.args
    if args.kwarg is not None:
        return None  # it takes any key: no fixed signature to hold the body to
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if bound or (names[:1] in (["self"], ["cls"])):
        names = names[1:]
    names += [a.arg for a in args.kwonlyargs]
    return ("BKD201", what, names) if names else None


def _class(facts: ModuleFacts, source: Source, name: str) -> tuple[Source, ast.ClassDef] | None:
    """The project class a bare name of ``source`` stands for: the module's own, or one it
    imports from another project module."""
    own = top_level_class(source, name)
    if own is not None:
        return source, own
    if facts.upstream is None:
        return None
    return facts.upstream.resolve_class(source, ast.Name(id=name, ctx=ast.Load()))


def _suggestion(
    src: Source,
    route: Route,
    call: ast.Call,
    kw: ast.keyword,
    code: str,
    what: str,
    allowed: list[str],
) -> Suggestion:
    body = src.text_of(kw.value)
    if not isinstance(kw.value, ast.Name | ast.Attribute):
        body = f"({body})"  # ``(await request.json()).items()``, ``(request.get_json()).items()``
    listed = ", ".join(f'"{n}"' for n in allowed)
    if len(allowed) == 1:
        listed += ","
    new = f"{{k: v for k, v in {body}.items() if k in ({listed})}}"
    edit = Edit(src.path, src.span(kw.value), new)
    return Suggestion(
        code,
        "validation",
        src.path,
        src.span(kw),
        f"Pass only the keys {what} takes, not the whole request body",
        f"`{route.func.name}` splats the raw request body into {what}: a key it does not "
        "take raises TypeError (a 500 for the client's typo), and every key it does take is "
        "the client's to set. Passing an explicit allow-list keeps both out; a missing "
        "required key still needs the endpoint's own check.",
        (edit,),
    )


# Shared with enum_conversions.py: a class a name of a module stands for, in the project.
project_class = _class
