"""Validation and error handling in Go: request JSON decoded without an error check or a size
limit, ``strconv`` errors dropped, HTTP clients without a timeout, ``rows`` neither closed nor
checked, transactions without a rollback, and ``sql.ErrNoRows`` answered as a 500. Each edit
reuses what the function already does on errors (its own ``if err != nil`` branch)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...suggestion import Edit, Suggestion
from ..foreign.edits import at, indented, insert_after_line, replace
from ..foreign.strings import literal_value
from ..treesitter import innermost, text_of
from .facts import GoFacts, GoHandler, enclosing_function, statements

if TYPE_CHECKING:
    from tree_sitter import Node

_CONVERSIONS = re.compile(r"^strconv\.(Atoi|ParseInt|ParseUint|ParseFloat|ParseBool)$")
_QUERY = re.compile(r"\.(Query|QueryContext|Queryx|QueryxContext)$")
_BEGIN = re.compile(r"\.(Begin|BeginTx|Beginx|BeginTxx|MustBegin)$")
_HTTP_FUNCS = {"http.Get", "http.Post", "http.Head", "http.PostForm"}
MAX_BODY = "1<<20"


def go_suggestions(facts: GoFacts, wanted: set[str]) -> list[Suggestion]:
    out: list[Suggestion] = []
    handlers = {h.func.id: h for h in facts.handlers}
    calls = facts.tree.nodes("call_expression")
    owners = innermost(facts.functions, calls)
    for node in calls:
        func = owners.get(node.id)
        handler = handlers.get(func.id) if func is not None else None
        callee = text_of(node.child_by_field_name("function"))
        if "validation" in wanted and handler is not None:
            out.extend(_decode(facts, handler, node, callee))
            out.extend(_conversion(facts, handler, node, callee))
        if "error-handling" in wanted:
            out.extend(_http(facts, node, callee))
            if func is not None:
                out.extend(_rows(facts, func, node, callee))
                out.extend(_tx(facts, func, node, callee))
            if handler is not None:
                out.extend(_no_rows(facts, handler, node, callee))
    if "error-handling" in wanted:
        out.extend(_clients(facts))
    return out


def _suggestion(
    facts: GoFacts, code: str, kind: str, node: Node, title: str, why: str, edits: list[Edit]
) -> Suggestion:
    return Suggestion(code, kind, facts.tree.path, facts.tree.span(node), title, why, tuple(edits))


def _statement(node: Node) -> Node | None:
    current: Node | None = node
    while current is not None and current.parent is not None:
        if current.parent.type in ("statement_list", "block"):
            return current
        current = current.parent
    return None


def _next(statement: Node) -> Node | None:
    sibling = statement.next_named_sibling
    while sibling is not None and sibling.type == "comment":
        sibling = sibling.next_named_sibling
    return sibling


def _respond(handler: GoHandler, status: str, message: str) -> str:
    if handler.framework == "gin":
        return f'{handler.c}.JSON(http.{status}, gin.H{{"error": {message}}})\nreturn'
    if handler.framework == "echo":
        return f"return echo.NewHTTPError(http.{status}, {message})"
    return f"http.Error({handler.w}, {message}, http.{status})\nreturn"


def _block(indent: str, head: str, body: str) -> str:
    return f"{head} {{\n{indented(body, indent + chr(9))}\n{indent}}}"


def _is_err_check(node: Node | None, name: str = "err") -> bool:
    if node is None or node.type != "if_statement":
        return False
    condition = text_of(node.child_by_field_name("condition"))
    return re.search(rf"\b{name}\s*!=\s*nil", condition) is not None


def _import(facts: GoFacts, path: str) -> list[Edit]:
    if path in facts.imports.values():
        return []
    tree = facts.tree
    for node in tree.root.named_children:
        if node.type == "import_declaration":
            specs = next((c for c in node.named_children if c.type == "import_spec_list"), None)
            if specs is not None:
                return [insert_after_line(tree, specs.start_point[0], f'\t"{path}"')]
            return [insert_after_line(tree, node.end_point[0], f'import "{path}"')]
    package = next((n for n in tree.root.named_children if n.type == "package_clause"), None)
    line = package.end_point[0] if package is not None else -1
    return [insert_after_line(tree, line, f'\nimport "{path}"')]


# --- validation ------------------------------------------------------------------------------


def _decode(facts: GoFacts, handler: GoHandler, node: Node, callee: str) -> list[Suggestion]:
    if callee in ("io.ReadAll", "ioutil.ReadAll"):
        return _unbounded(facts, handler, node, text_of(node.child_by_field_name("arguments")))
    decodes = callee.endswith(".Decode") and "NewDecoder(" in callee
    binds = handler.framework in ("gin", "echo") and callee in (
        f"{handler.c}.ShouldBindJSON",
        f"{handler.c}.ShouldBind",
        f"{handler.c}.Bind",
    )
    unmarshal = callee == "json.Unmarshal"
    if not (decodes or binds or unmarshal):
        return []
    out = []
    statement = _statement(node)
    if statement is None:
        return []
    tree = facts.tree
    indent = tree.indent_of(statement)
    dropped = statement.type == "expression_statement" or (
        statement.type == "assignment_statement"
        and text_of(statement.child_by_field_name("left")) == "_"
    )
    if dropped:
        call = text_of(node)
        text = _block(
            indent,
            f"if err := {call}; err != nil",
            _respond(
                handler,
                "StatusBadRequest",
                '"malformed JSON"' if handler.framework == "net/http" else "err.Error()",
            ),
        )
        out.append(
            _suggestion(
                facts,
                "BKD305",
                "error-handling",
                node,
                "Answer 400 when the request JSON does not decode",
                "The decoding error is dropped: a malformed or mistyped body goes on as a "
                "zero-valued struct (and reaches the database) instead of being answered 400.",
                [replace(tree, statement.start_byte, statement.end_byte, text)],
            )
        )
    if decodes:
        out.extend(_unbounded(facts, handler, node, callee))
    return out


def _unbounded(facts: GoFacts, handler: GoHandler, node: Node, reads: str) -> list[Suggestion]:
    """A net/http handler reading ``r.Body`` (``reads``: the code that names it) unbounded."""
    if handler.framework != "net/http" or facts.bounded_bodies or f"{handler.r}.Body" not in reads:
        return []
    statement = _statement(node)
    if statement is None:
        return []
    indent = facts.tree.indent_of(statement)
    limit = f"{handler.r}.Body = http.MaxBytesReader({handler.w}, {handler.r}.Body, {MAX_BODY})"
    return [
        _suggestion(
            facts,
            "BKD206",
            "validation",
            node,
            "Limit the size of the request body",
            "Nothing bounds what is read from the body: one huge request fills the server's "
            "memory. `http.MaxBytesReader` stops at 1 MiB (and the read then fails).",
            [insert_after_line(facts.tree, statement.start_point[0] - 1, indent + limit)],
        )
    ]


def _conversion(facts: GoFacts, handler: GoHandler, node: Node, callee: str) -> list[Suggestion]:
    if not _CONVERSIONS.match(callee):
        return []
    statement = _statement(node)
    if statement is None or statement.type != "short_var_declaration":
        return []
    left = statement.child_by_field_name("left")
    names = left.named_children if left is not None else []
    if len(names) != 2 or text_of(names[1]) != "_":
        return []
    tree = facts.tree
    indent = tree.indent_of(statement)
    value = text_of(names[0])
    check = _block(
        indent,
        "if err != nil",
        _respond(
            handler,
            "StatusBadRequest",
            f'"{value} must be a number"',
        ),
    )
    return [
        _suggestion(
            facts,
            "BKD202",
            "validation",
            node,
            f"Answer 400 when {value} is not a number",
            f"`{callee}`'s error is dropped: a missing or malformed value silently becomes 0 "
            "(the first row, or no row) instead of a 400.",
            [
                replace(tree, names[1].start_byte, names[1].end_byte, "err"),
                insert_after_line(tree, statement.end_point[0], indent + check),
            ],
        )
    ]


# --- error handling --------------------------------------------------------------------------


def _http(facts: GoFacts, node: Node, callee: str) -> list[Suggestion]:
    if callee not in _HTTP_FUNCS and not callee.startswith("http.DefaultClient."):
        return []
    tree = facts.tree
    function = node.child_by_field_name("function")
    assert function is not None
    client = "(&http.Client{Timeout: 10 * time.Second})"
    if callee.startswith("http.DefaultClient."):
        operand = function.child_by_field_name("operand")
        assert operand is not None
        edit = replace(tree, operand.start_byte, operand.end_byte, client)
    else:
        edit = replace(tree, function.start_byte, function.end_byte, client + callee[4:])
    return [
        _suggestion(
            facts,
            "BKD301",
            "error-handling",
            node,
            f"Give the {callee} call a timeout",
            "http.DefaultClient has no timeout: a slow upstream holds this goroutine (and its "
            "request) for as long as it likes. A client with `Timeout` bounds the wait.",
            [edit, *_import(facts, "time")],
        )
    ]


def _clients(facts: GoFacts) -> list[Suggestion]:
    out = []
    tree = facts.tree
    for node in tree.nodes("composite_literal"):
        if (
            node.type != "composite_literal"
            or text_of(node.child_by_field_name("type")) != "http.Client"
        ):
            continue
        body = node.child_by_field_name("body")
        if body is None or re.search(r"\bTimeout\s*:", text_of(body)):
            continue
        elements = [c for c in body.named_children if c.type != "comment"]
        if elements:
            edit = (
                at(tree, body.start_byte + 1, "Timeout: 10 * time.Second, ")
                if body.start_point[0] == body.end_point[0]
                else at(
                    tree,
                    elements[-1].end_byte,
                    ",\n" + tree.indent_of(elements[-1]) + "Timeout: 10 * time.Second",
                )
            )
        else:
            edit = at(tree, body.start_byte + 1, "Timeout: 10 * time.Second")
        out.append(
            _suggestion(
                facts,
                "BKD301",
                "error-handling",
                node,
                "Give the http.Client a timeout",
                "An http.Client without `Timeout` waits forever on a slow upstream; every "
                "request through it can hang.",
                [edit, *_import(facts, "time")],
            )
        )
    return out


def _error_branch(statement: Node) -> tuple[Node | None, str]:
    """The ``if err != nil { ... }`` right after ``statement``, and its body as written."""
    check = _next(statement)
    if not _is_err_check(check):
        return None, ""
    assert check is not None
    consequence = check.child_by_field_name("consequence")
    lines = [text_of(s) for s in statements(consequence)] if consequence is not None else []
    return check, "\n".join(lines)


def _rows(facts: GoFacts, func: Node, node: Node, callee: str) -> list[Suggestion]:
    args = node.child_by_field_name("arguments")
    if not _QUERY.search(callee) or args is None or not args.named_children:
        return []  # r.URL.Query() is no database query
    statement = _statement(node)
    if statement is None or statement.type != "short_var_declaration":
        return []
    left = statement.child_by_field_name("left")
    names = [text_of(n) for n in left.named_children] if left is not None else []
    if not names or names[0] == "_":
        return []
    rows = names[0]
    body = text_of(func.child_by_field_name("body"))
    if not re.search(rf"\b{re.escape(rows)}\.Next\(\)", body):
        return []  # not iterated here: gin's c.Query("page"), or rows handed to a caller
    closed = re.search(rf"\b{re.escape(rows)}\.Close\(\)", body)
    checked = re.search(rf"\b{re.escape(rows)}\.Err\(\)", body)
    if closed and checked:
        return []
    tree = facts.tree
    indent = tree.indent_of(statement)
    check, on_error = _error_branch(statement)
    edits = []
    missing = []
    if not closed:
        after = check.end_point[0] if check is not None else statement.end_point[0]
        edits.append(insert_after_line(tree, after, f"{indent}defer {rows}.Close()"))
        missing.append(f"`{rows}` is never closed (the connection stays out of the pool)")
    if not checked:
        loop = (
            next(
                (
                    s
                    for s in statements(statement.parent)
                    if statement.parent is not None
                    if s.type == "for_statement" and f"{rows}.Next()" in text_of(s)
                ),
                None,
            )
            if statement.parent is not None
            else None
        )
        if loop is not None and on_error:
            fix = _block(indent, f"if err := {rows}.Err(); err != nil", on_error)
            edits.append(insert_after_line(tree, loop.end_point[0], indent + fix))
            missing.append(
                f"`{rows}.Err()` is never checked (a failure mid-iteration looks like the "
                "end of the rows)"
            )
    if not edits:
        return []
    return [
        _suggestion(
            facts,
            "BKD307",
            "error-handling",
            node,
            f"Close {rows} and check {rows}.Err()",
            "; ".join(missing) + ".",
            edits,
        )
    ]


def _tx(facts: GoFacts, func: Node, node: Node, callee: str) -> list[Suggestion]:
    if not _BEGIN.search(callee):
        return []
    statement = _statement(node)
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return []
    left = statement.child_by_field_name("left")
    names = [text_of(n) for n in left.named_children] if left is not None else []
    if not names:
        return []
    tx = names[0]
    body = func.child_by_field_name("body")
    if body is None or re.search(rf"\b{re.escape(tx)}\.Rollback\(", text_of(body)):
        return []
    if not _early_return(facts, body, statement, tx):
        return []  # every path reaches the Commit: nothing is left open
    tree = facts.tree
    check, _ = _error_branch(statement)
    after = check.end_point[0] if check is not None else statement.end_point[0]
    indent = tree.indent_of(statement)
    return [
        _suggestion(
            facts,
            "BKD303",
            "error-handling",
            node,
            "Roll the transaction back on the error paths",
            f"An early return after `{callee}` leaves `{tx}` open: its connection never returns "
            f"to the pool. `defer {tx}.Rollback()` undoes it on every path (after Commit it "
            "does nothing).",
            [insert_after_line(tree, after, f"{indent}defer {tx}.Rollback()")],
        )
    ]


def _early_return(facts: GoFacts, body: Node, begin: Node, tx: str) -> bool:
    """A ``return`` between the Begin and the last Commit (or no Commit at all)."""
    commits = [m.start() for m in re.finditer(rf"\b{re.escape(tx)}\.Commit\(", text_of(body))]
    if not commits:
        return True
    last = body.start_byte + len(text_of(body)[: commits[-1]].encode("utf-8"))
    return any(
        begin.end_byte <= node.start_byte and node.end_byte <= last
        for node in facts.tree.nodes("return_statement")
    )


def _lookup(facts: GoFacts, node: Node, callee: str) -> tuple[str, str] | None:
    """(the call, the sentinel error it returns when nothing matches) for a single-row read:
    ``QueryRow(...).Scan``, sqlx's ``Get(&x, "SELECT ...")``, GORM's ``First``/``Take``/``Last``."""
    if callee.endswith(".Scan"):
        function = node.child_by_field_name("function")
        operand = function.child_by_field_name("operand") if function is not None else None
        if operand is not None and re.search(
            r"\.QueryRow(Context|x|xContext)?\(", text_of(operand)
        ):
            return "Scan", "sql.ErrNoRows"
        if operand is not None and operand.type == "identifier":  # row := db.QueryRow(...)
            func = enclosing_function(node)
            name = re.escape(text_of(operand))
            if func is not None and re.search(
                rf"\b{name}\s*:?=\s*[\w.]+\.QueryRow(Context|x|xContext)?\(", text_of(func)
            ):
                return "Scan", "sql.ErrNoRows"
        return None
    if re.search(r"\.(Get|GetContext)$", callee):
        args = node.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if any((literal_value(a) or "").lstrip().upper().startswith("SELECT") for a in items):
            return "Get", "sql.ErrNoRows"
        return None
    if re.search(r"\.(First|Take|Last)$", callee) and any(
        "gorm" in path for path in facts.imports.values()
    ):
        return callee.rsplit(".", 1)[1], "gorm.ErrRecordNotFound"
    return None


def _no_rows(facts: GoFacts, handler: GoHandler, node: Node, callee: str) -> list[Suggestion]:
    found = _lookup(facts, node, callee)
    if found is None:
        return []
    method, sentinel = found
    if re.search(r"ErrNoRows|ErrRecordNotFound", text_of(handler.body)):
        return []
    statement = _statement(node)
    if statement is None:
        return []
    check = statement if statement.type == "if_statement" else _next(statement)
    if not _is_err_check(check):
        return []
    assert check is not None
    consequence = check.child_by_field_name("consequence")
    inner = statements(consequence) if consequence is not None else []
    if not inner:
        return []
    tree = facts.tree
    indent = tree.indent_of(inner[0])
    message = '"not found"'
    fix = _block(
        indent,
        f"if errors.Is(err, {sentinel})",
        _respond(handler, "StatusNotFound", message)
        if handler.framework != "net/http"
        else f"http.NotFound({handler.w}, {handler.r})\nreturn",
    )
    return [
        _suggestion(
            facts,
            "BKD304",
            "error-handling",
            node,
            "Answer 404 when no row matches",
            f"`{method}` returns {sentinel} when nothing matches; it falls into the generic "
            "error branch and the client gets a 500 for a missing record.",
            [
                insert_after_line(tree, inner[0].start_point[0] - 1, indent + fix),
                *_import(facts, "errors"),
            ],
        )
    ]
