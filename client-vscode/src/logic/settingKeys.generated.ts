// Generated from server/subagent_lsp/settings_model.py by `make settings`: do not edit
// (a test fails when this file is stale).

// What the server reads: sent to it when the user set them.
export const SERVER_KEYS = [
  "claudeCodeVersion",
  "gatewayModels",
  "severity",
  "rules",
  "select",
  "ignore",
  "globs",
  "exclude",
  "perPathIgnores",
  "agentFile",
  "model",
  "offline",
  "agentTimeout",
  "agentRetries",
  "contextTokens",
  "secretPatterns",
  "agentExclude",
  "notSources",
] as const;
// The client's own keys: read here, never sent.
export const CLIENT_KEYS = [
  "serverPath",
  "interpreter",
  "trace.server",
] as const;
// Changing one of these needs a new server process, not just new settings.
export const RESTART_KEYS = [
  "serverPath",
  "interpreter",
  "trace.server",
] as const;
