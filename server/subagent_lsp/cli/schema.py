"""JSON Schema of each kind's frontmatter, from pydantic models built out of spec.py.

``subagent-lsp schema subagent`` prints it, for yaml-language-server and other tools. The linter
itself does not use pydantic (start-up cost); the models are built from the same facts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..definitions import spec
from ..definitions.spec import KeySpec, Kind, VType

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class HookHandler(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal[spec.HOOK_HANDLER_TYPES]  # type: ignore[valid-type]
    command: str | None = None


class HookMatcher(BaseModel):
    model_config = ConfigDict(extra="allow")
    matcher: str | None = None
    hooks: list[HookHandler]


def _literal(values: tuple[str, ...]) -> Any:
    return Literal[values]


def _annotation(key: KeySpec) -> Any:
    names = key.value_names()
    table: dict[VType, Any] = {
        VType.STRING: str,
        VType.BOOL: bool,
        VType.POSITIVE_INT: Annotated[int, Field(gt=0)],
        VType.TOOLS: Union[str, list[str]],  # noqa: UP007 - a runtime type expression
        VType.SKILL_TOOLS: Union[str, list[str]],  # noqa: UP007
        VType.STRING_LIST: list[str],
        VType.STR_OR_LIST: Union[str, list[str]],  # noqa: UP007
        VType.ENUM: _literal(names) if names else str,
        VType.MODEL: Union[  # noqa: UP007
            _literal(tuple(a.name for a in spec.MODEL_ALIASES)),
            Annotated[str, Field(pattern=r"^claude-[a-z0-9.-]+$")],
        ],
        VType.HOOKS: dict[_literal(spec.HOOK_EVENTS), list[HookMatcher]],  # type: ignore[misc]
        VType.MCP_SERVERS: list[Union[str, dict[str, dict[str, Any]]]],  # noqa: UP007
        VType.MAPPING: dict[str, Any],
        VType.DATE: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")],
        VType.CATALOG_FIELD: Union[str, int, float, list[Union[str, int, float]]],  # noqa: UP007
        VType.ANY: Any,
    }
    return table[key.vtype]


def model_for(kind: Kind) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key in spec.KEYS_BY_KIND[kind]:
        annotation = _annotation(key)
        description = key.doc + (f" Docs: {key.url}" if key.anchor else "")
        if key.required:
            fields[key.name] = (annotation, Field(description=description))
        else:
            fields[key.name] = (annotation | None, Field(default=None, description=description))
    config = ConfigDict(extra="allow") if kind is Kind.CATALOG else ConfigDict(extra="forbid")
    name = "".join(part.capitalize() for part in kind.value.split("-")) + "Frontmatter"
    model: type[BaseModel] = create_model(name, __config__=config, **fields)
    return model


def json_schema(kind: Kind) -> dict[str, Any]:
    if kind in spec.JSON_KINDS:  # JSON files: built from their facts, no pydantic model
        from ..definitions.config_schema import json_schema as config_json_schema

        return config_json_schema(kind)
    schema = model_for(kind).model_json_schema()
    schema["$schema"] = SCHEMA_DIALECT
    schema["title"] = f"Claude Code {kind.value} frontmatter (subagent-lsp)"
    return schema
