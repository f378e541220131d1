import { text } from 'node:stream/consumers';
import { inspect } from 'node:util';
import { startFakeSalesforce, type FakeSalesforce } from '../../scripts/fakes/salesforce/server';
import { createObservability } from '../shared/observability';
import {
  createQueryJob,
  getLimits,
  getQueryJob,
  getQueryResultsPage,
  queryFirstPage,
  queryNextPage,
  abortQueryJob,
} from './api';
import { TokenProvider, resetTokenCache } from './auth';
import { SalesforceClient } from './http';
import type { SalesforceSecret } from './secret';

/**
 * The private key, the signed assertions and the access tokens must never reach a log
 * line or an error. Everything the client can emit is captured (its log callback wired to
 * a real Powertools logger, stdout, stderr, console, and every error with its cause chain
 * and properties) across success and failure paths, then searched for each secret.
 */
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };

let fake: FakeSalesforce;
const output: string[] = [];
const assertions: string[] = [];
const accessTokens: string[] = [];

/** Passes requests through, noting the assertions sent and the tokens received. */
const observingFetch: typeof fetch = async (input, init) => {
  const body = init?.body;
  if (body instanceof URLSearchParams && body.get('assertion')) assertions.push(body.get('assertion')!);
  const response = await fetch(input, init);
  if (String(input).endsWith('/services/oauth2/token') && response.ok) {
    const json = (await response.clone().json()) as { access_token?: string };
    if (json.access_token) accessTokens.push(json.access_token);
  }
  return response;
};

function client(secret: SalesforceSecret = fake.secret) {
  const { logger } = createObservability({
    serviceName: 'salesforce-extract',
    namespace: 'salesforce-extract',
  });
  logger.setLogLevel('DEBUG');
  const log = (entry: Record<string, unknown>) => logger.info(entry as { message: string });
  const tokens = new TokenProvider(secret, { fetch: observingFetch, retry: FAST_RETRY, log });
  return new SalesforceClient({ tokens, retry: FAST_RETRY, log });
}

async function capture(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    output.push(String(error), (error as Error).stack ?? '', inspect(error, { depth: 8, showHidden: true }));
    output.push(JSON.stringify(error));
  }
}

beforeAll(async () => {
  fake = await startFakeSalesforce({ objects: { Account: { records: 120 } }, restPageSize: [50] });
  const record =
    (stream: 'stdout' | 'stderr') =>
    (chunk: unknown): boolean => {
      output.push(`[${stream}] ${String(chunk)}`);
      return true;
    };
  jest.spyOn(process.stdout, 'write').mockImplementation(record('stdout'));
  jest.spyOn(process.stderr, 'write').mockImplementation(record('stderr'));
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      output.push(`[console.${method}] ${args.map((a) => inspect(a, { depth: 8 })).join(' ')}`);
    });
  }
});
afterAll(async () => {
  jest.restoreAllMocks();
  await fake.stop();
});
beforeEach(() => resetTokenCache());

it('success path: REST paging, a Bulk job end to end, 401 renewals and retried 503s', async () => {
  fake.faults.sessionExpiresAfterCalls = 4;
  fake.faults.serverErrorBurst = { after: 2, count: 2 };
  const c = client();
  await getLimits(c);
  let page = await queryFirstPage(c, 'SELECT Id, Name FROM Account', { all: false });
  while (!page.done) page = await queryNextPage(c, page.nextRecordsUrl!);
  let job = await createQueryJob(c, 'SELECT Id, Name FROM Account', { all: false });
  while (job.state !== 'JobComplete') job = await getQueryJob(c, job.id);
  fake.faults.truncateBodyOnce = true;
  await c.withRetry('page', async () =>
    text((await getQueryResultsPage(c, job.id, { maxRecords: 1000 })).body),
  );
  const stuck = await createQueryJob(c, 'SELECT Id FROM Account', { all: false });
  await abortQueryJob(c, stuck.id);
  expect(c.renewals).toBeGreaterThan(0);
  expect(c.retries).toBeGreaterThan(0);
  delete fake.faults.sessionExpiresAfterCalls;
  delete fake.faults.serverErrorBurst;
});

it('failure paths: auth errors, a dead session, exhausted retries, limits, bad queries, missing locators', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();
  await capture(() => getLimits(client({ ...fake.secret, privateKey: wrongKey })));
  await capture(() => getLimits(client({ ...fake.secret, loginUrl: 'https://acme.my.salesforce.com' })));
  await capture(() =>
    getLimits(
      client({ ...fake.secret, privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }),
    ),
  );
  resetTokenCache();
  fake.faults.sessionExpiresAfterCalls = 0;
  await capture(() => getLimits(client()));
  delete fake.faults.sessionExpiresAfterCalls;
  resetTokenCache();
  fake.faults.serverErrorBurst = { after: 0, count: 1_000, status: 500 };
  await capture(() => getLimits(client()));
  await capture(() => createQueryJob(client(), 'SELECT Id FROM Account', { all: false }));
  delete fake.faults.serverErrorBurst;
  fake.faults.limitExhausted = true;
  await capture(() => getLimits(client()));
  delete fake.faults.limitExhausted;
  await capture(() => queryFirstPage(client(), 'SELECT Id FORM Account', { all: false }));
  const c = client();
  let job = await createQueryJob(c, 'SELECT Id FROM Account', { all: false });
  while (job.state !== 'JobComplete') job = await getQueryJob(c, job.id);
  fake.faults.missingLocatorHeader = true;
  await capture(() => getQueryResultsPage(c, job.id, { maxRecords: 10 }));
  delete fake.faults.missingLocatorHeader;
  fake.faults.truncateBodyOnce = true;
  await capture(async () => text((await getQueryResultsPage(c, job.id, { maxRecords: 100 })).body));
  expect(output.some((line) => line.includes('SalesforceAuthError'))).toBe(true);
  expect(output.some((line) => line.includes('SalesforceSessionError'))).toBe(true);
});

it('no key, assertion or token appears anywhere in what was captured', () => {
  const captured = output.join('\n');
  expect(captured.length).toBeGreaterThan(1000); // logs and errors were really captured
  expect(captured).toContain('salesforce session expired; minting a new token');
  expect(assertions.length).toBeGreaterThan(3);
  expect(accessTokens.length).toBeGreaterThan(3);
  const keyLines = fake.secret.privateKey.split('\n').filter((line) => line.length > 40);
  const secrets = [
    ...keyLines,
    ...assertions,
    ...assertions.map((a) => a.split('.')[2]!), // the signature alone
    ...accessTokens,
    ...accessTokens.map((t) => t.split('!')[1]!),
  ];
  for (const secret of secrets) expect(captured.includes(secret)).toBe(false);
});
