"""A route's answer made as one of the project's pydantic models: its class and its fields.

``return ResponseModel(success=False, message=str(e))``: FastAPI serializes the instance with
the route's status (200, or the decorator's ``status_code=``), whatever the body says, so the
model's fields decide whether the failure reaches the client's status at all. BKD316 reads
these: a model with a status field the handler sets says it; one without says 2xx. A keyword
that is no field of the model (``ErrorResponse(status_code=500, ...)``) is dropped by pydantic
(its default ``extra="ignore"``): the 500 it meant is never sent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .frameworks import ModuleFacts
from .pysource import Source, dotted

_PYDANTIC = ("pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel")
_LINEAGE_DEPTH = 4


@dataclass(frozen=True)
class ModelAnswer:
    name: str  # the class, as the call writes it
    fields: frozenset[str]  # its own and its project bases' annotated fields
    extra: str  # "ignore" (pydantic's default), "allow" or "forbid"


def model_answer(facts: ModuleFacts, node: ast.expr) -> ModelAnswer | None:
    """The project's pydantic model ``node`` makes (``Cls(...)``), or None."""
    if facts.upstream is None or not isinstance(node, ast.Call):
        return None
    found = facts.upstream.resolve_class(facts.source, node.func)
    if found is None:
        return None
    where, cls = found
    if not any(b in _PYDANTIC for b in facts.upstream.outside_bases(where, cls)):
        return None
    fields: set[str] = set()
    extra = "ignore"
    seen = 0
    current: tuple[Source, ast.ClassDef] | None = found
    while current is not None and seen < _LINEAGE_DEPTH:
        where, cls = current
        fields |= _fields(cls)
        written = _extra(cls)
        if written is not None and extra == "ignore":
            extra = written  # the nearest class's setting wins
        parents = [facts.upstream.resolve_class(where, b) for b in cls.bases]
        known = [p for p in parents if p is not None]
        current = known[0] if len(known) == 1 else None
        seen += 1
    return ModelAnswer(dotted(node.func), frozenset(fields), extra)


def _fields(cls: ast.ClassDef) -> set[str]:
    return {
        stmt.target.id
        for stmt in cls.body
        if isinstance(stmt, ast.AnnAssign)
        and isinstance(stmt.target, ast.Name)
        and "ClassVar" not in dotted(stmt.annotation)
    }


def _extra(cls: ast.ClassDef) -> str | None:
    """``model_config = ConfigDict(extra="forbid")`` (pydantic 2) or ``class Config: extra =
    "forbid"`` / ``Extra.forbid`` (pydantic 1)."""
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets
        ):
            if isinstance(stmt.value, ast.Call):
                for kw in stmt.value.keywords:
                    if kw.arg == "extra":
                        return _word(kw.value)
            if isinstance(stmt.value, ast.Dict):
                for key, item in zip(stmt.value.keys, stmt.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "extra":
                        return _word(item)
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            for inner in stmt.body:
                if isinstance(inner, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "extra" for t in inner.targets
                ):
                    return _word(inner.value)
    return None


def _word(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return dotted(node).rsplit(".", 1)[-1] or "unknown"  # ``Extra.forbid``
