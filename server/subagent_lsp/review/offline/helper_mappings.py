"""A view hands the whole request mapping to a function of its module, which converts keys of it.

``_articles_filters(request.args)`` then ``int(args.get("feed", 0))`` in the helper: the
conversion raises on ``?feed=abc`` exactly as the view's own would, a 500. This module finds
those conversions (the helper's parameter read with ``.get("x")`` or ``["x"]`` and handed to
``int``/``float``/a date parser, nothing catching ValueError) and writes the Flask fix, in the
helper: ``args.get("x", default, type=int)`` when every caller passes a MultiDict, otherwise
the statement inside ``try`` answering ``abort(400)`` (a helper returns values, not
responses). Django's fix (``raise BadRequest``) is the view path's own, in validation.py.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from ..suggestion import Edit, Suggestion
from .django_views import request_attr
from .frameworks import ModuleFacts, enclosing_statement, flask_abort
from .pyedits import ensure_imports, replace_statement, wrapped_in_try
from .pysource import Source, dotted
from .try_blocks import caught, validated_by_form

# What a view may hand over whole. Flask's args/form/values are MultiDicts, whose ``.get``
# takes ``type=`` (and falls back to the default when the conversion raises); a JSON body is a
# plain dict, and Django's QueryDict ``.get`` has no ``type=``.
MULTIDICTS = ("request.args", "request.form", "request.values")
MAPPINGS = (*MULTIDICTS, "request.json", "request.get_json()", "request.GET", "request.POST")
# Statements a ``try`` may wrap whole.
_SIMPLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)


# python-dateutil's parsers, by the names that say so (a bare ``parse`` may be anyone's).
_DATEUTIL = ("dateutil.parser.parse", "dateutil.parser.isoparse", "parser.isoparse", "isoparse")


def date_parse(name: str) -> bool:
    """``datetime.strptime`` / ``date.fromisoformat`` / ``datetime.datetime.fromisoformat`` /
    ``dateutil.parser.parse``: a date parser that raises ValueError on a malformed value and
    TypeError on a missing one."""
    owner, _, method = name.rpartition(".")
    if name in _DATEUTIL:
        return True  # dateutil's ParserError is a ValueError too
    if method == "strptime":
        return owner.rsplit(".", 1)[-1] == "datetime"
    return method == "fromisoformat" and owner.rsplit(".", 1)[-1] in ("date", "datetime")


def request_mapping(func: ast.AST, node: ast.expr) -> str | None:
    """``request.args`` / ``request.get_json()`` / ... as ``node`` is, or as the local ``node``
    names holds (bound once in ``func``: ``data = request.get_json() or {}``)."""
    if isinstance(node, ast.Name):
        values = [
            n.value
            for n in ast.walk(func)
            if isinstance(n, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
        ]
        bound = [n for n in ast.walk(func) if isinstance(n, ast.NamedExpr | ast.AugAssign)]
        if len(values) != 1 or any(
            isinstance(n.target, ast.Name) and n.target.id == node.id for n in bound
        ):
            return None
        node = values[0]
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
        node = node.values[0]  # ``request.get_json() or {}``
    if isinstance(node, ast.Call):
        if request_attr(node.func) == "request.get_json":
            return "request.get_json()"
        return None
    name = request_attr(node)
    return name if name in MAPPINGS else None


def mapping_conversions(
    helper: ast.FunctionDef, param: str, up: dict[ast.AST, ast.AST]
) -> list[tuple[ast.Call, ast.expr, str]]:
    """``(conversion, read, kind)`` for each uncaught ``int(param.get("x"))`` /
    ``float(param["x"])`` / ``datetime.strptime(param.get("x"), fmt)`` of ``helper``, before
    anything rebinds ``param``."""
    out: list[tuple[ast.Call, ast.expr, str]] = []
    for node in sorted(
        (n for n in ast.walk(helper) if isinstance(n, ast.Call | ast.Assign)),
        key=lambda n: (n.lineno, n.col_offset),
    ):
        if isinstance(node, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == param for t in node.targets):
                break  # rebound: what follows reads something else
            continue
        name = dotted(node.func)
        if name in ("int", "float") and len(node.args) == 1 and not node.keywords:
            kind = name
        elif date_parse(name) and node.args:
            kind = "date"
        else:
            continue
        read = node.args[0]
        if _key_of(read, param) is None:
            continue
        # Only a handler for ValueError (or broader) catches ``?x=abc``.
        if caught(node, up, {"ValueError"}) or validated_by_form(node, up):
            continue
        out.append((node, read, kind))
    return out


def passed_on(helper: ast.FunctionDef, param: str) -> list[tuple[ast.Call, int]]:
    """Calls in ``helper`` that hand ``param`` on whole, positionally: ``(call, index)``."""
    return [
        (n, i)
        for n in ast.walk(helper)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        for i, a in enumerate(n.args)
        if isinstance(a, ast.Name) and a.id == param
    ]


def _key_of(read: ast.expr, param: str) -> str | None:
    if (
        isinstance(read, ast.Call)
        and isinstance(read.func, ast.Attribute)
        and read.func.attr == "get"
        and isinstance(read.func.value, ast.Name)
        and read.func.value.id == param
        and read.args
    ):
        key: ast.expr = read.args[0]
    elif (
        isinstance(read, ast.Subscript)
        and isinstance(read.value, ast.Name)
        and read.value.id == param
        and isinstance(read.ctx, ast.Load)
    ):
        key = read.slice
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def flask_helper_fix(
    facts: ModuleFacts,
    helper: ast.FunctionDef,
    call: ast.Call,
    read: ast.expr,
    kind: str,
    key: str,
    multidict: bool,
    origin: str,
) -> Suggestion | None:
    """BKD202 at a Flask helper's conversion. ``multidict``: every caller hands it Flask's
    args/form/values; ``origin``: what the view passes, for the message."""
    src = facts.source
    default = read.args[1] if isinstance(read, ast.Call) and len(read.args) == 2 else None
    edits: list[Edit]
    plain = isinstance(read, ast.Call) and not read.keywords
    given = typed_default(default, kind) if kind != "date" else None
    if multidict and plain and given is not None:
        assert isinstance(read, ast.Call) and isinstance(read.func, ast.Attribute)
        owner = src.text_of(read.func.value)
        # MultiDict.get(key, default, type=int) answers the default when int() raises: the
        # same value as before for good input, and the default (not a 500) for bad input.
        new = f'{owner}.get("{key}", {given}, type={kind})'
        edits = [Edit(src.path, src.span(call), new)]
        how = f"`.get(..., type={kind})` falls back to the default on bad input"
    else:
        stmt = enclosing_statement(call, facts.up)
        if not isinstance(stmt, _SIMPLE):
            return None
        indent = src.indent_of(stmt.lineno - 1)
        if len(indent) != stmt.col_offset:
            return None  # shares its line with another statement (``if x: y = int(...)``)
        needed = flask_abort(facts)
        if needed is None:
            return None  # ``abort`` means something else here, or Flask is not importable
        errors = (
            "KeyError, TypeError, ValueError"
            if isinstance(read, ast.Subscript)
            else ("TypeError, ValueError")
        )
        text = wrapped_in_try(src, stmt, errors, "abort(400)")
        edits = [*ensure_imports(src, needed), replace_statement(src, stmt, text)]
        how = "a missing or malformed value now answers 400 (`abort(400)`) instead of raising"
    what = "a date in that format" if kind == "date" else "a number"
    # With a default, a missing key is answered already: only a malformed one raises.
    what = f"missing or not {what}" if default is None else f"not {what}"
    handed = "views hand it" if " / " in origin else "a view hands it"
    return conversion_guard(
        src,
        call,
        key,
        f"`{' '.join(src.text_of(call).split())}` in `{helper.name}` raises (a 500) when `{key}` "
        f"is {what}, and {handed} `{origin}`; {how}.",
        tuple(edits),
    )


def typed_default(default: ast.expr | None, kind: str) -> str | None:
    """The default as ``type=`` must be given it, or None when it cannot be: Werkzeug hands the
    default back unconverted, so ``"1"`` stays a string (judged on a blind planted set: every
    plain visit of a paged view then failed); a literal of the converted type is kept, and a
    string literal that converts is written converted (``"1"`` -> ``1``)."""
    if kind not in ("int", "float"):
        return None
    if not isinstance(default, ast.Constant) or isinstance(default.value, bool):
        return None
    wanted = int if kind == "int" else float
    # ``type=float`` with ``0`` would answer 0, where ``float(...)`` gave 0.0
    if type(default.value) is wanted:
        return repr(default.value)
    if isinstance(default.value, str):
        try:
            return repr(wanted(default.value.strip()))
        except ValueError:
            return None
    return None


def conversion_guard(
    src: Source, call: ast.Call, key: str, why: str, edits: Sequence[Edit]
) -> Suggestion:
    """BKD202 at ``call``: a conversion of the client's ``key`` that raises on bad input."""
    return Suggestion(
        "BKD202",
        "validation",
        src.path,
        src.span(call),
        f"Guard the conversion of `{key}`",
        why,
        tuple(edits),
    )
