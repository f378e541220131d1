import * as z from 'zod/mini';
import { recordRunEnd, type RunCounts, type RunEndOutcome, type RunError } from './runs-ledger';
import type { LedgerPipeline } from './runs-pipelines';

/**
 * What a run's own result says beyond "it ended": the verdict on the data (a csv-processor
 * file rejected by validation, a sync with rejected rows), the counts and the S3 keys it
 * wrote. Read from the state machine's output (or its Fail Cause) and from the function's
 * return value, each pipeline's shape parsed loosely: a field a pipeline stops returning
 * leaves that count out, never fails the record.
 *
 * The recorder derives a run's end from these (functions/runs-recorder/parse.ts), and so does
 * a function that records its own end when invoked synchronously (withDirectRunEnd below),
 * so both write the same status, counts, error and keys for the same result.
 */
export type Outcome = RunEndOutcome;

const count = z.optional(z.number());
const Keys = z.optional(z.array(z.string()));

/** csv-processor's ExecutionSummary (functions/csv-processor/contract.ts), also its Fail Cause. */
const CsvSummary = z.looseObject({
  status: z.optional(z.string()),
  rows: z.optional(z.looseObject({ total: count, succeeded: count, failed: count })),
  errorCount: count,
  errors: z.optional(z.array(z.looseObject({ line: count, reason: z.optional(z.string()) }))),
  outputKeys: Keys,
  stage: z.optional(z.string()),
  error: z.optional(z.string()),
  cause: z.optional(z.string()),
  mapError: z.optional(z.string()),
});

/** salesforce-extract's RunSummary output (functions/salesforce-extract/steps/finish.ts). */
const SalesforceSummary = z.looseObject({
  status: z.optional(z.string()),
  objects: z.optional(
    z.record(
      z.string(),
      z.looseObject({ records: count, key: z.optional(z.string()), manifestKey: z.optional(z.string()) }),
    ),
  ),
});

/** sync-batch's SyncResult (functions/sync-batch/sync.ts). */
const SyncResult = z.looseObject({
  status: z.optional(z.string()),
  quotaUnits: count,
  rows: z.optional(z.looseObject({ channels: count, videos: count, stats: count })),
  rejectedRows: count,
  archive: z.optional(z.nullable(z.looseObject({ keys: Keys }))),
});

/** etl-extract-transform's ExtractResult (functions/etl-extract-transform/handler.ts). */
const ExtractResult = z.looseObject({
  status: z.optional(z.string()),
  dates: z.optional(
    z.array(
      z.looseObject({
        manifestKey: z.optional(z.string()),
        datasets: z.optional(z.record(z.string(), z.looseObject({ rows: count }))),
      }),
    ),
  ),
});

/** etl-load's LoadResult (functions/etl-load/load.ts). */
const LoadResult = z.looseObject({
  status: z.optional(z.string()),
  manifestKey: z.optional(z.string()),
  datasets: z.optional(z.record(z.string(), z.looseObject({ rows: count, written: count }))),
});

const sum = (values: Array<number | undefined>) => values.reduce<number>((n, v) => n + (v ?? 0), 0);
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
const nonEmpty = (keys: Array<string | undefined>) => {
  const present = keys.filter((k): k is string => Boolean(k));
  return present.length ? present : undefined;
};

/** A `status` of PARTIAL (any case) in an output that otherwise succeeded. */
const partialOr = (status: string | undefined): Outcome['status'] =>
  status?.toUpperCase() === 'PARTIAL' ? 'PARTIAL' : 'SUCCEEDED';

function csvCounts(summary: z.infer<typeof CsvSummary>): RunCounts | undefined {
  if (!summary.rows) return undefined;
  return defined({ in: summary.rows.total, applied: summary.rows.succeeded, failed: summary.rows.failed });
}

/** The outcome of a run that succeeded as far as AWS is concerned, from its output. */
export function successOutcome(pipeline: LedgerPipeline, output: unknown): Outcome {
  switch (pipeline) {
    case 'csv-processor': {
      const parsed = CsvSummary.safeParse(output);
      if (!parsed.success) return { status: 'SUCCEEDED' };
      const summary = parsed.data;
      const base = { counts: csvCounts(summary), s3Keys: nonEmpty(summary.outputKeys ?? []) };
      // The state machine ends well for a rejected file (nothing was applied); the run did not.
      if (summary.status === 'VALIDATION_FAILED') {
        const first = summary.errors?.[0];
        const problems = summary.errorCount ?? summary.errors?.length ?? 0;
        return {
          status: 'FAILED',
          ...base,
          error: {
            name: 'VALIDATION_FAILED',
            message: `the file was rejected: ${problems} problem(s)${first ? `, first at line ${first.line}: ${first.reason}` : ''}`,
          },
        };
      }
      return { status: partialOr(summary.status), ...base };
    }
    case 'salesforce-extract': {
      const parsed = SalesforceSummary.safeParse(output);
      if (!parsed.success) return { status: 'SUCCEEDED' };
      const objects = Object.values(parsed.data.objects ?? {});
      const records = sum(objects.map((o) => o.records));
      return {
        status: partialOr(parsed.data.status),
        counts: { in: records, applied: records },
        s3Keys: nonEmpty(objects.flatMap((o) => [o.key, o.manifestKey])),
      };
    }
    case 'batch-scheduler': {
      const parsed = SyncResult.safeParse(output);
      if (!parsed.success) return { status: 'SUCCEEDED' };
      const r = parsed.data;
      const applied = r.rows ? sum([r.rows.channels, r.rows.videos, r.rows.stats]) : undefined;
      return {
        status: partialOr(r.status),
        counts: defined({
          in: applied === undefined ? undefined : applied + (r.rejectedRows ?? 0),
          applied,
          failed: r.rejectedRows,
          apiCalls: r.quotaUnits,
        }),
        s3Keys: nonEmpty(r.archive?.keys ?? []),
      };
    }
    case 'etl': {
      const parsed = ExtractResult.safeParse(output);
      if (!parsed.success) return { status: 'SUCCEEDED' };
      const dates = parsed.data.dates ?? [];
      const rows = sum(dates.flatMap((d) => Object.values(d.datasets ?? {}).map((s) => s.rows)));
      return {
        status: partialOr(parsed.data.status),
        counts: { in: rows, applied: rows },
        s3Keys: nonEmpty(dates.map((d) => d.manifestKey)),
      };
    }
    case 'etl-load': {
      const parsed = LoadResult.safeParse(output);
      if (!parsed.success) return { status: 'SUCCEEDED' };
      const datasets = Object.values(parsed.data.datasets ?? {});
      return {
        status: partialOr(parsed.data.status),
        counts: { in: sum(datasets.map((d) => d.rows)), applied: sum(datasets.map((d) => d.written)) },
        s3Keys: nonEmpty([parsed.data.manifestKey]),
      };
    }
  }
}

/**
 * What a failed execution's Cause adds: csv-processor's Fail state carries its summary as
 * JSON (row counts, the stage and the underlying error); other causes are plain text.
 */
export function failureDetails(
  pipeline: LedgerPipeline,
  cause: string | undefined,
): { counts?: RunCounts; s3Keys?: string[]; message?: string } {
  if (pipeline !== 'csv-processor' || !cause) return {};
  let json: unknown;
  try {
    json = JSON.parse(cause);
  } catch {
    return {};
  }
  const parsed = CsvSummary.safeParse(json);
  if (!parsed.success) return {};
  const s = parsed.data;
  const what = s.mapError ?? [s.error, s.cause].filter(Boolean).join(': ');
  const message = [
    s.stage
      ? `${s.stage} failed`
      : s.rows
        ? `${s.rows.failed ?? 0} of ${s.rows.total ?? 0} row(s) failed`
        : '',
    what,
  ]
    .filter(Boolean)
    .join(': ');
  return { counts: csvCounts(s), s3Keys: nonEmpty(s.outputKeys ?? []), message: message || undefined };
}

const FunctionError = z.looseObject({
  errorType: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
});

/**
 * A function's failed invocation from what Lambda reports as its result (the destination
 * record's responsePayload: `{errorType, errorMessage, trace}`): TIMED_OUT for Lambda's own
 * timeout, else FAILED with the error. `otherwise` names the failure when the payload has no
 * errorType or errorMessage (a runtime crash, an invocation Lambda gave up on).
 */
export function functionErrorOutcome(responsePayload: unknown, otherwise: RunError): Outcome {
  const failure = FunctionError.safeParse(responsePayload);
  const errorType = failure.success ? failure.data.errorType : undefined;
  const errorMessage = failure.success ? failure.data.errorMessage : undefined;
  const timedOut = errorType === 'Sandbox.Timedout' || /Task timed out/.test(errorMessage ?? '');
  return {
    status: timedOut ? 'TIMED_OUT' : 'FAILED',
    error: {
      name: errorType || (timedOut ? 'TimedOut' : otherwise.name),
      message: errorMessage ?? otherwise.message,
    },
  };
}

/**
 * What Lambda's Node.js runtime reports for an error a handler throws (errorType is the
 * error's name, errorMessage its message), so a handler can derive the outcome the recorder
 * would derive from the same failure.
 */
export function thrownErrorPayload(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: typeof error, errorMessage: String(error) };
}

/**
 * The payload `source` of a synchronous invocation by hand (`make sync-prd`,
 * scripts/ops/sync-remote.sh: `aws lambda invoke` RequestResponse with `{"source":"make"}`).
 *
 * A synchronous invocation has no Lambda destination, so nothing else records its end. An
 * asynchronous one must not record its own: Lambda may retry it under the same request id,
 * and an end written by a failed first attempt would freeze the run FAILED while the retry
 * succeeds; there the destination, which reports the last attempt, stays the one writer. A
 * handler cannot see how it was invoked, so the caller says so in the payload: whoever sends
 * this marker promises a synchronous call. Without it nothing changes (a person's own
 * `aws lambda invoke` without it leaves the run RUNNING, as before).
 */
export const SYNC_INVOKE_SOURCE = 'make';

export function isSyncInvocation(event: unknown): boolean {
  const e = event as { source?: unknown; 'detail-type'?: unknown } | null | undefined;
  // An EventBridge event (it has a detail-type) always arrives asynchronously.
  return e?.source === SYNC_INVOKE_SOURCE && e['detail-type'] === undefined;
}

/**
 * Runs a function pipeline's work and, for a synchronous invocation (isSyncInvocation),
 * records its end with the outcome the recorder would derive from the same result: the
 * returned value as the destination's responsePayload (as JSON, as Lambda sends it), or a
 * thrown error as the runtime reports it. The result or the error is passed on unchanged; a
 * ledger error is logged, never fails the run. Lambda's own timeout ends the process before
 * anything is written: such a run stays RUNNING.
 */
export async function withDirectRunEnd<T>(
  pipeline: LedgerPipeline,
  event: unknown,
  context: { awsRequestId?: string } | undefined,
  logger: Parameters<typeof recordRunEnd>[4],
  work: () => Promise<T>,
): Promise<T> {
  if (!isSyncInvocation(event)) return work();
  const startedAt = new Date().toISOString();
  let result: T;
  try {
    result = await work();
  } catch (error) {
    const outcome = functionErrorOutcome(thrownErrorPayload(error), { name: 'Unhandled', message: '' });
    await recordRunEnd(pipeline, event, context, { ...outcome, startedAt }, logger);
    throw error;
  }
  const payload: unknown = result === undefined ? null : JSON.parse(JSON.stringify(result));
  await recordRunEnd(pipeline, event, context, { ...successOutcome(pipeline, payload), startedAt }, logger);
  return result;
}
