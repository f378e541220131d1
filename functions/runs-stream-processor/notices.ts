import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { EndStatus, RunRecord, RunStatus } from '../shared/runs-ledger';
import { consoleUrl, isLedgerPipeline, logGroups, PIPELINES } from '../shared/runs-pipelines';
import { durationMs, formatCounts, formatDuration, formatJst } from './format';
import { topicSubject, type TopicMessage } from './publish';

/**
 * What a ledger change means for an operator. Only a transition into a terminal status
 * counts (no old image, or an old image still RUNNING), so a redelivered stream record, a
 * later counts update or a TTL deletion never notifies twice.
 */
export const FAILED_STATUSES: readonly EndStatus[] = ['FAILED', 'PARTIAL', 'TIMED_OUT'];
const TERMINAL: readonly RunStatus[] = ['SUCCEEDED', ...FAILED_STATUSES];

export const isTerminal = (status: unknown): status is EndStatus => TERMINAL.includes(status as RunStatus);
export const isFailure = (status: unknown): boolean => FAILED_STATUSES.includes(status as EndStatus);

/** A stream record whose NEW image is a ledger item without a pipeline or runId. */
export class MalformedRunImageError extends Error {
  override name = 'MalformedRunImageError';
}

function imageOf(
  image: Record<string, StreamAttributeValue> | undefined,
): Record<string, unknown> | undefined {
  // The stream's AttributeValue type and the SDK's describe the same DynamoDB JSON.
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

/** The run that has just ended, or undefined when the record is not such a transition. */
export function endedRun(record: DynamoDBRecord): RunRecord | undefined {
  if (record.eventName === 'REMOVE') return undefined;
  const next = imageOf(record.dynamodb?.NewImage);
  if (!next)
    throw new MalformedRunImageError('stream record has no NewImage (is the stream NEW_AND_OLD_IMAGES?)');
  if (!isTerminal(next.status)) return undefined;
  const previous = imageOf(record.dynamodb?.OldImage);
  if (previous && isTerminal(previous.status)) return undefined;
  if (
    typeof next.pipeline !== 'string' ||
    typeof next.runId !== 'string' ||
    typeof next.startedAt !== 'string'
  )
    throw new MalformedRunImageError('ledger item without pipeline, runId or startedAt');
  if (!isLedgerPipeline(next.pipeline))
    throw new MalformedRunImageError(`ledger item of unknown pipeline "${next.pipeline}"`);
  return next as unknown as RunRecord;
}

export interface Notice extends TopicMessage {
  kind: 'failure' | 'recovery';
  pipeline: string;
  runId: string;
}

export interface NoticeContext {
  environment: string;
  region: string;
}

/** A minute before the run started, so the tail shows its first lines (ISO UTC, seconds). */
const sinceOf = (startedAt: string) =>
  new Date(Date.parse(startedAt) - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The `aws logs tail` lines for a run: its own log group first (a function's filtered to the
 * invocation's request id), then the log groups of a state machine's task functions.
 */
export function tailCommands(run: RunRecord, environment: string): string[] {
  const groups = logGroups(run.pipeline, environment);
  const own = run.links?.logGroup || groups[0]!;
  const since = `--since ${sinceOf(run.startedAt)}`;
  const filter =
    PIPELINES[run.pipeline].kind === 'function' && run.links?.requestId
      ? ` --filter-pattern '"${run.links.requestId.replace(/[^A-Za-z0-9-]/g, '')}"'`
      : '';
  return [
    `aws logs tail ${own} ${since}${filter}`,
    ...groups.filter((g) => g !== own && g !== groups[0]).map((g) => `aws logs tail ${g} ${since}`),
  ];
}

function runLines(run: RunRecord): string[] {
  const ms = durationMs(run);
  return [
    `Run:      ${run.runId} (trigger: ${run.trigger ?? 'unknown'})`,
    `Started:  ${formatJst(run.startedAt)}`,
    `Ended:    ${run.endedAt ? formatJst(run.endedAt) : 'unknown'}${ms === undefined ? '' : ` (took ${formatDuration(ms)})`}`,
    `Counts:   ${formatCounts(run.counts)}`,
  ];
}

function lookNext(run: RunRecord, context: NoticeContext): string[] {
  const url = consoleUrl(run.pipeline, run.links ?? {}, context.region);
  return [
    'Look next:',
    ...tailCommands(run, context.environment).map((line) => `  ${line}`),
    ...(url ? [`  ${url}`] : []),
    ...(run.links?.s3Keys?.length ? [`  S3: ${run.links.s3Keys.join(', ')}`] : []),
  ];
}

export function failureNotice(run: RunRecord, context: NoticeContext): Notice {
  const what = run.error ? `${run.error.name}: ${run.error.message}` : `ended ${run.status} without an error`;
  const headline =
    run.error?.name ?? (run.status === 'PARTIAL' ? 'some records failed' : 'no error recorded');
  return {
    kind: 'failure',
    pipeline: run.pipeline,
    runId: run.runId,
    subject: topicSubject(`[${context.environment}] ${run.pipeline} ${run.status}: ${headline}`),
    message: [
      `${run.pipeline} (${context.environment}) ended ${run.status}.`,
      '',
      `Failed:   ${what}`,
      ...runLines(run),
      '',
      ...lookNext(run, context),
    ].join('\n'),
  };
}

export function recoveryNotice(run: RunRecord, previous: RunRecord, context: NoticeContext): Notice {
  return {
    kind: 'recovery',
    pipeline: run.pipeline,
    runId: run.runId,
    subject: topicSubject(
      `[${context.environment}] ${run.pipeline} recovered: SUCCEEDED after ${previous.status}`,
    ),
    message: [
      `${run.pipeline} (${context.environment}) succeeded after its previous run ended ${previous.status}.`,
      '',
      ...runLines(run),
      '',
      `Previous: ${previous.runId} ${previous.status} at ${formatJst(previous.endedAt ?? previous.startedAt)}` +
        (previous.error ? ` (${previous.error.name}: ${previous.error.message})` : ''),
      '',
      ...lookNext(run, context),
    ].join('\n'),
  };
}
