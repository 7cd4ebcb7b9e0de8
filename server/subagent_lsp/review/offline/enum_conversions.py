"""A project's enum built from the client's text is a conversion that raises, as ``int()`` is.

``ShipmentStatus(status)`` / ``Copy.Status(request.GET["status"])`` raise ValueError on a value
the enum does not have: a 500 for the client's typo (a blind planted set, and real code).
This module says which calls build a project enum (a class deriving ``enum.Enum`` and its
kin, or Django's ``TextChoices``/``IntegerChoices``, directly or through another project enum;
nested classes too) and what the allowed values are, for the fixes' messages.
"""

from __future__ import annotations

import ast

from .body_splat import project_class
from .frameworks import ModuleFacts
from .pysource import Source, dotted, imported_names

# The library bases, by their qualified names (``models.TextChoices`` with ``from django.db
# import models`` reads as the first Django one).
_ENUM_BASES = frozenset(
    {
        *(f"enum.{n}" for n in ("Enum", "StrEnum", "IntEnum", "Flag", "IntFlag", "ReprEnum")),
        *(
            f"django.db.models.{where}{n}"
            for where in ("", "enums.")
            for n in ("TextChoices", "IntegerChoices", "Choices")
        ),
    }
)
_MAX_DEPTH = 4  # bases followed through the project (an enum of an enum of an enum)
_MAX_LISTED = 8  # more allowed values than this and the message names the enum instead


def project_enum(facts: ModuleFacts, func: ast.expr) -> tuple[Source, ast.ClassDef] | None:
    """The project enum class ``func`` (the callee of a call in the module) names, if any."""
    name = dotted(func)
    if not name or not name.rsplit(".", 1)[-1][:1].isupper():
        return None  # cheap first: a class is named so (every call of every route asks)
    found = _resolve(facts, facts.source, func)
    if found is None or not _is_enum(facts, *found, depth=0):
        return None
    return found


def enum_conversion(facts: ModuleFacts, node: ast.AST) -> tuple[Source, ast.ClassDef] | None:
    """``Status(value)``: one positional argument, handed to a project enum."""
    if not (isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords):
        return None
    if isinstance(node.args[0], ast.Starred):
        return None
    return project_enum(facts, node.func)


def allowed(cls: ast.ClassDef) -> str:
    """What the value must be, for a message in double quotes: ``one of open, shipped`` when
    the members are plain constants, else ``a valid ShipmentStatus``."""
    values: list[str] = []
    for stmt in cls.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = stmt.targets[0]
        if not isinstance(target, ast.Name) or target.id.startswith("_"):
            continue
        value = stmt.value
        if isinstance(value, ast.Tuple) and value.elts:  # TextChoices: ``OPEN = "open", "Open"``
            value = value.elts[0]
        if not isinstance(value, ast.Constant) or isinstance(value.value, bool):
            return f"a valid {cls.name}"  # ``auto()``, an expression: not known here
        text = str(value.value)
        if not text or any(c in text for c in '"\\\n{}'):
            return f"a valid {cls.name}"
        values.append(text)
    if not values or len(values) > _MAX_LISTED:
        return f"a valid {cls.name}"
    return "one of " + ", ".join(values)


def _resolve(
    facts: ModuleFacts, source: Source, node: ast.expr
) -> tuple[Source, ast.ClassDef] | None:
    """The class a name or attribute chain of ``source`` stands for: a class of the module or
    one it imports (``Status``), a nested class (``Copy.Status``), a module's class
    (``models.Status`` after ``from app import models``)."""
    if isinstance(node, ast.Name):
        return project_class(facts, source, node.id)
    if not isinstance(node, ast.Attribute):
        return None
    owner = _resolve(facts, source, node.value)
    if owner is not None:
        for stmt in owner[1].body:
            if isinstance(stmt, ast.ClassDef) and stmt.name == node.attr:
                return owner[0], stmt
        return None
    if facts.upstream is not None and isinstance(node.value, ast.Name):
        return facts.upstream.resolve_class(source, node)
    return None


def _is_enum(facts: ModuleFacts, source: Source, cls: ast.ClassDef, depth: int) -> bool:
    imports = imported_names(source)
    for base in cls.bases:
        head, _, rest = dotted(base).partition(".")
        if not head:
            continue
        qualified = imports.get(head, head) + (f".{rest}" if rest else "")
        if qualified in _ENUM_BASES:
            return True
        if depth >= _MAX_DEPTH:
            continue
        found = _resolve(facts, source, base)
        if found is not None and found[1] is not cls and _is_enum(facts, *found, depth + 1):
            return True
    return False
