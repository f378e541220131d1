import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

/**
 * Test-only: a tiny local HTTP server standing in for Salesforce in the client's unit
 * tests (the protocol-faithful fake lives in scripts/fakes/salesforce). Handlers see the
 * raw request, so a test can drop connections, cut bodies or lie about lengths.
 */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  index: number,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const index =
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body }) - 1;
      Promise.resolve(handler(req, res, body, index)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length, ...headers });
  res.end(body);
}

export interface TestKeys {
  pkcs8: string;
  pkcs1: string;
  publicKey: KeyObject;
}

let keys: TestKeys | undefined;
/** One RSA key pair per test process (generation takes a while). */
export function testKeys(): TestKeys {
  if (!keys) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      pkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      pkcs1: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      publicKey: pair.publicKey,
    };
  }
  return keys;
}

/**
 * A token endpoint that verifies the assertion like Salesforce does (RS256 signature,
 * iss, sub, aud, exp at most 3 minutes ahead) and answers with the given access token.
 */
export async function verifyAssertion(
  body: string,
  expected: { publicKey: KeyObject; consumerKey: string; username: string; audience: string },
): Promise<{ ok: true; exp: number } | { ok: false; error: string; description: string }> {
  const form = new URLSearchParams(body);
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    return { ok: false, error: 'unsupported_grant_type', description: 'grant type not supported' };
  }
  try {
    const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', expected.publicKey, {
      algorithms: ['RS256'],
    });
    if (protectedHeader.alg !== 'RS256')
      return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
    if (payload.iss !== expected.consumerKey) {
      return { ok: false, error: 'invalid_client_id', description: 'client identifier invalid' };
    }
    if (payload.aud !== expected.audience)
      return { ok: false, error: 'invalid_grant', description: 'audience is invalid' };
    if (payload.sub !== expected.username)
      return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
    const exp = Number(payload.exp);
    if (!(exp > Date.now() / 1000) || exp > Date.now() / 1000 + 180) {
      return { ok: false, error: 'invalid_grant', description: 'expired authorization code' };
    }
    return { ok: true, exp };
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_JWT_EXPIRED') {
      return { ok: false, error: 'invalid_grant', description: 'expired authorization code' };
    }
    return { ok: false, error: 'invalid_grant', description: 'invalid assertion' };
  }
}
