// A throwaway code-server: its own HOME, user data and extensions, the .vsix installed through
// its CLI, listening on 127.0.0.1 only. The server is found as a user's install is: the
// subagent-lsp executable in ~/.local/bin (where pipx and `uv tool` put it), on the PATH that
// ~/.profile sets. VS Code's server takes the extension host's environment from a login shell,
// which on Debian resets PATH, so only a ~/.profile line like this one reaches the extension.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const entry = path.join(here, "node_modules", "code-server", "out", "node", "entry.js");

function scrubbedEnv(home) {
  const env = { ...process.env };
  // The offline engine must answer, whatever the machine has.
  delete env.ANTHROPIC_API_KEY;
  delete env.ANTHROPIC_AUTH_TOKEN;
  for (const key of Object.keys(env)) {
    if (key.startsWith("VSCODE_") || key.startsWith("CODE_SERVER_")) {
      delete env[key];
    }
  }
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    XDG_DATA_HOME: path.join(home, ".local", "share"),
    XDG_CACHE_HOME: path.join(home, ".cache"),
    PATH: `${path.join(home, ".local", "bin")}${path.delimiter}${env.PATH ?? ""}`,
    // No extension marketplace: nothing here may leave the machine.
    EXTENSIONS_GALLERY: "{}",
  };
}

// Copies `workspace` to a fresh folder, installs `vsix`, starts code-server on a free port.
// `profileEnv` is exported from ~/.profile, as a user sets ANTHROPIC_BASE_URL for a gateway.
export async function startCodeServer({ vsix, serverExecutable, workspace, workspaceSettings, profileEnv = {} }) {
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run client-vscode/e2e/setup.sh first`);
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "subagent-lsp-e2e-"));
  const home = path.join(base, "home");
  const userData = path.join(base, "user-data");
  const extensions = path.join(base, "extensions");
  const folder = path.join(base, "workspace");
  fs.mkdirSync(path.join(home, ".local", "bin"), { recursive: true });
  const exports = Object.entries(profileEnv).map(([name, value]) => `export ${name}='${value}'\n`);
  fs.writeFileSync(path.join(home, ".profile"), ['PATH="$HOME/.local/bin:$PATH"\n', ...exports].join(""));
  fs.symlinkSync(serverExecutable, path.join(home, ".local", "bin", "subagent-lsp"));
  fs.cpSync(workspace, folder, { recursive: true });
  // The backend file is the repository's own example (not a copy kept here).
  fs.cpSync(path.join(here, "..", "..", "examples", "backend", "flask_shop"), path.join(folder, "app"), {
    recursive: true,
  });
  if (workspaceSettings) {
    fs.mkdirSync(path.join(folder, ".vscode"));
    fs.writeFileSync(path.join(folder, ".vscode", "settings.json"), JSON.stringify(workspaceSettings, null, 2));
  }
  const config = path.join(base, "config.yaml");
  fs.writeFileSync(config, "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");
  const env = scrubbedEnv(home);
  const common = ["--config", config, "--user-data-dir", userData, "--extensions-dir", extensions];

  const install = spawnSync(process.execPath, [entry, ...common, "--install-extension", vsix], {
    env,
    encoding: "utf8",
  });
  if (install.status !== 0 || !/successfully installed/.test(install.stdout)) {
    throw new Error(`installing ${vsix} failed:\n${install.stdout}\n${install.stderr}`);
  }

  const logFile = path.join(base, "code-server.log");
  const log = fs.createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [entry, ...common, "--disable-telemetry", "--disable-update-check", folder],
    // Its own process group, so that stop() also ends the extension host and our server.
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = await new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${seen}`)), 60_000);
    child.stdout.on("data", (chunk) => {
      seen += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}):\n${seen}`));
    });
  });
  return {
    url: `${url}/?folder=${encodeURIComponent(folder)}`,
    folder,
    home,
    logFile,
    userData,
    // All an output channel has said: VS Code keeps each channel in a file of the session's logs
    // (the panel shows only the lines in view).
    outputChannel(name) {
      const found = [];
      const walk = (dir) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) {
            walk(p);
          } else if (new RegExp(`^\\d+-${name}\\.log$`).test(e.name) && dir.includes("output_logging_")) {
            found.push(p);
          }
        }
      };
      walk(path.join(userData, "logs"));
      return found.map((f) => fs.readFileSync(f, "utf8")).join("");
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid, "SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      }
      try {
        process.kill(-child.pid, "SIGKILL"); // whatever of the group is left
      } catch {
        // the group is gone
      }
      log.end();
    },
    remove() {
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
