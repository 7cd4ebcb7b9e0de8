"""The commands the server registers (light: server.py imports this at start-up)."""

# For clients that do not resolve code action edits: call the agent, then workspace/applyEdit.
ASK_COMMAND = "subagent-lsp.askBackendDeveloper"
# Opens the last request sent to the agent (secrets as placeholders) as a read-only document.
SHOW_REQUEST_COMMAND = "subagent-lsp.showLastAgentRequest"
