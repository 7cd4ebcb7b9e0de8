"""Frontmatter syntax: the fences, YAML that does not parse, duplicate keys."""

from __future__ import annotations

import os

from ...registry import NOT_LOADED, Example, Rule, emits, table
from .. import fixes
from ..document import Document
from ..findings import Fix, Position, Related, Severity, Span
from ..spec import Kind
from ..yamltree import YNode
from .report import INFO, E, Report, W, file_stem
from .samples import agent

RULES = table(
    Rule(
        "AGT001",
        "unreadable-file",
        E,
        "The file cannot be read as UTF-8 text.",
        "Binary, non-UTF-8 or oversized files are not agent definitions Claude Code can load.",
        example=Example(text="\x00\x01\xfe binary bytes\n"),
        fix="Save the file as UTF-8 text; agent files are small Markdown.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT002",
        "frontmatter-missing",
        W,
        "An agent file has no YAML frontmatter.",
        "Without frontmatter there is no name, so Claude Code does not load the file.",
        example=Example(text="You review code.\n"),
        fix="Add frontmatter with `name` and `description` (quick fix: add frontmatter).",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT003",
        "frontmatter-unterminated",
        E,
        "The frontmatter has no closing `---` line.",
        "Claude Code finds no frontmatter, so the agent has no name and is skipped.",
        example=Example(text="---\nname: reviewer\ndescription: Reviews code.\nYou review code.\n"),
        fix="Add a `---` line after the last key.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT004",
        "frontmatter-misplaced",
        E,
        "The opening `---` is not on the first line.",
        "Frontmatter must start at the very first line, unindented, or it is not frontmatter.",
        example=Example(
            text=(
                "\n"
                "---\n"
                "name: reviewer\n"
                'description: "Use this agent to review code for bugs."\n'
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Start the file with `---` at column 1 (quick fix removes the blank lines).",
        applicability="safe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT005",
        "frontmatter-not-mapping",
        E,
        "The frontmatter is not a `key: value` mapping.",
        "Claude Code reads keys from a mapping; a list or a bare string gives it none.",
        example=Example(text="---\n- reviewer\n- Reviews code.\n---\nYou review code.\n"),
        fix="Write `key: value` lines.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT006",
        "yaml-syntax",
        E,
        "The frontmatter is not valid YAML.",
        "Claude Code skips a file whose frontmatter does not parse, silently.",
        example=Example(
            text=(
                "---\n"
                "name: reviewer\n"
                "description: Use it for reviews. Triggers on: review\n"
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Quote the value: `description: \"Use it ... Triggers on: 'review'\"` (safe fix).",
        applicability="safe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT007",
        "yaml-tab-indent",
        E,
        "A tab indents the YAML.",
        "YAML forbids tabs for indentation, so the frontmatter does not parse.",
        example=Example(
            text=(
                "---\n"
                "name: reviewer\n"
                'description: "Use this agent to review code for bugs."\n'
                "skills:\n"
                "\t- api-conventions\n"
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Indent with spaces (safe fix).",
        applicability="safe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT008",
        "duplicate-key",
        E,
        "A key appears twice in the frontmatter.",
        "Claude Code's YAML parser rejects duplicate keys; the file is skipped.",
        example=Example(text=agent("model: haiku\nmodel: sonnet\n")),
        fix="Keep one of the two entries (quick fix removes the second).",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT009",
        "yaml-alias-bomb",
        E,
        "YAML aliases expand to a huge or cyclic document.",
        "Expanding them can exhaust memory; parsers refuse such documents.",
        example=Example(
            text=agent(
                "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            )
        ),
        fix="Write values out; no anchors.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT053",
        "readme-in-agents-folder",
        INFO,
        "A README in an agents folder.",
        "Claude Code tries to load every Markdown file there; a README is not an agent.",
        example=Example(text="# The agents of this project\n", path=".claude/agents/README.md"),
        fix="Move the README out of the agents folder.",
        tags=frozenset({"style"}),
    ),
)


@emits("AGT002", "AGT003", "AGT004", "AGT005", "AGT010", "AGT053")
def frontmatter_structure(r: Report) -> bool:
    """Findings about the fences; False when there is no YAML to look at."""
    doc, kind = r.doc, r.fk.kind
    loads_without = r.described.frontmatter_optional
    if doc.frontmatter is None:
        if doc.misplaced_fence is not None:
            r.add(
                "AGT004",
                doc.misplaced_fence,
                "Frontmatter must open with `---` on the very first line, unindented; as written "
                "Claude Code sees no frontmatter. Move it to the top.",
                fixes.replace(
                    Span(Position(0, 0), doc.misplaced_fence.start),
                    "",
                    "Move the frontmatter to the first line",
                    safe=True,
                )
                if not doc.text_of(Span(Position(0, 0), doc.misplaced_fence.start)).strip()
                else None,
                severity=Severity.WARNING if loads_without else None,
            )
            return False
        if kind is Kind.SUBAGENT:
            if os.path.basename(doc.path).lower() == "readme.md":
                r.add(
                    "AGT053",
                    doc.line_span(0),
                    "A README in an agents folder is not an agent; Claude Code tries to load "
                    "it and skips it. Move it out of the folder if that matters to you.",
                )
            else:
                stem = file_stem(doc.path)
                r.add(
                    "AGT002",
                    doc.line_span(0),
                    "No frontmatter: Claude Code does not load this file as an agent. Add a "
                    "`---` block with `name` and `description` at the top.",
                    fixes.insert_line(
                        doc,
                        0,
                        f'---\nname: {stem}\ndescription: "Use this agent when ..."\n---',
                        "Add frontmatter",
                    ),
                )
        return False
    fm = doc.frontmatter
    if fm.close_span is None:
        r.add(
            "AGT003",
            fm.open_span,
            "The frontmatter is never closed: add a `---` line after the last key. Until then "
            "Claude Code sees no frontmatter at all.",
            severity=Severity.WARNING if loads_without else None,
        )
    if doc.root is not None and doc.root.kind != "mapping":
        r.add(
            "AGT005",
            doc.root.span,
            "The frontmatter must be a mapping of `key: value` lines.",
            severity=Severity.WARNING if loads_without else None,
        )
        return False
    if doc.root is None and not doc.problems and r.fk.kind is Kind.SUBAGENT:
        r.add("AGT010", fm.open_span, "The frontmatter is empty: add `name` and `description`.")
        return False
    return True


@emits("AGT006", "AGT007", "AGT009")
def yaml_problems(r: Report) -> None:
    soft = not r.described.read_by_claude_code
    for problem in r.doc.problems:
        code = {"tab": "AGT007", "alias-bomb": "AGT009"}.get(problem.kind, "AGT006")
        fix: Fix | None = None
        if problem.kind == "syntax":
            fix = fixes.quote_value_fix(r.doc, problem.span.end.line)
        elif problem.kind == "tab":
            fix = _tab_fix(r.doc, problem.span.end.line)
        suffix = "" if soft else " Claude Code skips this file until it parses."
        r.add(
            code,
            problem.span,
            problem.message + suffix,
            fix,
            severity=Severity.WARNING if soft else None,
        )


def _tab_fix(doc: Document, line: int) -> Fix | None:
    text = doc.lines[line] if line < len(doc.lines) else ""
    indent = len(text) - len(text.lstrip(" \t"))
    if "\t" not in text[:indent]:
        return None
    new = text[:indent].replace("\t", "  ")
    return fixes.replace(Span.of(line, 0, line, indent), new, "Indent with spaces")


@emits("AGT008")
def duplicate_keys(r: Report) -> None:
    for first, again in r.doc.duplicate_keys:
        top_level = again.span.start.column == 0
        fix = None
        if top_level and r.doc.mapping is not None:
            fix = _delete_entry_fix(r.doc, again)
        r.add(
            "AGT008",
            again.span,
            f"`{again.text}` is already set on line {first.span.start.line + 1}; Claude Code "
            "rejects frontmatter with duplicate keys. Keep one.",
            fix,
            related=(Related(r.doc.path, first.span, "first defined here"),),
        )


def _delete_entry_fix(doc: Document, key: YNode) -> Fix | None:
    mapping = doc.mapping
    assert mapping is not None
    for k, v in mapping.pairs:
        if k is key:
            stop = v.span.end.line + (1 if v.span.end.column > 0 else 0)
            stop = max(stop, k.span.start.line + 1)
            return fixes.delete_lines(k.span.start.line, stop, f"Remove this `{k.text}`")
    return None
