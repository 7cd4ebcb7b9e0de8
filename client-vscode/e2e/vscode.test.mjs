// The packaged extension in a real VS Code (code-server, in headless Chromium), checked through
// the UI as a user sees it: first with no settings at all (right after installing), then with
// workspace settings. `make vscode-e2e` runs it; screenshots of every step land in
// client-vscode/e2e/screenshots/ (or $E2E_SCREENSHOTS), and stay there when a step fails.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startCodeServer } from "./codeserver.mjs";
import { RATES_FIND, startStandIn } from "./standin.mjs";
import { launchBrowser, Steps, waitFor, Workbench } from "./workbench.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..", "..");
const vsix = process.env.VSIX || path.join(repo, "client-vscode", "subagent-lsp.vsix");
const serverExecutable = process.env.SUBAGENT_LSP_SERVER || path.join(repo, ".venv", "bin", "subagent-lsp");
const shots = process.env.E2E_SCREENSHOTS || path.join(here, "screenshots");
const workspace = path.join(here, "workspace");

fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

const brief = (problems) =>
  problems.map((p) => (p.code ? `${p.file}:${p.line} ${p.severity} ${p.source}(${p.code})` : `unreadable row: ${JSON.stringify(p.text)}`));

// A throwaway code-server and a browser on it, the folder trusted; `body` plays the user. On a
// failure code-server's log and VS Code's logs are kept next to the screenshots.
async function inWorkbench(name, options, body) {
  for (const file of [vsix, serverExecutable]) {
    assert.ok(fs.existsSync(file), `${file} is missing (make client; SUBAGENT_LSP_SERVER=...)`);
  }
  const server = await startCodeServer({ vsix, serverExecutable, workspace, ...options });
  let browser;
  let failed = true;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const vs = new Workbench(page);
    const step = new Steps(page, shots, name);

    await step.run("trust-folder", async () => {
      await vs.open(server.url);
      await vs.trustFolder();
    });
    await body({ page, vs, step, server });
    failed = false;
  } finally {
    await browser?.close();
    await server.stop();
    if (failed) {
      fs.copyFileSync(server.logFile, path.join(shots, `${name}-code-server.log`));
      const logs = path.join(server.userData, "logs");
      if (fs.existsSync(logs)) {
        fs.cpSync(logs, path.join(shots, `${name}-logs`), { recursive: true });
      }
    }
    // E2E_KEEP=1 keeps the throwaway HOME, user data and workspace for a look.
    if (!process.env.E2E_KEEP) {
      server.remove();
    }
  }
}

const serverStarts = (server) => server.outputChannel("subagent-lsp").match(/^Starting .*$/gm) ?? [];

async function scenario(name, { settings, expected, agent }, extra) {
  await inWorkbench(name, { workspaceSettings: settings }, async ({ page, vs, step, server }) => {

    await step.run("broken-agent-problems", async () => {
      await vs.quickOpen("db-tuner.md");
      await vs.showProblems();
      const rows = await waitFor("the broken agent file's problems", async () => {
        const all = (await vs.problems()).filter((p) => p.file === "db-tuner.md");
        return all.length >= expected.length ? all : undefined;
      });
      assert.deepEqual(brief(rows), expected);
    });

    await step.run("status-bar-running", async () => {
      const status = await waitFor("the status bar to say running", async () => {
        const s = await vs.status();
        return s.label.includes("subagent-lsp server: running") ? s : undefined;
      });
      assert.ok(status.label.includes(`backend-developer agent: ${agent}`), status.label);
      assert.ok(status.icons.some((c) => c.includes("codicon-check")), status.icons.join(" "));
    });

    await step.run("hover-model", async () => {
      const text = await vs.hover("model: claude-sonet", /^model \(subagent\)/);
      assert.match(text, /^model \(subagent\) — Model the subagent runs on/);
      assert.match(text, /Default: inherit/);
    });
    if (extra?.readmeShot) {
      await extra.readmeShot(page);
    }

    await step.run("quick-fix-applies", async () => {
      await vs.goTo(6, 17);
      const titles = await vs.codeActions();
      assert.ok(titles.includes("Change to `acceptEdits`"), titles.join(" | "));
      await vs.chooseAction("Change to `acceptEdits`");
      await waitFor("the fixed line", async () => (await vs.editorText()).includes("permissionMode: acceptEdits"));
      const rows = await waitFor("AGT030 to leave the Problems panel", async () => {
        const all = (await vs.problems()).filter((p) => p.file === "db-tuner.md");
        return all.some((p) => p.code === "AGT030") ? undefined : all;
      });
      assert.deepEqual(
        brief(rows),
        expected.filter((e) => !e.includes("AGT030")),
      );
    });

    await step.run("clean-agent-no-problems", async () => {
      await vs.quickOpen("code-reviewer.md");
      // A hover answers only once the server has the file: its diagnostics are out by then.
      await vs.hover("model: sonnet", /^model \(subagent\)/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const rows = await vs.problems();
      assert.deepEqual(brief(rows.filter((p) => p.file === "code-reviewer.md")), []);
      assert.ok(rows.some((p) => p.file === "db-tuner.md"), "the broken file's problems are still listed");
      assert.equal(await vs.squiggles(), 0);
    });

    await step.run("ask-backend-developer", async () => {
      const title = "Ask backend-developer: add error handling (offline engine)";
      const titles = await askActionsOffering(vs, page, title);
      assert.ok(titles.every((t) => !t.startsWith("Ask backend-developer") || t.endsWith("(offline engine)")), titles.join(" | "));
      await vs.chooseAction(title);
      await waitFor("the offline engine's edit", async () => /requests\.get\([^)]*timeout=/.test(await vs.editorText()));
    });

    const starts = () => serverStarts(server);
    await step.run("output-channel", async () => {
      const text = server.outputChannel("subagent-lsp");
      // Nothing set under the old names, nothing went wrong.
      assert.doesNotMatch(text, /agentLsp\.|\[Error|\[Warn/);
      assert.deepEqual(starts(), [`Starting ${path.join(server.home, ".local", "bin", "subagent-lsp")} serve (found via PATH).`]);
      // The panel shows that channel (its lines in view; the log on disk may lag the panel).
      await waitFor("the panel to show the channel", async () => {
        const shown = await vs.output("subagent-lsp");
        const now = server.outputChannel("subagent-lsp");
        return shown.split("\n").every((line) => now.includes(line.trim()));
      });
    });

    await step.run("restart-server", async () => {
      await vs.command("subagent-lsp: Restart server");
      await waitFor("the server to run again", async () =>
        starts().length === 2 && (await vs.status()).label.includes("server: running"),
      );
      await vs.quickOpen("db-tuner.md");
      await vs.showProblems();
      await waitFor("the problems after the restart", async () =>
        (await vs.problems()).some((p) => p.file === "db-tuner.md" && p.code === "AGT032"),
      );
    });

    if (extra?.more) {
      await extra.more(vs, step, server);
    }

    await step.run("no-error-notification", async () => {
      const notes = await vs.notifications();
      const ours = notes.filter((n) => /^error/i.test(n) || /subagent/i.test(n));
      assert.deepEqual(ours, []);
    });
  });
}

// The code actions on app.py's upstream call (line 46), once one of them is `title`; the menu
// is closed and asked again until the server's analysis has come in (a server restarted with
// the key may answer nothing at first, and later than 30 s on a loaded machine).
async function askActionsOffering(vs, page, title) {
  await vs.quickOpen("app.py");
  await vs.goTo(46, 13);
  return waitFor(
    "the Ask backend-developer actions",
    async () => {
      const all = await vs.codeActions();
      if (all.includes(title)) {
        return all;
      }
      await page.keyboard.press("Escape");
      return undefined;
    },
    90_000,
  );
}

test("with the settings a user has right after installing (none)", { timeout: 300_000 }, async () => {
  await scenario(
    "defaults",
    {
      // An unknown model is an error: Claude Code sends it as written and the spawn fails.
      expected: [
        "db-tuner.md:5 Error subagent-lsp(AGT032)",
        "db-tuner.md:4 Warning subagent-lsp(AGT040)",
        "db-tuner.md:6 Warning subagent-lsp(AGT030)",
      ],
      agent: "offline (no API key)",
    },
    {
      // For client-vscode/README.md: the problems and the hover at once.
      readmeShot: async (page) => {
        const editor = await page.locator(".part.editor").boundingBox();
        const last = await page.locator(".markers-panel .monaco-list-row").last().boundingBox();
        await page.screenshot({
          path: path.join(shots, "readme-problems-hover.png"),
          clip: { x: editor.x, y: editor.y, width: editor.width, height: last.y + last.height + 12 - editor.y },
        });
      },
    },
  );
});

test("with workspace settings", { timeout: 300_000 }, async () => {
  await scenario(
    "workspace-settings",
    {
      settings: {
        "subagentLsp.ignore": ["AGT040"],
        "subagentLsp.severity": { AGT032: "warning" },
        "subagentLsp.offline": true,
      },
      expected: ["db-tuner.md:5 Warning subagent-lsp(AGT032)", "db-tuner.md:6 Warning subagent-lsp(AGT030)"],
      agent: "offline (setting)",
    },
    {
      // A setting changed while VS Code runs takes effect without a reload.
      more: async (vs, step, server) => {
        await step.run("setting-changed-live", async () => {
          fs.writeFileSync(
            path.join(server.folder, ".vscode", "settings.json"),
            JSON.stringify({ "subagentLsp.severity": { AGT032: "warning" }, "subagentLsp.offline": true }),
          );
          await waitFor("AGT040 back in the Problems panel", async () =>
            (await vs.problems()).some((p) => p.file === "db-tuner.md" && p.code === "AGT040"),
          );
        });
      },
    },
  );
});

// The key set through the extension's own command (SecretStorage), the API a stand-in on
// 127.0.0.1 (ANTHROPIC_BASE_URL from ~/.profile): the agent's edit is previewed, then applied.
test("with an API key and the backend-developer agent online", { timeout: 300_000 }, async () => {
  const key = "sk-ant-test-0000-e2e-not-a-real-key";
  const api = await startStandIn();
  try {
    await inWorkbench("agent", { profileEnv: { ANTHROPIC_BASE_URL: api.url } }, async ({ page, vs, step, server }) => {
      await step.run("status-bar-no-key", async () => {
        await waitFor("the status bar to say running, with no key", async () => {
          const s = await vs.status();
          return s.label.includes("server: running") && s.label.includes("agent: offline (no API key)");
        });
      });

      await step.run("set-api-key", async () => {
        await vs.command("subagent-lsp: Set Anthropic API key");
        const input = page.locator(".quick-input-widget input");
        await input.waitFor({ state: "visible" });
        assert.equal(await input.getAttribute("type"), "password");
        await input.fill(key);
        await page.keyboard.press("Enter");
        await page.locator(".quick-input-widget").waitFor({ state: "hidden" });
      });

      await step.run("status-bar-online", async () => {
        const status = await waitFor("the status bar to say the agent is online", async () => {
          const s = await vs.status();
          return s.label.includes("server: running") && s.label.includes("agent: online (API key set)") ? s : undefined;
        });
        assert.ok(status.icons.some((c) => c.includes("codicon-cloud")), status.icons.join(" "));
        assert.ok(serverStarts(server).length >= 2, "the server restarted with the key");
      });

      await step.run("ask-backend-developer-agent", async () => {
        const title = "Ask backend-developer: add error handling";
        const titles = await askActionsOffering(vs, page, title);
        assert.ok(titles.every((t) => !t.includes("(offline engine)")), titles.join(" | "));
        await vs.chooseAction(title);
        const [call] = await waitFor("the agent's call to the API", async () => (api.messages().length > 0 ? api.messages() : undefined));
        // The SDK sends the key as x-api-key or, in newer versions, as a bearer token.
        const sent = [call.headers["x-api-key"], (call.headers.authorization ?? "").replace(/^Bearer /, "")];
        assert.ok(sent.includes(key), `the key was not sent: ${JSON.stringify(Object.keys(call.headers))}`);
        const tools = call.body.tools ?? [];
        assert.ok(tools.some((t) => t.name === "propose_changes"), JSON.stringify(tools.map((t) => t.name)));
        assert.ok(call.raw.includes(JSON.stringify(RATES_FIND.trim()).slice(1, -1)), "the code around the cursor was sent");
      });

      await step.run("agent-edit-preview", async () => {
        const panel = page.locator(".bulk-edit-panel");
        await panel.waitFor({ state: "visible", timeout: 30_000 });
        await waitFor("the edit in the Refactor Preview", async () =>
          (await panel.innerText()).includes('response = requests.get(RATES_URL, params={"base": "EUR"}'),
        );
        // Nothing is written before the user looks: the change awaits confirmation (unticked).
        assert.doesNotMatch(fs.readFileSync(path.join(server.folder, "app", "app.py"), "utf8"), /raise_for_status/);
        const boxes = panel.locator(".monaco-list-row input[type=checkbox]");
        assert.equal(await boxes.count(), 2, "a box for the file and one for the change");
        assert.deepEqual([await boxes.nth(0).isChecked(), await boxes.nth(1).isChecked()], [false, false]);
        // The user ticks the change, then selects it: VS Code shows it side by side.
        await boxes.nth(1).click();
        await waitFor("the change ticked", async () => boxes.nth(1).isChecked());
        await panel.locator(".monaco-list-row").nth(1).click({ position: { x: 300, y: 10 } });
        await page.locator(".monaco-diff-editor").first().waitFor({ state: "visible", timeout: 15_000 });
        await waitFor("the diff to show the new lines", async () =>
          (await page.locator(".monaco-diff-editor .modified").first().innerText()).includes("raise_for_status"),
        );
        // For client-vscode/README.md: the editor and the preview, without the toast over them.
        const editor = await page.locator(".part.editor").boundingBox();
        const bottom = await page.locator(".part.panel").boundingBox();
        await page.screenshot({
          path: path.join(shots, "readme-agent-edit-preview.png"),
          clip: { x: editor.x, y: editor.y, width: editor.width, height: bottom.y + bottom.height - editor.y },
          style: ".notifications-toasts { visibility: hidden !important; }",
        });
      });

      await step.run("agent-edit-applied", async () => {
        const panel = page.locator(".bulk-edit-panel");
        const apply = panel.getByRole("button", { name: "Apply" });
        await waitFor("the Apply button to be enabled", async () => apply.isEnabled());
        await apply.click();
        await waitFor("the agent's edit in the editor", async () =>
          /timeout=5\)\s*response\.raise_for_status\(\)/.test(await vs.editorText()),
        );
        assert.equal(api.messages().length, 1, "one call for one action");
        await page.keyboard.press("Control+S");
        await waitFor("the edit saved to app.py", async () =>
          fs.readFileSync(path.join(server.folder, "app", "app.py"), "utf8").includes("    response.raise_for_status()\n"),
        );
      });

      await step.run("output-channel-no-key", async () => {
        const text = server.outputChannel("subagent-lsp");
        assert.ok(text.length > 0);
        assert.ok(!text.includes(key), "the key is in the output channel");
        // vscode-languageclient logs every stopped server's exit as an error, even code 0.
        const errors = text.match(/^\[Error.*$/gm) ?? [];
        assert.deepEqual(errors.filter((e) => !/\] Server process exited with code 0\.$/.test(e)), []);
        // Nor anywhere in VS Code's logs (extension host, shared process, the server's stderr).
        const logs = fs.readdirSync(path.join(server.userData, "logs"), { recursive: true, withFileTypes: true });
        for (const f of logs.filter((e) => e.isFile())) {
          const file = path.join(f.parentPath ?? f.path, f.name);
          assert.ok(!fs.readFileSync(file, "utf8").includes(key), `the key is in ${file}`);
        }
      });

      await step.run("no-error-notification", async () => {
        const notes = await vs.notifications();
        const ours = notes.filter((n) => /^error/i.test(n) || /subagent|backend-developer/i.test(n));
        // Only the word that the key was stored: no error, no warning about the agent's answer.
        assert.deepEqual(
          ours.map((n) => n.replace(/, source: .*$/, "")),
          ["API key stored; the subagent-lsp server restarts to use it."],
        );
      });
    });
  } finally {
    await api.stop();
  }
});
