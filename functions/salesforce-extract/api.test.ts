import { text } from 'node:stream/consumers';
import {
  abortQueryJob,
  countRecords,
  createQueryJob,
  getQueryResultsPage,
  queryFirstPage,
  queryNextPage,
} from './api';
import { TokenProvider, resetTokenCache } from './auth';
import { LocatorMissingError, SalesforceApiError, SalesforceTransientError } from './errors';
import { SalesforceClient } from './http';
import { sendJson, startServer, testKeys, type Handler, type TestServer } from './client-test-support';

let server: TestServer;
let api: Handler = (_req, res) => sendJson(res, 404, []);
beforeAll(async () => {
  server = await startServer((req, res, body, index) => {
    if (req.url === '/services/oauth2/token') {
      return sendJson(res, 200, { access_token: 'tok', instance_url: server.url, token_type: 'Bearer' });
    }
    return api(req, res, body, index);
  });
});
afterAll(() => server.close());
beforeEach(() => {
  resetTokenCache();
  server.requests.length = 0;
});

function client(): SalesforceClient {
  const tokens = new TokenProvider({
    consumerKey: 'ck',
    privateKey: testKeys().pkcs8,
    username: 'u@example.com',
    loginUrl: 'https://login.salesforce.com',
    tokenUrl: server.url,
  });
  return new SalesforceClient({ tokens, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
}
const apiRequests = () => server.requests.filter((r) => r.url !== '/services/oauth2/token');

describe('REST query', () => {
  it('encodes the SOQL into /query or /queryAll', async () => {
    api = (_req, res) => sendJson(res, 200, { totalSize: 0, done: true, records: [] });
    const soql =
      "SELECT Id, Name FROM Account WHERE Name = 'A&B + C' AND SystemModstamp >= 2024-01-01T00:00:00Z";
    await queryFirstPage(client(), soql, { all: false });
    await queryFirstPage(client(), soql, { all: true });
    const [plain, all] = apiRequests();
    const [p, a] = [new URL(plain!.url, 'http://x'), new URL(all!.url, 'http://x')];
    expect([p.pathname, a.pathname]).toEqual(['/services/data/v63.0/query', '/services/data/v63.0/queryAll']);
    expect([p.searchParams.get('q'), a.searchParams.get('q')]).toEqual([soql, soql]);
  });

  it('follows nextRecordsUrl verbatim, and refuses anything that is not a /services/ path', async () => {
    api = (_req, res) => sendJson(res, 200, { totalSize: 3, done: true, records: [] });
    await queryNextPage(client(), '/services/data/v62.0/query/01gxx00000ABCDE-2000');
    expect(apiRequests()[0]!.url).toBe('/services/data/v62.0/query/01gxx00000ABCDE-2000');
    await expect(queryNextPage(client(), 'https://evil.example.com/services/data')).rejects.toThrow(
      SalesforceApiError,
    );
  });

  it('countRecords runs SELECT COUNT() with the same WHERE and returns totalSize', async () => {
    api = (_req, res) => sendJson(res, 200, { totalSize: 1234, done: true, records: [] });
    await expect(countRecords(client(), 'Account', ' IsDeleted = false ', { all: true })).resolves.toBe(1234);
    await expect(countRecords(client(), 'My_Object__c', undefined, { all: false })).resolves.toBe(1234);
    const [first, second] = apiRequests().map((r) => new URL(r.url, 'http://x'));
    expect(first!.pathname).toBe('/services/data/v63.0/queryAll');
    expect(first!.searchParams.get('q')).toBe('SELECT COUNT() FROM Account WHERE IsDeleted = false');
    expect(second!.searchParams.get('q')).toBe('SELECT COUNT() FROM My_Object__c');
    await expect(countRecords(client(), 'Account; DROP', undefined, { all: false })).rejects.toThrow(
      SalesforceApiError,
    );
  });
});

describe('Bulk API 2.0', () => {
  it('createQueryJob posts CSV / COMMA / LF with the operation, and is sent once even on a 503', async () => {
    api = (_req, res) => sendJson(res, 200, { id: '750xx0000000001AAA', state: 'UploadComplete' });
    await expect(createQueryJob(client(), 'SELECT Id FROM Account', { all: true })).resolves.toMatchObject({
      id: '750xx0000000001AAA',
    });
    expect(JSON.parse(apiRequests()[0]!.body)).toEqual({
      operation: 'queryAll',
      query: 'SELECT Id FROM Account',
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    server.requests.length = 0;
    api = (_req, res) => sendJson(res, 503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'later' }]);
    const error = await createQueryJob(client(), 'SELECT Id FROM Account', { all: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SalesforceTransientError);
    expect((error as SalesforceTransientError).details.retried).toBe(false);
    expect(apiRequests()).toHaveLength(1);
  });

  it('getQueryResultsPage: sends maxRecords and locator, reads Sforce-Locator and Sforce-NumberOfRecords', async () => {
    api = (req, res) => {
      const url = new URL(req.url ?? '', 'http://x');
      const last = url.searchParams.get('locator') === 'MTAw';
      res.writeHead(200, {
        'content-type': 'text/csv',
        'sforce-locator': last ? 'null' : 'MTAw',
        'sforce-numberofrecords': '1',
      });
      res.end('"Id"\n"001"\n');
    };
    const first = await getQueryResultsPage(client(), '750xx0000000001AAA', { maxRecords: 100 });
    expect(first.locator).toBe('MTAw');
    expect(first.numberOfRecords).toBe(1);
    expect(await text(first.body)).toBe('"Id"\n"001"\n');
    const last = await getQueryResultsPage(client(), '750xx0000000001AAA', {
      maxRecords: 100,
      locator: 'MTAw',
    });
    expect(last.locator).toBeNull();
    await text(last.body);
    expect(apiRequests().map((r) => r.url)).toEqual([
      '/services/data/v63.0/jobs/query/750xx0000000001AAA/results?maxRecords=100',
      '/services/data/v63.0/jobs/query/750xx0000000001AAA/results?maxRecords=100&locator=MTAw',
    ]);
    expect(apiRequests()[0]!.headers['accept-encoding']).toBe('gzip');
  });

  it('a page without Sforce-Locator is LocatorMissingError, not the end', async () => {
    api = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'sforce-numberofrecords': '1' });
      res.end('"Id"\n"001"\n');
    };
    const error = await getQueryResultsPage(client(), '750xx0000000001AAA', { maxRecords: 10 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LocatorMissingError);
    expect((error as Error).name).toBe('LocatorMissingError');
    expect((error as Error).message).toContain('750xx0000000001AAA');
  });

  it('a page without a valid Sforce-NumberOfRecords is refused', async () => {
    api = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'sforce-locator': 'null' });
      res.end('"Id"\n');
    };
    await expect(getQueryResultsPage(client(), '750xx0000000001AAA', { maxRecords: 10 })).rejects.toThrow(
      /Sforce-NumberOfRecords/,
    );
  });

  it('abortQueryJob PATCHes state Aborted and tolerates a job that already finished', async () => {
    let n = 0;
    api = (_req, res) =>
      ++n === 1
        ? sendJson(res, 200, { id: '750xx0000000001AAA', state: 'Aborted' })
        : sendJson(res, 400, [{ errorCode: 'INVALIDJOBSTATE', message: 'Job state is already JobComplete' }]);
    await abortQueryJob(client(), '750xx0000000001AAA');
    await abortQueryJob(client(), '750xx0000000001AAA');
    const [first] = apiRequests();
    expect(first!.method).toBe('PATCH');
    expect(JSON.parse(first!.body)).toEqual({ state: 'Aborted' });
    await expect(abortQueryJob(client(), '../../limits')).rejects.toThrow(SalesforceApiError);
  });
});
