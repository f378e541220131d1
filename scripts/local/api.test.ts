import { createObservability } from '../../functions/shared/observability';
import type { RunsLedger } from '../../functions/shared/runs-ledger';
import { freshLedger, localRunsApi, seedRun } from '../../functions/runs-api/testing';
import { startLocalCli } from '../testing/local-cli';
import { proxyEvent, serveApi, type ServedApi } from './api';

/**
 * `npm run local -- api`: the HTTP adapter end to end (node:http → API Gateway v1 event →
 * the runs API → HTTP response) over a ledger in dynalite, and the command itself as a
 * person runs it (prints the URL, answers, stops on SIGINT/SIGTERM, exit 2 on bad options).
 */
describe('proxyEvent', () => {
  it('makes the REST proxy (v1) event API Gateway sends for a request', () => {
    const event = proxyEvent({
      method: 'get',
      url: '/runs?status=FAILED&from=2026-12-01T00%3A00%2B09%3A00&x=1&x=2',
      headers: { host: '127.0.0.1:3100', 'user-agent': 'curl/8', 'x-many': ['a', 'b'] },
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
    });
    expect(event).toMatchObject({
      resource: '/{proxy+}',
      path: '/runs',
      httpMethod: 'GET',
      headers: { host: '127.0.0.1:3100', 'user-agent': 'curl/8', 'x-many': 'b' },
      multiValueHeaders: { 'x-many': ['a', 'b'] },
      queryStringParameters: { status: 'FAILED', from: '2026-12-01T00:00+09:00', x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      pathParameters: { proxy: 'runs' },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        path: '/local/runs',
        stage: 'local',
        httpMethod: 'GET',
        identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8', userArn: null, caller: null },
      },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes a text body as is and a binary one base64-encoded', () => {
    const text = proxyEvent({
      method: 'POST',
      url: '/runs/etl',
      headers: {},
      body: Buffer.from('{"date":"…"}'),
    });
    expect(text).toMatchObject({ body: '{"date":"…"}', isBase64Encoded: false });
    const binary = proxyEvent({
      method: 'POST',
      url: '/runs/etl',
      headers: {},
      body: Buffer.from([0xff, 0x00]),
    });
    expect(binary).toMatchObject({ body: '/wA=', isBase64Encoded: true });
  });
});

describe('serveApi over the ledger in dynalite', () => {
  let ledger: RunsLedger;
  let served: ServedApi;
  const printed: string[] = [];

  beforeAll(async () => {
    ({ ledger } = await freshLedger());
    for (let i = 0; i < 5; i++)
      await seedRun(ledger, {
        pipeline: 'csv-processor',
        runId: `user-log-2026120${i}-093000`,
        startedAt: `2026-12-0${i + 1}T00:30:00.000Z`,
        status: i === 3 ? 'FAILED' : 'SUCCEEDED',
      });
    const { logger } = createObservability({ serviceName: 'runs-api', namespace: 'runs' });
    const api = localRunsApi(ledger, printed, logger);
    served = await serveApi(api, { port: 0 });
  });

  afterAll(() => served.close());

  it('listens on 127.0.0.1', () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('lists runs over HTTP and pages with the next link', async () => {
    const first = await fetch(`${served.url}/runs?limit=2`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/application\/json/);
    const page = (await first.json()) as { runs: Array<{ runId: string }>; next: string };
    expect(page.runs.map((r) => r.runId)).toEqual(['user-log-20261204-093000', 'user-log-20261203-093000']);
    const second = (await (await fetch(`${served.url}${page.next}`)).json()) as {
      runs: Array<{ runId: string }>;
    };
    expect(second.runs.map((r) => r.runId)).toEqual(['user-log-20261202-093000', 'user-log-20261201-093000']);
  });

  it('filters with a JST date and an encoded date-time', async () => {
    const byDay = (await (await fetch(`${served.url}/runs?from=2026-12-03&to=2026-12-03`)).json()) as {
      runs: Array<{ runId: string }>;
    };
    expect(byDay.runs.map((r) => r.runId)).toEqual(['user-log-20261202-093000']);
    const failed = (await (
      await fetch(
        `${served.url}/runs/csv-processor?status=FAILED&from=${encodeURIComponent('2026-12-01T00:00+09:00')}`,
      )
    ).json()) as { runs: Array<{ runId: string }> };
    expect(failed.runs.map((r) => r.runId)).toEqual(['user-log-20261203-093000']);
  });

  it('answers one run, and errors as JSON with their status and headers', async () => {
    const run = await fetch(`${served.url}/runs/csv-processor/user-log-20261203-093000`);
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ status: 'FAILED' });

    const missing = await fetch(`${served.url}/runs/csv-processor/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'NotFound' });

    const wrongMethod = await fetch(`${served.url}/runs/etl`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');

    const bad = await fetch(`${served.url}/runs?limit=1000`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'limit' });
  });

  it('takes a manual trigger and prints the event it would send', async () => {
    const answer = await fetch(`${served.url}/runs/etl`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ date: '2026-11-30' }),
    });
    expect(answer.status).toBe(202);
    const body = (await answer.json()) as { eventId: string; poll: string };
    expect(body.eventId).toMatch(/^local-/);
    expect(answer.headers.get('location')).toBe(body.poll);
    expect(printed.join('')).toContain(
      '{"Source":"etl","DetailType":"manual-trigger","Detail":"{\\"environment\\":\\"local\\",\\"date\\":\\"2026-11-30\\"}"}',
    );
    expect(printed.join('')).toContain('to run it here: npm run local -- etl');
    expect((await fetch(`${served.url}${body.poll}`)).status).toBe(200);
  });

  it('refuses a body over 1 MiB before it reaches the API', async () => {
    const answer = await fetch(`${served.url}/runs/etl`, {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ error: 'PayloadTooLarge' });
  });
});

describe('npm run local -- api', () => {
  // The test stack's services: the command uses them instead of starting its own.
  const env = () => ({
    ...process.env,
    DATABASE_URL: process.env.PIPELINES_TEST_DATABASE_URL!,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });

  function start(args: string[]) {
    const run = startLocalCli(['api', ...args], env());
    const url = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no URL printed; stderr:\n${run.output().stderr}`)),
        45_000,
      );
      run.child.stdout.on('data', () => {
        const match = /runs API on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output().stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void run.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`exited before serving; stderr:\n${run.output().stderr}`));
      });
    });
    // Awaited only by the cases that expect a server.
    url.catch(() => undefined);
    return { ...run, url };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'prints the URL, serves the local ledger, and stops cleanly on %s',
    async (signal) => {
      const run = start(['--port', '0']);
      const url = await run.url;
      const health = await fetch(`${url}/health`);
      expect(await health.json()).toMatchObject({ status: 'ok', environment: 'local' });
      const runs = await fetch(`${url}/runs?limit=1`);
      expect(runs.status).toBe(200);
      expect(run.output().stdout).toMatch(/ledger pipeline-runs-local/);
      run.child.kill(signal);
      expect(await run.exited).toBe(0);
      expect(run.output().stderr).toContain(`runs API: stopping (${signal})`);
      // The audit lines go to stderr; stdout keeps only the URL line.
      expect(run.output().stdout.trim().split('\n')).toHaveLength(1);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    },
  );

  it.each([
    [['--port', 'eighty'], /--port/],
    [['--port', '70000'], /--port/],
    [['--bogus'], /--bogus/],
  ])('exits 2 with the usage on %j', async (args, problem) => {
    const run = start(args);
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toMatch(problem);
    expect(stderr).toContain('usage: npm run local -- api');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
