"""The 404 a Flask-RESTful (or Flask-RESTX) module answers a missing row with, for a model it
has no guard of its own for.

A real app's ``book_api.py`` answers every missing row with ``abort(404, message="Book does
not exists")`` from ``flask_restful``, right after the lookup; its ``UserBookModel`` lookup had
no such guard anywhere in the module. Flask-SQLAlchemy's ``first_or_404()`` would answer 404
too, but with werkzeug's page text as the JSON message, unlike the rest of the API: the
module's own ``abort(404, message=...)``, with the model's name, reads like the code around it.
"""

from __future__ import annotations

import ast

from .frameworks import ModuleFacts
from .helper_rows import model_noun
from .pysource import dotted, string_quote
from .row_guards import lookup_model, module_guards

# The extensions whose ``abort`` takes the message as the ``message`` keyword.
_ABORTS = ("flask_restful.abort", "flask_restx.abort", "flask_restplus.abort")


def extension_guard(facts: ModuleFacts, call: ast.Call) -> tuple[str, str] | None:
    """The module's guard idiom for ``call``'s row: its test and a one-line ``abort(404,
    message="User book not found")``, when another lookup of the module is answered with the
    extension's ``abort(404, message=...)`` already."""
    abort = next((k for k, v in facts.imports.items() if v in _ABORTS), None)
    model = lookup_model(call).rsplit(".", 1)[-1]
    noun = model_noun(model)
    if abort is None or not noun:
        return None
    for test, stmt in module_guards(facts.source):
        answer = stmt.value if isinstance(stmt, ast.Expr) else None
        if (
            isinstance(answer, ast.Call)
            and dotted(answer.func) == abort
            and answer.args
            and isinstance(answer.args[0], ast.Constant)
            and answer.args[0].value == 404
            and any(k.arg == "message" for k in answer.keywords)
        ):
            quote = string_quote(facts.source, stmt)
            return test, f"{abort}(404, message={quote}{noun} not found{quote})"
    return None
