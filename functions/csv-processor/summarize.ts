import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { putJson, readObjectStream, readObjectText } from '../shared/s3';
import { InputValidationError } from '../shared/errors';
import { CsvScanner } from '../csv-validator/csv-scanner';
import { writeAudit, type RowAudit } from './audit';
import { BatchInput, causeMessage, executionOf } from './apply-batch';
import {
  lineOfIndex,
  Reason,
  USER_ID_COLUMN,
  type BatchOutcome,
  type ExecutionSummary,
  type FileStatus,
  type RowFailure,
} from './contract';

/**
 * The last step of a processed file: reads the distributed map's ResultWriter
 * output, accounts for every data row (batches that failed outright and rows no
 * batch reached are recorded as failed in the audit), decides the file's status and
 * writes the summary next to the map results.
 *
 * Invariant: succeeded + failed = rowCount, whatever happened to the map.
 */
export const SummarizeEvent = z.object({
  batchInput: BatchInput,
  rowCount: z.int().check(z.nonnegative()),
  /** Where the map read the rows (to find rows no batch reached). */
  bucket: z.string().check(z.minLength(1)),
  normalizedKey: z.string().check(z.minLength(1)),
  outputBucket: z.string().check(z.minLength(1)),
  resultsPrefix: z.string().check(z.minLength(1)),
  toleratedFailurePercentage: z.number().check(z.gte(0), z.lte(100)),
  mapError: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});

export type FileSummary = ExecutionSummary;

export interface SummarizeDeps {
  s3: S3Client;
  auditTable: string;
  ddb?: DynamoDBDocumentClient;
  /** Row failures returned in the execution output; the summary file holds all. */
  maxReturnedErrors?: number;
}

interface ResultEntry {
  Status?: string;
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

const Manifest = z.object({
  ResultFiles: z.object({
    SUCCEEDED: z.optional(z.array(z.object({ Key: z.string() }))),
    FAILED: z.optional(z.array(z.object({ Key: z.string() }))),
    PENDING: z.optional(z.array(z.object({ Key: z.string() }))),
  }),
});

export async function summarize(input: unknown, deps: SummarizeDeps): Promise<FileSummary> {
  const parsed = SummarizeEvent.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputValidationError(
      `Unexpected summarize input at ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  const event = parsed.data;
  const execution = executionOf(event.batchInput);
  const prefix = `${event.resultsPrefix.replace(/\/?$/, '/')}${execution.executionName}/`;

  const covered: Array<[number, number]> = [];
  let succeeded = 0;
  let unchanged = 0;
  const failures: RowFailure[] = [];
  const outputKeys: string[] = [];

  const manifestKey = await findManifest(deps.s3, event.outputBucket, prefix);
  if (manifestKey) {
    outputKeys.push(manifestKey);
    const manifest = Manifest.parse(
      JSON.parse(await readObjectText(event.outputBucket, manifestKey, deps.s3)),
    );
    const files = manifest.ResultFiles;
    for (const { Key } of files.SUCCEEDED ?? []) {
      for (const entry of await readEntries(deps.s3, event.outputBucket, Key)) {
        const outcome = JSON.parse(entry.Output ?? 'null') as BatchOutcome | null;
        if (!outcome) continue;
        covered.push([outcome.firstLine, outcome.lastLine]);
        succeeded += outcome.succeeded;
        unchanged += outcome.unchanged ?? 0;
        failures.push(...outcome.failures);
      }
    }
    // A child that failed even its Catch: its rows are recorded as failed here.
    for (const { Key } of [...(files.FAILED ?? []), ...(files.PENDING ?? [])]) {
      for (const entry of await readEntries(deps.s3, event.outputBucket, Key)) {
        const child = JSON.parse(entry.Input ?? 'null') as {
          Items?: { index: number; row: Record<string, string> }[];
        } | null;
        if (!child?.Items?.length) continue;
        const reason = `${Reason.BATCH_FAILED}: ${entry.Error ?? entry.Status ?? 'child workflow did not complete'}${causeMessage(entry.Cause)}`;
        const audits: RowAudit[] = child.Items.map((item) => ({
          line: lineOfIndex(item.index),
          userId: item.row[USER_ID_COLUMN] ?? '',
          status: 'failed',
          processingType: 'none',
          errorMessage: reason,
        }));
        await writeAudit(deps.auditTable, execution, event.batchInput.sourceKey, audits, deps.ddb);
        const lines = audits.map((a) => a.line);
        covered.push([Math.min(...lines), Math.max(...lines)]);
        failures.push(...audits.map((a) => ({ line: a.line, userId: a.userId, reason })));
      }
    }
  }

  const coveredRows = covered.reduce((sum, [a, b]) => sum + (b - a + 1), 0);
  if (coveredRows < event.rowCount) {
    const reason = `${Reason.NOT_PROCESSED}: ${event.mapError ? `map failed with ${event.mapError.Error}` : 'no batch result for this row'}`;
    const missing = await rowsNotCovered(deps.s3, event.bucket, event.normalizedKey, covered);
    const audits: RowAudit[] = missing.map((m) => ({
      ...m,
      status: 'failed',
      processingType: 'none',
      errorMessage: reason,
    }));
    await writeAudit(deps.auditTable, execution, event.batchInput.sourceKey, audits, deps.ddb);
    failures.push(...audits.map((a) => ({ line: a.line, userId: a.userId, reason })));
  }

  failures.sort((a, b) => a.line - b.line);
  const failed = failures.length;
  const status: FileStatus =
    event.mapError || failed * 100 > event.toleratedFailurePercentage * event.rowCount
      ? 'PROCESSING_FAILED'
      : failed > 0
        ? 'PARTIAL'
        : 'SUCCESS';
  const summaryKey = `${prefix}summary.json`;
  outputKeys.push(summaryKey);
  const summary: FileSummary = {
    status,
    executionName: execution.executionName,
    rows: { total: event.rowCount, succeeded, failed, unchanged },
    errors: failures.slice(0, deps.maxReturnedErrors ?? 100),
    errorCount: failed,
    outputKeys,
    ...(event.mapError ? { mapError: `${event.mapError.Error}${causeMessage(event.mapError.Cause)}` } : {}),
  };
  await putJson(
    event.outputBucket,
    summaryKey,
    { ...summary, sourceKey: event.batchInput.sourceKey, errors: failures },
    deps.s3,
  );
  return summary;
}

/** ResultWriter writes `<Prefix>/<map run id>/manifest.json`; the prefix holds one execution. */
async function findManifest(s3: S3Client, bucket: string, prefix: string): Promise<string | null> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const hit = page.Contents?.find((o) => o.Key?.endsWith('/manifest.json'));
    if (hit?.Key) return hit.Key;
    token = page.NextContinuationToken;
  } while (token);
  return null;
}

async function readEntries(s3: S3Client, bucket: string, key: string): Promise<ResultEntry[]> {
  const text = await readObjectText(bucket, key, s3);
  const trimmed = text.trim();
  if (!trimmed) return [];
  // JSON (an array) by default; JSONL when WriterConfig asks for it.
  return trimmed.startsWith('[')
    ? (JSON.parse(trimmed) as ResultEntry[])
    : trimmed.split('\n').map((l) => JSON.parse(l) as ResultEntry);
}

/** Streams the map's CSV and returns the data rows outside every covered line range. */
async function rowsNotCovered(
  s3: S3Client,
  bucket: string,
  key: string,
  covered: Array<[number, number]>,
): Promise<Array<{ line: number; userId: string }>> {
  const ranges = [...covered].sort((a, b) => a[0] - b[0]);
  const isCovered = (line: number) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = ranges[mid]!;
      if (line < a) hi = mid - 1;
      else if (line > b) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const missing: Array<{ line: number; userId: string }> = [];
  let index = -1;
  const scanner = new CsvScanner((record) => {
    if (index >= 0) {
      const line = lineOfIndex(index);
      if (!isCovered(line)) missing.push({ line, userId: record.fields[0] ?? '' });
    }
    index++;
  });
  const { body } = await readObjectStream(bucket, key, { s3 });
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of body as AsyncIterable<Uint8Array>)
    scanner.push(decoder.decode(chunk, { stream: true }));
  scanner.push(decoder.decode());
  scanner.end();
  return missing;
}
