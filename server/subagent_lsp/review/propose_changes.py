"""The ``propose_changes`` tool the agent must answer with: one pydantic model is both the input
schema sent to the API and the validation of the answer, so the two cannot drift.

Imported only when the agent is called (pydantic is a heavy import, kept out of start-up).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import SkipJsonSchema

from .suggestion import Kind

TOOL_NAME = "propose_changes"
DESCRIPTION = (
    "Propose concrete, minimal changes to the code the developer selected. Each suggestion "
    "is one improvement of the requested kind with a short imperative title, a rationale "
    "that names the failure it prevents, and exact text edits. An edit replaces `find` (text "
    "copied exactly from the code in scope, occurring there exactly once) with `replace`. "
    "To edit another file of the workspace give its `path` (then `find` must occur once in "
    "that whole file); to create a new file (a migration) give a `path` that does not exist "
    "and an empty `find`. Return an empty list when the code needs no change."
)


class _Answer(BaseModel):
    # Strict: the answer is untrusted JSON, and a number where text belongs is a broken answer,
    # not something to coerce. Unknown keys are ignored, as the API may add some.
    model_config = ConfigDict(strict=True)


class ProposedEdit(_Answer):
    find: str
    replace: str
    # Optional in the schema (a string when given); an explicit null reads as "not given".
    path: str | SkipJsonSchema[None] = None


class ProposedSuggestion(_Answer):
    kind: Kind
    title: str
    rationale: str
    edits: list[ProposedEdit] = Field(min_length=1)


class ProposeChanges(_Answer):
    summary: str = Field(description="One or two sentences for the developer.")
    suggestions: list[ProposedSuggestion]


class MalformedAnswer(ValueError):
    """The answer does not follow the propose_changes schema."""


def validate(raw: object) -> ProposeChanges:
    """The answer as typed objects, or MalformedAnswer with one message saying what is wrong."""
    try:
        return ProposeChanges.model_validate(raw)
    except ValidationError as err:
        problems = err.errors(include_url=False)
        first = problems[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"])
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise MalformedAnswer(f"{where.lstrip('.') or 'the answer'}: {first['msg']}{more}") from err


@lru_cache(maxsize=1)
def tool_definition() -> dict[str, Any]:
    """The tool as the Messages API takes it. The schema is inlined (no ``$ref``) and carries no
    titles or defaults: it is part of the cached prefix, and those add tokens, not meaning."""
    schema = ProposeChanges.model_json_schema()
    return {
        "name": TOOL_NAME,
        "description": DESCRIPTION,
        "input_schema": _plain(schema, schema.get("$defs", {})),
    }


def _plain(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default", "$defs"):
            continue
        if key == "properties":  # a map of field names (one is "title"), not a schema
            out[key] = {name: _plain(sub, defs) for name, sub in value.items()}
        elif key == "items":
            out[key] = _plain(value, defs)
        else:
            out[key] = value
    return out
