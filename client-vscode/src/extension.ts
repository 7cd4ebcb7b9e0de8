// The thin client: find the server, start it over stdio, feed it settings, keep the key safe.
import * as fs from "fs";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  Trace,
  TransportKind,
} from "vscode-languageclient/node";
import { hasKey, redact, SECRET_ID, serverEnvironment } from "./logic/environment";
import { findServer } from "./logic/findServer";
import { clearKey, KeyHost, setKey } from "./logic/keys";
import { documentSelector, globsFromSettings } from "./logic/selectors";
import {
  affectsSettings,
  clientSetting,
  DeprecationLog,
  Inspector,
  needsRestart,
  OLD_SECTION,
  oldOnly,
  restartReason,
  SECTION,
  userSettings,
} from "./logic/settings";
import { statusFor, ServerState } from "./logic/status";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let serverState: ServerState = "stopped";
let keyPresent = false;
let deprecations: DeprecationLog;
// What the server got in initializationOptions (see droppedKeys).
let initialSettings: Record<string, unknown> = {};

async function pythonInterpreter(): Promise<string[] | undefined> {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (!python) {
    return undefined;
  }
  try {
    if (!python.isActive) {
      await python.activate();
    }
    const details = python.exports?.settings?.getExecutionDetails?.(vscode.workspace.workspaceFolders?.[0]?.uri);
    const command = details?.execCommand;
    return Array.isArray(command) && command.length > 0 ? command : undefined;
  } catch {
    return undefined;
  }
}

// inspect() over both the current and the old (agentLsp) section, optionally for one resource.
function inspector(scope?: vscode.ConfigurationScope): Inspector {
  return (section, key) => vscode.workspace.getConfiguration(section, scope).inspect(key);
}

// The server's settings: only what the user set (under either name), never VS Code's defaults.
function currentSettings(scope?: vscode.ConfigurationScope): Record<string, unknown> {
  const { settings, deprecated } = userSettings(inspector(scope));
  deprecations.report(deprecated);
  return settings;
}

function clientValue(key: string, fallback: unknown): unknown {
  const { value, deprecated } = clientSetting(inspector(), key, fallback);
  if (deprecated) {
    deprecations.report([key]);
  }
  return value;
}

function refreshStatus(): void {
  const s = statusFor(serverState, keyPresent, currentSettings().offline === true);
  status.text = s.text;
  status.tooltip = s.tooltip;
  status.show();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const found = findServer({
    serverPath: stringValue(clientValue("serverPath", "")),
    interpreter: stringList(clientValue("interpreter", [])),
    pythonExtensionInterpreter: await pythonInterpreter(),
    platform: process.platform,
    envPath: process.env.PATH ?? "",
    pathExt: process.env.PATHEXT,
    exists: (file) => fs.existsSync(file),
  });
  if ("error" in found) {
    serverState = "missing";
    refreshStatus();
    output.appendLine(found.error);
    const choice = await vscode.window.showErrorMessage(found.error, "Open settings");
    if (choice === "Open settings") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "subagentLsp");
    }
    return;
  }
  const apiKey = await context.secrets.get(SECRET_ID);
  const env = serverEnvironment(process.env, apiKey);
  keyPresent = hasKey(env);
  output.appendLine(`Starting ${found.command} ${found.args.join(" ")} (found via ${found.source}).`);
  const serverOptions: ServerOptions = {
    command: found.command,
    args: found.args,
    transport: TransportKind.stdio,
    options: { env },
  };
  initialSettings = currentSettings();
  // No `synchronize.configurationSection`: it would send the whole section, defaults included
  // (e.g. "select": []). Changes go out from onDidChangeConfiguration below, user-set keys only.
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(globsFromSettings(initialSettings.globs)),
    outputChannel: output,
    initializationOptions: { [SECTION]: initialSettings },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          // The server also asks for the old section (agentLsp). Its user-set values are already
          // in the new section's answer; VS Code's own answer for it would be its defaults
          // (agentTimeout 0, select []), which the server would take as the user's.
          return params.items.map((item, i) =>
            item.section === SECTION
              ? currentSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
              : item.section === OLD_SECTION
                ? {}
                : result[i],
          );
        },
      },
    },
  };
  client = new LanguageClient("subagentLsp", "subagent-lsp", serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    serverState = event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped";
    refreshStatus();
  });
  serverState = "starting";
  refreshStatus();
  try {
    await client.start();
    applyOldTrace();
  } catch (err) {
    serverState = "stopped";
    refreshStatus();
    const text = redact(String(err), [apiKey]);
    output.appendLine(`The server did not start: ${text}`);
    void vscode.window.showErrorMessage(`subagent-lsp: the server did not start (${text}).`);
  }
}

// The language client reads subagentLsp.trace.server itself; an old agentLsp.trace.server (with
// no new one) is applied on top, after the client's own refresh on each configuration change.
function applyOldTrace(): void {
  clientValue("trace.server", "off"); // says once when agentLsp.trace.server is set
  const value = oldOnly(inspector(), "trace.server");
  if (typeof value === "string" && value !== "off" && client?.isRunning()) {
    void client.setTrace(Trace.fromString(value)).catch(() => undefined);
  }
}

function stringValue(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

// Settings changed: send the server what the user set now, or restart it (see restartReason).
async function settingsChanged(context: vscode.ExtensionContext): Promise<void> {
  refreshStatus();
  if (!client || !client.isRunning()) {
    return;
  }
  const settings = currentSettings();
  const reason = restartReason(initialSettings, settings);
  if (reason) {
    output.appendLine(`Restarting the server: ${reason}.`);
    await restart(context);
    return;
  }
  await client
    .sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: settings } })
    .catch((err) => output.appendLine(`workspace/didChangeConfiguration failed: ${String(err)}`));
}

async function stop(): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop().catch(() => undefined);
  }
}

// Restarts run one after another, and one not yet begun serves every caller (it reads the key and
// settings when it begins). Storing the key fires both the command's restart and SecretStorage's
// onDidChange: run at once, they started two clients, and the second failed ("command
// 'subagent-lsp.askBackendDeveloper' already exists").
let restarts: Promise<void> = Promise.resolve();
let restartQueued = false;

function restart(context: vscode.ExtensionContext): Promise<void> {
  if (!restartQueued) {
    restartQueued = true;
    restarts = restarts
      .catch(() => undefined)
      .then(async () => {
        restartQueued = false;
        await stop();
        await start(context);
      });
  }
  return restarts;
}

function keyHost(context: vscode.ExtensionContext): KeyHost {
  return {
    getSecret: async (id) => context.secrets.get(id),
    storeSecret: async (id, value) => context.secrets.store(id, value),
    deleteSecret: async (id) => context.secrets.delete(id),
    askPassword: async (prompt, validate) =>
      vscode.window.showInputBox({ prompt, password: true, ignoreFocusOut: true, validateInput: validate }),
    info: (message) => void vscode.window.showInformationMessage(message),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("subagent-lsp");
  deprecations = new DeprecationLog((line) => output.appendLine(line));
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 50);
  status.command = "subagentLsp.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("subagentLsp.restartServer", () => restart(context)),
    vscode.commands.registerCommand("subagentLsp.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("subagentLsp.setApiKey", async () => {
      if (await setKey(keyHost(context))) {
        await restart(context);
      }
    }),
    vscode.commands.registerCommand("subagentLsp.clearApiKey", async () => {
      if (await clearKey(keyHost(context))) {
        await restart(context);
      }
    }),
    context.secrets.onDidChange((event) => {
      if (event.key === SECRET_ID) {
        void restart(context);
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const affects = (key: string) => event.affectsConfiguration(key);
      if (needsRestart(affects)) {
        void restart(context);
      } else if (affectsSettings(affects)) {
        void settingsChanged(context);
      }
      // After the language client's own listener has reset the trace from subagentLsp.trace.server.
      setTimeout(applyOldTrace, 0);
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
