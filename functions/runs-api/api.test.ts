import type { RunsLedger } from '../shared/runs-ledger';
import { createRunsApi, type ApiLogger, type RunsApi, type RunsApiOptions } from './api';
import type { EventPublisher, PutEventsOutput, PutEventsRequestEntry } from './eventbridge';
import { call, freshLedger, OPERATOR_ARN, seedRun } from './testing';

/**
 * The routes over a real ledger in dynalite (the test stack's DynamoDB), with requests made
 * as API Gateway REST proxy events. Only the EventBridge client is replaced, at the edge:
 * it records the entries it is given (eventbridge.test.ts covers the real client).
 */
let ledger: RunsLedger;

interface Logged {
  level: string;
  message: string;
  extra?: Record<string, unknown>;
}

function capturingLogger(): ApiLogger & { lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (message: unknown, ...extra: unknown[]) => {
      lines.push({ level, message: String(message), extra: extra[0] as Record<string, unknown> });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } as never;
}

function recordingEvents(
  answer?: PutEventsOutput | Error,
): EventPublisher & { sent: PutEventsRequestEntry[] } {
  const sent: PutEventsRequestEntry[] = [];
  return {
    sent,
    async putEvents(entries) {
      sent.push(...entries);
      if (answer instanceof Error) throw answer;
      return (
        answer ?? { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i + 1}` })) }
      );
    },
  };
}

function makeApi(options: Partial<RunsApiOptions> = {}): RunsApi {
  return createRunsApi({
    ledger: () => ledger,
    events: () => recordingEvents(),
    environment: 'test',
    region: 'ap-northeast-1',
    requireIamIdentity: false,
    logger: capturingLogger(),
    ...options,
  });
}

// 26 runs over three JST days around 2026-12-01: every pipeline, every status.
const PIPELINES = ['csv-processor', 'batch-scheduler', 'etl', 'etl-load', 'salesforce-extract'] as const;
const STATUSES = ['SUCCEEDED', 'FAILED', 'PARTIAL', 'TIMED_OUT', 'RUNNING'] as const;
const base = Date.parse('2026-11-29T15:00:00.000Z'); // 2026-11-30 00:00 JST
const seeded = Array.from({ length: 24 }, (_, i) => ({
  pipeline: PIPELINES[i % PIPELINES.length]!,
  runId: `run-${String(i).padStart(2, '0')}`,
  startedAt: new Date(base + i * 3 * 60 * 60 * 1000).toISOString(), // every 3 hours
  status: STATUSES[(i * 2) % STATUSES.length]!,
}));
// Either side of the JST midnight that starts 2026-12-01 (2026-11-30T15:00Z).
const edgeRuns = [
  {
    pipeline: 'etl' as const,
    runId: 'edge-before',
    startedAt: '2026-11-30T14:59:59.999Z',
    status: 'SUCCEEDED' as const,
  },
  {
    pipeline: 'etl' as const,
    runId: 'edge-after',
    startedAt: '2026-11-30T15:00:00.000Z',
    status: 'FAILED' as const,
  },
];
const all = [...seeded, ...edgeRuns].sort((a, b) =>
  a.startedAt !== b.startedAt
    ? b.startedAt.localeCompare(a.startedAt)
    : a.pipeline !== b.pipeline
      ? b.pipeline.localeCompare(a.pipeline)
      : b.runId.localeCompare(a.runId),
);

beforeAll(async () => {
  ({ ledger } = await freshLedger());
  for (const run of [...seeded, ...edgeRuns])
    await seedRun(ledger, {
      ...run,
      ...(run.status === 'FAILED'
        ? { error: { name: 'TransientError', message: 'database went away' } }
        : {}),
      ...(run.status === 'SUCCEEDED' ? { counts: { in: 100, applied: 98, failed: 2 } } : {}),
    });
});

const ids = (json: Record<string, unknown>) => (json.runs as Array<{ runId: string }>).map((r) => r.runId);

describe('GET /health', () => {
  it('answers without reading the ledger', async () => {
    const api = makeApi({
      ledger: () => {
        throw new Error('the ledger was read');
      },
      environment: 'prd',
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    const answer = await call(api, 'GET', '/health');
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      status: 'ok',
      service: 'runs-api',
      environment: 'prd',
      time: '2026-12-01T00:00:00.000Z',
    });
  });
});

describe('GET /runs', () => {
  it('lists newest first, 20 by default, with a cursor and a next link', async () => {
    const answer = await call(makeApi(), 'GET', '/runs');
    expect(answer.status).toBe(200);
    expect(ids(answer.json)).toEqual(all.slice(0, 20).map((r) => r.runId));
    expect(typeof answer.json.cursor).toBe('string');
    expect(answer.json.next).toBe(`/runs?cursor=${encodeURIComponent(answer.json.cursor as string)}`);
  });

  it('pages through every run with the cursor, none twice, none missing', async () => {
    const api = makeApi();
    const seen: string[] = [];
    let url = '/runs?limit=7';
    let pages = 0;
    for (;;) {
      const answer = await call(api, 'GET', url);
      expect(answer.status).toBe(200);
      seen.push(...ids(answer.json));
      pages++;
      if (!answer.json.next) {
        expect(answer.json.cursor).toBeUndefined();
        break;
      }
      url = answer.json.next as string;
      expect(url).toContain('limit=7');
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(all.map((r) => r.runId));
  });

  it('returns each run with its links, duration, counts and error', async () => {
    const answer = await call(makeApi(), 'GET', '/runs?pipeline=etl&status=FAILED&limit=1');
    const run = (answer.json.runs as Array<Record<string, unknown>>)[0]!;
    expect(run).toMatchObject({
      pipeline: 'etl',
      status: 'FAILED',
      trigger: 'schedule',
      durationMs: 60_000,
      error: { name: 'TransientError', message: 'database went away' },
      links: { logGroup: '/aws/lambda/etl-test', logsTail: 'aws logs tail /aws/lambda/etl-test --follow' },
    });
    expect((run.links as { console: string }).console).toMatch(
      /^https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\//,
    );
    expect(run).not.toHaveProperty('ttl');
  });

  it.each([
    ['pipeline', '/runs?pipeline=etl', (r: (typeof all)[number]) => r.pipeline === 'etl'],
    ['status', '/runs?status=FAILED', (r: (typeof all)[number]) => r.status === 'FAILED'],
    [
      'pipeline and status',
      '/runs?pipeline=etl&status=FAILED',
      (r: (typeof all)[number]) => r.pipeline === 'etl' && r.status === 'FAILED',
    ],
    ['RUNNING runs', '/runs?status=RUNNING', (r: (typeof all)[number]) => r.status === 'RUNNING'],
  ])('filters by %s', async (_name, url, keep) => {
    const answer = await call(makeApi(), 'GET', `${url}&limit=100`);
    expect(answer.status).toBe(200);
    expect(ids(answer.json)).toEqual(all.filter(keep).map((r) => r.runId));
  });

  it('reads a date as a JST day: from its 00:00 JST, to the end of the day included', async () => {
    const answer = await call(makeApi(), 'GET', '/runs?from=2026-12-01&to=2026-12-01&limit=100');
    const startOfDay = '2026-11-30T15:00:00.000Z';
    const endOfDay = '2026-12-01T15:00:00.000Z';
    const expected = all.filter((r) => r.startedAt >= startOfDay && r.startedAt < endOfDay);
    expect(ids(answer.json)).toEqual(expected.map((r) => r.runId));
    expect(ids(answer.json)).toContain('edge-after');
    expect(ids(answer.json)).not.toContain('edge-before');
  });

  it('takes date-times with Z or an offset as given, and without one as JST', async () => {
    const api = makeApi();
    const zulu = await call(api, 'GET', '/runs?from=2026-11-30T15:00:00Z&to=2026-11-30T18:00:00Z');
    const offset = await call(
      api,
      'GET',
      '/runs?from=2026-12-01T00:00:00%2B09:00&to=2026-12-01T03:00%2B09:00',
    );
    const local = await call(api, 'GET', '/runs?from=2026-12-01T00:00&to=2026-12-01T03:00');
    expect(ids(zulu.json)).toEqual(
      all
        .filter((r) => r.startedAt >= '2026-11-30T15:00:00.000Z' && r.startedAt < '2026-11-30T18:00:00.000Z')
        .map((r) => r.runId),
    );
    expect(ids(zulu.json)).toContain('edge-after');
    expect(ids(offset.json)).toEqual(ids(zulu.json));
    expect(ids(local.json)).toEqual(ids(zulu.json));
  });

  it('pages a filtered query, and refuses the cursor with other filters', async () => {
    const api = makeApi();
    const first = await call(api, 'GET', '/runs?pipeline=etl&limit=2');
    const second = await call(api, 'GET', first.json.next as string);
    const etl = all.filter((r) => r.pipeline === 'etl').map((r) => r.runId);
    expect([...ids(first.json), ...ids(second.json)]).toEqual(etl.slice(0, 4));
    const other = await call(
      api,
      'GET',
      `/runs?pipeline=csv-processor&limit=2&cursor=${first.json.cursor as string}`,
    );
    expect(other.status).toBe(400);
    expect(other.json).toMatchObject({ error: 'BadRequest', field: 'cursor' });
  });
});

describe('GET /runs/{pipeline}', () => {
  it('lists one pipeline with the same filters and paging', async () => {
    const api = makeApi();
    const answer = await call(api, 'GET', '/runs/salesforce-extract?limit=2');
    const expected = all.filter((r) => r.pipeline === 'salesforce-extract').map((r) => r.runId);
    expect(ids(answer.json)).toEqual(expected.slice(0, 2));
    expect(answer.json.next).toMatch(/^\/runs\/salesforce-extract\?limit=2&cursor=/);
    const rest = await call(api, 'GET', answer.json.next as string);
    expect(ids(rest.json)).toEqual(expected.slice(2, 4));
  });

  it('refuses a pipeline query parameter (the path names it) and an unknown pipeline', async () => {
    const api = makeApi();
    const twice = await call(api, 'GET', '/runs/etl?pipeline=etl');
    expect(twice.status).toBe(400);
    expect(twice.json.field).toBe('pipeline');
    const unknown = await call(api, 'GET', '/runs/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      error: 'NotFound',
      message:
        'unknown pipeline "nope" (known: csv-processor, batch-scheduler, etl, etl-load, salesforce-extract)',
    });
  });
});

describe('GET /runs/{pipeline}/{runId}', () => {
  it('returns the run', async () => {
    const answer = await call(makeApi(), 'GET', '/runs/etl/edge-after');
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      pipeline: 'etl',
      runId: 'edge-after',
      status: 'FAILED',
      startedAt: '2026-11-30T15:00:00.000Z',
      endedAt: '2026-11-30T15:01:00.000Z',
      links: { requestId: 'edge-after' },
    });
  });

  it('is a 404 for a run or pipeline that is not there', async () => {
    const api = makeApi();
    const missing = await call(api, 'GET', '/runs/etl/no-such-run');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ error: 'NotFound', message: 'no run "no-such-run" of etl in the ledger' });
    // A run of another pipeline is not found under this one.
    expect((await call(api, 'GET', '/runs/csv-processor/edge-after')).status).toBe(404);
    expect((await call(api, 'GET', '/runs/unknown/edge-after')).status).toBe(404);
  });
});

describe('validation: a 400 naming the field, never a 500', () => {
  it.each([
    ['/runs?limit=0', 'limit', 'limit: must be a whole number from 1 to 100'],
    ['/runs?limit=101', 'limit', 'limit: must be a whole number from 1 to 100'],
    ['/runs?limit=2.5', 'limit', 'limit: must be a whole number from 1 to 100'],
    ['/runs?limit=ten', 'limit', 'limit: must be a whole number from 1 to 100'],
    ['/runs?status=DONE', 'status', 'status: must be one of RUNNING, SUCCEEDED, PARTIAL, FAILED, TIMED_OUT'],
    [
      '/runs?pipeline=nope',
      'pipeline',
      'pipeline: must be one of csv-processor, batch-scheduler, etl, etl-load, salesforce-extract',
    ],
    [
      '/runs?from=2026-02-30',
      'from',
      'from: expected a date YYYY-MM-DD (a JST day) or an ISO-8601 date-time',
    ],
    ['/runs?to=yesterday', 'to', undefined],
    ['/runs?from=2026-12-01T25:00Z', 'from', undefined],
    ['/runs?from=2026-12-02&to=2026-12-01', 'to', undefined],
    ['/runs?statuss=FAILED', 'statuss', undefined],
    ['/runs?status=FAILED&status=PARTIAL', 'status', 'status: given more than once'],
    ['/runs?cursor=not-a-cursor', 'cursor', undefined],
    ['/runs?cursor=', 'cursor', undefined],
    ['/runs/etl/%E0%A4%A', 'path', 'path: not valid percent-encoding'],
    [`/runs/etl/${'x'.repeat(300)}`, 'runId', 'runId: longer than 256 characters'],
  ])('GET %s', async (url, field, message) => {
    const answer = await call(makeApi(), 'GET', url);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('BadRequest');
    expect(answer.json.field).toBe(field);
    expect(answer.json.message).toMatch(new RegExp(`^${field}: `));
    if (message) expect(answer.json.message).toBe(message);
  });

  it('lists every problem of a query in the one message', async () => {
    const answer = await call(makeApi(), 'GET', '/runs?limit=0&status=DONE');
    expect(answer.status).toBe(400);
    expect(answer.json.message).toMatch(/limit: .*; status: |status: .*; limit: /);
  });
});

describe('routes and methods', () => {
  it.each([
    ['GET', '/', 404],
    ['GET', '/run', 404],
    ['GET', '/runs/etl/r/extra', 404],
    ['DELETE', '/runs', 405],
    ['PUT', '/runs/etl', 405],
    ['POST', '/runs/etl/some-run', 405],
    ['POST', '/health', 405],
    ['OPTIONS', '/runs', 405],
  ])('%s %s → %i as JSON', async (method, url, status) => {
    const answer = await call(makeApi(), method, url);
    expect(answer.status).toBe(status);
    expect(answer.json.error).toBe(status === 404 ? 'NotFound' : 'MethodNotAllowed');
    expect(typeof answer.json.message).toBe('string');
    if (status === 405) expect(answer.headers.allow).toMatch(/GET/);
  });

  it('names the allowed methods of a path', async () => {
    const answer = await call(makeApi(), 'DELETE', '/runs/etl');
    expect(answer.headers.allow).toBe('GET, POST');
  });

  it('ignores a body sent with GET (API Gateway passes one through)', async () => {
    const answer = await call(makeApi(), 'GET', '/runs?limit=1', { body: '{"x":1}' });
    expect(answer.status).toBe(200);
  });

  it('accepts a trailing slash', async () => {
    expect((await call(makeApi(), 'GET', '/runs/etl/')).status).toBe(200);
  });
});

describe('POST /runs/{pipeline}: the manual trigger', () => {
  const now = () => new Date('2026-12-01T01:02:03.456Z');

  it('sends the event `aws events put-events … DetailType=manual-trigger` sends, and answers 202', async () => {
    const events = recordingEvents();
    const answer = await call(makeApi({ events: () => events, now }), 'POST', '/runs/etl', {
      body: '{"date":"2026-11-30"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(events.sent).toEqual([
      { Source: 'etl', DetailType: 'manual-trigger', Detail: '{"environment":"test","date":"2026-11-30"}' },
    ]);
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({
      pipeline: 'etl',
      eventId: 'event-1',
      source: 'etl',
      detailType: 'manual-trigger',
      detail: { environment: 'test', date: '2026-11-30' },
      submittedAt: '2026-12-01T01:02:03.456Z',
      poll: '/runs/etl?from=2026-12-01T01%3A01%3A58.456Z',
    });
    expect(answer.headers.location).toBe(answer.json.poll);
  });

  it('finds the run at the poll URL once the recorder has written it', async () => {
    // Later than every seeded run, so the poll lists only what the trigger started.
    const api = makeApi({ now: () => new Date('2027-01-01T00:00:00.000Z') });
    const answer = await call(api, 'POST', '/runs/batch-scheduler', {
      body: '{"channelIds":["UCaaaaaaaaaaaaaaaaaaaaaa"]}',
    });
    expect(answer.status).toBe(202);
    await seedRun(ledger, {
      pipeline: 'batch-scheduler',
      runId: 'manual-run',
      trigger: 'manual',
      startedAt: '2027-01-01T00:00:01.250Z',
      status: 'SUCCEEDED',
    });
    const polled = await call(api, 'GET', answer.json.poll as string);
    expect(polled.status).toBe(200);
    expect(polled.json.runs).toEqual([expect.objectContaining({ runId: 'manual-run', trigger: 'manual' })]);
  });

  it.each([
    ['batch-scheduler', '', { environment: 'test' }],
    [
      'batch-scheduler',
      '{"channelIds":["UCbbbbbbbbbbbbbbbbbbbbbb"]}',
      { channelIds: ['UCbbbbbbbbbbbbbbbbbbbbbb'] },
    ],
    [
      'salesforce-extract',
      '{"objects":["Account","Contact"],"full":true}',
      { objects: ['Account', 'Contact'], full: true },
    ],
    ['etl', '{"from":"2026-11-01","to":"2026-11-03"}', { from: '2026-11-01', to: '2026-11-03' }],
  ])(
    'POST /runs/%s %s: Source is the pipeline’s, Detail names the environment',
    async (pipeline, body, detail) => {
      const events = recordingEvents();
      const answer = await call(makeApi({ events: () => events }), 'POST', `/runs/${pipeline}`, { body });
      expect(answer.status).toBe(202);
      expect(events.sent).toHaveLength(1);
      expect(events.sent[0]!.Source).toBe(pipeline);
      expect(events.sent[0]!.DetailType).toBe('manual-trigger');
      expect(JSON.parse(events.sent[0]!.Detail)).toEqual({ environment: 'test', ...detail });
    },
  );

  it('sends to the configured bus', async () => {
    const events = recordingEvents();
    const api = makeApi({ events: () => events, eventBusName: 'ops-bus' });
    expect((await call(api, 'POST', '/runs/etl')).status).toBe(202);
    expect(events.sent[0]!.EventBusName).toBe('ops-bus');
  });

  it.each([
    ['etl', '{"date":', 'body', 'body: not valid JSON'],
    ['etl', '["2026-11-30"]', 'body', 'body: expected a JSON object'],
    ['etl', '{"environment":"prd"}', 'environment', 'environment: unknown field "environment"'],
    ['etl', '{"date":"2026-13-01"}', 'date', undefined],
    ['etl', '{"date":"2026-11-30","from":"2026-11-01"}', undefined, undefined],
    ['batch-scheduler', '{"channelIds":["not-a-channel"]}', 'channelIds.0', undefined],
    ['batch-scheduler', '{"channelIds":[]}', 'channelIds', undefined],
    ['salesforce-extract', '{"objects":["Bad Name"]}', 'objects.0', undefined],
    ['salesforce-extract', '{"mode":"fast"}', 'mode', undefined],
    ['salesforce-extract', '{"full":"yes"}', 'full', undefined],
  ])('POST /runs/%s %s → 400', async (pipeline, body, field, message) => {
    const events = recordingEvents();
    const answer = await call(makeApi({ events: () => events }), 'POST', `/runs/${pipeline}`, { body });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('BadRequest');
    if (field) expect(answer.json.field).toBe(field);
    expect(answer.json.message).toMatch(new RegExp(`^${answer.json.field as string}: `));
    if (message) expect(answer.json.message).toBe(message);
    expect(events.sent).toEqual([]);
  });

  it('refuses a pipeline without a manual trigger with 405 Allow: GET', async () => {
    for (const pipeline of ['csv-processor', 'etl-load']) {
      const answer = await call(makeApi(), 'POST', `/runs/${pipeline}`);
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET');
      expect(answer.json.message).toMatch(new RegExp(`^${pipeline} has no manual trigger`));
    }
    expect((await call(makeApi(), 'POST', '/runs/unknown')).status).toBe(404);
  });

  it('is a 502 naming EventBridge’s refusal when FailedEntryCount > 0', async () => {
    const events = recordingEvents({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    const answer = await call(makeApi({ events: () => events }), 'POST', '/runs/etl');
    expect(answer.status).toBe(502);
    expect(answer.json).toEqual({
      error: 'TriggerNotAccepted',
      message:
        'EventBridge did not accept the manual-trigger event (ThrottlingException: Rate exceeded); nothing was started',
    });
  });

  it('is a 500 with the request id, logged, when EventBridge cannot be reached', async () => {
    const logger = capturingLogger();
    const events = recordingEvents(new Error('connect ECONNREFUSED 10.0.0.1:443 secret-detail'));
    const answer = await call(makeApi({ events: () => events, logger }), 'POST', '/runs/etl');
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('InternalError');
    expect(answer.json.message).toMatch(/^internal error \(request id [0-9a-f-]{36}\)$/);
    expect(JSON.stringify(answer.json)).not.toContain('secret-detail');
    const logged = logger.lines.find((l) => l.level === 'error');
    expect(logged?.extra?.requestId).toBe((answer.json.message as string).match(/request id (\S+)\)/)![1]);
  });
});

describe('auth context', () => {
  it('refuses a request without an IAM caller when REQUIRE_IAM_IDENTITY is on', async () => {
    const events = recordingEvents();
    const api = makeApi({ requireIamIdentity: true, events: () => events });
    for (const [method, url] of [
      ['GET', '/runs'],
      ['GET', '/health'],
      ['POST', '/runs/etl'],
      ['GET', '/nothing'],
    ] as const) {
      const answer = await call(api, method, url);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual({
        error: 'Unauthorized',
        message: 'this API takes only requests signed with IAM credentials (SigV4)',
      });
    }
    expect(events.sent).toEqual([]);
  });

  it('serves an IAM caller and writes who it was in the audit line', async () => {
    const logger = capturingLogger();
    const api = makeApi({ requireIamIdentity: true, logger });
    const answer = await call(api, 'POST', '/runs/etl', { identity: true, body: '{"date":"2026-11-30"}' });
    expect(answer.status).toBe(202);
    const audit = logger.lines.find((l) => l.message === 'Request');
    expect(audit?.extra).toMatchObject({
      method: 'POST',
      path: '/runs/etl',
      status: 202,
      caller: { userArn: OPERATOR_ARN, accountId: '123456789012' },
    });
    expect(JSON.stringify(audit)).not.toContain('ASIAEXAMPLE');
    const trigger = logger.lines.find((l) => l.message === 'Manual trigger sent');
    expect(trigger?.extra).toMatchObject({ caller: OPERATOR_ARN, pipeline: 'etl', eventId: 'event-1' });
  });

  it('without REQUIRE_IAM_IDENTITY (local), serves and logs the request without a caller ARN', async () => {
    const logger = capturingLogger();
    const answer = await call(makeApi({ logger }), 'GET', '/health');
    expect(answer.status).toBe(200);
    const audit = logger.lines.find((l) => l.message === 'Request');
    expect(audit?.extra?.caller).not.toHaveProperty('userArn');
  });
});

describe('faults', () => {
  it('a ledger failure is a 500 with a generic message, logged with the request id', async () => {
    const logger = capturingLogger();
    const api = makeApi({
      ledger: () => ({
        ...ledger,
        listRuns: async () => {
          throw Object.assign(new Error('ResourceNotFoundException: table pipeline-runs-test'), {
            name: 'ResourceNotFoundException',
          });
        },
      }),
      logger,
    });
    const answer = await call(api, 'GET', '/runs');
    expect(answer.status).toBe(500);
    expect(answer.json.message).not.toMatch(/pipeline-runs|ResourceNotFound/);
    expect(logger.lines.some((l) => l.level === 'error' && l.message === 'Request failed')).toBe(true);
  });

  it('a stored run its response schema refuses is a 500, not a malformed answer', async () => {
    const logger = capturingLogger();
    const stored = (await ledger.listRuns({ limit: 1 })).runs[0]!;
    const api = makeApi({
      ledger: () => ({
        ...ledger,
        getRun: async () => ({ ...stored, status: 'LOST' as never }),
      }),
      logger,
    });
    const answer = await call(api, 'GET', `/runs/${stored.pipeline}/${stored.runId}`);
    expect(answer.status).toBe(500);
    expect(answer.json.error).toBe('InternalError');
    expect(logger.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('an event that is not from API Gateway fails the invocation with a named error', async () => {
    await expect(makeApi().resolve({ hello: 'world' }, {} as never)).rejects.toThrow(
      'runs-api takes API Gateway REST API proxy (v1) events only',
    );
  });
});
