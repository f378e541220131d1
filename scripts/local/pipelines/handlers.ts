import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repositoryRoot } from '../../../functions/shared/assets';
import { UsageError } from '../../lib/args';

/**
 * A function's handler, from its sources (the default) or from dist/<fn>.zip: the
 * zip is unpacked as Lambda unpacks it and its bundle imported with
 * LAMBDA_TASK_ROOT pointing at it, so `--from-dist` runs exactly what deploys
 * (bundled SQL and ASL files included).
 */
export type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

export function functionNames(): string[] {
  const root = join(repositoryRoot(), 'functions');
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'handler.ts')))
    .sort();
}

const unpacked = new Map<string, string>();

function unpack(fn: string): string {
  const existing = unpacked.get(fn);
  if (existing) return existing;
  const zip = join(repositoryRoot(), 'dist', `${fn}.zip`);
  if (!existsSync(zip))
    throw new UsageError(`--from-dist: ${zip} does not exist; run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), `lambda-${fn}-`));
  execFileSync('unzip', ['-q', zip, '-d', dir]);
  if (unpacked.size === 0)
    process.once('exit', () => unpacked.forEach((d) => rmSync(d, { recursive: true, force: true })));
  unpacked.set(fn, dir);
  return dir;
}

/** Runs `work` with LAMBDA_TASK_ROOT at `root`, as the Lambda runtime sets it. */
async function inTaskRoot<T>(root: string, work: () => Promise<T>): Promise<T> {
  const previous = process.env.LAMBDA_TASK_ROOT;
  process.env.LAMBDA_TASK_ROOT = root;
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env.LAMBDA_TASK_ROOT;
    else process.env.LAMBDA_TASK_ROOT = previous;
  }
}

/**
 * The handler of `fn`. From dist, every call runs with the zip's task root, so two
 * bundles in one process (validator and processor) each read their own files.
 */
export async function loadHandler(fn: string, options: { fromDist: boolean }): Promise<Handler> {
  if (!options.fromDist) {
    const module = (await import(join(repositoryRoot(), 'functions', fn, 'handler.ts'))) as {
      handler: Handler;
    };
    return module.handler;
  }
  const root = unpack(fn);
  const module = await inTaskRoot(
    root,
    async () => (await import(pathToFileURL(join(root, 'index.mjs')).href)) as { handler: Handler },
  );
  return (event, context) => inTaskRoot(root, () => module.handler(event, context));
}
