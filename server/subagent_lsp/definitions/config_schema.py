"""JSON Schema (2020-12) of the JSON configuration kinds, built from configspec's facts, for
editors that validate JSON by schema (`subagent-lsp schema settings`). Unknown keys are allowed
where Claude Code ignores them (it never refuses a file for one), so a schema-only editor does
not flag more than Claude Code does; our own checks warn about them."""

from __future__ import annotations

from typing import Any

from . import configspec as cs
from . import spec
from .spec import Kind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_TYPES = {"boolean": "boolean", "string": "string", "number": "number"}
_TYPES.update(array="array", object="object")
Schema = dict[str, Any]


def _rule() -> Schema:
    return {
        "type": "string",
        "pattern": r"^[^()]+(\(.+\))?$",
        "description": "A permission rule: `Tool` or `Tool(specifier)`.",
    }


def _handler() -> Schema:
    variants = []
    for h in cs.HANDLER_TYPES:
        props: Schema = {"type": {"const": h.name}}
        props.update({f: {"type": "string"} for f in h.required})
        variants.append({"properties": props, "required": ["type", *h.required]})
    return {
        "type": "object",
        "properties": {
            "type": {"enum": [h.name for h in cs.HANDLER_TYPES]},
            "if": _rule(),
            "timeout": {"type": "number", "exclusiveMinimum": 0},
            "statusMessage": {"type": "string"},
        },
        "required": ["type"],
        "oneOf": variants,
    }


def _hooks() -> Schema:
    group = {
        "type": "object",
        "properties": {
            "matcher": {"type": "string"},
            "hooks": {"type": "array", "items": {"$ref": "#/$defs/handler"}},
        },
        "required": ["hooks"],
    }
    return {
        "type": "object",
        "propertyNames": {"enum": [e.name for e in cs.HOOK_EVENTS]},
        "additionalProperties": {"type": "array", "items": group},
    }


def _mcp_server() -> Schema:
    return {
        "type": "object",
        "properties": {
            "type": {"enum": [t.value for t in cs.MCP_TYPES]},
            "command": {"type": "string"},
            "args": {"type": "array", "items": {"type": "string"}},
            "env": {"type": "object", "additionalProperties": {"type": "string"}},
            "url": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "anyOf": [
            {"properties": {"type": {"const": "stdio"}}, "required": ["command"]},
            {"not": {"required": ["type"]}, "required": ["command"]},
            {
                "properties": {"type": {"enum": sorted(cs.MCP_REMOTE_TYPES)}},
                "required": ["type", "url"],
            },
        ],
    }


def _settings() -> Schema:
    props: Schema = {cs.SCHEMA_KEY: {"type": "string"}}
    for key in cs.setting_index().values():
        if "." in key.name:
            continue
        entry: Schema = {"description": key.doc}
        if key.vtype in _TYPES:
            entry["type"] = _TYPES[key.vtype]
        props[key.name] = entry
    props["permissions"] = {
        "type": "object",
        "description": cs.setting_index()["permissions"].doc,
        "properties": {
            **{name: {"type": "array", "items": _rule()} for name in cs.PERMISSION_LISTS},
            "additionalDirectories": {"type": "array", "items": {"type": "string"}},
            "defaultMode": {"enum": [m.value for m in cs.PERMISSION_MODES]},
        },
    }
    props["env"] = {"type": "object", "additionalProperties": {"type": "string"}}
    props["hooks"] = {"$ref": "#/$defs/hooks"}
    props["model"] = {
        "type": "string",
        "anyOf": [
            {"enum": [a.name for a in spec.MODEL_ALIASES]},
            {"pattern": r"^claude-[a-z0-9.\-\[\]]+$"},
            {"pattern": "^(?!claude-)"},
        ],
    }
    return {"type": "object", "properties": props}


def _manifest(keys: tuple[cs.ManifestKey, ...]) -> Schema:
    props: Schema = {}
    for key in keys:
        entry: Schema = {"description": key.doc}
        if key.vtype == "path":
            path = {"type": "string", "pattern": r"^\./"}
            entry["anyOf"] = [path, {"type": "array", "items": path}]
        elif key.vtype == "config":
            entry["type"] = ["string", "array", "object"]
        else:
            types = key.vtype.split("|")
            entry["type"] = types if len(types) > 1 else key.vtype
        props[key.name] = entry
    props["name"].update(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    return {
        "type": "object",
        "properties": props,
        "required": [k.name for k in keys if k.required],
    }


def json_schema(kind: Kind) -> Schema:
    defs: Schema = {"handler": _handler(), "hooks": _hooks()}
    body: Schema
    if kind is Kind.SETTINGS:
        body = _settings()
    elif kind is Kind.MCP:
        body = {
            "type": "object",
            "properties": {"mcpServers": {"type": "object", "additionalProperties": _mcp_server()}},
        }
    elif kind is Kind.PLUGIN_MANIFEST:
        body = _manifest(cs.PLUGIN_KEYS)
    elif kind is Kind.MARKETPLACE:
        body = _manifest(cs.MARKETPLACE_KEYS)
        body["properties"]["plugins"]["items"] = {
            "type": "object",
            "properties": {"name": {"type": "string"}, "source": {"type": ["string", "object"]}},
            "required": ["name", "source"],
        }
    elif kind is Kind.PLUGIN_HOOKS:
        body = {
            "type": "object",
            "properties": {"description": {"type": "string"}, "hooks": {"$ref": "#/$defs/hooks"}},
        }
    else:
        raise ValueError(f"{kind.value} is not a JSON kind")
    return {
        "$schema": DIALECT,
        "title": f"Claude Code {kind.value} (subagent-lsp)",
        **body,
        "$defs": defs,
    }
