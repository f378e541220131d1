import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newRunsLedgerTable } from '../shared/run-outcomes.testing';
import { createRunsLedger, type RunsLedger } from '../shared/runs-ledger';
import { handler } from './handler';
import { parseRunEvent, UnknownPipelineError, UnrecognizedRunEventError } from './parse';

/**
 * The recorder on every event shape it accepts (the example events in ./events, which are
 * AWS's documented shapes with this repository's names), against the embedded DynamoDB.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, 'events', `${name}.json`), 'utf8')) as Record<string, unknown>;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

let ledger: RunsLedger;
const saved = { RUNS_TABLE: process.env.RUNS_TABLE, ENVIRONMENT: process.env.ENVIRONMENT };

beforeAll(async () => {
  const table = await newRunsLedgerTable();
  process.env.RUNS_TABLE = table;
  process.env.ENVIRONMENT = 'local';
  ledger = createRunsLedger({ table });
});
afterAll(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('Step Functions status changes', () => {
  it('records a csv-processor execution from RUNNING to PARTIAL with its rows and keys', async () => {
    expect(await handler(fixture('sfn-csv-processor-running'))).toEqual({
      recorded: [
        {
          pipeline: 'csv-processor',
          runId: 'user-log-20261201-093000-a1b2c3',
          status: 'RUNNING',
          outcome: 'recorded',
        },
      ],
    });
    const running = await ledger.getRun('csv-processor', 'user-log-20261201-093000-a1b2c3');
    expect(running).toMatchObject({
      status: 'RUNNING',
      trigger: 'event',
      startedAt: '2026-12-01T00:30:00.000Z',
    });

    await handler(fixture('sfn-csv-processor-succeeded-partial'));
    expect(await ledger.getRun('csv-processor', 'user-log-20261201-093000-a1b2c3')).toEqual({
      pipeline: 'csv-processor',
      runId: 'user-log-20261201-093000-a1b2c3',
      trigger: 'event',
      startedAt: '2026-12-01T00:30:00.000Z',
      endedAt: '2026-12-01T00:30:12.345Z',
      status: 'PARTIAL',
      counts: { in: 1000, applied: 975, failed: 25 },
      links: {
        executionArn:
          'arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-local:user-log-20261201-093000-a1b2c3',
        logGroup: '/aws/vendedlogs/states/csv-user-log-processor-local',
        s3Keys: [
          'results/user-log-20261201-093000-a1b2c3/5d8e/manifest.json',
          'results/user-log-20261201-093000-a1b2c3/summary.json',
        ],
      },
      ttl: expect.any(Number),
      updatedAt: expect.any(String),
    });
  });

  it('records a failed execution with the counts and error its Cause carries', async () => {
    await handler(fixture('sfn-csv-processor-failed'));
    expect(await ledger.getRun('csv-processor', 'user-log-20261201-101500-d4e5f6')).toMatchObject({
      status: 'FAILED',
      counts: { in: 200, applied: 100, failed: 100 },
      error: {
        name: 'PROCESSING_FAILED',
        message:
          '100 of 200 row(s) failed: States.ExceedToleratedFailureThreshold: 2 of 4 child workflows failed',
      },
      links: { s3Keys: ['results/user-log-20261201-101500-d4e5f6/summary.json'] },
    });
  });

  it('records TIMED_OUT, and ABORTED as FAILED named Aborted, with their triggers', async () => {
    await handler(fixture('sfn-salesforce-extract-timed-out'));
    await handler(fixture('sfn-salesforce-extract-aborted'));
    expect(await ledger.getRun('salesforce-extract', 'sf-20261201-0300-7f3a')).toMatchObject({
      status: 'TIMED_OUT',
      trigger: 'schedule',
      error: { name: 'States.Timeout', message: 'The execution timed out' },
      startedAt: '2026-11-30T19:00:00.000Z',
      endedAt: '2026-11-30T23:00:00.000Z',
    });
    expect(await ledger.getRun('salesforce-extract', 'sf-20261201-1200-0b9c')).toMatchObject({
      status: 'FAILED',
      trigger: 'manual',
      error: { name: 'Aborted' },
    });
  });

  it('takes a validation-rejected file as FAILED and a salesforce output as counts and keys', () => {
    const event = clone(fixture('sfn-csv-processor-succeeded-partial')) as {
      detail: Record<string, unknown>;
    };
    event.detail.output = JSON.stringify({
      status: 'VALIDATION_FAILED',
      rows: { total: 3, succeeded: 0, failed: 3 },
      errors: [{ line: 2, userId: 'U00001', reason: 'COUNT_NOT_INTEGER (ログイン回数)' }],
      errorCount: 2,
      outputKeys: ['errors/incoming/x.csv.json'],
    });
    expect(parseRunEvent(event, 'local')).toMatchObject({
      kind: 'end',
      run: {
        status: 'FAILED',
        counts: { in: 3, applied: 0, failed: 3 },
        error: {
          name: 'VALIDATION_FAILED',
          message: 'the file was rejected: 2 problem(s), first at line 2: COUNT_NOT_INTEGER (ログイン回数)',
        },
      },
    });
    const sf = clone(fixture('sfn-salesforce-extract-aborted')) as { detail: Record<string, unknown> };
    Object.assign(sf.detail, {
      status: 'SUCCEEDED',
      output: JSON.stringify({
        status: 'SUCCEEDED',
        objects: {
          Account: {
            mode: 'rest',
            records: 120,
            key: 'raw/Account/a.csv',
            bytes: 1,
            manifestKey: 'raw/Account/a.csv.manifest.json',
          },
          Contact: {
            mode: 'bulk',
            records: 30,
            key: 'raw/Contact/c.csv',
            bytes: 1,
            manifestKey: 'raw/Contact/c.csv.manifest.json',
          },
        },
      }),
    });
    expect(parseRunEvent(sf, 'local')).toMatchObject({
      run: {
        status: 'SUCCEEDED',
        counts: { in: 150, applied: 150 },
        links: {
          s3Keys: [
            'raw/Account/a.csv',
            'raw/Account/a.csv.manifest.json',
            'raw/Contact/c.csv',
            'raw/Contact/c.csv.manifest.json',
          ],
        },
      },
    });
  });

  it('an end delivered before its start, and a redelivered end, leave one complete item', async () => {
    const runningEvent = clone(fixture('sfn-csv-processor-running')) as { detail: Record<string, unknown> };
    const endEvent = clone(fixture('sfn-csv-processor-succeeded-partial')) as {
      detail: Record<string, unknown>;
    };
    for (const e of [runningEvent, endEvent]) {
      e.detail.name = 'out-of-order-1';
      e.detail.executionArn = String(e.detail.executionArn).replace(/[^:]+$/, 'out-of-order-1');
    }
    expect((await handler(endEvent)).recorded[0]!.outcome).toBe('recorded');
    const after = await ledger.getRun('csv-processor', 'out-of-order-1');
    expect((await handler(runningEvent)).recorded[0]!.outcome).toBe('already-recorded');
    expect((await handler(endEvent)).recorded[0]!.outcome).toBe('already-recorded');
    expect(await ledger.getRun('csv-processor', 'out-of-order-1')).toEqual(after);
    expect(after).toMatchObject({
      status: 'PARTIAL',
      startedAt: '2026-12-01T00:30:00.000Z',
      trigger: 'event',
    });
  });
});

describe('redriven executions (RedriveExecution)', () => {
  type StatusChange = { id: string; detail: Record<string, unknown> };
  const REDRIVE_FIELDS = ['redriveCount', 'redriveDate', 'redriveStatus', 'redriveStatusReason'];
  /** A redrive fixture as an event about execution `name`: of attempt `attempt`, or the first run's. */
  const about = (name: string, fixtureName: string, attempt?: number): StatusChange => {
    const event = clone(fixture(fixtureName)) as StatusChange;
    event.detail.name = name;
    event.detail.executionArn = String(event.detail.executionArn).replace(/[^:]+$/, name);
    if (attempt === 0) for (const field of REDRIVE_FIELDS) delete event.detail[field];
    else if (attempt !== undefined) event.detail.redriveCount = attempt;
    return event;
  };
  /** The first run's end: FAILED before any redrive. */
  const firstFailure = (name: string): StatusChange => {
    const event = about(name, 'sfn-salesforce-extract-redriven-succeeded', 0);
    Object.assign(event.detail, {
      status: 'FAILED',
      stopDate: Date.parse('2026-12-01T18:20:00Z'),
      output: null,
      error: 'SalesforceUnavailableError',
      cause: 'connect ETIMEDOUT',
    });
    return event;
  };
  const outcomes = async (...events: StatusChange[]) => {
    const out: string[] = [];
    for (const event of events) out.push((await handler(event)).recorded[0]!.outcome);
    return out;
  };

  it('reopens the FAILED run on the redrive RUNNING and records the redrive end', async () => {
    const name = 'sf-20261202-0300-5d2e';
    const running = fixture('sfn-salesforce-extract-redriven-running');
    expect(parseRunEvent(running, 'local')).toMatchObject({ kind: 'start', run: { redriveCount: 1 } });
    expect(
      await outcomes(about(name, 'sfn-salesforce-extract-redriven-running', 0), firstFailure(name)),
    ).toEqual(['recorded', 'recorded']);
    expect(await ledger.getRun('salesforce-extract', name)).toMatchObject({
      status: 'FAILED',
      error: { name: 'SalesforceUnavailableError' },
    });

    expect(await outcomes(running as StatusChange)).toEqual(['recorded']);
    const reopened = await ledger.getRun('salesforce-extract', name);
    expect(reopened).toMatchObject({ status: 'RUNNING', startedAt: '2026-12-01T18:00:00.000Z' });
    expect(reopened).not.toHaveProperty('error');
    expect(reopened).not.toHaveProperty('endedAt');
    // The first run's end, redelivered now, does not close the redrive.
    expect(await outcomes(firstFailure(name))).toEqual(['already-recorded']);

    expect(await outcomes(fixture('sfn-salesforce-extract-redriven-succeeded') as StatusChange)).toEqual([
      'recorded',
    ]);
    const after = await ledger.getRun('salesforce-extract', name);
    expect(after).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'schedule',
      startedAt: '2026-12-01T18:00:00.000Z',
      endedAt: '2026-12-02T01:04:10.000Z',
      counts: { in: 5000, applied: 5000 },
      links: { s3Keys: ['raw/Account/2026-12-01.csv', 'raw/Account/2026-12-01.csv.manifest.json'] },
    });
    expect(after).not.toHaveProperty('error');
    // Everything redelivered afterwards, in any order, changes nothing.
    expect(
      await outcomes(
        running as StatusChange,
        firstFailure(name),
        about(name, 'sfn-salesforce-extract-redriven-running', 0),
        fixture('sfn-salesforce-extract-redriven-succeeded') as StatusChange,
      ),
    ).toEqual(['already-recorded', 'already-recorded', 'already-recorded', 'already-recorded']);
    expect(await ledger.getRun('salesforce-extract', name)).toEqual(after);
  });

  it("records a redrive's end that arrives before its RUNNING, and a second redrive after a failed first", async () => {
    const name = 'sf-redrive-out-of-order';
    const secondEnd = about(name, 'sfn-salesforce-extract-redriven-succeeded', 2);
    const firstRedriveFailure = firstFailure(name);
    firstRedriveFailure.detail.redriveCount = 1;
    expect(
      await outcomes(
        firstFailure(name),
        about(name, 'sfn-salesforce-extract-redriven-running', 1),
        firstRedriveFailure,
        secondEnd,
        about(name, 'sfn-salesforce-extract-redriven-running', 2),
        about(name, 'sfn-salesforce-extract-redriven-running', 1),
      ),
    ).toEqual(['recorded', 'recorded', 'recorded', 'recorded', 'already-recorded', 'already-recorded']);
    expect(await ledger.getRun('salesforce-extract', name)).toMatchObject({
      status: 'SUCCEEDED',
      counts: { in: 5000 },
    });
  });
});

describe('Lambda destination records', () => {
  it('records a scheduled sync-batch success as PARTIAL with rows, quota and archive keys', async () => {
    await handler(fixture('lambda-sync-batch-success'));
    expect(await ledger.getRun('batch-scheduler', '3f1c9a6e-2b7d-4c1e-9a55-0d6e2f7b8c01')).toMatchObject({
      status: 'PARTIAL',
      trigger: 'schedule',
      // No start of its own recorded: the triggering event's time.
      startedAt: '2026-11-30T15:00:00.000Z',
      endedAt: '2026-11-30T15:00:05.123Z',
      counts: { in: 721, applied: 719, failed: 2, apiCalls: 21 },
      links: {
        logGroup: '/aws/lambda/sync-batch-local',
        requestId: '3f1c9a6e-2b7d-4c1e-9a55-0d6e2f7b8c01',
        s3Keys: ['2026-12-01/000000_channels.csv', '2026-12-01/000000_videos.csv'],
      },
    });
  });

  it('keeps the start time the function recorded itself', async () => {
    const record = clone(fixture('lambda-sync-batch-success')) as { requestContext: { requestId: string } };
    record.requestContext.requestId = 'own-start-1';
    await ledger.recordStart({
      pipeline: 'batch-scheduler',
      runId: 'own-start-1',
      trigger: 'schedule',
      startedAt: '2026-11-30T15:00:00.250Z',
      links: { logGroup: '/aws/lambda/sync-batch-local', requestId: 'own-start-1' },
    });
    await handler(record);
    expect(await ledger.getRun('batch-scheduler', 'own-start-1')).toMatchObject({
      status: 'PARTIAL',
      startedAt: '2026-11-30T15:00:00.250Z',
    });
  });

  it('records "Task timed out" as TIMED_OUT', async () => {
    await handler(fixture('lambda-etl-extract-transform-timeout'));
    expect(await ledger.getRun('etl', '9b2e4f10-5c3d-4e7a-8b1f-2a6c0d9e3f45')).toMatchObject({
      status: 'TIMED_OUT',
      trigger: 'schedule',
      error: {
        name: 'Sandbox.Timedout',
        message: expect.stringContaining('Task timed out after 900.00 seconds'),
      },
    });
    // The older form: only an errorMessage.
    const record = clone(fixture('lambda-etl-extract-transform-timeout'));
    record.responsePayload = {
      errorMessage: '2026-11-30T17:15:00.990Z 9b2e Task timed out after 900.01 seconds',
    };
    expect(parseRunEvent(record, 'local')).toMatchObject({
      run: { status: 'TIMED_OUT', error: { name: 'TimedOut' } },
    });
  });

  it('records RetriesExhausted as FAILED with the error, its secrets scrubbed', async () => {
    await handler(fixture('lambda-etl-load-failure'));
    const run = await ledger.getRun('etl-load', 'c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f');
    expect(run).toMatchObject({
      status: 'FAILED',
      trigger: 'event',
      error: { name: 'DatabaseTransientError' },
    });
    expect(run!.error!.message).not.toContain('s3cr3t-pass');
    expect(run!.error!.message).toContain('postgres://etl:[redacted]@analytics.cluster-xyz');
  });

  it('accepts the record as an EventBridge destination puts it', async () => {
    await handler(fixture('eventbridge-destination-sync-batch-failure'));
    expect(await ledger.getRun('batch-scheduler', '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9')).toMatchObject({
      status: 'FAILED',
      trigger: 'manual',
      startedAt: '2026-12-01T03:15:00.000Z',
      error: { name: 'QuotaExceededError', message: 'YouTube API quota exceeded (quotaExceeded)' },
    });
  });

  it('records an event too old to run as FAILED named EventAgeExceeded', () => {
    const record = clone(fixture('lambda-etl-load-failure'));
    (record.requestContext as { condition: string }).condition = 'EventAgeExceeded';
    delete record.responseContext;
    delete record.responsePayload;
    expect(parseRunEvent(record, 'local')).toMatchObject({
      run: { pipeline: 'etl-load', status: 'FAILED', error: { name: 'EventAgeExceeded' } },
    });
  });
});

describe('batches and unknown shapes', () => {
  it('records a local runner batch in order', async () => {
    const out = await handler(fixture('local-batch'));
    expect(out.recorded.map((r) => `${r.status}:${r.outcome}`)).toEqual([
      'RUNNING:recorded',
      'SUCCEEDED:recorded',
    ]);
    expect(await ledger.getRun('csv-processor', 'user-log-20261201-120000-aa11bb')).toMatchObject({
      status: 'SUCCEEDED',
      counts: { in: 100, applied: 100, failed: 0 },
    });
  });

  it('rejects an unknown shape with a named error, and a batch holding one before writing anything', async () => {
    await expect(handler({ hello: 'world' })).rejects.toMatchObject({
      name: 'UnrecognizedRunEventError',
      message: expect.stringContaining('keys hello'),
    });
    const good = clone(fixture('sfn-csv-processor-running')) as { detail: Record<string, unknown> };
    good.detail.name = 'never-written';
    const error = await handler({
      records: [good, { source: 'aws.s3', 'detail-type': 'Object Created' }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnrecognizedRunEventError);
    expect((error as Error).message).toMatch(/^records\[1\]: not a Step Functions status change/);
    expect(await ledger.getRun('csv-processor', 'never-written')).toBeUndefined();
  });

  it('rejects a state machine or function that is not a ledger pipeline, or of another environment', () => {
    const other = clone(fixture('sfn-csv-processor-running')) as { detail: Record<string, unknown> };
    other.detail.stateMachineArn =
      'arn:aws:states:ap-northeast-1:000000000000:stateMachine:something-else-local';
    expect(() => parseRunEvent(other, 'local')).toThrow(UnknownPipelineError);
    expect(() => parseRunEvent(fixture('lambda-sync-batch-success'), 'prd')).toThrow(
      'function sync-batch-local is not a ledger pipeline in prd',
    );
  });
});
