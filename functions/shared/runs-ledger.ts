import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { documentClient } from './dynamo';
import { isLedgerPipeline, lazy, LEDGER_PIPELINES, triggerOf, type LedgerPipeline } from './runs-pipelines';

/**
 * The run ledger `pipeline-runs-<env>`: one item per pipeline run (HASH pipeline, RANGE
 * runId; LSI ByStartedAt (pipeline, startedAt); GSI ByStatus (status, startedAt)).
 *
 * Writes are idempotent and order-independent, because the facts arrive from outside the
 * pipelines (Step Functions status-change events, Lambda destination records), may be
 * redelivered, and may arrive end first:
 * - recordStart writes RUNNING only while the item has no status; an end already there wins;
 * - recordEnd writes a terminal status only while the item has none or RUNNING, keeping a
 *   startedAt/trigger already stored; an end before its start makes a complete item;
 * - a terminal status never changes, so a redelivered end is a no-op ('already-recorded'),
 *   except for a newer attempt of a redriven Step Functions execution (same name, higher
 *   redriveCount): its start reopens the item and its end replaces the earlier end, while
 *   every fact of an older attempt is a no-op once a newer one is stored;
 * - counts and links merge field by field with what is stored (a pipeline's own
 *   addCounts and the end's counts both survive), under an optimistic `revision` check.
 */
export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'TIMED_OUT'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type EndStatus = Exclude<RunStatus, 'RUNNING'>;
export const TRIGGERS = ['schedule', 'manual', 'event'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export interface RunCounts {
  in?: number;
  applied?: number;
  failed?: number;
  apiCalls?: number;
}

export interface RunError {
  name: string;
  message: string;
}

export interface RunLinks {
  executionArn?: string;
  logGroup: string;
  requestId?: string;
  s3Keys?: string[];
}

/** What the ledger stores for one run, as the API returns it. */
export interface RunRecord {
  pipeline: LedgerPipeline;
  runId: string;
  trigger: Trigger;
  /** ISO-8601 UTC with milliseconds. */
  startedAt: string;
  endedAt?: string;
  status: RunStatus;
  counts?: RunCounts;
  error?: RunError;
  links: RunLinks;
  /** Epoch seconds DynamoDB expires the item at (startedAt + 400 days). */
  ttl: number;
  updatedAt: string;
}

export interface RunStart {
  pipeline: LedgerPipeline;
  runId: string;
  trigger: Trigger;
  startedAt: string;
  links: RunLinks;
  /**
   * Which attempt of a redriven Step Functions execution this fact is about (the status
   * change's detail.redriveCount): 0 or absent for the first run.
   */
  redriveCount?: number;
}

export interface RunEnd extends RunStart {
  status: EndStatus;
  endedAt: string;
  error?: RunError;
  counts?: RunCounts;
}

export type WriteOutcome = 'recorded' | 'already-recorded';

export const LEDGER_INDEXES = { byStartedAt: 'ByStartedAt', byStatus: 'ByStatus' } as const;
export const TTL_DAYS = 400;
export const MAX_ERROR_MESSAGE = 1_000;
export const MAX_LIMIT = 100;

export const ttlFor = (startedAt: string): number =>
  Math.floor(Date.parse(startedAt) / 1000) + TTL_DAYS * 24 * 60 * 60;

/** A cursor that is not one this ledger issued for the same query. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** A listRuns query the ledger cannot answer (bad limit, status or range). */
export class InvalidRunQueryError extends Error {
  override name = 'InvalidRunQueryError';
}

// Secrets that may end up in an error message: tokens, keys, passwords in URLs or key=value text.
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*-----[\s\S]*?(?:-----END [A-Z ]*-----|$)/g, '[redacted key]'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted jwt]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, '[redacted key id]'],
  [/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g, '[redacted session]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+):[^@\s/]+@/gi, '$1:[redacted]@'],
  [
    /\b((?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|private[_-]?key|session[_-]?id|signature|x-amz-signature|x-amz-security-token|assertion)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
    '$1[redacted]',
  ],
];
// An opaque run of 32+ token characters mixing upper case, lower case and digits.
const OPAQUE_TOKEN = /(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/_=-])/g;

/** `text` with anything token- or password-looking replaced. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out.replace(OPAQUE_TOKEN, (match) =>
    /[A-Z]/.test(match) && /[a-z]/.test(match) && /\d/.test(match) ? '[redacted]' : match,
  );
}

/** An error as the ledger keeps it: scrubbed, the message cut to 1,000 characters. */
export function ledgerError(error: { name?: unknown; message?: unknown }): RunError {
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const name = typeof error.name === 'string' && error.name ? error.name : 'Error';
  const message = typeof error.message === 'string' ? error.message : String(error.message ?? '');
  return { name: cut(scrubSecrets(name), 200), message: cut(scrubSecrets(message), MAX_ERROR_MESSAGE) };
}

export interface ListRunsQuery {
  pipeline?: LedgerPipeline;
  status?: RunStatus;
  /** Inclusive lower bound on startedAt (ISO-8601 UTC). */
  from?: string;
  /** Exclusive upper bound on startedAt (ISO-8601 UTC). */
  to?: string;
  limit: number;
  cursor?: string;
}

export interface RunPage {
  runs: RunRecord[];
  /** Present when more runs match: pass it back as `cursor` with the same query. */
  cursor?: string;
}

export interface RunsLedger {
  readonly table: string;
  recordStart(run: RunStart): Promise<WriteOutcome>;
  recordEnd(run: RunEnd): Promise<WriteOutcome>;
  addCounts(pipeline: LedgerPipeline, runId: string, counts: RunCounts): Promise<void>;
  getRun(pipeline: LedgerPipeline, runId: string): Promise<RunRecord | undefined>;
  listRuns(query: ListRunsQuery): Promise<RunPage>;
}

export interface RunsLedgerOptions {
  table: string;
  client?: DynamoDBDocumentClient;
  now?: () => Date;
  /** Abandons one DynamoDB request after this long (the pipelines' helper: never hold a run up). */
  requestTimeoutMs?: number;
  /** Items per Query page when listing (default: the page size plus one, at least 25). */
  queryPageSize?: number;
}

const MAX_ATTEMPTS = 5;
const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Stored item → RunRecord: only the documented attributes (not `revision`). */
function toRecord(item: Record<string, unknown>): RunRecord {
  const record: Record<string, unknown> = {};
  for (const key of [
    'pipeline',
    'runId',
    'trigger',
    'startedAt',
    'endedAt',
    'status',
    'counts',
    'error',
    'links',
    'ttl',
    'updatedAt',
  ]) {
    if (item[key] !== undefined) record[key] = item[key];
  }
  return record as unknown as RunRecord;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The redrive attempt an item was last written for (0 before any redrive). */
const storedAttempt = (item: Record<string, unknown> | undefined): number =>
  typeof item?.redriveCount === 'number' ? item.redriveCount : 0;

/** What of an item survives into a newer attempt: not the earlier end's counts, error or keys. */
function forNewAttempt(item: Record<string, unknown> | undefined): Record<string, unknown> {
  const { s3Keys: _dropped, ...links } = (item?.links ?? {}) as RunLinks;
  return { ...item, counts: undefined, error: undefined, links };
}

/**
 * The start of redrive attempt `attempt` (> 0): RUNNING again, unless the item already holds
 * this attempt or a newer one (a redelivered start, or this attempt's end that came first).
 * startedAt stays the execution's first start, as Step Functions keeps its startDate.
 */
function reopen(
  item: Record<string, unknown> | undefined,
  run: RunStart,
  attempt: number,
): Record<string, unknown> | undefined {
  const seen = item?.status !== undefined;
  if (seen && storedAttempt(item) >= attempt) return undefined;
  const startedAt = (item?.startedAt as string | undefined) ?? run.startedAt;
  const kept = seen ? forNewAttempt(item) : item;
  return {
    status: 'RUNNING',
    redriveCount: attempt,
    startedAt,
    trigger: (item?.trigger as Trigger | undefined) ?? run.trigger,
    links: { ...(kept?.links as RunLinks | undefined), ...definedOnly(run.links) },
    ttl: ttlFor(startedAt),
    ...(seen ? { endedAt: undefined, counts: undefined, error: undefined } : {}),
  };
}

export function createRunsLedger(options: RunsLedgerOptions): RunsLedger {
  const ddb = () => options.client ?? documentClient();
  const now = () => (options.now ?? (() => new Date()))().toISOString();
  const send = <T>(command: GetCommand | UpdateCommand | QueryCommand): Promise<T> =>
    ddb().send(
      command as never,
      options.requestTimeoutMs ? { abortSignal: AbortSignal.timeout(options.requestTimeoutMs) } : {},
    ) as Promise<T>;
  const table = options.table;

  async function read(pipeline: string, runId: string): Promise<Record<string, unknown> | undefined> {
    const out = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({ TableName: table, Key: { pipeline, runId }, ConsistentRead: true }),
    );
    return out.Item;
  }

  /**
   * Read, decide, write on the condition that nobody wrote in between (the revision seen,
   * or no item); on a lost race, again from the read. A value of undefined removes the
   * attribute.
   */
  async function readModifyWrite(
    pipeline: string,
    runId: string,
    change: (item: Record<string, unknown> | undefined) => Record<string, unknown> | undefined,
  ): Promise<WriteOutcome> {
    for (let attempt = 1; ; attempt++) {
      const item = await read(pipeline, runId);
      const values = change(item);
      if (!values) return 'already-recorded';
      const names: Record<string, string> = { '#revision': 'revision' };
      const bound: Record<string, unknown> = { ':one': 1 };
      const sets: string[] = [];
      const removes: string[] = [];
      Object.entries({ ...values, updatedAt: now() }).forEach(([key, value], i) => {
        names[`#a${i}`] = key;
        if (value === undefined) return removes.push(`#a${i}`);
        bound[`:v${i}`] = value;
        return sets.push(`#a${i} = :v${i}`);
      });
      let condition = 'attribute_not_exists(#revision)';
      if (item?.revision !== undefined) {
        condition = '#revision = :seen';
        bound[':seen'] = item.revision;
      }
      try {
        await send(
          new UpdateCommand({
            TableName: table,
            Key: { pipeline, runId },
            UpdateExpression:
              `SET ${sets.join(', ')} ADD #revision :one` +
              (removes.length ? ` REMOVE ${removes.join(', ')}` : ''),
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: bound,
          }),
        );
        return 'recorded';
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  return {
    table,

    async recordStart(run) {
      const attempt = run.redriveCount ?? 0;
      if (attempt > 0) return readModifyWrite(run.pipeline, run.runId, (item) => reopen(item, run, attempt));
      try {
        await send(
          new UpdateCommand({
            TableName: table,
            Key: { pipeline: run.pipeline, runId: run.runId },
            UpdateExpression:
              'SET #status = :running, startedAt = if_not_exists(startedAt, :startedAt), ' +
              '#trigger = if_not_exists(#trigger, :trigger), links = if_not_exists(links, :links), ' +
              '#ttl = if_not_exists(#ttl, :ttl), updatedAt = :now ADD #revision :one',
            ConditionExpression: 'attribute_not_exists(#status)',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#trigger': 'trigger',
              '#ttl': 'ttl',
              '#revision': 'revision',
            },
            ExpressionAttributeValues: {
              ':running': 'RUNNING',
              ':startedAt': run.startedAt,
              ':trigger': run.trigger,
              ':links': definedOnly(run.links),
              ':ttl': ttlFor(run.startedAt),
              ':now': now(),
              ':one': 1,
            },
          }),
        );
        return 'recorded';
      } catch (error) {
        // Any status there (RUNNING from a redelivery, or an end that came first) stays.
        if (isConditionFailure(error)) return 'already-recorded';
        throw error;
      }
    },

    recordEnd(run) {
      return readModifyWrite(run.pipeline, run.runId, (item) => {
        const attempt = run.redriveCount ?? 0;
        const stored = storedAttempt(item);
        if (stored > attempt) return undefined;
        const newer = item?.status !== undefined && stored < attempt;
        if (!newer && item?.status !== undefined && item.status !== 'RUNNING') return undefined;
        const startedAt = (item?.startedAt as string | undefined) ?? run.startedAt;
        // A newer attempt's end replaces what an earlier attempt's end left.
        const kept = newer ? forNewAttempt(item) : item;
        const counts = { ...(kept?.counts as RunCounts | undefined), ...definedOnly(run.counts) };
        return {
          status: run.status,
          endedAt: run.endedAt,
          startedAt,
          trigger: (item?.trigger as Trigger | undefined) ?? run.trigger,
          links: { ...(kept?.links as RunLinks | undefined), ...definedOnly(run.links) },
          ttl: ttlFor(startedAt),
          ...(Object.keys(counts).length ? { counts } : newer ? { counts: undefined } : {}),
          ...(run.error ? { error: ledgerError(run.error) } : newer ? { error: undefined } : {}),
          ...(attempt > 0 ? { redriveCount: attempt } : {}),
        };
      });
    },

    async addCounts(pipeline, runId, counts) {
      const given = definedOnly(counts);
      if (Object.keys(given).length === 0) return;
      await readModifyWrite(pipeline, runId, (item) => ({
        counts: { ...(item?.counts as RunCounts | undefined), ...given },
        // A run the recorder has not seen yet still expires if it never does.
        ...(item?.ttl === undefined ? { ttl: ttlFor(now()) } : {}),
      }));
    },

    async getRun(pipeline, runId) {
      const item = await send<{ Item?: Record<string, unknown> }>(
        new GetCommand({ TableName: table, Key: { pipeline, runId } }),
      ).then((out) => out.Item);
      // A pipeline's counts may arrive before the recorder's first fact: not a run yet.
      return item?.status === undefined ? undefined : toRecord(item);
    },

    listRuns(query) {
      return listRuns(
        query,
        (input) => send(new QueryCommand({ TableName: table, ...input })),
        options.queryPageSize,
      );
    },
  };
}

// ----- listing -------------------------------------------------------------------------

/** Where the previous page ended, in the order runs are listed. */
interface Position {
  startedAt: string;
  pipeline: string;
  runId: string;
}

// Built on first use: only a request for a next page reads a cursor.
const cursorSchema = lazy(() =>
  z.strictObject({
    v: z.literal(1),
    q: z.strictObject({
      pipeline: z.optional(z.string()),
      status: z.optional(z.string()),
      from: z.optional(z.string()),
      to: z.optional(z.string()),
    }),
    at: z.strictObject({ startedAt: z.string(), pipeline: z.string(), runId: z.string() }),
    h: z.string(),
  }),
);

type QueryFilters = Pick<ListRunsQuery, 'pipeline' | 'status' | 'from' | 'to'>;

// Catches a cursor edited by hand or cut when copied; access is guarded by IAM, not by this.
const checksum = (payload: unknown) =>
  createHash('sha256')
    .update(`pipeline-runs:${JSON.stringify(payload)}`)
    .digest('base64url')
    .slice(0, 16);

function filtersOf(query: QueryFilters) {
  return definedOnly({ pipeline: query.pipeline, status: query.status, from: query.from, to: query.to });
}

export function encodeCursor(query: QueryFilters, at: Position): string {
  const body = { v: 1 as const, q: filtersOf(query), at };
  return Buffer.from(JSON.stringify({ ...body, h: checksum(body) })).toString('base64url');
}

export function decodeCursor(cursor: string, query: QueryFilters): Position {
  let parsed: z.infer<ReturnType<typeof cursorSchema>>;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    parsed = cursorSchema().parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
  const { h, ...body } = parsed;
  if (checksum(body) !== h) throw new InvalidCursorError('cursor was altered');
  if (JSON.stringify(body.q) !== JSON.stringify(filtersOf(query)))
    throw new InvalidCursorError('cursor belongs to a query with other filters');
  if (!isLedgerPipeline(body.at.pipeline) || Number.isNaN(Date.parse(body.at.startedAt)))
    throw new InvalidCursorError('cursor is not one this API issued');
  return body.at;
}

/** Newest first; on equal startedAt, by pipeline then runId (descending), a total order. */
function compareRuns(a: Position, b: Position): number {
  if (a.startedAt !== b.startedAt) return a.startedAt < b.startedAt ? 1 : -1;
  if (a.pipeline !== b.pipeline) return a.pipeline < b.pipeline ? 1 : -1;
  if (a.runId !== b.runId) return a.runId < b.runId ? 1 : -1;
  return 0;
}

type QueryInput = Record<string, unknown>;
type QueryFn = (input: QueryInput) => Promise<{
  Items?: Record<string, unknown>[];
  LastEvaluatedKey?: Record<string, unknown>;
}>;

/**
 * One index partition (a pipeline on ByStartedAt, or a status on ByStatus), read newest
 * first in pages. Items sharing the last startedAt of a page are held back until the
 * next page is read, so ties come out in compareRuns order across page boundaries.
 */
class PartitionStream {
  private buffer: RunRecord[] = [];
  private startKey: Record<string, unknown> | undefined;
  private lastRead: string | undefined;
  private done = false;

  constructor(
    private readonly query: QueryFn,
    private readonly input: QueryInput,
    private readonly keep: (run: RunRecord) => boolean,
  ) {}

  async peek(): Promise<RunRecord | undefined> {
    // The head is safe to hand out once every item of its startedAt has been read.
    while (!this.done && (this.buffer.length === 0 || this.buffer[0]!.startedAt === this.lastRead)) {
      const out = await this.query({
        ...this.input,
        ...(this.startKey ? { ExclusiveStartKey: this.startKey } : {}),
      });
      this.startKey = out.LastEvaluatedKey;
      this.done = !out.LastEvaluatedKey;
      for (const item of out.Items ?? []) {
        const run = toRecord(item);
        this.lastRead = run.startedAt;
        if (this.keep(run)) this.buffer.push(run);
      }
      this.buffer.sort(compareRuns);
    }
    return this.buffer[0];
  }

  take(): void {
    this.buffer.shift();
  }
}

async function listRuns(query: ListRunsQuery, run: QueryFn, queryPageSize?: number): Promise<RunPage> {
  const { pipeline, status, from, to, limit } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw new InvalidRunQueryError(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  if (pipeline !== undefined && !isLedgerPipeline(pipeline))
    throw new InvalidRunQueryError(`pipeline must be one of ${LEDGER_PIPELINES.join(', ')}`);
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status))
    throw new InvalidRunQueryError(`status must be one of ${RUN_STATUSES.join(', ')}`);
  for (const [field, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw new InvalidRunQueryError(`${field} must be an ISO-8601 time`);
  }
  const after = query.cursor ? decodeCursor(query.cursor, query) : undefined;
  const upper = after?.startedAt ?? to;

  // Key conditions are inclusive; the exact bounds and the cursor are applied to each item.
  const keep = (r: RunRecord) =>
    (from === undefined || r.startedAt >= from) &&
    (to === undefined || r.startedAt < to) &&
    (status === undefined || r.status === status) &&
    (after === undefined || compareRuns(r, after) > 0);
  const range = (names: Record<string, string>, values: Record<string, unknown>) => {
    names['#startedAt'] = 'startedAt';
    if (from !== undefined && upper !== undefined) {
      values[':from'] = from;
      values[':upper'] = upper;
      return ' AND #startedAt BETWEEN :from AND :upper';
    }
    if (from !== undefined) {
      values[':from'] = from;
      return ' AND #startedAt >= :from';
    }
    if (upper !== undefined) {
      values[':upper'] = upper;
      return ' AND #startedAt <= :upper';
    }
    delete names['#startedAt'];
    return '';
  };
  const pageSize = queryPageSize ?? Math.max(limit + 1, 25);
  const partition = (hash: 'pipeline' | 'status', value: string, index: string) => {
    const names: Record<string, string> = { '#hash': hash };
    const values: Record<string, unknown> = { ':hash': value };
    const condition = `#hash = :hash${range(names, values)}`;
    // A status within one pipeline's partition: DynamoDB drops the other runs before returning.
    const filter = hash === 'pipeline' && status !== undefined;
    if (filter) {
      names['#status'] = 'status';
      values[':status'] = status;
    }
    return new PartitionStream(
      run,
      {
        IndexName: index,
        KeyConditionExpression: condition,
        ...(filter ? { FilterExpression: '#status = :status' } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: pageSize,
      },
      keep,
    );
  };

  // A pipeline (with or without a status) reads its own partition of ByStartedAt; a status
  // alone reads ByStatus; neither merges every pipeline's partition of ByStartedAt.
  const streams =
    pipeline !== undefined
      ? [partition('pipeline', pipeline, LEDGER_INDEXES.byStartedAt)]
      : status !== undefined
        ? [partition('status', status, LEDGER_INDEXES.byStatus)]
        : LEDGER_PIPELINES.map((p) => partition('pipeline', p, LEDGER_INDEXES.byStartedAt));

  const runs: RunRecord[] = [];
  let more = false;
  while (true) {
    const heads = await Promise.all(streams.map((s) => s.peek()));
    let best = -1;
    heads.forEach((head, i) => {
      if (head && (best < 0 || compareRuns(head, heads[best]!) < 0)) best = i;
    });
    if (best < 0) break;
    if (runs.length === limit) {
      more = true;
      break;
    }
    runs.push(heads[best]!);
    streams[best]!.take();
  }
  const last = runs.at(-1);
  return {
    runs,
    ...(more && last
      ? {
          cursor: encodeCursor(query, {
            startedAt: last.startedAt,
            pipeline: last.pipeline,
            runId: last.runId,
          }),
        }
      : {}),
  };
}

// ----- the pipelines' helper -------------------------------------------------------------

type WarnLogger = Pick<Logger, 'warn'>;

let pipelineLedger: { table: string; ledger: RunsLedger } | undefined;

/** The ledger the pipelines write to, or undefined when RUNS_TABLE is not set. */
function ledgerFromEnvironment(): RunsLedger | undefined {
  const table = process.env.RUNS_TABLE;
  if (!table) return undefined;
  if (pipelineLedger?.table !== table)
    pipelineLedger = { table, ledger: createRunsLedger({ table, requestTimeoutMs: 3_000 }) };
  return pipelineLedger.ledger;
}

const warnOf = (logger: WarnLogger | undefined): Pick<WarnLogger, 'warn'> =>
  logger ?? ({ warn: (message: string, extra?: unknown) => console.warn(message, extra) } as WarnLogger);

/** A function run as the pipelines' helper records it: keyed by the Lambda request id. */
function functionRun(
  pipeline: LedgerPipeline,
  event: unknown,
  requestId: string,
  startedAt: string,
): RunStart {
  const fn = process.env.AWS_LAMBDA_FUNCTION_NAME;
  return {
    pipeline,
    runId: requestId,
    trigger: triggerOf(event),
    startedAt,
    links: {
      logGroup:
        process.env.AWS_LAMBDA_LOG_GROUP_NAME || (fn ? `/aws/lambda/${fn}` : `/aws/lambda/${pipeline}`),
      requestId,
    },
  };
}

/**
 * What a pipeline's handler calls first: the run appears as RUNNING with its real start
 * time while it works. Does nothing without RUNS_TABLE; a ledger error is logged, never thrown.
 */
export async function recordRunStart(
  pipeline: LedgerPipeline,
  event: unknown,
  context: { awsRequestId?: string } | undefined,
  logger?: WarnLogger,
): Promise<void> {
  const ledger = ledgerFromEnvironment();
  if (!ledger || !context?.awsRequestId) return;
  try {
    await ledger.recordStart(functionRun(pipeline, event, context.awsRequestId, new Date().toISOString()));
  } catch (error) {
    warnOf(logger).warn('Could not record the run start in the ledger', {
      table: ledger.table,
      error: ledgerError(error as Error),
    });
  }
}

/** How a run ended, as functions/shared/run-outcomes.ts derives it from the run's result. */
export interface RunEndOutcome {
  status: EndStatus;
  counts?: RunCounts;
  error?: RunError;
  s3Keys?: string[];
}

/**
 * A function's own end, for an invocation no destination reports (a synchronous one: see
 * recordDirectRunEnd in ./run-outcomes). `startedAt` is kept only when no start was recorded.
 * Does nothing without RUNS_TABLE; a ledger error is logged, never thrown.
 */
export async function recordRunEnd(
  pipeline: LedgerPipeline,
  event: unknown,
  context: { awsRequestId?: string } | undefined,
  outcome: RunEndOutcome & { startedAt: string },
  logger?: WarnLogger,
): Promise<void> {
  const ledger = ledgerFromEnvironment();
  if (!ledger || !context?.awsRequestId) return;
  const run = functionRun(pipeline, event, context.awsRequestId, outcome.startedAt);
  try {
    await ledger.recordEnd({
      ...run,
      endedAt: new Date().toISOString(),
      status: outcome.status,
      counts: outcome.counts,
      error: outcome.error,
      links: { ...run.links, ...(outcome.s3Keys ? { s3Keys: outcome.s3Keys } : {}) },
    });
  } catch (error) {
    warnOf(logger).warn('Could not record the run end in the ledger', {
      table: ledger.table,
      error: ledgerError(error as Error),
    });
  }
}

/**
 * Counts the recorder cannot see (quota spent by a run that then failed). Does nothing
 * without RUNS_TABLE; a ledger error is logged, never thrown.
 */
export async function addRunCounts(
  pipeline: LedgerPipeline,
  runId: string | undefined,
  counts: RunCounts,
  logger?: WarnLogger,
): Promise<void> {
  const ledger = ledgerFromEnvironment();
  if (!ledger || !runId) return;
  try {
    await ledger.addCounts(pipeline, runId, counts);
  } catch (error) {
    warnOf(logger).warn('Could not add run counts to the ledger', {
      table: ledger.table,
      error: ledgerError(error as Error),
    });
  }
}
