"""Validation and error handling in JS/TS handlers: unvalidated ``req.body``, conversions
without a NaN check, ``JSON.parse`` of input outside a ``try``, async handlers whose rejection
reaches nothing (Express 4), HTTP calls without a timeout, transactions without a rollback and
lookups used without a 404. What the code already does (a validator in the route, a wrapper,
Express 5 or express-async-errors, a try) keeps each of them quiet."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ...suggestion import Edit, Suggestion
from ..foreign.edits import at, indented, insert_after_line, replace, unit_of
from ..foreign.strings import literal_value
from ..treesitter import innermost, text_of
from .facts import FUNCTIONS, Handler, JsFacts, inside_try
from .settled_chains import cannot_reject

if TYPE_CHECKING:
    from tree_sitter import Node

TIMEOUT_MS = "10_000"
_VALIDATES = re.compile(
    r"\.(safeParse|parse|parseAsync|validate|validateAsync|validateSync|assert)\s*\(|"
    r"validationResult\(|plainToInstance\(|\b(status|code)\(\s*(400|422)\s*\)|"
    r"\.throw\(\s*(400|422)\b|\.assert\([^;]*,\s*(400|422)\b"
)
_NUMERIC = re.compile(r"(^id$|Id$|^(total|amount|count|quantity|qty|price|age|page|limit)$)")
_LOOKUPS = frozenset(
    {"findUnique", "findFirst", "findOne", "findById", "findByPk", "findOneBy", "get"}
)
_NULL_CHECK = (
    r"(!\s*{0}\b|\b{0}\s*[!=]==?\s*(null|undefined)|\b{0}\s*\?\?|\b{0}\?\.|if\s*\(\s*{0}\s*\)"
    r"|\bassert\(\s*{0}\b)"
)


def js_suggestions(facts: JsFacts, wanted: set[str]) -> list[Suggestion]:
    out: list[Suggestion] = []
    if facts.browser:
        return out
    inside = facts.tree.nodes(*_INSIDE)
    owners = innermost(facts.functions, inside)
    by_function: dict[int, list[Node]] = {}
    for node in inside:
        owner = owners.get(node.id)
        if owner is not None:
            by_function.setdefault(owner.id, []).append(node)
    for handler in facts.handlers:
        nodes = by_function.get(handler.func.id, [])
        if "validation" in wanted:
            out.extend(_body(facts, handler, nodes))
            out.extend(_conversions(facts, handler, nodes))
            out.extend(_json_parse(facts, handler, nodes))
        if "error-handling" in wanted:
            out.extend(_async_rejection(facts, handler, nodes))
            out.extend(_lookups(facts, handler, nodes))
    if "error-handling" in wanted:
        out.extend(_timeouts(facts))
        out.extend(_transactions(facts))
        out.extend(_floating_chains(facts, owners))
    return out


# The nodes the handler checks read (each handler gets those of its own body, not of the
# functions nested in it).
_INSIDE = ("member_expression", "call_expression", "await_expression", "variable_declarator")


def _suggestion(
    facts: JsFacts, code: str, kind: str, node: Node, title: str, why: str, edits: list[Edit]
) -> Suggestion:
    return Suggestion(code, kind, facts.tree.path, facts.tree.span(node), title, why, tuple(edits))


def _statement(node: Node) -> Node | None:
    current: Node | None = node
    while current is not None and current.parent is not None:
        if current.parent.type == "statement_block" or current.parent.type == "program":
            return current
        current = current.parent
    return None


def fail(handler: Handler, status: int, message: str, detail: str | None = None) -> str:
    """The statement that answers ``status`` in the handler's framework: Express's
    ``res.status().json()``, Fastify's ``reply.code().send()`` (its reply has no ``json``),
    Koa's ``ctx.throw`` (it throws: the rest of the handler does not run)."""
    payload = detail or f'"{message}"'
    if handler.style == "koa":
        extra = f", {{ details: {detail} }}" if detail else ""
        return f'{handler.res}.throw({status}, "{message}"{extra});'
    if handler.style == "fastify":
        return f"return {handler.res}.code({status}).send({{ error: {payload} }});"
    return f"return {handler.res}.status({status}).json({{ error: {payload} }});"


def _bad_request(handler: Handler, message: str) -> str:
    return fail(handler, 400, message)


# --- validation ----------------------------------------------------------------------------


def _body_uses(handler: Handler, nodes: list[Node]) -> tuple[list[Node], list[str]]:
    uses, fields = [], []
    pattern = f"{handler.req}.body"
    for node in nodes:
        if node.type == "member_expression" and text_of(node) == pattern:
            uses.append(node)
            parent = node.parent
            if parent is not None and parent.type == "member_expression":
                fields.append(text_of(parent.child_by_field_name("property")))
            elif parent is not None and parent.type == "variable_declarator":
                target = parent.child_by_field_name("name")
                if target is not None and target.type == "object_pattern":
                    for item in target.named_children:
                        key = (
                            item.child_by_field_name("key") if item.type == "pair_pattern" else item
                        )
                        fields.append(text_of(key).split("=")[0].strip())
    return uses, list(dict.fromkeys(f for f in fields if re.match(r"^\w+$", f)))


_STORE = re.compile(
    r"(^|\.)(prisma|db|knex|pool|client|repo\w*|sql)\b|"
    r"\.(create\w*|insert\w*|update\w*|upsert|save|query|execute|findOneAndUpdate)$"
)


def _handed_on(use: Node, handler: Handler) -> bool:
    """``createUser(req.body.user)``: the body is an argument of a function that is no
    database call (whose validation this handler cannot see)."""
    current = use.parent
    while current is not None and current.id != handler.body.id:
        if current.type == "arguments" and current.parent is not None:
            callee = text_of(current.parent.child_by_field_name("function"))
            return _STORE.search(callee) is None
        current = current.parent
    return False


def _js_type(field: str) -> str:
    return "number" if _NUMERIC.search(field) else "string"


def _body(facts: JsFacts, handler: Handler, nodes: list[Node]) -> list[Suggestion]:
    uses, fields = _body_uses(handler, nodes)
    if not uses or handler.middleware or _VALIDATES.search(text_of(handler.body)):
        return []
    if all(_handed_on(use, handler) for use in uses):
        return []  # the body goes to a helper of the app's (a service may validate it)
    if not handler.in_route and facts.validator is not None:
        return []  # a controller: its route (elsewhere) may well validate with it
    first = handler.body.named_children[0] if handler.body.named_children else None
    if first is None:
        return []
    indent = facts.tree.indent_of(first)
    validator = facts.validator
    edits: list[Edit] = []
    if validator == "zod":
        shape = ", ".join(
            f"{f}: z.{'number' if _NUMERIC.search(f) else 'string'}()" for f in fields
        )
        lines = (
            f"const parsed = z.object({{ {shape} }}).safeParse({handler.req}.body);\n"
            "if (!parsed.success) " + fail(handler, 400, "invalid body", "parsed.error.flatten()")
        )
        how = "with zod (the project's validator): `safeParse` answers 400 with the field errors"
        edits.extend(_import(facts, "zod", "{ z }"))
    elif validator == "joi":
        shape = ", ".join(
            f"{f}: Joi.{'number' if _NUMERIC.search(f) else 'string'}().required()" for f in fields
        )
        lines = (
            f"const {{ error }} = Joi.object({{ {shape} }}).validate({handler.req}.body);\n"
            "if (error) " + fail(handler, 400, "invalid body", "error.message")
        )
        how = "with Joi (the project's validator)"
        edits.extend(_import(facts, "joi", "Joi"))
    else:
        checks = (
            " || ".join(f'typeof {handler.req}.body?.{f} !== "{_js_type(f)}"' for f in fields)
            or f'typeof {handler.req}.body !== "object" || {handler.req}.body === null'
        )
        lines = f"if ({checks}) {{\n{unit_of(indent)}{_bad_request(handler, 'invalid body')}\n}}"
        how = "with a plain check (the project declares no validator)"
    edits.append(insert_after_line(facts.tree, first.start_point[0] - 1, indented(lines, indent)))
    listed = ", ".join(fields) or "the body"
    return [
        _suggestion(
            facts,
            "BKD201",
            "validation",
            uses[0],
            f"Validate {handler.req}.body before using it",
            f"`{handler.req}.body` ({listed}) is used as the client sent it: a missing or "
            f"mistyped field becomes a crash or a bad row instead of a 400. Validate it {how}; "
            "the types are a first guess, adjust them to the data.",
            edits,
        )
    ]


def _import(facts: JsFacts, package: str, binding: str) -> list[Edit]:
    if package in facts.imports:
        return []
    tree = facts.tree
    esm = (
        any(n.type == "import_statement" for n in tree.root.named_children)
        or tree.language != "javascript"
    )
    line = (
        f'import {binding} from "{package}";' if esm else f'const {binding} = require("{package}");'
    )
    last = 0
    for node in tree.root.named_children:
        if node.type == "import_statement" or (
            node.type in ("lexical_declaration", "variable_declaration")
            and "require(" in text_of(node)
        ):
            last = node.end_point[0] + 1
    return [insert_after_line(tree, last - 1, line)]


_INPUT = re.compile(r"\b(req|request)\.(query|params|body)\b|\bctx\.(query|params|request\.body)\b")


def _conversions(facts: JsFacts, handler: Handler, nodes: list[Node]) -> list[Suggestion]:
    if re.search(
        r"isNaN\(|Number\.isInteger\(|Number\.isFinite\(|Number\.isSafeInteger\(",
        text_of(handler.body),
    ):
        return []
    out = []
    for node in nodes:
        if node.type != "call_expression":
            continue
        callee = text_of(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        if callee not in ("parseInt", "Number", "parseFloat", "Number.parseInt") or args is None:
            continue
        if not _INPUT.search(text_of(args)):
            continue
        declarator = node.parent
        if declarator is None or declarator.type != "variable_declarator":
            continue
        name = text_of(declarator.child_by_field_name("name"))
        statement = _statement(node)
        if statement is None:
            continue
        edits = []
        if callee.endswith("parseInt") and len(args.named_children) == 1:
            edits.append(at(facts.tree, args.named_children[0].end_byte, ", 10"))
        indent = facts.tree.indent_of(statement)
        check = f"if (Number.isNaN({name})) {_bad_request(handler, f'{name} must be a number')}"
        edits.append(insert_after_line(facts.tree, statement.end_point[0], indent + check))
        out.append(
            _suggestion(
                facts,
                "BKD202",
                "validation",
                node,
                f"Check that {name} is a number",
                f"`{text_of(node)}` is NaN for a missing or non-numeric value, and NaN flows on "
                "into the query. Answer 400 when it is not a number"
                + (" (and give parseInt its radix)." if len(edits) > 1 else "."),
                edits,
            )
        )
    return out


def _json_parse(facts: JsFacts, handler: Handler, nodes: list[Node]) -> list[Suggestion]:
    out = []
    for node in nodes:
        if (
            node.type != "call_expression"
            or text_of(node.child_by_field_name("function")) != "JSON.parse"
        ):
            continue
        if not _INPUT.search(text_of(node)) or inside_try(node, handler.body):
            continue
        statement = _statement(node)
        declarator = node.parent
        if statement is None or declarator is None or declarator.type != "variable_declarator":
            continue
        name = text_of(declarator.child_by_field_name("name"))
        indent = facts.tree.indent_of(statement)
        step = unit_of(indent)
        text = (
            f"let {name};\n{indent}try {{\n{indent}{step}{name} = {text_of(node)};\n"
            f"{indent}}} catch {{\n{indent}{step}{_bad_request(handler, 'malformed JSON')}\n"
            f"{indent}}}"
        )
        out.append(
            _suggestion(
                facts,
                "BKD305",
                "error-handling",
                node,
                "Answer 400 when the JSON is malformed",
                "`JSON.parse` throws on malformed input: the client's mistake becomes a 500.",
                [replace(facts.tree, statement.start_byte, statement.end_byte, text)],
            )
        )
    return out


# --- error handling --------------------------------------------------------------------------


def _async_rejection(facts: JsFacts, handler: Handler, nodes: list[Node]) -> list[Suggestion]:
    if (
        not handler.is_async
        or handler.wrapped
        or not facts.express
        or facts.express_handles_rejections
    ):
        return []
    awaits = [n for n in nodes if n.type == "await_expression" and not inside_try(n, handler.body)]
    if not awaits or (not handler.in_route and facts.project_wraps_handlers):
        return []
    tree = facts.tree
    body = handler.body
    close_indent = tree.indent_of(body.children[-1]) if body.children else ""
    # The body's own indent: that of its first statement's line.
    first = body.named_children[0]
    inner_indent = tree.indent_of(first)
    step = unit_of(inner_indent)
    lines = tree.data[body.start_byte + 1 : body.end_byte - 1].decode("utf-8", "replace")
    inner = lines.strip("\r\n").rstrip()
    if first.start_point[0] == body.start_point[0]:  # a one-line body
        inner = inner_indent + step + inner.strip()
        inner_indent = close_indent + step
    next_name = handler.next or "next"
    text = (
        "{\n"
        f"{inner_indent}try {{\n"
        f"{indented(inner, step)}\n"
        f"{inner_indent}}} catch (err) {{\n"
        f"{inner_indent}{step}{next_name}(err);\n"
        f"{inner_indent}}}\n"
        f"{close_indent}}}"
    )
    edits = [replace(tree, body.start_byte, body.end_byte, text.replace("\r\n", "\n"))]
    if handler.next is None and handler.params is not None:
        last = handler.params.named_children[-1]
        edits.insert(0, at(tree, last.end_byte, ", next"))
    return [
        _suggestion(
            facts,
            "BKD309",
            "error-handling",
            awaits[0],
            "Pass the async handler's errors to next()",
            "Express 4 does not catch a rejected promise: a failing `await` here leaves the "
            "request hanging (and an unhandled rejection can stop the process) instead of "
            "reaching the error middleware. Catch and call `next(err)` (or wrap the handler, "
            "or use Express 5 / express-async-errors).",
            edits,
        )
    ]


def _lookups(facts: JsFacts, handler: Handler, nodes: list[Node]) -> list[Suggestion]:
    out = []
    for node in nodes:
        if node.type != "variable_declarator":
            continue
        value = node.child_by_field_name("value")
        if value is not None and value.type == "await_expression" and value.named_children:
            value = value.named_children[0]
        if value is None or value.type != "call_expression":
            continue
        callee = value.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            continue
        method = text_of(callee.child_by_field_name("property"))
        if method not in _LOOKUPS or (method == "get" and "Repository" not in text_of(callee)):
            continue
        name_node = node.child_by_field_name("name")
        if name_node is None or name_node.type != "identifier":
            continue
        name = text_of(name_node)
        statement = _statement(node)
        if statement is None:
            continue
        rest = facts.tree.data[statement.end_byte : handler.body.end_byte].decode(
            "utf-8", "replace"
        )
        if re.search(_NULL_CHECK.format(re.escape(name)), rest) or not re.search(
            rf"\b{re.escape(name)}\b", rest
        ):
            continue
        indent = facts.tree.indent_of(statement)
        check = f"if (!{name}) " + fail(handler, 404, "not found")
        out.append(
            _suggestion(
                facts,
                "BKD304",
                "error-handling",
                value,
                f"Answer 404 when {name} is not found",
                f"`{method}` resolves to null when nothing matches; using `{name}` then either "
                "crashes (a 500) or answers 200 with null. Answer 404.",
                [insert_after_line(facts.tree, statement.end_point[0], indent + check)],
            )
        )
    return out


_AXIOS_CONFIG_AT = {
    "get": 1,
    "delete": 1,
    "head": 1,
    "options": 1,
    "post": 2,
    "put": 2,
    "patch": 2,
    "request": 0,
    "create": 0,  # an instance: every call through it inherits its config
}
_GOT_CALLS = {f"got.{verb}" for verb in ("get", "post", "put", "patch", "delete", "head")}


def _timeouts(facts: JsFacts) -> list[Suggestion]:
    tree = facts.tree
    # axios.defaults.timeout is the one setting every plain axios call inherits.
    axios_set = re.search(r"axios\.defaults\.timeout\s*=", tree.text) is not None
    out = []
    for node in tree.nodes("call_expression"):
        if node.type != "call_expression":
            continue
        callee = text_of(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        if args is None:
            continue
        items = args.named_children
        if callee == "fetch" and items:
            config_at, key, value, lib = 1, "signal", f"AbortSignal.timeout({TIMEOUT_MS})", "fetch"
        elif (
            callee.startswith("axios.")
            and callee[6:] in _AXIOS_CONFIG_AT
            and not axios_set
            and (items or callee == "axios.create")
        ):
            config_at, key, value, lib = (
                _AXIOS_CONFIG_AT[callee[6:]],
                "timeout",
                TIMEOUT_MS,
                "axios",
            )
        elif callee == "axios" and items and not axios_set:
            config_at, key, value, lib = 0, "timeout", TIMEOUT_MS, "axios"
        elif items and (callee == "got" or callee in _GOT_CALLS):
            config_at, key, value, lib = 1, "timeout", f"{{ request: {TIMEOUT_MS} }}", "got"
        else:
            continue
        if len(items) > config_at:
            config = items[config_at]
            if config.type != "object":
                continue  # options built elsewhere: cannot tell
            if re.search(rf"\b{key}\b", text_of(config)):
                continue
            inner = [c for c in config.named_children]
            text = f"{key}: {value}" + (", " if inner else "")
            edit = at(tree, config.start_byte + 1, " " + text)
        elif len(items) == config_at:
            edit = (
                at(tree, items[-1].end_byte, f", {{ {key}: {value} }}")
                if items
                else at(tree, args.start_byte + 1, f"{{ {key}: {value} }}")
            )
        else:
            continue
        out.append(
            Suggestion(
                "BKD301",
                "error-handling",
                tree.path,
                tree.span(node),
                f"Give the {callee} call a timeout",
                f"{lib} waits as long as the upstream takes by default: one slow dependency holds "
                f"every request that calls it. `{key}: {value}` bounds the wait (milliseconds); "
                "pick the value the upstream's latency allows.",
                (edit,),
            )
        )
    return out


_BEGIN = re.compile(r"\s*(BEGIN|START\s+TRANSACTION)\b", re.I)


def _transactions(facts: JsFacts) -> list[Suggestion]:
    """``client.query("BEGIN")`` (pg, mysql2), ``await knex.transaction()`` / ``await
    sequelize.transaction()`` or a MongoDB ``session.startTransaction()`` with no rollback
    (abort) anywhere in the function."""
    tree = facts.tree
    out = []
    for node in tree.nodes("call_expression"):
        if node.type != "call_expression":
            continue
        callee = text_of(node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        value = literal_value(first) if first is not None else None
        begin = callee.endswith(".query") and value is not None and _BEGIN.match(value)
        managed = callee.endswith(".transaction") and first is None
        session = callee.endswith(".startTransaction")  # MongoDB / Mongoose sessions
        if not begin and not managed and not session:
            continue
        func = next((a for a in _up(node) if a.type in FUNCTIONS), None)
        statement = _statement(node)
        if func is None or statement is None or statement.parent is None:
            continue
        body_text = text_of(func)
        if re.search(
            r"ROLLBACK|\.rollback\(|\.abortTransaction\(|\.withTransaction\(", body_text, re.I
        ):
            continue
        if session:
            undo = f"await {callee.rsplit('.', 1)[0]}.abortTransaction();"
        elif managed:
            declarator = (
                node.parent.parent
                if node.parent and node.parent.type == "await_expression"
                else node.parent
            )
            if declarator is None or declarator.type != "variable_declarator":
                continue
            undo = f"await {text_of(declarator.child_by_field_name('name'))}.rollback();"
        else:
            receiver = text_of(node.child_by_field_name("function")).rsplit(".", 1)[0]
            undo = f'await {receiver}.query("ROLLBACK");'
        block = statement.parent
        following = [s for s in block.named_children if s.start_byte > statement.start_byte]
        if not following:
            continue
        indent = tree.indent_of(statement)
        step = unit_of(indent)
        start, end = following[0].start_byte, following[-1].end_byte
        inner = tree.data[start:end].decode("utf-8", "replace")
        text = (
            f"try {{\n{indented(indent + inner, step)}\n{indent}}} catch (err) {{\n"
            f"{indent}{step}{undo}\n{indent}{step}throw err;\n{indent}}}"
        )
        out.append(
            Suggestion(
                "BKD303",
                "error-handling",
                tree.path,
                tree.span(node),
                "Roll the transaction back when a step fails",
                "A failing statement after BEGIN leaves the transaction open on that connection: "
                "it goes back to the pool mid-transaction and the next request inherits it. "
                "Roll back and rethrow.",
                (replace(tree, start, end, text),),
            )
        )
    return out


def _up(node: Node) -> Iterator[Node]:
    current = node.parent
    while current is not None:
        yield current
        current = current.parent


def _floating_chains(facts: JsFacts, owners: dict[int, Node]) -> list[Suggestion]:
    """``load().then(send)`` as a statement of its own, with no ``.catch``: a rejection is
    unhandled (Node stops the process on one by default since v15)."""
    tree = facts.tree
    handlers = {h.func.id: h for h in facts.handlers}
    # An app-wide process.on("unhandledRejection") handler logs them: outside a request
    # nothing more is owed (inside one, the request still hangs).
    process_handles = re.search(r"""process\.on\(\s*['"]unhandledRejection""", tree.text)
    out = []
    for node in tree.nodes("call_expression"):
        parent = node.parent
        if parent is None or parent.type != "expression_statement":
            continue
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if callee is None or callee.type != "member_expression" or args is None:
            continue
        if text_of(callee.child_by_field_name("property")) != "then":
            continue
        if len(args.named_children) >= 2 or re.search(r"\.catch\(|\.finally\(", text_of(node)):
            continue
        if cannot_reject(node):  # a timer's promise, followed only by logging
            continue
        owner = owners.get(node.id)
        handler = handlers.get(owner.id) if owner is not None else None
        if handler is None and process_handles:
            continue
        if handler is not None and handler.next:
            catch = f".catch({handler.next})"
        elif handler is not None and handler.style == "koa":
            catch = f'.catch((err) => {handler.res}.app.emit("error", err, {handler.res}))'
        elif handler is not None:
            answer = fail(handler, 500, "internal error").removeprefix("return ").rstrip(";")
            catch = f".catch(() => {answer})"
        else:
            catch = ".catch((err) => console.error(err))"
        out.append(
            Suggestion(
                "BKD308",
                "error-handling",
                tree.path,
                tree.span(node),
                "Handle the rejection of this promise chain",
                "Nothing catches a rejection of this chain: the request never gets an answer "
                "and Node reports an unhandled rejection (and by default stops the process).",
                (at(tree, node.end_byte, catch),),
            )
        )
    return out
