"""The rule registry: every finding's code, default severity and explanation.

Severity follows what Claude Code does with the file: error = the file or agent is skipped or
refuses to run; warning = it loads but will not behave as written; information/hint = style.
"""

from __future__ import annotations

from dataclasses import dataclass

from .findings import Severity

RULES_DOC = "https://github.com/subagent-lsp/subagent-lsp/blob/main/docs/rules.md"

E, W, INFO, H = Severity.ERROR, Severity.WARNING, Severity.INFORMATION, Severity.HINT


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str

    @property
    def url(self) -> str:
        return f"{RULES_DOC}#{self.code.lower()}"

    @property
    def example(self) -> str:
        return EXAMPLES[self.code][0]

    @property
    def fix(self) -> str:
        return EXAMPLES[self.code][1]


_RULES = (
    Rule(
        "AGT001",
        "unreadable-file",
        E,
        "The file cannot be read as UTF-8 text.",
        "Binary, non-UTF-8 or oversized files are not agent definitions Claude Code can load.",
    ),
    Rule(
        "AGT002",
        "frontmatter-missing",
        W,
        "An agent file has no YAML frontmatter.",
        "Without frontmatter there is no name, so Claude Code does not load the file.",
    ),
    Rule(
        "AGT003",
        "frontmatter-unterminated",
        E,
        "The frontmatter has no closing `---` line.",
        "Claude Code finds no frontmatter, so the agent has no name and is skipped.",
    ),
    Rule(
        "AGT004",
        "frontmatter-misplaced",
        E,
        "The opening `---` is not on the first line.",
        "Frontmatter must start at the very first line, unindented, or it is not frontmatter.",
    ),
    Rule(
        "AGT005",
        "frontmatter-not-mapping",
        E,
        "The frontmatter is not a `key: value` mapping.",
        "Claude Code reads keys from a mapping; a list or a bare string gives it none.",
    ),
    Rule(
        "AGT006",
        "yaml-syntax",
        E,
        "The frontmatter is not valid YAML.",
        "Claude Code skips a file whose frontmatter does not parse, silently.",
    ),
    Rule(
        "AGT007",
        "yaml-tab-indent",
        E,
        "A tab indents the YAML.",
        "YAML forbids tabs for indentation, so the frontmatter does not parse.",
    ),
    Rule(
        "AGT008",
        "duplicate-key",
        E,
        "A key appears twice in the frontmatter.",
        "Claude Code's YAML parser rejects duplicate keys; the file is skipped.",
    ),
    Rule(
        "AGT009",
        "yaml-alias-bomb",
        E,
        "YAML aliases expand to a huge or cyclic document.",
        "Expanding them can exhaust memory; parsers refuse such documents.",
    ),
    Rule(
        "AGT010",
        "name-missing",
        E,
        "The subagent has no `name`.",
        "The name is the agent's identity; without it Claude Code skips the file.",
    ),
    Rule(
        "AGT011",
        "description-missing",
        E,
        "The subagent has no `description`.",
        "Claude Code skips an agent without a description: it could never be chosen.",
    ),
    Rule(
        "AGT012",
        "name-rejected",
        E,
        "The name starts with `-` or contains `:`.",
        "Claude Code (v2.1.218+) skips such files; `:` is reserved for plugin-scoped ids.",
    ),
    Rule(
        "AGT013",
        "name-style",
        INFO,
        "The name is not lowercase letters, digits and hyphens.",
        "Documented names are lowercase and hyphenated; others load but read oddly in menus.",
    ),
    Rule(
        "AGT014",
        "value-type",
        W,
        "A value has the wrong type.",
        "Claude Code ignores or misreads a value of the wrong type.",
    ),
    Rule(
        "AGT015",
        "name-differs-from-file",
        H,
        "The name differs from the file name.",
        "Allowed (the name is the identity) but harder to find the file of an agent.",
    ),
    Rule(
        "AGT016",
        "description-short",
        INFO,
        "The description is very short.",
        "Claude delegates on the description; a few words rarely say when to use the agent.",
    ),
    Rule(
        "AGT017",
        "empty-value",
        W,
        "A required value is empty.",
        "An empty name or description counts as missing.",
    ),
    Rule(
        "AGT020",
        "unknown-key",
        W,
        "Claude Code does not know this key.",
        "Unknown keys (often typos such as `tool` or `allowedTools`) are silently ignored.",
    ),
    Rule(
        "AGT021",
        "plugin-ignored-key",
        W,
        "Plugin agents ignore this key.",
        "For security, plugin agents drop `hooks`, `mcpServers` and `permissionMode`.",
    ),
    Rule(
        "AGT022",
        "command-ignored-key",
        W,
        "Commands ignore this key.",
        "A command's name comes from its file name; `paths` applies to skills only.",
    ),
    Rule(
        "AGT030",
        "invalid-value",
        W,
        "The value is not one Claude Code accepts.",
        "An invalid enum value is ignored, so the setting does not take effect.",
    ),
    Rule(
        "AGT031",
        "model-foreign",
        E,
        "The model is not an Anthropic model.",
        "Claude Code calls the Anthropic API; a foreign model fails when the agent is spawned.",
    ),
    Rule(
        "AGT032",
        "model-unknown",
        W,
        "The model id is not a known Claude model.",
        "An unknown id fails or falls back silently; usually a typo of a real id.",
    ),
    Rule(
        "AGT033",
        "model-deprecated",
        INFO,
        "The model is deprecated or past its end of life.",
        "Requests to a retired model fail; move to the replacement before the date.",
    ),
    Rule(
        "AGT034",
        "hooks-invalid",
        W,
        "The hooks configuration is malformed.",
        "Malformed hooks never run; `hooks: []` even makes Claude Code drop the agent.",
    ),
    Rule(
        "AGT035",
        "hooks-empty-list",
        E,
        "`hooks` is an empty list.",
        "Claude Code silently drops an agent whose `hooks` is `[]` (it must be a mapping).",
    ),
    Rule(
        "AGT040",
        "tool-unknown",
        W,
        "Not a Claude Code tool.",
        "An unknown tool name grants nothing; the agent lacks the tool the author meant.",
    ),
    Rule(
        "AGT041",
        "tool-removed",
        W,
        "This tool was removed from Claude Code.",
        "Removed tools resolve to nothing; the replacement does the job now.",
    ),
    Rule(
        "AGT042",
        "tool-task-alias",
        H,
        "`Task` is the old name of `Agent`.",
        "Still accepted as an alias; `Agent` is the current name.",
    ),
    Rule(
        "AGT043",
        "no-tool-resolves",
        E,
        "No entry of `tools` resolves to a tool.",
        "Claude Code refuses to spawn an agent that would have zero tools (v2.1.208+).",
    ),
    Rule(
        "AGT044",
        "tool-unavailable-to-subagents",
        W,
        "Subagents never get this tool.",
        "Claude Code strips it from every subagent, whatever `tools` says.",
    ),
    Rule("AGT045", "tool-duplicate", H, "The tool is listed twice.", "Harmless but noisy."),
    Rule(
        "AGT046",
        "tool-list-syntax",
        W,
        "The tool list is malformed.",
        "Entries must be tool names separated by commas (or a YAML list of names).",
    ),
    Rule(
        "AGT050",
        "empty-body",
        W,
        "The agent has no system prompt.",
        "The body is the subagent's system prompt; an empty one gives it no instructions.",
    ),
    Rule(
        "AGT051",
        "duplicate-agent-name",
        W,
        "Another agent in this scope has the same name.",
        "Only one of them loads (filesystem order decides); the other is silently lost.",
    ),
    Rule(
        "AGT052",
        "plugin-agent-unlisted",
        W,
        "The plugin's manifest does not list this agent.",
        "A plugin.json `agents` list replaces the default folder; unlisted agents never load.",
    ),
    Rule(
        "AGT053",
        "readme-in-agents-folder",
        INFO,
        "A README in an agents folder.",
        "Claude Code tries to load every Markdown file there; a README is not an agent.",
    ),
    Rule(
        "AGT060",
        "skill-name-format",
        INFO,
        "The skill name breaks the Agent Skills name rules.",
        "The spec asks for 1-64 of a-z, 0-9 and single hyphens; other tools reject others.",
    ),
    Rule(
        "AGT061",
        "skill-name-directory",
        INFO,
        "The skill name differs from its directory.",
        "The Agent Skills spec requires them to be equal; Claude Code shows the name.",
    ),
    Rule(
        "AGT062",
        "text-too-long",
        W,
        "The text is longer than Claude Code keeps.",
        "Text beyond the cap is cut from what Claude sees.",
    ),
    Rule(
        "AGT063",
        "skill-description-missing",
        INFO,
        "The skill has no description.",
        "Claude then decides from the first paragraph, which rarely says when to use it.",
    ),
    Rule(
        "AGT080",
        "catalog-field-type",
        W,
        "A catalog field has the wrong type.",
        "Each field takes a value or a list of values (strings).",
    ),
    Rule(
        "AGT081",
        "catalog-date",
        W,
        "Not an ISO date (YYYY-MM-DD).",
        "Catalog tools sort and filter by these dates; other formats are misread.",
    ),
    Rule(
        "AGT082",
        "catalog-date-order",
        W,
        "`dateRevised` is before `dateCreated`.",
        "A note cannot be revised before it was written; one of the dates is wrong.",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _RULES}

# Findings that mean Claude Code does not load the file at all: such a file cannot clash with
# another agent's name.
NOT_LOADED = frozenset(
    {
        "AGT001",
        "AGT002",
        "AGT003",
        "AGT004",
        "AGT005",
        "AGT006",
        "AGT007",
        "AGT008",
        "AGT009",
        "AGT010",
        "AGT011",
        "AGT012",
        "AGT017",
        "AGT035",
        "AGT052",
    }
)

# For each rule: a minimal example that triggers it, and how to fix it (docs/rules.md).
EXAMPLES: dict[str, tuple[str, str]] = {
    "AGT001": (
        "(a binary file, a Latin-1 file, or a file over 1 MB in .claude/agents/)",
        "Save the file as UTF-8 text; agent files are small Markdown.",
    ),
    "AGT002": (
        "You are a reviewer. (no --- block at the top)",
        "Add frontmatter with `name` and `description` (quick fix: add frontmatter).",
    ),
    "AGT003": (
        "---\nname: reviewer\ndescription: Reviews code.\nYou are a reviewer.",
        "Add a `---` line after the last key.",
    ),
    "AGT004": (
        "\n  ---\n  name: reviewer\n  ---",
        "Start the file with `---` at column 1 (quick fix removes the blank lines).",
    ),
    "AGT005": ("---\n- reviewer\n- Reviews code.\n---", "Write `key: value` lines."),
    "AGT006": (
        "description: Use it for reviews. Triggers on: 'review'",
        "Quote the value: `description: \"Use it ... Triggers on: 'review'\"` (safe fix).",
    ),
    "AGT007": ("skills:\n\t- api-conventions", "Indent with spaces (safe fix)."),
    "AGT008": (
        "model: haiku\nmodel: sonnet",
        "Keep one of the two entries (quick fix removes the second).",
    ),
    "AGT009": ("a: &a [x, x]\nb: &b [*a, *a]\n... (nine levels)", "Write values out; no anchors."),
    "AGT010": (
        "description: Reviews code.",
        "Add `name: <agent-name>` (quick fix uses the file name).",
    ),
    "AGT011": ("name: reviewer", "Add a `description` saying when to use the agent."),
    "AGT012": ("name: team:reviewer", "Use lowercase letters and hyphens: `team-reviewer`."),
    "AGT013": ("name: Code_Reviewer", "Use `code-reviewer`."),
    "AGT014": ("maxTurns: many", "Write the type the key takes: `maxTurns: 20`."),
    "AGT015": ("(file reviewer-copy.md) name: code-reviewer", "Rename the file or the agent."),
    "AGT016": ("description: Reviews.", "Say what the agent does and when to use it."),
    "AGT017": ("name: ''", "Fill in the value."),
    "AGT020": (
        "allowedTools: Read, Grep",
        "Use the key Claude Code reads: `tools` (quick fix renames).",
    ),
    "AGT021": (
        "(plugin agent) permissionMode: plan",
        "Remove the key, or ship the agent in .claude/agents/ instead of a plugin.",
    ),
    "AGT022": ("(.claude/commands/deploy.md) name: deploy", "Remove the key (quick fix)."),
    "AGT030": ("permissionMode: acceptedits", "Use a listed value: `acceptEdits` (safe fix)."),
    "AGT031": (
        "model: gpt-4o",
        "Use `sonnet`, `opus`, `haiku`, `fable`, `inherit` or a claude-* id.",
    ),
    "AGT032": ("model: claude-sonet-4-5", "Use the real id: `claude-sonnet-4-5` (safe fix)."),
    "AGT033": ("model: claude-sonnet-4-5", "Move to a current model or an alias such as `sonnet`."),
    "AGT034": (
        "hooks:\n  PreTool: []",
        "Use a real event (`PreToolUse`) and `{matcher, hooks}` entries.",
    ),
    "AGT035": ("hooks: []", "Remove the key or write a mapping (safe fix: `hooks: {}`)."),
    "AGT040": ("tools: Read, Websearch", "Use the tool's real name: `WebSearch` (safe fix)."),
    "AGT041": ("tools: Read, MultiEdit", "Use the replacement: `Edit` (safe fix)."),
    "AGT042": ("tools: Read, Task", "Write `Agent` (safe fix)."),
    "AGT043": ("tools: Read Grep Glob", "Separate with commas: `Read, Grep, Glob` (safe fix)."),
    "AGT044": ("tools: Read, AskUserQuestion", "Remove the tool from the list."),
    "AGT045": ("tools: Read, Grep, Read", "Remove the repeated entry."),
    "AGT046": ("tools: Read Grep", "Separate tool names with commas."),
    "AGT050": (
        "---\nname: reviewer\ndescription: Reviews code.\n---\n(nothing)",
        "Write the system prompt below the frontmatter.",
    ),
    "AGT051": (
        "a.md and b.md in .claude/agents/ both say name: reviewer",
        "Rename one of them, or delete the copy.",
    ),
    "AGT052": ("plugin.json lists ./a.md; ./b.md is an agent too", "Add ./b.md to `agents`."),
    "AGT053": (".claude/agents/README.md", "Move the README out of the agents folder."),
    "AGT060": ("(.claude/skills/sql/SKILL.md) name: SQL_Review", "Use `sql-review`."),
    "AGT061": (
        "(.claude/skills/sql-review/SKILL.md) name: sql",
        "Use the folder's name: `sql-review`.",
    ),
    "AGT062": ("description: (1,200 characters)", "Shorten; put the key use case first."),
    "AGT063": ("(SKILL.md with no description)", "Add a `description`."),
    "AGT080": ("categories: {a: 1}", "Write a value or a list of values."),
    "AGT081": ("dateCreated: 02/09/2025", "Write `2025-09-02`."),
    "AGT082": ("dateCreated: 2025-09-02\ndateRevised: 2025-09-01", "Correct the dates."),
}
