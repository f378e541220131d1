import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { S3Client } from '@aws-sdk/client-s3';
import { assetPath } from '../shared/assets';
import { classifyDatabaseError } from '../shared/errors';
import { putJson, uploadStream } from '../shared/s3';
import {
  DATASETS,
  datasetKey,
  manifestKey,
  type Dataset,
  type DatasetEntry,
  type Manifest,
} from './contract';

export interface ExtractLogger {
  info(message: string, attributes: Record<string, unknown>): void;
}

export interface ExtractOptions {
  bucket: string;
  s3?: S3Client;
  logger?: ExtractLogger;
  /** Multipart part size (the shared helper's default: 8 MiB). */
  partSizeBytes?: number;
}

const sqlCache = new Map<Dataset, string>();
function datasetSql(dataset: Dataset): string {
  let sql = sqlCache.get(dataset);
  if (!sql) {
    sql = readFileSync(assetPath(`etl-extract-transform/sql/${dataset}.sql`), 'utf8')
      .replace(/--[^\n]*\n/g, '\n')
      .trim();
    sqlCache.set(dataset, sql);
  }
  return sql;
}

/**
 * The COPY statement of one dataset for `date`. COPY takes no bind parameters, so the date goes in
 * as a literal: it is a validated YYYY-MM-DD (dates.ts), nothing else ever reaches here.
 * Each row leaves the server as one JSON object; with CSV framing on control characters that JSON
 * never contains raw (it escapes them), PostgreSQL sends the text verbatim, one line per row.
 */
export function copyStatement(dataset: Dataset, date: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a date: ${date}`);
  const query = datasetSql(dataset).replaceAll('$1', `'${date}'`);
  return `COPY (SELECT row_to_json(r)::text FROM (${query}) r) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`;
}

/** Counts lines (rows) flowing through. */
class LineCounter extends Transform {
  lines = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.lines += 1;
    done(null, chunk);
  }
}

/** SHA-256 and byte count of what flows through (the object exactly as stored). */
class Digest extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** Streams one dataset from the source into S3: COPY → line count → gzip → digest → multipart upload. */
async function extractDataset(
  client: pg.PoolClient,
  dataset: Dataset,
  date: string,
  options: ExtractOptions,
): Promise<DatasetEntry> {
  const key = datasetKey(date, dataset);
  const started = Date.now();
  const counter = new LineCounter();
  const digest = new Digest();
  const body = new PassThrough();
  const source = client.query(copyTo(copyStatement(dataset, date)));
  const flow = pipeline(source, counter, createGzip(), digest, body);
  const upload = uploadStream(options.bucket, key, body, {
    contentType: 'application/x-ndjson',
    partSizeBytes: options.partSizeBytes,
    s3: options.s3,
  });
  let queryMs = 0;
  const flowed = flow.then(() => {
    queryMs = Date.now() - started;
  });
  const [flowResult, uploadResult] = await Promise.allSettled([flowed, upload]);
  if (flowResult.status === 'rejected') throw classifyDatabaseError(flowResult.reason);
  if (uploadResult.status === 'rejected') throw uploadResult.reason;
  const entry = { key, rows: counter.lines, bytes: digest.bytes, sha256: digest.hex(), queryMs };
  options.logger?.info('dataset extracted', { date, dataset, ...entry });
  return entry;
}

/**
 * Extracts the three datasets of one JST date from one REPEATABLE READ snapshot (so they agree
 * with each other whatever commits meanwhile), then writes the manifest, last: etl-load starts
 * from the manifest, so it only ever sees a complete set.
 */
export async function extractDate(
  pool: pg.Pool,
  date: string,
  options: ExtractOptions,
): Promise<{ manifestKey: string; manifest: Manifest }> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw classifyDatabaseError(error);
  }
  let broken: Error | undefined;
  const datasets = {} as Record<Dataset, DatasetEntry>;
  let extractedAt: string;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // The snapshot is taken by the first query; its time is the manifest's extractedAt.
    extractedAt = (await client.query<{ now: Date }>('SELECT now()')).rows[0]!.now.toISOString();
    for (const dataset of DATASETS) datasets[dataset] = await extractDataset(client, dataset, date, options);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw classifyDatabaseError(error);
  } finally {
    client.release(broken);
  }
  const manifest: Manifest = { version: 1, date, extractedAt, datasets };
  const key = manifestKey(date);
  await putJson(options.bucket, key, manifest, options.s3);
  options.logger?.info('manifest written', { date, manifestKey: key });
  return { manifestKey: key, manifest };
}
