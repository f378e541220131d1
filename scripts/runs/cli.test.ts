import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { logger } from '../../functions/runs-api/handler';
import { freshLedger, localRunsApi, seedRun } from '../../functions/runs-api/testing';
import { createRunsLedger } from '../../functions/shared/runs-ledger';
import { apiCommand, serveApi, type ServedApi } from '../local/api';
import { runsCaptured } from './test-support';
import { LOCAL_API_URL, localClient } from './target';

/**
 * `npm run runs` against the local runs API (`npm run local -- api`'s server, started here on
 * a free port over a ledger in dynalite): the table a person reads, --json byte for byte the
 * API's answer, API errors (exit 1 with {error, message}), usage errors (exit 2 with the
 * usage, nothing sent), and the in-process fallback over the local ledger.
 */
const runs = (...argv: string[]) => runsCaptured(argv);

/** The CLI against the API served in this file (its arguments, then --local --url <served>). */
const runsLocal = (...argv: string[]) => runs(...argv, '--local', '--url', served.url);

const FAILED_ID = 'csv-user-log-processor-20261201-0930-failed';
let served: ServedApi;
const printed: string[] = [];
let requests = 0;

beforeAll(async () => {
  const { ledger } = await freshLedger();
  for (let day = 1; day <= 4; day++)
    await seedRun(ledger, {
      pipeline: 'csv-processor',
      runId: `csv-user-log-processor-2026120${day}-0930`,
      startedAt: `2026-12-0${day}T00:30:00.000Z`,
      status: 'SUCCEEDED',
      endedAt: `2026-12-0${day}T00:31:05.000Z`,
      counts: { in: 100, applied: 98, failed: 2 },
      links: { logGroup: '/aws/vendedlogs/states/csv-user-log-processor-local' },
    });
  await seedRun(ledger, {
    pipeline: 'csv-processor',
    runId: FAILED_ID,
    startedAt: '2026-12-01T00:40:00.000Z',
    status: 'FAILED',
    endedAt: '2026-12-01T00:40:02.500Z',
    error: { name: 'ValidationError', message: 'header row\nmissing column email' },
    links: {
      logGroup: '/aws/vendedlogs/states/csv-user-log-processor-local',
      executionArn: `arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-local:${FAILED_ID}`,
    },
  });
  await seedRun(ledger, {
    pipeline: 'etl',
    runId: '9d1f0a3e-1111-4222-8333-444455556666',
    startedAt: '2026-12-02T18:00:00.000Z',
    trigger: 'schedule',
  });
  const api = localRunsApi(ledger, printed, logger);
  served = await serveApi(
    {
      resolve: (event, context) => {
        requests++;
        return api.resolve(event, context);
      },
    },
    { port: 0 },
  );
});

afterAll(() => served.close());

describe('list', () => {
  it('prints a table, newest first, times in JST', async () => {
    const result = await runsLocal('list');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^STARTED \(JST\)\s+PIPELINE\s+RUN ID\s+STATUS\s+TRIGGER\s+DURATION\s+IN\s+APPLIED\s+FAILED\s+ERROR$/,
    );
    expect(lines[1]).toMatch(/^-+(\s+-+){9}$/);
    expect(lines.slice(2).map((line) => line.split(/\s{2,}/)[2])).toEqual([
      'csv-user-log-processor-20261204-0930',
      'csv-user-log-processor-20261203-0930',
      '9d1f0a3e-1111-4222-8333-444455556666',
      'csv-user-log-processor-20261202-0930',
      FAILED_ID,
      'csv-user-log-processor-20261201-0930',
    ]);
    expect(lines[4]).toMatch(/^2026-12-03 03:00:00\s+etl\s+\S+\s+RUNNING\s+schedule\s*$/);
    expect(lines[2]).toMatch(
      /^2026-12-04 09:30:00\s+csv-processor\s+\S+\s+SUCCEEDED\s+schedule\s+1m 05s\s+100\s+98\s+2$/,
    );
    // The error on one line, however many lines its message has.
    expect(lines[6]).toMatch(
      /FAILED\s+schedule\s+2\.5 s\s+ValidationError: header row missing column email$/,
    );
  });

  it('--json prints exactly what the API answered', async () => {
    const result = await runsLocal('list', '--pipeline', 'csv-processor', '--json');
    const direct = await (await fetch(`${served.url}/runs?pipeline=csv-processor`)).text();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${direct}\n`);
  });

  it('filters by pipeline, status and JST days', async () => {
    const failed = await runsLocal('list', '--status', 'FAILED', '--json');
    expect(JSON.parse(failed.stdout).runs.map((r: { runId: string }) => r.runId)).toEqual([FAILED_ID]);
    const day = await runsLocal('list', '--from', '2026-12-02', '--to', '2026-12-02', '--json');
    expect(JSON.parse(day.stdout).runs.map((r: { runId: string }) => r.runId)).toEqual([
      'csv-user-log-processor-20261202-0930',
    ]);
  });

  it('pages with --limit and the cursor it prints', async () => {
    const first = await runsLocal('list', '--pipeline', 'csv-processor', '--limit', '3');
    const cursor = /more runs: repeat with --cursor (\S+)$/.exec(first.stdout.trimEnd())?.[1];
    expect(cursor).toBeDefined();
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(2 + 3 + 1);
    const second = await runsLocal(
      'list',
      '--pipeline',
      'csv-processor',
      '--limit',
      '3',
      '--cursor',
      cursor!,
      '--json',
    );
    const page = JSON.parse(second.stdout);
    expect(page.runs.map((r: { runId: string }) => r.runId)).toEqual([
      FAILED_ID,
      'csv-user-log-processor-20261201-0930',
    ]);
    expect(page.cursor).toBeUndefined();
  });

  it('says so when no run matches', async () => {
    const result = await runsLocal('list', '--pipeline', 'etl-load');
    expect(result).toEqual({ code: 0, stdout: 'no runs match\n', stderr: '' });
  });
});

describe('show', () => {
  it('prints every field of a run and where to look next', async () => {
    const result = await runsLocal('show', 'csv-processor', FAILED_ID);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'pipeline   csv-processor',
      `run id     ${FAILED_ID}`,
      'status     FAILED',
      'trigger    schedule',
      'started    2026-12-01 09:40:00 JST (2026-12-01T00:40:00.000Z)',
      'ended      2026-12-01 09:40:02 JST (2026-12-01T00:40:02.500Z)',
      'duration   2.5 s',
      'error      ValidationError: header row',
      '           missing column email',
      `execution  arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-local:${FAILED_ID}`,
      'log group  /aws/vendedlogs/states/csv-user-log-processor-local',
      'logs       aws logs tail /aws/vendedlogs/states/csv-user-log-processor-local --follow',
      `console    https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-local:${FAILED_ID}`,
      expect.stringMatching(/^updated {4}\d{4}-\d{2}-\d{2}T/),
      '',
    ]);
  });

  it('exits 1 with the API’s error; --json also prints the error body', async () => {
    const missing = await runsLocal('show', 'etl', 'no-such-run');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^error: NotFound \(HTTP 404\): .*no-such-run.*\n$/);
    const json = await runsLocal('show', 'etl', 'no-such-run', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: 'NotFound' });
  });
});

describe('trigger', () => {
  it('sends the manual trigger and prints how to follow the run', async () => {
    printed.length = 0;
    const result = await runsLocal('trigger', 'salesforce-extract', '--objects', 'Account,Contact');
    expect(result.code).toBe(0);
    expect(printed.join('')).toContain('"Source":"salesforce-extract","DetailType":"manual-trigger"');
    expect(printed.join('')).toContain('\\"objects\\":[\\"Account\\",\\"Contact\\"]');
    expect(result.stdout).toMatch(/^salesforce-extract: manual run requested \(EventBridge event local-/);
    expect(result.stdout).toContain('detail: {"environment":"local","objects":["Account","Contact"]}');
    expect(result.stdout).toMatch(
      /\nlocally the event is not delivered and nothing starts; the API printed how to run it\n$/,
    );
  });

  it('--json prints the API’s 202 body', async () => {
    const result = await runsLocal(
      'trigger',
      'batch-scheduler',
      '--channels',
      'UC_x5XG1OV2P6uZZ5FSM9Ttw',
      '--json',
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      pipeline: 'batch-scheduler',
      detailType: 'manual-trigger',
      detail: { environment: 'local', channelIds: ['UC_x5XG1OV2P6uZZ5FSM9Ttw'] },
    });
  });
});

describe('API errors the CLI cannot see coming', () => {
  it('a cursor from another query: exit 1 with the API’s 400 message', async () => {
    const result = await runsLocal('list', '--cursor', 'not-a-cursor');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: BadRequest \(HTTP 400\): cursor: /);
  });

  it('nothing listening: one line naming the URL', async () => {
    const port = await closedPort();
    const result = await runs('list', '--local', '--url', `http://127.0.0.1:${port}`);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach the runs API at http://127.0.0.1:${port} (ECONNREFUSED)\n`,
    });
  });
});

describe('usage errors: exit 2 with the usage, nothing sent', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no command', [], /^error: missing <command>\n\nusage: npm run runs -- <command>/],
    [
      'an unknown command',
      ['ls', '--local'],
      /^error: unknown command "ls" \(valid: list, show, trigger, report\)/,
    ],
    [
      'no target',
      ['list'],
      /^error: say which API: --env dev\|prd or --local\n\nusage: npm run runs -- list/,
    ],
    ['both targets', ['list', '--env', 'dev', '--local'], /^error: give --env or --local, not both/],
    ['an unknown environment', ['list', '--env', 'stg'], /^error: --env must be one of dev, prd, got "stg"/],
    [
      'an unknown status',
      ['list', '--local', '--status', 'DONE'],
      /^error: --status must be one of RUNNING, SUCCEEDED/,
    ],
    [
      'a bad date',
      ['list', '--local', '--from', '2026-02-30'],
      /^error: --from must be a date YYYY-MM-DD \(a JST day\)/,
    ],
    [
      'a limit over the API’s',
      ['list', '--local', '--limit', '101'],
      /^error: --limit must be an integer from 1 to 100, got "101"/,
    ],
    ['show without a run id', ['show', 'etl', '--local'], /^error: missing <run-id>/],
    [
      'trigger of a pipeline with no manual trigger',
      ['trigger', 'csv-processor', '--local'],
      /^error: unknown pipeline "csv-processor" \(valid: batch-scheduler, etl, salesforce-extract\)/,
    ],
    [
      'an option the pipeline does not take',
      ['trigger', 'etl', '--objects', 'Account', '--local'],
      /^error: --objects is not an option of etl's trigger \(it takes --date\)\n$/,
    ],
    [
      'an impossible date',
      ['trigger', 'etl', '--date', '2026-13-01', '--local'],
      /^error: --date 2026-13-01: .*2026-13-01/,
    ],
    [
      'a channel id that is not one',
      ['trigger', 'batch-scheduler', '--channels', 'nope', '--local'],
      /^error: --channels nope: expected a YouTube channel id/,
    ],
    ['report with --url', ['report', '--local', '--url', 'http://x'], /^error: unknown option --url/],
  ];

  it.each(cases)('%s', async (_name, argv, message) => {
    const before = requests;
    const result = await runs(...argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(requests).toBe(before);
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const result = await runs('trigger', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: npm run runs -- trigger <pipeline> [options]');
    expect(result.stdout).toContain('--channels <X,Y>');
  });
});

describe('--local without --url', () => {
  it('uses the default port of `npm run local -- api`', () => {
    expect(LOCAL_API_URL).toBe(`http://127.0.0.1:${apiCommand.options.port.default}`);
  });

  it('falls back to the runs API in this process over pipeline-runs-local when no server answers', async () => {
    // The test stack's DynamoDB (AWS_ENDPOINT_URL_DYNAMODB) stands for the `up` stack's.
    const runId = `in-process-${randomUUID()}`;
    const client = localClient(undefined, `http://127.0.0.1:${await closedPort()}`);
    const health = await client.send({ method: 'GET', path: '/health' });
    expect(health.json).toMatchObject({ status: 'ok', environment: 'local' });
    await seedRun(createRunsLedger({ table: 'pipeline-runs-local' }), {
      pipeline: 'etl-load',
      runId,
      startedAt: '2031-01-01T00:00:00.000Z',
      status: 'SUCCEEDED',
    });
    const run = await client.send({ method: 'GET', path: `/runs/etl-load/${runId}` });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ pipeline: 'etl-load', runId, status: 'SUCCEEDED' });
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
