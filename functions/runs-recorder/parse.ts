import * as z from 'zod/mini';
import { PermanentError } from '../shared/errors';
import type { RunEnd, RunStart } from '../shared/runs-ledger';
import {
  pipelineOfFunction,
  pipelineOfStateMachine,
  primaryLogGroup,
  triggerOf,
  type PipelineSpec,
} from '../shared/runs-pipelines';
import { failureDetails, functionErrorOutcome, successOutcome } from '../shared/run-outcomes';

/**
 * The recorder's input, each shape parsed with zod into one RunFact:
 * 1. an EventBridge "Step Functions Execution Status Change" event (source aws.states);
 * 2. a Lambda destination invocation record (version 1.0: requestContext, requestPayload,
 *    responseContext, responsePayload), as a Lambda destination passes it, or as the
 *    `detail` of the event an EventBridge destination puts (source lambda);
 * 3. a batch `{ "records": [ … ] }` of either (what the local runners send).
 */
export type RunFact = { kind: 'start'; run: RunStart } | { kind: 'end'; run: RunEnd };

/** An event of no shape the recorder knows: rejected, never dropped silently. */
export class UnrecognizedRunEventError extends PermanentError {
  override name = 'UnrecognizedRunEventError';
}

/** A known shape about a state machine or function that is not a ledger pipeline. */
export class UnknownPipelineError extends PermanentError {
  override name = 'UnknownPipelineError';
}

const nullableString = z.optional(z.nullable(z.string()));

export const StatusChangeEvent = z.looseObject({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  time: z.string(),
  region: z.optional(z.string()),
  detail: z.looseObject({
    executionArn: z.string().check(z.minLength(1)),
    stateMachineArn: z.string().check(z.minLength(1)),
    name: z.string().check(z.minLength(1)),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    startDate: z.number(),
    stopDate: z.optional(z.nullable(z.number())),
    input: nullableString,
    output: nullableString,
    error: nullableString,
    cause: nullableString,
    /** How many times the execution was redriven (RedriveExecution): 0 or absent before any. */
    redriveCount: z.optional(z.nullable(z.number().check(z.int(), z.gte(0)))),
  }),
});

export const InvocationRecord = z.looseObject({
  version: z.literal('1.0'),
  timestamp: z.string(),
  requestContext: z.looseObject({
    requestId: z.string().check(z.minLength(1)),
    functionArn: z.string().check(z.regex(/^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+/)),
    condition: z.string(),
    approximateInvokeCount: z.optional(z.number()),
  }),
  requestPayload: z.optional(z.unknown()),
  responseContext: z.optional(
    z.looseObject({
      statusCode: z.optional(z.number()),
      executedVersion: z.optional(z.string()),
      functionError: z.optional(z.string()),
    }),
  ),
  responsePayload: z.optional(z.unknown()),
});

/** What an EventBridge destination puts on the bus: the record is the detail. */
const DestinationEvent = z.looseObject({
  source: z.literal('lambda'),
  'detail-type': z.string().check(z.startsWith('Lambda Function Invocation Result')),
  detail: InvocationRecord,
});

const Batch = z.looseObject({ records: z.array(z.unknown()) });

const iso = (epochMs: number) => new Date(epochMs).toISOString();
const isoOf = (time: string) => new Date(Date.parse(time)).toISOString();

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fromStatusChange(event: z.infer<typeof StatusChangeEvent>, environment: string): RunFact {
  const d = event.detail;
  const machine = d.stateMachineArn.split(':').at(-1) ?? '';
  const spec = pipelineOfStateMachine(machine, environment);
  if (!spec)
    throw new UnknownPipelineError(`state machine ${machine} is not a ledger pipeline in ${environment}`);
  const base: RunStart = {
    pipeline: spec.name,
    runId: d.name,
    trigger: triggerOf(parseJson(d.input)),
    startedAt: iso(d.startDate),
    links: { executionArn: d.executionArn, logGroup: primaryLogGroup(spec.name, environment) },
    // A redrive keeps the execution's name (the run id): the count tells its attempts apart.
    ...(d.redriveCount ? { redriveCount: d.redriveCount } : {}),
  };
  if (d.status === 'RUNNING') return { kind: 'start', run: base };
  const endedAt = d.stopDate ? iso(d.stopDate) : isoOf(event.time);
  const end = (rest: Omit<RunEnd, keyof RunStart | 'endedAt'>, s3Keys?: string[]): RunFact => ({
    kind: 'end',
    run: { ...base, endedAt, ...rest, links: { ...base.links, ...(s3Keys ? { s3Keys } : {}) } },
  });
  switch (d.status) {
    case 'SUCCEEDED': {
      const outcome = successOutcome(spec.name, parseJson(d.output));
      return end({ status: outcome.status, counts: outcome.counts, error: outcome.error }, outcome.s3Keys);
    }
    case 'FAILED': {
      const details = failureDetails(spec.name, d.cause ?? undefined);
      return end(
        {
          status: 'FAILED',
          counts: details.counts,
          error: { name: d.error || 'ExecutionFailed', message: details.message ?? d.cause ?? '' },
        },
        details.s3Keys,
      );
    }
    case 'TIMED_OUT':
      return end({
        status: 'TIMED_OUT',
        error: {
          name: d.error || 'States.Timeout',
          message: d.cause || 'the execution ran past its TimeoutSeconds',
        },
      });
    case 'ABORTED':
      return end({
        status: 'FAILED',
        error: { name: 'Aborted', message: d.cause || 'the execution was stopped (StopExecution)' },
      });
  }
}

/** The time of the event that started the invocation, when it is an EventBridge event. */
function triggeredAt(payload: unknown): string | undefined {
  const time = (payload as { time?: unknown } | null | undefined)?.time;
  return typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? isoOf(time) : undefined;
}

function fromInvocationRecord(record: z.infer<typeof InvocationRecord>, environment: string): RunFact {
  const { requestId, functionArn, condition } = record.requestContext;
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  const fn = functionArn.split(':')[6] ?? '';
  const spec: PipelineSpec | undefined = pipelineOfFunction(fn, environment);
  if (!spec) throw new UnknownPipelineError(`function ${fn} is not a ledger pipeline in ${environment}`);
  const endedAt = isoOf(record.timestamp);
  const base: RunStart = {
    pipeline: spec.name,
    runId: requestId,
    trigger: triggerOf(record.requestPayload),
    // Kept only when the function's own recordRunStart did not write a start first.
    startedAt: triggeredAt(record.requestPayload) ?? endedAt,
    links: { logGroup: `/aws/lambda/${fn}`, requestId },
  };
  if (condition === 'Success' && !record.responseContext?.functionError) {
    const outcome = successOutcome(spec.name, record.responsePayload);
    return {
      kind: 'end',
      run: {
        ...base,
        endedAt,
        status: outcome.status,
        counts: outcome.counts,
        error: outcome.error,
        links: { ...base.links, ...(outcome.s3Keys ? { s3Keys: outcome.s3Keys } : {}) },
      },
    };
  }
  if (condition === 'EventAgeExceeded') {
    return {
      kind: 'end',
      run: {
        ...base,
        endedAt,
        status: 'FAILED',
        error: {
          name: 'EventAgeExceeded',
          message: 'the event waited longer than the maximum event age; the function did not run it',
        },
      },
    };
  }
  const outcome = functionErrorOutcome(record.responsePayload, {
    name: condition,
    message: `${condition} after ${record.requestContext.approximateInvokeCount ?? 1} attempt(s) (${record.responseContext?.functionError ?? 'function error'})`,
  });
  return { kind: 'end', run: { ...base, endedAt, status: outcome.status, error: outcome.error } };
}

function describeShape(event: unknown): string {
  if (typeof event !== 'object' || event === null) return typeof event;
  const e = event as Record<string, unknown>;
  const keys = Object.keys(e).slice(0, 8).join(', ');
  return e.source !== undefined
    ? `source ${JSON.stringify(e.source)}, detail-type ${JSON.stringify(e['detail-type'])}`
    : `keys ${keys || '(none)'}`;
}

/** One event (not a batch) → its fact. */
export function parseRunEvent(event: unknown, environment: string): RunFact {
  const change = StatusChangeEvent.safeParse(event);
  if (change.success) return fromStatusChange(change.data, environment);
  const record = InvocationRecord.safeParse(event);
  if (record.success) return fromInvocationRecord(record.data, environment);
  const wrapped = DestinationEvent.safeParse(event);
  if (wrapped.success) return fromInvocationRecord(wrapped.data.detail, environment);
  throw new UnrecognizedRunEventError(
    `not a Step Functions status change, a Lambda invocation record or a batch of them (${describeShape(event)})`,
  );
}

/**
 * Every fact in `event` (a batch or one event). A batch with any event the recorder does
 * not know is refused whole, naming each, before anything is written.
 */
export function parseRunEvents(event: unknown, environment: string): RunFact[] {
  const batch = Batch.safeParse(event);
  if (!batch.success) return [parseRunEvent(event, environment)];
  const facts: RunFact[] = [];
  const problems: string[] = [];
  batch.data.records.forEach((record, i) => {
    try {
      facts.push(parseRunEvent(record, environment));
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      problems.push(`records[${i}]: ${error.message}`);
    }
  });
  if (problems.length) throw new UnrecognizedRunEventError(problems.join('; '));
  return facts;
}
