import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { gzipSync } from 'node:zlib';
import {
  describeObject,
  getLimits,
  getQueryJob,
  getQueryResultsPage,
  queryFirstPage,
  queryNextPage,
  REST_URI_LIMIT_BYTES,
  restQueryFits,
  type QueryPage,
} from './api';
import { TokenProvider, resetTokenCache } from './auth';
import { csvRecord, headerLine, restRow, type NulCounter, type RowShape } from './canonical';
import { sendJson, startServer, testKeys, verifyAssertion, type TestServer } from './client-test-support';
import { SalesforceApiError, SalesforceAuthError, SalesforceLimitError } from './errors';
import { SalesforceClient } from './http';
import { preflightLimits } from './limits';
import { buildFieldList, resolveParentKinds } from './select';
import { loadExtractConfig } from './config';
import { emptyStats, type StepDeps } from './steps/deps';
import { writePage } from './steps/download';
import { plan } from './steps/plan';
import type { ObjectTask } from './steps/types';
import { clientSettings } from '../shared/aws';
import { createDocumentClient } from '../shared/dynamo';
import { createS3Client } from '../shared/s3';
import { createBucket, uniqueName } from '../../scripts/testing/stack';
import { ensureTable, salesforceWatermarkTable } from '../../scripts/local/pipelines/resources';

/**
 * The client against a server written from Salesforce's public documentation rather than
 * from our fake: it makes the other choices the docs allow (extra token fields, an
 * instance on another host with a trailing slash, numbers in Java's Double.toString form,
 * REST datetimes with +0000, Bulk pages with CRLF/BOM/unquoted values, opaque locators,
 * error bodies as arrays or objects, HTML 5xx bodies). Each test names the page it follows.
 */

const CONSUMER_KEY = '3MVG9docs.consumer.key';
const USERNAME = 'integration@example.com';
const AUDIENCE = 'https://login.salesforce.com';

type Route = (req: IncomingMessage, res: ServerResponse, body: string, url: URL) => void | Promise<void>;

let server: TestServer;
let route: Route;
/** The instance the token response names: `localhost` while the token URL is 127.0.0.1 (another host). */
let instanceUrl: string;
let tokenResponse: () => Record<string, unknown>;
/** Token requests still to answer with Salesforce's passing fault. */
let tokenFaults = 0;
let limitInfo = 'api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)';

beforeAll(async () => {
  server = await startServer(async (req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/services/oauth2/token') {
      if (req.headers.host?.startsWith('localhost')) return sendJson(res, 404, []);
      if (tokenFaults > 0) {
        tokenFaults--;
        return sendJson(res, 400, { error: 'unknown_error', error_description: 'retry your request' });
      }
      const verdict = await verifyAssertion(body, {
        publicKey: testKeys().publicKey,
        consumerKey: CONSUMER_KEY,
        username: USERNAME,
        audience: AUDIENCE,
      });
      if (!verdict.ok)
        return sendJson(res, 400, { error: verdict.error, error_description: verdict.description });
      return sendJson(res, 200, tokenResponse());
    }
    // Only the instance host serves the data API.
    if (!req.headers.host?.startsWith('localhost')) return sendJson(res, 404, []);
    res.setHeader('Sforce-Limit-Info', limitInfo);
    return route(req, res, body, url);
  });
  const port = new URL(server.url).port;
  instanceUrl = `http://localhost:${port}`;
});
afterAll(() => server.close());
beforeEach(() => {
  resetTokenCache();
  server.requests.length = 0;
  // OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration: the response carries
  // signature, issued_at and scope besides access_token/instance_url/id/token_type.
  tokenResponse = () => ({
    access_token:
      '00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu',
    signature: 'd/SxeYBxH0GSVko0HMgcUxuZy0PA2cDDz1u7g7JtDHw=',
    scope: 'api',
    instance_url: `${instanceUrl}/`,
    id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS',
    token_type: 'bearer',
    issued_at: '1701234567890',
  });
  limitInfo = 'api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)';
});

function client(): SalesforceClient {
  const tokens = new TokenProvider(
    {
      consumerKey: CONSUMER_KEY,
      privateKey: testKeys().pkcs1,
      username: USERNAME,
      loginUrl: AUDIENCE,
      tokenUrl: server.url,
    },
    { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
  );
  return new SalesforceClient({ tokens, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
}

function sendRaw(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-length': String(bytes.length), ...headers });
  res.end(bytes);
}

describe('token response and instance (OAuth 2.0 JWT Bearer Flow)', () => {
  it('uses instance_url (another host, trailing slash) and ignores extra fields and token_type casing', async () => {
    route = (_req, res) => sendJson(res, 200, { DailyApiRequests: { Max: 5000, Remaining: 4975 } });
    const c = client();
    await getLimits(c);
    const api = server.requests.filter((r) => !r.url.includes('oauth2'));
    expect(api).toHaveLength(1);
    expect(api[0]!.headers.host).toBe(new URL(instanceUrl).host);
    expect(api[0]!.url).toBe('/services/data/v63.0/limits');
    expect(api[0]!.headers.authorization).toBe(`Bearer ${String(tokenResponse().access_token)}`);
  });

  it('reads api-usage from a Sforce-Limit-Info that also carries per-app-api-usage', async () => {
    route = (_req, res) => sendJson(res, 200, { DailyApiRequests: { Max: 5000, Remaining: 4975 } });
    const c = client();
    await getLimits(c);
    expect(c.usage).toEqual({ calls: 1, used: 25, max: 5000 });
  });

  it('reports token errors that carry extra fields with their hint', async () => {
    const c = new SalesforceClient({
      tokens: new TokenProvider({
        consumerKey: CONSUMER_KEY,
        privateKey: testKeys().pkcs8,
        username: USERNAME,
        loginUrl: 'https://mydomain.my.salesforce.com',
        tokenUrl: server.url,
      }),
    });
    const error = await getLimits(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceAuthError);
    expect((error as SalesforceAuthError).message).toContain('invalid_grant / audience is invalid');
  });
});

describe('token endpoint faults', () => {
  it('retries unknown_error / "retry your request" (a passing fault Salesforce answers with a 4xx)', async () => {
    tokenFaults = 1;
    route = (_req, res) => sendJson(res, 200, { DailyApiRequests: { Max: 5000, Remaining: 4975 } });
    await getLimits(client());
    expect(tokenFaults).toBe(0);
    expect(server.requests.filter((r) => r.url.includes('oauth2'))).toHaveLength(2);
  });
});

describe('/limits (Limits resource)', () => {
  it('accepts the per-app sub-objects Salesforce nests under a limit', async () => {
    route = (_req, res) =>
      sendJson(res, 200, {
        ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
        DailyApiRequests: { Max: 15000, Remaining: 14998, 'Ant Migration Tool': { Max: 0, Remaining: 0 } },
        DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
        DailyBulkV2QueryJobs: { Max: 10000, Remaining: 9990 },
        PermissionSets: { Max: 1500, Remaining: 1499, CreateCustom: { Max: 1000, Remaining: 999 } },
      });
    const limits = await getLimits(client());
    expect(() => preflightLimits(limits, { minApiRemainingFraction: 0.1, bulkJobsNeeded: 2 })).not.toThrow();
  });
});

describe('/limits without the View Setup and Configuration permission (REST API Developer Guide, "Limits")', () => {
  it('the 403 names the permission to grant', async () => {
    route = (_req, res) =>
      sendJson(res, 403, [
        { errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights on cross-reference id' },
      ]);
    const error = await getLimits(client()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceApiError);
    expect((error as Error).message).toMatch(
      /HTTP 403 INSUFFICIENT_ACCESS.*"View Setup and Configuration" permission/,
    );
  });
});

describe('describe (DescribeSObjectResult Field)', () => {
  it('selects compound components, never the compound parent, base64 or deprecatedAndHidden fields', async () => {
    const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
      name,
      type,
      compoundFieldName: null,
      deprecatedAndHidden: false,
      nillable: true,
      soapType: `xsd:${type}`,
      ...extra,
    });
    route = (_req, res) =>
      sendJson(res, 200, {
        name: 'Account',
        queryable: true,
        retrieveable: true,
        fields: [
          field('Id', 'id'),
          field('Name', 'string'),
          field('BillingStreet', 'textarea', { compoundFieldName: 'BillingAddress' }),
          field('BillingLatitude', 'double', { compoundFieldName: 'BillingAddress' }),
          field('BillingAddress', 'address'),
          field('Loc__Latitude__s', 'double', { compoundFieldName: 'Loc__c' }),
          field('Loc__c', 'location'),
          field('Logo__c', 'base64'),
          field('Old__c', 'string', { deprecatedAndHidden: true }),
          field('SystemModstamp', 'datetime'),
        ],
      });
    const describe = await describeObject(client(), 'Account');
    const list = buildFieldList(describe, { name: 'Account', fields: '*', incremental: true });
    expect(list.fields).toEqual([
      'Id',
      'Name',
      'BillingStreet',
      'BillingLatitude',
      'Loc__Latitude__s',
      'SystemModstamp',
    ]);
  });
});

/**
 * One set of records as REST JSON and as Bulk CSV. Numbers are written the way the API
 * writes doubles (Java's Double.toString: `1234567.0`, `1.2345678E7`; Knowledge Article
 * 000221617 "Why do I see exponential values for custom number field?"), REST datetimes
 * with `+0000`, Bulk datetimes with `Z`; REST keys in another order and casing than the
 * SELECT; a null parent, a parent whose own parent is null, and a two-level parent.
 */
const SHAPE: RowShape = {
  fields: [
    'Id',
    'Name',
    'AnnualRevenue',
    'Amount__c',
    'Big__c',
    'IsDeleted',
    'CreatedDate',
    'CloseDate__c',
    'Start__c',
    'Owner.Name',
    'Owner.Manager.Name',
    'Owner.CreatedDate',
    'Owner.Score__c',
  ],
  kinds: [
    'string',
    'string',
    'number',
    'number',
    'number',
    'boolean',
    'datetime',
    'date',
    'time',
    // Parent fields: select.ts does not describe the parent object, so their type is unknown.
    'unknown',
    'unknown',
    'unknown',
    'unknown',
  ],
};

const ATTR = (type: string, id: string) =>
  `"attributes":{"type":"${type}","url":"/services/data/v63.0/sobjects/${type}/${id}"}`;
const REST_RECORDS = [
  `{${ATTR('Account', '001A')},"Owner":{${ATTR('User', '005A')},"Manager":{${ATTR('User', '005M')},"Name":"Boss"},"Name":"Ann","CreatedDate":"2020-05-06T07:08:09.000+0000","Score__c":1.2345678E7},"big__c":123456789012345678,"Start__c":"03:04:05.000Z","CloseDate__c":"2024-02-29","CreatedDate":"2024-01-02T03:04:05.000+0000","IsDeleted":false,"Amount__c":1234567.0,"AnnualRevenue":1.6147805824397E13,"name":"Acme, \\"Inc\\"","Id":"001A"}`,
  `{${ATTR('Account', '001B')},"Id":"001B","Name":" padded ","AnnualRevenue":null,"Amount__c":0.1,"Big__c":-5E-7,"IsDeleted":true,"CreatedDate":"2024-12-31T23:59:59.000+0000","CloseDate__c":null,"Start__c":null,"Owner":null}`,
  `{${ATTR('Account', '001C')},"Id":"001C","Name":"改行\\nあり","AnnualRevenue":5000.0,"Amount__c":1.23456785E7,"Big__c":900719925474099312,"IsDeleted":false,"CreatedDate":"2024-06-01T00:00:00.000+0000","CloseDate__c":"2024-06-01","Start__c":"23:59:59.999Z","Owner":{${ATTR('User', '005C')},"Name":"Cy","Manager":null,"CreatedDate":null,"Score__c":100.0}}`,
];
const BULK_HEADER =
  'Id,Name,AnnualRevenue,Amount__c,Big__c,IsDeleted,CreatedDate,CloseDate__c,Start__c,Owner.Name,Owner.Manager.Name,Owner.CreatedDate,Owner.Score__c';
const BULK_ROWS = [
  '"001A","Acme, ""Inc""","1.6147805824397E13","1234567.0","123456789012345678","false","2024-01-02T03:04:05.000Z","2024-02-29","03:04:05.000Z","Ann","Boss","2020-05-06T07:08:09.000Z","1.2345678E7"',
  '001B," padded ",,0.1,-5.0E-7,true,2024-12-31T23:59:59.000Z,,,,,,',
  '"001C","改行\nあり","5000.0","1.23456785E7","900719925474099312","false","2024-06-01T00:00:00.000Z","2024-06-01","23:59:59.999Z","Cy","","","100.0"',
];

/** The rows both paths must write for these records. */
const EXPECTED = [
  'Id,Name,AnnualRevenue,Amount__c,Big__c,IsDeleted,CreatedDate,CloseDate__c,Start__c,Owner.Name,Owner.Manager.Name,Owner.CreatedDate,Owner.Score__c',
  '001A,"Acme, ""Inc""",16147805824397,1234567,123456789012345678,false,2024-01-02T03:04:05.000Z,2024-02-29,03:04:05.000Z,Ann,Boss,2020-05-06T07:08:09.000Z,1.2345678E7',
  '001B," padded ",,0.1,-0.0000005,true,2024-12-31T23:59:59.000Z,,,,,,',
].join('\n');

async function restFile(pages: string[], shape: RowShape = SHAPE): Promise<string> {
  route = (_req, res, _body, url) => {
    const at = /\/query(All)?$/.test(url.pathname)
      ? 0
      : pages.findIndex((p) => p.includes('"nextRecordsUrl":"' + url.pathname + '"')) + 1;
    sendRaw(res, 200, pages[at]!, { 'content-type': 'application/json;charset=UTF-8' });
  };
  const c = client();
  const counter: NulCounter = { nulStripped: 0 };
  let out = headerLine(shape.fields);
  let page: QueryPage = await queryFirstPage(c, 'SELECT ... FROM Account', { all: true });
  for (;;) {
    for (const record of page.records) out += restRow(record, shape, counter);
    if (page.done || !page.nextRecordsUrl) break;
    page = await queryNextPage(c, page.nextRecordsUrl);
  }
  return out;
}

async function bulkFile(
  pages: Array<{ body: string; count: number; locator: string; gzip?: boolean }>,
  shape: RowShape = SHAPE,
): Promise<{ file: string; locators: Array<string | null> }> {
  const byLocator = new Map<string, number>();
  pages.forEach((_, i) => byLocator.set(i === 0 ? '' : pages[i - 1]!.locator, i));
  route = (_req, res, _body, url) => {
    const i = byLocator.get(url.searchParams.get('locator') ?? '')!;
    const page = pages[i]!;
    const headers: Record<string, string> = {
      'content-type': 'text/csv; charset=UTF-8',
      'sforce-numberofrecords': String(page.count),
      'sforce-locator': page.locator,
    };
    if (page.gzip) headers['content-encoding'] = 'gzip';
    sendRaw(res, 200, page.gzip ? gzipSync(page.body) : page.body, headers);
  };
  const c = client();
  const counter: NulCounter = { nulStripped: 0 };
  let file = headerLine(shape.fields);
  const sink = { write: (text: string) => void (file += text) };
  const locators: Array<string | null> = [];
  let locator: string | undefined;
  for (;;) {
    const page = await getQueryResultsPage(c, '750R0000000zlh9IAA', {
      maxRecords: 2,
      ...(locator ? { locator } : {}),
    });
    const rows = await writePage(page.body, shape, sink, counter, '750R0000000zlh9IAA');
    expect(rows).toBe(page.numberOfRecords);
    locators.push(page.locator);
    if (page.locator === null) break;
    locator = page.locator;
  }
  return { file, locators };
}

const REST_PAGES = [
  `{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v63.0/query/01gRO0000016PIAYA2-2","records":[${REST_RECORDS[0]},${REST_RECORDS[1]}]}`,
  `{"totalSize":3,"done":true,"records":[${REST_RECORDS[2]}]}`,
];
const BULK_PAGES = [
  // First page: BOM, CRLF line ends and unquoted values, gzip.
  {
    body: `\uFEFF${BULK_HEADER}\r\n${BULK_ROWS[0]}\r\n${BULK_ROWS[1]}\r\n`,
    count: 2,
    locator: 'MjAwMDA=/a+b',
    gzip: true,
  },
  // Last page: its own header row, no newline after the last row.
  {
    body: `${BULK_HEADER.split(',')
      .map((h) => `"${h}"`)
      .join(',')}\n${BULK_ROWS[2]}`,
    count: 1,
    locator: 'null',
  },
];

describe('REST query and Bulk results write the same canonical file', () => {
  const restPages = REST_PAGES;
  const bulkPages = BULK_PAGES;

  it('REST: exact numbers, +0000 datetimes in parent fields, null parents, keys in any order and casing', async () => {
    const file = await restFile(restPages);
    expect(file.split('\n').slice(0, 3).join('\n')).toBe(EXPECTED);
  });

  it('Bulk: BOM, CRLF, unquoted values, gzip, opaque locators, a header row per page', async () => {
    const { file, locators } = await bulkFile(bulkPages);
    expect(file.split('\n').slice(0, 3).join('\n')).toBe(EXPECTED);
    expect(locators).toEqual(['MjAwMDA=/a+b', null]);
    const second = server.requests
      .filter((r) => r.url.includes('/results'))
      .map((r) => new URL(r.url, 'http://x'));
    expect(second[1]!.searchParams.get('locator')).toBe('MjAwMDA=/a+b');
  });

  it('both paths give byte-identical files', async () => {
    const rest = await restFile(restPages);
    const { file: bulk } = await bulkFile(bulkPages);
    expect(rest).toBe(bulk);
    expect(
      rest.endsWith(
        csvRecord([
          '001C',
          '改行\nあり',
          '5000',
          '12345678.5',
          '900719925474099312',
          'false',
          '2024-06-01T00:00:00.000Z',
          '2024-06-01',
          '23:59:59.999Z',
          'Cy',
          null,
          null,
          '100.0',
        ]),
      ),
    ).toBe(true);
  });
});

describe('parent field types (describe of the objects a relationship references)', () => {
  const f = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
    name,
    type,
    compoundFieldName: null,
    ...extra,
  });
  const describes: Record<string, unknown> = {
    Account: {
      name: 'Account',
      queryable: true,
      fields: [
        f('Id', 'id'),
        f('OwnerId', 'reference', { relationshipName: 'Owner', referenceTo: ['Group', 'User'] }),
        f('SystemModstamp', 'datetime'),
      ],
    },
    User: {
      name: 'User',
      queryable: true,
      fields: [
        f('Id', 'id'),
        f('Name', 'string'),
        f('CreatedDate', 'datetime'),
        f('Score__c', 'double'),
        f('ManagerId', 'reference', { relationshipName: 'Manager', referenceTo: ['User'] }),
      ],
    },
    Group: { name: 'Group', queryable: true, fields: [f('Id', 'id'), f('Name', 'string')] },
  };
  beforeEach(() => {
    route = (_req, res, _body, url) => {
      const object = /\/sobjects\/(\w+)\/describe$/.exec(url.pathname)?.[1] ?? '';
      if (describes[object]) return sendJson(res, 200, describes[object]);
      return sendJson(res, 404, [
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    };
  });

  it('types Owner.* columns from the User/Group describes, one describe per object', async () => {
    const c = client();
    const root = await describeObject(c, 'Account');
    const list = buildFieldList(root, {
      name: 'Account',
      fields: [
        'Id',
        'Owner.Name',
        'Owner.Manager.Name',
        'Owner.CreatedDate',
        'Owner.Score__c',
        'Owner.Nope__c',
      ],
      incremental: false,
    });
    const kinds = await resolveParentKinds(root, list, (o) => describeObject(c, o));
    expect(kinds).toEqual(['string', 'string', 'string', 'datetime', 'number', 'unknown']);
    const describeCalls = server.requests
      .filter((r) => r.url.endsWith('/describe'))
      .map((r) => r.url.split('/')[5]);
    expect(describeCalls.sort()).toEqual(['Account', 'Group', 'User']);
  });

  it('with typed parent columns both paths write canonical parent numbers and datetimes', async () => {
    const typed: RowShape = {
      fields: SHAPE.fields,
      kinds: [...SHAPE.kinds.slice(0, 9), 'string', 'string', 'datetime', 'number'],
    };
    const rest = await restFile(REST_PAGES, typed);
    const { file: bulk } = await bulkFile(BULK_PAGES, typed);
    expect(rest).toBe(bulk);
    expect(rest.split('\n')[1]).toMatch(/,Ann,Boss,2020-05-06T07:08:09\.000Z,12345678$/);
  });
});

describe('Bulk API 2.0 results: other documented answers', () => {
  const JOB = '750R0000000zlh9IAA';

  it('an empty result: no body at all, Sforce-NumberOfRecords 0, Sforce-Locator null', async () => {
    route = (_req, res) =>
      sendRaw(res, 200, '', {
        'sforce-numberofrecords': '0',
        'sforce-locator': 'null',
        'content-type': 'text/csv',
      });
    const page = await getQueryResultsPage(client(), JOB, { maxRecords: 10 });
    let out = '';
    const rows = await writePage(
      page.body,
      SHAPE,
      { write: (t: string) => void (out += t) },
      { nulStripped: 0 },
      JOB,
    );
    expect([rows, page.locator, page.numberOfRecords, out]).toEqual([0, null, 0, '']);
  });

  it('a 401 INVALID_SESSION_ID and a 503 HTML page on the streamed results are renewed / retried', async () => {
    let calls = 0;
    route = (_req, res) => {
      calls++;
      if (calls === 1)
        return sendJson(res, 401, [
          { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
        ]);
      if (calls === 2)
        return sendRaw(res, 503, '<html>Service Unavailable</html>', { 'content-type': 'text/html' });
      return sendRaw(res, 200, gzipSync('"Id"\n"001A"\n'), {
        'content-encoding': 'gzip',
        'sforce-numberofrecords': '1',
        'sforce-locator': 'null',
      });
    };
    const c = client();
    const page = await getQueryResultsPage(c, JOB, { maxRecords: 10 });
    let out = '';
    const shape: RowShape = { fields: ['Id'], kinds: ['string'] };
    await writePage(page.body, shape, { write: (t: string) => void (out += t) }, { nulStripped: 0 }, JOB);
    expect(out).toBe('001A\n');
    expect([c.renewals, c.retries]).toEqual([1, 1]);
  });

  it('a REST page gzipped by the server (Accept-Encoding) is read the same', async () => {
    route = (_req, res) =>
      sendRaw(res, 200, gzipSync(REST_PAGES[1]!), {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      });
    const page = await queryNextPage(client(), '/services/data/v63.0/query/01gRO0000016PIAYA2-2');
    expect(page.records[0]!.Id).toBe('001C');
  });
});

describe('Bulk API 2.0 job info and errors', () => {
  it('reads a Failed job with its errorMessage and numberRecordsProcessed as a number', async () => {
    route = (_req, res) =>
      sendJson(res, 200, {
        id: '750R0000000zlh9IAA',
        operation: 'queryAll',
        object: 'Account',
        createdById: '005R0000000GiwjIAC',
        createdDate: '2018-12-18T16:15:31.000+0000',
        systemModstamp: '2018-12-18T16:15:32.000+0000',
        state: 'Failed',
        concurrencyMode: 'Parallel',
        contentType: 'CSV',
        apiVersion: 63.0,
        jobType: 'V2Query',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
        numberRecordsProcessed: 0,
        retries: 0,
        totalProcessingTime: 334,
        errorMessage: 'INVALID_FIELD: No such column',
      });
    const info = await getQueryJob(client(), '750R0000000zlh9IAA');
    expect(info).toMatchObject({
      state: 'Failed',
      numberRecordsProcessed: 0,
      errorMessage: 'INVALID_FIELD: No such column',
    });
  });

  it('404 NOT_FOUND for a job is not retried', async () => {
    route = (_req, res) =>
      sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const error = await getQueryJob(client(), '750R0000000zlh9IAA').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceApiError);
    expect((error as SalesforceApiError).details.errorCode).toBe('NOT_FOUND');
    expect(server.requests.filter((r) => r.url.includes('/jobs/'))).toHaveLength(1);
  });

  it('an error body that is an object (not an array) still names its errorCode', async () => {
    route = (_req, res) =>
      sendJson(res, 400, { errorCode: 'INVALIDJOB', message: 'Unable to find object: Nope' });
    const error = await getQueryJob(client(), '750R0000000zlh9IAA').catch((e: unknown) => e);
    expect((error as Error).message).toContain('INVALIDJOB');
  });

  it('403 REQUEST_LIMIT_EXCEEDED is a limit error', async () => {
    route = (_req, res) =>
      sendJson(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    await expect(getLimits(client())).rejects.toBeInstanceOf(SalesforceLimitError);
  });

  it('a 503 with an HTML body is retried', async () => {
    let calls = 0;
    route = (_req, res) => {
      if (calls++ === 0)
        return sendRaw(res, 503, '<html><body>Service Unavailable</body></html>', {
          'content-type': 'text/html',
        });
      return sendJson(res, 200, { DailyApiRequests: { Max: 1, Remaining: 1 } });
    };
    const c = client();
    await getLimits(c);
    expect(c.retries).toBe(1);
  });

  it('401 INVALID_SESSION_ID with WWW-Authenticate mints one new token and resends', async () => {
    let calls = 0;
    route = (_req, res) => {
      if (calls++ === 0) {
        return sendJson(
          res,
          401,
          [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
          {
            'www-authenticate': 'Token',
          },
        );
      }
      return sendJson(res, 200, { DailyApiRequests: { Max: 1, Remaining: 1 } });
    };
    const c = client();
    await getLimits(c);
    expect(c.renewals).toBe(1);
    expect(server.requests.filter((r) => r.url.includes('oauth2'))).toHaveLength(2);
  });
});

describe('REST URI limit (KA 000386264: URI + headers at most 16,384 bytes, else 414)', () => {
  const wide = Array.from({ length: 700 }, (_, i) => `Custom_Field_Number_${i}__c`);
  const describeBody = {
    name: 'Wide__c',
    queryable: true,
    fields: [
      { name: 'Id', type: 'id', compoundFieldName: null },
      { name: 'SystemModstamp', type: 'datetime', compoundFieldName: null },
      ...wide.map((name) => ({ name, type: 'string', compoundFieldName: null })),
    ],
  };
  beforeEach(() => {
    route = (req, res, _body, url) => {
      if ((req.url ?? '').length > REST_URI_LIMIT_BYTES)
        return sendRaw(res, 414, '<html>URI Too Long</html>', { 'content-type': 'text/html' });
      if (url.pathname.endsWith('/describe')) return sendJson(res, 200, describeBody);
      if (url.pathname.endsWith('/query'))
        return sendJson(res, 200, { totalSize: 12, done: true, records: [] });
      return sendJson(res, 404, [
        { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
      ]);
    };
  });

  it('a wide "*" SELECT does not fit a REST query URL', async () => {
    const c = client();
    const soql = `SELECT Id, SystemModstamp, ${wide.join(', ')} FROM Wide__c`;
    expect(restQueryFits(c, soql, { all: false })).toBe(false);
    expect(restQueryFits(c, 'SELECT Id FROM Account', { all: true })).toBe(true);
    await expect(queryFirstPage(c, soql, { all: false })).rejects.toThrow(/HTTP 4(14|31)/);
  });

  async function planWide(mode: 'auto' | 'rest') {
    const bucket = await createBucket(uniqueName('sf-docs'));
    const table = uniqueName('sf-docs-wm');
    await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
      ...salesforceWatermarkTable('test'),
      name: table,
    });
    const config = loadExtractConfig({
      RAW_BUCKET: bucket,
      WATERMARK_TABLE: table,
      SALESFORCE_SECRET_ID: 'unused',
      SALESFORCE_OBJECTS: JSON.stringify([
        { name: 'Wide__c', fields: '*', mode, incremental: true, includeDeleted: false },
      ]),
    });
    const logs: string[] = [];
    const c = client();
    const deps: StepDeps = {
      config,
      s3: createS3Client(),
      ddb: createDocumentClient(),
      salesforce: () => Promise.resolve(c),
      now: () => new Date(),
      deadline: Date.now() + 60_000,
      log: (message) => void logs.push(message),
    };
    const task: ObjectTask = {
      object: 'Wide__c',
      config: config.SALESFORCE_OBJECTS[0]!,
      run: { id: uniqueName('run'), startedAt: new Date().toISOString(), full: false },
      settings: { pollSeconds: 1, maxPolls: 3 },
      page: 0,
      done: false,
      stats: emptyStats(),
    };
    return { result: await plan(deps, task), logs };
  }

  it('auto mode plans Bulk (the SOQL goes in the request body) when the SELECT is too long for REST', async () => {
    const { result, logs } = await planWide('auto');
    expect(result.plan!.counted).toBe(12);
    expect(result.plan!.mode).toBe('bulk');
    expect(logs).toContain('select too long for REST; using Bulk');
  });

  it('mode rest fails at plan with one clear line instead of a 414 mid-run', async () => {
    await expect(planWide('rest')).rejects.toThrow(/too long for a REST query URL/);
  });
});
