"""django-filter ``method=`` callbacks that convert the raw text of a ``CharFilter``:
``ids = filters.CharFilter(method="filter_ids")`` then ``[int(n) for n in value.split(",")]``.
The FilterSet hands the callback the query string's text unchecked, so ``?ids=1,abc`` raises
ValueError inside ``filterset.qs``, a 500 (held-out round 9, four callbacks of one app). The
fix answers 400: DRF's ``ValidationError`` where the project uses DRF (its exception handler
answers it), Django's ``BadRequest`` otherwise (Django answers it from anywhere in a request).
"""

from __future__ import annotations

import ast

from ..suggestion import Suggestion
from .drf import uses_drf
from .fastapi_conversions import conversion, from_text_parameter, split_parameter, stamps
from .frameworks import ModuleFacts, caught, enclosing_statement
from .pyedits import ensure_imports, wrap_in_try
from .pysource import block_of, dotted
from .row_uses import short

# Filters whose value reaches the callback as the text the client sent: a NumberFilter or a
# DateFilter converts (and rejects bad input with a 400) before the callback runs.
_TEXT_FILTERS = ("CharFilter", "Filter", "BaseCSVFilter", "BaseInFilter")
# What ``ValidationError`` may already be bound to for the fix to raise DRF's own.
_DRF_ERRORS = (
    "rest_framework.exceptions.ValidationError",
    "rest_framework.serializers.ValidationError",
)
_SIMPLE = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)


def filter_method_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    out: list[Suggestion] = []
    for module in facts.source.modules:
        for cls in module.body:
            if isinstance(cls, ast.ClassDef) and _is_filterset(cls):
                out.extend(_class_suggestions(facts, cls))
    return out


def _is_filterset(cls: ast.ClassDef) -> bool:
    return any(dotted(b).split(".")[-1].endswith("FilterSet") for b in cls.bases)


def _text_callbacks(cls: ast.ClassDef) -> dict[str, list[str]]:
    """Callback name -> the query parameters (filter attributes) that call it with text."""
    out: dict[str, list[str]] = {}
    for stmt in cls.body:
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
            and dotted(stmt.value.func).split(".")[-1] in _TEXT_FILTERS
        ):
            continue
        for kw in stmt.value.keywords:
            value = kw.value
            if (
                kw.arg == "method"
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
            ):
                out.setdefault(value.value, []).append(stmt.targets[0].id)
    return out


def _class_suggestions(facts: ModuleFacts, cls: ast.ClassDef) -> list[Suggestion]:
    callbacks = _text_callbacks(cls)
    src = facts.source
    drf = uses_drf(facts)
    out: list[Suggestion] = []
    for func in cls.body:
        if not isinstance(func, ast.FunctionDef) or func.name not in callbacks:
            continue
        params = [a.arg for a in func.args.args]
        if len(params) != 4:  # (self, queryset, name, value)
            continue
        value = {params[3]}
        done: set[int] = set()
        names = "/".join(callbacks[func.name])
        found = _unpacked_suggestion(facts, func, params[3], names, drf)
        if found is not None:
            out.append(found[0])
            done |= found[1]
        for node in src.nodes_of(func):
            what = conversion(node)
            if what is None or not isinstance(node, ast.Call):
                continue
            if from_text_parameter(node.args[0], value, facts.up) is None:
                continue
            if caught(node, facts.up, {"ValueError"}):
                continue
            stmt = enclosing_statement(node, facts.up)
            if not isinstance(stmt, _SIMPLE) or id(stmt) in done:
                continue
            done.add(id(stmt))
            many = split_parameter(node.args[0], facts.up) is not None
            detail = f"{names} must be " + (
                f"a comma-separated list of {'numbers' if what == 'a number' else 'dates'}"
                if many
                else what
            )
            raised = _raise(facts, drf, names, detail)
            if raised is None:
                continue
            raise_, needed = raised
            edits = [
                *ensure_imports(src, [needed]),
                wrap_in_try(src, stmt, ["except ValueError:", f"    {raise_}"]),
            ]
            answer = "DRF's ValidationError" if drf else "Django's BadRequest"
            out.append(
                Suggestion(
                    "BKD202",
                    "validation",
                    src.path,
                    src.span(node),
                    f"Guard the conversion of `{names}` in {func.name}",
                    f"`{func.name}` is the `method=` of a text filter: django-filter hands it "
                    f"the query string as the client wrote it, so `{dotted(node.func)}()` raises "
                    f"ValueError (a 500) on a value that is not {what}. Catching it and raising "
                    f"{answer} answers 400.",
                    tuple(edits),
                )
            )
    return out


def _raise(
    facts: ModuleFacts, drf: bool, names: str, detail: str
) -> tuple[str, tuple[str, str]] | None:
    """The statement answering 400 from the callback and its import (None: another
    ``ValidationError`` is bound, so the fix would raise the wrong one)."""
    if drf:
        if facts.imports.get("ValidationError", _DRF_ERRORS[0]) not in _DRF_ERRORS:
            return None
        raise_ = f'raise ValidationError({{"{names}": ["{detail}"]}}) from None'
        return raise_, ("rest_framework.exceptions", "ValidationError")
    return f'raise BadRequest("{detail}") from None', ("django.core.exceptions", "BadRequest")


def _unpacked_suggestion(
    facts: ModuleFacts, func: ast.FunctionDef, value: str, names: str, drf: bool
) -> tuple[Suggestion, set[int]] | None:
    """``after_ts, after_id = value.split("_")`` then ``float(after_ts)``, ``int(after_id)``: a
    value without the separator fails the unpacking (ValueError) and a piece that is no
    number fails its conversion. One ``try`` takes the run of statements from the unpacking
    to the last conversion of a piece (their ids returned: no fix of their own)."""
    src, up = facts.source, facts.up
    for stmt in src.nodes_of(func):
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Tuple)
            and all(isinstance(t, ast.Name) for t in stmt.targets[0].elts)
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and stmt.value.func.attr in ("split", "rsplit")
            and dotted(stmt.value.func.value) == value
        ):
            continue
        if caught(stmt, up, {"ValueError"}):
            return None
        pieces = {t.id for t in stmt.targets[0].elts if isinstance(t, ast.Name)}
        block = block_of(stmt, up)
        if block is None:
            return None
        last: ast.stmt | None = None
        what = ""
        for later in block[block.index(stmt) + 1 :]:
            converts = [
                conversion(n)
                for n in ast.walk(later)
                if isinstance(n, ast.Call)
                and conversion(n) is not None
                and isinstance(n.args[0], ast.Name)
                and n.args[0].id in pieces
            ]
            if converts:
                if not isinstance(later, _SIMPLE):
                    return None
                last, what = later, what or str(converts[0])
        if last is None:
            return None
        raised = _raise(facts, drf, names, f"malformed {names}")
        if raised is None:
            return None
        raise_, needed = raised
        run = block[block.index(stmt) : block.index(last) + 1]
        errors = "(OverflowError, ValueError)" if any(stamps(s) for s in run) else "ValueError"
        edits = (
            *ensure_imports(src, [needed]),
            wrap_in_try(src, stmt, [f"except {errors}:", f"    {raise_}"], through=last),
        )
        answer = "DRF's ValidationError" if drf else "Django's BadRequest"
        return (
            Suggestion(
                "BKD202",
                "validation",
                src.path,
                src.span(stmt),
                f"Guard the parsing of `{names}` in {func.name}",
                f"`{func.name}` is the `method=` of a text filter: django-filter hands it the "
                f"query string as the client wrote it, so `{short(src.text_of(stmt.value))}` "
                "unpacks a value without the separator into too few pieces and a piece that "
                f"is not {what} fails its conversion: ValueError, a 500. Catching it and "
                f"raising {answer} answers 400.",
                edits,
            ),
            {id(s) for s in run},
        )
    return None
