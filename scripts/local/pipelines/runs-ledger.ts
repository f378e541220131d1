import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientSettings } from '../../../functions/shared/aws';
import { LEDGER_INDEXES } from '../../../functions/shared/runs-ledger';
import { pipelineOfFunction } from '../../../functions/shared/runs-pipelines';
import { LOCAL_ACCOUNT, LOCAL_REGION, localFunctionArn } from '../stepfunctions/asl';
import type { LocalExecutionResult } from '../stepfunctions/local-execution';
import { ensureTable, type TableSpec } from './resources';

/**
 * The run ledger on the local stack, fed as AWS feeds it: the local Step Functions runs
 * (scripts/local/stepfunctions/local-execution.ts) send the recorder the same status-change
 * events EventBridge delivers, and invocations of a pipeline's function (scripts/local/
 * pipelines/handlers.ts) the same invocation records a Lambda destination delivers. The
 * recorder is functions/runs-recorder/handler.ts itself, so `npm run local -- <pipeline>`
 * runs appear in `pipeline-runs-local`.
 *
 * Delivery is on while RUNS_TABLE is set (onLocalStack sets it for every local command). A
 * recorder failure is reported on stderr and never fails the run, as in AWS where the
 * recorder is a separate function.
 */
export const LOCAL_ENVIRONMENT = 'local';

/** `pipeline-runs-<env>` as infrastructure/terraform/modules/runs creates it. */
export const runsLedgerTable = (environment: string): TableSpec => ({
  name: `pipeline-runs-${environment}`,
  hashKey: { name: 'pipeline', type: 'S' },
  rangeKey: { name: 'runId', type: 'S' },
  ttlAttribute: 'ttl',
  localIndexes: [
    {
      name: LEDGER_INDEXES.byStartedAt,
      hashKey: { name: 'pipeline', type: 'S' },
      rangeKey: { name: 'startedAt', type: 'S' },
      projection: 'ALL',
    },
  ],
  indexes: [
    {
      name: LEDGER_INDEXES.byStatus,
      hashKey: { name: 'status', type: 'S' },
      rangeKey: { name: 'startedAt', type: 'S' },
      projection: 'ALL',
    },
  ],
});

/** Creates the local ledger when missing; returns the variables that switch delivery on. */
export async function prepareLocalLedger(
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): Promise<{ RUNS_TABLE?: string }> {
  const spec = runsLedgerTable(LOCAL_ENVIRONMENT);
  try {
    // Called before the stack's variables are in process.env, where the SDK looks for credentials.
    const credentials =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
        : undefined;
    const ddb = new DynamoDBClient({
      ...clientSettings('DYNAMODB', env),
      ...(credentials ? { credentials } : {}),
    });
    await ensureTable(ddb, spec);
    return { RUNS_TABLE: spec.name };
  } catch (error) {
    // Without its ledger a run still runs (as a pipeline does in AWS when the ledger is absent).
    log(`runs ledger: ${spec.name} unavailable, runs are not recorded (${(error as Error).message})`);
    return {};
  }
}

let warned = false;

/** Hands events to the recorder (one batch); logs a failure on stderr instead of throwing. */
export async function deliverToRecorder(events: unknown[]): Promise<void> {
  if (!process.env.RUNS_TABLE || events.length === 0) return;
  // The recorder's own environment, as Terraform gives it, whatever the pipeline's or the shell's.
  const recorderEnv = { ENVIRONMENT: LOCAL_ENVIRONMENT, POWERTOOLS_SERVICE_NAME: 'runs-recorder' };
  const previous = Object.fromEntries(Object.keys(recorderEnv).map((k) => [k, process.env[k]]));
  Object.assign(process.env, recorderEnv);
  try {
    const { handler } = await import('../../../functions/runs-recorder/handler');
    // dynalite has no Streams: the stream processor gets the records this write would make.
    const { withLocalStream } = await import('../runs-stream');
    await withLocalStream(events, () => handler({ records: events }), { table: process.env.RUNS_TABLE });
  } catch (error) {
    const e = error as Error;
    // One line: the run's own result matters more than its ledger entry.
    if (!warned || process.env.POWERTOOLS_LOG_LEVEL === 'DEBUG')
      process.stderr.write(`runs ledger: not recorded (${e.name}: ${e.message})\n`);
    warned = true;
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * A local Step Functions execution's status change (RUNNING when `result` is absent),
 * delivered as EventBridge would.
 */
export async function reportExecution(
  execution: { stateMachineArn: string; executionName: string },
  input: unknown,
  startDate: number,
  result?: LocalExecutionResult,
): Promise<void> {
  if (!process.env.RUNS_TABLE) return;
  const base = {
    stateMachineArn: execution.stateMachineArn,
    executionArn: `${execution.stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution.executionName}`,
    name: execution.executionName,
    startDate,
    input,
  };
  await deliverToRecorder([
    statusChangeEvent(
      !result
        ? { ...base, status: 'RUNNING' }
        : result.status === 'SUCCEEDED'
          ? { ...base, status: 'SUCCEEDED', stopDate: Date.now(), output: result.output }
          : { ...base, status: 'FAILED', stopDate: Date.now(), error: result.error, cause: result.cause },
    ),
  ]);
}

export interface StatusChange {
  stateMachineArn: string;
  executionArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: number;
  stopDate?: number;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** The "Step Functions Execution Status Change" event EventBridge delivers for `change`. */
export function statusChangeEvent(change: StatusChange) {
  const region = change.stateMachineArn.split(':')[3] ?? LOCAL_REGION;
  const account = change.stateMachineArn.split(':')[4] ?? LOCAL_ACCOUNT;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account,
    time: new Date(change.stopDate ?? change.startDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [change.executionArn],
    detail: {
      executionArn: change.executionArn,
      stateMachineArn: change.stateMachineArn,
      name: change.name,
      status: change.status,
      startDate: change.startDate,
      stopDate: change.stopDate ?? null,
      input: JSON.stringify(change.input ?? {}),
      inputDetails: { included: true },
      output: change.output === undefined ? null : JSON.stringify(change.output),
      outputDetails: change.output === undefined ? null : { included: true },
      ...(change.error !== undefined ? { error: change.error, cause: change.cause ?? '' } : {}),
    },
  };
}

/** A Lambda destination's invocation record for one finished invocation of `fn`. */
export function invocationRecord(
  fn: string,
  requestId: string,
  event: unknown,
  result: { ok: true; value: unknown } | { ok: false; error: Error },
) {
  return {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      requestId,
      functionArn: `${localFunctionArn(fn, LOCAL_ENVIRONMENT)}:$LATEST`,
      condition: result.ok ? 'Success' : 'RetriesExhausted',
      approximateInvokeCount: 1,
    },
    requestPayload: event ?? null,
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(result.ok ? {} : { functionError: 'Unhandled' }),
    },
    responsePayload: result.ok
      ? (result.value ?? null)
      : { errorType: result.error.name, errorMessage: result.error.message },
  };
}

type Handler<R> = (event: unknown, context?: { awsRequestId?: string }) => Promise<R>;

/**
 * `handler` as an asynchronously invoked function with destinations: the run's request id
 * is the invocation's awsRequestId (given, or minted as Lambda would), and when it returns
 * or throws, its invocation record goes to the recorder. Only the functions that are
 * ledger pipelines are wrapped (the others have no destinations in AWS).
 */
export function withDestinations<R>(fn: string, handler: Handler<R>): Handler<R> {
  if (!pipelineOfFunction(`${fn}-${LOCAL_ENVIRONMENT}`, LOCAL_ENVIRONMENT)) return handler;
  return async (event, context) => {
    const requestId = context?.awsRequestId ?? randomUUID();
    try {
      const value = await handler(event, { ...context, awsRequestId: requestId });
      await deliverToRecorder([invocationRecord(fn, requestId, event, { ok: true, value })]);
      return value;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      await deliverToRecorder([invocationRecord(fn, requestId, event, { ok: false, error: e })]);
      throw error;
    }
  };
}
