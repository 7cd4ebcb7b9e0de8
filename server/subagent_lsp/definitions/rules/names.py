"""What each kind must say about itself: names, descriptions, dates (per kind)."""

from __future__ import annotations

import os
import re

from ...lazyre import LazyPattern
from ...registry import NOT_LOADED, Example, Rule, emits, table
from .. import fixes, spec
from ..findings import Related, Severity
from ..yamltree import YNode
from .keys import parse_date
from .report import INFO, E, H, Report, W, file_stem, plugin_agent_id, type_name
from .samples import agent, catalog

RULES = table(
    Rule(
        "AGT010",
        "name-missing",
        E,
        "The subagent has no `name`.",
        "The name is the agent's identity; without it Claude Code skips the file. A plugin "
        "agent still loads, named after its file (`plugin:file-stem`): information there.",
        example=Example(
            text=(
                "---\n"
                'description: "Use this agent to review code for bugs."\n'
                "---\n"
                "You review code.\n"
            )
        ),
        fix="Add `name: <agent-name>` (quick fix uses the file name).",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT011",
        "description-missing",
        E,
        "The subagent has no `description`.",
        "Claude Code skips an agent without a description: it could never be chosen.",
        example=Example(text="---\nname: reviewer\n---\nYou review code.\n"),
        fix="Add a `description` saying when to use the agent.",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT012",
        "name-rejected",
        E,
        "The name starts with `-` or contains `:`.",
        "Claude Code (v2.1.218+) skips such files; `:` is reserved for plugin-scoped ids.",
        example=Example(
            text=agent().replace("name: reviewer", "name: team:reviewer"),
            path=".claude/agents/team-reviewer.md",
        ),
        fix="Use lowercase letters and hyphens: `team-reviewer`.",
        applicability="unsafe",
        tags=frozenset({NOT_LOADED, "version"}),
    ),
    Rule(
        "AGT013",
        "name-style",
        INFO,
        "The name is not lowercase letters, digits and hyphens.",
        "Documented names are lowercase and hyphenated; others load but read oddly in menus.",
        example=Example(
            text=agent().replace("name: reviewer", "name: Code_Reviewer"),
            path=".claude/agents/Code_Reviewer.md",
        ),
        fix="Use `code-reviewer`.",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT015",
        "name-differs-from-file",
        H,
        "The name differs from the file name.",
        "Allowed (the name is the identity) but harder to find the file of an agent.",
        example=Example(text=agent(), path=".claude/agents/reviewer-copy.md"),
        fix="Rename the file or the agent.",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT016",
        "description-short",
        INFO,
        "The description is very short.",
        "Claude delegates on the description; a few words rarely say when to use the agent.",
        example=Example(
            text=agent().replace('"Use this agent to review code for bugs."', "Reviews.")
        ),
        fix="Say what the agent does and when to use it.",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT017",
        "empty-value",
        E,
        "A required value is empty.",
        "An empty name or description counts as missing: Claude Code skips the agent.",
        example=Example(text=agent().replace("name: reviewer", "name: ''")),
        fix="Fill in the value.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT052",
        "plugin-agent-unlisted",
        E,
        "The plugin's manifest does not list this agent.",
        "A plugin.json `agents` list replaces the default folder; unlisted agents never load.",
        example=Example(
            text=agent(),
            path="agents/reviewer.md",
            files={
                ".claude-plugin/plugin.json": '{"name": "kit", "agents": ["./agents/other.md"]}\n',
                "agents/other.md": agent().replace("reviewer", "other"),
            },
        ),
        fix="Add ./b.md to `agents`.",
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT054",
        "plugin-manifest-invalid",
        E,
        "The plugin's manifest fails Claude Code's validation, so the plugin does not load.",
        "Claude Code validates plugin.json before it loads anything of the plugin: a component "
        "path that does not start with `./`, an `agents` entry that is a folder rather than a "
        "`.md` file, a `commands` entry written as an object, `mcpServers` as a list or "
        "`dependencies` as a mapping fails the whole plugin (its agents, skills and commands "
        'are not loaded; `--debug` says "invalid manifest file", v2.1.332).',
        example=Example(
            text=agent(),
            path="agents/reviewer.md",
            files={".claude-plugin/plugin.json": '{"name": "kit", "agents": "./agents/"}\n'},
        ),
        fix='List the files: `"agents": ["./agents/reviewer.md"]`; start every path with `./`.',
        tags=frozenset({NOT_LOADED}),
    ),
    Rule(
        "AGT060",
        "skill-name-format",
        INFO,
        "The skill name breaks the Agent Skills name rules.",
        "The spec asks for 1-64 of a-z, 0-9 and single hyphens; other tools reject others.",
        example=Example(
            text=(
                "---\n"
                "name: SQL_Review\n"
                "description: Review SQL queries for missing indexes.\n"
                "---\n"
                "Review the SQL.\n"
            ),
            path=".claude/skills/sql/SKILL.md",
        ),
        fix="Use `sql-review`.",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT061",
        "skill-name-directory",
        INFO,
        "The skill name differs from its directory.",
        "The Agent Skills spec requires them to be equal. Claude Code (v2.1.332) lists and runs "
        "a project skill by its folder name and does not show this `name` at all.",
        example=Example(
            text=(
                "---\n"
                "name: sql\n"
                "description: Review SQL queries for missing indexes.\n"
                "---\n"
                "Review the SQL.\n"
            ),
            path=".claude/skills/sql-review/SKILL.md",
        ),
        fix="Use the folder's name: `sql-review`.",
        applicability="unsafe",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT062",
        "text-too-long",
        W,
        "The text is longer than Claude Code keeps.",
        "Text beyond the cap is cut from what Claude sees.",
        example=Example(
            text="---\nname: sql-review\ndescription: "
            + "Review SQL queries. " * 60
            + "\n---\nReview the SQL.\n",
            path=".claude/skills/sql-review/SKILL.md",
        ),
        fix="Shorten; put the key use case first.",
    ),
    Rule(
        "AGT063",
        "skill-description-missing",
        INFO,
        "The skill has no description.",
        "Claude then decides from the first paragraph, which rarely says when to use it.",
        example=Example(
            text="---\nname: sql-review\n---\nReview the SQL.\n",
            path=".claude/skills/sql-review/SKILL.md",
        ),
        fix="Add a `description`.",
        tags=frozenset({"style"}),
    ),
    Rule(
        "AGT082",
        "catalog-date-order",
        W,
        "`dateRevised` is before `dateCreated`.",
        "A note cannot be revised before it was written; one of the dates is wrong.",
        example=Example(
            text=catalog("dateCreated: 2025-09-02\ndateRevised: 2025-09-01\n"),
            path="notes/backend-developer.md",
        ),
        fix="Correct the dates.",
    ),
)


_STYLE_NAME = LazyPattern(r"[a-z0-9]+(-[a-z0-9]+)*\Z")


@emits("AGT010", "AGT011", "AGT052")
def check_subagent(r: Report) -> None:
    doc = r.doc
    anchor = doc.frontmatter.open_span if doc.frontmatter else doc.line_span(0)
    missing_ok = doc.frontmatter is not None and doc.frontmatter.close_span is None
    name = doc.get("name")
    if name is None:
        if not doc.has_key("name") and not missing_ok:
            add = fixes.insert_line(
                doc, 1, f"name: {file_stem(doc.path)}", "Add `name` from the file name"
            )
            if r.fk.plugin:
                r.add(
                    "AGT010",
                    anchor,
                    f"No `name`: Claude Code loads this plugin agent as `{plugin_agent_id(r)}`, "
                    "after its file. Add `name` to choose the name yourself.",
                    add,
                    severity=Severity.INFORMATION,
                )
            else:
                r.add(
                    "AGT010",
                    anchor,
                    "`name` is required: Claude Code skips an agent without one.",
                    add,
                )
    else:
        _subagent_name(r, name)
    description = doc.get("description")
    if description is None:
        if not doc.has_key("description") and not missing_ok:
            plugin = r.fk.plugin_id
            r.add(
                "AGT011",
                anchor,
                "`description` is required: say when Claude should use this agent. "
                + (
                    f'Claude Code still loads this plugin agent, described only as "Agent from '
                    f'{plugin} plugin", which gives Claude nothing to choose it by.'
                    if plugin
                    else "Without it Claude Code skips the agent."
                ),
                fixes.insert_line(
                    doc, 1, 'description: "Use this agent when ..."', "Add a `description`"
                ),
            )
    else:
        _subagent_description(r, description)
    if r.fk.unlisted:
        r.add(
            "AGT052",
            name.span if name is not None else anchor,
            "This plugin's plugin.json lists its agents, and not this file, so Claude Code never "
            "loads it. Add it to the `agents` list.",
        )


@emits("AGT012", "AGT013", "AGT014", "AGT015", "AGT017")
def _subagent_name(r: Report, name: YNode) -> None:
    if not (name.is_scalar and isinstance(name.value, str)):
        r.add(
            "AGT014",
            name.span,
            f"`name` must be a string, not {type_name(name)}: Claude Code skips the agent.",
            severity=Severity.ERROR,
        )
        return
    text = name.value
    if not text.strip():
        r.add(
            "AGT017",
            name.span,
            "`name` is empty: Claude Code skips the agent.",
            severity=Severity.ERROR,
        )
        return
    if text.startswith("-") or ":" in text:
        rejected = r.opts.on(spec.NAME_COLON_SKIPPED_SINCE)
        fixed = text.lstrip("-").replace(":", "-")
        r.add(
            "AGT012",
            name.span,
            f"`{text}` "
            + (
                "starts with `-`"
                if text.startswith("-")
                else "contains `:` (reserved for plugin ids)"
            )
            + (
                f": Claude Code v{spec.NAME_COLON_SKIPPED_SINCE}+ skips this file."
                if rejected
                else f": accepted by v{r.opts.version_text}, skipped from "
                f"v{spec.NAME_COLON_SKIPPED_SINCE}."
            ),
            fixes.replace(name.span, fixed, f"Rename to `{fixed}`", safe=False) if fixed else None,
            severity=None if rejected else Severity.HINT,
        )
        return
    if not _STYLE_NAME.match(text):
        suggestion = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
        r.add(
            "AGT013",
            name.span,
            f"`{text}` loads, but names are documented as lowercase letters and hyphens"
            + (f" (e.g. `{suggestion}`)." if suggestion and suggestion != text else "."),
        )
    stem = file_stem(r.doc.path)
    if stem != text and stem.lower() not in ("agent", "readme"):
        r.add(
            "AGT015",
            name.span,
            f"The name `{text}` differs from the file name `{stem}.md` (allowed: the name is "
            "what counts).",
        )


@emits("AGT014", "AGT016", "AGT017")
def _subagent_description(r: Report, node: YNode) -> None:
    if (node.is_scalar and node.value is None) or (node.is_scalar and node.text.strip() == ""):
        r.add(
            "AGT017",
            node.span,
            "`description` is empty: Claude Code skips an agent without one.",
            severity=Severity.ERROR,
        )
        return
    if not (node.is_scalar and isinstance(node.value, str)):
        r.add(
            "AGT014",
            node.span,
            f"`description` must be a string, not {type_name(node)}: Claude Code counts it as "
            "missing and skips the agent. Quote it.",
            severity=Severity.ERROR,
        )
        return
    if len(node.text.strip()) < spec.SHORT_DESCRIPTION:
        r.add(
            "AGT016",
            node.span,
            "A description this short rarely tells Claude when to delegate: say what tasks the "
            "agent takes and when to use it.",
        )


@emits("AGT060", "AGT061")
def check_skill(r: Report) -> None:
    doc = r.doc
    name = doc.get("name")
    folder = os.path.basename(os.path.dirname(os.path.abspath(doc.path)))
    if name is not None and name.is_scalar and isinstance(name.value, str):
        text = name.value
        valid = (
            0 < len(text) <= spec.SKILL_NAME_MAX
            and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text) is not None
        )
        if not valid:
            r.add(
                "AGT060",
                name.span,
                f"Skill names are 1-{spec.SKILL_NAME_MAX} characters of a-z, 0-9 and single "
                "hyphens (Agent Skills spec); other tools may reject this one.",
            )
        if doc.path.endswith("SKILL.md") and text != folder:
            r.add(
                "AGT061",
                name.span,
                f"The name `{text}` differs from the skill's folder `{folder}`: Claude Code lists "
                f"and runs the skill as `/{folder}`, and the Agent Skills spec wants them equal.",
                fixes.replace(name.span, folder, f"Rename to `{folder}`", safe=False),
            )
    _skill_texts(r, require_description=True)


@emits("AGT062", "AGT063")
def _skill_texts(r: Report, require_description: bool) -> None:
    doc = r.doc
    description = doc.get("description")
    if description is None and not doc.has_key("description") and require_description:
        anchor = doc.frontmatter.open_span if doc.frontmatter else doc.line_span(0)
        r.add(
            "AGT063",
            anchor,
            "No `description`: Claude picks skills by their description and would fall back to "
            "the first paragraph.",
        )
    if description is None or not isinstance(description.value, str):
        return
    if len(description.text) > spec.SKILL_DESCRIPTION_MAX:
        r.add(
            "AGT062",
            description.span,
            f"The description has {len(description.text)} characters; the Agent Skills spec "
            f"allows {spec.SKILL_DESCRIPTION_MAX}.",
        )
    when = doc.get("when_to_use")
    total = len(description.text) + (len(when.text) if when is not None and when.is_scalar else 0)
    if total > spec.SKILL_LISTING_MAX:
        r.add(
            "AGT062",
            description.span,
            f"`description` and `when_to_use` have {total} characters; Claude sees only the "
            f"first {spec.SKILL_LISTING_MAX}. Put the key use case first and shorten.",
        )


def check_command(r: Report) -> None:
    _skill_texts(r, require_description=False)


@emits("AGT082")
def check_catalog(r: Report) -> None:
    created, revised = r.doc.get("dateCreated"), r.doc.get("dateRevised")
    if created is None or revised is None:
        return
    a, b = parse_date(created), parse_date(revised)
    if a is not None and b is not None and b < a:
        r.add(
            "AGT082",
            revised.span,
            f"`dateRevised` ({b}) is before `dateCreated` ({a}).",
            related=(Related(r.doc.path, created.span, "dateCreated"),),
        )


@emits("AGT054")
def check_plugin_manifest(r: Report) -> None:
    """Any file of a plugin whose manifest Claude Code rejects: reported at the file's first
    line (the manifest's own findings, AGT204/AGT206/AGT240/AGT241, say where it fails)."""
    if not r.fk.plugin_problems:
        return
    shown = "; ".join(r.fk.plugin_problems[:3])
    more = len(r.fk.plugin_problems) - 3
    r.add(
        "AGT054",
        r.doc.line_span(0),
        f"Claude Code does not load plugin `{r.fk.plugin_id}`: its .claude-plugin/plugin.json "
        f"fails validation ({shown}{f'; and {more} more' if more > 0 else ''}), so this file "
        "never loads.",
    )
