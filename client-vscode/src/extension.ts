// The thin client: find the server, start it over stdio, feed it settings, keep the key safe.
import * as fs from "fs";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { hasKey, redact, SECRET_ID, serverEnvironment } from "./logic/environment";
import { findServer } from "./logic/findServer";
import { clearKey, KeyHost, setKey } from "./logic/keys";
import { documentSelector, globsFromSettings } from "./logic/selectors";
import { needsRestart, SECTION, serverSettings } from "./logic/settings";
import { statusFor, ServerState } from "./logic/status";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let serverState: ServerState = "stopped";
let keyPresent = false;

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

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

function refreshStatus(): void {
  const s = statusFor(serverState, keyPresent, Boolean(config().get("offline")));
  status.text = s.text;
  status.tooltip = s.tooltip;
  status.show();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const settings = config();
  const found = findServer({
    serverPath: settings.get<string>("serverPath", ""),
    interpreter: settings.get<string[]>("interpreter", []),
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
      await vscode.commands.executeCommand("workbench.action.openSettings", "agentLsp");
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
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(globsFromSettings(settings.get("globs"))),
    outputChannel: output,
    initializationOptions: { [SECTION]: serverSettings((k) => settings.get(k)) },
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          const current = config();
          return params.items.map((item, i) =>
            item.section === SECTION ? serverSettings((k) => current.get(k)) : result[i],
          );
        },
      },
    },
  };
  client = new LanguageClient("agentLsp", "agent-lsp", serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    serverState = event.newState === State.Running ? "running" : event.newState === State.Starting ? "starting" : "stopped";
    refreshStatus();
  });
  serverState = "starting";
  refreshStatus();
  try {
    await client.start();
  } catch (err) {
    serverState = "stopped";
    refreshStatus();
    const text = redact(String(err), [apiKey]);
    output.appendLine(`The server did not start: ${text}`);
    void vscode.window.showErrorMessage(`agent-lsp: the server did not start (${text}).`);
  }
}

async function stop(): Promise<void> {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop().catch(() => undefined);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
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
  output = vscode.window.createOutputChannel("agent-lsp");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 50);
  status.command = "agentLsp.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("agentLsp.restartServer", () => restart(context)),
    vscode.commands.registerCommand("agentLsp.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("agentLsp.setApiKey", async () => {
      if (await setKey(keyHost(context))) {
        await restart(context);
      }
    }),
    vscode.commands.registerCommand("agentLsp.clearApiKey", async () => {
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
      if (needsRestart((key) => event.affectsConfiguration(key))) {
        void restart(context);
      } else if (event.affectsConfiguration(SECTION)) {
        refreshStatus();
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
