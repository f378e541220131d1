import type { Readable } from 'node:stream';
import { CsvScanner, type CsvRecord } from '../../csv-validator/csv-scanner';
import { getQueryResultsPage } from '../api';
import { bulkColumnIndex, bulkRow, headerLine, type NulCounter, type RowShape } from '../canonical';
import { RecordCountMismatchError, SalesforceApiError } from '../errors';
import { checkpointUpload, requirePlan, resumeUpload, withClient, type StepDeps } from './deps';
import type { ObjectTask } from './types';

/**
 * Bulk results page by page (maxRecords, Sforce-Locator) into one multipart upload:
 * body (already gunzipped by the client) → CSV records → canonical rows → upload, with
 * back-pressure from the upload down to the socket, so memory does not grow with the
 * result. A page cut short is fetched again by its locator after rolling the upload back
 * to where the page began. Stops between pages when the time budget is spent, returning
 * the locator and the upload state; the last page reconciles the counts.
 */
export async function download(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const plan = requirePlan(task);
  const job = task.job;
  if (!job || !task.upload) throw new Error(`${task.object}: download before the job completed`);
  const { upload, counter } = await resumeUpload(deps, task, task.upload);
  return withClient(deps, task, async (client) => {
    if (upload.bytes === 0) await upload.write(headerLine(plan.fields));
    for (let pages = 0; ; pages++) {
      if (pages > 0 && Date.now() >= deps.deadline) break;
      const mark = await upload.mark();
      const nulBefore = counter.nulStripped;
      const page = await client.withRetry(
        `results page ${task.page + 1} of job ${job.id}`,
        async (attempt) => {
          if (attempt > 1) {
            await upload.rollback(mark);
            counter.nulStripped = nulBefore;
          }
          const p = await getQueryResultsPage(client, job.id, {
            maxRecords: deps.config.BULK_PAGE_RECORDS,
            ...(task.locator ? { locator: task.locator } : {}),
          });
          const rows = await writePage(p.body, plan, upload, counter, job.id);
          return { locator: p.locator, numberOfRecords: p.numberOfRecords, rows };
        },
      );
      if (page.rows !== page.numberOfRecords) {
        throw new RecordCountMismatchError(
          `${task.object}: results page ${task.page + 1} of job ${job.id} has ${page.rows} rows, its Sforce-NumberOfRecords says ${page.numberOfRecords}`,
          { page: task.page + 1, rows: page.rows, numberOfRecords: page.numberOfRecords },
        );
      }
      task.page++;
      task.stats.pages++;
      task.stats.pageRecords += page.numberOfRecords;
      if (page.locator === null) {
        delete task.locator;
        task.done = true;
        break;
      }
      task.locator = page.locator;
    }
    await checkpointUpload(task, upload, counter);
    if (task.done) reconcile(task, upload.records);
    return task;
  });
}

/** rows written = Σ Sforce-NumberOfRecords = the job's numberRecordsProcessed. */
export function reconcile(task: ObjectTask, rowsWritten: number): void {
  const processed = task.job?.numberRecordsProcessed;
  const pageRecords = task.stats.pageRecords;
  if (rowsWritten !== pageRecords || (processed !== undefined && processed !== rowsWritten)) {
    throw new RecordCountMismatchError(
      `${task.object}: ${rowsWritten} rows written, results pages announced ${pageRecords}, job ${task.job?.id} processed ${processed ?? 'unknown'}`,
      { rowsWritten, pageRecords, numberRecordsProcessed: processed ?? -1 },
    );
  }
}

/** Where canonical rows go: the upload, or a string in tests. */
export interface RowSink {
  write(text: string, records?: number): Promise<void> | undefined;
}

/**
 * Parses one page (its own header row first) and writes its rows; returns the row count.
 * The parser is csv-validator's CsvScanner (RFC 4180, CR/LF inside quotes kept, faults
 * reported, not repaired): on 68 MB of Bulk-style CSV it parsed 200k rows in 1.4-1.9 s
 * against 3.1-3.7 s for papaparse's streaming parser.
 */
export async function writePage(
  body: AsyncIterable<Uint8Array> | Readable,
  shape: RowShape,
  upload: RowSink,
  counter: NulCounter,
  jobId: string,
): Promise<number> {
  let index: number[] | undefined;
  let rows = 0;
  let batch: CsvRecord[] = [];
  const scanner = new CsvScanner((record) => batch.push(record));
  const decoder = new TextDecoder('utf-8');
  const drain = async () => {
    const records = batch;
    batch = [];
    for (const record of records) {
      if (record.fault) {
        throw new SalesforceApiError(
          `Bulk results of job ${jobId}: ${record.fault} in the CSV near row ${rows + 1}`,
          {
            status: 200,
          },
        );
      }
      if (!index) {
        index = bulkColumnIndex(record.fields, shape.fields);
        continue;
      }
      // An empty line is a row only when the file has one column (its value null).
      if (record.blank && shape.fields.length > 1) continue;
      rows++;
      const pending = upload.write(bulkRow(record.fields, index, shape, counter), 1);
      if (pending) await pending;
    }
  };
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    scanner.push(decoder.decode(chunk, { stream: true }));
    await drain();
  }
  scanner.push(decoder.decode());
  scanner.end();
  await drain();
  return rows;
}
