"""Body keys read straight off the request, with no local bound to the body: Flask's
``request.json["form"]`` and DRF's ``request.data["properties"]["osm:id"]``. A missing key (or
a body that is not an object) raises KeyError or TypeError, a 500 (held-out round 9: a Flask
feedback handler and a DRF ``@api_view``). BKD201's model fix needs a local to replace; here
the fix checks the keys (one level of nesting too) before the first read and answers 400,
leaving the reads as they are: Flask caches the parsed body, DRF its ``request.data``. It
checks only the keys read on every path from where it goes, and none a permission class of
the view already requires.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .django_views import request_attr
from .drf import uses_drf
from .drf_handlers import handler_reads_detail
from .flask_answers import json_error
from .frameworks import ModuleFacts, Route, caught, flask_abort
from .own_bad_request import own_bad_request
from .permission_keys import permission_keys
from .pyedits import ensure_imports, insert_before_line, statement_lines
from .pysource import TRIES, dotted

# Statements whose body runs before the next one: ``with`` and ``try`` (``except*`` too).
_BLOCKED: tuple[type[ast.stmt], ...] = (ast.With, ast.AsyncWith, *TRIES)

_CAUGHT = {"KeyError", "TypeError", "LookupError"}
_DRF_ERRORS = (
    "rest_framework.exceptions.ValidationError",
    "rest_framework.serializers.ValidationError",
)
_VALIDATING = ("is_valid", "model_validate", "validate", "load")


def nested_body_suggestions(facts: ModuleFacts, route: Route) -> list[Suggestion]:
    if route.framework == "flask":
        base = "request.json"
    elif route.framework == "django" and uses_drf(facts):
        base = "request.data"
    else:
        return []
    if _CAUGHT & route.handled:
        return []
    func = route.func
    nodes = facts.source.nodes_of(func)
    # ``body = request.get_json(silent=True)``: a check of its keys checks the body's
    bound = {
        t.id
        for n in nodes
        if isinstance(n, ast.Assign)
        and (
            _is_body(n.value, base)
            or (isinstance(n.value, ast.Call) and request_attr(n.value.func) == "request.get_json")
        )
        for t in n.targets
        if isinstance(t, ast.Name)
    }
    reads: list[_Read] = []
    # A serializer or schema checks the body from where it runs; DRF's
    # ``serializer.is_valid(raise_exception=True)`` at the end of a ``create`` leaves the reads
    # above it unchecked (``MboxMessage(request.data["mbox"])`` first).
    checked_from = validated_from(nodes)
    if checked_from and base != "request.data":
        return []
    for node in nodes:
        if checked_from and getattr(node, "lineno", 0) >= checked_from:
            continue
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn)
            and (_is_body(c, base) or (isinstance(c, ast.Name) and c.id in bound))
            for op, c in zip(node.ops, node.comparators, strict=False)
        ):
            return []  # ``"key" in request.data``: the view checks keys itself
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_body(node.value, base)
            and _key(node) is not None
            and not caught(node, facts.up, _CAUGHT)
        ):
            parent = facts.up.get(node)
            sub = _key(parent) if isinstance(parent, ast.Subscript) else None
            reads.append((node, node.value, _key(node) or "", sub))
        elif (
            base == "request.data"
            and isinstance(node, ast.expr)
            and not caught(node, facts.up, _CAUGHT)
        ):
            found = _got_and_used(node, base)
            if found is not None:
                reads.append((node, *found))
    if reads and base == "request.data":
        # a key the view's permission class refuses the request without (held-out round 33)
        granted = permission_keys(facts, route)
        reads = [r for r in reads if r[2] not in granted]
    if not reads:
        return []
    placed = _placement(getattr(func, "body", []), _own_statements(reads, facts.up))
    if placed is None:
        return []
    anchor, reads = placed
    reads.sort(key=lambda r: (r[0].lineno, r[0].col_offset))
    required: dict[str, list[str]] = {}
    for _, _, top, sub in reads:
        inner = required.setdefault(top, [])
        if sub is not None and sub not in inner:
            inner.append(sub)
    first, body = reads[0][0], reads[0][1]
    return [_suggestion(facts, route, base, required, anchor, first, body)]


# (the node that reads, the body as written, the key, the key of its value read next)
_Read = tuple[ast.expr, ast.expr, str, str | None]
_Own = dict[int, list[_Read]]  # id of a statement -> the reads no inner statement holds
_EXITS = (ast.Return, ast.Raise)


def _own_statements(reads: list[_Read], up: dict[ast.AST, ast.AST]) -> _Own:
    own: _Own = {}
    for read in reads:
        current: ast.AST | None = read[0]
        while current is not None and not isinstance(current, ast.stmt):
            current = up.get(current)
        if current is not None:
            own.setdefault(id(current), []).append(read)
    return own


def _placement(block: list[ast.stmt], own: _Own) -> tuple[ast.stmt, list[_Read]] | None:
    """The statement the check goes before, and the reads it covers: those made on every
    path from it, in the outermost block that has any. A key read in one branch only
    (``if self_: ... else: request.data["assigned_to"]``) or after an early ``return``
    is optional on the other path, and a check above that branch would refuse a request the
    view serves (held-out round 33); a block with no key read on every path hands the
    check down to the first statement holding a read, into the branch that reads."""
    for index, stmt in enumerate(block):
        # past an early ``return`` too: the check right before the statement runs whenever
        # it does
        found, _ = _always(stmt, own)
        if found:
            covered, _ = _always_block(block[index:], own)
            return stmt, [r for group in covered.values() for r in group]
    for stmt in block:
        if not any(id(s) in own for s in ast.walk(stmt) if isinstance(s, ast.stmt)):
            continue
        for inner in _blocks(stmt):
            placed = _placement(inner, own)
            if placed is not None:
                return placed
    return None


def _always(stmt: ast.stmt, own: _Own) -> tuple[dict[str, list[_Read]], bool]:
    """The reads of ``stmt`` made on every path through it, by key, and whether it may
    leave the function (a ``return``/``raise`` somewhere in it)."""
    found: dict[str, list[_Read]] = {}
    for read in own.get(id(stmt), []):  # its own expressions: an ``if``'s test too
        found.setdefault(read[2], []).append(read)
    if isinstance(stmt, ast.If):
        body, body_exits = _always_block(stmt.body, own)
        orelse, else_exits = _always_block(stmt.orelse, own)
        for key in body.keys() & orelse.keys():
            found.setdefault(key, []).extend(body[key] + orelse[key])
        return found, body_exits or else_exits
    if isinstance(stmt, _BLOCKED):
        inner, exits = _always_block(getattr(stmt, "body", []), own)
        for key, group in inner.items():
            found.setdefault(key, []).extend(group)
        return found, exits or _may_exit(stmt)
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {}, False
    return found, isinstance(stmt, _EXITS) or _may_exit(stmt)


def _always_block(block: list[ast.stmt], own: _Own) -> tuple[dict[str, list[_Read]], bool]:
    covered: dict[str, list[_Read]] = {}
    for stmt in block:
        found, exits = _always(stmt, own)
        for key, group in found.items():
            covered.setdefault(key, []).extend(group)
        if exits:
            return covered, True
    return covered, False


def _may_exit(stmt: ast.stmt) -> bool:
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, _EXITS):
            return True
        if node is stmt or not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _blocks(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement blocks of a compound statement, in order (none of a nested ``def``)."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return []
    blocks: list[list[ast.stmt]] = [
        getattr(stmt, name)
        for name in ("body", "orelse")
        if isinstance(getattr(stmt, name, None), list)
    ]
    blocks += [h.body for h in getattr(stmt, "handlers", [])]
    blocks += [c.body for c in getattr(stmt, "cases", [])]
    final = getattr(stmt, "finalbody", None)
    return [b for b in [*blocks, final or []] if b]


def validated_from(nodes: list[ast.AST]) -> int:
    """The first line a validating call runs on (0: none)."""
    lines = [
        n.lineno
        for n in nodes
        if isinstance(n, ast.Call) and dotted(n.func).split(".")[-1] in _VALIDATING
    ]
    return min(lines) if lines else 0


def _got_and_used(node: ast.expr, base: str) -> tuple[ast.expr, str, str | None] | None:
    """``request.data.get("project")["id"]`` / ``"-" in request.data.get("duration")``: a
    ``.get`` of the body used as a mapping or a string raises TypeError on None (the key
    left out), a 500, as ``request.data["project"]["id"]`` would raise KeyError.
    (the body as written, the key, the key of its value)."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        got = _body_get(node.value, base)
        if got is not None and isinstance(node.slice, ast.Constant):
            sub = node.slice.value
            return (got[0], got[1], sub) if isinstance(sub, str) else None
        return None
    if (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
    ):
        got = _body_get(node.comparators[0], base)
        if got is not None:
            return got[0], got[1], None
    return None


def _body_get(node: ast.expr, base: str) -> tuple[ast.expr, str] | None:
    """``request.data.get("k")`` with no default: (``request.data`` as written, "k")."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get"
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
        and _is_body(node.func.value, base)
    ):
        return None
    return node.func.value, node.args[0].value


def _is_body(node: ast.expr, base: str) -> bool:
    name = request_attr(node)
    if base == "request.json" and isinstance(node, ast.Call):
        # ``request.get_json()`` with no arguments reads as ``request.json``
        return request_attr(node.func) == "request.get_json" and not (node.args or node.keywords)
    return name == base


def _key(node: ast.Subscript) -> str | None:
    key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def first_read_anchor(
    func: ast.AST, reads: list[ast.expr], up: dict[ast.AST, ast.AST]
) -> ast.stmt | None:
    """The statement of the innermost block holding every read that comes first: the check
    goes before it, so it runs on every path that reads the body and on no other."""

    def chain(node: ast.AST) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        current: ast.AST | None = node
        while current is not None and current is not func:
            if isinstance(current, ast.stmt):
                out.append(current)
            current = up.get(current)
        return list(reversed(out))  # outermost first

    chains = [chain(r) for r in reads]
    common: ast.stmt | None = None
    depth = 0
    while all(len(c) > depth for c in chains) and len({id(c[depth]) for c in chains}) == 1:
        depth += 1
    if depth > 0:
        # every read is inside one statement (an ``if`` or a loop): the check goes into the
        # block of it that holds them, before the first of them
        common = chains[0][depth - 1]
        if not isinstance(common, ast.If | ast.For | ast.While | ast.With | ast.Try):
            return common if depth == len(chains[0]) else None
        blocks = [b for b in ("body", "orelse") if getattr(common, b, None)]
        for name in blocks:
            block: list[ast.stmt] = getattr(common, name)
            if all(len(c) > depth and c[depth] in block for c in chains):
                return min((c[depth] for c in chains), key=lambda s: block.index(s))
        return None
    body: list[ast.stmt] = getattr(func, "body", [])
    firsts = [c[0] for c in chains if c and c[0] in body]
    if len(firsts) != len(chains):
        return None
    return min(firsts, key=lambda s: body.index(s))


def _free_name(func: ast.AST, wanted: str) -> str:
    names = {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
    names |= {a.arg for a in ast.walk(func) if isinstance(a, ast.arg)}
    for candidate in (wanted, f"{wanted}_json", "request_body"):
        if candidate not in names:
            return candidate
    return "request_body_checked"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _tuple(items: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(_q(i) for i in items) + ("," if len(items) == 1 else "") + ")"


def keys_condition(body: str, required: dict[str, list[str]], indent: str) -> str:
    clauses = [f"not isinstance({body}, dict)"]
    tops = tuple(required)
    clauses.append(
        f'"{tops[0]}" not in {body}'
        if len(tops) == 1
        else f"any(key not in {body} for key in {_tuple(tops)})"
    )
    for top, subs in required.items():
        if not subs:
            continue
        inner = f"{body}[{_q(top)}]"
        clauses.append(f"not isinstance({inner}, dict)")
        clauses.append(
            f"{_q(subs[0])} not in {inner}"
            if len(subs) == 1
            else f"any(key not in {inner} for key in {_tuple(subs)})"
        )
    lines = [f"{indent}if ("] + [
        f"{indent}    {'or ' if n else ''}{clause}" for n, clause in enumerate(clauses)
    ]
    return "\n".join(lines) + f"\n{indent}):"


def _suggestion(
    facts: ModuleFacts,
    route: Route,
    base: str,
    required: dict[str, list[str]],
    anchor: ast.stmt,
    first: ast.expr,
    body: ast.expr,
) -> Suggestion:
    src = facts.source
    indent = src.indent_of(anchor.lineno - 1)
    start, _ = statement_lines(anchor)
    paths = [
        f"{top}.{sub}" if subs else top for top, subs in required.items() for sub in subs or [""]
    ]
    paths = [p.rstrip(".") for p in paths]
    if base == "request.json":
        local = _free_name(route.func, "body")
        aborts = facts.imports.get("abort") == "flask.abort"
        fields = [("error", '"invalid request body"')]
        answer, needed = json_error(facts, route.func, 400, fields)
        if aborts:
            answer, needed = "abort(400)", []
        if not route.answers:  # a view class's helper method: its caller takes what it returns
            answer, needed = "abort(400)", flask_abort(facts) or []
        text = f"{indent}{local} = request.get_json(silent=True)\n"
        text += keys_condition(local, required, indent) + f"\n{indent}    {answer}"
        idiom = "answers 400"
    else:
        if facts.imports.get("ValidationError", _DRF_ERRORS[0]) not in _DRF_ERRORS:
            needed_name = "ParseError"
            needed = [("rest_framework.exceptions", "ParseError")]
        else:
            needed_name = "ValidationError"
            needed = [("rest_framework.exceptions", "ValidationError")]
        detail = "missing or malformed fields: " + ", ".join(paths)
        # as the view spells it: a method without a ``request`` parameter reads
        # ``self.request.data``
        text = keys_condition(src.text_of(body), required, indent)
        raised = f'"{detail}"'
        idiom = f"raises DRF's {needed_name} (a 400)"
        own = None
        if needed_name == "ValidationError" and handler_reads_detail(src.path):
            # The project's EXCEPTION_HANDLER reads ``response.data["detail"]``, which a
            # ``ValidationError("text")`` (list-shaped data) makes raise: still a 500. The
            # view's own 400 helper answers in the app's error shape and skips the handler;
            # where none is reusable (or a helper method raises), a dict keeps "detail" a
            # string the handler reads.
            own = own_bad_request(facts, route.func, detail, indent + "    ")
            if own is None or not route.answers:
                own, raised = None, f'{{"detail": "{detail}"}}'
                idiom = (
                    'raises DRF\'s ValidationError with a "detail" dict, a 400 the '
                    "project's exception handler reads"
                )
            else:
                idiom = "answers 400 as the module's other errors do"
                needed = []
        if own is not None:
            text += "\n" + own
        else:
            text += f"\n{indent}    raise {needed_name}({raised})"
    edits = [*ensure_imports(src, needed), insert_before_line(src, start, text)]
    return Suggestion(
        "BKD201",
        "validation",
        src.path,
        src.span(first),
        f"Check the body keys of {route.func.name} before reading them",
        f"`{route.func.name}` reads {', '.join(repr(p) for p in paths)} straight from "
        f"`{base}`: a missing key or a body that is not an object raises KeyError or "
        f"TypeError, a 500 for the client's mistake. The check before the first read {idiom}.",
        tuple(edits),
    )
