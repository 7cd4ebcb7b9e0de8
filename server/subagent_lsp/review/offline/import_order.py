"""New imports where the app's isort/ruff settings put them, so an edit passes the app's own
``I`` rule: in their section (future, stdlib, third party, first party, local), ``import x``
before ``from x import y`` unless force-sort-within-sections, modules case-insensitively in
natural order, and a name added to an existing ``from`` line at its sorted place (ruff's
order-by-type: CONSTANTS, Classes, then the rest).

Only the first block of top-level imports is edited; an import block that was not sorted to
begin with gets the new line before the first import that sorts after it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ...definitions.findings import Position, Span
from ..suggestion import Edit
from .import_settings import ImportSettings, import_settings, section_of
from .project_files import workspace_root
from .pysource import Source, module_imported_names

Key = tuple[object, ...]
_DEF = re.compile(r"(?:async\s+def|def|class)\b|@")


@dataclass(frozen=True)
class _Line:
    """An import statement, in the file or to be added."""

    section: int
    key: Key
    text: str  # LF-separated when wrapped
    first: int = -1  # 0-based lines of an existing statement
    last: int = -1


def ensure_imports(
    source: Source,
    needed: Iterable[tuple[str, str]],
    modules: Iterable[str] = (),
    rebound: Iterable[str] = (),
) -> list[Edit]:
    """Edits that bind each ``(module, name)`` of ``needed`` (``from module import name``) and
    each of ``modules`` (``import module``) not bound yet, in one call so that two new lines
    at the same place come out in order. ``rebound``: names bound now that the caller's own
    edit unbinds (the driver's ``IntegrityError`` it drops), to bind anew."""
    # Asked once per suggestion, mostly for the same few names: computed once per source.
    needed, modules, rebound = tuple(needed), tuple(modules), tuple(rebound)
    memo: dict[Key, list[Edit]] = source.__dict__.setdefault("_ensured_imports", {})
    found = memo.get((needed, modules, rebound))
    if found is None:
        found = memo[(needed, modules, rebound)] = _ensure_imports(source, needed, modules, rebound)
    return list(found)


def _ensure_imports(
    source: Source,
    needed: Iterable[tuple[str, str]],
    modules: Iterable[str],
    rebound: Iterable[str] = (),
) -> list[Edit]:
    settings = import_settings(workspace_root(source.path))
    # a function's own import binds nothing where the new line goes (the module's top)
    known = {k: v for k, v in module_imported_names(source).items() if k not in set(rebound)}
    by_module: dict[str, list[str]] = {}
    for module, name in needed:
        if name not in known and name not in by_module.get(module, []):
            by_module.setdefault(module, []).append(name)
    new: list[_Line] = []
    edits: list[Edit] = []
    for module in dict.fromkeys(modules):
        top = module.split(".")[0]
        if module not in known.values() and known.get(top, "").split(".")[0] != top:
            new.append(_new_line(source, settings, module, None))
    for module, names in by_module.items():
        existing = None if settings.force_single_line else _from_line(source, settings, module)
        if existing is not None:
            edits.extend(_extend(source, settings, existing, names))
        elif settings.force_single_line:
            new.extend(_new_line(source, settings, module, [n]) for n in names)
        else:
            new.append(_new_line(source, settings, module, names))
    if new:
        edits.extend(_place(source, settings, sorted(new, key=lambda line: line.key)))
    return edits


def _new_line(
    source: Source, settings: ImportSettings, module: str, names: list[str] | None
) -> _Line:
    section = section_of(module, 0, settings, source.path)
    if names is None:
        return _Line(section, _key(settings, section, module, 0, None), f"import {module}")
    ordered = sorted(names, key=lambda n: _member_key(settings, n, None))
    first = _member_key(settings, ordered[0], None)
    return _Line(
        section, _key(settings, section, module, 0, first), _from_text(settings, module, ordered)
    )


def _from_text(settings: ImportSettings, module: str, names: list[str], wrap: bool = False) -> str:
    """``from module import a, b``, wrapped one name a line (ruff's style) when too long."""
    line = f"from {module} import {', '.join(names)}"
    if not wrap and len(line) <= settings.line_length:
        return line
    return "\n".join([f"from {module} import (", *(f"    {n}," for n in names), ")"])


def _natural(text: str) -> Key:
    """Natural order, as ruff's: ``app2`` before ``app10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _member_key(settings: ImportSettings, name: str, asname: str | None) -> Key:
    kind = 2
    if settings.order_by_type:
        if len(name) > 1 and name.isupper():
            kind = 0  # CONSTANT
        elif name[:1].isupper():
            kind = 1  # Class
    return (kind, _natural(name.lower()), _natural(name), asname or "")


def _key(
    settings: ImportSettings, section: int, module: str | None, level: int, first: Key | None
) -> Key:
    """ruff's ModuleKey: section; ``import`` before ``from`` (unless force-sort-within-
    sections); relative imports furthest first; the module case-insensitively; the first name."""
    is_from = first is not None or level > 0
    kind = 0 if settings.force_sort_within_sections else int(is_from)
    name: Key = (0,) if module is None else (1, _natural(module.lower()), _natural(module))
    return (section, kind, -level, name, (0,) if first is None else (1, first))


def _statement_key(settings: ImportSettings, node: ast.Import | ast.ImportFrom, path: str) -> _Line:
    first_line, last_line = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    if isinstance(node, ast.Import):
        alias = node.names[0]
        section = section_of(alias.name, 0, settings, path)
        key = _key(settings, section, alias.name, 0, None)
    else:
        section = section_of(node.module or "", node.level, settings, path)
        member = _member_key(settings, node.names[0].name, node.names[0].asname)
        key = _key(settings, section, node.module, node.level, member)
    return _Line(section, key, "", first_line, last_line)


def _top_statements(source: Source) -> list[ast.stmt]:
    return sorted((n for m in source.modules for n in m.body), key=lambda n: n.lineno)


def _block(source: Source, settings: ImportSettings) -> tuple[list[_Line], ast.stmt | None]:
    """The first run of top-level imports, and the module docstring: the same for every
    suggestion of the module that adds an import (each import's section is looked up on disk),
    kept on the parse, as the edits themselves are."""
    blocks: dict[ImportSettings, tuple[list[_Line], ast.stmt | None]]
    blocks = source.__dict__.setdefault("_import_blocks", {})
    found = blocks.get(settings)
    if found is None:
        found = blocks[settings] = _read_block(source, settings)
    return found


def _read_block(source: Source, settings: ImportSettings) -> tuple[list[_Line], ast.stmt | None]:
    body = _top_statements(source)
    docstring = None
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        docstring = first if isinstance(first.value.value, str) else None
    found: list[_Line] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(_statement_key(settings, node, source.path))
        elif found:
            break
    return found, docstring


def _from_line(source: Source, settings: ImportSettings, module: str) -> ast.ImportFrom | None:
    """A top-level ``from module import ...`` new names can join: no ``*``, no comment inside
    (it would be lost), and no ``as`` unless combine-as-imports (ruff keeps those apart)."""
    for node in _top_statements(source):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == module
            and node.level == 0
            and not any(a.name == "*" for a in node.names)
            and (settings.combine_as_imports or not any(a.asname for a in node.names))
            and ("#" not in source.text_of(node) or _vertical(source, node))
        ):
            return node
    return None


def _vertical(source: Source, node: ast.ImportFrom) -> bool:
    """Wrapped one name a line, each ending in a comma (ruff's style; comments allowed)."""
    lines = [a.lineno for a in node.names]
    return len(set(lines)) == len(lines) and all(
        line > node.lineno
        and re.match(rf"\s*{re.escape(source.text_of(a))}\s*,", source.lines[line - 1])
        for a, line in zip(node.names, lines, strict=True)
    )


def _extend(
    source: Source, settings: ImportSettings, node: ast.ImportFrom, names: list[str]
) -> list[Edit]:
    """The ``from`` line rewritten with ``names`` at their sorted places (the existing order
    kept), wrapped when it gets too long or was wrapped with a trailing comma; a wrapped one
    with comments gets a line per name instead, so that the comments stay."""
    aliases = [(a.name, a.asname) for a in node.names]
    if "#" in source.text_of(node):
        indent = source.indent_of(node.names[0].lineno - 1)
        at_line: dict[int, list[str]] = {}  # one edit per place: the names in their order
        for name in sorted(names, key=lambda n: _member_key(settings, n, None)):
            key = _member_key(settings, name, None)
            later = [a for a in node.names if _member_key(settings, a.name, a.asname) > key]
            line = later[0].lineno - 1 if later else node.names[-1].lineno
            at_line.setdefault(line, []).append(f"{indent}{name},{source.eol}")
        return [Edit(source.path, Span.point(k, 0), "".join(v)) for k, v in at_line.items()]
    for name in names:
        key = _member_key(settings, name, None)
        at = next(
            (i for i, a in enumerate(aliases) if _member_key(settings, *a) > key), len(aliases)
        )
        aliases.insert(at, (name, None))
    spelled = [f"{n} as {a}" if a else n for n, a in aliases]
    original = source.text_of(node)
    wrap = "\n" in original or bool(re.search(r",\s*\)\s*$", original))
    text = _from_text(settings, node.module or "", spelled, wrap)
    return [Edit(source.path, source.span(node), text.replace("\n", source.eol))]


def _place(source: Source, settings: ImportSettings, new: list[_Line]) -> list[Edit]:
    block, docstring = _block(source, settings)
    if not block:
        return [_into_empty(source, settings, new, docstring)]
    groups: dict[int, list[_Line]] = {}
    for line in new:
        gap = next((i for i, b in enumerate(block) if b.key > line.key), len(block))
        groups.setdefault(gap, []).append(line)
    inserts: dict[int, list[str]] = {}
    for gap, lines in groups.items():
        before = block[gap - 1] if gap > 0 else None
        after = block[gap] if gap < len(block) else None
        head = [x for x in lines if before is not None and x.section == before.section]
        tail = [x for x in lines if after is not None and x.section == after.section]
        tail = [x for x in tail if x not in head]
        middle = [x for x in lines if x not in head and x not in tail]
        if before is not None and (head or middle):
            text = [x.text for x in head]
            if middle:
                text += ["", *_runs(middle)]
            inserts.setdefault(before.last + 1, []).extend(text)
        if after is not None and (tail or (middle and before is None)):
            text = [*_runs(middle), ""] if middle and before is None else []
            text += [x.text for x in tail]
            at = _leading_comments(source, after, before)
            if at < after.first and text[-1]:  # ruff keeps a blank line above a comment
                text.append("")
            inserts.setdefault(at, []).extend(text)
    return [_insert(source, line, text) for line, text in sorted(inserts.items())]


def _runs(lines: list[_Line]) -> list[str]:
    """Lines of new imports, a blank line between sections."""
    out: list[str] = []
    for i, line in enumerate(lines):
        if i and lines[i - 1].section != line.section:
            out.append("")
        out.append(line.text)
    return out


def _leading_comments(source: Source, line: _Line, before: _Line | None) -> int:
    """The first line of the comments right above an import (they belong to it); comments
    that start the file (a shebang, a licence) stay where they are."""
    first = line.first
    floor = before.last + 1 if before is not None else 0
    while first - 1 >= floor and source.lines[first - 1].lstrip().startswith("#"):
        first -= 1
    return line.first if first == 0 else first


def _insert(source: Source, line: int, text: list[str]) -> Edit:
    eol = source.eol
    body = "\n".join(text).replace("\n", eol)
    if line >= len(source.lines):  # after the last line, which has no line break
        end = Position(len(source.lines) - 1, len(source.lines[-1]))
        return Edit(source.path, Span(end, end), eol + body)
    return Edit(source.path, Span.point(line, 0), body + eol)


def _into_empty(
    source: Source, settings: ImportSettings, new: list[_Line], docstring: ast.stmt | None
) -> Edit:
    """A module without imports: after its docstring (else its shebang and encoding lines),
    followed by the blank lines ruff wants (two before a def or class, else one)."""
    lines = source.lines
    if docstring is not None:
        start = docstring.end_lineno or docstring.lineno
    else:
        start = 0
        while start < len(lines) and re.match(r"#!|#.*coding[:=]", lines[start]):
            start += 1
    stop = start
    while stop < len(lines) and not lines[stop].strip():
        stop += 1
    following = next((t for t in lines[stop:] if t.strip() and not t.startswith("#")), "")
    if stop >= len(lines):
        blanks = 0
    elif settings.lines_after_imports >= 0:
        blanks = settings.lines_after_imports
    else:
        blanks = 2 if _DEF.match(following) else 1
    text = _runs(new)
    if start > 0:
        text = ["", *text]
    body = "\n".join([*text, *[""] * blanks]).replace("\n", source.eol) + source.eol
    if start >= len(lines):
        end = Position(len(lines) - 1, len(lines[-1]))
        return Edit(source.path, Span(end, end), source.eol + body.rstrip("\r\n"))
    end = Position(stop, 0) if stop < len(lines) else Position(len(lines) - 1, len(lines[-1]))
    return Edit(source.path, Span(Position(start, 0), end), body)
