import { PassThrough, Readable, pipeline } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
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

export interface SalesforceClientOptions {
  tokens: TokenProvider;
  apiVersion?: string;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  log?: (entry: Record<string, unknown>) => void;
  /** Until the response headers arrive (json(): until the body is read too). */
  requestTimeoutMs?: number;
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
  'INVALID_OPERATION',
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

/**
 * Salesforce REST and Bulk API 2.0 over global fetch. Every call carries the cached
 * bearer token; a 401 INVALID_SESSION_ID mints a new token once and sends the same
 * request once more. 429, 5xx, network failures and truncated bodies are retried with
 * backoff (idempotent requests only). Tokens live only in the Authorization header:
 * nothing here logs headers or URLs with credentials.
 */
export class SalesforceClient {
  readonly usage: ApiUsage = { calls: 0 };
  /** Retries performed so far (401 renewals not included). */
  retries = 0;
  /** Tokens re-minted after 401 INVALID_SESSION_ID. */
  renewals = 0;
  readonly apiVersion: string;
  private readonly tokens: TokenProvider;
  private readonly fetchImpl: typeof fetch;
  private readonly retryPolicy: RetryPolicy;
  private readonly log: (entry: Record<string, unknown>) => void;
  private readonly requestTimeoutMs: number;

  constructor(options: SalesforceClientOptions) {
    this.tokens = options.tokens;
    this.apiVersion = (options.apiVersion ?? DEFAULT_API_VERSION).replace(/^v/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.retryPolicy = resolveRetryPolicy(options.retry);
    this.log = options.log ?? (() => undefined);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 150_000;
  }

  /**
   * A JSON request. `path` is relative to /services/data/v<API> ('/limits') or absolute
   * ('/services/data/v63.0/query/01g...-2000', as in nextRecordsUrl). `options.retry: false`
   * sends it once (a 401 renewal still resends it: Salesforce refused it unprocessed).
   */
  async json<T>(method: Method, path: string, body?: unknown, options: { retry?: boolean } = {}): Promise<T> {
    return this.withRetry(
      label(method, path),
      async () => {
        const signal = AbortSignal.timeout(this.requestTimeoutMs);
        const response = await this.send(method, path, {
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          signal,
        });
        if (!response.ok) throw await errorFromResponse(response, method, path);
        if (response.status === 204) return undefined as T;
        const text = await response.text();
        if (text === '') return undefined as T;
        try {
          return JSON.parse(text) as T;
        } catch (error) {
          if (isTruncatedJson(error, text))
            throw new TruncatedBodyError(`${label(method, path)}: JSON body ended early`);
          throw new SalesforceApiError(`${label(method, path)}: response is not JSON`, {
            status: response.status,
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
   * The body is gunzipped when Content-Encoding is gzip and fetch has not already
   * decoded it (Node's fetch decodes gzip itself; an injected fetch may not).
   */
  async stream(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: Readable }> {
    return this.withRetry(label('GET', path), async () => {
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException('response headers timed out', 'TimeoutError')),
        this.requestTimeoutMs,
      );
      try {
        const response = await this.send('GET', path, {
          headers: { 'accept-encoding': 'gzip', ...headers },
          signal: controller.signal,
        });
        if (!response.ok) throw await errorFromResponse(response, 'GET', path);
        const body = await decodedBody(response, label('GET', path));
        return { status: response.status, headers: response.headers, body };
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
    if (/^https?:\/\//i.test(path)) {
      throw new SalesforceApiError(
        `Refusing an absolute URL (${label('GET', new URL(path).pathname)}): paths only`,
        {
          status: 0,
        },
      );
    }
    const relative = path.startsWith('/') ? path : `/${path}`;
    return relative.startsWith('/services/')
      ? `${token.instanceUrl}${relative}`
      : `${token.instanceUrl}/services/data/v${this.apiVersion}${relative}`;
  }

  /** One request, renewing the token once on 401 INVALID_SESSION_ID and resending it. */
  private async send(
    method: Method,
    path: string,
    init: { body?: string; headers: Record<string, string>; signal: AbortSignal },
  ): Promise<Response> {
    let token = await this.tokens.token();
    let response = await this.fetchOnce(method, this.url(token, path), token, init);
    if (response.status !== 401) return response;
    const first = parseErrorBody(await response.text());
    if (first.errorCode && first.errorCode !== 'INVALID_SESSION_ID') {
      throw new SalesforceApiError(`${label(method, path)}: HTTP 401 ${first.errorCode}`, {
        status: 401,
        errorCode: first.errorCode,
      });
    }
    this.renewals++;
    this.log({ message: 'salesforce session expired; minting a new token', request: label(method, path) });
    token = await this.tokens.renew(token.accessToken);
    response = await this.fetchOnce(method, this.url(token, path), token, init);
    if (response.status !== 401) return response;
    const second = parseErrorBody(await response.text());
    throw new SalesforceSessionError(
      `${label(method, path)}: HTTP 401 ${second.errorCode ?? ''} again with a newly minted token (check the connected app's session policies and the user's access)`.replace(
        '  ',
        ' ',
      ),
    );
  }

  private async fetchOnce(
    method: Method,
    url: string,
    token: SalesforceToken,
    init: { body?: string; headers: Record<string, string>; signal: AbortSignal },
  ): Promise<Response> {
    this.usage.calls++;
    const response = await this.fetchImpl(url, {
      method,
      headers: { accept: 'application/json', ...init.headers, authorization: `Bearer ${token.accessToken}` },
      body: init.body,
      signal: init.signal,
    });
    const limit = parseLimitInfo(response.headers.get('sforce-limit-info'));
    if (limit) {
      this.usage.used = limit.used;
      this.usage.max = limit.max;
    }
    return response;
  }
}

async function errorFromResponse(response: Response, method: string, path: string): Promise<Error> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    // A cut-off error body says nothing more than its status.
  }
  const { errorCode, message } = parseErrorBody(text);
  const what = `${label(method, path)}: HTTP ${response.status}${errorCode ? ` ${errorCode}` : ''}${message ? `: ${message}` : ''}`;
  if (response.status === 429 || response.status >= 500) {
    return new RetryableStatusError(what, response.status, retryAfterMs(response.headers));
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return new SalesforceLimitError(what);
  // Compound fields (address, location) are refused by Bulk queries; which code carries it varies.
  const compound = /compound/i.test(message ?? '');
  if (compound || (errorCode !== undefined && QUERY_ERROR_CODES.has(errorCode))) {
    return new SalesforceQueryError(what, {
      errorCode: errorCode ?? 'UNKNOWN',
      status: response.status,
      compound,
    });
  }
  return new SalesforceApiError(what, { status: response.status, errorCode });
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The response body as a Node stream with back-pressure (pulled from fetch's reader only
 * as fast as the consumer reads). A read failure (connection dropped, gzip cut short)
 * errors the stream with TruncatedBodyError; it never just ends.
 */
async function decodedBody(response: Response, what: string): Promise<Readable> {
  if (!response.body) return Readable.from([]);
  const reader = (response.body as unknown as WebReadableStream<Uint8Array>).getReader();
  const truncated = (error: unknown) =>
    error instanceof TruncatedBodyError
      ? error
      : new TruncatedBodyError(`${what}: body ended early (${describeFailure(error)})`, { cause: error });
  let first: ReadableStreamReadResult<Uint8Array>;
  try {
    first = await reader.read();
  } catch (error) {
    throw truncated(error);
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      if (first.done) return;
      yield Buffer.from(first.value.buffer, first.value.byteOffset, first.value.byteLength);
      for (;;) {
        const next = await reader.read();
        if (next.done) return;
        yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      }
    } catch (error) {
      throw truncated(error);
    } finally {
      // The consumer stopped early (or it failed): release the connection.
      reader.cancel().catch(() => undefined);
    }
  }
  const source = Readable.from(chunks(), { objectMode: false });
  const encoded =
    /\bgzip\b/i.test(response.headers.get('content-encoding') ?? '') &&
    !first.done &&
    first.value[0] === GZIP_MAGIC[0] &&
    first.value[1] === GZIP_MAGIC[1];
  if (!encoded) return source;
  const gunzip = createGunzip();
  const out = new PassThrough();
  pipeline(source, gunzip, (error) => {
    if (error) out.destroy(truncated(error));
  });
  gunzip.pipe(out);
  out.on('close', () => {
    if (!out.readableEnded) source.destroy();
  });
  return out;
}
