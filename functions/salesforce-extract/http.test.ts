import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createGzip, gzipSync } from 'node:zlib';
import { TokenProvider, resetTokenCache } from './auth';
import {
  SalesforceApiError,
  SalesforceLimitError,
  SalesforceQueryError,
  SalesforceSessionError,
  SalesforceTransientError,
  TruncatedBodyError,
  errorMetric,
  isRetryable,
} from './errors';
import { SalesforceClient, backoffDelay, parseLimitInfo, resolveRetryPolicy } from './http';
import { sendJson, startServer, testKeys, verifyAssertion, type TestServer } from './client-test-support';

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
type ApiHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  token: string,
) => void | Promise<void>;

/** A local org: token endpoint (real JWT checks) + an API whose behaviour each test sets. */
interface Org {
  server: TestServer;
  /** Tokens the API accepts; a test "expires" the session by clearing it. */
  valid: Set<string>;
  issued: string[];
  api: ApiHandler;
  apiRequests(): Array<{ method: string; url: string; token: string; body: string }>;
}

let org: Org;
beforeAll(async () => {
  const state = { valid: new Set<string>(), issued: [] as string[] };
  const server = await startServer(async (req, res, body) => {
    if (req.url === '/services/oauth2/token') {
      const verdict = await verifyAssertion(body, {
        publicKey: testKeys().publicKey,
        consumerKey: 'ck',
        username: 'etl@example.com',
        audience: 'https://login.salesforce.com',
      });
      if (!verdict.ok)
        return sendJson(res, 400, { error: verdict.error, error_description: verdict.description });
      const token = `00Dxx!AQ-secret-token-${state.issued.length + 1}`;
      state.issued.push(token);
      state.valid.add(token);
      return sendJson(res, 200, { access_token: token, instance_url: server.url, token_type: 'Bearer' });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!state.valid.has(token)) {
      return sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
    return org.api(req, res, body, token);
  });
  org = {
    server,
    ...state,
    api: (_req, res) => sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: 'not set' }]),
    apiRequests: () =>
      server.requests
        .filter((r) => r.url !== '/services/oauth2/token')
        .map((r) => ({
          method: r.method,
          url: r.url,
          token: String(r.headers.authorization ?? '').replace(/^Bearer /, ''),
          body: r.body,
        })),
  };
});
afterAll(() => org.server.close());
beforeEach(() => {
  resetTokenCache();
  org.server.requests.length = 0;
  org.valid.clear();
  org.issued.length = 0;
});

/** Tokens from the local org's token endpoint, as the deployed function's secret would give. */
const orgTokens = () =>
  new TokenProvider({
    consumerKey: 'ck',
    privateKey: testKeys().pkcs8,
    username: 'etl@example.com',
    loginUrl: 'https://login.salesforce.com',
    tokenUrl: org.server.url,
  });

function client(
  options: { retry?: object; fetch?: typeof fetch; log?: (e: Record<string, unknown>) => void } = {},
) {
  return new SalesforceClient({
    tokens: orgTokens(),
    apiVersion: '63.0',
    retry: { ...FAST_RETRY, ...options.retry },
    fetch: options.fetch,
    log: options.log,
  });
}

const LIMIT_HEADERS = { 'sforce-limit-info': 'api-usage=18/15000' };

/** An API that answers the first request with `broken` and every later one with 200 and `body`. */
function brokenOnceThen(broken: ApiHandler, body: unknown): ApiHandler {
  let n = 0;
  return (req, res, requestBody, token) => {
    if (++n === 1) return broken(req, res, requestBody, token);
    sendJson(res, 200, body);
  };
}

describe('json()', () => {
  it('sends the bearer token to the instance URL under /services/data/v63.0, counts calls and reads Sforce-Limit-Info', async () => {
    org.api = (req, res) => sendJson(res, 200, { path: req.url }, LIMIT_HEADERS);
    const c = client();
    await expect(c.json('GET', '/limits')).resolves.toEqual({ path: '/services/data/v63.0/limits' });
    await expect(c.json('GET', '/services/data/v63.0/query/01gxx-2000')).resolves.toEqual({
      path: '/services/data/v63.0/query/01gxx-2000',
    });
    expect(c.usage).toEqual({ calls: 2, used: 18, max: 15000 });
    expect(org.apiRequests().map((r) => r.token)).toEqual([org.issued[0], org.issued[0]]);
  });

  it('sends a JSON body with its content type', async () => {
    org.api = (req, res, body) =>
      sendJson(res, 200, { type: req.headers['content-type'], body: JSON.parse(body) });
    await expect(client().json('POST', '/jobs/query', { a: 1 })).resolves.toEqual({
      type: 'application/json',
      body: { a: 1 },
    });
  });

  it('401 INVALID_SESSION_ID: mints exactly one new token and resends the same request once', async () => {
    org.api = (_req, res, body) => sendJson(res, 200, { echoed: body });
    const c = client();
    await c.json('GET', '/limits');
    org.valid.clear(); // the session expires
    await expect(c.json('POST', '/jobs/query', { query: 'SELECT Id FROM Account' })).resolves.toEqual({
      echoed: JSON.stringify({ query: 'SELECT Id FROM Account' }),
    });
    const requests = org.apiRequests();
    expect(requests.map((r) => [r.method, r.token])).toEqual([
      ['GET', org.issued[0]],
      ['POST', org.issued[0]],
      ['POST', org.issued[1]],
    ]);
    expect(requests[2]!.body).toBe(requests[1]!.body);
    expect(org.issued).toHaveLength(2);
    expect(c.renewals).toBe(1);
    expect(c.retries).toBe(0);
  });

  it('a second 401 with the new token fails with SalesforceSessionError (no third token)', async () => {
    org.api = (_req, res) =>
      sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const error = await client()
      .json('GET', '/limits')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceSessionError);
    expect((error as Error).name).toBe('SalesforceSessionError');
    expect(org.issued).toHaveLength(2);
    expect(org.apiRequests()).toHaveLength(2);
  });

  it('retries a burst of 5xx with backoff and succeeds', async () => {
    let n = 0;
    org.api = (_req, res) =>
      ++n <= 3
        ? sendJson(res, n === 2 ? 502 : 503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'try later' }])
        : sendJson(res, 200, { ok: true });
    const log: Array<Record<string, unknown>> = [];
    const c = client({ log: (e) => log.push(e) });
    await expect(c.json('GET', '/limits')).resolves.toEqual({ ok: true });
    expect(c.retries).toBe(3);
    expect(c.usage.calls).toBe(4);
    expect(log.filter((e) => e.message === 'salesforce request retry')).toHaveLength(3);
  });

  it('retries 429 too', async () => {
    org.api = brokenOnceThen((_req, res) => sendJson(res, 429, [], { 'retry-after': '0' }), { ok: true });
    await expect(client().json('GET', '/limits')).resolves.toEqual({ ok: true });
  });

  it('stops after 5 attempts with SalesforceTransientError naming the status', async () => {
    org.api = (_req, res) =>
      sendJson(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred' }]);
    const c = client();
    const error = (await c.json('GET', '/limits').catch((e: unknown) => e)) as SalesforceTransientError;
    expect(error).toBeInstanceOf(SalesforceTransientError);
    expect(error.name).toBe('SalesforceTransientError');
    expect(error.details).toEqual({ status: 500, attempts: 5, retried: true });
    expect(error.message).toMatch(/GET \/limits failed after 5 attempt\(s\).*HTTP 500 UNKNOWN_EXCEPTION/);
    expect(org.apiRequests()).toHaveLength(5);
    expect(c.retries).toBe(4);
  });

  it('stops early when the total time budget would be exceeded', async () => {
    org.api = (_req, res) => sendJson(res, 503, []);
    const c = client({ retry: { baseDelayMs: 200, maxDelayMs: 200, maxTotalMs: 1 } });
    const error = (await c.json('GET', '/limits').catch((e: unknown) => e)) as SalesforceTransientError;
    expect(error.details.attempts).toBeLessThan(5);
  });

  it.each([
    [400, 'MALFORMED_QUERY', "unexpected token: 'FORM'", SalesforceQueryError],
    [400, 'INVALID_FIELD', "No such column 'Nope' on entity 'Account'", SalesforceQueryError],
    [400, 'API_ERROR', 'Selecting compound data not supported in Bulk Query', SalesforceQueryError],
    [400, 'INVALIDENTITY', 'Entity X is not supported by the Bulk API', SalesforceQueryError],
    [403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', SalesforceLimitError],
    [404, 'NOT_FOUND', 'The requested resource does not exist', SalesforceApiError],
  ])('HTTP %i %s is not retried', async (status, errorCode, message, type) => {
    org.api = (_req, res) => sendJson(res, status, [{ errorCode, message }]);
    const error = (await client()
      .json('GET', '/query?q=SELECT')
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(type);
    expect(error.message).toContain(`HTTP ${status} ${errorCode}: ${message}`);
    expect(error.message).not.toContain('q=SELECT'); // the SOQL stays out of the label
    expect(org.apiRequests()).toHaveLength(1);
    expect(errorMetric(error)).toEqual(expect.any(String));
    if (error instanceof SalesforceQueryError) expect(error.details.compound).toBe(/compound/.test(message));
  });

  it('retries a connection reset', async () => {
    org.api = brokenOnceThen(
      (req) => {
        req.socket.destroy();
      },
      { ok: true },
    );
    const c = client();
    await expect(c.json('GET', '/limits')).resolves.toEqual({ ok: true });
    expect(c.retries).toBe(1);
  });

  it('retries a body cut off mid-transfer (Content-Length longer than what arrives)', async () => {
    org.api = brokenOnceThen(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
        res.write('{"totalSize": 3, "done": tr');
        setTimeout(() => res.socket?.destroy(), 10);
      },
      { totalSize: 3, done: true, records: [] },
    );
    const c = client();
    await expect(c.json('GET', '/query?q=x')).resolves.toMatchObject({ done: true });
    expect(c.retries).toBe(1);
  });

  it('retries a complete response whose JSON ended early; a non-JSON body is not retried', async () => {
    let n = 0;
    org.api = (_req, res) => {
      n++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(n === 1 ? '{"records": [{"Id": "001' : n === 2 ? '{"ok": true}' : '<html>maintenance</html>');
    };
    const c = client();
    await expect(c.json('GET', '/limits')).resolves.toEqual({ ok: true });
    expect(c.retries).toBe(1);
    await expect(c.json('GET', '/limits')).rejects.toBeInstanceOf(SalesforceApiError);
    expect(n).toBe(3);
  });

  it('retry: false sends once and reports the failure as not retried', async () => {
    org.api = (_req, res) => sendJson(res, 503, []);
    const error = (await client()
      .json('POST', '/jobs/query', {}, { retry: false })
      .catch((e: unknown) => e)) as SalesforceTransientError;
    expect(error).toBeInstanceOf(SalesforceTransientError);
    expect(error.details).toEqual({ status: 503, attempts: 1, retried: false });
    expect(org.apiRequests()).toHaveLength(1);
  });

  it('retry: false still renews once on 401 (the request was refused unprocessed)', async () => {
    org.api = (_req, res) => sendJson(res, 200, { id: '750xx' });
    const c = client();
    await c.json('GET', '/limits');
    org.valid.clear();
    await expect(c.json('POST', '/jobs/query', {}, { retry: false })).resolves.toEqual({ id: '750xx' });
    expect(org.apiRequests().map((r) => r.method)).toEqual(['GET', 'POST', 'POST']);
  });
});

describe('stream()', () => {
  const CSV = '"Id","Name"\n"001","Ａｃｍｅ, Inc."\n"002","emoji 🎉"\n';

  it('returns the body gunzipped (Content-Encoding: gzip) with the response headers', async () => {
    org.api = (req, res) => {
      const body = gzipSync(CSV);
      res.writeHead(200, {
        'content-encoding': 'gzip',
        'content-length': body.length,
        'sforce-locator': 'null',
        'x-accept': String(req.headers['accept-encoding']),
      });
      res.end(body);
    };
    const response = await client().stream('/jobs/query/750xx/results?maxRecords=10');
    expect(response.status).toBe(200);
    expect(response.headers.get('sforce-locator')).toBe('null');
    expect(response.headers.get('x-accept')).toContain('gzip');
    expect(await text(response.body)).toBe(CSV);
  });

  it('gunzips itself when the fetch in use hands back the encoded bytes', async () => {
    const rawFetch: typeof fetch = async (input, init) => {
      const upstream = await fetch(input, init);
      return new Response(gzipSync(CSV), {
        status: upstream.status,
        headers: { 'content-encoding': 'gzip' },
      });
    };
    org.api = (_req, res) => sendJson(res, 200, {});
    const response = await client({ fetch: rawFetch }).stream('/x');
    expect(await text(response.body)).toBe(CSV);
  });

  it('a gzip body cut short errors the stream with TruncatedBodyError', async () => {
    const gz = gzipSync(CSV.repeat(200));
    const rawFetch: typeof fetch = async (input, init) => {
      await fetch(input, init);
      return new Response(gz.subarray(0, gz.length - 40), {
        status: 200,
        headers: { 'content-encoding': 'gzip' },
      });
    };
    org.api = (_req, res) => sendJson(res, 200, {});
    const response = await client({ fetch: rawFetch }).stream('/x');
    await expect(text(response.body)).rejects.toBeInstanceOf(TruncatedBodyError);
  });

  it('a connection dropped mid-body errors the stream (never a clean end), for plain and gzip bodies', async () => {
    for (const gzip of [false, true]) {
      org.api = (_req, res) => {
        res.writeHead(200, gzip ? { 'content-encoding': 'gzip' } : { 'content-type': 'text/csv' });
        const chunk = gzip ? gzipSync(CSV.repeat(5000)).subarray(0, 4000) : Buffer.from(CSV.repeat(100));
        res.write(chunk, () => setTimeout(() => res.socket?.destroy(), 20));
      };
      const response = await client().stream('/x');
      const error = await text(response.body).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TruncatedBodyError);
      expect(isRetryable(error)).toBe(true);
    }
  });

  it('retries until the headers arrive (5xx, reset), then hands over the body', async () => {
    let n = 0;
    org.api = (req, res) => {
      n++;
      if (n === 1) return sendJson(res, 503, []);
      if (n === 2) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(CSV);
    };
    const c = client();
    const response = await c.stream('/x');
    expect(await text(response.body)).toBe(CSV);
    expect(c.retries).toBe(2);
  });

  it('a body that stalls mid-transfer errors as truncated after the idle timeout', async () => {
    org.api = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write(CSV); // ... and nothing more, connection left open
    };
    const c = new SalesforceClient({ tokens: orgTokens(), bodyIdleTimeoutMs: 200 });
    const started = Date.now();
    const error = await text((await c.stream('/x')).body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TruncatedBodyError);
    expect((error as Error).message).toMatch(/ETIMEDOUT/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('withRetry re-requests a page whose body broke', async () => {
    let n = 0;
    org.api = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      if (++n === 1) {
        res.write(CSV.slice(0, 20), () => setTimeout(() => res.socket?.destroy(), 10));
        return;
      }
      res.end(CSV);
    };
    const c = client();
    const body = await c.withRetry('page 1', async () => text((await c.stream('/x')).body));
    expect(body).toBe(CSV);
    expect(n).toBe(2);
  });

  it('a gzip body cut short inside complete HTTP framing errors the stream (fetch would end it quietly)', async () => {
    const gz = gzipSync(CSV.repeat(2000));
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    org.api = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': cut.length });
      res.end(cut);
    };
    const response = await client().stream('/x');
    await expect(text(response.body)).rejects.toBeInstanceOf(TruncatedBodyError);
  });

  it('an empty 200 body is an empty stream', async () => {
    org.api = (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': 0 });
      res.end();
    };
    expect(await text((await client().stream('/x')).body)).toBe('');
  });

  it('keeps back-pressure: an unread gzip body stops the sender', async () => {
    let produced = 0;
    org.api = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-encoding': 'gzip' });
      // Incompressible text, so socket buffers cannot hide megabytes of it.
      const source = Readable.from(
        (function* () {
          while (produced < 1024 ** 3) {
            const block = Buffer.from(randomBytes(32 * 1024).toString('hex'));
            produced += block.length;
            yield block;
          }
        })(),
      );
      source.pipe(createGzip({ level: 1 })).pipe(res);
    };
    const response = await client().stream('/x');
    // Wait until the sender stalls (socket buffers full); with no back-pressure it never would.
    let paused = -1;
    for (let waited = 0; produced !== paused && waited < 10_000; waited += 300) {
      paused = produced;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(produced).toBe(paused);
    expect(produced).toBeLessThan(64 * 1024 ** 2);
    // Reading resumes the flow.
    let read = 0;
    for await (const chunk of response.body) {
      read += (chunk as Buffer).length;
      if (read > paused + 1024 ** 2) break;
    }
    expect(produced).toBeGreaterThan(paused);
  });
});

describe('helpers', () => {
  it('parseLimitInfo reads api-usage and ignores per-app usage', () => {
    expect(parseLimitInfo('api-usage=18/5000')).toEqual({ used: 18, max: 5000 });
    expect(parseLimitInfo('per-app-api-usage=17/250(appName=x); api-usage=25/5000')).toEqual({
      used: 25,
      max: 5000,
    });
    expect(parseLimitInfo('per-app-api-usage=17/250(appName=x)')).toBeUndefined();
    expect(parseLimitInfo(null)).toBeUndefined();
  });

  it('backoffDelay: full jitter under an exponential cap, Retry-After as a floor, maxDelayMs as a ceiling', () => {
    const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(policy, 1, undefined, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, undefined, () => 0.999)).toBe(399);
    expect(backoffDelay(policy, 10, undefined, () => 0.999)).toBe(999);
    expect(backoffDelay(policy, 1, undefined, () => 0)).toBe(0);
    expect(resolveRetryPolicy({ attempts: 50 }).attempts).toBe(5);
  });
});
