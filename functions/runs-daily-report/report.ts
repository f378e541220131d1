import { jstDate, jstDayRange } from '../shared/jst';
import type { RunCounts, RunError, RunRecord, RunsLedger, RunStatus, Trigger } from '../shared/runs-ledger';
import { MAX_LIMIT } from '../shared/runs-ledger';
import {
  consoleUrl,
  LEDGER_PIPELINES,
  PIPELINES,
  primaryLogGroup,
  type LedgerPipeline,
} from '../shared/runs-pipelines';
import { durationMs } from '../runs-stream-processor/format';
import { isFailure, tailCommands } from '../runs-stream-processor/notices';

/**
 * The daily report of the run ledger for one JST calendar day: per pipeline, that day's
 * runs by status, its latest run as of the day's end, and the last 7 days (the day and the
 * six before it) as one status per day; every run of the day that ended FAILED, PARTIAL or
 * TIMED_OUT with its error and where to look. What `reports/YYYY-MM-DD.json` holds, and
 * what the HTML page and the summary message are rendered from.
 */
export const REPORT_DAYS = 7;
export const REPORT_VERSION = 1;

/** A day's cell: the worst status of its runs, or NONE when the pipeline did not run. */
export type DayStatus = RunStatus | 'NONE';

/** Worst first: a day with any failure shows as failed. */
const SEVERITY: readonly DayStatus[] = ['FAILED', 'TIMED_OUT', 'PARTIAL', 'RUNNING', 'SUCCEEDED', 'NONE'];

export interface StatusTally {
  runs: number;
  SUCCEEDED: number;
  PARTIAL: number;
  FAILED: number;
  TIMED_OUT: number;
  RUNNING: number;
}

export interface ReportRun {
  pipeline: LedgerPipeline;
  runId: string;
  status: RunStatus;
  trigger: Trigger;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  counts?: RunCounts;
  error?: RunError;
  logGroup: string;
  consoleUrl?: string;
  logsTail: string[];
  s3Keys?: string[];
}

export interface ReportDay {
  date: string;
  status: DayStatus;
  tally: StatusTally;
}

export interface PipelineReport {
  pipeline: LedgerPipeline;
  summary: string;
  /** The report day's runs by status. */
  tally: StatusTally;
  /** The newest run that started before the end of the report day. */
  latest?: ReportRun;
  /** Oldest first, REPORT_DAYS entries, the last one the report day. */
  days: ReportDay[];
}

export interface DailyReport {
  version: typeof REPORT_VERSION;
  /** The JST calendar day reported (YYYY-MM-DD). */
  date: string;
  environment: string;
  /** UTC bounds of the report day: [from, to). */
  range: { from: string; to: string };
  generatedAt: string;
  totals: StatusTally;
  pipelines: PipelineReport[];
  /** The report day's runs that ended FAILED, PARTIAL or TIMED_OUT, newest first. */
  failures: ReportRun[];
}

export interface ReportContext {
  environment: string;
  region: string;
  now?: () => Date;
}

const emptyTally = (): StatusTally => ({
  runs: 0,
  SUCCEEDED: 0,
  PARTIAL: 0,
  FAILED: 0,
  TIMED_OUT: 0,
  RUNNING: 0,
});

export function tally(runs: readonly RunRecord[]): StatusTally {
  const out = emptyTally();
  for (const run of runs) {
    out.runs++;
    out[run.status]++;
  }
  return out;
}

export function worstStatus(runs: readonly RunRecord[]): DayStatus {
  return SEVERITY.find((status) => runs.some((run) => run.status === status)) ?? 'NONE';
}

/** The JST calendar date `days` before `date` (YYYY-MM-DD). */
export function shiftDate(date: string, days: number): string {
  return jstDate(new Date(jstDayRange(date).start.getTime() + days * 24 * 60 * 60 * 1000));
}

export function reportRun(run: RunRecord, context: ReportContext): ReportRun {
  const ms = durationMs(run);
  const url = consoleUrl(run.pipeline, run.links ?? {}, context.region);
  return {
    pipeline: run.pipeline,
    runId: run.runId,
    status: run.status,
    trigger: run.trigger,
    startedAt: run.startedAt,
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    ...(ms === undefined ? {} : { durationMs: ms }),
    ...(run.counts ? { counts: run.counts } : {}),
    ...(run.error ? { error: run.error } : {}),
    logGroup: run.links?.logGroup || primaryLogGroup(run.pipeline, context.environment),
    ...(url ? { consoleUrl: url } : {}),
    logsTail: tailCommands(run, context.environment),
    ...(run.links?.s3Keys?.length ? { s3Keys: run.links.s3Keys } : {}),
  };
}

/** Every run of `pipeline` that started in [from, to), newest first (all pages). */
async function runsBetween(
  ledger: Pick<RunsLedger, 'listRuns'>,
  pipeline: LedgerPipeline,
  from: Date,
  to: Date,
): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ledger.listRuns({
      pipeline,
      from: from.toISOString(),
      to: to.toISOString(),
      limit: MAX_LIMIT,
      ...(cursor ? { cursor } : {}),
    });
    runs.push(...page.runs);
    cursor = page.cursor;
  } while (cursor);
  return runs;
}

/** The report for JST day `date` (YYYY-MM-DD; a RangeError when it is not a calendar date). */
export async function buildReport(
  ledger: Pick<RunsLedger, 'listRuns'>,
  date: string,
  context: ReportContext,
): Promise<DailyReport> {
  const day = jstDayRange(date);
  const windowStart = jstDayRange(shiftDate(date, -(REPORT_DAYS - 1))).start;
  const dates = Array.from({ length: REPORT_DAYS }, (_, i) => shiftDate(date, i - (REPORT_DAYS - 1)));
  const pipelines: PipelineReport[] = [];
  const failures: RunRecord[] = [];
  const ofDay: RunRecord[] = [];
  for (const pipeline of LEDGER_PIPELINES) {
    const recent = await runsBetween(ledger, pipeline, windowStart, day.end);
    const byDate = new Map<string, RunRecord[]>(dates.map((d) => [d, []]));
    for (const run of recent) byDate.get(jstDate(new Date(run.startedAt)))?.push(run);
    const today = byDate.get(date) ?? [];
    ofDay.push(...today);
    failures.push(...today.filter((run) => isFailure(run.status)));
    // Newest first, so the latest is the first one; before the window, one more look.
    const latest =
      recent[0] ?? (await ledger.listRuns({ pipeline, to: day.end.toISOString(), limit: 1 })).runs[0];
    pipelines.push({
      pipeline,
      summary: PIPELINES[pipeline].summary,
      tally: tally(today),
      ...(latest ? { latest: reportRun(latest, context) } : {}),
      days: dates.map((d) => ({
        date: d,
        status: worstStatus(byDate.get(d)!),
        tally: tally(byDate.get(d)!),
      })),
    });
  }
  failures.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return {
    version: REPORT_VERSION,
    date,
    environment: context.environment,
    range: { from: day.start.toISOString(), to: day.end.toISOString() },
    generatedAt: (context.now ?? (() => new Date()))().toISOString(),
    totals: tally(ofDay),
    pipelines,
    failures: failures.map((run) => reportRun(run, context)),
  };
}
