// Which documents the server gets: agent files among Markdown files (by path pattern), and
// backend code. A Markdown README elsewhere is never sent.
export interface DocumentFilter {
  language: string;
  scheme: string;
  pattern?: string;
}

export const AGENT_PATTERNS = [
  "**/.claude/agents/**/*.md",
  "**/agents/**/*.md",
  "**/.claude/skills/*/SKILL.md",
  "**/skills/*/SKILL.md",
  "**/.claude/commands/**/*.md",
  // memory files: their @imports are checked and navigable
  "**/CLAUDE.md",
  "**/CLAUDE.local.md",
  "**/.claude/rules/**/*.md",
];

// Claude Code's JSON configuration files (settings, MCP servers, plugin manifests and hooks).
export const CONFIG_PATTERNS = [
  "**/.claude/settings.json",
  "**/.claude/settings.local.json",
  "**/managed-settings.json",
  "**/managed-settings.d/*.json",
  "**/.mcp.json",
  "**/.claude-plugin/plugin.json",
  "**/.claude-plugin/marketplace.json",
  "**/hooks/hooks.json",
];

// Backend code the backend-developer reviews (VS Code's language ids).
export const BACKEND_LANGUAGES = [
  "python",
  "sql",
  "typescript",
  "typescriptreact",
  "javascript",
  "javascriptreact",
  "go",
];

export function documentSelector(extraPatterns: string[] = []): DocumentFilter[] {
  const patterns = [...AGENT_PATTERNS, ...extraPatterns];
  const json = [...CONFIG_PATTERNS, ...patterns.filter((p) => p.endsWith(".json"))];
  return [
    ...patterns
      .filter((pattern) => !pattern.endsWith(".json"))
      .map((pattern) => ({ scheme: "file", language: "markdown", pattern })),
    // VS Code may open them as JSON or as JSON with comments: either way they are sent.
    ...json.flatMap((pattern) =>
      ["json", "jsonc"].map((language) => ({ scheme: "file", language, pattern })),
    ),
    ...BACKEND_LANGUAGES.map((language) => ({ scheme: "file", language })),
  ];
}

export function globsFromSettings(globs: unknown): string[] {
  if (!globs || typeof globs !== "object") {
    return [];
  }
  const out: string[] = [];
  for (const value of Object.values(globs as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === "string") {
          out.push(item.startsWith("**/") || item.startsWith("/") ? item : `**/${item}`);
        }
      }
    }
  }
  return out;
}
