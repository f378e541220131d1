import { spawn } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { SignJWT, type JWTPayload } from 'jose';
import Papa from 'papaparse';
import {
  startFakeSalesforce,
  withFakeSalesforce,
  type FakeSalesforce,
  type FakeSalesforceOptions,
} from './server';

// Response bodies are untyped JSON; the tests read them like any API client would.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

// A full GC on demand, to tell retained memory from garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const V = '/services/data/v63.0';

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string;
  exp?: number;
}

async function assertion(fake: FakeSalesforce, claims: Claims = {}, privateKey = fake.secret.privateKey) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: fake.secret.consumerKey,
    sub: fake.secret.username,
    aud: fake.secret.loginUrl,
    exp: now + 170,
    ...claims,
  };
  // createPrivateKey reads PKCS#8 and PKCS#1 PEM alike, as a client has to.
  return new SignJWT({ ...payload }).setProtectedHeader({ alg: 'RS256' }).sign(createPrivateKey(privateKey));
}

async function tokenRequest(fake: FakeSalesforce, body: Record<string, string>) {
  const response = await fetch(`${fake.secret.tokenUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function login(fake: FakeSalesforce): Promise<{ token: string; instanceUrl: string }> {
  const { status, body } = await tokenRequest(fake, { grant_type: GRANT, assertion: await assertion(fake) });
  expect(status).toBe(200);
  return { token: body.access_token, instanceUrl: body.instance_url };
}

class Client {
  constructor(
    readonly fake: FakeSalesforce,
    public token: string,
  ) {}

  static async connect(fake: FakeSalesforce): Promise<Client> {
    return new Client(fake, (await login(fake)).token);
  }

  async raw(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('/services/') ? path : `${V}${path}`;
    return fetch(`${this.fake.url}${url}`, {
      ...init,
      headers: { Authorization: `Bearer ${this.token}`, ...(init.headers as Record<string, string>) },
    });
  }

  async json(path: string, init: RequestInit = {}) {
    const response = await this.raw(path, init);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : null) as Json,
    };
  }

  query(soql: string, all = false) {
    return this.json(`/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`);
  }

  createJob(query: string, operation = 'query') {
    return this.json('/jobs/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        operation,
        query,
        contentType: 'CSV',
        columnDelimiter: 'COMMA',
        lineEnding: 'LF',
      }),
    });
  }

  async completeJob(query: string, operation = 'query'): Promise<Json> {
    const created = await this.createJob(query, operation);
    expect(created.status).toBe(200);
    for (;;) {
      const { body } = await this.json(`/jobs/query/${created.body.id}`);
      if (body.state !== 'UploadComplete' && body.state !== 'InProgress') return body;
    }
  }

  /** Every results page of a job: raw CSV text, its headers. */
  async pages(jobId: string, maxRecords: number) {
    const pages: Array<{ csv: string; locator: string | null; records: number }> = [];
    let locator: string | null = '';
    do {
      const response = await this.raw(
        `/jobs/query/${jobId}/results?maxRecords=${maxRecords}${locator ? `&locator=${locator}` : ''}`,
        { headers: { 'Accept-Encoding': 'gzip' } },
      );
      expect(response.status).toBe(200);
      const csv = await response.text();
      locator = response.headers.get('sforce-locator');
      pages.push({ csv, locator, records: Number(response.headers.get('sforce-numberofrecords')) });
    } while (locator !== 'null' && pages.length < 50);
    return pages;
  }
}

function parseCsv(csv: string): string[][] {
  const parsed = Papa.parse<string[]>(csv, { newline: '\n' });
  return parsed.data.filter((row) => !(row.length === 1 && row[0] === ''));
}

describe('fake Salesforce: OAuth 2.0 JWT bearer token endpoint', () => {
  let fake: FakeSalesforce;
  beforeAll(async () => {
    fake = await startFakeSalesforce();
  });
  afterAll(() => fake.stop());

  it('issues a token without refresh token or expiry, for the instance at the fake URL', async () => {
    const { status, body } = await tokenRequest(fake, {
      grant_type: GRANT,
      assertion: await assertion(fake),
    });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: fake.url });
    expect(fake.secret.loginUrl).toBe('https://login.salesforce.com');
    expect(fake.secret.privateKey).toContain('-----BEGIN PRIVATE KEY-----');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<Record<string, string>>, string, string]> = [
    [
      'another grant type',
      async () => ({ grant_type: 'password', assertion: await assertion(fake) }),
      'unsupported_grant_type',
      'grant type not supported',
    ],
    ['no assertion', async () => ({ grant_type: GRANT }), 'invalid_grant', 'invalid assertion'],
    [
      'a garbage assertion',
      async () => ({ grant_type: GRANT, assertion: 'not.a.jwt' }),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'a wrong consumer key',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { iss: 'someone-else' }) }),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'a key that is not the certificate',
      async () => {
        const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString();
        return { grant_type: GRANT, assertion: await assertion(fake, {}, other) };
      },
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'the My Domain URL as audience',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { aud: fake.url }) }),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'an exp in the past',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { exp: now() - 60 }) }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an exp more than 3 minutes ahead',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { exp: now() + 600 }) }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an exp in milliseconds',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { exp: Date.now() + 60_000 }) }),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an unknown user',
      async () => ({ grant_type: GRANT, assertion: await assertion(fake, { sub: 'nobody@example.com' }) }),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
  ];
  it.each(cases)(
    'refuses %s with HTTP 400 and the real error pair',
    async (_name, body, error, description) => {
      const response = await tokenRequest(fake, await body());
      expect(response).toEqual({ status: 400, body: { error, error_description: description } });
    },
  );

  it('takes the documented variants: exp as a string of digits, prn for sub', async () => {
    const key = createPrivateKey(fake.secret.privateKey);
    const claims = { iss: fake.secret.consumerKey, aud: fake.secret.loginUrl, exp: String(now() + 100) };
    // exp as a string is not what jose's types allow; the help page's example does it anyway.
    const payload = {
      ...claims,
      prn: fake.secret.username,
      sub: 'ignored@example.com',
    } as unknown as JWTPayload;
    const withPrn = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256' }).sign(key);
    expect((await tokenRequest(fake, { grant_type: GRANT, assertion: withPrn })).status).toBe(200);
  });

  it('refuses an HS256 assertion signed with a shared secret', async () => {
    const jwt = await new SignJWT({
      iss: fake.secret.consumerKey,
      sub: fake.secret.username,
      aud: fake.secret.loginUrl,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now() + 100)
      .sign(new TextEncoder().encode('a-shared-secret-of-32-characters!'));
    const response = await tokenRequest(fake, { grant_type: GRANT, assertion: jwt });
    expect(response.body).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
  });

  it('has knobs for an unapproved user and a rejected audience', async () => {
    fake.faults.unapprovedUser = true;
    expect(
      (await tokenRequest(fake, { grant_type: GRANT, assertion: await assertion(fake) })).body
        .error_description,
    ).toBe("user hasn't approved this consumer");
    fake.faults.unapprovedUser = false;
    fake.faults.rejectAudience = true;
    expect(
      (await tokenRequest(fake, { grant_type: GRANT, assertion: await assertion(fake) })).body
        .error_description,
    ).toBe('audience is invalid');
    fake.faults.rejectAudience = false;
    expect((await tokenRequest(fake, { grant_type: GRANT, assertion: await assertion(fake) })).status).toBe(
      200,
    );
  });

  it('accepts a PKCS#1 private key and a given key pair', async () => {
    await withFakeSalesforce({ privateKeyFormat: 'pkcs1' }, async (pkcs1) => {
      expect(pkcs1.secret.privateKey).toContain('-----BEGIN RSA PRIVATE KEY-----');
      await login(pkcs1);
    });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const privateKey = pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const publicKey = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    await withFakeSalesforce({ keyPair: { privateKey, publicKey } }, async (given) => {
      expect(given.secret.privateKey).toBe(privateKey);
      await login(given);
    });
  });
});

describe('fake Salesforce: sessions, limits and faults', () => {
  it('answers 401 INVALID_SESSION_ID without a token and after the session expired', async () => {
    await withFakeSalesforce({ faults: { sessionExpiresAfterCalls: 2 } }, async (fake) => {
      const anonymous = await fetch(`${fake.url}${V}/limits`);
      expect(anonymous.status).toBe(401);
      const client = await Client.connect(fake);
      expect((await client.json('/limits')).status).toBe(200);
      expect((await client.json('/limits')).status).toBe(200);
      const expired = await client.json('/limits');
      expect(expired).toMatchObject({
        status: 401,
        body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
      });
      client.token = (await login(fake)).token;
      expect((await client.json('/limits')).status).toBe(200);
    });
  });

  it('counts every data call in one budget shown by Sforce-Limit-Info and /limits', async () => {
    await withFakeSalesforce(
      { apiMax: 10, apiUsedAtStart: 5, objects: { Account: { records: 30 } } },
      async (fake) => {
        const client = await Client.connect(fake);
        expect((await client.json('/limits')).headers.get('sforce-limit-info')).toBe('api-usage=6/10');
        const describe = await client.json('/sobjects/Account/describe');
        expect(describe.headers.get('sforce-limit-info')).toBe('api-usage=7/10');
        await client.createJob('SELECT Id FROM Account');
        const limits = await client.json('/limits');
        expect(limits.body.DailyApiRequests).toEqual({ Max: 10, Remaining: 1 });
        expect(limits.body.DailyBulkV2QueryJobs).toEqual({ Max: 10_000, Remaining: 9_999 });
        expect(limits.body.DailyBulkV2QueryFileStorageMB).toEqual({ Max: 976_562, Remaining: 976_562 });
        expect((await client.json('/limits')).headers.get('sforce-limit-info')).toBe('api-usage=10/10');
        const refused = await client.json('/limits');
        expect(refused).toMatchObject({
          status: 403,
          body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        });
        expect(fake.apiUsed()).toBe(10);
        // The versions resource is free and needs no session.
        expect((await fetch(`${fake.url}/services/data/`)).status).toBe(200);
      },
    );
  });

  it('has knobs for an exhausted limit and a burst of server errors', async () => {
    await withFakeSalesforce({}, async (fake) => {
      const client = await Client.connect(fake);
      fake.faults.limitExhausted = true;
      expect((await client.json('/limits')).body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
      fake.faults.limitExhausted = false;
      fake.faults.serverErrorBurst = { after: 2, count: 2, status: 503 };
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await client.json('/limits')).status);
      expect(statuses).toEqual([200, 200, 503, 503, 200]);
      expect(fake.calls.filter((c) => c.status === 503)).toHaveLength(2);
    });
  });
});

describe('fake Salesforce: describe and REST query', () => {
  let fake: FakeSalesforce;
  let client: Client;
  beforeAll(async () => {
    fake = await startFakeSalesforce({
      objects: { Account: { records: 45 }, Contact: { records: 90 }, Attachment: { records: 6 } },
      restPageSize: [7, 3, 11],
    });
    client = await Client.connect(fake);
  });
  afterAll(() => fake.stop());

  it('describes compound, base64 and reference fields the way DescribeSObjectResult does', async () => {
    const { body } = await client.json('/sobjects/Account/describe');
    expect(body).toMatchObject({ name: 'Account', queryable: true, keyPrefix: '001' });
    const field = (name: string) => body.fields.find((f: Json) => f.name === name);
    expect(field('BillingAddress')).toMatchObject({
      type: 'address',
      compoundFieldName: null,
      filterable: false,
    });
    expect(field('BillingCity')).toMatchObject({ type: 'string', compoundFieldName: 'BillingAddress' });
    expect(field('BillingLatitude')).toMatchObject({ type: 'double', compoundFieldName: 'BillingAddress' });
    expect(field('HQLocation__c')).toMatchObject({ type: 'location', compoundFieldName: null });
    expect(field('HQLocation__Latitude__s')).toMatchObject({ compoundFieldName: 'HQLocation__c' });
    expect(field('OwnerId')).toMatchObject({
      type: 'reference',
      relationshipName: 'Owner',
      referenceTo: ['User'],
    });
    expect(field('SystemModstamp')).toMatchObject({ type: 'datetime' });
    const types = new Set(body.fields.map((f: Json) => f.type));
    for (const t of [
      'id',
      'string',
      'textarea',
      'picklist',
      'boolean',
      'date',
      'datetime',
      'currency',
      'double',
      'int',
      'percent',
    ])
      expect(types).toContain(t);
    const attachment = await client.json('/sobjects/Attachment/describe');
    expect(attachment.body.fields.find((f: Json) => f.name === 'Body')).toMatchObject({ type: 'base64' });
    expect((await client.json('/sobjects/Nope__c/describe')).status).toBe(404);
  });

  it('compresses JSON when the request accepts gzip', async () => {
    const body = await new Promise<{ encoding?: string; bytes: Buffer }>((resolve, reject) => {
      const req = httpRequest(
        new URL(`${fake.url}${V}/query?q=${encodeURIComponent('SELECT Id FROM Account')}`),
        { headers: { Authorization: `Bearer ${client.token}`, 'Accept-Encoding': 'gzip' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ encoding: res.headers['content-encoding'], bytes: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(body.encoding).toBe('gzip');
    expect(JSON.parse(gunzipSync(body.bytes).toString('utf8'))).toMatchObject({ totalSize: 44, done: false });
  });

  it('pages with varying sizes through opaque nextRecordsUrl until done', async () => {
    const sizes: number[] = [];
    const ids: string[] = [];
    let page = await client.query('SELECT Id, Name FROM Account');
    const totalSize = page.body.totalSize;
    for (;;) {
      sizes.push(page.body.records.length);
      ids.push(...page.body.records.map((r: Json) => r.Id));
      expect(page.body.totalSize).toBe(totalSize);
      if (page.body.done) break;
      expect(page.body.nextRecordsUrl).toMatch(/^\/services\/data\/v63\.0\/query\/01g\w+-\d+$/);
      page = await client.json(page.body.nextRecordsUrl);
    }
    expect(sizes).toEqual([7, 3, 11, 7, 3, 11, 2]);
    expect(page.body.nextRecordsUrl).toBeUndefined();
    expect(ids).toEqual(fake.expectedRecords('Account').map((r) => r.Id));
    expect(totalSize).toBe(44);
  });

  it('returns typed JSON records with attributes and nested parents', async () => {
    const { body } = await client.query(
      'SELECT Id, Name, Account.Name, Account.Owner.Name, Birthdate, CreatedDate, HasOptedOutOfEmail, Score__c, MailingAddress FROM Contact',
    );
    const records = body.records as Json[];
    const first = records[0]!;
    expect(first.attributes).toEqual({ type: 'Contact', url: `${V}/sobjects/Contact/${first.Id}` });
    expect(first.Account).toMatchObject({ attributes: { type: 'Account' }, Name: expect.any(String) });
    expect(first.Account.Owner).toMatchObject({ attributes: { type: 'User' }, Name: expect.any(String) });
    expect(first.CreatedDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    expect(typeof first.HasOptedOutOfEmail).toBe('boolean');
    expect(records.some((r) => r.Account === null)).toBe(true);
    expect(records.some((r) => typeof r.Score__c === 'number')).toBe(true);
    expect(records.some((r) => r.Birthdate === null)).toBe(true);
    expect(records.find((r) => r.MailingAddress !== null)?.MailingAddress).toMatchObject({
      city: expect.anything(),
    });
    const attachments = await client.query('SELECT Id, Body, Parent.Name FROM Attachment');
    const a = attachments.body.records[0];
    expect(a.Body).toBe(`${V}/sobjects/Attachment/${a.Id}/Body`);
    expect(a.Parent.attributes.type).toBe('Name');
    expect((await client.raw(a.Body)).status).toBe(200);
  });

  it('holds the awkward values a real org has', () => {
    const text = fake
      .expectedRecords('Account')
      .flatMap((r) => [r.Name, r.Description, r.BillingStreet])
      .join('\u0001');
    for (const needle of ['株式会社', '"', ',', '\r\n', '\n', '🚀', '\u0000', '  Padded'])
      expect(text).toContain(needle);
    expect(fake.expectedRecords('Account').some((r) => r.Description === null)).toBe(true);
  });

  it('shows deleted records through queryAll only, and counts with COUNT()', async () => {
    const visible = await client.query('SELECT COUNT() FROM Account');
    const all = await client.query('SELECT COUNT() FROM Account', true);
    expect(visible.body).toEqual({ totalSize: 44, done: true, records: [] });
    expect(all.body.totalSize).toBe(45);
    const deleted = await client.query('SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true', true);
    expect(deleted.body.records).toHaveLength(1);
    expect((await client.query('SELECT Id FROM Account WHERE IsDeleted = true')).body.totalSize).toBe(0);
    expect(fake.expectedCount('Account', { includeDeleted: true })).toBe(45);
    // A queryAll cursor is followed through either path, as documented.
    const first = await client.query('SELECT Id FROM Account', true);
    const next = first.body.nextRecordsUrl.replace('/query/', '/queryAll/');
    expect((await client.json(next)).status).toBe(200);
  });

  it('filters the SystemModstamp window (unquoted datetimes) together with a user WHERE', async () => {
    const from = new Date(Date.now() - 30 * 60_000);
    const to = new Date(Date.now() + 60_000);
    const literal = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const window = `SystemModstamp >= ${literal(from)} AND SystemModstamp < ${literal(to)}`;
    const recent = await client.query(`SELECT COUNT() FROM Contact WHERE ${window}`);
    expect(recent.body.totalSize).toBe(fake.expectedCount('Contact', { from, to }));
    expect(recent.body.totalSize).toBeGreaterThan(0);
    expect(recent.body.totalSize).toBeLessThan(10);
    const filtered = await client.query(
      `SELECT Id, HasOptedOutOfEmail FROM Contact WHERE (HasOptedOutOfEmail = false) AND ${window}`,
    );
    expect(filtered.body.records.every((r: Json) => r.HasOptedOutOfEmail === false)).toBe(true);
    const named = await client.query("SELECT Id FROM Account WHERE Name = 'acme, inc. 1'");
    expect(named.body.totalSize).toBe(1);
  });

  const errors: Array<[string, string, string, RegExp]> = [
    [
      'an unknown field',
      'SELECT Id, Foo FROM Account',
      'INVALID_FIELD',
      /^\nSELECT Id, Foo FROM Account\n {11}\^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Account'/,
    ],
    [
      'an unknown relationship',
      'SELECT Boss.Name FROM Account',
      'INVALID_FIELD',
      /Didn't understand relationship 'Boss'/,
    ],
    [
      'an unknown object',
      'SELECT Id FROM Nope__c',
      'INVALID_TYPE',
      /sObject type 'Nope__c' is not supported/,
    ],
    ['garbage', 'SELEKT Id FROM Account', 'MALFORMED_QUERY', /unexpected token/],
    [
      'a quoted datetime',
      "SELECT Id FROM Account WHERE SystemModstamp >= '2024-01-01T00:00:00Z'",
      'INVALID_FIELD',
      /must be of type dateTime and should not be enclosed in quotes/,
    ],
    [
      'a datetime with milliseconds',
      'SELECT Id FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00.000Z',
      'MALFORMED_QUERY',
      /unexpected token: '2024-01-01T00:00:00.000Z'/,
    ],
    [
      'AND and OR mixed without parentheses',
      "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'",
      'MALFORMED_QUERY',
      /unexpected token: 'OR'/,
    ],
  ];
  it.each(errors)('refuses %s with 400 and the real error shape', async (_name, soql, errorCode, message) => {
    const { status, body } = await client.query(soql);
    expect(status).toBe(400);
    expect(body).toHaveLength(1);
    expect(body[0].errorCode).toBe(errorCode);
    expect(body[0].message).toMatch(message);
  });
});

describe('fake Salesforce: Bulk API 2.0 query jobs', () => {
  // 140 records, every 40th deleted: 137 visible.
  const options: FakeSalesforceOptions = { objects: { Account: { records: 140 } }, bulkStateDelays: 2 };
  let fake: FakeSalesforce;
  let client: Client;
  beforeAll(async () => {
    fake = await startFakeSalesforce(options);
    client = await Client.connect(fake);
  });
  afterAll(() => fake.stop());
  afterEach(() => {
    for (const key of Object.keys(fake.faults)) delete (fake.faults as Record<string, unknown>)[key];
  });

  it('moves UploadComplete → InProgress → JobComplete over polls and refuses results before', async () => {
    const created = await client.createJob('SELECT Id FROM Account');
    expect((await client.createJob('SELECT Id FROM Account')).body.id).not.toBe(created.body.id);
    expect(created.body).toMatchObject({
      operation: 'query',
      object: 'Account',
      state: 'UploadComplete',
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(created.body.id).toMatch(/^750\w{15}$/);
    const early = await client.json(`/jobs/query/${created.body.id}/results`);
    expect(early).toMatchObject({ status: 412, body: [{ errorCode: 'JOB_NOT_COMPLETE' }] });
    const states = [];
    for (let i = 0; i < 3; i++) states.push((await client.json(`/jobs/query/${created.body.id}`)).body.state);
    expect(states).toEqual(['InProgress', 'InProgress', 'JobComplete']);
    const info = (await client.json(`/jobs/query/${created.body.id}`)).body;
    expect(info).toMatchObject({ jobType: 'V2Query', numberRecordsProcessed: 137, state: 'JobComplete' });
  });

  it.each([
    [200, 1],
    [100, 2],
    [20, 7],
  ])(
    'serves maxRecords=%i as %i page(s), each with a header row, the last locator the literal null',
    async (maxRecords, pageCount) => {
      const job = await client.completeJob(
        'SELECT Id, Name, Owner.Name, CreatedDate, Active__c, AnnualRevenue, Description FROM Account',
      );
      const pages = await client.pages(job.id, maxRecords);
      expect(pages).toHaveLength(pageCount);
      expect(pages.map((p) => p.locator).at(-1)).toBe('null');
      expect(pages.slice(0, -1).every((p) => p.locator && p.locator !== 'null')).toBe(true);
      expect(pages.reduce((n, p) => n + p.records, 0)).toBe(job.numberRecordsProcessed);
      const rows: string[][] = [];
      for (const page of pages) {
        expect(
          page.csv.startsWith(
            '"Id","Name","Owner.Name","CreatedDate","Active__c","AnnualRevenue","Description"\n',
          ),
        ).toBe(true);
        const [header, ...body] = parseCsv(page.csv);
        expect(header).toEqual([
          'Id',
          'Name',
          'Owner.Name',
          'CreatedDate',
          'Active__c',
          'AnnualRevenue',
          'Description',
        ]);
        expect(body).toHaveLength(page.records);
        rows.push(...body);
      }
      const expected = fake.expectedRecords('Account');
      expect(rows.map((r) => r[0])).toEqual(expected.map((r) => r.Id));
      const sample = expected[1]!;
      expect(rows[1]).toEqual([
        sample.Id,
        sample.Name,
        sample['Owner.Name'],
        sample.CreatedDate,
        String(sample.Active__c),
        sample.AnnualRevenue === null ? '' : String(sample.AnnualRevenue),
        sample.Description ?? '',
      ]);
    },
  );

  it('quotes every value, writes nulls as empty and keeps CR/LF, quotes and NUL inside values', async () => {
    const job = await client.completeJob('SELECT Id, Name, Description FROM Account');
    const [page] = await client.pages(job.id, 20);
    const lines = page!.csv.split('\n');
    expect(lines[1]).toMatch(/^"0018d\w{13}","株式会社サンプル0",""$/);
    expect(page!.csv).toContain('"""Quoted"" Trading 2"');
    expect(page!.csv).toContain('Line 1\r\nLine 2');
    expect(page!.csv).toContain('Nul\u0000Byte 5');
  });

  it('sends gzip when asked and plain CSV otherwise', async () => {
    const job = await client.completeJob('SELECT Id, Name FROM Account');
    const raw = (encoding?: string) =>
      new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const url = new URL(`${fake.url}${V}/jobs/query/${job.id}/results?maxRecords=50`);
        const req = httpRequest(
          url,
          {
            headers: {
              Authorization: `Bearer ${client.token}`,
              ...(encoding ? { 'Accept-Encoding': encoding } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const zipped = await raw('gzip, deflate');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const plain = await raw();
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(plain.body.toString('utf8'));
  });

  it('serves a page again by its locator, identically', async () => {
    const job = await client.completeJob('SELECT Id, Name FROM Account');
    const pages = await client.pages(job.id, 30);
    const again = await client.raw(
      `/jobs/query/${job.id}/results?maxRecords=30&locator=${pages[1]!.locator}`,
    );
    expect(await again.text()).toBe(pages[2]!.csv);
    const forged = await client.json(`/jobs/query/${job.id}/results?locator=bm9wZQ`);
    expect(forged.status).toBe(400);
  });

  it('answers an empty result with zero records, no rows and a null locator', async () => {
    const job = await client.completeJob("SELECT Id FROM Account WHERE Name = 'no such account'");
    expect(job.numberRecordsProcessed).toBe(0);
    const response = await client.raw(`/jobs/query/${job.id}/results?maxRecords=10`);
    expect(response.headers.get('sforce-numberofrecords')).toBe('0');
    expect(response.headers.get('sforce-locator')).toBe('null');
    expect(await response.text()).toBe('');
  });

  it('includes deleted records for queryAll', async () => {
    const job = await client.completeJob('SELECT Id, IsDeleted FROM Account', 'queryAll');
    expect(job.numberRecordsProcessed).toBe(140);
    const rows = (await client.pages(job.id, 1000)).flatMap((p) => parseCsv(p.csv).slice(1));
    expect(rows.filter((r) => r[1] === 'true')).toHaveLength(3);
  });

  it('refuses compound and base64 fields and COUNT() as Bulk does', async () => {
    const compound = await client.createJob('SELECT Id, BillingAddress FROM Account');
    expect(compound).toMatchObject({
      status: 400,
      body: [
        {
          errorCode: 'FUNCTIONALITY_NOT_ENABLED',
          message: 'Selecting compound data not supported in Bulk Query',
        },
      ],
    });
    expect((await client.createJob('SELECT Id, HQLocation__c FROM Account')).status).toBe(400);
    expect((await client.createJob('SELECT Id, Body FROM Attachment')).body[0].errorCode).toBe(
      'FUNCTIONALITY_NOT_ENABLED',
    );
    expect((await client.createJob('SELECT COUNT() FROM Account')).status).toBe(400);
    expect((await client.createJob('SELECT Id, Nope FROM Account')).body[0].errorCode).toBe('INVALID_FIELD');
  });

  it('fails a job with its errorMessage, keeps a stuck job in progress, and aborts on PATCH', async () => {
    fake.faults.jobFails = 'Retried more than 15 times';
    const failed = await client.completeJob('SELECT Id FROM Account');
    expect(failed).toMatchObject({ state: 'Failed', errorMessage: 'Retried more than 15 times' });
    delete fake.faults.jobFails;

    fake.faults.jobStuck = true;
    const stuck = await client.createJob('SELECT Id FROM Account');
    for (let i = 0; i < 6; i++)
      expect((await client.json(`/jobs/query/${stuck.body.id}`)).body.state).toBe('InProgress');
    const aborted = await client.json(`/jobs/query/${stuck.body.id}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'Aborted' }),
    });
    expect(aborted.body.state).toBe('Aborted');
    expect((await client.json(`/jobs/query/${stuck.body.id}`)).body.state).toBe('Aborted');
    expect((await client.json(`/jobs/query/${stuck.body.id}/results`)).status).toBe(412);
  });

  it('cuts one results body short, and can leave the locator header out', async () => {
    const job = await client.completeJob('SELECT Id, Name, Description FROM Account');
    fake.faults.truncateBodyOnce = true;
    const cut = await client.raw(`/jobs/query/${job.id}/results?maxRecords=100`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(cut.status).toBe(200);
    await expect(cut.text()).rejects.toThrow();
    expect(fake.faults.truncateBodyOnce).toBe(false);
    const whole = await client.raw(`/jobs/query/${job.id}/results?maxRecords=100`);
    expect(parseCsv(await whole.text())).toHaveLength(101);

    fake.faults.missingLocatorHeader = true;
    const bare = await client.raw(`/jobs/query/${job.id}/results?maxRecords=100`);
    await bare.text();
    expect(bare.headers.has('sforce-locator')).toBe(false);
    expect(bare.headers.get('sforce-numberofrecords')).toBe('100');
  });
});

describe('fake Salesforce: generated data', () => {
  it('is deterministic per object and index, with the newest 5 % modified minutes before now', async () => {
    const at = new Date('2026-03-01T00:00:00Z');
    const a = await startFakeSalesforce({ objects: { Contact: { records: 200 } }, now: () => at });
    const b = await startFakeSalesforce({ objects: { Contact: { records: 200 } }, now: () => at });
    try {
      expect(a.expectedRecords('Contact')).toEqual(b.expectedRecords('Contact'));
      const recent = a.expectedRecords('Contact', { from: new Date(at.getTime() - 5 * 60_000) });
      expect(recent.length).toBeGreaterThanOrEqual(9);
      expect(recent.length).toBeLessThanOrEqual(10);
      expect(recent.every((r) => Date.parse(r.SystemModstamp as string) < at.getTime() - 60_000)).toBe(true);
      expect(a.expectedCount('Contact', { to: new Date('2025-01-01T00:00:00Z') })).toBe(
        a.expectedCount('Contact') - recent.length,
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('streams a million-record Bulk result in bounded memory', async () => {
    await withFakeSalesforce({ objects: { Account: { records: 1_000_000 } } }, async (fake) => {
      const client = await Client.connect(fake);
      const job = await client.completeJob(
        'SELECT Id, Name, Description, Owner.Name, BillingCity, AnnualRevenue, CreatedDate, SystemModstamp FROM Account',
      );
      expect(job.numberRecordsProcessed).toBe(975_000);
      // Memory that grew with the body (a page built in memory, a lost back-pressure) would
      // still be held after a full GC; streaming holds a constant amount once data flows.
      // Sampled every 16 MB after a forced GC, so V8's lazy collection does not count.
      const retained = () => {
        gc();
        const m = process.memoryUsage();
        return { js: m.heapUsed + m.arrayBuffers, rss: m.rss };
      };
      const samples: Array<{ js: number; rss: number }> = [];
      let bytes = 0;
      let newlines = 0;
      const response = await client.raw(`/jobs/query/${job.id}/results?maxRecords=1000000`, {
        headers: { 'Accept-Encoding': 'gzip' },
      });
      expect(response.headers.get('sforce-numberofrecords')).toBe('975000');
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const step = 16 * 1024 * 1024;
        if (Math.floor((bytes + value.length) / step) !== Math.floor(bytes / step)) samples.push(retained());
        bytes += value.length;
        newlines += value.filter((b) => b === 0x0a).length;
      }
      expect(newlines).toBeGreaterThan(975_000);
      expect(bytes).toBeGreaterThan(128 * 1024 * 1024);
      const mb = (n: number) => Math.round(n / 1024 / 1024);
      const first = samples[0]!;
      const growth = {
        js: mb(Math.max(...samples.map((s) => s.js)) - first.js),
        rss: mb(Math.max(...samples.map((s) => s.rss)) - first.rss),
      };
      console.log(`${mb(bytes)} MB result page streamed; memory growth after the first 16 MB (MB):`, growth);
      expect(growth.js).toBeLessThan(16);
      // RSS is rough (the allocator keeps freed pages), but a buffered body would exceed its size.
      expect(growth.rss).toBeLessThan(mb(bytes) * 0.8);
    });
  }, 600_000);
});

describe('fake Salesforce CLI', () => {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  const script = join(process.cwd(), 'scripts', 'fakes', 'salesforce', 'server.ts');

  it('exits 2 with one line and the usage on a bad option', async () => {
    const child = spawn(tsx, [script, '--recordz', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('error: unknown option --recordz (valid: --port, --records)');
    expect(stderr).not.toMatch(/\bat \w+ \(/);
  }, 60_000);

  it('prints its URL and a secret file shaped like the Secrets Manager secret', async () => {
    const child = spawn(tsx, [script, '--records', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let stdout = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          stdout += c.toString();
          if (stdout.includes('Ctrl-C')) resolve();
        });
        child.on('close', () => reject(new Error(`exited early: ${stdout}`)));
      });
      const url = /fake Salesforce org: (\S+)/.exec(stdout)![1]!;
      const file = /secret file: (\S+)/.exec(stdout)![1]!;
      const secret = JSON.parse(readFileSync(file, 'utf8')) as Json;
      expect(Object.keys(secret).sort()).toEqual([
        'consumerKey',
        'loginUrl',
        'privateKey',
        'tokenUrl',
        'username',
      ]);
      expect(secret.tokenUrl).toBe(url);
      expect((await fetch(`${url}/services/data/`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
    }
  }, 60_000);
});
