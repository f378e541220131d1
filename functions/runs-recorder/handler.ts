import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { ConfigError, env, loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createRunsLedger, type RunsLedger, type WriteOutcome } from '../shared/runs-ledger';
import { parseRunEvents, type RunFact } from './parse';

/**
 * runs-recorder: writes every run of every pipeline to the ledger (RUNS_TABLE) from outside
 * the pipelines, so a run that crashed, timed out or was stopped is there too. Triggers: the
 * EventBridge rule on Step Functions status changes of the pipelines' state machines, the
 * on-success and on-failure destinations of the pipelines' functions, and locally the
 * runners (a batch `{"records": [...]}`). Every write is idempotent: a redelivered event
 * returns 'already-recorded'. An event of unknown shape fails the invocation with
 * UnrecognizedRunEventError (EventBridge retries, then its dead-letter queue keeps it).
 */
// A Logger alone: the recorder emits no metrics (the stream processor counts runs), so its
// cold start skips loading Powertools Metrics.
const logger = createLogger('runs-recorder');

export const RecorderConfig = z.object({
  RUNS_TABLE: env.string(),
  /** dev | prd; defaults to the suffix of RUNS_TABLE (pipeline-runs-<env>). */
  ENVIRONMENT: z.optional(z.string().check(z.minLength(1))),
});

export interface RecordedFact {
  pipeline: string;
  runId: string;
  status: string;
  outcome: WriteOutcome;
}

/** Loaded per invocation (cheap): the local runners point one process at several stacks. */
function settings(): { ledger: RunsLedger; environment: string } {
  const config = loadConfig(RecorderConfig);
  const environment = config.ENVIRONMENT ?? /^pipeline-runs-(.+)$/.exec(config.RUNS_TABLE)?.[1];
  if (!environment)
    throw new ConfigError(
      'Invalid configuration: ENVIRONMENT is required when RUNS_TABLE is not pipeline-runs-<env>',
    );
  if (cached?.table !== config.RUNS_TABLE)
    cached = { table: config.RUNS_TABLE, ledger: createRunsLedger({ table: config.RUNS_TABLE }) };
  return { ledger: cached.ledger, environment };
}
let cached: { table: string; ledger: RunsLedger } | undefined;

export async function recordFact(ledger: RunsLedger, fact: RunFact): Promise<RecordedFact> {
  const outcome =
    fact.kind === 'start' ? await ledger.recordStart(fact.run) : await ledger.recordEnd(fact.run);
  return {
    pipeline: fact.run.pipeline,
    runId: fact.run.runId,
    status: fact.kind === 'start' ? 'RUNNING' : fact.run.status,
    outcome,
  };
}

export const handler = async (
  event: unknown,
  context?: Partial<Context>,
): Promise<{ recorded: RecordedFact[] }> => {
  if (context?.awsRequestId) logger.addContext(context as Context);
  const { ledger, environment } = settings();
  let facts: RunFact[];
  try {
    facts = parseRunEvents(event, environment);
  } catch (error) {
    logger.error('Event not recorded', { error: error as Error });
    throw error;
  }
  const recorded: RecordedFact[] = [];
  // In order: a batch from a local runner carries a run's start before its end.
  for (const fact of facts) {
    const result = await recordFact(ledger, fact);
    logger.info(result.outcome === 'recorded' ? 'run recorded' : 'run already recorded', { ...result });
    recorded.push(result);
  }
  return { recorded };
};
