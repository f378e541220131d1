import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../../functions/shared/assets';
import { UsageError } from '../../lib/args';
import { loadDistHandler } from '../../lib/dist-handler';
import { withDestinations } from './runs-ledger';

/**
 * A function's handler, from its sources (the default: in process, fast to iterate
 * on) or with `--from-dist` from dist/<fn>.zip, run by scripts/lib/dist-handler.ts as
 * Lambda runs it (its own process, only the function's environment), so a local run
 * exercises exactly what deploys.
 */
export type Handler = (event: unknown, context?: { awsRequestId?: string }) => Promise<unknown>;

export interface LoadedHandler {
  handler: Handler;
  /** Stops the execution environments of a dist handler; nothing to do for sources. */
  close(): Promise<void>;
}

/** The folders under functions/ that hold a Lambda handler. */
export function functionNames(): string[] {
  const root = join(repositoryRoot(), 'functions');
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'handler.ts')))
    .sort();
}

/**
 * `env` is what the function gets from dist: the stack's endpoints and what its
 * pipeline supplies (a source handler reads process.env, where the runner put both).
 */
export async function loadHandler(
  fn: string,
  options: { fromDist: boolean; env?: Record<string, string | undefined> },
): Promise<LoadedHandler> {
  if (!options.fromDist) {
    const module = (await import(join(repositoryRoot(), 'functions', fn, 'handler.ts'))) as {
      handler: Handler;
    };
    return { handler: withDestinations(fn, module.handler), close: async () => undefined };
  }
  if (!existsSync(join(repositoryRoot(), 'dist', `${fn}.zip`)))
    throw new UsageError(`--from-dist: dist/${fn}.zip does not exist; run \`npm run build\` first`);
  const dist = await loadDistHandler(fn, { env: options.env ?? process.env });
  return {
    handler: withDestinations(fn, (event, context) =>
      dist.invoke(event, { awsRequestId: context?.awsRequestId }),
    ),
    close: () => dist.close(),
  };
}
