import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from '../../functions/shared/assets';
import { extractZip } from './unzip';

/**
 * Runs a built function from dist/<fn>.zip the way Lambda runs it, for the artifact test and
 * `npm run local -- <pipeline> --from-dist`:
 *
 *   const validator = await loadDistHandler('csv-validator', { env: { ...stack.env, OUTPUT_BUCKET: … } });
 *   const result = await validator.invoke(event);          // as often as needed
 *   await validator.close();
 *
 *   await invokeDistHandler('csv-migrate', {}, { DATABASE_URL: url });   // one cold invocation
 *
 * Each execution environment is a child process: Node 24 started in the unpacked zip (cwd and
 * LAMBDA_TASK_ROOT there), importing `file://…/index.mjs` and calling `handler(event, context)`
 * for one event at a time; JSON in, JSON out, as the runtime's API does. A child process rather
 * than an import into the caller's process, because in-process the bundle would share the
 * caller's environment variables: LAMBDA_TASK_ROOT set around a call leaks into every other
 * handler awaiting at the same moment (a Step Functions map runs several at once), and the
 * bundle would see the caller's variables instead of only the function's. A child sees only what
 * `env` gives it plus what Lambda sets, so a missing variable or file fails here as it would in
 * AWS. Concurrent invocations get more environments (Lambda scales out the same way), up to
 * `maxEnvironments`; warm ones are reused.
 *
 * Zips are unpacked once per content hash into a cache under os.tmpdir() (or into `extractTo`).
 */
export interface DistHandlerOptions {
  /**
   * The function's environment variables: what Terraform sets for it, plus local endpoints and
   * credentials. Nothing else from this process reaches the function except PATH, HOME, TMPDIR
   * and LANG; Lambda's own variables (LAMBDA_TASK_ROOT, AWS_LAMBDA_FUNCTION_NAME, TZ,
   * NODE_OPTIONS=--enable-source-maps, …) are set as the runtime sets them.
   */
  env?: Record<string, string | undefined>;
  /** Where the zips are; default <repository>/dist. */
  distDir?: string;
  /** Unpack into this directory (created; must be empty) instead of the shared cache. */
  extractTo?: string;
  /** Per invocation, as the function's timeout; default 300 s. */
  timeoutMs?: number;
  /** Most execution environments alive at once; further invocations wait. Default 10. */
  maxEnvironments?: number;
  memoryMb?: number;
  /** Each line the function writes to stdout or stderr; default: copied to this process's stderr. */
  onLog?: (line: string) => void;
}

export interface InvokeContext {
  awsRequestId?: string;
}

export interface DistHandler {
  readonly fn: string;
  /** The unpacked zip: LAMBDA_TASK_ROOT of every environment. */
  readonly taskRoot: string;
  readonly zipSha256: string;
  invoke<T = unknown>(event: unknown, context?: InvokeContext): Promise<T>;
  /** Stops every environment; later invokes fail. */
  close(): Promise<void>;
}

/** The serialized error the runtime would report: errorType is the thrown error's name. */
export interface DistInvocationError extends Error {
  errorType: string;
  fn: string;
}

/**
 * The runtime side, run by each child. Kept as source here (not a file in the zip or the
 * repository) so the unpacked directory holds exactly what Lambda would hold.
 */
const BOOTSTRAP = `
import { pathToFileURL } from 'node:url';
const serialize = (e) => {
  const out = {
    errorType: (e && e.name) || 'Error',
    errorMessage: e && e.message !== undefined ? String(e.message) : String(e),
    stack: e && typeof e.stack === 'string' ? e.stack : undefined,
  };
  if (e && typeof e === 'object') {
    for (const [k, v] of Object.entries(e)) {
      if (k in out) continue;
      try { out[k] = JSON.parse(JSON.stringify(v)); } catch {}
    }
  }
  return out;
};
let handler;
try {
  const mod = await import(pathToFileURL(process.env.LAMBDA_TASK_ROOT + '/index.mjs').href);
  handler = mod.handler;
  if (typeof handler !== 'function') {
    throw Object.assign(new Error('index.handler is undefined or not exported'), { name: 'Runtime.HandlerNotFound' });
  }
  process.send({ type: 'ready' });
} catch (e) {
  process.send({ type: 'init-error', error: serialize(e) }, () => process.exit(1));
}
process.on('message', async (m) => {
  if (m.type !== 'invoke' || !handler) return;
  const deadline = Date.now() + m.timeoutMs;
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const context = {
    awsRequestId: m.requestId,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + process.env.AWS_REGION + ':000000000000:function:' + name,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: '/aws/lambda/' + name,
    logStreamName: 'local/' + process.pid,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(JSON.parse(m.event), context);
    process.send({ type: 'result', id: m.id, json: JSON.stringify(result === undefined ? null : result) });
  } catch (e) {
    process.send({ type: 'error', id: m.id, error: serialize(e) });
  }
});
process.on('disconnect', () => process.exit(0));
`;

interface SerializedError {
  errorType: string;
  errorMessage: string;
  stack?: string;
  [key: string]: unknown;
}

type ChildMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: string; json: string }
  | { type: 'error'; id: string; error: SerializedError };

function toError(fn: string, serialized: SerializedError): DistInvocationError {
  const { errorType, errorMessage, stack, ...rest } = serialized;
  const error = Object.assign(new Error(errorMessage), rest, { errorType, fn }) as DistInvocationError;
  error.name = errorType;
  if (stack) error.stack = stack;
  return error;
}

function namedError(fn: string, errorType: string, message: string): DistInvocationError {
  return toError(fn, { errorType, errorMessage: message });
}

/** Unpacks dist/<fn>.zip once per content hash (or into `extractTo`) and returns the directory. */
export function unpackDist(
  fn: string,
  options: Pick<DistHandlerOptions, 'distDir' | 'extractTo'> = {},
): { taskRoot: string; zipSha256: string } {
  const zipPath = join(options.distDir ?? join(repositoryRoot(), 'dist'), `${fn}.zip`);
  if (!existsSync(zipPath)) throw new Error(`${zipPath} does not exist: run \`npm run build\` first`);
  const zip = readFileSync(zipPath);
  const zipSha256 = createHash('sha256').update(zip).digest('hex');
  if (options.extractTo) {
    mkdirSync(options.extractTo, { recursive: true });
    if (readdirSync(options.extractTo).length) throw new Error(`extractTo ${options.extractTo} is not empty`);
    extractZip(zip, options.extractTo);
    return { taskRoot: options.extractTo, zipSha256 };
  }
  const cache = join(tmpdir(), 'pipelines-dist');
  const taskRoot = join(cache, `${fn}-${zipSha256.slice(0, 16)}`);
  if (!existsSync(taskRoot)) {
    mkdirSync(cache, { recursive: true });
    // Unpacked beside the target and renamed: a concurrent loader (another jest worker) sees
    // either no directory or a complete one.
    const staging = mkdtempSync(join(cache, `.${fn}-`));
    try {
      extractZip(zip, staging);
      renameSync(staging, taskRoot);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(taskRoot)) throw error;
    }
  }
  return { taskRoot, zipSha256 };
}

const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

function functionEnvironment(fn: string, taskRoot: string, options: DistHandlerOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of INHERITED) if (process.env[key] !== undefined) env[key] = process.env[key];
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'ap-northeast-1';
  return {
    // No X-Ray daemon runs locally; a caller can still turn tracing on.
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...env,
    // What the runtime sets, and what Terraform sets for every function (lambda-function module).
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    AWS_LAMBDA_FUNCTION_NAME: env.AWS_LAMBDA_FUNCTION_NAME ?? `${fn}-local`,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 512),
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    TZ: 'UTC',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

class ExecutionEnvironment {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  busy = false;
  dead = false;
  private pending?: {
    id: string;
    resolve(json: string): void;
    reject(error: Error): void;
    timer: NodeJS.Timeout;
  };

  constructor(
    private readonly fn: string,
    taskRoot: string,
    env: NodeJS.ProcessEnv,
    onLog: (line: string) => void,
  ) {
    if (Number(process.versions.node.split('.')[0]) < 24) {
      throw new Error(`Lambda runs nodejs24.x; this process runs Node ${process.version}`);
    }
    this.child = spawn(process.execPath, ['--input-type=module', '-e', BOOTSTRAP], {
      cwd: taskRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLog);
    }
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: ChildMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.type === 'init-error') reject(toError(fn, message.error));
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) =>
        reject(namedError(fn, 'Runtime.ExitError', `${fn} exited during init (${signal ?? `code ${code}`})`)),
      );
    });
    // A rejected init is reported by invoke(); this only keeps it from counting as unhandled.
    this.ready.catch(() => undefined);
    this.child.on('message', (message: ChildMessage) => this.onMessage(message));
    this.child.once('exit', (code, signal) => {
      this.dead = true;
      const pending = this.pending;
      this.pending = undefined;
      if (pending) {
        clearTimeout(pending.timer);
        pending.reject(
          namedError(
            fn,
            'Runtime.ExitError',
            `${fn} exited during the invocation (${signal ?? `code ${code}`})`,
          ),
        );
      }
    });
  }

  private onMessage(message: ChildMessage): void {
    if ((message.type !== 'result' && message.type !== 'error') || message.id !== this.pending?.id) return;
    const pending = this.pending;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (message.type === 'result') pending.resolve(message.json);
    else pending.reject(toError(this.fn, message.error));
  }

  async invoke(event: unknown, requestId: string, timeoutMs: number): Promise<unknown> {
    await this.ready;
    if (this.dead)
      throw namedError(this.fn, 'Runtime.ExitError', `${this.fn}: the execution environment is gone`);
    const id = randomUUID();
    const json = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        // Lambda freezes and discards an environment that timed out; so does this.
        this.stop();
        reject(
          namedError(
            this.fn,
            'Sandbox.Timedout',
            `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          ),
        );
      }, timeoutMs);
      this.pending = { id, resolve, reject, timer };
      this.child.send({ type: 'invoke', id, requestId, timeoutMs, event: JSON.stringify(event ?? null) });
    });
    return JSON.parse(json) as unknown;
  }

  stop(): Promise<void> {
    // Never handed out again, even before the exit arrives.
    this.dead = true;
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      if (this.child.connected) this.child.disconnect();
      else this.child.kill('SIGTERM');
    });
  }
}

/** Unpacks dist/<fn>.zip and returns a handle whose invoke() runs the bundle's handler in Lambda-like environments. */
export async function loadDistHandler(fn: string, options: DistHandlerOptions = {}): Promise<DistHandler> {
  const { taskRoot, zipSha256 } = unpackDist(fn, options);
  const env = functionEnvironment(fn, taskRoot, options);
  const onLog = options.onLog ?? ((line: string) => process.stderr.write(`${line}\n`));
  const timeoutMs = options.timeoutMs ?? 300_000;
  const max = options.maxEnvironments ?? 10;
  const environments: ExecutionEnvironment[] = [];
  const waiting: Array<() => void> = [];
  let closed = false;

  const acquire = async (): Promise<ExecutionEnvironment> => {
    for (;;) {
      if (closed) throw new Error(`${fn}: the handler was closed`);
      for (let i = environments.length - 1; i >= 0; i--) if (environments[i]!.dead) environments.splice(i, 1);
      const idle = environments.find((e) => !e.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (environments.length < max) {
        const created = new ExecutionEnvironment(fn, taskRoot, env, onLog);
        created.busy = true;
        environments.push(created);
        return created;
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  const release = (environment: ExecutionEnvironment) => {
    environment.busy = false;
    waiting.shift()?.();
  };

  // A cold start that fails (a missing variable, a bundle that does not load) fails here, once.
  const first = new ExecutionEnvironment(fn, taskRoot, env, onLog);
  environments.push(first);
  try {
    await first.ready;
  } catch (error) {
    await first.stop();
    throw error;
  }

  return {
    fn,
    taskRoot,
    zipSha256,
    async invoke<T>(event: unknown, context: InvokeContext = {}): Promise<T> {
      const environment = await acquire();
      try {
        return (await environment.invoke(event, context.awsRequestId ?? randomUUID(), timeoutMs)) as T;
      } finally {
        release(environment);
      }
    },
    async close() {
      closed = true;
      waiting.splice(0).forEach((wake) => wake());
      await Promise.all(environments.map((e) => e.stop()));
    },
  };
}

/** One cold invocation of dist/<fn>.zip: unpack, start, invoke, stop. */
export async function invokeDistHandler<T = unknown>(
  fn: string,
  event: unknown,
  env: Record<string, string | undefined> = {},
  options: Omit<DistHandlerOptions, 'env'> = {},
): Promise<T> {
  const handler = await loadDistHandler(fn, { ...options, env, maxEnvironments: 1 });
  try {
    return await handler.invoke<T>(event);
  } finally {
    await handler.close();
  }
}
