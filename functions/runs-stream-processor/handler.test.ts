import { Metrics } from '@aws-lambda-powertools/metrics';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { freshLedger, seedRun } from '../runs-api/testing';
import type { RunRecord, RunsLedger } from '../shared/runs-ledger';
import { createStreamHandler } from './handler';
import type { Notice } from './notices';

/**
 * The stream processor on DynamoDB stream records as Lambda delivers them (DynamoDB JSON
 * images, NEW_AND_OLD_IMAGES), with the recovery look-up against a real ledger table in the
 * test stack's DynamoDB and the metrics read from the EMF lines Powertools writes.
 */
let ledger: RunsLedger;
let notices: Notice[];
let emf: Array<Record<string, unknown>>;
const context = { environment: 'prd', region: 'ap-northeast-1' };
const handler = createStreamHandler(() => ({
  ledger,
  notify: async (notice) => {
    if (notice.runId.startsWith('sns-down')) throw new Error('SNS unavailable');
    notices.push(notice);
  },
  metrics: new Metrics({ namespace: 'runs', serviceName: 'runs-stream-processor' }),
  context,
}));

// The jest setup turns metrics off for everyone else; here they are what is checked.
const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED;
beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  ({ ledger } = await freshLedger());
});
afterAll(() => {
  if (metricsDisabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
  else process.env.POWERTOOLS_METRICS_DISABLED = metricsDisabled;
});
beforeEach(() => {
  notices = [];
  emf = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed._aws) emf.push(parsed);
    }
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

let sequence = 1000;
function record(
  previous: Partial<RunRecord> | undefined,
  next: Partial<RunRecord> | undefined,
  eventName: DynamoDBRecord['eventName'] = previous ? 'MODIFY' : 'INSERT',
): DynamoDBRecord {
  const keys = next ?? previous!;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ap-northeast-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_764_547_200,
      Keys: marshall(
        { pipeline: keys.pipeline, runId: keys.runId },
        { removeUndefinedValues: true },
      ) as never,
      ...(previous ? { OldImage: marshall(previous, { removeUndefinedValues: true }) as never } : {}),
      ...(next ? { NewImage: marshall(next, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(++sequence).padStart(21, '0'),
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN:
      'arn:aws:dynamodb:ap-northeast-1:123456789012:table/pipeline-runs-prd/stream/2026-12-01T00:00:00.000',
  };
}
const batch = (...records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records: records });

const running = (pipeline: RunRecord['pipeline'], runId: string, startedAt: string): RunRecord => ({
  pipeline,
  runId,
  trigger: 'schedule',
  startedAt,
  status: 'RUNNING',
  links:
    pipeline === 'csv-processor' || pipeline === 'salesforce-extract'
      ? {
          logGroup: `/aws/vendedlogs/states/${pipeline === 'csv-processor' ? 'csv-user-log-processor' : pipeline}-prd`,
          executionArn: `arn:aws:states:ap-northeast-1:123456789012:execution:${pipeline}-prd:${runId}`,
        }
      : { logGroup: '/aws/lambda/sync-batch-prd', requestId: runId },
  ttl: 1_800_000_000,
  updatedAt: startedAt,
});
const ended = (run: RunRecord, status: RunRecord['status'], extra: Partial<RunRecord> = {}): RunRecord => ({
  ...run,
  status,
  endedAt: new Date(Date.parse(run.startedAt) + 65_000).toISOString(),
  ...extra,
});

const metricsOf = (pipeline: string) =>
  emf
    .filter((line) => line.pipeline === pipeline)
    .flatMap((line) =>
      Object.keys(line)
        .filter((key) => ['RunsSucceeded', 'RunsFailed', 'RunDuration'].includes(key))
        .map((key) => [key, line[key]]),
    );

describe('notices', () => {
  it('a failed csv-processor run: one readable message with the error, counts, JST times and where to look', async () => {
    const start = running('csv-processor', 'exec-0001', '2026-12-01T00:00:00.000Z');
    const failed = ended(start, 'FAILED', {
      error: { name: 'States.TaskFailed', message: 'relation "user_logs" does not exist' },
      counts: { in: 100, applied: 0, failed: 100 },
    });
    const out = await handler(batch(record(start, failed)));
    expect(out).toEqual({ batchItemFailures: [] });
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice!.subject).toBe('[prd] csv-processor FAILED: States.TaskFailed');
    expect(notice!.message).toBe(
      [
        'csv-processor (prd) ended FAILED.',
        '',
        'Failed:   States.TaskFailed: relation "user_logs" does not exist',
        'Run:      exec-0001 (trigger: schedule)',
        'Started:  2026-12-01 09:00:00 JST',
        'Ended:    2026-12-01 09:01:05 JST (took 1m 5s)',
        'Counts:   in 100, applied 0, failed 100',
        '',
        'Look next:',
        '  aws logs tail /aws/vendedlogs/states/csv-user-log-processor-prd --since 2026-11-30T23:59:00Z',
        '  aws logs tail /aws/lambda/csv-validator-prd --since 2026-11-30T23:59:00Z',
        '  aws logs tail /aws/lambda/csv-processor-prd --since 2026-11-30T23:59:00Z',
        '  https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/arn:aws:states:ap-northeast-1:123456789012:execution:csv-processor-prd:exec-0001',
      ].join('\n'),
    );
    expect(metricsOf('csv-processor')).toEqual([
      ['RunsFailed', 1],
      ['RunDuration', 65],
    ]);
  });

  it('a timed-out function run: the tail filtered to its request id, the log group console link, a subject under 100 characters', async () => {
    const start = running(
      'batch-scheduler',
      'b1e7c1a2-0000-4000-8000-000000000001',
      '2026-12-01T15:30:00.000Z',
    );
    const timedOut = ended(start, 'TIMED_OUT', {
      error: { name: 'Sandbox.Timedout'.repeat(8), message: 'Task timed out after 900.00 seconds' },
      counts: { apiCalls: 9_850 },
    });
    await handler(batch(record(undefined, timedOut)));
    expect(notices).toHaveLength(1);
    const [notice] = notices;
    expect(notice!.subject.length).toBeLessThan(100);
    expect(notice!.subject).toMatch(/^\[prd\] batch-scheduler TIMED_OUT: Sandbox\.Timedout.*…$/);
    expect(notice!.message).toContain('Counts:   API calls 9,850');
    expect(notice!.message).toContain('Started:  2026-12-02 00:30:00 JST');
    expect(notice!.message).toContain(
      `  aws logs tail /aws/lambda/sync-batch-prd --since 2026-12-01T15:29:00Z --filter-pattern '"b1e7c1a2-0000-4000-8000-000000000001"'`,
    );
    expect(notice!.message).toContain(
      '  https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fsync-batch-prd/log-events$3FfilterPattern$3D$2522b1e7c1a2-0000-4000-8000-000000000001$2522',
    );
  });

  it('a PARTIAL run without an error says so in its subject', async () => {
    const start = running('salesforce-extract', 'exec-partial', '2026-12-01T01:00:00.000Z');
    await handler(
      batch(record(start, ended(start, 'PARTIAL', { counts: { in: 10, applied: 8, failed: 2 } }))),
    );
    expect(notices.map((n) => n.subject)).toEqual(['[prd] salesforce-extract PARTIAL: some records failed']);
    expect(notices[0]!.message).toContain('Failed:   ended PARTIAL without an error');
  });

  it('a run with a newline in its error keeps a one-line subject', async () => {
    const start = running('etl', 'etl-newline', '2026-12-01T02:00:00.000Z');
    await handler(
      batch(record(start, ended(start, 'FAILED', { error: { name: 'Bad\nName', message: 'x' } }))),
    );
    expect(notices[0]!.subject).toBe('[prd] etl FAILED: Bad Name');
  });
});

describe('recovery', () => {
  it('a success after a failed run of the same pipeline sends a recovery message; after a success, nothing', async () => {
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'etl-earlier-ok',
      startedAt: '2026-11-29T00:00:00.000Z',
      status: 'SUCCEEDED',
    });
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'etl-failed',
      startedAt: '2026-11-30T00:00:00.000Z',
      status: 'FAILED',
      error: { name: 'NoSuchKey', message: 'orders/2026-11-29.csv is missing' },
    });
    // A run still RUNNING in between is not "the previous run".
    await seedRun(ledger, { pipeline: 'etl', runId: 'etl-stuck', startedAt: '2026-11-30T12:00:00.000Z' });
    const start = running('etl', 'etl-recovered', '2026-12-01T00:00:00.000Z');
    await handler(batch(record(start, ended(start, 'SUCCEEDED', { counts: { in: 5, applied: 5 } }))));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.kind).toBe('recovery');
    expect(notices[0]!.subject).toBe('[prd] etl recovered: SUCCEEDED after FAILED');
    expect(notices[0]!.message).toContain(
      'Previous: etl-failed FAILED at 2026-11-30 09:01:00 JST (NoSuchKey: orders/2026-11-29.csv is missing)',
    );
    expect(metricsOf('etl')).toEqual([
      ['RunsSucceeded', 1],
      ['RunDuration', 65],
    ]);

    notices = [];
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'etl-recovered',
      startedAt: '2026-12-01T00:00:00.000Z',
      status: 'SUCCEEDED',
    });
    const next = running('etl', 'etl-next', '2026-12-02T00:00:00.000Z');
    await handler(batch(record(next, ended(next, 'SUCCEEDED'))));
    expect(notices).toEqual([]);
  });

  it('a first run ever that succeeds sends nothing', async () => {
    const start = running('etl-load', 'load-first', '2026-12-01T00:00:00.000Z');
    await handler(batch(record(undefined, ended(start, 'SUCCEEDED'))));
    expect(notices).toEqual([]);
    expect(metricsOf('etl-load').map(([name]) => name)).toEqual(['RunsSucceeded', 'RunDuration']);
  });
});

describe('only transitions count', () => {
  it('starts, updates of an ended run, redelivered ends and TTL deletions send nothing and count nothing', async () => {
    const start = running('csv-processor', 'exec-again', '2026-12-01T03:00:00.000Z');
    const failed = ended(start, 'FAILED', { error: { name: 'E', message: 'm' } });
    const out = await handler(
      batch(
        record(undefined, start),
        record(start, failed),
        // The pipeline's counts arrive after its end; then the same end is recorded again.
        record(failed, { ...failed, counts: { in: 3 } }),
        record(failed, failed),
        record(failed, undefined, 'REMOVE'),
      ),
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(metricsOf('csv-processor')).toEqual([
      ['RunsFailed', 1],
      ['RunDuration', 65],
    ]);
  });
});

describe('partial batch failure', () => {
  it('a malformed record fails alone; records before it are processed', async () => {
    const a = running('etl', 'etl-a', '2026-12-03T00:00:00.000Z');
    const b = running('batch-scheduler', 'sync-b', '2026-12-03T00:00:00.000Z');
    const bad = record(undefined, {
      pipeline: 'no-such-pipeline' as never,
      runId: 'x',
      status: 'FAILED',
      startedAt: '2026-12-03T00:00:00.000Z',
    });
    const out = await handler(
      batch(
        record(a, ended(a, 'FAILED', { error: { name: 'E', message: 'm' } })),
        record(b, ended(b, 'PARTIAL')),
        bad,
      ),
    );
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: bad.dynamodb!.SequenceNumber }]);
    expect(notices.map((n) => n.runId)).toEqual(['etl-a', 'sync-b']);
  });

  it('records after a failed one are held back (listed, not processed), so the retry from it notifies once', async () => {
    const down = running('etl', 'sns-down-1', '2026-12-04T00:00:00.000Z');
    const later = running('etl-load', 'load-later', '2026-12-04T00:00:00.000Z');
    const first = record(down, ended(down, 'FAILED', { error: { name: 'E', message: 'm' } }));
    const second = record(later, ended(later, 'TIMED_OUT'));
    const out = await handler(batch(first, second));
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: first.dynamodb!.SequenceNumber },
      { itemIdentifier: second.dynamodb!.SequenceNumber },
    ]);
    expect(notices).toEqual([]);
    // Lambda retries from the first failure (here the second record alone, after bisecting).
    await handler(batch(second));
    expect(notices.map((n) => n.runId)).toEqual(['load-later']);
  });

  it('a batch where every record fails answers with all of them instead of throwing', async () => {
    const bad = record(undefined, { pipeline: 'etl', status: 'FAILED' } as never);
    await expect(handler(batch(bad))).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: bad.dynamodb!.SequenceNumber }],
    });
  });
});
