import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler, loadRunsApiConfig } from './handler';
import { fakeEventBridge, freshLedger, seedRun, testContext } from './testing';

/**
 * The Lambda handler on the example events in events/ (API Gateway REST proxy events as
 * IAM authorization delivers them), configured as Terraform configures it: the ledger in
 * dynalite, REQUIRE_IAM_IDENTITY on, EventBridge a local endpoint reached through the
 * SDK's default credential chain.
 */
const example = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, 'events', `${name}.json`), 'utf8')) as APIGatewayProxyEvent;

const saved = { ...process.env };
let bridge: Awaited<ReturnType<typeof fakeEventBridge>>;

beforeAll(async () => {
  bridge = await fakeEventBridge();
});

afterAll(async () => {
  process.env = saved;
  await bridge.close();
});

const body = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

it('answers 500 (generic, logged) while its configuration is missing, then serves once it is there', async () => {
  delete process.env.RUNS_TABLE;
  const missing = await handler(example('health'), testContext());
  expect(missing.statusCode).toBe(500);
  expect(body(missing)).toEqual({
    error: 'InternalError',
    message: expect.stringMatching(/^internal error \(request id [0-9a-f-]{36}\)$/),
  });

  const { table, ledger } = await freshLedger();
  Object.assign(process.env, {
    RUNS_TABLE: table,
    ENVIRONMENT: 'dev',
    REQUIRE_IAM_IDENTITY: 'true',
    AWS_ENDPOINT_URL_EVENTBRIDGE: bridge.endpoint,
  });
  await seedRun(ledger, {
    pipeline: 'etl',
    runId: '4f1c2b9e-5d7a-4c3b-9e8f-0a1b2c3d4e5f',
    startedAt: '2026-11-30T17:00:00.000Z',
    status: 'FAILED',
    error: { name: 'DatabaseTransientError', message: 'Connection terminated unexpectedly' },
  });
  await seedRun(ledger, {
    pipeline: 'csv-processor',
    runId: 'user-log-20261201-093000',
    startedAt: '2026-12-01T00:30:00.000Z',
    status: 'SUCCEEDED',
    links: { logGroup: '/aws/vendedlogs/states/csv-user-log-processor-dev', executionArn: 'arn:x' },
  });

  const health = await handler(example('health'), testContext());
  expect(health.statusCode).toBe(200);
  expect(body(health)).toMatchObject({ status: 'ok', environment: 'dev' });

  const list = await handler(example('list-runs'), testContext());
  expect(list.statusCode).toBe(200);
  expect(body(list).runs).toEqual([
    expect.objectContaining({ runId: '4f1c2b9e-5d7a-4c3b-9e8f-0a1b2c3d4e5f', status: 'FAILED' }),
  ]);

  const pipelineRuns = await handler(example('list-pipeline-runs'), testContext());
  expect(body(pipelineRuns).runs).toEqual([expect.objectContaining({ runId: 'user-log-20261201-093000' })]);

  const run = await handler(example('get-run'), testContext());
  expect(run.statusCode).toBe(200);
  expect(body(run)).toMatchObject({ error: { name: 'DatabaseTransientError' } });

  const badLimit = await handler(example('bad-limit'), testContext());
  expect(badLimit.statusCode).toBe(400);
  expect(body(badLimit)).toEqual({
    error: 'BadRequest',
    message: 'limit: must be a whole number from 1 to 100',
    field: 'limit',
  });

  for (const [name, source, detail] of [
    ['trigger-etl', 'etl', { environment: 'dev', date: '2026-11-30' }],
    [
      'trigger-salesforce-extract',
      'salesforce-extract',
      { environment: 'dev', objects: ['Account', 'Opportunity'] },
    ],
  ] as const) {
    bridge.received.length = 0;
    const accepted = await handler(example(name), testContext());
    expect(accepted.statusCode).toBe(202);
    expect(bridge.received).toHaveLength(1);
    const entry = (bridge.received[0]!.body.Entries as Array<Record<string, string>>)[0]!;
    expect(entry).toEqual({ Source: source, DetailType: 'manual-trigger', Detail: JSON.stringify(detail) });
    expect(bridge.received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=/);
  }

  // The same request without the IAM identity API Gateway adds is refused.
  const anonymous = example('list-runs');
  anonymous.requestContext.identity = { ...anonymous.requestContext.identity, userArn: null, caller: null };
  const refused = await handler(anonymous, testContext());
  expect(refused.statusCode).toBe(401);
});

describe('loadRunsApiConfig', () => {
  it('takes the environment from the ledger’s name when ENVIRONMENT is unset', () => {
    expect(loadRunsApiConfig({ RUNS_TABLE: 'pipeline-runs-prd' })).toMatchObject({
      RUNS_TABLE: 'pipeline-runs-prd',
      ENVIRONMENT: 'prd',
      REQUIRE_IAM_IDENTITY: false,
    });
    expect(
      loadRunsApiConfig({ RUNS_TABLE: 'runs', ENVIRONMENT: 'dev', REQUIRE_IAM_IDENTITY: 'true' }),
    ).toMatchObject({ ENVIRONMENT: 'dev', REQUIRE_IAM_IDENTITY: true });
  });

  it('names what is missing or malformed', () => {
    expect(() => loadRunsApiConfig({})).toThrow('RUNS_TABLE is required but not set');
    expect(() => loadRunsApiConfig({ RUNS_TABLE: 'runs' })).toThrow('ENVIRONMENT is required');
    expect(() =>
      loadRunsApiConfig({ RUNS_TABLE: 'runs', ENVIRONMENT: 'dev', REQUIRE_IAM_IDENTITY: 'yes' }),
    ).toThrow('REQUIRE_IAM_IDENTITY is invalid');
  });
});
