import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';
import { loadDistHandler, type DistHandlerOptions } from '../lib/dist-handler';

/**
 * Helpers of the artifact tests: every run unpacks dist/<fn>.zip into a new empty directory
 * outside the repository, so nothing but the zip can satisfy a read.
 */
export const distDir = join(repositoryRoot(), 'dist');

export function exampleEvent(fn: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repositoryRoot(), 'functions', fn, 'events', name), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The local stack's endpoints and credentials, as the jest global setup published them. */
export function stackEnv(): Record<string, string | undefined> {
  const keys = [
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
  ];
  return Object.fromEntries(keys.map((key) => [key, process.env[key]]));
}

export interface ZipRun {
  /** Invokes the handler; a failure carries the function's log lines in its message. */
  invoke<T = unknown>(event: unknown): Promise<T>;
  logs: string[];
  taskRoot: string;
  close(): Promise<void>;
}

/** Unpacks `fn` into a fresh mkdtemp directory and starts it with exactly `env`. */
export async function runZip(
  fn: string,
  env: Record<string, string | undefined>,
  options: Omit<DistHandlerOptions, 'env' | 'extractTo' | 'onLog'> = {},
): Promise<ZipRun> {
  const extractTo = mkdtempSync(join(tmpdir(), `artifact-${fn}-`));
  const logs: string[] = [];
  const withLogs = (error: unknown) => {
    if (error instanceof Error) error.message += `\n--- ${fn} output ---\n${logs.slice(-40).join('\n')}`;
    return error;
  };
  const handler = await loadDistHandler(fn, {
    distDir,
    ...options,
    env,
    extractTo,
    onLog: (line) => logs.push(line),
  }).catch((error: unknown) => {
    rmSync(extractTo, { recursive: true, force: true });
    throw withLogs(error);
  });
  return {
    logs,
    taskRoot: handler.taskRoot,
    invoke: <T>(event: unknown) =>
      handler.invoke<T>(event).catch((error: unknown) => {
        throw withLogs(error);
      }),
    async close() {
      await handler.close();
      rmSync(extractTo, { recursive: true, force: true });
    },
  };
}

/** One cold invocation from a fresh directory. */
export async function invokeZip<T = unknown>(
  fn: string,
  event: unknown,
  env: Record<string, string | undefined>,
): Promise<T> {
  const run = await runZip(fn, env);
  try {
    return await run.invoke<T>(event);
  } finally {
    await run.close();
  }
}
