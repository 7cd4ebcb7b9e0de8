"""subagent-lsp: a language server and linter for Claude Code agent definitions."""

__version__ = "0.1.0"

# The settings section, in VS Code (subagentLsp.*) and in workspace/configuration requests.
SETTINGS_SECTION = "subagentLsp"
# Its name before the rename, still read (a user's settings.json may have it).
LEGACY_SETTINGS_SECTION = "agentLsp"
