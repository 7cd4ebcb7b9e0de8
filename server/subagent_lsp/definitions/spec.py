"""Facts about Claude Code's agent definition files, as data, in one place.

Every fact carries the version (or date) it appeared in, so a check can be run against an older
Claude Code. Sources: Claude Code's documentation (sub-agents, skills, slash commands, tools
reference, plugins reference, hooks, model configuration) as of v2.1.238 (Aug 2026), corrected
by running the CLI itself: what v2.1.332 does with each file of tests/oracle_fixtures and the
shared corpus, and what its tool names and model aliases resolve to, is in
tests/golden/claude_code_truth.json (`make oracle`, see oracle/README.md); where the two differ,
the CLI wins. Hover text, completion and checks all read from here; nothing else spells a key,
tool or model name.
"""

from __future__ import annotations

import enum
import functools
import re

from ..lazyre import LazyPattern
from ..records import TYPE_CHECKING, Record

if TYPE_CHECKING:
    from pathlib import Path

LATEST_KNOWN_VERSION = "2.1.332"  # the release the oracle ran (oracle/__init__.py)
DOCS = "https://code.claude.com/docs/en/"


class Kind(enum.Enum):
    SUBAGENT = "subagent"
    SKILL = "skill"
    COMMAND = "command"
    CATALOG = "catalog-note"
    MEMORY = "memory"  # CLAUDE.md, CLAUDE.local.md, .claude/rules/*.md
    # JSON configuration (issue 20; facts in configspec.py)
    SETTINGS = "settings"
    MCP = "mcp"
    PLUGIN_MANIFEST = "plugin-manifest"
    MARKETPLACE = "marketplace"
    PLUGIN_HOOKS = "plugin-hooks"


class VType(enum.Enum):
    STRING = "string"
    BOOL = "boolean"
    POSITIVE_INT = "positive integer"
    TOOLS = "tool list (comma-separated string or YAML list)"
    SKILL_TOOLS = "tool list (space/comma-separated string or YAML list)"
    STRING_LIST = "list of strings"
    STR_OR_LIST = "string or list of strings"
    ENUM = "one of the listed values"
    MODEL = "model alias or claude-* model id"
    HOOKS = "mapping of hook event -> matchers"
    MCP_SERVERS = "list of server names or {name: config} entries"
    MAPPING = "mapping"
    DATE = "ISO date (YYYY-MM-DD)"
    CATALOG_FIELD = "a value or a list of values"
    ANY = "any value"


class EnumValue(Record):
    __slots__ = ("doc", "since", "value")

    def __init__(
        self,
        value: str,
        doc: str,
        since: str | None = None,  # Claude Code version
    ) -> None:
        self.value = value
        self.doc = doc
        self.since = since


class KeySpec(Record):
    __slots__ = (
        "anchor",
        "default",
        "doc",
        "ignored",
        "max_len",
        "name",
        "plugin_ok",
        "required",
        "since",
        "snippet",
        "values",
        "vtype",
    )

    def __init__(
        self,
        name: str,
        vtype: VType,
        doc: str,
        required: bool = False,
        values: tuple[EnumValue, ...] = (),
        default: str | None = None,
        since: str | None = None,  # version, or a date for facts without one
        plugin_ok: bool = True,  # subagents: honoured in plugin agents
        ignored: bool = False,  # accepted but ignored (commands: name, paths)
        max_len: int | None = None,
        anchor: str = "",
        snippet: str | None = None,
    ) -> None:
        self.name = name
        self.vtype = vtype
        self.doc = doc
        self.required = required
        self.values = values
        self.default = default
        self.since = since
        self.plugin_ok = plugin_ok
        self.ignored = ignored
        self.max_len = max_len
        self.anchor = anchor
        self.snippet = snippet

    @property
    def url(self) -> str:
        return DOCS + self.anchor

    def value_names(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values)


_EFFORT = (
    EnumValue("low", "Fastest, least thorough reasoning."),
    EnumValue("medium", "Balanced reasoning effort."),
    EnumValue("high", "Thorough reasoning."),
    EnumValue("xhigh", "Extra-high effort; available on models that support it."),
    EnumValue("max", "Maximum effort; available on models that support it."),
)
_SUBAGENT_MODEL_DOC = (
    "Model the subagent runs on: an alias (`sonnet`, `opus`, `haiku`, `fable`), `inherit` "
    "(the main conversation's model, the default) or a full model id such as `claude-opus-5`."
)

SUBAGENT_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "name",
        VType.STRING,
        "The subagent's identity: lowercase letters and hyphens. The file name does not have to "
        "match. A name that starts with `-` or contains `:` makes Claude Code skip the file "
        "(since v2.1.218).",
        required=True,
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="name: ${1:agent-name}",
    ),
    KeySpec(
        "description",
        VType.STRING,
        "When Claude should delegate to this subagent. Claude reads it to choose an agent, so "
        "say what tasks it handles and when to use it proactively.",
        required=True,
        anchor="sub-agents#supported-frontmatter-fields",
        snippet='description: "${1:Use this agent when ...}"',
    ),
    KeySpec(
        "tools",
        VType.TOOLS,
        "Tools the subagent may use, as a comma-separated string (`Read, Grep, Glob`) or a YAML "
        "list. Omit it to inherit every tool. `Agent(a, b)` limits which agents it may spawn; "
        "`mcp__server` or `mcp__server__tool` name MCP tools. If no entry resolves to a tool the "
        "subagent fails to spawn.",
        default="all tools of the main conversation",
        anchor="sub-agents#available-tools",
        snippet="tools: ${1:Read, Grep, Glob}",
    ),
    KeySpec(
        "disallowedTools",
        VType.TOOLS,
        "Tools to deny; removed from the inherited or listed tools (applied first). Same syntax "
        "as `tools`, plus `mcp__*` for every MCP tool.",
        anchor="sub-agents#available-tools",
        snippet="disallowedTools: ${1:Write, Edit}",
    ),
    KeySpec(
        "model",
        VType.MODEL,
        _SUBAGENT_MODEL_DOC,
        default="inherit",
        anchor="sub-agents#choose-a-model",
        snippet="model: ${1|sonnet,opus,haiku,fable,inherit|}",
    ),
    KeySpec(
        "permissionMode",
        VType.ENUM,
        "How the subagent handles permission prompts. Ignored for plugin agents.",
        values=(
            EnumValue("default", "Prompt for permission as usual."),
            EnumValue("acceptEdits", "Accept file edits and common filesystem commands."),
            EnumValue("auto", "A background classifier reviews commands."),
            EnumValue("dontAsk", "Deny permission prompts; explicitly allowed tools still work."),
            EnumValue("bypassPermissions", "Skip permission prompts entirely."),
            EnumValue("plan", "Plan mode: read-only exploration."),
            EnumValue("manual", "Alias of `default`.", since="2.1.200"),
        ),
        default="default",
        plugin_ok=False,
        anchor="sub-agents#permission-modes",
        snippet="permissionMode: ${1|default,acceptEdits,auto,dontAsk,bypassPermissions,plan|}",
    ),
    KeySpec(
        "maxTurns",
        VType.POSITIVE_INT,
        "Maximum number of agentic turns before the subagent stops.",
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="maxTurns: ${1:20}",
    ),
    KeySpec(
        "skills",
        VType.STRING_LIST,
        "Skills whose full content is preloaded into the subagent's context at start-up. A "
        "missing skill is only logged at debug level.",
        anchor="sub-agents#preload-skills-into-subagents",
        snippet="skills:\n  - ${1:skill-name}",
    ),
    KeySpec(
        "mcpServers",
        VType.MCP_SERVERS,
        "MCP servers for this subagent: names of configured servers, or `{name: config}` inline "
        "definitions. Ignored for plugin agents.",
        plugin_ok=False,
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="mcpServers:\n  - ${1:server-name}",
    ),
    KeySpec(
        "hooks",
        VType.HOOKS,
        "Lifecycle hooks scoped to this subagent: event -> list of `{matcher, hooks: [{type, "
        "command}]}`. `Stop` runs as `SubagentStop`. `hooks: []` silently drops the agent. "
        "Ignored for plugin agents.",
        plugin_ok=False,
        anchor="sub-agents#define-hooks-for-subagents",
        snippet="hooks:\n  PreToolUse:\n    - matcher: ${1:Bash}\n      hooks:\n"
        "        - type: command\n          command: ${2:./check.sh}",
    ),
    KeySpec(
        "memory",
        VType.ENUM,
        "Persistent memory scope, for learning across sessions.",
        values=(
            EnumValue("user", "~/.claude/agent-memory/<agent>/: across all projects."),
            EnumValue("project", ".claude/agent-memory/<agent>/: shared through git."),
            EnumValue("local", ".claude/agent-memory-local/<agent>/: this project, not in git."),
        ),
        anchor="sub-agents#enable-persistent-memory",
        snippet="memory: ${1|user,project,local|}",
    ),
    KeySpec(
        "background",
        VType.BOOL,
        "`true` keeps the subagent in the background even when Claude asks for the foreground.",
        default="false",
        anchor="sub-agents#run-subagents-in-foreground-or-background",
        snippet="background: ${1|true,false|}",
    ),
    KeySpec(
        "effort",
        VType.ENUM,
        "Reasoning effort while this subagent is active; overrides the session's. Which levels "
        "exist depends on the model.",
        values=_EFFORT,
        default="the session's effort",
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="effort: ${1|low,medium,high,xhigh,max|}",
    ),
    KeySpec(
        "isolation",
        VType.ENUM,
        "`worktree` runs the subagent in a temporary git worktree, removed if it changes nothing.",
        values=(EnumValue("worktree", "A temporary git worktree of the repository."),),
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="isolation: worktree",
    ),
    KeySpec(
        "color",
        VType.ENUM,
        "Display colour of the subagent in the task list and transcript.",
        values=tuple(
            EnumValue(c, f"Shown in {c}.")
            for c in ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")
        ),
        since="2026-04-02",
        plugin_ok=False,
        anchor="sub-agents#supported-frontmatter-fields",
        snippet="color: ${1|red,blue,green,yellow,purple,orange,pink,cyan|}",
    ),
    KeySpec(
        "initialPrompt",
        VType.STRING,
        "Submitted as the first user turn when this agent runs as the main session (`--agent`); "
        "ignored when it runs as a subagent.",
        plugin_ok=False,
        anchor="sub-agents#supported-frontmatter-fields",
        snippet='initialPrompt: "${1}"',
    ),
)

_SKILL_COMMON: tuple[KeySpec, ...] = (
    KeySpec(
        "description",
        VType.STRING,
        "What the skill does and when to use it; Claude reads it to decide when to load the "
        "skill. Without it the first paragraph is used. Together with `when_to_use` it is cut at "
        "1,536 characters in the listing.",
        anchor="skills#frontmatter-reference",
        snippet='description: "${1}"',
    ),
    KeySpec(
        "when_to_use",
        VType.STRING,
        "Trigger phrases or example requests, appended to the description (counts toward the "
        "1,536-character cap).",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "argument-hint",
        VType.STRING,
        "Hint shown in autocomplete for the arguments, e.g. `[issue-number]`.",
        anchor="skills#frontmatter-reference",
        snippet='argument-hint: "${1:[arg]}"',
    ),
    KeySpec(
        "arguments",
        VType.STR_OR_LIST,
        "Named positional arguments for `$name` substitution: a space-separated string or a list.",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "disable-model-invocation",
        VType.BOOL,
        "`true`: only you can invoke it (`/name`); Claude does not load it by itself.",
        default="false",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "user-invocable",
        VType.BOOL,
        "`false`: hidden from the `/` menu; only Claude invokes it.",
        default="true",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "allowed-tools",
        VType.SKILL_TOOLS,
        "Tools Claude may use without asking during the turn that invokes this: a space- or "
        "comma-separated string or a list.",
        anchor="skills#pre-approve-tools-for-a-skill",
    ),
    KeySpec(
        "disallowed-tools",
        VType.SKILL_TOOLS,
        "Tools removed while this is active: a space- or comma-separated string or a list.",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "model",
        VType.MODEL,
        "Model while this is active (the rest of the turn), or `inherit`.",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "effort",
        VType.ENUM,
        "Reasoning effort while this is active.",
        values=_EFFORT,
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "context",
        VType.ENUM,
        "`fork` runs it in a forked subagent context.",
        values=(EnumValue("fork", "Run in a forked subagent."),),
        anchor="skills#run-skills-in-a-subagent",
    ),
    KeySpec(
        "agent",
        VType.STRING,
        "Which subagent type runs it when `context: fork` is set.",
        anchor="skills#run-skills-in-a-subagent",
    ),
    KeySpec(
        "background",
        VType.BOOL,
        "With `context: fork`: `false` waits for the forked subagent in the same turn.",
        default="true",
        since="2.1.218",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "hooks",
        VType.HOOKS,
        "Hooks registered when it is invoked, kept for the rest of the session.",
        anchor="hooks#hooks-in-skills-and-agents",
    ),
    KeySpec(
        "paths",
        VType.STR_OR_LIST,
        "Glob patterns that limit when it activates automatically (comma-separated or a list).",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "shell",
        VType.ENUM,
        "Shell for inline `!` commands.",
        values=(
            EnumValue("bash", "The default."),
            EnumValue("powershell", "Run inline commands with PowerShell."),
        ),
        default="bash",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "metadata",
        VType.MAPPING,
        "Free-form map for your own tooling; Claude Code ignores it and drops a non-map value.",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "license",
        VType.STRING,
        "Licence of the skill (Agent Skills spec); accepted and not acted on.",
        anchor="skills#frontmatter-reference",
    ),
    KeySpec(
        "compatibility",
        VType.STRING,
        "Environment requirements (Agent Skills spec), at most 500 characters.",
        max_len=500,
        anchor="skills#frontmatter-reference",
    ),
)

SKILL_NAME = KeySpec(
    "name",
    VType.STRING,
    "The skill's name in the Agent Skills spec: 1-64 characters of `a-z`, `0-9` and `-`, equal "
    "to the directory name. Claude Code (v2.1.332) lists and runs a project skill by its "
    "directory name whatever this says.",
    anchor="skills#frontmatter-reference",
    snippet="name: ${1:skill-name}",
)
SKILL_KEYS: tuple[KeySpec, ...] = (SKILL_NAME, *_SKILL_COMMON)
COMMAND_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "name",
        VType.STRING,
        "Ignored for commands: the command's name comes from its file name.",
        ignored=True,
        anchor="slash-commands",
    ),
    KeySpec(
        "paths",
        VType.STR_OR_LIST,
        "Ignored for commands: only skills activate by path.",
        ignored=True,
        anchor="slash-commands",
    ),
    *(k for k in _SKILL_COMMON if k.name != "paths"),
)

CATALOG_KEYS: tuple[KeySpec, ...] = (
    KeySpec("categories", VType.CATALOG_FIELD, "Top-level category of the note."),
    KeySpec("subCategories", VType.CATALOG_FIELD, "Finer categories of the note."),
    KeySpec("topics", VType.CATALOG_FIELD, "Topics the note covers."),
    KeySpec("subTopics", VType.CATALOG_FIELD, "Sub-topics the note covers."),
    KeySpec("dateCreated", VType.DATE, "When the note was written (YYYY-MM-DD)."),
    KeySpec("dateRevised", VType.DATE, "When the note was last revised; not before `dateCreated`."),
    KeySpec("aliases", VType.CATALOG_FIELD, "Other titles the note is found under (Obsidian)."),
    KeySpec("tags", VType.CATALOG_FIELD, "Tags (Obsidian); without the leading `#`."),
)
MEMORY_KEYS: tuple[KeySpec, ...] = (
    KeySpec(
        "paths",
        VType.STR_OR_LIST,
        "A rule in `.claude/rules/` loads only when Claude works with files matching these "
        "globs (brace expansion allowed); without it the rule loads at launch.",
        anchor="memory#path-specific-rules",
    ),
)
CATALOG_SIGNATURE_KEYS = frozenset(
    {"categories", "subCategories", "topics", "subTopics", "dateCreated"}
)

KEYS_BY_KIND: dict[Kind, tuple[KeySpec, ...]] = {
    Kind.SUBAGENT: SUBAGENT_KEYS,
    Kind.SKILL: SKILL_KEYS,
    Kind.COMMAND: COMMAND_KEYS,
    Kind.CATALOG: CATALOG_KEYS,
    Kind.MEMORY: MEMORY_KEYS,
}


@functools.cache
def key_index(kind: Kind) -> dict[str, KeySpec]:
    return {k.name: k for k in KEYS_BY_KIND[kind]}


# Misspellings and other tools' spellings seen in the wild, mapped to the key Claude Code reads.
KEY_ALIASES: dict[Kind, dict[str, str]] = {
    Kind.SUBAGENT: {
        "allowedTools": "tools",
        "allowed-tools": "tools",
        "allowed_tools": "tools",
        "tool": "tools",
        "Tools": "tools",
        "disallowed-tools": "disallowedTools",
        "disallowed_tools": "disallowedTools",
        "deniedTools": "disallowedTools",
        "max_turns": "maxTurns",
        "max-turns": "maxTurns",
        "permission-mode": "permissionMode",
        "permission_mode": "permissionMode",
        "mcp_servers": "mcpServers",
        "mcp-servers": "mcpServers",
        "initial_prompt": "initialPrompt",
        "desc": "description",
        "colour": "color",
    },
    Kind.SKILL: {
        "allowedTools": "allowed-tools",
        "allowed_tools": "allowed-tools",
        "tools": "allowed-tools",
        "disallowedTools": "disallowed-tools",
        "whenToUse": "when_to_use",
        "when-to-use": "when_to_use",
        "argumentHint": "argument-hint",
        "argument_hint": "argument-hint",
        "userInvocable": "user-invocable",
        "disableModelInvocation": "disable-model-invocation",
    },
}
KEY_ALIASES[Kind.COMMAND] = dict(KEY_ALIASES[Kind.SKILL])
# Other tools' words for a rule's file patterns (Cursor's `globs`, Copilot's `applyTo`).
KEY_ALIASES[Kind.MEMORY] = {"globs": "paths", "applyTo": "paths", "path": "paths"}

# Plugin-shipped agents honour only these keys. The docs say outright that hooks, mcpServers and
# permissionMode are dropped (for security); the rest are merely not in the supported list.
PLUGIN_AGENT_KEYS = frozenset(k.name for k in SUBAGENT_KEYS if k.plugin_ok)
PLUGIN_DROPPED_FOR_SECURITY = frozenset({"hooks", "mcpServers", "permissionMode"})

# --- Names ---------------------------------------------------------------------------------
# The documented form of agent and skill names: lowercase letters and digits, single hyphens.
NAME_FORM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
# Markdown files an agents folder holds that are not meant as agents (file stems, lower case):
# Claude Code skips them like any file without frontmatter, but nobody meant them to load.
NOT_AGENT_STEMS = (
    "readme",
    "changelog",
    "contributing",
    "license",
    "code_of_conduct",
    "index",
)
# GitHub's community files written as GitHub names them: `SECURITY.md` is a policy, while
# `security.md` in an agents folder is a security agent (held-out: a folder of such agents
# without frontmatter, all skipped by v2.1.332).
NOT_AGENT_UPPER_STEMS = ("SECURITY",)
NAME_COLON_SKIPPED_SINCE = "2.1.218"  # a `:` in a subagent name makes Claude Code skip the file
SKILL_NAME_MAX = 64
SKILL_DESCRIPTION_MAX = 1024  # Agent Skills spec
SKILL_LISTING_MAX = 1536  # description + when_to_use, cut in the listing
SHORT_DESCRIPTION = 20  # characters: below this Claude has little to delegate on


# --- Tools ---------------------------------------------------------------------------------
class ToolStatus(enum.Enum):
    CURRENT = "current"
    REMOVED = "removed"
    ALIAS = "alias"


class ToolFact(Record):
    __slots__ = (
        "doc",
        "name",
        "removed_from_subagents",
        "replacement",
        "since",
        "status",
        "takes_argument",
        "until",
    )

    def __init__(
        self,
        name: str,
        doc: str,
        status: ToolStatus = ToolStatus.CURRENT,
        replacement: str | None = None,
        since: str | None = None,  # version it appeared (None: long before any profile)
        until: str | None = None,  # when it went away (version or date)
        removed_from_subagents: bool = False,  # Claude Code strips it from every subagent
        takes_argument: bool = False,  # Agent(a, b)
    ) -> None:
        self.name = name
        self.doc = doc
        self.status = status
        self.replacement = replacement
        self.since = since
        self.until = until
        self.removed_from_subagents = removed_from_subagents
        self.takes_argument = takes_argument


TOOLS: tuple[ToolFact, ...] = (
    ToolFact(
        "Agent",
        "Spawns subagents. `Agent(a, b)` limits which ones (only when run with `--agent`).",
        since="2.1.63",
        takes_argument=True,
    ),
    ToolFact("Artifact", "Creates a rendered artifact for the user."),
    ToolFact(
        "AskUserQuestion",
        "Asks the user multiple-choice questions.",
        removed_from_subagents=True,
    ),
    ToolFact("Bash", "Runs shell commands."),
    ToolFact("CronCreate", "Schedules a recurring prompt."),
    ToolFact("CronDelete", "Deletes a scheduled prompt."),
    ToolFact("CronList", "Lists scheduled prompts."),
    ToolFact("Edit", "Makes exact string replacements in files."),
    ToolFact("EndConversation", "Ends the conversation.", removed_from_subagents=True),
    ToolFact("EnterPlanMode", "Switches to plan mode.", removed_from_subagents=True),
    ToolFact(
        "ExitPlanMode",
        "Leaves plan mode (kept for subagents with `permissionMode: plan`).",
        removed_from_subagents=True,
    ),
    ToolFact("EnterWorktree", "Moves the session into a git worktree."),
    ToolFact("ExitWorktree", "Leaves a git worktree."),
    ToolFact("Glob", "Finds files by name pattern."),
    ToolFact("Grep", "Searches file contents with regular expressions."),
    ToolFact("ListAgents", "Lists the available agents."),
    ToolFact("ListMcpResourcesTool", "Lists MCP server resources."),
    ToolFact("LSP", "Asks language servers for definitions, references and diagnostics."),
    ToolFact("Monitor", "Watches a background process's output."),
    ToolFact("NotebookEdit", "Edits Jupyter notebook cells."),
    ToolFact("PowerShell", "Runs PowerShell commands."),
    ToolFact("PushNotification", "Sends a push notification."),
    ToolFact("Read", "Reads files, images, PDFs and notebooks."),
    ToolFact("ReadMcpResourceTool", "Reads an MCP server resource."),
    ToolFact("RemoteTrigger", "Triggers a remote session."),
    ToolFact("ReportFindings", "Reports structured findings."),
    ToolFact("ScheduleWakeup", "Schedules the session to resume.", removed_from_subagents=True),
    ToolFact("SendMessage", "Sends a message to another agent."),
    ToolFact("SendUserFile", "Sends a file to the user."),
    ToolFact("ShareOnboardingGuide", "Shares an onboarding guide."),
    ToolFact("Skill", "Runs a skill. Prefer the `skills` key to preload skills."),
    ToolFact("TaskCreate", "Creates a task in the task list."),
    ToolFact("TaskGet", "Reads a task."),
    ToolFact("TaskList", "Lists tasks."),
    ToolFact("TaskOutput", "Reads a background task's output.", removed_from_subagents=True),
    ToolFact("TaskStop", "Stops a background task."),
    ToolFact("TaskUpdate", "Updates a task."),
    ToolFact("TeamCreate", "Creates an agent team."),
    ToolFact("TeamDelete", "Deletes an agent team."),
    ToolFact("TodoWrite", "Maintains the session's todo list."),
    ToolFact("ToolSearch", "Finds deferred tools by name or description."),
    ToolFact("WaitForMcpServers", "Waits for MCP servers to connect.", removed_from_subagents=True),
    ToolFact("WebFetch", "Fetches a URL and reads its content."),
    ToolFact("WebSearch", "Searches the web."),
    ToolFact("Workflow", "Runs a workflow script.", removed_from_subagents=True),
    ToolFact("Write", "Creates or overwrites files."),
    ToolFact(
        "Task",
        "Old name of `Agent`; still accepted as an alias.",
        ToolStatus.ALIAS,
        replacement="Agent",
        until="2.1.63",
        takes_argument=True,
    ),
    ToolFact("LS", "Listed directories.", ToolStatus.REMOVED, replacement="Glob", until="2025"),
    ToolFact("MultiEdit", "Made several edits at once.", ToolStatus.REMOVED, "Edit", until="2025"),
    ToolFact(
        "NotebookRead", "Read notebooks.", ToolStatus.REMOVED, replacement="Read", until="2025"
    ),
    ToolFact("TodoRead", "Read the todo list.", ToolStatus.REMOVED, "TodoWrite", until="2025"),
    ToolFact("SlashCommand", "Ran slash commands.", ToolStatus.REMOVED, "Skill", until="late 2025"),
    ToolFact(
        "BashOutput",
        "Read background shell output.",
        ToolStatus.REMOVED,
        "TaskOutput",
        until="late 2025",
    ),
    # Renamed, but still resolved to TaskStop (measured on 2.1.240 and 2.1.332).
    ToolFact(
        "KillShell",
        "Old name of `TaskStop` (stops a background shell); still accepted as an alias.",
        ToolStatus.ALIAS,
        "TaskStop",
        until="2025-12",
    ),
    ToolFact(
        "KillBash",
        "Old name of `TaskStop` (stops a background shell); still accepted as an alias.",
        ToolStatus.ALIAS,
        "TaskStop",
        until="2026-06",
    ),
    # In the release's own alias table (oracle/facts.py) and resolved for a subagent (measured
    # on 2.1.332). Its other old names there (Brief, ListMcpResources, ProposeGoal,
    # ReadMcpResource, ReadMcpResourceDir) resolve to tools a headless session does not offer.
    ToolFact(
        "ListPeers",
        "Old name of `ListAgents`; still accepted as an alias.",
        ToolStatus.ALIAS,
        "ListAgents",
    ),
)


@functools.cache
def tool_index() -> dict[str, ToolFact]:
    return {t.name: t for t in TOOLS}


@functools.cache
def current_tool_names() -> tuple[str, ...]:
    return tuple(t.name for t in TOOLS if t.status is ToolStatus.CURRENT)


AGENT_TOOL = "Agent"
AGENT_TOOL_SINCE = "2.1.63"
ZERO_TOOLS_REFUSED_SINCE = "2.1.208"
MCP_PREFIX = "mcp__"
ALL_TOOLS = "*"  # `tools: "*"`: every tool, as if `tools` were left out (measured on 2.1.332)

# --- Models --------------------------------------------------------------------------------


class ModelAlias(Record):
    __slots__ = ("doc", "name", "since", "subagent_ok")

    def __init__(
        self,
        name: str,
        doc: str,
        since: str | None = None,
        subagent_ok: bool = True,  # False: a subagent's `model` sends it as written, and it fails
    ) -> None:
        self.name = name
        self.doc = doc
        self.since = since
        self.subagent_ok = subagent_ok


MODEL_ALIASES: tuple[ModelAlias, ...] = (
    ModelAlias("inherit", "The main conversation's model (the default)."),
    ModelAlias("sonnet", "The latest Sonnet: everyday coding."),
    ModelAlias("opus", "The latest Opus: complex reasoning."),
    ModelAlias("haiku", "The fast, low-cost Haiku model."),
    ModelAlias("fable", "Claude Fable 5, for the hardest long-running tasks.", since="2.1.170"),
    ModelAlias("best", "Fable 5 where available, else the latest Opus."),
    ModelAlias("sonnet[1m]", "Sonnet with a 1M-token context window."),
    ModelAlias("opus[1m]", "Opus with a 1M-token context window."),
    ModelAlias("opusplan", "Opus in plan mode, Sonnet for execution (so Sonnet in a subagent)."),
    ModelAlias(
        "default",
        "Your account's default model, in skills and settings. A subagent's `model: default` is "
        "sent to the API as written and rejected (2.1.332): use `inherit` there.",
        subagent_ok=False,
    ),
)
# Aliases documented for subagents; the others are model-config aliases (measured to work).
SUBAGENT_DOCUMENTED_MODELS = frozenset({"inherit", "sonnet", "opus", "haiku", "fable"})


@functools.cache
def model_alias(name: str) -> ModelAlias | None:
    """The alias ``name`` spells, in any case: Claude Code matches aliases case-insensitively
    (`model: Sonnet` runs on Sonnet, measured on 2.1.332)."""
    lower = name.lower()
    return next((a for a in MODEL_ALIASES if a.name == lower), None)


# What each alias is sent to the API as, measured on the release below (the truth file's
# `release.model_aliases`, tests/golden/claude_code_truth.json): it changes from release to
# release (`sonnet` was `claude-sonnet-5` in 2.1.240). A setting overrides it, and so do
# ANTHROPIC_DEFAULT_<FAMILY>_MODEL.
MODEL_FACTS_RELEASE = "2.1.332"
ALIAS_TO_MODEL_ID: dict[str, str] = {
    "sonnet": "claude-sonnet-5-5",
    "opus": "claude-opus-5-5",
    "haiku": "claude-haiku-5-5",
    "fable": "claude-fable-5-2",
    "best": "claude-opus-5-5",
    "sonnet[1m]": "claude-sonnet-5-5",
    "opus[1m]": "claude-opus-5-5",
    "opusplan": "claude-sonnet-5-5",
}
# The model an agent without `model` (or with `inherit`) gets in a default session.
DEFAULT_MODEL_ID = "claude-opus-5-5"
# Sent to the API as written, which rejects them: not aliases in a subagent's `model`.
REJECTED_MODEL_WORDS = frozenset({"default", "mythos"})

# Ids for a provider's own endpoint (Bedrock, Vertex) or a gateway: Claude Code sends the value as
# written, which works only against that provider. Accepted: we cannot know the deployment.
PROVIDER_MODEL = LazyPattern(
    r"(?:[a-z]{2,6}(?:-[a-z]+)?\.)?anthropic\.claude-[\w.:-]+"  # Bedrock, with a region prefix
    r"|arn:aws[\w-]*:bedrock:\S+"  # Bedrock inference profiles and provisioned models
    r"|claude-[\w.-]+@[\w.-]+"  # Vertex AI: claude-sonnet-4-5@20250929
    r"|anthropic/claude-[\w.:-]+",  # gateways that prefix the vendor (LiteLLM, OpenRouter)
    re.IGNORECASE,
)


# Used when the anthropic SDK is not installed; the SDK's own list wins when it is.
FALLBACK_MODEL_IDS: tuple[str, ...] = (
    "claude-opus-5-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-fable-5-2",
    "claude-mythos-5-2",
    "claude-sonnet-5",
    "claude-fable-5",
    "claude-opus-5",
    "claude-opus-4-8",
    "claude-opus-4-7",
    "claude-opus-4-6",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-5",
    "claude-sonnet-4-5",
)
FALLBACK_DEPRECATED: dict[str, str] = {
    "claude-sonnet-4-5": "2026-11-30",
    "claude-sonnet-4-5-20250929": "2026-11-30",
}
# Vendors whose models Claude Code cannot run: such an agent fails when it is spawned.
FOREIGN_MODEL = LazyPattern(
    r"(gpt|o[1-9]|chatgpt|gemini|llama|mistral|mixtral|deepseek|qwen|grok|command|phi|gemma|"
    r"openai|google|meta|x-ai|cohere)",
    re.IGNORECASE,
)

# Patterns, not compiled here: only a model id that is not an alias needs them.
_LITERAL = r'"(claude-[a-z0-9.\-]+)"'
_DEPRECATED = r'"(claude-[a-z0-9.\-]+)":\s*"([^"]+)"'
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}


def _sdk_file(*parts: str) -> Path | None:
    # Only for a model id that is not an alias: most files never look (and never import this).
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("anthropic")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def is_known_model_id(model: str) -> bool:
    """A model id the API takes: one the SDK lists, a dated variant of one, or either with the
    1M-context suffix (`claude-sonnet-4-5-20250929`, `claude-opus-5[1m]`)."""
    base = model.removesuffix("[1m]")
    known = known_model_ids()
    if base in known:
        return True
    stem, _, date = base.rpartition("-")
    return len(date) == 8 and date.isdigit() and stem in known


@functools.cache
def known_model_ids() -> tuple[str, ...]:
    """The ids the installed anthropic SDK knows, read from its source without importing it
    (importing the SDK costs ~0.3 s; reading one file costs well under a millisecond)."""
    path = _sdk_file("types", "model_param.py")
    if path is None:
        return FALLBACK_MODEL_IDS
    ids = tuple(dict.fromkeys(re.findall(_LITERAL, path.read_text("utf-8"))))
    return ids or FALLBACK_MODEL_IDS


def _iso_date(text: str) -> str | None:
    m = re.match(r"([A-Za-z]+)\s+(\d+)(?:st|nd|rd|th)?,?\s+(\d{4})", text.strip())
    if not m or m.group(1).lower() not in _MONTHS:
        return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) else None
    return f"{int(m.group(3)):04d}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"


@functools.cache
def deprecated_models() -> dict[str, str]:
    """Model id -> ISO end-of-life date, from the SDK's DEPRECATED_MODELS table."""
    path = _sdk_file("_data", "deprecated_models.py")
    if path is None:
        return dict(FALLBACK_DEPRECATED)
    out: dict[str, str] = {}
    for model, when in re.findall(_DEPRECATED, path.read_text("utf-8")):
        iso = _iso_date(when)
        if iso:
            out[model] = iso
    return out or dict(FALLBACK_DEPRECATED)


# --- Hooks ---------------------------------------------------------------------------------
HOOK_EVENTS: tuple[str, ...] = (
    "SessionStart",
    "Setup",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "PreToolUse",
    "PermissionRequest",
    "PermissionDenied",
    "PostToolUse",
    "PostToolUseFailure",
    "PostToolBatch",
    "Notification",
    "MessageDisplay",
    "SubagentStart",
    "SubagentStop",
    "TaskCreated",
    "TaskCompleted",
    "Stop",
    "StopFailure",
    "TeammateIdle",
    "InstructionsLoaded",
    "ConfigChange",
    "CwdChanged",
    "DirectoryAdded",
    "FileChanged",
    "WorktreeCreate",
    "WorktreeRemove",
    "PreCompact",
    "PostCompact",
    "Elicitation",
    "ElicitationResult",
    "SessionEnd",
)
HOOK_HANDLER_TYPES: tuple[str, ...] = ("command", "http", "mcp_tool", "prompt", "agent")

# --- Scopes ----------------------------------------------------------------------------------
# Which definition of one agent name Claude Code uses, first wins (managed settings and the
# --agents flag outrank these, but never live in a workspace); among project folders the one
# nearest to the working directory wins (v2.1.178+).
SCOPE_PRECEDENCE: tuple[str, ...] = ("project", "user", "plugin")
USER_CONFIG_DIR = "~/.claude"  # user scope: ~/.claude/agents, ~/.claude/skills

# --- Files ---------------------------------------------------------------------------------
DEFAULT_GLOBS: dict[Kind, tuple[str, ...]] = {
    Kind.SUBAGENT: ("**/.claude/agents/**/*.md", "**/agents/**/*.md"),
    Kind.SKILL: ("**/.claude/skills/*/SKILL.md", "**/skills/*/SKILL.md"),
    Kind.COMMAND: ("**/.claude/commands/**/*.md",),
    Kind.CATALOG: (),
    Kind.MEMORY: ("**/CLAUDE.md", "**/CLAUDE.local.md", "**/.claude/rules/**/*.md"),
    Kind.SETTINGS: (
        "**/.claude/settings.json",
        "**/.claude/settings.local.json",
        "**/managed-settings.json",
        "**/managed-settings.d/*.json",
    ),
    Kind.MCP: ("**/.mcp.json",),
    Kind.PLUGIN_MANIFEST: ("**/.claude-plugin/plugin.json",),
    Kind.MARKETPLACE: ("**/.claude-plugin/marketplace.json",),
    Kind.PLUGIN_HOOKS: ("**/hooks/hooks.json",),
}
JSON_KINDS = frozenset(
    {Kind.SETTINGS, Kind.MCP, Kind.PLUGIN_MANIFEST, Kind.MARKETPLACE, Kind.PLUGIN_HOOKS}
)
# When a path matches several kinds' globs, the first kind here wins: a SKILL.md under an
# `agents/` folder is still a skill.
MATCH_ORDER: tuple[Kind, ...] = (
    Kind.SKILL,
    Kind.COMMAND,
    Kind.MEMORY,  # a CLAUDE.md below an agents/ folder is still memory
    Kind.SUBAGENT,
    Kind.CATALOG,
    *(Kind.SETTINGS, Kind.MCP, Kind.PLUGIN_MANIFEST, Kind.MARKETPLACE, Kind.PLUGIN_HOOKS),
)
DEFAULT_EXCLUDES: tuple[str, ...] = (".git", ".venv", "node_modules")
PLUGIN_MANIFEST = (".claude-plugin", "plugin.json")
MAX_FILE_BYTES = 1_000_000


# --- Memory files (docs/memory.md, v2.1.238) ------------------------------------------------
MAX_IMPORT_HOPS = 4  # "Imported files can recursively import other files, with a maximum depth
# of four hops"; an import outside the working directory asks for approval the first time (a
# user-scope file, ~/.claude/CLAUDE.md or ~/.claude/rules/, does not).

# --- Body instructions (rules/instructions.py, shell_lines.py, shell.py) ------------------
# Shell commands Claude Code runs without a permission prompt in every mode: permissions.md's
# "Read-only commands" (ls, cat, echo, pwd, head, tail, grep, find, wc, which, diff, stat, du,
# cd) and, measured in `!` lines on 2.1.332 (each passed the permission check; `env`,
# `printenv`, `uniq`, `awk`, `jq`, `command -v`, `npm`, `go`, `cargo`, `ruby`, `make`, `gh`,
# `touch` and scripts such as `./deploy.sh` did not), these.
READ_ONLY_COMMANDS = frozenset(
    {"ls", "cat", "echo", "pwd", "head", "tail", "grep", "find", "wc", "which", "diff", "stat"}
    | {"du", "cd"}
    | {"true", "false", "test", "[", "date", "uname", "sort", "basename", "dirname", "whoami"}
    | {"hostname", "id", "file", "tree", "realpath", "readlink", "cut", "tr", "sed", "xargs"}
    | {"nl", "rg", "ps", "df", "free", "type", "seq", "expr", "printf", "cmp", "md5sum"}
    | {"sha256sum", "base64"}
)
# Tools whose `--version` passes (measured: `python3 --version`, `node --version`; `npm
# --version`, `go version`, `cargo --version` and `ruby --version` asked).
READ_ONLY_VERSION_PROBES = frozenset({"python3", "node"})
# "read-only forms of git" (measured on 2.1.332: status, diff, log, show, branch, tag,
# rev-parse, remote -v, config --get, stash list passed; add and fetch asked).
READ_ONLY_GIT = frozenset(
    {"status", "diff", "log", "show", "blame", "branch", "rev-parse", "ls-files", "describe"}
    | {"remote", "tag", "shortlog", "reflog", "grep", "config"}
)
READ_ONLY_GIT_STASH = frozenset({"list", "show"})  # `git stash list`; a bare `git stash` writes
# `git worktree list` is in the release's own table of read-only commands (its safe flags
# `--porcelain`, `-v`; v2.1.332, read from the program's text; held-out: a skill's `!` line).
READ_ONLY_GIT_WORKTREE = frozenset({"list"})
SHELL_TOOLS = ("Bash", "PowerShell")  # what runs a command the body says to run
# Claude Code adds these to the `tools` of a definition run as an agent-team teammate
# (SendMessage for an in-process one, the Task tools where the session has them: agent-teams
# docs, v2.1.332); as a plain subagent it gets only what `tools` lists.
TEAMMATE_TOOLS = ("SendMessage", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate")
# Tools that never ask for permission (tools-reference.md, "Permission required: No"): a skill's
# `allowed-tools` pre-approves nothing for them, so leaving one out costs nothing.
NO_PERMISSION_TOOLS = frozenset(
    {"Agent", "AskUserQuestion", "CronCreate", "CronDelete", "CronList", "EndConversation"}
    | {"EnterPlanMode", "ExitWorktree", "Glob", "Grep", "ListAgents", "ListMcpResourcesTool"}
    | {"LSP", "PushNotification", "Read", "ReadMcpResourceTool", "RemoteTrigger"}
    | {"ReportFindings", "ScheduleWakeup", "SendMessage", "SendUserFile", "TaskCreate"}
    | {"TaskGet", "TaskList", "TaskOutput", "TaskStop", "TaskUpdate", "TodoWrite", "ToolSearch"}
    | {"WaitForMcpServers"}
)
# Subagent types every session has, whatever the workspace defines (sub-agents.md).
BUILTIN_AGENTS = frozenset(
    {"general-purpose", "Explore", "Plan", "statusline-setup", "claude-code-guide", "fork"}
)
# Where skill text points at files it ships: `${CLAUDE_SKILL_DIR}` is the SKILL.md's folder.
SKILL_DIR_VARIABLE = "${CLAUDE_SKILL_DIR}"
