import { resetPool } from '../../../functions/shared/db';
import { resetSecretsCache } from '../../../functions/shared/secrets';
import {
  formatUsage,
  parseCommand,
  InvalidValueError,
  UsageError,
  type CommandSpec,
  type OptionsSpec,
  type ParsedValues,
} from '../../lib/args';
import { acquireStackSession } from './stack-session';
import type { LocalPipeline, PipelineDescriptor, PipelineResult, Prepared, RunContext } from './types';

/**
 * Turns a pipeline descriptor into the command `npm run local -- <name>` runs:
 * parse and check the options (bad input is reported before any stack starts),
 * acquire the stack, put its environment and the pipeline's in place for the
 * duration of the run only, prepare, execute, and always clean up.
 */
export const COMMON_OPTIONS = {
  json: { type: 'boolean', description: 'print exactly one JSON object on stdout (logs on stderr)' },
  'database-url': {
    type: 'string',
    value: 'url',
    description: 'an existing PostgreSQL to use (default: the local stack’s)',
  },
  'from-dist': {
    type: 'boolean',
    description: 'run the functions from dist/<function>.zip (npm run build) instead of the sources',
  },
} as const satisfies OptionsSpec;

export type CommonOptions = typeof COMMON_OPTIONS;

/**
 * Sets `vars` in process.env while `work` runs, then puts back exactly what was
 * there: the handlers read their configuration from process.env, and a later run in
 * the same process (the demo, a test) must not see a stopped stack's endpoints.
 */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  work: () => Promise<T>,
): Promise<T> {
  const previous: Record<string, string | undefined> = {};
  for (const key of Object.keys(vars)) previous[key] = process.env[key];
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  try {
    return await work();
  } finally {
    apply(previous);
  }
}

const stderrLog = (message: string) => {
  process.stderr.write(`${message}\n`);
};

export function commandSpec(descriptor: {
  name: string;
  summary: string;
  options: OptionsSpec;
  notes?: string[];
  functions: readonly string[];
}): CommandSpec {
  const { 'from-dist': fromDist, ...common } = COMMON_OPTIONS;
  return {
    usage: `npm run local -- ${descriptor.name}`,
    summary: descriptor.summary,
    options: {
      ...descriptor.options,
      ...common,
      ...(descriptor.functions.length ? { 'from-dist': fromDist } : {}),
    },
    notes: descriptor.notes,
  };
}

/**
 * Runs `work` on the stack with `env` in place, then releases what it holds: the
 * database pool and the cached secrets the handlers keep in module state, the run
 * ledger's folder (scripts/local/runs-ledger-store.ts, announced in one line), and the
 * stack when it was started for this run.
 */
export async function onLocalStack<T>(
  command: string,
  options: {
    databaseUrl?: string;
    fromDist?: boolean;
    fast?: boolean;
    log?: (m: string) => void;
    /** The command serves the ledger until stopped (`api`): see acquireRunsLedger. */
    longLived?: boolean;
  },
  work: (ctx: RunContext) => Promise<T>,
): Promise<T> {
  const log = options.log ?? stderrLog;
  const databaseGiven = Boolean(options.databaseUrl || process.env.DATABASE_URL);
  const session = await acquireStackSession(command, log, { fast: options.fast });
  try {
    // Imported on first use, as the stack: loading a descriptor starts nothing.
    const { acquireRunsLedger } = await import('../runs-ledger-store');
    const ledger = await acquireRunsLedger({ command, stack: session, longLived: options.longLived, log });
    log(`${command}: ${ledger.description}`);
    const { startEventBridgeStandIn } = await import('../eventbridge-standin');
    const eventBridge = await startEventBridgeStandIn(log);
    try {
      const env = {
        ...ledger.env,
        ...eventBridge.env,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      };
      return await withEnv(env, () => work({ env, databaseGiven, fromDist: Boolean(options.fromDist), log }));
    } finally {
      await eventBridge.close();
      await ledger.release();
    }
  } finally {
    await resetPool();
    resetSecretsCache();
    await session.release();
  }
}

export function definePipeline<O extends OptionsSpec, P extends Prepared>(
  descriptor: PipelineDescriptor<O, P>,
): LocalPipeline {
  const command = commandSpec(descriptor);
  const run = async (args: string[]): Promise<PipelineResult> => {
    const { values } = parseCommand(command, args);
    const all = values as ParsedValues<O> & ParsedValues<CommonOptions>;
    try {
      descriptor.check?.(all);
    } catch (error) {
      if (error instanceof UsageError && !error.usage && !(error instanceof InvalidValueError))
        throw new UsageError(error.message, formatUsage(command));
      throw error;
    }
    return onLocalStack(
      descriptor.name,
      { databaseUrl: all['database-url'], fromDist: all['from-dist'] },
      async (ctx) => {
        const prepared = await descriptor.prepare(ctx, all);
        try {
          return await withEnv(prepared.env, () => descriptor.execute(all, ctx, prepared));
        } finally {
          await prepared.cleanup?.();
        }
      },
    );
  };
  return {
    name: descriptor.name,
    summary: descriptor.summary,
    command,
    functions: descriptor.functions,
    environment: descriptor.environment ?? {},
    demo: descriptor.demo,
    run,
    prepare: (ctx) => descriptor.prepare(ctx),
    prepareEvents: descriptor.prepareEvents ? (ctx) => descriptor.prepareEvents!(ctx) : undefined,
  };
}
