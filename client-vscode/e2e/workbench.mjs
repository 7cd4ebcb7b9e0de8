// What a user does and sees in the VS Code workbench, through the DOM of code-server's page:
// keyboard shortcuts, the Problems panel's rows, hovers, the code action menu, the status bar,
// the notification center. Every wait is bounded and says what it waited for.
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium } from "playwright-core";

// The flags a headless Chromium needs on a machine without a network or a GPU.
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

export async function waitFor(what, probe, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) {
        return last;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what} (last: ${String(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// Numbered screenshots of each step of one scenario, and of the page when a step fails.
export class Steps {
  constructor(page, dir, scenario) {
    this.page = page;
    this.dir = dir;
    this.scenario = scenario;
    this.n = 0;
    fs.mkdirSync(dir, { recursive: true });
  }

  async run(name, fn) {
    this.n += 1;
    const file = path.join(this.dir, `${this.scenario}-${String(this.n).padStart(2, "0")}-${name}`);
    try {
      const result = await fn();
      await this.page.screenshot({ path: `${file}.png` });
      return result;
    } catch (err) {
      await this.page.screenshot({ path: `${file}-FAILED.png` }).catch(() => undefined);
      err.message = `${this.scenario} / ${name}: ${err.message}\n(screenshot: ${file}-FAILED.png)`;
      throw err;
    }
  }
}

export class Workbench {
  constructor(page) {
    this.page = page;
  }

  async open(url) {
    await this.page.goto(url);
    await this.page.waitForSelector(".monaco-workbench", { timeout: 60_000 });
  }

  // A fresh VS Code asks whether to trust the folder; an untrusted one runs no extension of ours.
  async trustFolder() {
    await this.page.getByRole("button", { name: "Yes, I trust the authors" }).click({ timeout: 60_000 });
    await waitFor("the trust dialog to close", async () => (await this.page.locator(".monaco-dialog-box").count()) === 0);
  }

  async quickOpen(fileName) {
    await this.closeQuickInput();
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(fileName);
    // The focused row, once the list is filtered: before, Enter would open the last file again.
    await waitFor(`${fileName} first in Quick Open`, async () =>
      ((await this.page.locator(".quick-input-list .monaco-list-row.focused").getAttribute("aria-label")) ?? "").startsWith(
        `${fileName} `,
      ),
    );
    await this.page.keyboard.press("Enter");
    await waitFor(`the editor tab of ${fileName}`, async () =>
      (await this.page.locator(".tab.active", { hasText: fileName }).count()) > 0,
    );
    await this.page.locator(".editor-instance .monaco-editor .view-lines").first().waitFor();
  }

  async closeQuickInput() {
    const widget = this.page.locator(".quick-input-widget");
    if ((await widget.count()) > 0 && (await widget.isVisible())) {
      await this.page.keyboard.press("Escape");
      await widget.waitFor({ state: "hidden" });
    }
  }

  async command(label) {
    await this.closeQuickInput();
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`>${label}`);
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: label }).first();
    await row.waitFor({ state: "visible" });
    await row.click();
  }

  async goTo(line, column) {
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press("Enter");
    await waitFor(`the cursor at Ln ${line}, Col ${column}`, async () =>
      (await this.page.locator("#status\\.editor\\.selection").innerText()).includes(`Ln ${line}, Col ${column}`),
    );
  }

  editorLine(text) {
    return this.page.locator(".editor-instance .view-lines .view-line", { hasText: text }).first();
  }

  async editorText() {
    const lines = await this.page.locator(".editor-instance .view-lines .view-line").evaluateAll((els) =>
      els
        .map((e) => ({ top: parseFloat(e.style.top) || 0, text: e.textContent.replace(/\u00a0/g, " ") }))
        .sort((a, b) => a.top - b.top)
        .map((l) => l.text),
    );
    return lines.join("\n");
  }

  async squiggles() {
    return this.page.locator(".editor-instance .view-overlays [class*='squiggly-']").count();
  }

  async showProblems() {
    if ((await this.page.locator(".markers-panel").count()) === 0 || !(await this.page.locator(".markers-panel").isVisible())) {
      await this.page.keyboard.press("Control+Shift+M");
    }
    await this.page.locator(".markers-panel").waitFor({ state: "visible" });
  }

  // The Problems panel: one entry per marker, with its file (the row above it), severity, source,
  // code, line and column as the panel shows them.
  async problems() {
    const rows = await this.page
      .locator(".markers-panel .monaco-list-row")
      .evaluateAll((els) => els.map((e) => ({ label: e.getAttribute("aria-label") || "", text: e.innerText })));
    const out = [];
    let file = "";
    for (const row of rows) {
      const fileRow = /problems? in file (\S+)/.exec(row.label);
      if (fileRow) {
        file = fileRow[1];
        continue;
      }
      // "source(code) [Ln 4, Col 20]" on screen; the parentheses are CSS, not text.
      const m = /([\w.-]+)\s*\(?\s*(\w+)\s*\)?\s*\[\s*Ln (\d+), Col (\d+)\s*\]/.exec(row.text);
      out.push({
        file,
        severity: (/^(Error|Warning|Info|Hint)/.exec(row.label) ?? ["", "?"])[1],
        source: m?.[1],
        code: m?.[2],
        line: m ? Number(m[3]) : undefined,
        column: m ? Number(m[4]) : undefined,
        text: m ? undefined : row.text,
        message: row.label.replace(/^\w+: /, "").replace(/ at line \d+.*$/, ""),
      });
    }
    return out;
  }

  // Moves the mouse over the first characters of the editor line holding `text`, until a hover
  // that `expected` matches shows. Lines move when code lenses arrive, so the line is measured
  // until it stays put, and a hover of the line that was there before is tried again.
  async hover(text, expected) {
    return waitFor(`a hover over "${text}" matching ${expected}`, async () => {
      await this.page.mouse.move(1, 1);
      await waitFor("no hover", async () => !(await this.hoverVisible()));
      const line = this.editorLine(text);
      const box = await waitFor(`the line "${text}" to stay put`, async () => {
        const before = await line.boundingBox();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const after = await line.boundingBox();
        return before && after && before.y === after.y ? after : undefined;
      });
      await this.page.mouse.move(box.x + 12, box.y + box.height / 2);
      const shown = await waitFor(`a hover over "${text}"`, async () => {
        const texts = await this.page.locator(".monaco-hover:visible .hover-contents").allInnerTexts();
        return texts.join("\n").trim();
      }, 10_000);
      return expected.test(shown) ? shown : undefined;
    }, 60_000);
  }

  async hoverVisible() {
    return (await this.page.locator(".monaco-hover:visible .hover-contents").count()) > 0;
  }

  // Ctrl+. at the cursor: the titles of the code action menu, or [] when VS Code says there are
  // none (a server still starting answers nothing yet: the caller may ask again).
  async codeActions(timeout = 10_000) {
    await this.page.mouse.move(1, 1);
    await this.page.keyboard.press("Control+.");
    return waitFor(
      "the code action menu",
      async () => {
        const labels = await this.page
          .locator(".action-widget .monaco-list-row.action")
          .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") || e.innerText));
        if (labels.length > 0) {
          return labels;
        }
        const none = this.page.locator(".monaco-editor-overlaymessage", { hasText: "No code actions available" });
        return (await none.count()) > 0 ? [] : undefined;
      },
      timeout,
    );
  }

  async chooseAction(title) {
    // By keyboard: the menu blocks the pointer (an overlay) until the mouse has moved over it.
    const rows = this.page.locator(".action-widget .monaco-list-row.action");
    for (let i = 0; ; i++) {
      const focused = await rows.and(this.page.locator(".focused")).getAttribute("aria-label");
      if (focused === title) {
        break;
      }
      if (i > (await rows.count())) {
        throw new Error(`no "${title}" in the code action menu`);
      }
      await this.page.keyboard.press("ArrowDown");
    }
    await this.page.keyboard.press("Enter");
    await waitFor("the code action menu to close", async () =>
      (await this.page.locator(".action-widget .monaco-list-row.action").count()) === 0,
    );
  }

  statusItem() {
    return this.page.locator('[id="subagent-lsp.subagent-lsp"]');
  }

  async status() {
    const item = this.statusItem();
    return {
      label: (await item.getAttribute("aria-label")) ?? "",
      icons: await item.locator(".codicon").evaluateAll((els) => els.map((e) => e.className)),
    };
  }

  // Every notification so far (toasts that hid themselves included), as their aria-labels.
  async notifications() {
    await this.command("Notifications: Show Notifications");
    await this.page.locator(".notifications-center").waitFor({ state: "visible" });
    const labels = await this.page
      .locator(".notifications-center .monaco-list-row")
      .evaluateAll((els) => els.map((e) => e.getAttribute("aria-label") || e.innerText));
    await this.page.keyboard.press("Escape");
    return labels;
  }

  // The text of the Output panel's channel `name`.
  async output(name) {
    await this.command("Output: Show Output Channels...");
    const row = this.page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first();
    await row.waitFor({ state: "visible" });
    await row.click();
    return waitFor(`text in the ${name} output channel`, () => this.outputText());
  }

  // The text of the channel the Output panel shows now.
  async outputText() {
    const lines = this.page.locator(".part.panel .monaco-editor .view-lines").first();
    await lines.waitFor({ state: "visible" });
    return (await lines.innerText()).replace(/\u00a0/g, " ").trim();
  }
}
