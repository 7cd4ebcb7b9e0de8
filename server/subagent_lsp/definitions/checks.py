"""Document -> findings: the common checks, then the kind's own (its descriptor says which).

The rules and their checks live in ``definitions/rules/``, one module per concern; this module
runs them in order and hands the result to the policy.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..registry import emits
from .document import Document
from .findings import Finding
from .kinds import FileKind
from .rules import (
    RULES,
    arguments,
    body,
    catalog,
    instructions,
    keys,
    mcp,
    memory,
    names,
    plugin_manifest,
    references,
    settings,
    shell_lines,
    syntax,
)
from .rules.report import DEFAULT_OPTIONS, CheckOptions, KindDescriptor, Report
from .rules.tools import ToolEntry, source_exact, split_tools
from .spec import Kind

# Body <-> frontmatter checks of skills and commands run with or without frontmatter (both load
# without one); a subagent's only when it has one (it is not loaded otherwise).
_SKILL_TEXT = (
    instructions.check_instructions,
    shell_lines.check_shell_lines,
    arguments.check_arguments,
    references.check_skill_files,
)
DESCRIPTORS: dict[Kind, KindDescriptor] = {
    Kind.SUBAGENT: KindDescriptor(
        "subagents",
        checks=(names.check_subagent, references.check_references),
        body_checks=(body.check_body, instructions.check_instructions),
    ),
    Kind.SKILL: KindDescriptor(
        "skills",
        checks=(names.check_skill, references.check_references),
        frontmatter_optional=True,
        text_checks=_SKILL_TEXT,
    ),
    Kind.COMMAND: KindDescriptor(
        "commands",
        checks=(names.check_command, references.check_references),
        frontmatter_optional=True,
        text_checks=_SKILL_TEXT,
    ),
    Kind.CATALOG: KindDescriptor(
        "catalog notes",
        checks=(names.check_catalog, catalog.check_catalog_agent),
        read_by_claude_code=False,
    ),
    Kind.MEMORY: KindDescriptor(
        "memory files", checks=(), frontmatter_optional=True, text_checks=(memory.check_memory,)
    ),
    Kind.SETTINGS: KindDescriptor("settings files", (settings.check_settings,), json=True),
    Kind.MCP: KindDescriptor("MCP configs", (mcp.check_mcp_file,), json=True),
    Kind.PLUGIN_MANIFEST: KindDescriptor(
        "plugin manifests", (plugin_manifest.check_plugin_manifest,), json=True
    ),
    Kind.MARKETPLACE: KindDescriptor(
        "marketplaces", (plugin_manifest.check_marketplace,), json=True
    ),
    Kind.PLUGIN_HOOKS: KindDescriptor(
        "plugin hooks", (plugin_manifest.check_plugin_hooks,), json=True
    ),
}


@emits("AGT001")
def check_document(
    doc: Document, fk: FileKind, opts: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    described = DESCRIPTORS[fk.kind]
    report = Report(doc, fk, opts, described)
    if fk.plugin_problems and fk.kind is not Kind.CATALOG:
        names.check_plugin_manifest(report)
    if doc.too_large:
        report.add("AGT001", doc.line_span(0), "File too large to be an agent definition.")
    elif described.json:
        for check in described.checks:
            check(report)
        return opts.policy.apply(doc.path, doc.lines, report.findings)
    elif syntax.frontmatter_structure(report):
        syntax.yaml_problems(report)
        syntax.duplicate_keys(report)
        if doc.mapping is not None:
            syntax.comments_in_values(report)
            keys.check_keys(report)
            for check in described.checks:
                check(report)
    if doc.frontmatter is not None and not doc.too_large:
        for check in described.body_checks:
            check(report)
    if not doc.too_large:
        for check in described.text_checks:
            check(report)
    return opts.policy.apply(doc.path, doc.lines, report.findings)


def iter_codes() -> Iterator[str]:
    return iter(RULES)


__all__ = [
    "DEFAULT_OPTIONS",
    "DESCRIPTORS",
    "CheckOptions",
    "ToolEntry",
    "check_document",
    "iter_codes",
    "source_exact",
    "split_tools",
]
