import { text } from 'node:stream/consumers';
import Papa from 'papaparse';
import { withFakeSalesforce, type FakeSalesforce } from '../../scripts/fakes/salesforce/server';
import {
  abortQueryJob,
  countRecords,
  createQueryJob,
  describeObject,
  getLimits,
  getQueryJob,
  getQueryResultsPage,
  queryFirstPage,
  queryNextPage,
  type QueryJobInfo,
} from './api';
import { TokenProvider, resetTokenCache } from './auth';
import {
  LocatorMissingError,
  SalesforceAuthError,
  SalesforceLimitError,
  SalesforceQueryError,
  SalesforceTransientError,
  TruncatedBodyError,
} from './errors';
import { SalesforceClient } from './http';
import { preflightLimits } from './limits';
import type { SalesforceSecret } from './secret';

/**
 * The client against the protocol-faithful fake org (scripts/fakes/salesforce): auth error
 * pairs, re-auth, retries, truncation, paging and the Bulk API 2.0 lifecycle end to end.
 */
const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const TOKEN_PATH = '/services/oauth2/token';

function clientFor(secret: SalesforceSecret, options: { now?: () => number } = {}) {
  const tokens = new TokenProvider(secret, { retry: FAST_RETRY, now: options.now });
  return new SalesforceClient({ tokens, retry: FAST_RETRY });
}

const tokenCalls = (fake: FakeSalesforce) => fake.calls.filter((c) => c.path === TOKEN_PATH);
const parseCsv = (csv: string) =>
  Papa.parse<string[]>(csv, { newline: '\n' }).data.filter((row) => !(row.length === 1 && row[0] === ''));

async function completeJob(c: SalesforceClient, soql: string, all = false): Promise<QueryJobInfo> {
  let job = await createQueryJob(c, soql, { all });
  for (let polls = 0; job.state !== 'JobComplete' && polls < 20; polls++) {
    if (job.state === 'Failed' || job.state === 'Aborted') return job;
    job = await getQueryJob(c, job.id);
  }
  return job;
}

async function allPages(c: SalesforceClient, jobId: string, maxRecords: number) {
  const pages: Array<{ rows: string[][]; count: number }> = [];
  let locator: string | undefined;
  do {
    const page = await getQueryResultsPage(c, jobId, { maxRecords, locator });
    pages.push({ rows: parseCsv(await text(page.body)), count: page.numberOfRecords });
    locator = page.locator ?? undefined;
  } while (locator !== undefined && pages.length < 100);
  return pages;
}

beforeEach(() => resetTokenCache());

describe('auth against the fake org', () => {
  it('mints with a PKCS#8 and with a PKCS#1 key; the token is reused across clients', async () => {
    for (const privateKeyFormat of ['pkcs8', 'pkcs1'] as const) {
      resetTokenCache();
      await withFakeSalesforce({ privateKeyFormat }, async (fake) => {
        expect(fake.secret.privateKey).toContain(
          privateKeyFormat === 'pkcs1' ? 'BEGIN RSA PRIVATE KEY' : 'BEGIN PRIVATE KEY',
        );
        await getLimits(clientFor(fake.secret));
        await getLimits(clientFor(fake.secret));
        expect(tokenCalls(fake)).toHaveLength(1);
      });
    }
  });

  it('every token error pair comes back as SalesforceAuthError with its hint, after exactly one request', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const { generateKeyPairSync } = await import('node:crypto');
      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const cases: Array<{
        what: string;
        secret?: Partial<SalesforceSecret>;
        faults?: FakeSalesforce['faults'];
        now?: () => number;
        pair: [string, string];
        hint: RegExp;
      }> = [
        {
          what: 'wrong certificate',
          secret: { privateKey: otherKey },
          pair: ['invalid_grant', 'invalid assertion'],
          hint: /certificate/,
        },
        {
          what: 'wrong consumer key',
          secret: { consumerKey: '3MVG9-wrong' },
          pair: ['invalid_client_id', 'client identifier invalid'],
          hint: /consumerKey/,
        },
        {
          what: 'My Domain as audience',
          secret: { loginUrl: 'https://acme.my.salesforce.com' },
          pair: ['invalid_grant', 'audience is invalid'],
          hint: /My Domain/,
        },
        {
          what: 'audience refused',
          faults: { rejectAudience: true },
          pair: ['invalid_grant', 'audience is invalid'],
          hint: /login\.salesforce\.com/,
        },
        {
          what: 'clock 10 minutes slow',
          now: () => Date.now() - 600_000,
          pair: ['invalid_grant', 'expired authorization code'],
          hint: /clock/,
        },
        {
          what: 'user not pre-authorized',
          faults: { unapprovedUser: true },
          pair: ['invalid_grant', "user hasn't approved this consumer"],
          hint: /profile or a permission set/,
        },
        {
          what: 'unknown username',
          secret: { username: 'nobody@example.com' },
          pair: ['invalid_grant', "user hasn't approved this consumer"],
          hint: /pre-authorized/,
        },
      ];
      for (const { what, secret, faults, now, pair, hint } of cases) {
        resetTokenCache();
        fake.calls.length = 0;
        Object.assign(fake.faults, faults ?? {});
        const error = await getLimits(clientFor({ ...fake.secret, ...secret }, { now })).catch(
          (e: unknown) => e,
        );
        for (const key of Object.keys(faults ?? {})) delete (fake.faults as Record<string, unknown>)[key];
        expect([what, error]).toEqual([what, expect.any(SalesforceAuthError)]);
        const authError = error as SalesforceAuthError;
        expect([what, authError.details.error, authError.details.errorDescription]).toEqual([what, ...pair]);
        expect([what, authError.hint]).toEqual([what, expect.stringMatching(hint)]);
        expect([what, fake.calls.length]).toEqual([what, 1]);
      }
    });
  });
});

describe('sessions, retries and limits against the fake org', () => {
  it('a session that expires every 3 calls: exactly one re-auth per 401, the same request resent once', async () => {
    await withFakeSalesforce({ faults: { sessionExpiresAfterCalls: 3 } }, async (fake) => {
      const c = clientFor(fake.secret);
      for (let i = 0; i < 10; i++) await getLimits(c);
      const sequence = fake.calls.map((call) => `${call.status} ${call.path}`);
      const unauthorized = sequence.flatMap((entry, i) => (entry.startsWith('401') ? [i] : []));
      expect(unauthorized.length).toBe(3);
      for (const i of unauthorized) {
        expect(sequence[i + 1]).toBe(`200 ${TOKEN_PATH}`);
        expect(sequence[i + 2]).toBe(sequence[i]!.replace(/^401/, '200'));
      }
      expect(tokenCalls(fake)).toHaveLength(4);
      expect(c.renewals).toBe(3);
      expect(c.usage.calls).toBe(13);
    });
  });

  it('rides out a burst of 503s, and gives up with SalesforceTransientError after 5 attempts', async () => {
    await withFakeSalesforce({ faults: { serverErrorBurst: { after: 1, count: 3 } } }, async (fake) => {
      const c = clientFor(fake.secret);
      await getLimits(c);
      await expect(getLimits(c)).resolves.toHaveProperty('DailyApiRequests');
      expect(c.retries).toBe(3);
      fake.faults.serverErrorBurst = { after: 0, count: 1_000, status: 500 };
      const error = await getLimits(c).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SalesforceTransientError);
      expect((error as SalesforceTransientError).details).toMatchObject({ status: 500, attempts: 5 });
    });
  });

  it('createQueryJob is not retried on a 503 (exactly one POST)', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      await getLimits(c);
      fake.faults.serverErrorBurst = { after: 0, count: 5 };
      await expect(createQueryJob(c, 'SELECT Id FROM Account', { all: false })).rejects.toBeInstanceOf(
        SalesforceTransientError,
      );
      expect(
        fake.calls.filter((call) => call.method === 'POST' && call.path.endsWith('/jobs/query')),
      ).toHaveLength(1);
    });
  });

  it('REQUEST_LIMIT_EXCEEDED is SalesforceLimitError, not retried; preflight reads the shared budget', async () => {
    await withFakeSalesforce({ apiMax: 1000, apiUsedAtStart: 905 }, async (fake) => {
      const c = clientFor(fake.secret);
      const limits = await getLimits(c);
      expect(c.usage).toMatchObject({ used: fake.apiUsed(), max: 1000 });
      expect(() => preflightLimits(limits, { minApiRemainingFraction: 0.1, bulkJobsNeeded: 1 })).toThrow(
        'DailyApiRequests: 94 of 1000 remaining, under the floor of 100 (10 % of Max); not starting',
      );
      expect(() =>
        preflightLimits(limits, { minApiRemainingFraction: 0.05, bulkJobsNeeded: 1 }),
      ).not.toThrow();
      fake.faults.limitExhausted = true;
      const before = fake.calls.length;
      await expect(getLimits(c)).rejects.toBeInstanceOf(SalesforceLimitError);
      expect(fake.calls.length - before).toBe(1);
    });
  });
});

describe('REST against the fake org', () => {
  it('follows nextRecordsUrl through varying page sizes until done', async () => {
    await withFakeSalesforce(
      { objects: { Account: { records: 40 } }, restPageSize: [7, 3, 5] },
      async (fake) => {
        const c = clientFor(fake.secret);
        const soql = 'SELECT Id, Name, Owner.Name, SystemModstamp FROM Account';
        let page = await queryFirstPage(c, soql, { all: false });
        const sizes = [page.records.length];
        const ids = page.records.map((r) => r.Id);
        while (!page.done) {
          page = await queryNextPage(c, page.nextRecordsUrl!);
          sizes.push(page.records.length);
          ids.push(...page.records.map((r) => r.Id));
        }
        const total = fake.expectedCount('Account');
        const cycle = [7, 3, 5];
        const expectedSizes: number[] = [];
        for (let left = total; left > 0; left -= expectedSizes.at(-1)!) {
          expectedSizes.push(Math.min(left, cycle[expectedSizes.length % 3]!));
        }
        expect(sizes).toEqual(expectedSizes);
        expect(sizes.length).toBeGreaterThan(5);
        expect(page.totalSize).toBe(total);
        expect(ids).toEqual(fake.expectedRecords('Account').map((r) => r.Id));
        await expect(countRecords(c, 'Account', undefined, { all: false })).resolves.toBe(total);
        await expect(countRecords(c, 'Account', undefined, { all: true })).resolves.toBe(
          fake.expectedCount('Account', { includeDeleted: true }),
        );
      },
    );
  });

  it('describe: compound parents with their components, base64 fields, queryable object', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      const account = await describeObject(c, 'Account');
      expect(account).toMatchObject({ name: 'Account', queryable: true });
      const billing = account.fields.find((f) => f.name === 'BillingAddress');
      expect(billing).toMatchObject({ type: 'address', compoundFieldName: null });
      expect(account.fields.filter((f) => f.compoundFieldName === 'BillingAddress').length).toBeGreaterThan(
        3,
      );
      expect((await describeObject(c, 'Attachment')).fields.some((f) => f.type === 'base64')).toBe(true);
    });
  });

  it('MALFORMED_QUERY and INVALID_FIELD are SalesforceQueryError, sent once', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      await getLimits(c);
      for (const soql of ['SELECT Id FORM Account', 'SELECT Nope__c FROM Account']) {
        const before = fake.calls.length;
        const error = await queryFirstPage(c, soql, { all: false }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SalesforceQueryError);
        expect(fake.calls.length - before).toBe(1);
      }
    });
  });
});

describe('Bulk API 2.0 against the fake org', () => {
  const SOQL = 'SELECT Id, Name, Description, Owner.Name, SystemModstamp FROM Account';

  it.each([
    [5, 10, 1],
    [10, 5, 2],
    [33, 5, 7],
  ])(
    '%i records at maxRecords %i: %i page(s), a header on each, counts reconcile',
    async (records, maxRecords, pages) => {
      await withFakeSalesforce({ objects: { Account: { records } }, bulkStateDelays: 2 }, async (fake) => {
        const c = clientFor(fake.secret);
        const job = await completeJob(c, SOQL);
        expect(job.state).toBe('JobComplete');
        const got = await allPages(c, job.id, maxRecords);
        expect(got).toHaveLength(pages);
        for (const page of got) {
          expect(page.rows[0]).toEqual(['Id', 'Name', 'Description', 'Owner.Name', 'SystemModstamp']);
          expect(page.rows.length - 1).toBe(page.count);
        }
        const total = got.reduce((sum, p) => sum + p.count, 0);
        expect(total).toBe(job.numberRecordsProcessed);
        expect(got.flatMap((p) => p.rows.slice(1).map((r) => r[0]))).toEqual(
          fake.expectedRecords('Account').map((r) => r.Id),
        );
      });
    },
  );

  it('an empty result is one page with no records and locator null', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, `${SOQL} WHERE Name = 'no such account'`);
      const page = await getQueryResultsPage(c, job.id, { maxRecords: 100 });
      expect([page.locator, page.numberOfRecords]).toEqual([null, 0]);
      expect(parseCsv(await text(page.body)).length).toBeLessThanOrEqual(1);
    });
  });

  it('queryAll includes deleted records', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, 'SELECT Id, IsDeleted FROM Account', true);
      expect(job.operation).toBe('queryAll');
      expect(job.numberRecordsProcessed).toBe(fake.expectedCount('Account', { includeDeleted: true }));
    });
  });

  it('a truncated page errors its stream; re-requesting the same locator returns it whole', async () => {
    await withFakeSalesforce({ objects: { Account: { records: 300 } } }, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, SOQL);
      const first = await getQueryResultsPage(c, job.id, { maxRecords: 100 });
      fake.faults.truncateBodyOnce = true;
      const cut = await getQueryResultsPage(c, job.id, { maxRecords: 100, locator: first.locator! });
      await text(first.body);
      await expect(text(cut.body)).rejects.toBeInstanceOf(TruncatedBodyError);
      const again = await c.withRetry('page 2', async () => {
        const page = await getQueryResultsPage(c, job.id, { maxRecords: 100, locator: first.locator! });
        return { page, rows: parseCsv(await text(page.body)) };
      });
      expect(again.rows.length - 1).toBe(100);
      expect(again.page.numberOfRecords).toBe(100);
    });
  });

  it('the fake cutting a page mid-body is retried transparently by withRetry', async () => {
    await withFakeSalesforce({ objects: { Account: { records: 300 } } }, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, SOQL);
      fake.faults.truncateBodyOnce = true;
      const rows = await c.withRetry('page 1', async () =>
        parseCsv(await text((await getQueryResultsPage(c, job.id, { maxRecords: 200 })).body)),
      );
      expect(rows.length - 1).toBe(200);
      expect(c.retries).toBe(1);
    });
  });

  it('a page without the Sforce-Locator header is LocatorMissingError', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, SOQL);
      fake.faults.missingLocatorHeader = true;
      await expect(getQueryResultsPage(c, job.id, { maxRecords: 100 })).rejects.toBeInstanceOf(
        LocatorMissingError,
      );
    });
  });

  it('compound fields in a Bulk query are SalesforceQueryError with compound = true', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const error = await createQueryJob(clientFor(fake.secret), 'SELECT Id, BillingAddress FROM Account', {
        all: false,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SalesforceQueryError);
      expect((error as SalesforceQueryError).details.compound).toBe(true);
    });
  });

  it('a failed job reports Salesforce errorMessage; a stuck job can be aborted, an aborted one again harmlessly', async () => {
    await withFakeSalesforce({ faults: { jobFails: 'Retried more than 15 times' } }, async (fake) => {
      const c = clientFor(fake.secret);
      const failed = await completeJob(c, SOQL);
      expect(failed).toMatchObject({ state: 'Failed', errorMessage: 'Retried more than 15 times' });
      delete fake.faults.jobFails;
      fake.faults.jobStuck = true;
      const stuck = await completeJob(c, SOQL);
      expect(stuck.state).toBe('InProgress');
      await abortQueryJob(c, stuck.id);
      expect((await getQueryJob(c, stuck.id)).state).toBe('Aborted');
      await expect(abortQueryJob(c, stuck.id)).resolves.toBeUndefined();
    });
  });

  it('gzip pages decode; API usage follows Sforce-Limit-Info', async () => {
    await withFakeSalesforce({ objects: { Account: { records: 2500 } } }, async (fake) => {
      const c = clientFor(fake.secret);
      const job = await completeJob(c, SOQL);
      const pages = await allPages(c, job.id, 1000);
      const total = fake.expectedCount('Account');
      expect(pages.map((p) => p.count)).toEqual([1000, 1000, total - 2000]);
      expect(c.usage.used).toBe(fake.apiUsed());
      expect(c.usage.calls).toBe(fake.calls.filter((call) => call.path !== TOKEN_PATH).length);
    });
  });
});
