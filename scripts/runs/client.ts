import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Context } from 'aws-lambda';
import type { SignatureV4 } from '@smithy/signature-v4';
import { signRequest } from './sigv4';

/**
 * How the operator CLI reaches the runs API: over HTTP (the deployed API, signed with
 * SigV4; the local `npm run local -- api` server, unsigned) or in this process (the
 * runs-api code itself over the local ledger, when no local server runs). All answer the
 * same way: the status code and the API's JSON body, untouched.
 */
export interface ApiAnswer {
  status: number;
  /** The body as received: printed as is with --json. */
  text: string;
  json: unknown;
}

export interface ApiRequest {
  method: 'GET' | 'POST';
  /** Path below the API's base URL, segments already encoded (`/runs/etl`). */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
}

export interface RunsApiClient {
  send(request: ApiRequest): Promise<ApiAnswer>;
}

/** A failure the CLI reports in one line without a stack (see scripts/lib/args reportError). */
export class ExplainedError extends Error {
  override name = 'ExplainedError';
  readonly explained = true;
}

/** The API answered with an error: its `{error, message}` and HTTP status. */
export class ApiError extends ExplainedError {
  override name = 'ApiError';
  constructor(
    readonly answer: ApiAnswer,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code} (HTTP ${answer.status}): ${detail}`);
  }
}

/** Nothing answered at the URL (connection refused, unknown host, timeout). */
export class UnreachableError extends ExplainedError {
  override name = 'UnreachableError';
  constructor(
    readonly url: string,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(`cannot reach the runs API at ${url} (${reason})`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The answer, or ApiError when the status is not 2xx (the API's error body, or what came back). */
export function checked(answer: ApiAnswer): ApiAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  const body = answer.json as { error?: unknown; message?: unknown; Message?: unknown } | undefined;
  // API Gateway's own refusals (a missing or bad signature: 403) say {"message": …} or {"Message": …}.
  const message = body?.message ?? body?.Message;
  throw new ApiError(
    answer,
    typeof body?.error === 'string'
      ? body.error
      : answer.status === 403
        ? 'Forbidden'
        : `HTTP${answer.status}`,
    typeof message === 'string' ? message : answer.text.trim().slice(0, 300) || 'no body',
  );
}

/** `base` + `path` + query: the stage path of the base URL is kept (`https://…/prd/runs`). */
export function requestUrl(base: string, request: ApiRequest): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${request.path}`;
  for (const [name, value] of Object.entries(request.query ?? {}))
    if (value !== undefined) url.searchParams.set(name, value);
  return url;
}

const TIMEOUT_MS = 30_000;

/**
 * A client over HTTP(S). With `signer`, every request is signed (SigV4, execute-api).
 * node:http rather than fetch: the signed Host header must go out exactly as signed.
 */
export function httpClient(base: string, options: { signer?: SignatureV4 } = {}): RunsApiClient {
  return {
    async send(request) {
      const url = requestUrl(base, request);
      const body = request.body === undefined ? undefined : JSON.stringify(request.body);
      let headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': 'aws-data-pipelines-runs-cli',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      };
      if (options.signer)
        headers = await signRequest(options.signer, { method: request.method, url, headers, body });
      return new Promise<ApiAnswer>((resolve, reject) => {
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, { method: request.method, headers, timeout: TIMEOUT_MS }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: response.statusCode ?? 0, text, json: parseJson(text) });
          });
          response.on('error', reject);
        });
        req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
        req.on('error', (error: NodeJS.ErrnoException) =>
          reject(new UnreachableError(base, error.code, error.code ?? error.message)),
        );
        req.end(body);
      });
    },
  };
}

/** The shape of runs-api's `resolve`, so this module does not load the API's code. */
export interface ResolvesProxyEvents {
  resolve(event: unknown, context: Context): Promise<{ statusCode: number; body: string }>;
}

/**
 * A client that hands each request to the runs-api code in this process as the API
 * Gateway event the local server would make (scripts/local/api.ts proxyEvent).
 */
export function inProcessClient(
  api: ResolvesProxyEvents,
  toEvent: (request: { method: string; url: string; body: Buffer }) => unknown,
  context: () => Context,
): RunsApiClient {
  return {
    async send(request) {
      const url = requestUrl('http://127.0.0.1', request);
      const body = request.body === undefined ? '' : JSON.stringify(request.body);
      const result = await api.resolve(
        toEvent({ method: request.method, url: `${url.pathname}${url.search}`, body: Buffer.from(body) }),
        context(),
      );
      return { status: result.statusCode, text: result.body, json: parseJson(result.body) };
    },
  };
}
