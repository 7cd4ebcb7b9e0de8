// VS Code settings (agentLsp.*) -> the server's settings object (the same keys as
// [tool.agent-lsp]). Only what the server reads is sent; the client's own keys stay here.

export const SECTION = "agentLsp";
export const SERVER_KEYS = [
  "claudeCodeVersion",
  "severity",
  "select",
  "ignore",
  "globs",
  "exclude",
  "agentFile",
  "model",
  "offline",
  "agentTimeout",
] as const;
// Changing one of these needs a new server process, not just new settings.
export const RESTART_KEYS = ["serverPath", "interpreter", "trace.server"] as const;

export type Getter = (key: string) => unknown;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") {
    return true;
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  if (typeof value === "object") {
    return Object.keys(value as object).length === 0;
  }
  return false;
}

export function serverSettings(get: Getter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = get(key);
    if (!isEmpty(value)) {
      out[key] = value;
    }
  }
  return out;
}

export function needsRestart(affects: (key: string) => boolean): boolean {
  return RESTART_KEYS.some((key) => affects(`${SECTION}.${key}`));
}
