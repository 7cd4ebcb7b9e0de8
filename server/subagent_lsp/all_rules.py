"""Both rule families, in code order: what the docs, ``rule CODE`` and SARIF list."""

from __future__ import annotations

from .definitions.rules import RULES
from .registry import Rule
from .review.rules import BACKEND_RULES


def all_rules() -> dict[str, Rule]:
    return {**RULES, **BACKEND_RULES}
