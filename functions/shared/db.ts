import { readFileSync } from 'node:fs';
import pg from 'pg';
import * as z from 'zod/mini';
import { getSecretJson } from './secrets';
import { classifyDatabaseError, PermanentError } from './errors';

/**
 * One pg Pool per Lambda execution environment, reused across warm invocations.
 *
 * Where the connection comes from, in order:
 * - DATABASE_URL: a full connection string (local stack, CI, an operator's laptop);
 * - DB_SECRET_ARN + DB_HOST (+ DB_PORT, DB_NAME): the RDS-managed master secret
 *   (`{"username","password"}`) fetched at run time, TLS verified against the RDS CA.
 *
 * The RDS CA bundle is the one the Lambda Node.js runtime keeps current at
 * /var/runtime/ca-cert.pem; DB_CA_BUNDLE overrides the path.
 *
 * A function that talks to two databases (etl: source and target) names each by a prefix:
 * `getPool({ prefix: 'SOURCE_' })` reads SOURCE_DATABASE_URL, else SOURCE_DB_SECRET_ARN +
 * SOURCE_DB_HOST (+ SOURCE_DB_PORT, SOURCE_DB_NAME), and keeps its own pool. DB_SSL and
 * DB_CA_BUNDLE are shared.
 */
const RdsSecret = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
});

export interface PoolOptions {
  /** Server-side cap per statement; a stuck query fails instead of eating the Lambda timeout. */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** A Lambda handles one event at a time; more connections only burden the database. */
  max?: number;
  applicationName?: string;
  /** Database on the DB_HOST server; DB_NAME, else `postgres`. Ignored with DATABASE_URL. */
  database?: string;
  /** Prefix of the variables that name the database (`SOURCE_` → SOURCE_DATABASE_URL, …); '' by default. */
  prefix?: string;
}

const DEFAULT_CA_BUNDLE = '/var/runtime/ca-cert.pem';
const AUTH_FAILED = '28P01';

/** One pool per prefix ('' = DATABASE_URL / DB_*). */
const cached = new Map<string, Promise<pg.Pool>>();

async function connectionConfig(options: PoolOptions, forceSecretFetch: boolean): Promise<pg.PoolConfig> {
  const common: pg.PoolConfig = {
    max: options.max ?? 1,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 0,
    statement_timeout: options.statementTimeoutMs ?? 60_000,
    application_name: options.applicationName ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'pipelines',
    keepAlive: true,
  };
  const prefix = options.prefix ?? '';
  const url = process.env[`${prefix}DATABASE_URL`];
  if (url) return { ...common, connectionString: url };

  const secretArn = process.env[`${prefix}DB_SECRET_ARN`];
  const host = process.env[`${prefix}DB_HOST`];
  if (!secretArn || !host) {
    throw new PermanentError(
      `No database configured: set ${prefix}DATABASE_URL, or ${prefix}DB_SECRET_ARN and ${prefix}DB_HOST`,
    );
  }
  const secret = await getSecretJson(secretArn, RdsSecret, { forceFetch: forceSecretFetch });
  const ssl =
    process.env.DB_SSL === 'disable'
      ? false
      : {
          rejectUnauthorized: true,
          ca: readFileSync(process.env.DB_CA_BUNDLE || DEFAULT_CA_BUNDLE, 'utf8'),
        };
  return {
    ...common,
    host,
    port: Number(process.env[`${prefix}DB_PORT`] || 5432),
    database: options.database || process.env[`${prefix}DB_NAME`] || 'postgres',
    user: secret.username,
    password: secret.password,
    ssl,
  };
}

async function createPool(options: PoolOptions): Promise<pg.Pool> {
  for (const forceSecretFetch of [false, true]) {
    const pool = new pg.Pool(await connectionConfig(options, forceSecretFetch));
    // An idle client can be dropped by the server (failover, idle timeout). Without a
    // listener pg would crash the process; dropping the pool makes the next call reconnect.
    pool.on('error', () => {
      if (cached.has(options.prefix ?? '')) void resetPool(options.prefix ?? '');
    });
    try {
      const client = await pool.connect();
      client.release();
      return pool;
    } catch (error) {
      await pool.end().catch(() => undefined);
      // RDS rotates the managed master password: refetch the secret once before giving up.
      if ((error as { code?: string }).code === AUTH_FAILED && !forceSecretFetch) continue;
      throw classifyDatabaseError(error);
    }
  }
  throw new PermanentError('Database authentication failed after refreshing the secret');
}

export function getPool(options: PoolOptions = {}): Promise<pg.Pool> {
  const key = options.prefix ?? '';
  let pool = cached.get(key);
  if (!pool) {
    pool = createPool(options).catch((error: unknown) => {
      cached.delete(key);
      throw error;
    });
    cached.set(key, pool);
  }
  return pool;
}

/**
 * Closes a cached pool (the one of `prefix`, or every pool when omitted); the next getPool()
 * connects again.
 */
export async function resetPool(prefix?: string): Promise<void> {
  const keys = prefix === undefined ? [...cached.keys()] : [prefix];
  await Promise.all(
    keys.map(async (key) => {
      const current = cached.get(key);
      cached.delete(key);
      if (current) await (await current.catch(() => undefined))?.end().catch(() => undefined);
    }),
  );
}

/**
 * Runs `work` inside BEGIN/COMMIT on one client. Any failure rolls back; connection
 * failures become DatabaseTransientError (retryable) and the pool is rebuilt.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await resetPool();
    throw classifyDatabaseError(error);
  }
  let broken = false;
  // A checked-out client that loses its connection emits 'error'; unheard, it would
  // crash the process instead of failing the query below.
  const onClientError = () => {
    broken = true;
  };
  client.on('error', onClientError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    const classified = classifyDatabaseError(error);
    if (classified.name === 'DatabaseTransientError') broken = true;
    throw classified;
  } finally {
    client.off('error', onClientError);
    client.release(broken);
    if (broken) await resetPool();
  }
}
