import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './dynamo';
import {
  addRunCounts,
  createRunsLedger,
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  InvalidRunQueryError,
  ledgerError,
  recordRunEnd,
  recordRunStart,
  RUN_STATUSES,
  scrubSecrets,
  ttlFor,
  type ListRunsQuery,
  type RunEnd,
  type RunRecord,
  type RunStart,
  type RunStatus,
} from './runs-ledger';
import type { LedgerPipeline } from './runs-pipelines';
import { uniqueName } from '../../scripts/testing/stack';
import { newRunsLedgerTable } from './run-outcomes.testing';

/** Against the embedded DynamoDB (dynalite), on a table made from the local stack's declaration. */
const ddb = createDocumentClient();

const start = (overrides: Partial<RunStart> = {}): RunStart => ({
  pipeline: 'csv-processor',
  runId: 'user-log-1',
  trigger: 'event',
  startedAt: '2026-12-01T00:30:00.000Z',
  links: {
    executionArn:
      'arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-test:user-log-1',
    logGroup: '/aws/vendedlogs/states/csv-user-log-processor-test',
  },
  ...overrides,
});

const end = (overrides: Partial<RunEnd> = {}): RunEnd => ({
  ...start(),
  status: 'SUCCEEDED',
  endedAt: '2026-12-01T00:30:12.345Z',
  counts: { in: 100, applied: 100, failed: 0 },
  ...overrides,
});

describe('runs ledger writes', () => {
  let table: string;
  beforeAll(async () => {
    table = await newRunsLedgerTable();
  });
  const raw = async (pipeline: string, runId: string) =>
    (await ddb.send(new GetCommand({ TableName: table, Key: { pipeline, runId } }))).Item;

  it('a start then its end make one complete item; the start time and trigger stay', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    expect(await ledger.recordStart(start({ runId: 'a' }))).toBe('recorded');
    expect(await ledger.getRun('csv-processor', 'a')).toMatchObject({ status: 'RUNNING', trigger: 'event' });
    expect(
      await ledger.recordEnd(
        end({
          runId: 'a',
          trigger: 'manual',
          startedAt: '2026-12-01T00:31:00.000Z',
          links: {
            logGroup: '/aws/vendedlogs/states/csv-user-log-processor-test',
            s3Keys: ['results/a/summary.json'],
          },
        }),
      ),
    ).toBe('recorded');
    const run = await ledger.getRun('csv-processor', 'a');
    expect(run).toEqual({
      pipeline: 'csv-processor',
      runId: 'a',
      trigger: 'event',
      startedAt: '2026-12-01T00:30:00.000Z',
      endedAt: '2026-12-01T00:30:12.345Z',
      status: 'SUCCEEDED',
      counts: { in: 100, applied: 100, failed: 0 },
      links: {
        executionArn: start().links.executionArn,
        logGroup: '/aws/vendedlogs/states/csv-user-log-processor-test',
        s3Keys: ['results/a/summary.json'],
      },
      ttl: ttlFor('2026-12-01T00:30:00.000Z'),
      updatedAt: expect.any(String),
    });
    expect(run!.ttl).toBe(Date.parse('2026-12-01T00:30:00.000Z') / 1000 + 400 * 86_400);
  });

  it('a redelivered start or end changes nothing', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    await ledger.recordStart(start({ runId: 'b' }));
    expect(await ledger.recordStart(start({ runId: 'b' }))).toBe('already-recorded');
    await ledger.recordEnd(end({ runId: 'b' }));
    const before = await raw('csv-processor', 'b');
    expect(await ledger.recordEnd(end({ runId: 'b' }))).toBe('already-recorded');
    expect(await ledger.recordStart(start({ runId: 'b' }))).toBe('already-recorded');
    expect(await raw('csv-processor', 'b')).toEqual(before);
  });

  it('an end before its start makes a complete item, and the late start does not reopen it', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    expect(
      await ledger.recordEnd(end({ runId: 'c', status: 'FAILED', error: { name: 'X', message: 'y' } })),
    ).toBe('recorded');
    expect(await ledger.recordStart(start({ runId: 'c', startedAt: '2026-12-01T00:29:00.000Z' }))).toBe(
      'already-recorded',
    );
    expect(await ledger.getRun('csv-processor', 'c')).toMatchObject({
      status: 'FAILED',
      startedAt: '2026-12-01T00:30:00.000Z',
      trigger: 'event',
      endedAt: '2026-12-01T00:30:12.345Z',
      error: { name: 'X', message: 'y' },
      ttl: ttlFor('2026-12-01T00:30:00.000Z'),
    });
  });

  it('a terminal status never changes, whatever end arrives later', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    await ledger.recordEnd(
      end({ runId: 'd', status: 'TIMED_OUT', error: { name: 'States.Timeout', message: '' } }),
    );
    expect(await ledger.recordEnd(end({ runId: 'd', status: 'SUCCEEDED' }))).toBe('already-recorded');
    expect((await ledger.getRun('csv-processor', 'd'))?.status).toBe('TIMED_OUT');
  });

  it("merges a pipeline's own counts with the end's, in either order and concurrently", async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    await ledger.addCounts('batch-scheduler', 'e', { apiCalls: 7 });
    // Counts alone are not a run yet.
    expect(await ledger.getRun('batch-scheduler', 'e')).toBeUndefined();
    await ledger.recordEnd(end({ pipeline: 'batch-scheduler', runId: 'e', counts: { in: 5, applied: 5 } }));
    expect((await ledger.getRun('batch-scheduler', 'e'))?.counts).toEqual({ apiCalls: 7, in: 5, applied: 5 });

    await Promise.all([
      ledger.recordStart(start({ pipeline: 'etl', runId: 'f' })),
      ledger.addCounts('etl', 'f', { apiCalls: 1 }),
      ledger.addCounts('etl', 'f', { failed: 2 }),
      ledger.recordEnd(end({ pipeline: 'etl', runId: 'f', counts: { in: 9 } })),
      ledger.addCounts('etl', 'f', { applied: 7 }),
    ]);
    const run = await ledger.getRun('etl', 'f');
    expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { apiCalls: 1, failed: 2, in: 9, applied: 7 } });
  });

  it('a redrive reopens an ended run and records its new end; facts of older attempts change nothing', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    const failed = end({
      runId: 'r',
      status: 'FAILED',
      error: { name: 'States.TaskFailed', message: 'first attempt' },
      counts: { in: 3 },
      links: { ...start().links, s3Keys: ['errors/first.json'] },
    });
    await ledger.recordStart(start({ runId: 'r' }));
    await ledger.recordEnd(failed);

    expect(await ledger.recordStart(start({ runId: 'r', redriveCount: 1 }))).toBe('recorded');
    const reopened = await ledger.getRun('csv-processor', 'r');
    expect(reopened).toMatchObject({ status: 'RUNNING', startedAt: '2026-12-01T00:30:00.000Z' });
    expect(reopened).not.toHaveProperty('endedAt');
    expect(reopened).not.toHaveProperty('error');
    expect(reopened).not.toHaveProperty('counts');
    expect(reopened!.links).not.toHaveProperty('s3Keys');

    // The first attempt's facts, redelivered, and the redrive's start again: no-ops.
    const before = await raw('csv-processor', 'r');
    expect(await ledger.recordEnd(failed)).toBe('already-recorded');
    expect(await ledger.recordStart(start({ runId: 'r' }))).toBe('already-recorded');
    expect(await ledger.recordStart(start({ runId: 'r', redriveCount: 1 }))).toBe('already-recorded');
    expect(await raw('csv-processor', 'r')).toEqual(before);

    const succeeded = end({ runId: 'r', redriveCount: 1, endedAt: '2026-12-02T01:04:10.000Z' });
    expect(await ledger.recordEnd(succeeded)).toBe('recorded');
    expect(await ledger.recordEnd(succeeded)).toBe('already-recorded');
    expect(await ledger.recordEnd(failed)).toBe('already-recorded');
    expect(await ledger.recordStart(start({ runId: 'r', redriveCount: 1 }))).toBe('already-recorded');
    const run = await ledger.getRun('csv-processor', 'r');
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      startedAt: '2026-12-01T00:30:00.000Z',
      endedAt: '2026-12-02T01:04:10.000Z',
      counts: { in: 100, applied: 100, failed: 0 },
    });
    expect(run).not.toHaveProperty('error');
    expect((await raw('csv-processor', 'r'))!.redriveCount).toBe(1);
  });

  it("a redrive's end that arrives before its start still replaces the earlier end", async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    await ledger.recordEnd(
      end({ runId: 's', status: 'TIMED_OUT', error: { name: 'States.Timeout', message: '' } }),
    );
    expect(
      await ledger.recordEnd(end({ runId: 's', redriveCount: 2, status: 'PARTIAL', counts: { in: 4 } })),
    ).toBe('recorded');
    // The late start of that redrive, and an end of redrive 1 arriving last, change nothing.
    expect(await ledger.recordStart(start({ runId: 's', redriveCount: 2 }))).toBe('already-recorded');
    expect(await ledger.recordStart(start({ runId: 's', redriveCount: 1 }))).toBe('already-recorded');
    expect(await ledger.recordEnd(end({ runId: 's', redriveCount: 1, status: 'FAILED' }))).toBe(
      'already-recorded',
    );
    const run = await ledger.getRun('csv-processor', 's');
    expect(run).toMatchObject({ status: 'PARTIAL', counts: { in: 4 } });
    expect(run).not.toHaveProperty('error');
  });

  it('keeps an error name and message scrubbed of secrets and at most 1,000 characters', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJjb25zdW1lciJ9.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA';
    const message =
      `token exchange failed: assertion=${jwt} Authorization: Bearer 00Dxx0000001gPL!AQ4AQFl.kQ ` +
      'postgres://etl:s3cr3t-pass@db.example:5432/analytics password=hunter2 ' +
      'key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ' +
      'x'.repeat(5_000);
    await ledger.recordEnd(end({ runId: 'g', status: 'FAILED', error: { name: 'AuthError', message } }));
    const stored = (await ledger.getRun('csv-processor', 'g'))!.error!;
    expect(stored.name).toBe('AuthError');
    expect(stored.message.length).toBeLessThanOrEqual(1_000);
    for (const secret of [
      jwt,
      '00Dxx0000001gPL!AQ4AQFl.kQ',
      's3cr3t-pass',
      'hunter2',
      'AKIAIOSFODNN7EXAMPLE',
      'wJalrXUtnFEMI',
    ])
      expect(stored.message).not.toContain(secret);
    expect(stored.message).toContain('postgres://etl:[redacted]@db.example:5432/analytics');
  });
});

describe('scrubSecrets', () => {
  it('leaves what an operator needs: keys, ARNs, request ids, channel ids, counts', () => {
    const text =
      'etl-data/2026-11-30/manifest.json raw/Account/year=2026/month=12/day=01/Account_20261201_0900.csv ' +
      'arn:aws:states:ap-northeast-1:000000000000:execution:salesforce-extract-prd:sf-1 ' +
      '8ea123e4-1db7-4aca-ad10-d9ca1234c1fd UCPALUvmU1IOSfogrBPiZM2m 12 of 100 row(s) failed ' +
      'csv-processor-prd-output-123456789012 /aws/lambda/sync-batch-prd';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('names a missing error', () => {
    expect(ledgerError({})).toEqual({ name: 'Error', message: '' });
  });
});

describe('listRuns', () => {
  const pipelines: LedgerPipeline[] = ['csv-processor', 'batch-scheduler', 'etl'];
  const runs: RunRecord[] = [];
  let table: string;

  beforeAll(async () => {
    table = await newRunsLedgerTable();
    const ledger = createRunsLedger({ table, client: ddb });
    // 30 runs, 10 per pipeline, one a minute apart, with equal start times inside a pipeline
    // (i % 7 === 3) and across pipelines (every pipeline starts a run at minute 20).
    for (let i = 0; i < 30; i++) {
      const pipeline = pipelines[i % 3]!;
      const minute = i === 4 || i === 5 ? 20 : i % 7 === 3 ? 40 : i;
      const startedAt = new Date(Date.UTC(2026, 10, 30, 15, minute, 0)).toISOString();
      const status = RUN_STATUSES[i % RUN_STATUSES.length]!;
      const runId = `run-${String(i).padStart(2, '0')}`;
      const fact = {
        pipeline,
        runId,
        trigger: 'schedule' as const,
        startedAt,
        links: { logGroup: `/aws/lambda/${pipeline}` },
      };
      if (status === 'RUNNING') await ledger.recordStart(fact);
      else await ledger.recordEnd({ ...fact, status, endedAt: startedAt });
      runs.push((await ledger.getRun(pipeline, runId))!);
    }
  });

  const order = (a: RunRecord, b: RunRecord) =>
    a.startedAt !== b.startedAt
      ? a.startedAt < b.startedAt
        ? 1
        : -1
      : a.pipeline !== b.pipeline
        ? a.pipeline < b.pipeline
          ? 1
          : -1
        : a.runId < b.runId
          ? 1
          : -1;

  async function everyPage(query: Omit<ListRunsQuery, 'cursor'>, pageSize?: number) {
    const ledger = createRunsLedger({ table, client: ddb, queryPageSize: pageSize });
    const seen: RunRecord[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ledger.listRuns({ ...query, cursor });
      expect(page.runs.length).toBeLessThanOrEqual(query.limit);
      if (page.cursor) expect(page.runs).toHaveLength(query.limit);
      seen.push(...page.runs);
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 100);
    return seen;
  }

  const from = '2026-11-30T15:05:00.000Z';
  const to = '2026-11-30T15:25:00.000Z';
  const combos: Array<
    [LedgerPipeline | undefined, RunStatus | undefined, string | undefined, string | undefined]
  > = [];
  for (const pipeline of [undefined, ...pipelines, 'etl-load' as const])
    for (const status of [undefined, ...RUN_STATUSES])
      for (const [f, t] of [
        [undefined, undefined],
        [from, undefined],
        [undefined, to],
        [from, to],
      ] as const)
        combos.push([pipeline, status, f, t]);

  it.each(combos)(
    'pipeline %s, status %s, from %s, to %s: every run once, newest first',
    async (pipeline, status, f, t) => {
      const expected = runs
        .filter(
          (r) =>
            (!pipeline || r.pipeline === pipeline) &&
            (!status || r.status === status) &&
            (!f || r.startedAt >= f) &&
            (!t || r.startedAt < t),
        )
        .sort(order);
      const query = { pipeline, status, from: f, to: t };
      // Pages of 4 read through query pages of 3, so page ends fall inside runs of equal start times.
      const small = await everyPage({ ...query, limit: 4 }, 3);
      expect(small.map((r) => `${r.pipeline}/${r.runId}`)).toEqual(
        expected.map((r) => `${r.pipeline}/${r.runId}`),
      );
      const whole = await everyPage({ ...query, limit: 100 });
      expect(whole).toEqual(expected);
    },
  );

  it('one run per page still walks them all', async () => {
    const all = await everyPage({ limit: 1 }, 2);
    expect(all).toEqual([...runs].sort(order));
  });

  it('refuses a cursor that was altered, cut, or issued for other filters', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    const page = await ledger.listRuns({ pipeline: 'etl', limit: 2 });
    const cursor = page.cursor!;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { at: { runId: string } };
    decoded.at.runId = 'run-99';
    const altered = Buffer.from(JSON.stringify(decoded)).toString('base64url');
    for (const bad of [
      altered,
      cursor.slice(0, -4),
      'not a cursor!',
      Buffer.from('[]').toString('base64url'),
    ]) {
      await expect(ledger.listRuns({ pipeline: 'etl', limit: 2, cursor: bad })).rejects.toThrow(
        InvalidCursorError,
      );
    }
    await expect(ledger.listRuns({ pipeline: 'csv-processor', limit: 2, cursor })).rejects.toMatchObject({
      name: 'InvalidCursorError',
      message: 'cursor belongs to a query with other filters',
    });
    expect(
      decodeCursor(
        encodeCursor(
          { status: 'FAILED' },
          { startedAt: '2026-11-30T15:00:00.000Z', pipeline: 'etl', runId: 'x' },
        ),
        { status: 'FAILED' },
      ),
    ).toEqual({
      startedAt: '2026-11-30T15:00:00.000Z',
      pipeline: 'etl',
      runId: 'x',
    });
  });

  it('refuses a limit, pipeline, status or time it cannot answer, naming it', async () => {
    const ledger = createRunsLedger({ table, client: ddb });
    for (const [query, field] of [
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ limit: 5, pipeline: 'nope' }, 'pipeline'],
      [{ limit: 5, status: 'DONE' }, 'status'],
      [{ limit: 5, from: 'yesterday' }, 'from'],
    ] as const) {
      const error = await ledger.listRuns(query as ListRunsQuery).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidRunQueryError);
      expect((error as Error).message.startsWith(field)).toBe(true);
    }
  });
});

describe("the pipelines' helper", () => {
  const saved = process.env.RUNS_TABLE;
  afterEach(() => {
    if (saved === undefined) delete process.env.RUNS_TABLE;
    else process.env.RUNS_TABLE = saved;
  });

  it('does nothing without RUNS_TABLE', async () => {
    delete process.env.RUNS_TABLE;
    const warn = jest.fn();
    await recordRunStart('etl', { source: 'schedule' }, { awsRequestId: 'r-0' }, { warn } as never);
    await addRunCounts('etl', 'r-0', { apiCalls: 1 }, { warn } as never);
    expect(warn).not.toHaveBeenCalled();
  });

  it('records a RUNNING run with its trigger, and adds counts to it', async () => {
    process.env.RUNS_TABLE = await newRunsLedgerTable();
    await recordRunStart(
      'batch-scheduler',
      { 'detail-type': 'manual-trigger', source: 'batch-scheduler' },
      { awsRequestId: 'r-1' },
    );
    await addRunCounts('batch-scheduler', 'r-1', { apiCalls: 3 });
    const run = await createRunsLedger({ table: process.env.RUNS_TABLE }).getRun('batch-scheduler', 'r-1');
    expect(run).toMatchObject({
      status: 'RUNNING',
      trigger: 'manual',
      counts: { apiCalls: 3 },
      links: { requestId: 'r-1', logGroup: expect.stringMatching(/^\/aws\/lambda\//) },
    });
  });

  it('records the end a function reports itself, keeping the start it recorded', async () => {
    process.env.RUNS_TABLE = await newRunsLedgerTable();
    const event = { source: 'make' };
    await recordRunStart('batch-scheduler', event, { awsRequestId: 'r-3' });
    const ledger = createRunsLedger({ table: process.env.RUNS_TABLE });
    const started = (await ledger.getRun('batch-scheduler', 'r-3'))!.startedAt;
    await recordRunEnd(
      'batch-scheduler',
      event,
      { awsRequestId: 'r-3' },
      {
        status: 'PARTIAL',
        counts: { in: 3, applied: 2, failed: 1 },
        s3Keys: ['2026-12-01/a.csv'],
        startedAt: '2000-01-01T00:00:00.000Z',
      },
    );
    const run = await ledger.getRun('batch-scheduler', 'r-3');
    expect(run).toMatchObject({
      status: 'PARTIAL',
      trigger: 'manual',
      startedAt: started,
      counts: { in: 3, applied: 2, failed: 1 },
      links: { requestId: 'r-3', s3Keys: ['2026-12-01/a.csv'] },
    });
    expect(Date.parse(run!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(started));
  });

  it('logs a ledger failure instead of failing the run', async () => {
    process.env.RUNS_TABLE = uniqueName('no-such-table');
    const warn = jest.fn();
    await expect(
      recordRunStart('etl', {}, { awsRequestId: 'r-2' }, { warn } as never),
    ).resolves.toBeUndefined();
    await expect(addRunCounts('etl', 'r-2', { in: 1 }, { warn } as never)).resolves.toBeUndefined();
    await expect(
      recordRunEnd('etl', {}, { awsRequestId: 'r-2' }, { status: 'SUCCEEDED', startedAt: '' }, {
        warn,
      } as never),
    ).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[0]![1]).toMatchObject({ error: { name: 'ResourceNotFoundException' } });
  });
});
