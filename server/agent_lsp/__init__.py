"""agent-lsp: a language server and linter for Claude Code agent definitions."""

__version__ = "0.1.0"

# The settings section, in VS Code (agentLsp.*) and in workspace/configuration requests.
SETTINGS_SECTION = "agentLsp"
