/**
 * Retries with exponential backoff and full jitter: attempt n waits a random time in
 * [0, min(maxMs, baseMs × 2^n)), so many loads retrying together do not hit S3 in step.
 */
export interface RetryOptions {
  attempts: number;
  baseMs: number;
  maxMs: number;
  retryable(error: unknown): boolean;
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
  /** Injected in tests; Math.random by default. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) throw error;
      const delayMs = Math.floor(random() * Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1)));
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

const TRANSIENT_S3_NAMES = new Set([
  // Not visible yet: the event can arrive before a read sees the object.
  'NoSuchKey',
  'NotFound',
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** An S3 failure a later attempt can get past (throttling, 5xx, network, an object not yet visible). */
export function isTransientS3Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (TRANSIENT_S3_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_NODE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return status === 404 || status === 429 || (status !== undefined && status >= 500);
}
