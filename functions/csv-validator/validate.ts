import { checkUserId, CSV_HEADER, parseCount, Reason, type ValidationIssue } from '../csv-processor/contract';
import { CsvScanner, formatCsvRecord, type CsvRecord } from './csv-scanner';
import { UserIdSet } from './user-id-set';

/**
 * Validates a user-log CSV in one streaming pass (memory: one chunk plus a packed
 * set of the user ids seen, for the duplicate check). The encoding is detected on the way:
 * UTF-8 with or without BOM, else Shift_JIS/CP932 (Japanese Excel exports); any
 * other byte sequence is rejected. BOM and Shift_JIS files are re-emitted as plain
 * UTF-8 through `normalizedSink`, the copy the distributed map reads.
 */
export type Encoding = 'utf-8' | 'utf-8-bom' | 'shift_jis';

export interface ValidationLimits {
  maxBytes: number;
  maxRows: number;
  /** Issues kept in the result returned to the state machine. */
  maxReturnedIssues: number;
  /** Issues kept for the error report; beyond this only the count grows. */
  maxReportedIssues: number;
}

export const DEFAULT_LIMITS: ValidationLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxRows: 2_000_000,
  maxReturnedIssues: 100,
  maxReportedIssues: 100_000,
};

/** Receives the normalized copy line by line; `abort` discards it (invalid file). */
export interface NormalizedSink {
  write(text: string): void | Promise<void>;
  finish(): Promise<void>;
  abort(reason: Error): Promise<void>;
}

export interface FileValidation {
  isValid: boolean;
  encoding: Encoding | null;
  rowCount: number;
  bytes: number;
  issues: ValidationIssue[];
  issueCount: number;
  /** True when a normalized copy was written through the sink. */
  normalized: boolean;
}

export type ByteSource = () => AsyncIterable<Uint8Array>;

class StopReading extends Error {}

/** SJIS files from Windows are CP932 in practice; WHATWG's "shift_jis" decoder is CP932. */
const SHIFT_JIS_LABEL = 'shift_jis';
const FLUSH_BYTES = 64 * 1024;

export async function validateCsv(
  source: ByteSource,
  options: {
    limits?: Partial<ValidationLimits>;
    openNormalizedSink?: (encoding: Encoding) => NormalizedSink;
    /** Known object size, checked before reading a byte. */
    contentLength?: number;
  } = {},
): Promise<FileValidation> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (options.contentLength !== undefined && options.contentLength > limits.maxBytes) {
    return fileRejected(
      Reason.FILE_TOO_LARGE,
      `${options.contentLength} bytes > ${limits.maxBytes}`,
      options.contentLength,
    );
  }
  if (options.contentLength === 0) return fileRejected(Reason.EMPTY_FILE, null, 0);

  const first = await attempt(source, 'utf-8', limits, options.openNormalizedSink);
  if (!('undecodableLine' in first)) return first;
  const second = await attempt(source, 'shift_jis', limits, options.openNormalizedSink);
  if (!('undecodableLine' in second)) return second;
  // Neither: point at the Shift_JIS failure when its header decoded (a Shift_JIS file
  // with a bad byte), else at the first byte that is not UTF-8.
  const line = second.undecodableLine > 1 ? second.undecodableLine : first.undecodableLine;
  return fileRejected(Reason.UNSUPPORTED_ENCODING, 'neither UTF-8 nor Shift_JIS', first.bytes, line);
}

/** 1-based line of the first byte `label` cannot decode in `chunk`, given the line it starts on. */
function undecodableLine(chunk: Uint8Array, label: string, startLine: number): number {
  let lo = 0;
  let hi = chunk.length;
  // Largest prefix that decodes (an incomplete trailing sequence is allowed with stream: true).
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    try {
      new TextDecoder(label, { fatal: true }).decode(chunk.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  let line = startLine;
  for (let i = 0; i < lo; i++) if (chunk[i] === 0x0a) line++;
  return line;
}

function fileRejected(reason: Reason, value: string | null, bytes: number, line = 1): FileValidation {
  return {
    isValid: false,
    encoding: null,
    rowCount: 0,
    bytes,
    issues: [{ line, column: null, value, reason }],
    issueCount: 1,
    normalized: false,
  };
}

/**
 * One pass with one decoder. Returns the line of the first undecodable byte when the
 * bytes are not in `family` (and, for UTF-8, carry no BOM that would settle it), so
 * the caller can try the next encoding from the start.
 */
async function attempt(
  source: ByteSource,
  family: 'utf-8' | 'shift_jis',
  limits: ValidationLimits,
  openSink: ((encoding: Encoding) => NormalizedSink) | undefined,
): Promise<FileValidation | { undecodableLine: number; bytes: number }> {
  let encoding: Encoding | null = family === 'shift_jis' ? 'shift_jis' : null;
  let decoder: TextDecoder | null = null;
  let sink: NormalizedSink | null = null;
  let pending = '';
  let bytes = 0;
  let sawBytes = false;
  const issues: ValidationIssue[] = [];
  let issueCount = 0;
  let header: CsvRecord | null = null;
  let rowCount = 0;
  let stopped = false;
  let lastLine = 1;
  let lineFeeds = 0;
  const seen = new UserIdSet();

  const report = (issue: ValidationIssue) => {
    issueCount++;
    if (issues.length < limits.maxReportedIssues) issues.push(issue);
  };

  const onRecord = (record: CsvRecord) => {
    lastLine = record.line;
    if (!header) {
      header = record;
      checkHeader(record, report);
      if (sink) pending += `${CSV_HEADER.join(',')}\n`;
      return;
    }
    rowCount++;
    if (rowCount > limits.maxRows) {
      report({
        line: record.line,
        column: null,
        value: String(limits.maxRows),
        reason: Reason.TOO_MANY_ROWS,
      });
      stopped = true;
      throw new StopReading();
    }
    checkRow(record, seen, report);
    if (sink) pending += `${formatCsvRecord(record.fields)}\n`;
  };
  const scanner = new CsvScanner(onRecord);

  const feed = async (text: string) => {
    scanner.push(text);
    if (sink && pending.length >= FLUSH_BYTES) {
      const out = pending;
      pending = '';
      await sink.write(out);
    }
  };

  try {
    for await (const chunk of source()) {
      if (chunk.length === 0) continue;
      let bytesChunk = chunk;
      bytes += chunk.length;
      if (bytes > limits.maxBytes) {
        report({
          line: lastLine,
          column: null,
          value: `more than ${limits.maxBytes} bytes`,
          reason: Reason.FILE_TOO_LARGE,
        });
        stopped = true;
        break;
      }
      if (!decoder) {
        if (family === 'utf-8') {
          // A BOM can only be recognised once 3 bytes are in; S3 chunks are far larger.
          const bom = chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
          const utf16 =
            chunk.length >= 2 &&
            ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff));
          if (utf16) return fileRejected(Reason.UNSUPPORTED_ENCODING, 'UTF-16 byte order mark', bytes);
          encoding = bom ? 'utf-8-bom' : 'utf-8';
          if (bom) bytesChunk = chunk.subarray(3);
          decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
        } else {
          decoder = new TextDecoder(SHIFT_JIS_LABEL, { fatal: true });
        }
        if (encoding !== 'utf-8' && openSink) sink = openSink(encoding!);
      }
      sawBytes = true;
      let text: string;
      try {
        text = decoder.decode(bytesChunk, { stream: true });
      } catch {
        await sink?.abort(new Error('encoding'));
        const line = undecodableLine(bytesChunk, family, lineFeeds + 1);
        if (encoding === 'utf-8-bom')
          return fileRejected(Reason.UNSUPPORTED_ENCODING, 'invalid UTF-8 after a BOM', bytes, line);
        return { undecodableLine: line, bytes };
      }
      for (const byte of bytesChunk) if (byte === 0x0a) lineFeeds++;
      await feed(text);
    }
    if (!stopped) {
      if (!sawBytes) return fileRejected(Reason.EMPTY_FILE, null, 0);
      let tail: string;
      try {
        tail = decoder!.decode();
      } catch {
        // The file ends inside a multi-byte character.
        await sink?.abort(new Error('encoding'));
        if (encoding === 'utf-8-bom')
          return fileRejected(Reason.UNSUPPORTED_ENCODING, 'truncated UTF-8', bytes, lineFeeds + 1);
        return { undecodableLine: lineFeeds + 1, bytes };
      }
      await feed(tail);
      scanner.end();
    }
  } catch (error) {
    if (!(error instanceof StopReading)) {
      await sink?.abort(error as Error);
      throw error;
    }
  }

  if (!header) {
    issues.push({ line: 1, column: null, value: null, reason: Reason.EMPTY_FILE });
    issueCount++;
  } else if (rowCount === 0 && issueCount === 0) {
    report({ line: 2, column: null, value: null, reason: Reason.HEADER_ONLY });
  }
  const isValid = issueCount === 0;
  let normalized = false;
  if (sink) {
    if (isValid) {
      if (pending) await sink.write(pending);
      await sink.finish();
      normalized = true;
    } else {
      await sink.abort(new Error('invalid file'));
    }
  }
  return {
    isValid,
    encoding,
    rowCount: Math.min(rowCount, limits.maxRows),
    bytes,
    issues,
    issueCount,
    normalized,
  };
}

function checkHeader(record: CsvRecord, report: (issue: ValidationIssue) => void): void {
  if (record.fault) {
    report({ line: record.line, column: null, value: record.fields.join(','), reason: record.fault });
    return;
  }
  const names = record.fields;
  const matches = names.length === CSV_HEADER.length && CSV_HEADER.every((name, i) => names[i] === name);
  if (!matches)
    report({ line: record.line, column: null, value: names.join(','), reason: Reason.HEADER_MISMATCH });
}

function checkRow(record: CsvRecord, seen: UserIdSet, report: (issue: ValidationIssue) => void): void {
  const { line, fields } = record;
  if (record.fault) {
    report({ line, column: null, value: truncate(fields.join(',')), reason: record.fault });
    return;
  }
  if (record.blank) {
    report({ line, column: null, value: null, reason: Reason.BLANK_LINE });
    return;
  }
  if (fields.length !== CSV_HEADER.length) {
    report({ line, column: null, value: `${fields.length} fields`, reason: Reason.WRONG_FIELD_COUNT });
    return;
  }
  const [userId, loginCount, postCount] = fields as [string, string, string];
  const rowUserId = truncate(userId);
  const idProblem = checkUserId(userId);
  if (idProblem)
    report({ line, column: CSV_HEADER[0], value: rowUserId, reason: idProblem, userId: rowUserId });
  else {
    const firstLine = seen.addOrGetFirstLine(userId, line);
    if (firstLine !== undefined) {
      report({
        line,
        column: CSV_HEADER[0],
        value: rowUserId,
        reason: Reason.DUPLICATE_USER,
        userId: rowUserId,
        detail: `first at line ${firstLine}`,
      });
    }
  }
  for (const [column, value] of [
    [CSV_HEADER[1], loginCount],
    [CSV_HEADER[2], postCount],
  ] as const) {
    const parsed = parseCount(value);
    if ('reason' in parsed)
      report({ line, column, value: truncate(value), reason: parsed.reason, userId: rowUserId });
  }
}

const truncate = (value: string) => (value.length > 64 ? `${value.slice(0, 61)}...` : value);
