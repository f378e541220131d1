import { readFile, writeFile } from 'node:fs/promises';

/**
 * Adds or replaces one secret in a local secrets file (`{ "<secret id>": <value> }`,
 * the file functions/shared/secrets.ts reads through LOCAL_SECRETS_FILE).
 */
export async function writeLocalSecret(file: string, id: string, value: unknown): Promise<void> {
  const all = JSON.parse((await readFile(file, 'utf8').catch(() => '')) || '{}') as Record<string, unknown>;
  all[id] = value;
  // Secrets: readable by their owner only (the mode applies when the file is created).
  await writeFile(file, JSON.stringify(all, null, 2), { mode: 0o600 });
}
