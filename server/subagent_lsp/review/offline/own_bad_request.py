"""The module's own 400 answer, built by the app's error helper: ``return ErrorMessage(
title=..., detail=..., status=400, instance=request.build_absolute_uri()).to_response()``
(or ``err = ErrorMessage(...)`` then ``return err.to_response()``). A check that answers the
same way gives the client the app's JSON error shape, where a raised DRF error goes through
the project's exception handler, which may not take it (a judged app's handler indexed
``response.data["detail"]`` and turned a ``ValidationError("text")`` into a 500).

Only a helper called with keywords alone is reused: its message keywords take the check's
text, a ``code`` keyword a code of its own, and every other argument is kept only when what it
names is bound wherever the check goes (a parameter of the view or a module-level name).
"""

from __future__ import annotations

import ast
import builtins

from .frameworks import ModuleFacts
from .pysource import dotted

_MESSAGE_KEYWORDS = frozenset(
    {"detail", "message", "msg", "error", "errors", "description", "reason"}
)
_TITLE = "Invalid Request Body"
_CODE = "InvalidRequestBody"
_STATUS_KEYWORDS = ("status", "status_code")
_FRAMEWORKS = ("rest_framework", "django", "flask", "fastapi", "starlette")


def own_bad_request(
    facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef, message: str, indent: str
) -> str | None:
    """``return Helper(...).method()`` lines answering 400 with ``message`` from ``func``,
    as the module already answers a 400 (the view's own one first); None: none reusable."""
    bound = _bound(facts, func)
    returns = [n for n in facts.source.of(ast.Return) if isinstance(n, ast.Return)]
    returns.sort(key=lambda n: (facts.source.function_of(n) is not func, n.lineno))
    for node in returns:
        found = _helper_call(facts, node)
        if found is None:
            continue
        call, method = found
        text = _render(facts, call, method, message, indent, bound)
        if text is not None:
            return text
    return None


def _helper_call(facts: ModuleFacts, node: ast.Return) -> tuple[ast.Call, str] | None:
    """(``Helper(..., status=400)``, ``"to_response"``) of ``return Helper(...).to_response()``
    or of ``return err.to_response()`` after ``err = Helper(...)`` in the same function."""
    value = node.value
    if not (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and not value.args
        and not value.keywords
    ):
        return None
    made: ast.expr | None = value.func.value
    if isinstance(made, ast.Name):
        made = _assigned_before(facts, node, made.id)
    if not (isinstance(made, ast.Call) and isinstance(made.func, ast.Name) and _is_400(made)):
        return None
    if facts.imports.get(made.func.id, "").startswith(_FRAMEWORKS):
        return None  # the framework's own response class: no helper of the app's
    return made, value.func.attr


def _assigned_before(facts: ModuleFacts, node: ast.Return, name: str) -> ast.expr | None:
    current = facts.source.function_of(node)
    if current is None:
        return None
    values = [
        n.value
        for n in ast.walk(current)
        if isinstance(n, ast.Assign)
        and n.lineno < node.lineno
        and [t.id for t in n.targets if isinstance(t, ast.Name)] == [name]
    ]
    return max(values, key=lambda v: v.lineno) if values else None


def _is_400(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg in _STATUS_KEYWORDS:
            value = keyword.value
            if isinstance(value, ast.Constant) and value.value == 400:
                return True
            return dotted(value).endswith("HTTP_400_BAD_REQUEST")
    return False


def _render(
    facts: ModuleFacts,
    call: ast.Call,
    method: str,
    message: str,
    indent: str,
    bound: set[str],
) -> str | None:
    assert isinstance(call.func, ast.Name)
    if call.func.id not in bound:
        return None  # imported inside another function
    if call.args or any(k.arg is None for k in call.keywords):
        return None  # a positional argument or a ``**`` splat says what we cannot tell
    lines: list[str] = []
    said = False
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "title":
            text, said = _q(_TITLE), True
        elif keyword.arg in _MESSAGE_KEYWORDS:
            text, said = _q(message), True
        elif keyword.arg == "code" and isinstance(value, ast.Constant):
            text = _q(_CODE) if isinstance(value.value, str) else facts.source.text_of(value)
        elif isinstance(value, ast.Constant) and isinstance(value.value, str):
            return None  # some other text of the helper's: what it means is unknown
        elif _names(value) <= bound:
            text = facts.source.text_of(value)
        else:
            return None  # it names a local of another view
        lines.append(f"{indent}    {keyword.arg}={text},")
    if not said:
        return None
    return "\n".join([f"{indent}return {call.func.id}(", *lines, f"{indent}).{method}()"])


def _bound(facts: ModuleFacts, func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names bound wherever in ``func`` the check goes: its parameters, the module's own
    top-level names and the builtins."""
    args = func.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= set(facts.imports)
    for stmt in (s for m in facts.source.modules for s in m.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            names |= {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return names | set(dir(builtins))


def _names(node: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
