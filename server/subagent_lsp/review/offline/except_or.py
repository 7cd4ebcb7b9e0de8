"""BKD311: ``except (A.DoesNotExist or B.DoesNotExist):`` catches A's error only.

``A or B`` is an expression: Python evaluates it (to ``A``, a class is truthy) before it
matches anything, so B's error goes through the handler as if it were not there, a 500 the
code meant to answer (judged on a real app, a Django view's two models' DoesNotExist). The
tuple ``(A, B)`` is what was meant; ``and`` is the same mistake, catching B's only.
"""

from __future__ import annotations

import ast

from ..suggestion import Edit, Suggestion
from .frameworks import ModuleFacts
from .pysource import caught_types


def except_or_suggestions(facts: ModuleFacts) -> list[Suggestion]:
    src = facts.source
    out: list[Suggestion] = []
    for node, expr in caught_types(src):
        if not isinstance(expr, ast.BoolOp):
            continue
        names = [src.text_of(v) for v in _operands(expr)]
        caught = names[0] if isinstance(expr.op, ast.Or) else names[-1]
        word = "or" if isinstance(expr.op, ast.Or) else "and"
        span = src.span(expr)
        line = src.lines[span.start.line] if span.start.line < len(src.lines) else ""
        wrapped = line[: span.start.column].rstrip().endswith("(")
        # ``(A or B, C)`` / ``(A or B)``: the operands join the parentheses there
        joined = ", ".join(names)
        if isinstance(node.type, ast.Tuple) or wrapped:
            edit = Edit(src.path, span, joined)
        else:
            edit = Edit(src.path, span, f"({joined})")
        out.append(
            Suggestion(
                "BKD311",
                "error-handling",
                src.path,
                src.span(expr),
                f"Catch each exception, not `{word}` of them",
                f"`{src.text_of(expr)}` is evaluated first, to `{caught}`: the handler "
                f"catches {caught} alone and every other error named goes through as a "
                f"500. A tuple catches each of them: `({', '.join(names)})`.",
                (edit,),
            )
        )
    return out


def _operands(expr: ast.BoolOp) -> list[ast.expr]:
    out: list[ast.expr] = []
    for value in expr.values:
        if isinstance(value, ast.BoolOp) and type(value.op) is type(expr.op):
            out.extend(_operands(value))
        else:
            out.append(value)
    return out
