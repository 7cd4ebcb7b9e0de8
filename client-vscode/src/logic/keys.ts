// Setting and clearing the API key: SecretStorage only, through a password input box.
import { looksLikeKey, SECRET_ID } from "./environment";

export interface KeyHost {
  getSecret(id: string): Promise<string | undefined>;
  storeSecret(id: string, value: string): Promise<void>;
  deleteSecret(id: string): Promise<void>;
  askPassword(prompt: string, validate: (value: string) => string | undefined): Promise<string | undefined>;
  info(message: string): void;
}

export async function setKey(host: KeyHost): Promise<boolean> {
  const value = await host.askPassword(
    "Anthropic API key for the backend-developer agent (stored in VS Code's secret storage)",
    looksLikeKey,
  );
  if (value === undefined) {
    return false;
  }
  await host.storeSecret(SECRET_ID, value.trim());
  host.info("API key stored; the subagent-lsp server restarts to use it.");
  return true;
}

export async function clearKey(host: KeyHost): Promise<boolean> {
  const existing = await host.getSecret(SECRET_ID);
  if (!existing) {
    host.info("No API key is stored.");
    return false;
  }
  await host.deleteSecret(SECRET_ID);
  host.info("API key removed; the backend-developer actions use the offline engine.");
  return true;
}
