"""Whether a module's project uses Django REST framework (its exception handler answers
``ValidationError`` with a 400). Its distribution is named ``djangorestframework``."""

from __future__ import annotations

from .frameworks import ModuleFacts


def uses_drf(facts: ModuleFacts) -> bool:
    if any(v.split(".")[0] == "rest_framework" for v in facts.imports.values()):
        return True
    return facts.declared is not None and bool(
        {"djangorestframework", "rest_framework"} & facts.declared
    )
