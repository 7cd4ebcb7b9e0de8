"""The agent-file rules (AGT), one module per concern: each declares its rules beside the checks
that emit them. ``RULES`` is the family's registry, in code order."""

from __future__ import annotations

from types import ModuleType

from ...registry import NOT_LOADED as _NOT_LOADED_TAG
from ...registry import RULES_DOC, Rule
from . import (
    arguments,
    body,
    catalog,
    crossfile,
    hooks,
    instructions,
    jsonfile,
    keys,
    mcp,
    memory,
    models,
    names,
    permissions,
    plugin_manifest,
    references,
    settings,
    shell_lines,
    syntax,
    tools,
)

_MODULES: tuple[ModuleType, ...] = (syntax, keys, tools, models, names, body, crossfile)
# issue 20: body <-> frontmatter, names and files pointed at, CLAUDE.md, catalog notes
_MODULES += (instructions, shell_lines, arguments, references, memory, catalog)
# issue 20: Claude Code's JSON configuration
_MODULES += (jsonfile, permissions, settings, hooks, mcp, plugin_manifest)
RULES: dict[str, Rule] = dict(
    sorted(
        ((code, rule) for module in _MODULES for code, rule in module.RULES.items()),
    )
)

# Findings that mean Claude Code does not load the file at all: such a file cannot clash with
# another agent's name.
NOT_LOADED = frozenset(code for code, rule in RULES.items() if _NOT_LOADED_TAG in rule.tags)

__all__ = ["NOT_LOADED", "RULES", "RULES_DOC", "Rule"]
