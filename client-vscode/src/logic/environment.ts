// The server's environment: the key reaches the server only here, never through settings.
export const KEY_VARIABLE = "ANTHROPIC_API_KEY";
export const SECRET_ID = "subagentLsp.anthropicApiKey";

export function serverEnvironment(
  base: Record<string, string | undefined>,
  apiKey: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined) {
      env[name] = value;
    }
  }
  if (apiKey) {
    env[KEY_VARIABLE] = apiKey;
  }
  return env;
}

export function hasKey(env: Record<string, string | undefined>): boolean {
  return Boolean(env[KEY_VARIABLE] || env["ANTHROPIC_AUTH_TOKEN"]);
}

// Anything that might be logged goes through this first.
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      out = out.split(secret).join("[REDACTED]");
    }
  }
  return out.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, "[REDACTED]");
}

export function looksLikeKey(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) {
    return "The key is empty.";
  }
  if (/\s/.test(trimmed)) {
    return "An API key has no spaces.";
  }
  if (trimmed.length < 20) {
    return "That is too short to be an Anthropic API key.";
  }
  return undefined;
}
