"""Frontmatter syntax: the fences, YAML that does not parse, duplicate keys, comments.

Claude Code reads YAML twice (definitions/yamlretry.py): YAML that only its quoting retry can read
loads (a warning: other YAML readers reject it); YAML that even the retry cannot read loses its
frontmatter, which a project agent does not survive and a plugin agent, skill or command survives
without the keys it wrote (an error either way).
"""

from __future__ import annotations

import os

from ...lazyre import LazyPattern
from ...registry import NOT_LOADED, Example, Rule, emits, table
from .. import fixes, spec
from ..document import Document
from ..findings import Fix, Position, Related, Severity, Span
from ..spec import Kind
from ..yamltree import YNode, parse_yaml
from .report import INFO, E, Report, W, file_stem, frontmatter_lost, plugin_agent_id
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
        E,
        "An agent file has no YAML frontmatter.",
        "Without frontmatter there is no name, so Claude Code does not load the file (a plugin "
        "agent still loads, under its file name, with every tool: a warning there).",
        example=Example(text="You review code.\n"),
        fix="Add frontmatter with `name` and `description` (quick fix: add frontmatter).",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT003",
        "frontmatter-unterminated",
        E,
        "The frontmatter has no closing `---`.",
        "Claude Code finds no frontmatter, so the agent has no name and is skipped (a plugin "
        "agent loads with every tool and the default model instead).",
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
        W,
        "The frontmatter is not valid YAML.",
        "Claude Code (v2.1.332) retries YAML that does not parse with every value holding `: ` "
        "or one of {}[]*&#!|>%@` quoted (a whole flow list such as `[Read, Edit]` stays a list): "
        "what that retry reads loads (a warning, since GitHub, "
        "python-frontmatter and other runners still reject it). When even the retry fails it is "
        "an error: a project agent is skipped; a plugin agent, skill or command loads with its "
        "frontmatter dropped.",
        example=Example(
            text=(
                "---\n"
                "name: reviewer\n"
                "description: Use it for reviews. Triggers on: review\n"
                "---\n"
                "You review code.\n"
            )
        ),
        fix='Quote the value: `description: "Use it ... Triggers on: review"` (safe fix).',
        applicability="safe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT007",
        "yaml-tab-indent",
        W,
        "A tab indents the YAML.",
        "YAML forbids tabs for indentation. Claude Code's retry turns leading tabs into spaces, "
        "so it loads the file (a warning: other YAML readers reject it); an error when the "
        "frontmatter does not parse even then.",
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
        W,
        "A key appears twice in the frontmatter.",
        "Claude Code accepts it and uses the last value; the earlier one is silently ignored "
        "(and stricter YAML readers, js-yaml for one, reject the file).",
        example=Example(text=agent("model: haiku\nmodel: sonnet\n")),
        fix="Keep one entry (quick fix removes the ignored one; safe when both are equal).",
        applicability="unsafe",
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
        "AGT018",
        "yaml-comment-in-value",
        W,
        "A ` #` in an unquoted value starts a YAML comment.",
        "YAML ends the value at ` #`, so `description: Fixes issue #42` reaches Claude Code as "
        '"Fixes issue": the rest of the line is silently dropped.',
        example=Example(
            text=(
                "---\n"
                "name: reviewer\n"
                "description: Reviews the fixes for issue #42 before they ship\n"
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Quote the whole value (safe fix), or write the comment on a line of its own.",
        applicability="safe",
    ),
    Rule(
        "AGT019",
        "frontmatter-closed-mid-line",
        W,
        "A `---` inside the frontmatter closes it there.",
        "Claude Code ends the frontmatter at the first `---` after the opening line, even in the "
        "middle of a value and even quoted (v2.1.332): what follows, the remaining keys "
        "included, becomes the body. `description: Reviews --- then fixes` is listed as "
        '"Reviews".',
        example=Example(
            text=(
                "---\n"
                "name: reviewer\n"
                "description: Use this agent to review code --- and to fix it\n"
                "tools: Read, Grep\n"
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Write a dash (`-`) or an em dash (`—`) instead (quick fix).",
        applicability="unsafe",
    ),
    Rule(
        "AGT053",
        "readme-in-agents-folder",
        INFO,
        "A README (or CHANGELOG, LICENSE...) in an agents folder.",
        "Claude Code tries to load every Markdown file there and skips one without frontmatter; "
        "a README is not meant as an agent, so that is only information.",
        example=Example(text="# The agents of this project\n", path=".claude/agents/README.md"),
        fix="Move the README out of the agents folder.",
        tags=frozenset({"style"}),
    ),
)


@emits("AGT003", "AGT004", "AGT005", "AGT010", "AGT019")
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
            _no_frontmatter(r)
        return False
    fm = doc.frontmatter
    if fm.close_span is not None and fm.closed_mid_line and r.described.read_by_claude_code:
        dashes = fm.close_span
        r.add(
            "AGT019",
            dashes,
            "This `---` closes the frontmatter: Claude Code stops reading keys here, even inside "
            "a value, so everything after it (the keys on the next lines included) becomes the "
            "body. Write `-` or `—` instead.",
            fixes.replace(dashes, "—", "Write an em dash instead", safe=False),
        )
    if fm.close_span is None:
        lost = frontmatter_lost(r) if r.described.read_by_claude_code and r.fk.plugin else ""
        r.add(
            "AGT003",
            fm.open_span,
            "The frontmatter is never closed: add a `---` line after the last key. Until then "
            "Claude Code sees no frontmatter at all." + (f" {lost}" if lost else ""),
            severity=Severity.WARNING if loads_without else None,
        )
    if doc.root is not None and doc.root.kind != "mapping":
        lost = frontmatter_lost(r) if r.described.read_by_claude_code else ""
        r.add(
            "AGT005",
            doc.root.span,
            "The frontmatter must be a mapping of `key: value` lines."
            + (f" {lost}" if lost else ""),
            severity=Severity.WARNING if loads_without else None,
        )
        return False
    if doc.root is None and not doc.problems and r.fk.kind is Kind.SUBAGENT:
        r.add("AGT010", fm.open_span, "The frontmatter is empty: add `name` and `description`.")
        return False
    return True


_README_LIKE = frozenset(spec.NOT_AGENT_STEMS)


@emits("AGT002", "AGT053")
def _no_frontmatter(r: Report) -> None:
    doc = r.doc
    stem = file_stem(doc.path)
    if stem.lower() in _README_LIKE or stem in spec.NOT_AGENT_UPPER_STEMS:
        r.add(
            "AGT053",
            doc.line_span(0),
            f"`{os.path.basename(doc.path)}` in an agents folder is not an agent; Claude Code "
            "tries to load it and skips it. Move it out of the folder if that matters to you.",
        )
        return
    add = fixes.insert_line(
        doc, 0, f'---\nname: {stem}\ndescription: "Use this agent when ..."\n---', "Add frontmatter"
    )
    if r.fk.plugin:
        plugin = r.fk.plugin_id or "plugin"
        r.add(
            "AGT002",
            doc.line_span(0),
            f"No frontmatter: Claude Code still loads this plugin agent, as `{plugin_agent_id(r)}` "
            f'described only as "Agent from {plugin} plugin", with every tool and the default '
            f"model (`{spec.DEFAULT_MODEL_ID}` in v{spec.MODEL_FACTS_RELEASE}). Add a `---` block "
            "with `name`, `description` (and `tools`) at the top.",
            add,
            severity=Severity.WARNING,
        )
        return
    r.add(
        "AGT002",
        doc.line_span(0),
        "No frontmatter: Claude Code does not load this file as an agent. Add a `---` block "
        "with `name` and `description` at the top.",
        add,
    )


@emits("AGT006", "AGT007", "AGT009")
def yaml_problems(r: Report) -> None:
    doc = r.doc
    read = r.described.read_by_claude_code
    rescued = doc.rescued and read
    suffix = ""
    if read and not rescued:
        if doc.yaml_retry == "failed":
            suffix = " It does not parse even with Claude Code's quoting retry" + (
                " (the retry leaves lines that end in CRLF as they are, and this file has "
                "Windows line endings)."
                if doc.crlf_kept
                else "."
            )
        suffix += f" {frontmatter_lost(r)}"
    for problem in doc.problems:
        code = {"tab": "AGT007", "alias-bomb": "AGT009"}.get(problem.kind, "AGT006")
        if rescued:
            how = (
                "its retry turns leading tabs into spaces"
                if problem.kind == "tab"
                else "its retry quotes such values"
            )
            suffix = (
                f" Claude Code loads it anyway ({how}), but other YAML readers (GitHub's "
                "renderer, python-frontmatter, other agent runners) reject it."
            )
        fix: Fix | None = None
        if problem.kind == "syntax":
            # After the retry a ` #` is part of the value, as Claude Code read it: quoting it in
            # keeps the file meaning what Claude Code loads.
            fix = fixes.quote_value_fix(doc, problem.span.end.line, keep_hash=doc.rescued)
        elif problem.kind == "tab":
            fix = _tab_fix(doc, problem.span.end.line)
        if rescued or not read:
            severity: Severity | None = Severity.WARNING
        elif code == "AGT009":
            severity = None
        else:
            severity = Severity.ERROR
        r.add(code, problem.span, problem.message + suffix, fix, severity=severity)


def _tab_fix(doc: Document, line: int) -> Fix | None:
    text = doc.lines[line] if line < len(doc.lines) else ""
    indent = len(text) - len(text.lstrip(" \t"))
    if "\t" not in text[:indent]:
        return None
    new = text[:indent].replace("\t", "  ")
    return fixes.replace(Span.of(line, 0, line, indent), new, "Indent with spaces")


@emits("AGT008")
def duplicate_keys(r: Report) -> None:
    doc = r.doc
    mapping = doc.mapping
    top = {id(k): v for k, v in mapping.pairs} if mapping is not None else {}
    for first, again in doc.duplicate_keys:
        fix = None
        used = ignored = ""
        if id(first) in top and id(again) in top:
            used, ignored = _shown(doc, top[id(again)]), _shown(doc, top[id(first)])
            same = doc.text_of(top[id(again)].span) == doc.text_of(top[id(first)].span)
            fix = _delete_entry_fix(doc, first, top[id(first)], safe=same)
        values = f" ({used})" if used else ""
        r.add(
            "AGT008",
            again.span,
            f"`{again.text}` is set twice: Claude Code uses this later value{values} and "
            f"ignores the one on line {first.span.start.line + 1}"
            + (f" ({ignored})" if ignored else "")
            + "; stricter YAML readers (js-yaml, for one) reject the file. Keep one.",
            fix,
            related=(Related(doc.path, first.span, "ignored: set again later"),),
        )


def _shown(doc: Document, node: YNode) -> str:
    if not node.is_scalar:
        return ""
    text = " ".join(doc.text_of(node.span).split())
    return f"`{text}`" if len(text) <= 40 else f"`{text[:37]}...`"


def _delete_entry_fix(doc: Document, key: YNode, value: YNode, safe: bool) -> Fix:
    stop = value.span.end.line + (1 if value.span.end.column > 0 else 0)
    stop = max(stop, key.span.start.line + 1)
    title = f"Remove the ignored `{key.text}` (line {key.span.start.line + 1})"
    return fixes.delete_lines(key.span.start.line, stop, title, safe=safe)


# Values whose text is prose: a ` #` there is almost always meant as text, not as a comment.
_PROSE_KEYS = frozenset({"description", "when_to_use", "argument-hint", "initialPrompt"})
_TRAILING_COMMENT = LazyPattern(r"[ \t]+(#(\S?).*?)[ \t]*\Z")


@emits("AGT018")
def comments_in_values(r: Report) -> None:
    """A plain value cut short by ` #`: YAML reads the rest of the line as a comment."""
    doc = r.doc
    if doc.mapping is None or doc.frontmatter is None or "#" not in doc.frontmatter.yaml_text:
        return
    for k, v in doc.mapping.pairs:
        if not (v.is_scalar and v.style is None and v.value is not None and k.is_scalar):
            continue
        line = v.span.end.line
        m = _TRAILING_COMMENT.match(doc.lines[line], v.span.end.column)
        if m is None or not (k.text in _PROSE_KEYS or m.group(2)):
            continue
        r.add(
            "AGT018",
            Span.of(line, m.start(1), line, m.end(1)),
            f"YAML reads `{m.group(1)}` as a comment, so `{k.text}` is only "
            f'"{v.text}". Quote the whole value if the `#` belongs to it.',
            _quote_with_comment(doc, k, v, m.end(1)),
        )


def _quote_with_comment(doc: Document, key: YNode, value: YNode, end: int) -> Fix | None:
    if value.span.start.line != value.span.end.line:
        return None
    line = value.span.start.line
    whole = doc.lines[line][value.span.start.column : end]
    import json  # only for a fix: a clean file never needs it

    quoted = json.dumps(whole, ensure_ascii=False)
    check = parse_yaml(f"k: {quoted}", 0, [])
    parsed = check.root.get("k") if check.root is not None and not check.problems else None
    if parsed is None or parsed.value != whole:
        return None
    span = Span.of(line, value.span.start.column, line, end)
    return fixes.replace(span, quoted, f"Quote the value of `{key.text}`, `#` included")
