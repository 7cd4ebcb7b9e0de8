"""Timeouts an app's own HTTP plumbing leaves out: a session factory that every wrapper and
caller goes through, a thin ``get(*args, **kwargs)`` wrapper around requests, and a client
told ``timeout=None`` (``kwargs.setdefault("timeout", None)`` before ``AsyncClient(**kwargs)``).

The per-call BKD301 cannot see these: the wrapper's call passes ``**kwargs`` (so the timeout is
the caller's), and the callers call the app's ``http.get``, not requests. The bound belongs
where every call passes: requests has no session-wide timeout, so the factory's session
becomes a ``Session`` subclass whose ``request`` (which every verb goes through) supplies
one; a pass-through wrapper sets it in the ``kwargs`` it forwards.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pyedits import insert_before_line, replace_node, statement_lines
from .pysource import Source, dotted, is_none
from .upstream_clients import HTTP_VERBS, constructed

DEFAULT_TIMEOUT = 10
_SUBCLASS = "TimeoutSession"
Function = ast.FunctionDef | ast.AsyncFunctionDef


def client_timeout_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out = _factories(facts)
    for node in facts.source.of(ast.Call):
        out.extend(_client_without_timeout(facts, node))
    return out


def none_timeout(source: Source, call: ast.Call) -> ast.expr | None:
    """The ``None`` that turns the call's timeout off: ``timeout=None``, or put in the
    ``**kwargs`` it passes by ``kwargs.setdefault("timeout", None)`` /
    ``kwargs["timeout"] = None`` earlier in the function."""
    for k in call.keywords:
        if k.arg == "timeout":
            return k.value if is_none(k.value) else None
    splats = {k.value.id for k in call.keywords if k.arg is None and isinstance(k.value, ast.Name)}
    func = source.function_of(call)
    if not splats or func is None:
        return None
    for node in source.nodes_of(func):
        if getattr(node, "lineno", call.lineno) > call.lineno:
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and dotted(node.func.value) in splats
            and len(node.args) == 2
            and _is_timeout_key(node.args[0])
            and is_none(node.args[1])
        ):
            return node.args[1]
        if isinstance(node, ast.Assign) and is_none(node.value):
            for t in node.targets:
                if (
                    isinstance(t, ast.Subscript)
                    and dotted(t.value) in splats
                    and _is_timeout_key(t.slice)
                ):
                    return node.value
    return None


def passthrough_default(source: Source, call: ast.Call) -> Edit | None:
    """``def get(*args, **kwargs): return requests.get(*args, **kwargs)``: the wrapper hands
    its callers' keywords on, so a caller that passes none waits forever. A default set in
    the forwarded ``kwargs`` bounds every call while one that passes its own keeps it."""
    func = source.function_of(call)
    if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.args.kwarg is None:
        return None
    kwarg = func.args.kwarg.arg
    if not any(
        k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwarg
        for k in call.keywords
    ):
        return None
    if "timeout" in source.text_of(func):
        return None
    stmt = _statement_of(source, call, func)
    if stmt is None:
        return None
    line = statement_lines(stmt)[0]
    indent = source.indent_of(line)
    return insert_before_line(
        source, line, f'{indent}{kwarg}.setdefault("timeout", {DEFAULT_TIMEOUT})'
    )


def _client_without_timeout(facts: ModuleFacts, call: ast.Call) -> list[Suggestion]:
    """``httpx.AsyncClient(timeout=None)``: httpx bounds every request by five seconds unless
    told not to, and this client is told not to."""
    client = constructed(facts.source, call)
    if client is None or client.library != "httpx":
        return []
    none = none_timeout(facts.source, call)
    if none is None:
        return []
    src = facts.source
    name = dotted(call.func)
    return [
        Suggestion(
            "BKD301",
            "error-handling",
            src.path,
            src.span(call),
            f"Give the {name} client a timeout",
            f"`timeout=None` turns off httpx's default timeout for every request this client "
            "makes: a slow or dead upstream holds the caller (and the request that waits on "
            f"it) forever. `{DEFAULT_TIMEOUT}` (seconds) bounds each wait; httpx raises "
            "`httpx.TimeoutException` when it runs out.",
            (replace_node(src, none, str(DEFAULT_TIMEOUT)),),
        )
    ]


def _factories(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    out: list[Suggestion] = []
    for module in src.modules:
        for func in module.body:
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            built = _built_session(src, func)
            if built is None or _SUBCLASS in facts.imports or _defines(src, _SUBCLASS):
                continue
            uses = _unbounded_uses(src, func.name)
            if uses:
                out.append(_factory_suggestion(src, func, built, uses))
    return out


def _built_session(source: Source, func: Function) -> ast.Call | None:
    """The requests session ``func`` builds and returns, when it sets no timeout itself."""
    if "timeout" in source.text_of(func):
        return None
    built: dict[str, ast.Call] = {}
    for node in source.nodes_of(func):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            client = constructed(source, node.value)
            if client is not None and client.library == "requests":
                built[node.targets[0].id] = node.value
    for node in source.nodes_of(func):
        if isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Name) and node.value.id in built:
                return built[node.value.id]
            if isinstance(node.value, ast.Call):
                client = constructed(source, node.value)
                if client is not None and client.library == "requests":
                    return node.value
    return None


def _unbounded_uses(source: Source, factory: str) -> list[ast.Call]:
    """Requests made in this module on a session the factory built (``build_session().get``,
    ``session = build_session()`` then ``session.post(...)``) with no timeout in sight."""
    out: list[ast.Call] = []
    for node in source.of(ast.Call):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in HTTP_VERBS
        ):
            continue
        if any(k.arg == "timeout" for k in node.keywords):
            continue
        func = source.function_of(node)
        if func is None or "timeout" in source.text_of(func):
            continue
        receiver = node.func.value
        if _calls(receiver, factory) or (
            isinstance(receiver, ast.Name) and _bound_to_factory(source, func, receiver.id, factory)
        ):
            out.append(node)
    return out


def _calls(node: ast.AST, factory: str) -> bool:
    return isinstance(node, ast.Call) and dotted(node.func) == factory


def _bound_to_factory(source: Source, func: ast.AST, name: str, factory: str) -> bool:
    return any(
        isinstance(n, ast.Assign)
        and _calls(n.value, factory)
        and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
        for n in source.nodes_of(func)
    )


def _factory_suggestion(
    source: Source, func: Function, built: ast.Call, uses: list[ast.Call]
) -> Suggestion:
    base = source.text_of(built.func)
    first = statement_lines(func)[0]
    subclass = [
        f"class {_SUBCLASS}({base}):",
        '    """A session whose requests time out unless the caller says otherwise: requests',
        '    has no session-wide timeout, and every verb goes through ``request``."""',
        "",
        "    def request(self, *args, **kwargs):",
        f'        kwargs.setdefault("timeout", {DEFAULT_TIMEOUT})',
        "        return super().request(*args, **kwargs)",
        "",
        "",
    ]
    where = {f"`{dotted(u.func)}` in `{getattr(source.function_of(u), 'name', '?')}`" for u in uses}
    through = ", ".join(sorted(where))
    return Suggestion(
        "BKD301",
        "error-handling",
        source.path,
        source.span(built),
        f"Give the sessions {func.name}() builds a default timeout",
        f"`{func.name}()` hands out a `{base}` with no timeout, and the requests made through "
        f"it pass none ({through}): requests waits forever by default, so a slow or dead "
        "upstream holds the worker. requests has no session-wide timeout setting; a "
        f"`{_SUBCLASS}` whose `request` (every verb goes through it) defaults "
        f"`timeout={DEFAULT_TIMEOUT}` bounds every call made through the factory, here and in "
        "the modules that import it, and a caller that passes its own timeout keeps it.",
        (
            insert_before_line(source, first, "\n".join(subclass).rstrip("\n") + "\n\n"),
            replace_node(source, built.func, _SUBCLASS),
        ),
    )


def _statement_of(source: Source, node: ast.AST, func: Function) -> ast.stmt | None:
    up = source.up()
    current: ast.AST | None = node
    while current is not None and not isinstance(current, ast.stmt):
        current = up.get(current)
    return current if isinstance(current, ast.stmt) and current is not func else None


def _defines(source: Source, name: str) -> bool:
    return any(
        isinstance(n, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
        for m in source.modules
        for n in m.body
    )


def _is_timeout_key(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "timeout"
