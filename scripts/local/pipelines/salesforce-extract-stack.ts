import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import * as z from 'zod/mini';
import { repositoryRoot } from '../../../functions/shared/assets';
import { salesforceSecretSchema, type SalesforceSecret } from '../../../functions/salesforce-extract/secret';
import { UsageError } from '../../lib/args';
import type { FakeSalesforce } from '../../fakes/salesforce/server';

/**
 * Where `npm run local -- salesforce-extract` keeps its files and which org it talks to.
 *
 * Storage: the S3 and DynamoDB that AWS_ENDPOINT_URL(_S3/_DYNAMODB) name, else the running
 * `npm run local -- up` stack, else its own S3 and DynamoDB kept in SALESFORCE_EXTRACT_DATA_DIR
 * (default .local/salesforce-extract/). Not a throw-away stack: watermarks are the point of an
 * incremental run, and a second run must find the first run's. No PostgreSQL: nothing here uses it.
 *
 * Org: the fake (scripts/fakes/salesforce), unless SALESFORCE_SECRET_FILE names a secret file.
 */
export const DEFAULT_DATA_DIR = '.local/salesforce-extract';

export interface Storage {
  env: Record<string, string>;
  description: string;
  release(): Promise<void>;
}

export async function acquireStorage(env: NodeJS.ProcessEnv = process.env): Promise<Storage> {
  // Imported on first use: loading the descriptor (usage, the registry) starts no servers.
  const { findRunningStack, stackEnvFile, startStack } = await import('../stack');
  const given = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB'].filter(
    (k) => env[k],
  );
  if (!given.length) {
    const running = await findRunningStack(stackEnvFile(env));
    if (running.state === 'running') {
      return withLedger(
        {
          env: running.env,
          description: `the running stack from \`npm run local -- up\`${running.pid ? ` (pid ${running.pid})` : ''}`,
          release: async () => undefined,
        },
        true,
        env,
      );
    }
  }
  const dataDir = resolve(repositoryRoot(), env.SALESFORCE_EXTRACT_DATA_DIR || DEFAULT_DATA_DIR);
  const stack = await startStack({
    dataDir,
    // A DATABASE_URL counts as given, so startStack starts no PostgreSQL; nothing connects to it.
    env: { ...env, DATABASE_URL: 'postgresql://unused.invalid/none' },
  }).catch((error: Error) => {
    throw Object.assign(
      new Error(
        `cannot start S3/DynamoDB in ${dataDir} (is another salesforce-extract run using it?): ${error.message}`,
      ),
      { explained: true },
    );
  });
  const { DATABASE_URL: _unused, ...stackEnv } = stack.env;
  const kept = stack.started.length ? `kept in ${dataDir}` : '';
  const description = given.length
    ? `the services ${given.join(', ')} name${kept ? `; DynamoDB/S3 ${kept}` : ''}`
    : `its own S3 and DynamoDB, ${kept} (stopped at exit, data kept)`;
  return withLedger({ env: stackEnv, description, release: () => stack.stop() }, false, env);
}

/**
 * The storage with the run ledger every local command uses (scripts/local/runs-ledger-store.ts),
 * not a ledger of its own in the kept DynamoDB: `env` carries RUNS_TABLE when runs are recorded.
 */
async function withLedger(storage: Storage, up: boolean, env: NodeJS.ProcessEnv): Promise<Storage> {
  const { acquireRunsLedger } = await import('../runs-ledger-store');
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const ledger = await acquireRunsLedger({
    command: 'salesforce-extract',
    stack: { env: storage.env, up },
    env,
    log,
  }).catch(async (error: unknown) => {
    await storage.release();
    throw error;
  });
  return {
    env: ledger.env,
    description: `${storage.description}; ${ledger.description}`,
    release: async () => {
      await ledger.release();
      await storage.release();
    },
  };
}

/**
 * The secret in SALESFORCE_SECRET_FILE, checked: one line naming the file and the keys that are
 * wrong, never a value (a JSON parse error quotes the text, so it is not passed on).
 */
export async function readSecretFile(file: string): Promise<SalesforceSecret> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`SALESFORCE_SECRET_FILE ${file} cannot be read (${code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`SALESFORCE_SECRET_FILE ${file} is not JSON`);
  }
  const parsed = z.safeParse(salesforceSecretSchema, raw);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
    throw new UsageError(
      `SALESFORCE_SECRET_FILE ${file} is not shaped like the secret {consumerKey, privateKey, username, loginUrl, tokenUrl?} (check: ${keys})`,
    );
  }
  return parsed.data as SalesforceSecret;
}

export interface Org {
  secret: SalesforceSecret;
  /** One line for a person: which org (never a credential). */
  description: string;
  fake?: FakeSalesforce;
  stop(): Promise<void>;
}

/** The fake with `records` per object (its default objects when none are named), or the secret file's org. */
export async function startOrg(options: {
  objects: string[];
  records?: number;
  log: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}): Promise<Org> {
  const env = options.env ?? process.env;
  const file = env.SALESFORCE_SECRET_FILE;
  if (file) {
    const secret = await readSecretFile(file);
    if (options.records !== undefined)
      options.log('salesforce-extract: --records is ignored: SALESFORCE_SECRET_FILE names a real org');
    return {
      secret,
      description: `${secret.username} via ${secret.tokenUrl ?? secret.loginUrl} (SALESFORCE_SECRET_FILE)`,
      stop: async () => undefined,
    };
  }
  const { startFakeSalesforce } = await import('../../fakes/salesforce/server');
  const { OBJECTS } = await import('../../fakes/salesforce/schema');
  // Only objects the fake has a schema for get a count: an unknown name stays unknown to the org.
  const known = options.objects.flatMap((o) =>
    Object.keys(OBJECTS).filter((k) => k.toLowerCase() === o.toLowerCase()),
  );
  const fake = await startFakeSalesforce(
    options.records === undefined || !known.length
      ? {}
      : { objects: Object.fromEntries(known.map((o) => [o, { records: options.records! }])) },
  );
  return {
    secret: fake.secret,
    description: `the fake org at ${fake.url}`,
    fake,
    stop: () => fake.stop(),
  };
}
