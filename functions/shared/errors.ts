/**
 * Typed errors. Step Functions Retry/Catch and Lambda destinations match on
 * `errorType`, which the Node.js runtime takes from `error.name`; keep names stable.
 */

/** Worth retrying: the same input may succeed later (network, throttling, failover). */
export class TransientError extends Error {
  override name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Not worth retrying: the input or configuration is wrong. */
export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A database call failed in a way a retry can fix (connection lost, serialization, deadlock). */
export class DatabaseTransientError extends TransientError {
  override name = 'DatabaseTransientError';
}

/** Bad input data: names the file, line and field so an operator can fix the source. */
export class InputValidationError extends PermanentError {
  override name = 'InputValidationError';
  constructor(
    message: string,
    readonly details: { file?: string; line?: number; field?: string } = {},
  ) {
    super(message);
  }
}

// SQLSTATE classes that are safe to retry: connection exceptions (08), serialization
// failure / deadlock (40001, 40P01), admin shutdown and crash recovery (57P01-57P03),
// insufficient resources (53).
const TRANSIENT_SQLSTATES = [/^08/, /^40001$/, /^40P01$/, /^57P0[123]$/, /^53/];
const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_SQLSTATES.some((re) => re.test(code))) return true;
    if (TRANSIENT_NODE_CODES.has(code)) return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    error.message,
  );
}

/** Re-throws database failures as DatabaseTransientError when a retry can help. */
export function classifyDatabaseError(error: unknown): Error {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  if (isTransientDatabaseError(error)) {
    return new DatabaseTransientError((error as Error).message, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
