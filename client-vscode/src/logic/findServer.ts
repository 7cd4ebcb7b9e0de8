// Where the subagent-lsp server is: explicit path, configured interpreter, the Python extension's
// active interpreter, then `subagent-lsp` on PATH. Pure logic: the file system is passed in.
import * as path from "path";

export interface ServerCommand {
  command: string;
  args: string[];
  source: "serverPath" | "interpreter" | "python-extension" | "PATH";
}

export interface FindOptions {
  serverPath: string;
  interpreter: string[];
  pythonExtensionInterpreter: string[] | undefined;
  platform: NodeJS.Platform;
  envPath: string;
  pathExt?: string;
  exists: (file: string) => boolean;
}

export const INSTALL_HINT =
  "subagent-lsp is not installed where the extension can find it. Install it with " +
  "`pipx install subagent-lsp` or `uv tool install subagent-lsp` (or `pip install subagent-lsp` " +
  "in the project's virtual environment), or set subagentLsp.serverPath (the subagent-lsp " +
  "executable) or subagentLsp.interpreter (a Python that has it).";

export function executableNames(name: string, platform: NodeJS.Platform, pathExt = ""): string[] {
  if (platform !== "win32") {
    return [name];
  }
  const exts = (pathExt || ".EXE;.CMD;.BAT;.COM").split(";").filter((e) => e.length > 0);
  return [name, ...exts.map((e) => name + e.toLowerCase()), ...exts.map((e) => name + e)];
}

export function searchPath(
  name: string,
  envPath: string,
  platform: NodeJS.Platform,
  exists: (file: string) => boolean,
  pathExt?: string,
): string | undefined {
  const sep = platform === "win32" ? ";" : ":";
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  for (const dir of envPath.split(sep)) {
    if (!dir) {
      continue;
    }
    for (const candidate of executableNames(name, platform, pathExt)) {
      const full = join(dir, candidate);
      if (exists(full)) {
        return full;
      }
    }
  }
  return undefined;
}

export function findServer(options: FindOptions): ServerCommand | { error: string } {
  const serve = ["serve"];
  if (options.serverPath.trim()) {
    const file = options.serverPath.trim();
    if (!options.exists(file)) {
      return { error: `subagentLsp.serverPath points to ${file}, which does not exist.` };
    }
    return { command: file, args: serve, source: "serverPath" };
  }
  if (options.interpreter.length > 0 && options.interpreter[0].trim()) {
    const [python, ...rest] = options.interpreter;
    return { command: python, args: [...rest, "-m", "subagent_lsp", ...serve], source: "interpreter" };
  }
  const fromExtension = options.pythonExtensionInterpreter;
  if (fromExtension && fromExtension.length > 0 && fromExtension[0]) {
    const [python, ...rest] = fromExtension;
    // The active environment's own subagent-lsp script, when it has one, else `python -m`.
    const paths = options.platform === "win32" ? path.win32 : path.posix;
    const binDir = paths.dirname(python);
    const script = executableNames("subagent-lsp", options.platform, options.pathExt)
      .map((n) => paths.join(binDir, n))
      .find((p) => options.exists(p));
    if (script) {
      return { command: script, args: serve, source: "python-extension" };
    }
    return { command: python, args: [...rest, "-m", "subagent_lsp", ...serve], source: "python-extension" };
  }
  const onPath = searchPath("subagent-lsp", options.envPath, options.platform, options.exists, options.pathExt);
  if (onPath) {
    return { command: onPath, args: serve, source: "PATH" };
  }
  return { error: INSTALL_HINT };
}
