// node:test on the settings logic: what reaches the server is only what the user set.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import {
  affectsSettings,
  clientSetting,
  deprecationMessage,
  DeprecationLog,
  droppedKeys,
  Inspected,
  Inspector,
  needsRestart,
  OLD_SECTION,
  oldOnly,
  resolve,
  restartReason,
  SECTION,
  SERVER_KEYS,
  serverSettings,
  userSettings,
} from "../src/logic/settings";

// out/test/settings.test.js -> the package's own package.json
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
const declared: Record<string, { default?: unknown; description?: string; deprecationMessage?: string; markdownDeprecationMessage?: string }> =
  pkg.contributes.configuration.properties;

type Levels = Partial<Record<keyof Inspected, unknown>>;

// An inspect() as VS Code answers it: every declared key has its package.json default as
// defaultValue; `set` adds the user's values, as "section.key" -> levels.
function fakeInspector(set: Record<string, Levels> = {}): Inspector {
  return (section, key) => {
    const full = `${section}.${key}`;
    const decl = declared[full];
    if (!decl && !set[full]) {
      return undefined;
    }
    return { defaultValue: decl?.default, ...set[full] };
  };
}

test("defaults only: nothing is sent", () => {
  const { settings, deprecated } = userSettings(fakeInspector());
  assert.deepEqual(settings, {});
  assert.deepEqual(deprecated, []);
  // ... although the defaults include the ones that broke it: "select": [] and friends.
  assert.deepEqual(declared["subagentLsp.select"].default, []);
  assert.deepEqual(serverSettings(fakeInspector()), {});
  // A default from elsewhere (configurationDefaults, language defaults) is not the user's either.
  const other = fakeInspector({ "subagentLsp.select": { defaultLanguageValue: ["AGT0"] } });
  assert.deepEqual(serverSettings(other), {});
});

test("a user-set empty value is dropped: [] means all rules, never 'select none'", () => {
  const inspect = fakeInspector({
    "subagentLsp.select": { globalValue: [] },
    "subagentLsp.severity": { workspaceValue: {} },
    "subagentLsp.model": { workspaceFolderValue: "" },
  });
  assert.deepEqual(serverSettings(inspect), {});
  // An empty list at a higher level still overrides a list below it (to "all rules").
  const override = fakeInspector({ "subagentLsp.select": { globalValue: ["AGT01"], workspaceValue: [] } });
  assert.deepEqual(serverSettings(override), {});
  // false and 0 are values, not "empty".
  const falsy = fakeInspector({ "subagentLsp.offline": { globalValue: true, workspaceValue: false }, "subagentLsp.agentRetries": { globalValue: 0 } });
  assert.deepEqual(serverSettings(falsy), { offline: false, agentRetries: 0 });
});

test("workspace and folder values win over user (global) ones; language-specific over all", () => {
  const inspect = fakeInspector({
    "subagentLsp.select": { globalValue: ["AGT0"], workspaceValue: ["AGT01"] },
    "subagentLsp.model": { globalValue: "opus", workspaceValue: "sonnet", workspaceFolderValue: "haiku" },
    "subagentLsp.agentTimeout": { workspaceFolderValue: 30, globalLanguageValue: 90 },
    "subagentLsp.exclude": { globalValue: ["build/**"] },
  });
  assert.deepEqual(serverSettings(inspect), { select: ["AGT01"], model: "haiku", agentTimeout: 90, exclude: ["build/**"] });
});

test("object settings merge across levels, as VS Code's get() does", () => {
  const inspect = fakeInspector({
    "subagentLsp.severity": { globalValue: { AGT013: "off", AGT002: "hint" }, workspaceValue: { AGT002: "error" } },
    "subagentLsp.globs": { globalValue: { subagent: ["a/*.md"] }, workspaceFolderValue: { skill: ["s/*.md"] } },
  });
  assert.deepEqual(serverSettings(inspect), {
    severity: { AGT013: "off", AGT002: "error" },
    globs: { subagent: ["a/*.md"], skill: ["s/*.md"] },
  });
});

test("every server key is sent when set, and nothing else", () => {
  const values: Record<string, unknown> = {
    claudeCodeVersion: "2.1.200",
    gatewayModels: ["my-gateway-*"],
    severity: { AGT013: "off" },
    rules: { AGT014: false },
    select: ["AGT0"],
    ignore: ["AGT015"],
    globs: { subagent: ["prompts/*.md"] },
    exclude: ["vendor/**"],
    perPathIgnores: { "examples/**": ["AGT015"] },
    agentFile: "agents/be.md",
    model: "sonnet",
    offline: true,
    agentTimeout: 30,
    agentRetries: 4,
    contextTokens: 12000,
    agentExclude: ["fixtures/**"],
    secretPatterns: ["corp-[0-9a-f]{32}"],
    notSources: ["scripts/"],
  };
  assert.deepEqual([...SERVER_KEYS].sort(), Object.keys(values).sort());
  const set: Record<string, Levels> = {
    "subagentLsp.serverPath": { globalValue: "/opt/subagent-lsp" },
    "subagentLsp.interpreter": { globalValue: ["/usr/bin/python3"] },
    "subagentLsp.trace.server": { globalValue: "verbose" },
    "subagentLsp.apiKey": { globalValue: "sk-ant-should-never-be-sent" },
  };
  for (const [key, value] of Object.entries(values)) {
    set[`${SECTION}.${key}`] = { workspaceValue: value };
  }
  const out = serverSettings(fakeInspector(set));
  assert.deepEqual(out, values);
  assert.ok(!JSON.stringify(out).includes("sk-ant"));
});

test("package.json declares every server key, and the old names as deprecated without a default", () => {
  for (const key of SERVER_KEYS) {
    assert.ok(declared[`${SECTION}.${key}`], `${SECTION}.${key} is declared`);
    assert.ok("default" in declared[`${SECTION}.${key}`], `${SECTION}.${key} has a default`);
  }
  assert.deepEqual(declared["subagentLsp.agentRetries"], {
    type: "integer", default: 2, minimum: 0, maximum: 5, description: declared["subagentLsp.agentRetries"].description,
  });
  assert.equal(declared["subagentLsp.contextTokens"].default, 8000);
  assert.deepEqual(declared["subagentLsp.perPathIgnores"].default, {});
  const old = Object.keys(declared).filter((k) => k.startsWith(`${OLD_SECTION}.`));
  assert.ok(old.includes("agentLsp.select") && old.includes("agentLsp.serverPath") && old.includes("agentLsp.trace.server"));
  for (const key of old) {
    const decl = declared[key];
    assert.ok(!("default" in decl), `${key} has no default`);
    assert.ok(decl.deprecationMessage?.includes(key.replace(OLD_SECTION, SECTION)), `${key} says its new name`);
    assert.ok(decl.markdownDeprecationMessage, `${key} has a markdownDeprecationMessage`);
    assert.ok(declared[key.replace(OLD_SECTION, SECTION)], `${key} has a new name`);
  }
  assert.ok(Object.keys(declared).every((k) => k.startsWith(`${SECTION}.`) || k.startsWith(`${OLD_SECTION}.`)));
  assert.equal(pkg.name, "subagent-lsp");
  assert.equal(pkg.publisher, "subagent-lsp");
  assert.match(pkg.scripts.package, /--out subagent-lsp\.vsix/);
  // The client's own commands are subagentLsp.*; the server's (registered by the language
  // client from executeCommandProvider) keep the server's subagent-lsp.* ids.
  assert.ok(pkg.contributes.commands.every((c: { command: string; title: string }) => /^(subagentLsp|subagent-lsp)\./.test(c.command) && c.title.startsWith("subagent-lsp: ")));
});

test("old agentLsp.* settings: used where subagentLsp.* is not set, level by level", () => {
  const inspect = fakeInspector({
    "agentLsp.select": { globalValue: ["AGT01"] },
    "agentLsp.model": { globalValue: "opus" },
    "subagentLsp.model": { globalValue: "sonnet" },
    // A workspace still on the old name beats the user's renamed setting.
    "subagentLsp.ignore": { globalValue: ["AGT013"] },
    "agentLsp.ignore": { workspaceValue: ["AGT014"] },
    // Not declared any more under the old name: still read.
    "agentLsp.contextTokens": { workspaceFolderValue: 4000 },
  });
  const { settings, deprecated } = userSettings(inspect);
  assert.deepEqual(settings, { select: ["AGT01"], ignore: ["AGT014"], model: "sonnet", contextTokens: 4000 });
  assert.deepEqual(deprecated, ["select", "ignore", "model", "contextTokens"]);
  assert.deepEqual(resolve(inspect, "model"), { value: "sonnet", deprecated: true });
  assert.deepEqual(resolve(inspect, "offline"), { value: undefined, deprecated: false });
  // Objects merge across the two names too, the new name winning at the same level.
  const objects = fakeInspector({
    "agentLsp.severity": { globalValue: { AGT013: "off", AGT002: "hint" } },
    "subagentLsp.severity": { globalValue: { AGT002: "error" }, workspaceValue: { AGT003: "hint" } },
  });
  assert.deepEqual(serverSettings(objects), { severity: { AGT002: "error", AGT003: "hint" } });
});

test("old client keys: serverPath, interpreter, trace.server", () => {
  const inspect = fakeInspector({
    "agentLsp.serverPath": { globalValue: "/old/agent-lsp" },
    "agentLsp.trace.server": { globalValue: "verbose" },
  });
  assert.deepEqual(clientSetting(inspect, "serverPath", ""), { value: "/old/agent-lsp", deprecated: true });
  assert.deepEqual(clientSetting(inspect, "interpreter", []), { value: [], deprecated: false });
  assert.equal(oldOnly(inspect, "trace.server"), "verbose");
  const both = fakeInspector({ "agentLsp.trace.server": { globalValue: "verbose" }, "subagentLsp.trace.server": { workspaceValue: "off" } });
  assert.equal(oldOnly(both, "trace.server"), undefined);
  assert.deepEqual(userSettings(inspect).settings, {});
});

test("each deprecated key is logged once", () => {
  const lines: string[] = [];
  const log = new DeprecationLog((line) => lines.push(line));
  log.report(["select", "model"]);
  log.report(["select"]);
  log.report([]);
  log.report(["serverPath", "model"]);
  assert.deepEqual(lines, [
    "agentLsp.select is deprecated; rename it to subagentLsp.select",
    "agentLsp.model is deprecated; rename it to subagentLsp.model",
    "agentLsp.serverPath is deprecated; rename it to subagentLsp.serverPath",
  ]);
  assert.equal(deprecationMessage("x"), "agentLsp.x is deprecated; rename it to subagentLsp.x");
});

test("changes: which sections matter, and when the server must restart", () => {
  assert.ok(affectsSettings((s) => s === "agentLsp"));
  assert.ok(affectsSettings((s) => s === "subagentLsp"));
  assert.ok(!affectsSettings((s) => s === "python"));
  assert.ok(needsRestart((k) => k === "agentLsp.trace.server"));
  assert.deepEqual(droppedKeys({ select: ["AGT0"], model: "opus" }, { model: "haiku" }), ["select"]);
  assert.equal(restartReason({ model: "opus" }, { model: "haiku", select: ["AGT0"] }), undefined);
  assert.equal(restartReason({ select: ["AGT0"] }, {}), "subagentLsp.select no longer set");
  assert.match(restartReason({ globs: { skill: ["a"] } }, { globs: { skill: ["b"] } }) ?? "", /globs/);
  assert.match(restartReason({}, { globs: { skill: ["b"] } }) ?? "", /globs/);
  assert.equal(restartReason({}, {}), undefined);
});
