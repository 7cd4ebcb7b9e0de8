// The status bar item's text: is the server running, and does the agent run online?
export type ServerState = "starting" | "running" | "stopped" | "missing";

export interface Status {
  text: string;
  tooltip: string;
}

export function statusFor(server: ServerState, keyPresent: boolean, offline: boolean): Status {
  const agent = offline
    ? "offline (setting)"
    : keyPresent
      ? "online (API key set)"
      : "offline (no API key)";
  const icon = { starting: "$(sync~spin)", running: "$(check)", stopped: "$(error)", missing: "$(warning)" }[server];
  const words = { starting: "starting", running: "running", stopped: "stopped", missing: "not installed" }[server];
  return {
    text: `${icon} subagent-lsp${keyPresent && !offline ? " $(cloud)" : ""}`,
    tooltip: `subagent-lsp server: ${words}\nbackend-developer agent: ${agent}`,
  };
}
