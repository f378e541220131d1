import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { createRunsApi, type RunsApi } from '../../functions/runs-api/api';
import { logger } from '../../functions/runs-api/handler';
import { freshLedger, seedRun } from '../../functions/runs-api/testing';
import { proxyEvent } from '../local/api';
import { runsCaptured } from './test-support';
import { NodeSha256, regionOfApiUrl, signRequest } from './sigv4';

/**
 * The --env path end to end without AWS: a tiny server in API Gateway's place checks the
 * Authorization header's shape, recomputes the signature from what arrived on the wire
 * (@smithy/signature-v4 with the secret only it and the operator know), refuses a mismatch
 * with API Gateway's 403, and hands a verified request to the runs API as an IAM-authorized
 * caller (the API itself refuses requests without one).
 */
const KEY = {
  accessKeyId: 'AKIDRUNSCLITEST',
  secretAccessKey: 'runs-cli-test-secret',
  sessionToken: 'session-1',
};
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

class TestSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: Uint8Array | string) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  signedHeaders?: string[];
  problem?: string;
}

function readAll(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Why a request's signature is not valid for `KEY` in `region`, or undefined when it is. */
async function signatureProblem(
  request: IncomingMessage,
  body: string,
  region: string,
): Promise<string | undefined> {
  const auth = request.headers.authorization ?? '';
  const match = AUTHORIZATION.exec(auth);
  if (!match) return `Authorization header is not SigV4 for execute-api: ${auth}`;
  const [, accessKey, day, signedRegion, signedHeaderList] = match;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (accessKey !== KEY.accessKeyId) return `unknown access key ${accessKey}`;
  if (signedRegion !== region) return `signed for ${signedRegion}, expected ${region}`;
  if (!amzDate.startsWith(day!)) return `credential day ${day} is not the X-Amz-Date ${amzDate}`;
  const signedHeaders = signedHeaderList!.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-security-token'])
    if (!signedHeaders.includes(required)) return `${required} is not signed`;
  if (request.headers['x-amz-security-token'] !== KEY.sessionToken) return 'wrong session token';
  const url = new URL(request.url!, `http://${request.headers.host}`);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const headers = Object.fromEntries(signedHeaders.map((name) => [name, String(request.headers[name])]));
  const verifier = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: KEY,
    sha256: TestSha256,
    applyChecksum: false,
  });
  const at = amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  const expected = await verifier.sign(
    {
      method: request.method!,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers,
      body: body || undefined,
    },
    { signingDate: new Date(at), signableHeaders: new Set(signedHeaders) },
  );
  return expected.headers.authorization === auth ? undefined : 'signature does not match';
}

async function fakeApiGateway(api: RunsApi, region: string) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readAll(request);
      const problem = await signatureProblem(request, body, region);
      const auth = request.headers.authorization;
      seen.push({
        method: request.method!,
        url: request.url!,
        authorization: auth,
        signedHeaders: AUTHORIZATION.exec(auth ?? '')?.[4]?.split(';'),
        problem,
      });
      if (problem) {
        response.writeHead(403, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            message:
              'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
          }),
        );
        return;
      }
      // API Gateway strips the stage from the path and names the caller it authorized.
      const event = proxyEvent({
        method: request.method!,
        url: request.url!.replace(/^\/dev/, ''),
        headers: request.headers,
        body: Buffer.from(body),
      });
      Object.assign(event.requestContext.identity, {
        userArn: 'arn:aws:sts::123456789012:assumed-role/operator/alice',
        accountId: '123456789012',
        accessKey: KEY.accessKeyId,
      });
      const result = await api.resolve(event, { awsRequestId: 'test' } as never);
      response.writeHead(result.statusCode, { 'content-type': 'application/json' });
      response.end(result.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const operator = {
  AWS_ACCESS_KEY_ID: KEY.accessKeyId,
  AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey,
  AWS_SESSION_TOKEN: KEY.sessionToken,
  AWS_PROFILE: undefined,
  AWS_REGION: 'ap-northeast-1',
};

describe('npm run runs --env: requests signed with SigV4 for execute-api', () => {
  let gateway: Awaited<ReturnType<typeof fakeApiGateway>>;
  const published: unknown[] = [];

  beforeAll(async () => {
    const { ledger } = await freshLedger();
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'c0ffee00-0000-4000-8000-000000000001',
      startedAt: '2026-11-30T18:00:00.000Z',
      status: 'FAILED',
      error: { name: 'ConnectionError', message: 'source database unreachable' },
    });
    const api = createRunsApi({
      ledger: () => ledger,
      events: () => ({
        async putEvents(entries) {
          published.push(...entries);
          return { FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] };
        },
      }),
      environment: 'dev',
      region: 'ap-northeast-1',
      requireIamIdentity: true,
      logger,
    });
    gateway = await fakeApiGateway(api, 'ap-northeast-1');
  });
  afterAll(() => gateway.close());

  it('signs a GET with a query (host, date and session token signed) and lists what the API returns', async () => {
    const result = await runsCaptured(
      ['list', '--env', 'dev', '--status', 'FAILED', '--from', '2026-12-01T00:00+09:00'],
      { ...operator, RUNS_API_URL: gateway.url },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const request = gateway.seen.at(-1)!;
    expect(request.problem).toBeUndefined();
    expect(request.url).toBe('/dev/runs?status=FAILED&from=2026-12-01T00%3A00%2B09%3A00');
    expect(request.signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token']),
    );
    expect(result.stdout).toContain('c0ffee00-0000-4000-8000-000000000001');
    expect(result.stdout).toContain('ConnectionError: source database unreachable');
  });

  it('signs a POST body: the manual trigger reaches the API and EventBridge', async () => {
    const result = await runsCaptured(
      ['trigger', 'etl', '--date', '2026-11-30', '--env', 'dev', '--url', gateway.url],
      operator,
    );
    expect(result.code).toBe(0);
    expect(gateway.seen.at(-1)).toMatchObject({ method: 'POST', url: '/dev/runs/etl', problem: undefined });
    expect(published.at(-1)).toMatchObject({
      Source: 'etl',
      DetailType: 'manual-trigger',
      Detail: JSON.stringify({ environment: 'dev', date: '2026-11-30' }),
    });
    expect(result.stdout).toMatch(
      new RegExp(
        `\\n  npm run runs -- list --pipeline etl --from \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z --env dev --url ${gateway.url}\\n$`,
      ),
    );
  });

  it('signs a path with an encoded run id', async () => {
    const result = await runsCaptured(
      ['show', 'etl', 'c0ffee00-0000-4000-8000-000000000001', '--env', 'dev', '--url', gateway.url, '--json'],
      operator,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      runId: 'c0ffee00-0000-4000-8000-000000000001',
      status: 'FAILED',
    });
    const missing = await runsCaptured(
      ['show', 'etl', 'no such/run id', '--env', 'dev', '--url', gateway.url],
      operator,
    );
    expect(gateway.seen.at(-1)).toMatchObject({
      url: '/dev/runs/etl/no%20such%2Frun%20id',
      problem: undefined,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: NotFound \(HTTP 404\): .*no such\/run id/);
  });

  it('exits 1 with API Gateway’s message when the signature does not verify (another secret)', async () => {
    const result = await runsCaptured(['list', '--env', 'dev', '--url', gateway.url], {
      ...operator,
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });
    expect(gateway.seen.at(-1)!.problem).toBe('signature does not match');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: Forbidden (HTTP 403): The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.\n',
    );
    expect(result.stdout).toBe('');
  });

  it('refuses a URL of the other environment’s stage before sending anything', async () => {
    const sent = gateway.seen.length;
    const result = await runsCaptured(['list', '--env', 'prd'], {
      ...operator,
      RUNS_API_URL: 'https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: RUNS_API_URL is the dev stage (https://abc123.execute-api.ap-northeast-1.amazonaws.com/dev) but --env is prd; use --env dev or the prd URL\n',
    );
    expect(gateway.seen.length).toBe(sent);
  });
});

describe('signRequest and NodeSha256', () => {
  it('reproduces the AWS SigV4 test suite’s get-vanilla signature', async () => {
    const signer = new SignatureV4({
      service: 'service',
      region: 'us-east-1',
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const headers = await signRequest(
      signer,
      { method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: {} },
      new Date('2015-08-30T12:36:00Z'),
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('hashes and HMACs as node:crypto does, and starts over on reset', async () => {
    const hash = new NodeSha256();
    hash.update('abc');
    expect(Buffer.from(await hash.digest()).toString('hex')).toBe(
      createHash('sha256').update('abc').digest('hex'),
    );
    const mac = new NodeSha256(new Uint8Array([1, 2, 3]));
    mac.update(new Uint8Array([4, 5]));
    mac.reset();
    mac.update('x');
    expect(Buffer.from(await mac.digest()).toString('hex')).toBe(
      createHmac('sha256', Buffer.from([1, 2, 3]))
        .update('x')
        .digest('hex'),
    );
  });

  it('takes the signing region from an execute-api URL', () => {
    expect(regionOfApiUrl('https://a1b2c3.execute-api.us-west-2.amazonaws.com/prd')).toBe('us-west-2');
    expect(regionOfApiUrl('http://127.0.0.1:3100')).toBeUndefined();
    expect(regionOfApiUrl('not a url')).toBeUndefined();
  });
});
