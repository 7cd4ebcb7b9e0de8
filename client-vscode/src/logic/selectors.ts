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

export function documentSelector(extraPatterns: string[] = []): DocumentFilter[] {
  const patterns = [...AGENT_PATTERNS, ...extraPatterns];
  return [
    ...patterns.map((pattern) => ({ scheme: "file", language: "markdown", pattern })),
    { scheme: "file", language: "python" },
    { scheme: "file", language: "sql" },
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
