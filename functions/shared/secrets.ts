import { readFile } from 'node:fs/promises';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import type { $ZodType, output } from 'zod/v4/core';
import { clientSettings } from './aws';
import { PermanentError } from './errors';

/**
 * Secrets come from Secrets Manager through Powertools parameters (cached for
 * `maxAge` seconds across warm invocations), or — for runs without AWS — from the
 * JSON file named by LOCAL_SECRETS_FILE (`{ "<secret id>": <value> }`).
 * Values are never logged; errors name the secret id only.
 */
const DEFAULT_MAX_AGE_SECONDS = 300;

let provider: SecretsProvider | undefined;
function secretsProvider(): SecretsProvider {
  provider ??= new SecretsProvider({
    awsSdkV3Client: new SecretsManagerClient(clientSettings('SECRETS_MANAGER')),
  });
  return provider;
}

async function readLocalSecret(file: string, secretId: string): Promise<unknown> {
  const all = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  if (!(secretId in all)) {
    throw new PermanentError(`Secret "${secretId}" is not in the local secrets file ${file}`);
  }
  const value = all[secretId];
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export async function getSecretJson<S extends $ZodType>(
  secretId: string,
  schema: S,
  options: { maxAgeSeconds?: number; forceFetch?: boolean } = {},
): Promise<output<S>> {
  const localFile = process.env.LOCAL_SECRETS_FILE;
  let raw: unknown;
  try {
    raw = localFile
      ? await readLocalSecret(localFile, secretId)
      : await secretsProvider().get(secretId, {
          maxAge: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
          forceFetch: options.forceFetch ?? false,
          transform: 'json',
        });
  } catch (error) {
    if (error instanceof PermanentError) throw error;
    // The SDK error never carries the value; keep only its name and message.
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    throw new PermanentError(`Could not read secret "${secretId}" (${reason})`);
  }
  const parsed = z.safeParse(schema, raw);
  if (!parsed.success) {
    // Report which keys are wrong, never their values.
    const keys = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new PermanentError(`Secret "${secretId}" has an unexpected shape (check: ${keys})`);
  }
  return parsed.data;
}

/** For tests: forget the cached provider (and so its cache). */
export function resetSecretsCache(): void {
  provider = undefined;
}
