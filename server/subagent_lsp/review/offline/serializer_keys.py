"""BKD201 for a DRF serializer's (or field's) ``to_internal_value(self, data)`` that indexes
``data`` unchecked: ``data["meta"]["action_name"]``. DRF hands it the client's raw input before
any field has looked at it, inside ``is_valid()``; a missing key (or input that is no object)
raises KeyError or TypeError there, and DRF answers only its own ``ValidationError`` with a
400: the rest is a 500 for the client's mistake. The fix checks the keys (one level of nesting
too) before the first read and raises the serializer's ``ValidationError``.
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .drf import uses_drf
from .drf_serializers import drf_validation_error, is_serializer, model_get
from .frameworks import ModuleFacts
from .nested_body import first_read_anchor, keys_condition
from .pyedits import ensure_imports, insert_before_line, statement_lines
from .pysource import dotted
from .try_blocks import caught

_CAUGHT = {"KeyError", "TypeError", "LookupError"}
# What fills in or replaces the data's keys: the reads after it are not of what was sent.
_FILLS = ("update", "setdefault", "to_internal_value", "is_valid", "validate")


def serializer_key_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    if "to_internal_value" not in facts.source.text or not uses_drf(facts):
        return []
    error = drf_validation_error(facts)
    if error is None:
        return []
    out: list[Suggestion] = []
    for cls in facts.source.of(ast.ClassDef):
        if not is_serializer(cls):
            continue
        for method in cls.body:
            if (
                isinstance(method, ast.FunctionDef)
                and method.name == "to_internal_value"
                and len(method.args.args) == 2
            ):
                found = _method(facts, cls, method, error)
                if found is not None:
                    out.append(found)
    return out


def _method(
    facts: ModuleFacts,
    cls: ast.ClassDef,
    func: ast.FunctionDef,
    error: tuple[str, list[tuple[str, str]]],
) -> Suggestion | None:
    src = facts.source
    param = func.args.args[1].arg
    nodes = [n for n in src.nodes_of(func) if src.function_of(n) is func]
    until = _filled_from(nodes, param)
    optional = _optional_fields(cls)
    stored: dict[str, int] = {}  # ``data["form_url"] = ...``: its later reads are the server's
    for node in nodes:
        if isinstance(node, ast.Compare) and any(
            isinstance(op, ast.In | ast.NotIn) and (_is_param(c, param) or _of_param(c, param))
            for op, c in zip(node.ops, node.comparators, strict=False)
        ):
            return None  # ``"meta" in data``: the method checks keys itself
        if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            key = _key(node)
            if key is not None and _is_param(node.value, param):
                stored[key] = min(stored.get(key, node.lineno), node.lineno)
        if _rebinds(node, param):
            return None  # ``data = ...``: what follows is not the raw input
    reads: list[tuple[ast.Subscript, str, str | None]] = []
    for node in nodes:
        if not (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and _is_param(node.value, param)
        ):
            continue
        key = _key(node)
        if key is None or key in optional or (until and node.lineno >= until):
            continue  # an optional field left out is no error: requiring it is no fix
        if key in stored and stored[key] < node.lineno:
            continue
        if caught(node, facts.up, _CAUGHT) or _in_row_lookup(node, facts.up):
            continue  # BKD304 wraps a lookup keyed by it in a try for KeyError too
        parent = facts.up.get(node)
        sub = (
            _key(parent)
            if isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load)
            else None
        )
        reads.append((node, key, sub))
    if not reads:
        return None
    reads.sort(key=lambda r: (r[0].lineno, r[0].col_offset))
    required: dict[str, list[str]] = {}
    for _, top, sub in reads:
        inner = required.setdefault(top, [])
        if sub is not None and sub not in inner:
            inner.append(sub)
    anchor = first_read_anchor(func, [r[0] for r in reads], facts.up)
    if anchor is None:
        return None
    indent = src.indent_of(anchor.lineno - 1)
    start, _ = statement_lines(anchor)
    paths = [f"{top}.{sub}" for top, subs in required.items() for sub in subs] + [
        top for top, subs in required.items() if not subs
    ]
    name, needed = error
    text = keys_condition(param, required, indent)
    text += f'\n{indent}    raise {name}("missing or malformed fields: {", ".join(paths)}")'
    edits = [*ensure_imports(src, needed), insert_before_line(src, start, text)]
    first = reads[0][0]
    return Suggestion(
        "BKD201",
        "validation",
        src.path,
        src.span(first),
        f"Check the keys of `{param}` in {cls.name}.to_internal_value before reading them",
        f"`to_internal_value` gets what the client sent, unchecked, inside `is_valid()`: "
        f"reading {', '.join(repr(p) for p in paths)} off `{param}` raises KeyError (TypeError "
        "when it is no object) when the client leaves it out, which DRF answers with a 500 "
        f"(it turns only its ValidationError into a 400). The check raises `{name}`, a 400.",
        tuple(edits),
    )


def _optional_fields(cls: ast.ClassDef) -> set[str]:
    """The fields the class declares ``required=False`` or with a ``default``."""
    out: set[str] = set()
    for stmt in cls.body:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
            continue
        for kw in stmt.value.keywords:
            required = kw.arg == "required" and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is True
            )
            if required or kw.arg == "default":
                out.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return out


def _is_param(node: ast.expr, param: str) -> bool:
    return isinstance(node, ast.Name) and node.id == param


def _of_param(node: ast.expr, param: str) -> bool:
    """``"action_name" in data["meta"]``: a nested key checked."""
    return isinstance(node, ast.Subscript) and _is_param(node.value, param)


def _key(node: ast.AST | None) -> str | None:
    if not isinstance(node, ast.Subscript):
        return None
    key = node.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _filled_from(nodes: list[ast.AST], param: str) -> int:
    """The first line that fills in the data's keys or validates it (``data.update(...)``,
    ``super().to_internal_value(data)``): 0 when none does."""
    lines = [
        n.lineno
        for n in nodes
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in _FILLS
        and (
            n.func.attr in ("to_internal_value", "is_valid", "validate")
            or _is_param(n.func.value, param)
        )
    ]
    return min(lines) if lines else 0


def _rebinds(node: ast.AST, param: str) -> bool:
    """``data = ...`` but for a copy of it (``data = data.copy()`` keeps what was sent)."""
    value: ast.expr | None
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.NamedExpr):
        targets, value = [node.target], node.value
    elif isinstance(node, ast.For | ast.With):
        targets = (
            [node.target]
            if isinstance(node, ast.For)
            else [i.optional_vars for i in node.items if i.optional_vars is not None]
        )
        value = None
    else:
        return False
    if not any(_is_param(t, param) for t in targets):
        return False
    if isinstance(value, ast.Call):
        name = dotted(value.func)
        if name == f"{param}.copy" and not value.args:
            return False
        copies = ("dict", "copy.copy", "copy.deepcopy", "deepcopy")
        if name in copies and len(value.args) == 1 and _is_param(value.args[0], param):
            return False
    return True


def _in_row_lookup(node: ast.AST, up: dict[ast.AST, ast.AST]) -> bool:
    current = up.get(node)
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.Call) and model_get(current) is not None:
            return True
        current = up.get(current)
    return False
