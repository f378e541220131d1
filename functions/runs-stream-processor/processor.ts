import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RunRecord, RunsLedger } from '../shared/runs-ledger';
import { durationMs } from './format';
import {
  endedRun,
  failureNotice,
  isFailure,
  recoveryNotice,
  type Notice,
  type NoticeContext,
} from './notices';

export type Notify = (notice: Notice) => Promise<void>;

export interface StreamDependencies {
  ledger: Pick<RunsLedger, 'listRuns'>;
  notify: Notify;
  metrics: Pick<Metrics, 'singleMetric'>;
  context: NoticeContext;
}

export interface RecordOutcome {
  pipeline?: string;
  runId?: string;
  status?: string;
  notice?: Notice['kind'];
}

/** How many older runs to read past still-RUNNING ones to find the last finished run. */
const LOOK_BACK = 20;

/** The pipeline's last finished run that started before `run`. */
export async function previousFinishedRun(
  ledger: Pick<RunsLedger, 'listRuns'>,
  run: RunRecord,
): Promise<RunRecord | undefined> {
  const page = await ledger.listRuns({ pipeline: run.pipeline, to: run.startedAt, limit: LOOK_BACK });
  return page.runs.find((r) => r.runId !== run.runId && r.status !== 'RUNNING');
}

/**
 * Per-pipeline metrics (namespace `runs`, dimension `pipeline`): RunsSucceeded, RunsFailed
 * (FAILED, PARTIAL, TIMED_OUT: every run that raised a notice) and RunDuration (seconds).
 * A single-metric flush per value, because one batch carries several pipelines and a
 * dimension set on the shared instance would apply to all of them.
 */
export function emitRunMetrics(metrics: Pick<Metrics, 'singleMetric'>, run: RunRecord): void {
  const one = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
    const metric = metrics.singleMetric();
    metric.addDimension('pipeline', run.pipeline);
    metric.addMetric(name, unit, value);
  };
  one(run.status === 'SUCCEEDED' ? 'RunsSucceeded' : 'RunsFailed', MetricUnit.Count, 1);
  const ms = durationMs(run);
  if (ms !== undefined) one('RunDuration', MetricUnit.Seconds, ms / 1000);
}

/** One stream record: metrics and at most one notice for a run that has just ended. */
export async function processRecord(
  record: DynamoDBRecord,
  deps: StreamDependencies,
): Promise<RecordOutcome> {
  const run = endedRun(record);
  if (!run) return {};
  const outcome: RecordOutcome = { pipeline: run.pipeline, runId: run.runId, status: run.status };
  let notice: Notice | undefined;
  if (isFailure(run.status)) {
    notice = failureNotice(run, deps.context);
  } else {
    const previous = await previousFinishedRun(deps.ledger, run);
    if (previous && isFailure(previous.status)) notice = recoveryNotice(run, previous, deps.context);
  }
  // The notice first: when publishing fails the record is retried, and metrics are not counted twice.
  if (notice) {
    await deps.notify(notice);
    outcome.notice = notice.kind;
  }
  emitRunMetrics(deps.metrics, run);
  return outcome;
}
