/**
 * The csv-processor data contract (DESIGN.md §3), shared by the validator, the
 * processor and the local runner: the header, the per-field rules, the reasons a row
 * or a file can fail, and the shapes that travel through the state machine.
 */

export const CSV_HEADER = ['ユーザーID', 'ログイン回数', '投稿回数'] as const;
export const [USER_ID_COLUMN, LOGIN_COUNT_COLUMN, POST_COUNT_COLUMN] = CSV_HEADER;

export const MAX_USER_ID_LENGTH = 10;
/** PostgreSQL INTEGER upper bound; counts are non-negative so the lower bound is 0. */
export const MAX_INTEGER = 2_147_483_647;

/** Why a file or a row was rejected. Stable strings: they appear in reports, audit items and docs. */
export const Reason = {
  EMPTY_FILE: 'EMPTY_FILE',
  HEADER_ONLY: 'HEADER_ONLY',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  TOO_MANY_ROWS: 'TOO_MANY_ROWS',
  UNSUPPORTED_ENCODING: 'UNSUPPORTED_ENCODING',
  HEADER_MISMATCH: 'HEADER_MISMATCH',
  UNTERMINATED_QUOTE: 'UNTERMINATED_QUOTE',
  MALFORMED_QUOTE: 'MALFORMED_QUOTE',
  BLANK_LINE: 'BLANK_LINE',
  WRONG_FIELD_COUNT: 'WRONG_FIELD_COUNT',
  USER_ID_EMPTY: 'USER_ID_EMPTY',
  USER_ID_TOO_LONG: 'USER_ID_TOO_LONG',
  USER_ID_NOT_PRINTABLE: 'USER_ID_NOT_PRINTABLE',
  USER_ID_FORMULA: 'USER_ID_FORMULA',
  DUPLICATE_USER: 'DUPLICATE_USER',
  COUNT_NOT_INTEGER: 'COUNT_NOT_INTEGER',
  COUNT_OUT_OF_RANGE: 'COUNT_OUT_OF_RANGE',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  BATCH_FAILED: 'BATCH_FAILED',
  NOT_PROCESSED: 'NOT_PROCESSED',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Final status of one file (one execution). */
export type FileStatus = 'SUCCESS' | 'PARTIAL' | 'VALIDATION_FAILED' | 'PROCESSING_FAILED' | 'DUPLICATE';

export interface ValidationIssue {
  /** 1-based physical line of the file where the record starts. */
  line: number;
  column: string | null;
  value: string | null;
  reason: Reason;
  /** The row's user id as written, when the row has one (null for header and file problems). */
  userId?: string | null;
  /** More context for an operator, e.g. where a duplicated user id first appeared. */
  detail?: string;
}

/**
 * A user id: printable, at most 10 characters, and not something a spreadsheet would
 * evaluate as a formula when an operator opens the file (=, +, -, @).
 */
export function checkUserId(value: string): Reason | null {
  if (value.length === 0) return Reason.USER_ID_EMPTY;
  if ([...value].length > MAX_USER_ID_LENGTH) return Reason.USER_ID_TOO_LONG;
  // Control characters, separators other than the plain space, unassigned and private-use code points.
  if (/[\p{C}\p{Zl}\p{Zp}]/u.test(value) || value.trim() !== value) return Reason.USER_ID_NOT_PRINTABLE;
  if (/^[=+\-@]/.test(value)) return Reason.USER_ID_FORMULA;
  return null;
}

/**
 * A count: plain ASCII digits only (no sign, decimal point, exponent, blanks or
 * thousands separators), within INTEGER. Leading zeros are accepted ("007" is 7),
 * as spreadsheets sometimes write them.
 */
export function parseCount(value: string): { value: number } | { reason: Reason } {
  if (!/^[0-9]+$/.test(value)) return { reason: Reason.COUNT_NOT_INTEGER };
  const digits = value.replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_INTEGER) return { reason: Reason.COUNT_OUT_OF_RANGE };
  return { value: Number(digits) };
}

/** The S3 object a state machine execution is about, as the validator resolved it. */
export interface FileRef {
  bucket: string;
  key: string;
  versionId?: string;
  eTag?: string;
}

/** What the validator returns to the state machine. */
export interface ValidationResult {
  status: 'VALID' | 'INVALID' | 'DUPLICATE';
  isValid: boolean;
  rowCount: number;
  errors: ValidationIssue[];
  errorCount: number;
  /** Bucket and key the map reads: the original, or a normalized UTF-8 copy. */
  bucket: string;
  normalizedKey: string;
  sourceKey: string;
  encoding: string | null;
  errorReportKey: string | null;
  /** The execution's final output when it ends here (DUPLICATE, VALIDATION_FAILED). */
  summary?: ExecutionSummary;
}

/** Execution facts every batch needs: they key the audit items. */
export interface ExecutionRef {
  executionName: string;
  executionArn: string;
  startTime: string;
}

/** One map item after the ItemSelector: the 0-based data-row index and the CSV record. */
export interface MapItem {
  index: number;
  row: Record<string, string>;
}

/** Data-row index → physical line: the header is line 1 and a valid file has one record per line. */
export const lineOfIndex = (index: number): number => index + 2;

export interface RowFailure {
  line: number;
  /** Null when the problem is in a line whose user id could not be read. */
  userId: string | null;
  reason: string;
}

/** The output of every execution that ends (the Cause, as JSON, of one that fails). */
export interface ExecutionSummary {
  status: FileStatus;
  executionName: string;
  /** Invariant: succeeded + failed = total (the file's data rows). */
  rows: { total: number; succeeded: number; failed: number; unchanged: number };
  errors: RowFailure[];
  errorCount: number;
  outputKeys: string[];
  duplicateOf?: string;
  mapError?: string;
}

/** What one batch (one child workflow) returns. */
export interface BatchOutcome {
  firstLine: number;
  lastLine: number;
  rows: number;
  succeeded: number;
  failed: number;
  unchanged: number;
  failures: RowFailure[];
}
