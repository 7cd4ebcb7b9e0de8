"""The commands the server registers (light: server.py imports this at start-up)."""

# For clients that do not resolve code action edits: call the agent, then workspace/applyEdit.
ASK_COMMAND = "subagent-lsp.askBackendDeveloper"
