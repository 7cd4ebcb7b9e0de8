"""BKD201 for a GitHub webhook: ``payload["issue"]["pull_request"]`` read with no guard.

GitHub sends ``issue_comment`` (and ``issues``) events for plain issues as well as pull
requests, and only a pull request's ``issue`` has a ``pull_request`` key: a bot that reads it
unguarded fails every comment on a plain issue with KeyError, a 500 that GitHub lists as a
failed delivery. The payload is signed and well formed, so a 400 (or BKD201's usual schema
and 422) would call GitHub's valid event an error and fill the delivery log with failures
just as the 500 does: the answer a reviewer accepts is a 2xx that says the event is not for
this app, returned before the read.

Read: a route of a module that reads the ``X-GitHub-Event`` header, whose JSON body a local
holds (``await request.json()``, Flask's ``request.get_json()``, or a call of a project
function of the module that returns ``await request.json()``), and the functions of the
module the route hands that local to (``return await handle_comment(payload=payload)``: what
they return is the route's answer). Silent when the function tests for the key first
(``"pull_request" in ...``, ``.get("pull_request")``), catches KeyError around the read, or
reads it below its top level (a loop's or a branch's return would not end the handling).
"""

from __future__ import annotations

import ast
import re

from ..suggestion import Suggestion
from .body_readers import reads_json
from .frameworks import ModuleFacts, caught, enclosing_statement
from .pyedits import insert_before_line, statement_lines
from .pysource import Source, dotted, top_level_function

Function = ast.FunctionDef | ast.AsyncFunctionDef
_GITHUB_EVENT = re.compile(r"x-github-event", re.IGNORECASE)
_ANSWER = '{"status": "ignored", "message": "not a pull request"}'


def webhook_key_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    if '"pull_request"' not in src.text or not _GITHUB_EVENT.search(src.text):
        return []
    out: list[Suggestion] = []
    done: set[int] = set()
    for route in facts.routes:
        if route.framework not in ("fastapi", "flask"):
            continue
        payloads = _payload_locals(src, route.func)
        if not payloads:
            continue
        targets = [(route.func, payloads), *_handed(facts, route.func, payloads)]
        for func, names in targets:
            if id(func) in done:
                continue
            done.add(id(func))
            if _tested(src, route.func):
                break  # the route asks before it hands the payload on
            found = _unguarded(facts, func, names)
            if found is not None:
                out.append(found)
    return out


def _own_nodes(src: Source, func: Function) -> list[ast.AST]:
    """The nodes of ``func`` itself, not of a function nested in it."""
    return [n for n in src.nodes_of(func) if src.function_of(n) is func]


def _payload_locals(src: Source, func: Function) -> set[str]:
    names = set()
    for node in _own_nodes(src, func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _body(src, node.value)
        ):
            names.add(node.targets[0].id)
    return names


def _body(src: Source, value: ast.expr) -> bool:
    """``await request.json()``, ``request.get_json()``, or a call of the module's own
    function that returns ``await <its parameter>.json()``."""
    if reads_json(value) or _awaited_json(value, {"request"}):
        return True
    call = value.value if isinstance(value, ast.Await) else value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
        return False
    helper = _top_level(src, call.func.id)
    if helper is None:
        return False
    params = {a.arg for a in (*helper.args.posonlyargs, *helper.args.args)}
    return any(
        isinstance(n, ast.Return) and n.value is not None and _awaited_json(n.value, params)
        for n in _own_nodes(src, helper)
    )


def _awaited_json(value: ast.expr, names: set[str]) -> bool:
    return (
        isinstance(value, ast.Await)
        and isinstance(value.value, ast.Call)
        and isinstance(value.value.func, ast.Attribute)
        and value.value.func.attr == "json"
        and dotted(value.value.func.value) in names
    )


def _top_level(src: Source, name: str) -> Function | None:
    found = top_level_function(src, name)
    if found is not None:
        return found
    for module in src.modules:
        for node in module.body:
            if isinstance(node, ast.AsyncFunctionDef) and node.name == name:
                return node
    return None


def _handed(
    facts: ModuleFacts, func: Function, payloads: set[str]
) -> list[tuple[Function, set[str]]]:
    """The module's functions the route hands the payload to, where what they return (or
    that they return) ends the handling: ``return await f(payload)``, ``await f(payload)``."""
    src, out = facts.source, []
    for node in _own_nodes(src, func):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        holder = facts.up.get(node)
        holder = facts.up.get(holder) if isinstance(holder, ast.Await) else holder
        if not isinstance(holder, ast.Return | ast.Expr):
            continue
        callee = _top_level(src, node.func.id)
        if callee is None or callee is func:
            continue
        positional = [*callee.args.posonlyargs, *callee.args.args]
        names = {
            positional[i].arg
            for i, a in enumerate(node.args)
            if isinstance(a, ast.Name) and a.id in payloads and i < len(positional)
        }
        taken = {a.arg for a in (*positional, *callee.args.kwonlyargs)}
        names |= {
            k.arg
            for k in node.keywords
            if k.arg in taken and isinstance(k.value, ast.Name) and k.value.id in payloads
        }
        if names:
            out.append((callee, names))
    return out


def _unguarded(facts: ModuleFacts, func: Function, names: set[str]) -> Suggestion | None:
    src = facts.source
    if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _own_nodes(src, func)):
        return None
    reads = sorted(
        (
            n
            for n in _own_nodes(src, func)
            if isinstance(n, ast.Subscript) and _pull_request_read(n, names)
        ),
        key=lambda n: (n.lineno, n.col_offset),
    )
    if not reads or _tested(src, func):
        return None
    read = reads[0]
    assert isinstance(read.value, ast.Subscript)
    stmt = enclosing_statement(read, facts.up)
    if stmt is None or stmt not in func.body or caught(read, facts.up, {"KeyError"}):
        return None
    if src.lines[stmt.lineno - 1][: stmt.col_offset].strip():
        return None  # the statement shares its line
    issue = src.text_of(read.value)
    indent = src.indent_of(stmt.lineno - 1)
    text = f'{indent}if "pull_request" not in {issue}:\n{indent}    return {_ANSWER}'
    edit = insert_before_line(src, statement_lines(stmt)[0], text)
    return Suggestion(
        "BKD201",
        "validation",
        src.path,
        src.span(read),
        f"Ignore events on plain issues before reading `{src.text_of(read)}`",
        f"GitHub sends issue events (`issue_comment`, `issues`) for plain issues as well as "
        f"pull requests, and only a pull request's issue has `pull_request`: "
        f"`{src.text_of(read)}` raises KeyError on every other one, a 500 that GitHub lists "
        "as a failed delivery. Returning early answers a 2xx that says the event is not for "
        "this app; a 400 would call GitHub's valid event an error and still fail the delivery.",
        (edit,),
    )


def _pull_request_read(node: ast.AST, names: set[str]) -> bool:
    """``payload["issue"]["pull_request"]`` read from one of ``names``."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.ctx, ast.Load)
        and _constant(node.slice) == "pull_request"
        and isinstance(node.value, ast.Subscript)
        and _constant(node.value.slice) == "issue"
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id in names
    )


def _constant(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _tested(src: Source, func: Function) -> bool:
    """The function asks for the key some way first: ``"pull_request" in ...``,
    ``.get("pull_request")``, ``hasattr``/``getattr`` on it."""
    for node in _own_nodes(src, func):
        if isinstance(node, ast.Compare) and _constant(node.left) == "pull_request":
            return True
        if isinstance(node, ast.Call) and any(_constant(a) == "pull_request" for a in node.args):
            return True
    return False
