import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip, gunzipSync } from 'node:zlib';
import { isTruncatedJson, type TokenProvider, type SalesforceToken } from './auth';
import {
  RetryableStatusError,
  SalesforceApiError,
  SalesforceLimitError,
  SalesforceQueryError,
  SalesforceSessionError,
  SalesforceTransientError,
  TruncatedBodyError,
  describeFailure,
  isRetryable,
} from './errors';

export const DEFAULT_API_VERSION = '63.0';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has passed since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxTotalMs: 180_000,
};

export function resolveRetryPolicy(options: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY };
  for (const key of Object.keys(policy) as Array<keyof RetryPolicy>) {
    const value = options[key];
    if (value !== undefined) policy[key] = value;
  }
  policy.attempts = Math.max(1, Math.min(5, Math.floor(policy.attempts)));
  return policy;
}

/**
 * Exponential backoff with full jitter (a random delay between 0 and the exponential cap),
 * so clients that failed together do not come back together. A Retry-After from a 429/503
 * is honoured as a floor, still capped by maxDelayMs.
 */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  error?: unknown,
  random = Math.random,
): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * cap);
  const retryAfter = error instanceof RetryableStatusError ? error.retryAfterMs : undefined;
  return retryAfter === undefined ? jittered : Math.min(policy.maxDelayMs, Math.max(jittered, retryAfter));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** calls = HTTP requests this client sent to the API (token requests excluded); used/max from the last Sforce-Limit-Info. */
export interface ApiUsage {
  calls: number;
  used?: number;
  max?: number;
}

/** `api-usage=18/5000` (other parts such as `per-app-api-usage=...` may follow). */
export function parseLimitInfo(header: string | null): { used: number; max: number } | undefined {
  if (!header) return undefined;
  const match = /(?:^|[\s;,])api-usage=(\d+)\/(\d+)/.exec(header);
  return match ? { used: Number(match[1]), max: Number(match[2]) } : undefined;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** JSON.parse's reviver with the source-text access of ES2025 (`context.source` for primitives). */
export type JsonReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

export interface SalesforceClientOptions {
  tokens: TokenProvider;
  apiVersion?: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  log?: (entry: Record<string, unknown>) => void;
  /** Until the response headers arrive (json(): until the body is read too). */
  requestTimeoutMs?: number;
  /** stream(): a body that stays silent this long is cut (and errors as truncated). */
  bodyIdleTimeoutMs?: number;
}

// Error codes that say the query is wrong: sending it again cannot help.
const QUERY_ERROR_CODES = new Set([
  'MALFORMED_QUERY',
  'INVALID_FIELD',
  'INVALID_TYPE',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_QUERY_LOCATOR',
  'QUERY_TOO_COMPLICATED',
  'INVALIDJOB',
  // An object the Bulk API cannot query ("... is not supported by the Bulk API").
  'INVALIDENTITY',
  // Bulk queries refuse compound and base64 fields with this code.
  'FUNCTIONALITY_NOT_ENABLED',
]);

interface ErrorBody {
  errorCode?: string;
  message?: string;
}

function parseErrorBody(text: string): ErrorBody {
  try {
    const parsed = JSON.parse(text) as unknown;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as Record<string, unknown> | undefined;
    if (!first || typeof first !== 'object') return {};
    const errorCode = first.errorCode ?? first.error;
    const message = first.message ?? first.error_description;
    return {
      errorCode: typeof errorCode === 'string' ? errorCode : undefined,
      message: typeof message === 'string' ? message : undefined,
    };
  } catch {
    return {};
  }
}

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Drops the query string: SOQL can be long, and labels go to logs. */
function label(method: string, path: string): string {
  return `${method} ${path.split('?')[0]}`;
}

/** One HTTP exchange, whichever transport carried it. */
interface Reply {
  status: number;
  headers: Headers;
  /** The whole body as text (JSON answers and error bodies, which are small). */
  text(): Promise<string>;
  /** The body as it came: raw bytes (node:http) or already decoded (fetch decodes gzip itself). */
  body(): Readable;
}

interface RequestInit {
  body?: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  idleTimeoutMs?: number;
}

type Transport = (method: Method, url: string, init: RequestInit) => Promise<Reply>;

function fetchTransport(fetchImpl: typeof fetch): Transport {
  return async (method, url, init) => {
    const response = await fetchImpl(url, {
      method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    return {
      status: response.status,
      headers: response.headers,
      text: () => response.text(),
      body: () => webBodyToNode(response),
    };
  };
}

/**
 * node:http(s), for streamed bodies. Global fetch decodes gzip itself and leniently: a gzip
 * body cut short (with complete HTTP framing) just ends, without an error, so a truncated
 * results page would look complete. Over node:http the bytes arrive raw and are gunzipped
 * here strictly (createGunzip errors on a missing gzip trailer), at the consumer's pace.
 */
const nodeTransport: Transport = (method, url, init) =>
  new Promise<Reply>((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(target, { method, headers: init.headers, signal: init.signal }, (response) => {
      // A stalled connection would otherwise hold the reader until the Lambda times out.
      if (init.idleTimeoutMs) {
        response.setTimeout(init.idleTimeoutMs, () =>
          response.destroy(Object.assign(new Error('response body stalled'), { code: 'ETIMEDOUT' })),
        );
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (Array.isArray(value)) value.forEach((v) => headers.append(name, v));
        else if (value !== undefined) headers.set(name, value);
      }
      resolve({
        status: response.statusCode ?? 0,
        headers,
        text: async () => {
          const raw = await buffer(response);
          if (!/\bgzip\b/i.test(headers.get('content-encoding') ?? '')) return raw.toString('utf8');
          try {
            return gunzipSync(raw).toString('utf8');
          } catch {
            return raw.toString('utf8');
          }
        },
        body: () => response,
      });
    });
    request.on('error', reject);
    request.end(init.body);
  });

/** A fetch body as a Node stream pulled from the web reader only as fast as it is read. */
function webBodyToNode(response: Response): Readable {
  if (!response.body) return Readable.from([]);
  const reader = (response.body as unknown as WebReadableStream<Uint8Array>).getReader();
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        const next = await reader.read();
        if (next.done) return;
        yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      }
    } finally {
      // The consumer stopped early (or it failed): release the connection.
      reader.cancel().catch(() => undefined);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/**
 * Salesforce REST and Bulk API 2.0. Every call carries the cached bearer token; a 401
 * INVALID_SESSION_ID mints a new token once and sends the same request once more. 429,
 * 5xx, network failures and truncated bodies are retried with backoff (idempotent
 * requests only). JSON goes over global fetch, streamed bodies over node:http (see
 * nodeTransport) unless a `fetch` is injected. Tokens live only in the Authorization
 * header: nothing here logs headers or URLs with credentials.
 */
export class SalesforceClient {
  readonly usage: ApiUsage = { calls: 0 };
  /** Retries performed so far (401 renewals not included). */
  retries = 0;
  /** Tokens re-minted after 401 INVALID_SESSION_ID. */
  renewals = 0;
  readonly apiVersion: string;
  private readonly tokens: TokenProvider;
  private readonly jsonTransport: Transport;
  private readonly streamTransport: Transport;
  private readonly retryPolicy: RetryPolicy;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly requestTimeoutMs: number;
  private readonly bodyIdleTimeoutMs: number;

  constructor(options: SalesforceClientOptions) {
    this.tokens = options.tokens;
    this.apiVersion = (options.apiVersion ?? DEFAULT_API_VERSION).replace(/^v/, '');
    this.jsonTransport = fetchTransport(options.fetch ?? ((input, init) => fetch(input, init)));
    this.streamTransport = options.fetch ? this.jsonTransport : nodeTransport;
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.log = options.log ?? (() => undefined);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 150_000;
    this.bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? 300_000;
  }

  /**
   * A JSON request. `path` is relative to /services/data/v<API> ('/limits') or absolute
   * ('/services/data/v63.0/query/01g...-2000', as in nextRecordsUrl). `options.retry: false`
   * sends it once (a 401 renewal still resends it: Salesforce refused it unprocessed).
   * `options.reviver` is handed to JSON.parse (query pages keep exact number text with it).
   */
  async json<T>(
    method: Method,
    path: string,
    body?: unknown,
    options: { retry?: boolean; reviver?: JsonReviver } = {},
  ): Promise<T> {
    return this.withRetry(
      label(method, path),
      async () => {
        const reply = await this.send(this.jsonTransport, method, path, {
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        });
        if (reply.status < 200 || reply.status > 299) throw await errorFromReply(reply, method, path);
        const text = await reply.text();
        if (reply.status === 204 || text === '') return undefined as T;
        try {
          return JSON.parse(text, options.reviver) as T;
        } catch (error) {
          if (isTruncatedJson(error, text))
            throw new TruncatedBodyError(`${label(method, path)}: JSON body ended early`);
          throw new SalesforceApiError(`${label(method, path)}: response is not JSON`, {
            status: reply.status,
          });
        }
      },
      options,
    );
  }

  /**
   * A GET whose body is streamed (Bulk results). Retried like json() until the headers
   * and the first bytes arrive; after that the returned body errors with
   * TruncatedBodyError if the connection drops early, so a caller never mistakes a cut
   * page for a complete one (re-request it: reads by locator are safe to repeat).
   * Gunzipped when Content-Encoding is gzip, at the pace the consumer reads.
   */
  async stream(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: Readable }> {
    return this.withRetry(label('GET', path), async () => {
      const controller = new AbortController();
      // A timeout for the headers and first bytes only: a long page must not be cut by it.
      const timer = setTimeout(
        () => controller.abort(new DOMException('response headers timed out', 'TimeoutError')),
        this.requestTimeoutMs,
      );
      try {
        const reply = await this.send(this.streamTransport, 'GET', path, {
          headers: { 'accept-encoding': 'gzip', ...headers },
          signal: controller.signal,
          idleTimeoutMs: this.bodyIdleTimeoutMs,
        });
        if (reply.status < 200 || reply.status > 299) throw await errorFromReply(reply, 'GET', path);
        const body = await decodedBody(reply, label('GET', path));
        return { status: reply.status, headers: reply.headers, body };
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /**
   * Runs `attempt` until it succeeds, with the client's backoff, while its failures are
   * retryable (isRetryable). For callers that re-request a results page whose stream
   * broke. `retry: false` turns a retryable failure into SalesforceTransientError at once.
   */
  async withRetry<T>(
    what: string,
    attempt: (n: number) => Promise<T>,
    options: { retry?: boolean } = {},
  ): Promise<T> {
    const started = Date.now();
    for (let n = 1; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        const status = error instanceof RetryableStatusError ? error.status : undefined;
        if (options.retry === false) {
          throw new SalesforceTransientError(
            `${what} failed: ${describeFailure(error)} (not retried: repeating it is unsafe)`,
            { status, attempts: n, retried: false },
            { cause: error },
          );
        }
        const delay = backoffDelay(this.retryPolicy, n, error);
        if (n >= this.retryPolicy.attempts || Date.now() - started + delay > this.retryPolicy.maxTotalMs) {
          throw new SalesforceTransientError(
            `${what} failed after ${n} attempt(s) in ${Date.now() - started} ms: ${describeFailure(error)}`,
            { status, attempts: n, retried: n > 1 },
            { cause: error },
          );
        }
        this.retries++;
        this.log({
          message: 'salesforce request retry',
          request: what,
          attempt: n,
          delayMs: delay,
          reason: describeFailure(error),
        });
        await sleep(delay);
      }
    }
  }

  private url(token: SalesforceToken, path: string): string {
    if (!path.startsWith('/')) {
      throw new SalesforceApiError(`Request paths start with "/" (got a path of ${path.length} characters)`, {
        status: 0,
      });
    }
    return path.startsWith('/services/')
      ? `${token.instanceUrl}${path}`
      : `${token.instanceUrl}/services/data/v${this.apiVersion}${path}`;
  }

  /** One request, renewing the token once on 401 INVALID_SESSION_ID and resending it. */
  private async send(transport: Transport, method: Method, path: string, init: RequestInit): Promise<Reply> {
    let token = await this.tokens.token();
    let reply = await this.sendOnce(transport, method, path, token, init);
    if (reply.status !== 401) return reply;
    const first = parseErrorBody(await reply.text().catch(() => ''));
    if (first.errorCode && first.errorCode !== 'INVALID_SESSION_ID') {
      throw new SalesforceApiError(`${label(method, path)}: HTTP 401 ${first.errorCode}`, {
        status: 401,
        errorCode: first.errorCode,
      });
    }
    this.renewals++;
    this.log({ message: 'salesforce session expired; minting a new token', request: label(method, path) });
    token = await this.tokens.renew(token.accessToken);
    reply = await this.sendOnce(transport, method, path, token, init);
    if (reply.status !== 401) return reply;
    const second = parseErrorBody(await reply.text().catch(() => ''));
    throw new SalesforceSessionError(
      `${label(method, path)}: HTTP 401 ${second.errorCode ?? 'Unauthorized'} again with a newly minted token (check the connected app's session policies and the user's access)`,
    );
  }

  private async sendOnce(
    transport: Transport,
    method: Method,
    path: string,
    token: SalesforceToken,
    init: RequestInit,
  ): Promise<Reply> {
    this.usage.calls++;
    const reply = await transport(method, this.url(token, path), {
      ...init,
      headers: { accept: 'application/json', ...init.headers, authorization: `Bearer ${token.accessToken}` },
    });
    const limit = parseLimitInfo(reply.headers.get('sforce-limit-info'));
    if (limit) {
      this.usage.used = limit.used;
      this.usage.max = limit.max;
    }
    return reply;
  }
}

async function errorFromReply(reply: Reply, method: string, path: string): Promise<Error> {
  // A cut-off error body says nothing more than its status.
  const { errorCode, message } = parseErrorBody(await reply.text().catch(() => ''));
  const what = `${label(method, path)}: HTTP ${reply.status}${errorCode ? ` ${errorCode}` : ''}${message ? `: ${message}` : ''}`;
  if (reply.status === 429 || reply.status >= 500) {
    return new RetryableStatusError(what, reply.status, retryAfterMs(reply.headers));
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return new SalesforceLimitError(what);
  // Compound fields (address, location) are refused by Bulk queries; which code carries it varies.
  const compound = /compound/i.test(message ?? '');
  if (compound || (errorCode !== undefined && QUERY_ERROR_CODES.has(errorCode))) {
    return new SalesforceQueryError(what, {
      errorCode: errorCode ?? 'UNKNOWN',
      status: reply.status,
      compound,
    });
  }
  return new SalesforceApiError(what, { status: reply.status, errorCode });
}

/** The first chunk of a paused stream, put back so the stream still starts with it (null: empty). */
function peek(source: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      source.off('readable', onReadable);
      source.off('end', onEnd);
      source.off('error', onError);
    };
    const onReadable = () => {
      const chunk = source.read() as Buffer | null;
      if (chunk === null) return;
      cleanup();
      source.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    source.on('readable', onReadable);
    source.on('end', onEnd);
    source.on('error', onError);
  });
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The body as a Node stream with back-pressure, gunzipped when it is gzip (by header and
 * magic bytes: fetch, when injected, may have decoded it already). A read failure
 * (connection dropped, gzip cut short) errors the stream with TruncatedBodyError; it
 * never just ends.
 */
async function decodedBody(reply: Reply, what: string): Promise<Readable> {
  const truncated = (error: unknown) =>
    error instanceof TruncatedBodyError
      ? error
      : new TruncatedBodyError(`${what}: body ended early (${describeFailure(error)})`, { cause: error });
  const source = reply.body();
  let first: Buffer | null;
  try {
    first = await peek(source);
  } catch (error) {
    source.destroy();
    throw truncated(error);
  }
  if (first === null) return Readable.from([]);
  const gzipped =
    /\bgzip\b/i.test(reply.headers.get('content-encoding') ?? '') &&
    first[0] === GZIP_MAGIC[0] &&
    first[1] === GZIP_MAGIC[1];
  const gunzip = gzipped ? createGunzip() : undefined;
  const out = new PassThrough();
  // pipe() keeps back-pressure; errors are mapped here because pipe() does not forward them.
  source.on('error', (error) => out.destroy(truncated(error)));
  gunzip?.on('error', (error) => out.destroy(truncated(error)));
  out.on('close', () => {
    if (!out.readableEnded) {
      source.destroy();
      gunzip?.destroy();
    }
  });
  if (gunzip) source.pipe(gunzip).pipe(out);
  else source.pipe(out);
  return out;
}
