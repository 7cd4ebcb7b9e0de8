"""The model a generic CRUD object stands for, for BKD315's ``self.model(**obj_in_data)`` in
``CRUDBase.create``: the FastAPI template's ``class CRUDUser(CRUDBase[User, UserCreate,
UserUpdate])`` and ``user = CRUDUser(User)``, or a bare ``crud_user = CRUDBase(User)``.

Read off the call's receiver (``crud.user.create(db, obj_in=body)``): the model its module-level
binding is built with (the constructor's first argument), else the first type argument of its
class's generic base. Only an ORM model of the schema answers.
"""

from __future__ import annotations

import ast

from .create_reads import model_named
from .pysource import Source
from .receiver_classes import module_bindings_of
from .schema import Schema
from .upstream_calls import UpstreamCalls


def receiver_model(
    upstream: UpstreamCalls, schema: Schema, source: Source, call: ast.Call
) -> str | None:
    """The model of the generic CRUD object ``call`` runs a method of."""
    if not isinstance(call.func, ast.Attribute):
        return None
    receiver = call.func.value
    if isinstance(receiver, ast.Name | ast.Attribute):
        bound = upstream.named(source, receiver, module_bindings_of)
        if bound is not None:
            where, values = bound
            built = [
                v for v in values if isinstance(v, ast.Call) and v.args and not v.keywords
            ] or [v for v in values if isinstance(v, ast.Call) and v.args]
            models = {model_named(where, v.args[0], schema) for v in built}
            if len(models) == 1 and None not in models:
                return models.pop()
    found = upstream.receiver_class(source, call, receiver)
    if found is None:
        return None
    cls_source, cls = found
    for base in cls.bases:
        if isinstance(base, ast.Subscript):
            first = base.slice.elts[0] if isinstance(base.slice, ast.Tuple) else base.slice
            model = model_named(cls_source, first, schema)
            if model is not None:
                return model
    return None
