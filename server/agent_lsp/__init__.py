"""agent-lsp: a language server and linter for Claude Code agent definitions."""

__version__ = "0.1.0"
