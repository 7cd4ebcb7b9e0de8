// node:test on the compiled logic modules (VS Code itself cannot run here).
import { strict as assert } from "assert";
import { test } from "node:test";
import { hasKey, KEY_VARIABLE, looksLikeKey, redact, SECRET_ID, serverEnvironment } from "../src/logic/environment";
import { executableNames, findServer, INSTALL_HINT } from "../src/logic/findServer";
import { clearKey, KeyHost, setKey } from "../src/logic/keys";
import {
  AGENT_PATTERNS,
  CONFIG_PATTERNS,
  documentSelector,
  globsFromSettings,
} from "../src/logic/selectors";
import { needsRestart, serverSettings } from "../src/logic/settings";
import { statusFor } from "../src/logic/status";

const none = () => false;

test("serverPath wins and must exist", () => {
  const found = findServer({ serverPath: "/opt/al/subagent-lsp", interpreter: ["/py"], pythonExtensionInterpreter: ["/venv/bin/python"], platform: "linux", envPath: "", exists: (f) => f === "/opt/al/subagent-lsp" });
  assert.deepEqual(found, { command: "/opt/al/subagent-lsp", args: ["serve"], source: "serverPath" });
  const missing = findServer({ serverPath: "/nope", interpreter: [], pythonExtensionInterpreter: undefined, platform: "linux", envPath: "", exists: none });
  assert.ok("error" in missing && missing.error.includes("/nope"));
});

test("interpreter runs the module", () => {
  const found = findServer({ serverPath: "", interpreter: ["/usr/bin/python3", "-X", "utf8"], pythonExtensionInterpreter: ["/venv/bin/python"], platform: "linux", envPath: "", exists: none });
  assert.deepEqual(found, { command: "/usr/bin/python3", args: ["-X", "utf8", "-m", "subagent_lsp", "serve"], source: "interpreter" });
});

test("the Python extension's environment: its script, else python -m", () => {
  const script = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: ["/p/.venv/bin/python"], platform: "linux", envPath: "", exists: (f) => f === "/p/.venv/bin/subagent-lsp" });
  assert.deepEqual(script, { command: "/p/.venv/bin/subagent-lsp", args: ["serve"], source: "python-extension" });
  const module = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: ["/p/.venv/bin/python"], platform: "linux", envPath: "", exists: none });
  assert.deepEqual(module, { command: "/p/.venv/bin/python", args: ["-m", "subagent_lsp", "serve"], source: "python-extension" });
});

test("Windows: Scripts folder, PATHEXT and ; separated PATH", () => {
  const venv = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: ["C:\\p\\.venv\\Scripts\\python.exe"], platform: "win32", envPath: "", pathExt: ".EXE;.CMD", exists: (f) => f === "C:\\p\\.venv\\Scripts\\subagent-lsp.exe" });
  assert.deepEqual(venv, { command: "C:\\p\\.venv\\Scripts\\subagent-lsp.exe", args: ["serve"], source: "python-extension" });
  const onPath = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: undefined, platform: "win32", envPath: "C:\\tools;C:\\Users\\me\\AppData\\Roaming\\Python\\Scripts", pathExt: ".EXE", exists: (f) => f === "C:\\Users\\me\\AppData\\Roaming\\Python\\Scripts\\subagent-lsp.exe" });
  assert.equal("command" in onPath && onPath.command, "C:\\Users\\me\\AppData\\Roaming\\Python\\Scripts\\subagent-lsp.exe");
  assert.deepEqual(executableNames("subagent-lsp", "linux"), ["subagent-lsp"]);
});

test("PATH on POSIX, and a clear message when nothing is found", () => {
  const onPath = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: undefined, platform: "linux", envPath: "/usr/bin:/home/me/.local/bin", exists: (f) => f === "/home/me/.local/bin/subagent-lsp" });
  assert.deepEqual(onPath, { command: "/home/me/.local/bin/subagent-lsp", args: ["serve"], source: "PATH" });
  const nothing = findServer({ serverPath: "", interpreter: [], pythonExtensionInterpreter: undefined, platform: "linux", envPath: "/usr/bin", exists: none });
  assert.deepEqual(nothing, { error: INSTALL_HINT });
  assert.match(INSTALL_HINT, /pipx install subagent-lsp/);
  assert.match(INSTALL_HINT, /uv tool install subagent-lsp/);
  assert.doesNotMatch(INSTALL_HINT, /install agent-lsp/);
});

test("settings: only what the server reads, empty values left out", () => {
  const values: Record<string, unknown> = { claudeCodeVersion: "2.1.200", severity: { AGT013: "off" }, select: [], model: "", offline: true, serverPath: "/x", agentTimeout: 30 };
  const out = serverSettings((section, k) => (section === "subagentLsp" ? { globalValue: values[k] } : undefined));
  assert.deepEqual(out, { claudeCodeVersion: "2.1.200", severity: { AGT013: "off" }, offline: true, agentTimeout: 30 });
  assert.ok(needsRestart((key) => key === "subagentLsp.serverPath"));
  assert.ok(needsRestart((key) => key === "agentLsp.interpreter"));
  assert.ok(!needsRestart((key) => key === "subagentLsp.model"));
});

test("the key reaches the server only through its environment", () => {
  const env = serverEnvironment({ PATH: "/bin", HOME: undefined }, "sk-ant-secret-value-123456");
  assert.equal(env[KEY_VARIABLE], "sk-ant-secret-value-123456");
  assert.equal(env.PATH, "/bin");
  assert.ok(!("HOME" in env));
  assert.ok(hasKey(env));
  assert.ok(!hasKey(serverEnvironment({ PATH: "/bin" }, undefined)));
  assert.ok(hasKey({ ANTHROPIC_AUTH_TOKEN: "t" }));
  const settings = serverSettings(() => ({ globalValue: "sk-ant-secret-value-123456" }));
  assert.ok(!JSON.stringify(settings).includes("apiKey"));
  assert.equal(redact("error sk-ant-secret-value-123456 at x", ["sk-ant-secret-value-123456"]), "error [REDACTED] at x");
  assert.equal(redact("sk-ant-abcdefghijkl leaked", []), "[REDACTED] leaked");
  assert.ok(looksLikeKey(""));
  assert.ok(looksLikeKey("has space in it 123456789"));
  assert.ok(looksLikeKey("short"));
  assert.equal(looksLikeKey("sk-ant-0123456789abcdefghij"), undefined);
});

function fakeHost(answer: string | undefined) {
  const store = new Map<string, string>();
  const messages: string[] = [];
  const host: KeyHost = {
    getSecret: async (id) => store.get(id),
    storeSecret: async (id, v) => void store.set(id, v),
    deleteSecret: async (id) => void store.delete(id),
    askPassword: async (_prompt, validate) => (answer !== undefined && validate(answer) === undefined ? answer : undefined),
    info: (m) => void messages.push(m),
  };
  return { host, store, messages };
}

test("set and clear the key in secret storage", async () => {
  const good = fakeHost("  sk-ant-0123456789abcdefghij  ");
  assert.equal(await setKey(good.host), true);
  assert.equal(good.store.get(SECRET_ID), "sk-ant-0123456789abcdefghij");
  assert.ok(good.messages.every((m) => !m.includes("sk-ant")));
  assert.equal(await clearKey(good.host), true);
  assert.equal(good.store.size, 0);
  assert.equal(await clearKey(good.host), false);
  const cancelled = fakeHost(undefined);
  assert.equal(await setKey(cancelled.host), false);
  assert.equal(cancelled.store.size, 0);
});

test("document selectors: agent files among Markdown, plus backend code", () => {
  const selector = documentSelector(globsFromSettings({ subagent: ["prompts/*.md"], skill: "x" }));
  const markdown = selector.filter((f) => f.language === "markdown");
  assert.equal(markdown.length, AGENT_PATTERNS.length + 1);
  assert.ok(markdown.every((f) => typeof f.pattern === "string" && f.pattern.endsWith(".md")));
  assert.ok(markdown.some((f) => f.pattern === "**/prompts/*.md"));
  assert.ok(!markdown.some((f) => f.pattern === "**/*.md"));
  assert.deepEqual(selector.filter((f) => !f.pattern).map((f) => f.language), [
    "python",
    "sql",
    "typescript",
    "typescriptreact",
    "javascript",
    "javascriptreact",
    "go",
  ]);
  assert.deepEqual(globsFromSettings(undefined), []);
});

test("document selectors: Claude Code's JSON files, as JSON or JSON with comments", () => {
  const selector = documentSelector(globsFromSettings({ settings: ["conf/claude.json"] }));
  const json = selector.filter((f) => f.language === "json");
  assert.equal(json.length, CONFIG_PATTERNS.length + 1);
  assert.ok(json.some((f) => f.pattern === "**/conf/claude.json"));
  assert.equal(selector.filter((f) => f.language === "jsonc").length, json.length);
  assert.ok(!selector.some((f) => f.language === "markdown" && f.pattern?.endsWith(".json")));
});

test("status bar: server state and agent mode", () => {
  assert.match(statusFor("running", true, false).text, /\$\(cloud\)/);
  assert.match(statusFor("running", true, false).tooltip, /online/);
  assert.match(statusFor("running", false, false).tooltip, /no API key/);
  assert.match(statusFor("missing", true, true).tooltip, /not installed[\s\S]*offline \(setting\)/);
  assert.doesNotMatch(statusFor("stopped", true, true).text, /cloud/);
});
