import { PermanentError, TransientError } from '../shared/errors';

/**
 * Salesforce client errors. Step Functions Catch/Retry match on the Lambda error type,
 * which the Node.js runtime takes from `error.name`: names are part of the state
 * machine's contract, keep them stable. `metric` is the CloudWatch metric each one
 * counts under. Messages carry Salesforce's error code and message and the request path,
 * never a token, an assertion or a key.
 */

/** The token endpoint refused the JWT (invalid_grant, invalid_client_id, invalid_client) or the key is unusable. */
export class SalesforceAuthError extends PermanentError {
  override readonly name = 'SalesforceAuthError';
  readonly metric = 'SalesforceAuthErrors';
  constructor(
    message: string,
    readonly details: { error: string; errorDescription?: string; status?: number; hint: string },
  ) {
    super(`${message}. ${details.hint}`);
  }
  get hint(): string {
    return this.details.hint;
  }
}

/** A request still got 401 INVALID_SESSION_ID with a freshly minted token. */
export class SalesforceSessionError extends PermanentError {
  override readonly name = 'SalesforceSessionError';
  readonly metric = 'SalesforceSessionErrors';
}

/** The query itself is wrong (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE, compound fields in Bulk). */
export class SalesforceQueryError extends PermanentError {
  override readonly name = 'SalesforceQueryError';
  readonly metric = 'SalesforceQueryErrors';
  constructor(
    message: string,
    readonly details: { errorCode: string; status: number; compound: boolean },
  ) {
    super(message);
  }
}

/** The org's API allowance is used up (REQUEST_LIMIT_EXCEEDED), or too little is left to start (preflight). */
export class SalesforceLimitError extends PermanentError {
  override readonly name = 'SalesforceLimitError';
  readonly metric = 'SalesforceLimitErrors';
}

/** 429, 5xx, network failures or truncated bodies that outlasted every retry (or a request that must not be retried). */
export class SalesforceTransientError extends TransientError {
  override readonly name = 'SalesforceTransientError';
  readonly metric = 'SalesforceTransientErrors';
  constructor(
    message: string,
    readonly details: { status?: number; attempts: number; retried: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any other error answer (404 NOT_FOUND, INVALID_SESSION_ID on the token, unexpected shapes): not retried. */
export class SalesforceApiError extends PermanentError {
  override readonly name = 'SalesforceApiError';
  readonly metric = 'SalesforceApiErrors';
  constructor(
    message: string,
    readonly details: { status: number; errorCode?: string },
  ) {
    super(message);
  }
}

/** A Bulk API 2.0 query job ended Failed or Aborted; carries Salesforce's errorMessage. */
export class BulkJobFailedError extends PermanentError {
  override readonly name = 'BulkJobFailedError';
  readonly metric = 'BulkJobFailures';
  constructor(
    readonly jobId: string,
    readonly state: string,
    readonly errorMessage: string | undefined,
  ) {
    super(`Bulk query job ${jobId} ended ${state}${errorMessage ? `: ${errorMessage}` : ''}`);
  }
}

/** A results page came without a Sforce-Locator header: the end of the results is unknown, so the run stops. */
export class LocatorMissingError extends PermanentError {
  override readonly name = 'LocatorMissingError';
  readonly metric = 'LocatorMissing';
  constructor(readonly jobId: string) {
    super(
      `Bulk query job ${jobId}: results page has no Sforce-Locator header (the end of the results is unknown)`,
    );
  }
}

/** Rows written, page record counts and the job's numberRecordsProcessed disagree. */
export class RecordCountMismatchError extends PermanentError {
  override readonly name = 'RecordCountMismatchError';
  readonly metric = 'RecordCountMismatches';
  constructor(
    message: string,
    readonly counts: Record<string, number>,
  ) {
    super(message);
  }
}

/**
 * The run's file name is taken: another run of the same object started in the same JST
 * minute (the key carries the minute). Refused rather than overwritten, so no committed
 * file is ever replaced; the watermark stays, and a run a minute later extracts it all.
 */
export class OutputExistsError extends PermanentError {
  override readonly name = 'OutputExistsError';
  readonly metric = 'OutputExists';
}

/**
 * A response body ended before it was complete (connection dropped, JSON cut short,
 * gzip stream cut short). Safe to re-request for idempotent reads such as a results page
 * by its locator; `stream()` bodies error with it instead of ending.
 */
export class TruncatedBodyError extends TransientError {
  override readonly name = 'TruncatedBodyError';
  readonly metric = 'SalesforceTruncatedBodies';
}

/** Internal: a status worth retrying (429, 5xx); becomes SalesforceTransientError when retries run out. */
export class RetryableStatusError extends TransientError {
  override readonly name = 'RetryableStatusError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

// Connection-level failures from node:net / undici (global fetch wraps them as `cause`).
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * True when the same idempotent request may succeed if sent again: retryable statuses,
 * truncated bodies, network failures and request timeouts. Salesforce answers that name
 * a problem with the request (query, limit, auth, session) are never retryable.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableStatusError || error instanceof TruncatedBodyError) return true;
  if (error instanceof SalesforceTransientError) return false; // retries already ran out
  if (error instanceof PermanentError) return false;
  // Duck-typed: fetch's errors come from another realm under test runners (instanceof Error fails).
  if (typeof error !== 'object' || error === null) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  if (networkCode(error)) return true;
  // undici: `TypeError: fetch failed` (connect) and `TypeError: terminated` (body cut off)
  return name === 'TypeError' && typeof message === 'string' && /^(fetch failed|terminated)$/.test(message);
}

/** One line describing a low-level failure without echoing URLs or headers (which could carry a token). */
export function describeFailure(error: unknown): string {
  if (error instanceof RetryableStatusError || error instanceof TruncatedBodyError) return error.message;
  const code = networkCode(error);
  if (code) return `network error ${code}`;
  if (typeof error === 'object' && error !== null) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return 'request timed out';
    return `${String(name)}: ${String(message)}`;
  }
  return 'unknown error';
}

/** The CloudWatch metric name an error counts under (undefined for errors that are not Salesforce's). */
export function errorMetric(error: unknown): string | undefined {
  const metric = (error as { metric?: unknown } | null)?.metric;
  return typeof metric === 'string' ? metric : undefined;
}
