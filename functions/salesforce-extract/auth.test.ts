import { decodeJwt, decodeProtectedHeader } from 'jose';
import { TokenProvider, resetTokenCache } from './auth';
import { SalesforceAuthError, SalesforceTransientError } from './errors';
import { sendJson, startServer, testKeys, verifyAssertion, type TestServer } from './client-test-support';
import type { SalesforceSecret } from './secret';

const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 5 };
const AUDIENCE = 'https://login.salesforce.com';

let server: TestServer;
let nextResponse: ((res: Parameters<typeof sendJson>[0]) => void) | undefined;
let issued = 0;

beforeAll(async () => {
  server = await startServer(async (req, res, body) => {
    if (req.url !== '/services/oauth2/token' || req.method !== 'POST') {
      sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: 'no such resource' }]);
      return;
    }
    if (nextResponse) {
      const respond = nextResponse;
      nextResponse = undefined;
      respond(res);
      return;
    }
    const verdict = await verifyAssertion(body, {
      publicKey: testKeys().publicKey,
      consumerKey: 'consumer-key',
      username: 'etl@example.com',
      audience: AUDIENCE,
    });
    if (!verdict.ok) {
      sendJson(res, 400, { error: verdict.error, error_description: verdict.description });
      return;
    }
    issued++;
    sendJson(res, 200, {
      access_token: `00Dxx!token-${issued}`,
      instance_url: 'https://example.my.salesforce.com',
      id: 'https://login.salesforce.com/id/00Dxx/005xx',
      token_type: 'Bearer',
      scope: 'api',
    });
  });
});
afterAll(() => server.close());
beforeEach(() => {
  resetTokenCache();
  server.requests.length = 0;
  nextResponse = undefined;
});

function secret(overrides: Partial<SalesforceSecret> = {}): SalesforceSecret {
  return {
    consumerKey: 'consumer-key',
    privateKey: testKeys().pkcs8,
    username: 'etl@example.com',
    loginUrl: AUDIENCE,
    tokenUrl: server.url,
    ...overrides,
  };
}

describe('TokenProvider', () => {
  it('signs an RS256 assertion with iss, sub, aud = loginUrl and exp at most 3 minutes ahead, posted to tokenUrl', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await new TokenProvider(secret()).token();
    expect(token).toEqual({
      accessToken: expect.stringMatching(/^00Dxx!token-/),
      instanceUrl: 'https://example.my.salesforce.com',
    });
    expect(server.requests).toHaveLength(1);
    const request = server.requests[0]!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const assertion = new URLSearchParams(request.body).get('assertion')!;
    expect(decodeProtectedHeader(assertion).alg).toBe('RS256');
    const claims = decodeJwt(assertion);
    expect(claims).toMatchObject({ iss: 'consumer-key', sub: 'etl@example.com', aud: AUDIENCE });
    expect(claims.exp! - before).toBeGreaterThan(60);
    expect(claims.exp! - before).toBeLessThanOrEqual(180);
  });

  it('accepts a PKCS#1 key, and a key whose line breaks were stored as literal \\n', async () => {
    await expect(new TokenProvider(secret({ privateKey: testKeys().pkcs1 })).token()).resolves.toBeDefined();
    resetTokenCache();
    const flattened = testKeys().pkcs8.replace(/\n/g, '\\n');
    await expect(new TokenProvider(secret({ privateKey: flattened })).token()).resolves.toBeDefined();
  });

  it('posts to <loginUrl>/services/oauth2/token when there is no tokenUrl', async () => {
    // The login URL doubles as audience here, so the local server must accept it as aud.
    const provider = new TokenProvider(secret({ loginUrl: server.url, tokenUrl: undefined }));
    await expect(provider.token()).rejects.toMatchObject({
      details: { errorDescription: 'audience is invalid' },
    });
    expect(server.requests).toHaveLength(1);
  });

  it('reuses one token across providers and concurrent callers (module-scope cache) until reset', async () => {
    const [a, b] = await Promise.all([
      new TokenProvider(secret()).token(),
      new TokenProvider(secret()).token(),
    ]);
    expect(a).toEqual(b);
    const c = await new TokenProvider(secret()).token();
    expect(c).toEqual(a);
    expect(server.requests).toHaveLength(1);
    resetTokenCache();
    const d = await new TokenProvider(secret()).token();
    expect(d.accessToken).not.toBe(a.accessToken);
    expect(server.requests).toHaveLength(2);
  });

  it('keys the cache by consumer key, username and token URL', async () => {
    await new TokenProvider(secret()).token();
    await new TokenProvider(secret({ tokenUrl: `${server.url}/` })).token(); // same endpoint once normalized
    expect(server.requests).toHaveLength(1);
    await new TokenProvider(secret({ username: 'other@example.com' })).token().catch(() => undefined);
    expect(server.requests).toHaveLength(2);
  });

  it('renew() mints a new token; concurrent renewals of the same stale token mint once', async () => {
    const provider = new TokenProvider(secret());
    const first = await provider.token();
    const [r1, r2] = await Promise.all([
      provider.renew(first.accessToken),
      provider.renew(first.accessToken),
    ]);
    expect(r1.accessToken).not.toBe(first.accessToken);
    expect(r2).toEqual(r1);
    expect(server.requests).toHaveLength(2);
    expect(await provider.token()).toEqual(r1);
  });

  it('retries a 503 from the token endpoint, then succeeds', async () => {
    nextResponse = (res) =>
      sendJson(res, 503, { error: 'server_error', error_description: 'down for maintenance' });
    const provider = new TokenProvider(secret(), { retry: FAST_RETRY });
    await expect(provider.token()).resolves.toBeDefined();
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on a token endpoint that keeps failing after 5 attempts with SalesforceTransientError', async () => {
    const failing = await startServer((_req, res) => sendJson(res, 500, { error: 'server_error' }));
    try {
      const provider = new TokenProvider(secret({ tokenUrl: failing.url }), { retry: FAST_RETRY });
      const error = await provider.token().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SalesforceTransientError);
      expect(failing.requests).toHaveLength(5);
      // A failed mint is not cached: the next call tries again.
      await provider.token().catch(() => undefined);
      expect(failing.requests).toHaveLength(10);
    } finally {
      await failing.close();
    }
  });
});

describe('token errors: not retried, one actionable hint each', () => {
  const cases: Array<{ error: string; description: string; hint: RegExp }> = [
    {
      error: 'invalid_grant',
      description: "user hasn't approved this consumer",
      hint: /pre-authorized.*profile or a permission set/,
    },
    {
      error: 'invalid_app_access',
      description: 'user is not admin approved to access this app',
      hint: /pre-authorized/,
    },
    {
      error: 'invalid_grant',
      description: 'audience is invalid',
      hint: /login\.salesforce\.com.*test\.salesforce\.com.*My Domain/,
    },
    { error: 'invalid_grant', description: 'expired authorization code', hint: /clock/ },
    {
      error: 'invalid_grant',
      description: 'invalid assertion',
      hint: /certificate uploaded to the connected app/,
    },
    {
      error: 'invalid_client_id',
      description: 'client identifier invalid',
      hint: /consumerKey is not a known/,
    },
    { error: 'invalid_client', description: 'invalid client credentials', hint: /consumerKey/ },
    {
      error: 'invalid_grant',
      description: 'authentication failure',
      hint: /username .* is active and not locked/,
    },
  ];

  it.each(cases)('$error / $description', async ({ error, description, hint }) => {
    nextResponse = (res) => sendJson(res, 400, { error, error_description: description });
    const thrown = await new TokenProvider(secret(), { retry: FAST_RETRY }).token().catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(SalesforceAuthError);
    const authError = thrown as SalesforceAuthError;
    expect(authError.name).toBe('SalesforceAuthError');
    expect(authError.details).toMatchObject({ error, errorDescription: description, status: 400 });
    expect(authError.hint).toMatch(hint);
    expect(authError.message).toContain(`${error} / ${description}`);
    expect(authError.message).toContain(authError.hint);
    expect(server.requests).toHaveLength(1);
  });

  it('the real verifier: a wrong key, consumer key, audience or username each come back as their pair', async () => {
    const other = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongKey = other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const attempts: Array<[Partial<SalesforceSecret>, string]> = [
      [{ privateKey: wrongKey }, 'invalid assertion'],
      [{ consumerKey: 'not-the-key' }, 'client identifier invalid'],
      [{ loginUrl: 'https://example.my.salesforce.com' }, 'audience is invalid'],
    ];
    for (const [overrides, description] of attempts) {
      resetTokenCache();
      const error = (await new TokenProvider(secret(overrides))
        .token()
        .catch((e: unknown) => e)) as SalesforceAuthError;
      expect(error.details.errorDescription).toBe(description);
    }
  });

  it('a clock far behind makes an already-expired assertion: invalid_grant / expired authorization code', async () => {
    const provider = new TokenProvider(secret(), { now: () => Date.now() - 10 * 60_000 });
    const error = (await provider.token().catch((e: unknown) => e)) as SalesforceAuthError;
    expect(error.details.errorDescription).toBe('expired authorization code');
    expect(error.hint).toMatch(/clock/);
  });

  it('an unreadable or non-RSA key is a SalesforceAuthError before any request', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    for (const privateKey of [
      '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
      ec.toString(),
    ]) {
      const error = (await new TokenProvider(secret({ privateKey }))
        .token()
        .catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(SalesforceAuthError);
      expect(error.message).not.toContain('not a key');
    }
    expect(server.requests).toHaveLength(0);
  });
});
