"""Facts about Claude Code's JSON configuration files (settings, ``.mcp.json``, plugin manifests,
plugin hooks), as data. Sources: the docs (settings reference, permissions, hooks, MCP, plugins
reference, plugin marketplaces; mirror of Aug 2026, v2.1.240), corrected by running v2.1.332
(what it logs for each planted defect; the measured ones say so). The CLI wins over the docs.
"""

from __future__ import annotations

import functools

from ..lazyre import LazyPattern
from ..records import Record
from .settings_keys import SETTING_KEYS, SettingKey
from .spec import DOCS, EnumValue

SETTINGS_DOC = DOCS + "settings-reference"
HOOKS_DOC = DOCS + "hooks"
MCP_DOC = DOCS + "mcp"
PLUGINS_DOC = DOCS + "plugins-reference"
MARKETPLACE_DOC = DOCS + "plugin-marketplaces"
PERMISSIONS_DOC = DOCS + "permissions"

# Names of the JSON files the walk reads (every other .json is skipped unread).
JSON_FILE_NAMES = frozenset(
    {
        "settings.json",
        "settings.local.json",
        "managed-settings.json",
        ".mcp.json",
        "plugin.json",
        "marketplace.json",
        "hooks.json",
    }
)


@functools.cache
def setting_index() -> dict[str, SettingKey]:
    return {k.name: k for k in SETTING_KEYS}


def top_level_settings() -> tuple[str, ...]:
    return tuple(k.name for k in SETTING_KEYS if "." not in k.name)


SCHEMA_KEY = "$schema"  # editors' JSON Schema link: every kind accepts it, Claude Code ignores it

# --- Permissions -------------------------------------------------------------------------------
# Measured on 2.1.332: an invalid `defaultMode` makes Claude Code skip the whole settings file;
# its message lists all but `manual`, which it accepts.
PERMISSION_MODES: tuple[EnumValue, ...] = (
    EnumValue("default", "Asks before anything but reads."),
    EnumValue("acceptEdits", "Also runs file edits and common filesystem commands without asking."),
    EnumValue("plan", "Reads and plans; edits wait until a plan is approved."),
    EnumValue("auto", "Runs everything, with background safety checks (user settings only)."),
    EnumValue("dontAsk", "Runs only pre-approved tools and denies the rest without asking."),
    EnumValue("bypassPermissions", "Runs everything without asking."),
    EnumValue("manual", "Alias of `default`.", since="2.1.200"),
)
PERMISSION_LISTS = ("allow", "ask", "deny")
PERMISSION_KEYS = (
    "allow",
    "ask",
    "deny",
    "additionalDirectories",
    "defaultMode",
    "disableBypassPermissionsMode",
    "disableAutoMode",
)
# Names rules may use that are not model tools: `Cd` governs the /cd command (permissions docs).
PERMISSION_ONLY_TOOLS = frozenset({"Cd"})
# `Tool(param:value)` cannot match a tool's primary field: Claude Code ignores such a rule and
# warns at start-up (permissions docs, "Match by input parameter").
PRIMARY_FIELDS = {
    "Bash": "command",
    "PowerShell": "command",
    "Read": "file_path",
    "Edit": "file_path",
    "Write": "file_path",
    "Grep": "path",
    "Glob": "path",
    "NotebookEdit": "notebook_path",
    "WebFetch": "url",
}
# Tools whose specifier is a path glob (Claude Code's own list, 2.1.332): `:*` is Bash's only.
FILE_PATTERN_TOOLS = frozenset({"Read", "Write", "Edit", "Glob", "NotebookRead", "NotebookEdit"})
# Rules Claude Code keeps but never matches: only Edit(path) / Read(path) rules are consulted.
FILE_RULE_STAND_IN = {"Write": "Edit", "NotebookEdit": "Edit", "MultiEdit": "Edit", "Glob": "Read"}

# --- Hooks -------------------------------------------------------------------------------------


class HookEvent(Record):
    __slots__ = ("matcher", "name", "since", "tool_event")

    def __init__(
        self,
        name: str,
        since: str | None,  # None: older than every profile, or not in the changelog
        matcher: str | None,  # what its matcher filters; None: it takes no matcher (ignored)
        tool_event: bool = False,  # `if` is evaluated only on these
    ) -> None:
        self.name = name
        self.since = since
        self.matcher = matcher
        self.tool_event = tool_event


_TOOL = "tool name"
HOOK_EVENTS: tuple[HookEvent, ...] = (
    HookEvent("PreToolUse", None, _TOOL, tool_event=True),
    HookEvent("PostToolUse", None, _TOOL, tool_event=True),
    HookEvent("PostToolUseFailure", None, _TOOL, tool_event=True),
    HookEvent("PermissionRequest", "2.0.45", _TOOL, tool_event=True),
    HookEvent("PermissionDenied", "2.1.89", _TOOL, tool_event=True),
    HookEvent("PostToolBatch", None, None),
    HookEvent("Notification", None, "notification type"),
    HookEvent("UserPromptSubmit", "1.0.54", None),
    HookEvent("UserPromptExpansion", None, "command name"),
    HookEvent("MessageDisplay", "2.1.152", None),
    HookEvent("SessionStart", "1.0.62", "how the session started"),
    HookEvent("SessionEnd", "1.0.112", "why the session ended"),
    HookEvent("Setup", "2.1.10", "which CLI flag triggered setup"),
    HookEvent("Stop", None, None),
    HookEvent("StopFailure", "2.1.78", "error type"),
    HookEvent("SubagentStart", "2.0.43", "agent type"),
    HookEvent("SubagentStop", None, "agent type"),
    HookEvent("TeammateIdle", "2.1.33", None),
    HookEvent("TaskCreated", "2.1.84", None),
    HookEvent("TaskCompleted", "2.1.33", None),
    HookEvent("PreCompact", "1.0.48", "what triggered compaction"),
    HookEvent("PostCompact", "2.1.76", "what triggered compaction"),
    HookEvent("InstructionsLoaded", "2.1.69", "load reason"),
    HookEvent("ConfigChange", "2.1.49", "configuration source"),
    HookEvent("CwdChanged", "2.1.83", None),
    HookEvent("DirectoryAdded", "2.1.219", "how the directory was added"),
    HookEvent("FileChanged", "2.1.83", "literal file names to watch"),
    HookEvent("WorktreeCreate", "2.1.50", None),
    HookEvent("WorktreeRemove", "2.1.50", None),
    HookEvent("Elicitation", "2.1.76", "MCP server name"),
    HookEvent("ElicitationResult", "2.1.76", "MCP server name"),
)
# Measured on 2.1.332: a handler these events cannot load makes Claude Code skip the whole
# settings file (a broken permission gate must not fail open); elsewhere only the entry goes.
HOOK_FAIL_CLOSED_EVENTS = frozenset({"PreToolUse", "PermissionRequest"})


@functools.cache
def hook_event_index() -> dict[str, HookEvent]:
    return {e.name: e for e in HOOK_EVENTS}


class HandlerType(Record):
    __slots__ = ("doc", "name", "optional", "required")

    def __init__(
        self,
        name: str,
        doc: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> None:
        self.name = name
        self.doc = doc
        self.required = required
        self.optional = optional


HANDLER_COMMON = ("type", "if", "timeout", "statusMessage", "once")
HANDLER_TYPES: tuple[HandlerType, ...] = (
    HandlerType(
        "command",
        "Runs a shell command (exec form with `args`).",
        ("command",),
        ("args", "async", "asyncRewake", "shell", "continueOnBlock"),
    ),
    HandlerType(
        "http", "POSTs the event's JSON to a URL.", ("url",), ("headers", "allowedEnvVars")
    ),
    HandlerType(
        "mcp_tool", "Calls a tool on a connected MCP server.", ("server", "tool"), ("input",)
    ),
    HandlerType("prompt", "Asks a model for a one-turn decision.", ("prompt",), ("model",)),
    HandlerType("agent", "Spawns a subagent to verify conditions.", ("prompt",), ("model",)),
)


@functools.cache
def handler_index() -> dict[str, HandlerType]:
    return {h.name: h for h in HANDLER_TYPES}


MATCHER_GROUP_KEYS = ("matcher", "hooks")

# --- MCP ---------------------------------------------------------------------------------------
MCP_TYPES: tuple[EnumValue, ...] = (
    EnumValue("stdio", "A local process Claude Code starts (`command`, `args`, `env`)."),
    EnumValue("http", "A remote server over streamable HTTP (`url`, `headers`)."),
    EnumValue("sse", "A remote server over server-sent events (deprecated; `url`)."),
    EnumValue("ws", "A remote server over WebSocket (`url`)."),
)
MCP_REMOTE_TYPES = frozenset({"http", "sse", "ws"})
MCP_STDIO_KEYS = ("type", "command", "args", "env", "cwd", "timeout", "alwaysLoad")
MCP_REMOTE_KEYS = ("type", "url", "headers", "headersHelper", "oauth", "timeout", "alwaysLoad")
# Skipped at load time with a warning to rename (docs, "Configuration warnings").
MCP_RESERVED_NAMES = frozenset(
    {"workspace", "claude-in-chrome", "computer-use", "Claude Preview", "Claude Browser"}
)

# --- Plugins -----------------------------------------------------------------------------------
PLUGIN_DIR = ".claude-plugin"
KEBAB = LazyPattern(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
SEMVER = LazyPattern(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\Z"
)


class ManifestKey(Record):
    __slots__ = ("doc", "name", "required", "since", "vtype")

    def __init__(
        self,
        name: str,
        vtype: str,  # string, boolean, object, array, path (string or list of ./ paths), config
        doc: str,
        required: bool = False,
        since: str | None = None,
    ) -> None:
        self.name = name
        self.vtype = vtype
        self.doc = doc
        self.required = required
        self.since = since


PLUGIN_KEYS: tuple[ManifestKey, ...] = (
    ManifestKey(
        "name", "string", "Unique identifier, kebab-case: namespaces the components.", True
    ),
    ManifestKey("displayName", "string", "Name shown in the /plugin picker; may hold spaces."),
    ManifestKey("version", "string", "Semantic version; pins the plugin to it."),
    ManifestKey("description", "string", "Brief explanation of the plugin's purpose."),
    # A string is accepted too (measured on v2.1.332: fixture plugins/oracle-author-string).
    ManifestKey("author", "object|string", "Author information: `name`, `email`, `url`."),
    ManifestKey("homepage", "string", "Documentation URL."),
    ManifestKey("repository", "string", "Source code URL."),
    ManifestKey("license", "string", "License identifier, such as `MIT`."),
    ManifestKey("keywords", "array", "Discovery tags."),
    ManifestKey("metadata", "object", "Free-form data Claude Code does not read.", since="2.1.222"),
    ManifestKey("defaultEnabled", "boolean", "Whether it starts enabled.", since="2.1.154"),
    ManifestKey("skills", "path", "Extra skill folders (added to the default `skills/`)."),
    ManifestKey("commands", "path", "Command files or folders (replace the default `commands/`)."),
    ManifestKey("agents", "path", "Agent files (replace the default `agents/`)."),
    ManifestKey("workflows", "path", "Workflow scripts (replace the default `workflows/`)."),
    ManifestKey("hooks", "config", "Hook config paths, or the hooks inline."),
    ManifestKey("mcpServers", "config", "MCP config paths, or the servers inline."),
    ManifestKey("outputStyles", "path", "Output style files or folders."),
    ManifestKey("lspServers", "config", "Language server configs (paths or inline)."),
    ManifestKey("experimental", "object", "Experimental components: `themes`, `monitors`."),
    ManifestKey("userConfig", "object", "Values the user is prompted for at enable time."),
    ManifestKey("channels", "array", "Channel declarations for message injection."),
    ManifestKey("dependencies", "array", "Other plugins this one requires."),
    ManifestKey(SCHEMA_KEY, "string", "JSON Schema URL for editors; ignored by Claude Code."),
)
# Fields whose wrong type Claude Code only ignores ("ignored "homepage" in plugin.json ...; the
# plugin still loads", v2.1.332: its own list, measured with homepage: 3 and keywords: "x"); a
# wrong type anywhere else fails the manifest and the plugin does not load.
PLUGIN_DISPLAY_KEYS = frozenset(
    {"$schema", "displayName", "description", "author", "homepage", "repository", "license"}
    | {"keywords"}
)
# Component folders that belong at the plugin root; inside .claude-plugin/ they are not loaded.
PLUGIN_COMPONENT_DIRS = (
    "agents",
    "commands",
    "skills",
    "hooks",
    "output-styles",
    "workflows",
    "themes",
    "monitors",
)
PLUGIN_COMPONENT_FILES = (".mcp.json", ".lsp.json", "hooks.json")

MARKETPLACE_KEYS: tuple[ManifestKey, ...] = (
    ManifestKey("name", "string", "Marketplace identifier, kebab-case, public-facing.", True),
    ManifestKey("owner", "object", "Maintainer: `name` (required), `email`, `url`.", True),
    ManifestKey("plugins", "array", "The plugins it lists: each with `name` and `source`.", True),
    ManifestKey("description", "string", "Brief marketplace description."),
    ManifestKey("version", "string", "Marketplace manifest version."),
    ManifestKey("metadata", "object", "`pluginRoot`, and the legacy `description`/`version`."),
    ManifestKey("allowCrossMarketplaceDependenciesOn", "array", "Marketplaces deps may use."),
    ManifestKey("renames", "object", "Former plugin names -> current names (or null)."),
    ManifestKey(SCHEMA_KEY, "string", "JSON Schema URL for editors; ignored by Claude Code."),
)
MARKETPLACE_RESERVED = frozenset(
    {
        "claude-code-marketplace",
        "claude-code-plugins",
        "claude-plugins-official",
        "claude-plugins-community",
        "claude-community",
        "anthropic-marketplace",
    }
)
PLUGIN_HOOKS_KEYS = ("description", "hooks")


@functools.cache
def manifest_index(keys: tuple[ManifestKey, ...]) -> dict[str, ManifestKey]:
    return {k.name: k for k in keys}
