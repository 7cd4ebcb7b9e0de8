"""BKD210: a Flask view parses the raw body with a pydantic model and nothing answers the
model's ValidationError.

``NewOrg.model_validate(request.json)`` (``parse_obj``, ``parse_raw``, ``model_validate_json``)
raises ``ValidationError`` on the client's bad body, and Flask answers an exception nobody
handles with a 500 (round 22: a v2 API whose ValidationError handler sat on the v1 blueprint
only). FastAPI validates its own parameters; this is Flask's. Silent where the view catches it
(ValidationError, ValueError which it derives from, Exception) or the project registers any
handler for it: a blueprint's own handler may well cover this view, and which blueprint a view
is on is not followed across modules, so that case is left alone rather than guessed.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .body_splat import _is_raw, _raw_names
from .flask_answers import json_error
from .frameworks import ModuleFacts, Route, caught, enclosing_statement
from .pyedits import ensure_imports, replace_statement, wrapped_in_try
from .pysource import dotted

_PARSES = {"model_validate": 2, "model_validate_json": 2, "parse_obj": 1, "parse_raw": 1}
_PYDANTIC_ERROR = "pydantic.ValidationError"
_HANDLED = {"ValidationError", "ValueError", "Exception", "BaseException", "500"}


def model_parse_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework != "flask" or not route.answers or facts.handled & _HANDLED:
        return []
    if not facts.can_import("pydantic"):
        return []
    if facts.imports.get("ValidationError", _PYDANTIC_ERROR) != _PYDANTIC_ERROR:
        return []  # the module's ValidationError is another library's (marshmallow, Django)
    src = facts.source
    nodes = src.nodes_of(route.func)
    raw = _raw_names(nodes)
    out: list[Suggestion] = []
    for call in nodes:
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        major = _PARSES.get(call.func.attr)
        model = dotted(call.func.value)
        if major is None or not model[-1:].isalnum() or not model.split(".")[-1][:1].isupper():
            continue
        if len(call.args) != 1 or not _is_raw(call.args[0], raw):
            continue
        if caught(call, facts.up, {"ValidationError", "ValueError", "PydanticValidationError"}):
            continue
        stmt = enclosing_statement(call, facts.up)
        if stmt is None or stmt.lineno != call.lineno or isinstance(stmt, ast.Return):
            continue  # a parse inside a longer expression: no statement of its own to wrap
        # v2's errors() carry a URL and the raised exception (no JSON for it); v1's ``json()``
        # is its own JSON, whatever the errors hold
        errors = (
            "exc.errors(include_url=False, include_context=False)"
            if major == 2
            else "json.loads(exc.json())"
        )
        indent = src.indent_of(stmt.lineno - 1)
        fields = [("error", '"invalid request body"'), ("details", errors)]
        answer, needed = json_error(facts, route.func, 400, fields, indent)
        text = wrapped_in_try(src, stmt, "ValidationError as exc", answer)
        imports = [("pydantic", "ValidationError"), *needed]
        modules = ["json"] if major == 1 else []
        edits = [
            *ensure_imports(src, imports, modules),
            replace_statement(src, stmt, text),
        ]
        out.append(
            Suggestion(
                "BKD210",
                "validation",
                src.path,
                src.span(call),
                f"Answer 400 when {model} rejects the request body",
                f"`{src.text_of(call)}` raises ValidationError on a body the model rejects, "
                "and no handler in the project takes it: the client's mistake is a 500. "
                "Catching it answers 400 with the model's own account of what is wrong.",
                tuple(edits),
            )
        )
    return out
