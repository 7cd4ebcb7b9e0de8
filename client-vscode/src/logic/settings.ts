// VS Code settings (subagentLsp.*) -> the server's settings object (the same keys as
// [tool.subagent-lsp]). Only what the server reads is sent, and only what the user actually set:
// VS Code's defaults (package.json) are never sent, so the server's own defaults and its
// pyproject.toml / .subagent-lsp.toml settings are not overridden by them. The client's own keys
// (serverPath, interpreter, trace.server) stay here.
//
// Empty values ("", [], {}, null) are dropped even when the user set them: an empty `select`
// means "no restriction" (all rules), an empty string "the default", and the server behaves
// exactly so when the key is absent. Dropping them means no server version can ever read a
// user-set `"select": []` as "select no rule".
//
// The old section agentLsp.* (before the rename) is still read, key by key and level by level:
// at each level (user, workspace, folder, and their language-specific variants) a subagentLsp
// value wins over an agentLsp one. No `vscode` import here: the caller injects `inspect`.

// The key lists (SERVER_KEYS, CLIENT_KEYS, RESTART_KEYS) are made from the server's settings
// model, like package.json's settings: `make settings`.
import { RESTART_KEYS, SERVER_KEYS } from "./settingKeys.generated";
export { CLIENT_KEYS, RESTART_KEYS, SERVER_KEYS } from "./settingKeys.generated";

export const SECTION = "subagentLsp";
export const OLD_SECTION = "agentLsp";
// What WorkspaceConfiguration.inspect(key) answers (the fields this module reads).
export interface Inspected {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  defaultLanguageValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

// inspect(section, key), e.g. (s, k) => vscode.workspace.getConfiguration(s, scope).inspect(k).
export type Inspector = (section: string, key: string) => Inspected | undefined;

// The levels a user sets, lowest precedence first (VS Code's order: language-specific values
// beat all others). defaultValue/defaultLanguageValue are not the user's and are never read.
export const USER_LEVELS = [
  "globalValue",
  "workspaceValue",
  "workspaceFolderValue",
  "globalLanguageValue",
  "workspaceLanguageValue",
  "workspaceFolderLanguageValue",
] as const;

export interface Resolved {
  value: unknown; // undefined: the user set nothing (under either name)
  deprecated: boolean; // the user set the old agentLsp.<key> somewhere
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// VS Code merges object settings across levels (a workspace {"AGT013": "off"} adds to the
// user's severity table), and lets the higher level replace anything else.
function overlay(base: unknown, top: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(top)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(top)) {
      out[k] = k in out ? overlay(out[k], v) : v;
    }
    return out;
  }
  return top;
}

export function isUserSet(inspected: Inspected | undefined): boolean {
  return inspected !== undefined && USER_LEVELS.some((level) => inspected[level] !== undefined);
}

export function resolve(inspect: Inspector, key: string): Resolved {
  const current = inspect(SECTION, key) ?? {};
  const old = inspect(OLD_SECTION, key) ?? {};
  let value: unknown = undefined;
  let deprecated = false;
  for (const level of USER_LEVELS) {
    const oldValue = old[level];
    if (oldValue !== undefined) {
      deprecated = true;
    }
    const levelValue = current[level] !== undefined ? current[level] : oldValue;
    if (levelValue !== undefined) {
      value = value === undefined ? levelValue : overlay(value, levelValue);
    }
  }
  return { value, deprecated };
}

export function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") {
    return true;
  }
  if (Array.isArray(value)) {
    return value.length === 0;
  }
  if (isPlainObject(value)) {
    return Object.keys(value).length === 0;
  }
  return false;
}

export interface UserSettings {
  settings: Record<string, unknown>; // what the server gets: user-set, non-empty server keys
  deprecated: string[]; // keys the user set under the old agentLsp section
}

export function userSettings(inspect: Inspector): UserSettings {
  const settings: Record<string, unknown> = {};
  const deprecated: string[] = [];
  for (const key of SERVER_KEYS) {
    const { value, deprecated: old } = resolve(inspect, key);
    if (old) {
      deprecated.push(key);
    }
    if (!isEmpty(value)) {
      settings[key] = value;
    }
  }
  return { settings, deprecated };
}

// The server's settings object alone (initializationOptions, workspace/configuration, and
// didChangeConfiguration's {settings: {subagentLsp: ...}}).
export function serverSettings(inspect: Inspector): Record<string, unknown> {
  return userSettings(inspect).settings;
}

// A client key (serverPath, interpreter, trace.server): the user's value under either name, else
// the fallback (the package.json default).
export function clientSetting(inspect: Inspector, key: string, fallback: unknown): Resolved {
  const { value, deprecated } = resolve(inspect, key);
  return { value: value === undefined ? fallback : value, deprecated };
}

// The old agentLsp.<key> value when the user set it and not subagentLsp.<key>; else undefined.
export function oldOnly(inspect: Inspector, key: string): unknown {
  return isUserSet(inspect(SECTION, key)) ? undefined : resolve(inspect, key).value;
}

// Keys the server got before and that are gone now. The server merges what it is sent over its
// initializationOptions, so a key that disappears from the payload would keep its first value
// there: the client restarts the server instead.
export function droppedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys(before).filter((key) => !(key in after));
}

// Why new settings need a new server (and client) rather than a didChangeConfiguration:
// a key the server got at start is gone, or globs changed which documents the client sends.
export function restartReason(initial: Record<string, unknown>, now: Record<string, unknown>): string | undefined {
  const dropped = droppedKeys(initial, now);
  if (dropped.length > 0) {
    return `${dropped.map((key) => `${SECTION}.${key}`).join(", ")} no longer set`;
  }
  if (JSON.stringify(initial.globs ?? null) !== JSON.stringify(now.globs ?? null)) {
    return `${SECTION}.globs changed which files are checked`;
  }
  return undefined;
}

export function deprecationMessage(key: string): string {
  return `${OLD_SECTION}.${key} is deprecated; rename it to ${SECTION}.${key}`;
}

// Says each deprecated key once per session.
export class DeprecationLog {
  private readonly said = new Set<string>();

  constructor(private readonly log: (line: string) => void) {}

  report(keys: Iterable<string>): void {
    for (const key of keys) {
      if (!this.said.has(key)) {
        this.said.add(key);
        this.log(deprecationMessage(key));
      }
    }
  }
}

export function affectsSettings(affects: (section: string) => boolean): boolean {
  return affects(SECTION) || affects(OLD_SECTION);
}

export function needsRestart(affects: (key: string) => boolean): boolean {
  return RESTART_KEYS.some((key) => affects(`${SECTION}.${key}`) || affects(`${OLD_SECTION}.${key}`));
}
