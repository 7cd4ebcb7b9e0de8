"""Building blocks for edits to Python source: imports, inserted lines, wrapping in try."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ...definitions.findings import Position, Span
from ..suggestion import Edit
from . import import_order
from .pysource import Source


def insert_before_line(source: Source, line: int, text: str) -> Edit:
    """Insert whole lines (``text`` without a final newline) before 0-based ``line``."""
    return Edit(source.path, Span.point(line, 0), text.replace("\n", source.eol) + source.eol)


def statement_lines(stmt: ast.stmt) -> tuple[int, int]:
    """0-based first and last line of a statement (decorators included)."""
    first = stmt.lineno
    for deco in getattr(stmt, "decorator_list", []):
        first = min(first, deco.lineno)
    return first - 1, (stmt.end_lineno or stmt.lineno) - 1


def wrapped_in_try(source: Source, stmt: ast.stmt, errors: str, answer: str) -> str:
    """The statement as written (it may span lines), one level deeper inside ``try``, and an
    ``except`` for ``errors`` that runs ``answer``."""
    indent = source.indent_of(stmt.lineno - 1)
    first, last = statement_lines(stmt)
    body = "\n".join(
        f"    {line}" if line.strip() else line for line in source.lines[first : last + 1]
    )
    names, _, bound = errors.partition(" as ")
    caught = f"({names})" if "," in names else names
    caught += f" as {bound}" if bound else ""
    return f"{indent}try:\n{body.rstrip()}\n{indent}except {caught}:\n{indent}    {answer}"


def replace_statement(source: Source, stmt: ast.stmt, text: str) -> Edit:
    """Replace a statement's whole lines with ``text`` (LF in ``text`` becomes the file's EOL)."""
    first, last = statement_lines(stmt)
    span = Span(Position(first, 0), Position(last, len(source.lines[last])))
    return Edit(source.path, span, text.replace("\n", source.eol))


def wrap_in_try(
    source: Source,
    stmt: ast.stmt,
    handler: list[str],
    through: ast.stmt | None = None,
    then: str | None = None,
) -> Edit:
    """Wrap a statement (on ``through``: the run of sibling statements from ``stmt`` to it) in
    ``try:`` with ``handler`` lines (already indented one level deeper than the ``except``
    they follow, written relative to the statement's indentation); ``then``: one more line of
    the ``try`` body after them (``resp.raise_for_status()``)."""
    first, last = statement_lines(stmt)
    if through is not None:
        last = statement_lines(through)[1]
    indent = source.indent_of(first)
    body = [f"{indent}try:"]
    body.extend(
        f"{indent}    {line[len(indent) :] if line.startswith(indent) else line.lstrip()}"
        if line.strip()
        else line
        for line in source.lines[first : last + 1]
    )
    if then is not None:
        body.append(f"{indent}    {then}")
    body.extend(f"{indent}{h}" if h else "" for h in handler)
    end = Position(last, len(source.lines[last]))
    return Edit(source.path, Span(Position(first, 0), end), source.eol.join(body))


def replace_node(source: Source, node: ast.AST, text: str) -> Edit:
    return Edit(source.path, source.span(node), text)


LINE_LENGTH = 88  # ruff's and black's default


def add_keyword(source: Source, call: ast.Call, keyword: str) -> Edit:
    """Append ``keyword`` (``timeout=10``) to a call's arguments; on a line of its own, with a
    trailing comma, when the call has its closing parenthesis on a line of its own (as ruff and
    black write a call that does not fit), so the result is still formatted."""
    end = source.end(call)
    before = Position(end.line, end.column - 1)  # the closing parenthesis
    has_args = bool(call.args or call.keywords)
    own_line = has_args and not source.lines[before.line][: before.column].strip()
    if own_line:
        last = max(
            [*call.args, *(k.value for k in call.keywords)],
            key=lambda n: (n.end_lineno or 0, n.end_col_offset or 0),
        )
        after_last = source.end(last)
        between = source.slice(Span(after_last, before))
        first = min(
            [*call.args, *(k.value for k in call.keywords)],
            key=lambda n: (n.lineno, n.col_offset),
        )
        one_line = source.start(first).line == after_last.line and "," not in between
        fits = len(source.lines[after_last.line]) + len(keyword) + 2 <= LINE_LENGTH
        if one_line and fits:
            # ``requests.get(\n    url, params=params\n)``: the arguments' one line
            return Edit(source.path, Span(after_last, after_last), f", {keyword}")
        if one_line and "#" not in source.lines[after_last.line]:
            # too long with it: one argument per line, as the formatters write it then
            indent = source.indent_of(after_last.line)
            parts = [source.text_of(a) for a in call.args] + [
                f"{k.arg}={source.text_of(k.value)}" if k.arg else f"**{source.text_of(k.value)}"
                for k in call.keywords
            ]
            if len(parts) == len(call.args) + len(call.keywords) and not any(
                isinstance(a, ast.Starred) for a in call.args
            ):
                lines = "".join(f"{indent}{p},{source.eol}" for p in [*parts, keyword])
                closing = source.lines[before.line][: before.column]
                start = Position(source.start(first).line, 0)
                return Edit(source.path, Span(start, before), lines + closing)
        if not between.replace(",", "", 1).strip():  # nothing but a comma and the line break
            indent = source.indent_of(source.start(last).line)
            closing = source.lines[before.line][: before.column]
            text = f",{source.eol}{indent}{keyword},{source.eol}{closing}"
            return Edit(source.path, Span(after_last, before), text)
    text = source.slice(Span(source.start(call), before)).rstrip()
    trailing_comma = text.endswith(",")
    sep = "" if not has_args else (" " if trailing_comma else ", ")
    return Edit(source.path, Span(before, before), f"{sep}{keyword}")


def ensure_imports(
    source: Source,
    needed: list[tuple[str, str]],
    modules: Iterable[str] = (),
    rebound: Iterable[str] = (),
) -> list[Edit]:
    """Imports for ``(module, name)`` pairs (``from module import name``) and ``modules``
    (``import module``) not bound yet, where the app's isort/ruff settings put them;
    ``rebound``: names the caller's edit unbinds, to bind anew."""
    return import_order.ensure_imports(source, needed, modules, rebound)


def ensure_module_import(source: Source, module: str) -> list[Edit]:
    """``import module`` unless the module is bound already."""
    return import_order.ensure_imports(source, [], [module])
