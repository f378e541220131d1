import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import * as z from 'zod/mini';
import type { S3Client } from '@aws-sdk/client-s3';
import { assetPath } from '../shared/assets';
import { PermanentError } from '../shared/errors';
import { withTransaction } from '../shared/db';
import { readObjectStream, readObjectText } from '../shared/s3';
import { DATASETS, manifestDate, type Dataset, type Manifest } from '../etl-extract-transform/contract';
import { isTransientS3Error, withRetry, type RetryOptions } from './retry';

/** The data disagrees with its manifest (count, size or checksum): nothing was loaded. */
export class ManifestMismatchError extends PermanentError {
  override name = 'ManifestMismatchError';
}

const Entry = z.object({
  key: z.string(),
  rows: z.number().check(z.int(), z.gte(0)),
  bytes: z.number().check(z.int(), z.gte(0)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  queryMs: z.number(),
});
const ManifestSchema = z.object({
  version: z.literal(1),
  date: z.string(),
  extractedAt: z.string(),
  datasets: z.object({
    daily_sales_summary: Entry,
    product_sales_summary: Entry,
    customer_analytics: Entry,
  }),
});

export interface LoadLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface LoadOptions {
  s3?: S3Client;
  logger?: LoadLogger;
  retry?: Partial<Omit<RetryOptions, 'retryable'>>;
}

export interface DatasetLoad {
  rows: number;
  /** Rows inserted or rewritten (a figure changed). */
  written: number;
  /** Rows of the date the data no longer holds, deleted. */
  removed: number;
}

export interface LoadResult {
  status: 'SUCCEEDED';
  date: string;
  manifestKey: string;
  datasets: Record<Dataset, DatasetLoad>;
  s3ReadMs: number;
  loadMs: number;
}

const sqlCache = new Map<Dataset, string>();
function mergeSql(dataset: Dataset): string {
  let sql = sqlCache.get(dataset);
  if (!sql) {
    sql = readFileSync(assetPath(`etl-load/sql/${dataset}.sql`), 'utf8');
    sqlCache.set(dataset, sql);
  }
  return sql;
}

/** Advisory lock keys: one per date (a duplicate event waits), one for customer_analytics (shared by dates). */
const DATE_LOCK = 7_311;
const CUSTOMER_LOCK = 7_312;

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

async function countLines(file: string): Promise<number> {
  let lines = 0;
  await pipeline(
    createReadStream(file),
    createGunzip(),
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
        done();
      },
    }),
  );
  return lines;
}

function retryOptions(options: LoadOptions, what: Record<string, unknown>): RetryOptions {
  return {
    attempts: 6,
    baseMs: 200,
    maxMs: 5_000,
    ...options.retry,
    retryable: isTransientS3Error,
    onRetry: ({ attempt, delayMs, error }) =>
      options.logger?.warn('S3 read failed; retrying', {
        ...what,
        attempt,
        delayMs,
        error: (error as Error).name,
      }),
  };
}

/** Reads and checks the manifest (with retries: the event may arrive before the object reads). */
export async function readManifest(
  bucket: string,
  key: string,
  options: LoadOptions = {},
): Promise<Manifest> {
  const date = manifestDate(key);
  if (!date) throw new PermanentError(`${key} is not a manifest key (etl-data/YYYY-MM-DD/manifest.json)`);
  const text = await withRetry(() => readObjectText(bucket, key, options.s3), retryOptions(options, { key }));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ManifestMismatchError(`${key} is not JSON`);
  }
  const parsed = z.safeParse(ManifestSchema, json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new ManifestMismatchError(`${key} is not an etl manifest (check: ${fields})`);
  }
  if (parsed.data.date !== date) {
    throw new ManifestMismatchError(`${key} names date ${parsed.data.date}, not ${date}`);
  }
  return parsed.data as Manifest;
}

/**
 * Downloads each dataset to a local file, checking bytes, SHA-256 and row count against the
 * manifest. Throws ManifestMismatchError on the first disagreement; the database is not touched.
 */
async function downloadVerified(
  bucket: string,
  manifest: Manifest,
  dir: string,
  options: LoadOptions,
): Promise<Record<Dataset, string>> {
  const files = {} as Record<Dataset, string>;
  for (const dataset of DATASETS) {
    const entry = manifest.datasets[dataset];
    const file = join(dir, `${dataset}.jsonl.gz`);
    const digest = await withRetry(
      async () => {
        const object = await readObjectStream(bucket, entry.key, { s3: options.s3 });
        const d = new Digest();
        await pipeline(object.body, d, createWriteStream(file));
        return d;
      },
      retryOptions(options, { dataset, key: entry.key }),
    );
    const sha256 = digest.hex();
    if (digest.bytes !== entry.bytes || sha256 !== entry.sha256) {
      throw new ManifestMismatchError(
        `${entry.key}: ${digest.bytes} bytes, sha256 ${sha256.slice(0, 12)}…; the manifest says ` +
          `${entry.bytes} bytes, sha256 ${entry.sha256.slice(0, 12)}…: nothing loaded`,
      );
    }
    const rows = await countLines(file);
    if (rows !== entry.rows) {
      throw new ManifestMismatchError(
        `${entry.key} holds ${rows} rows; the manifest says ${entry.rows}: nothing loaded`,
      );
    }
    files[dataset] = file;
  }
  return files;
}

/** The date column each dataset's rows must carry. */
const DATE_COLUMN: Record<Dataset, string> = {
  daily_sales_summary: 'sales_date',
  product_sales_summary: 'sales_date',
  customer_analytics: 'as_of_date',
};

/**
 * Loads one date in one transaction: COPY every dataset into a temp table, check that every row
 * belongs to the date, then one set-based merge per table. Any failure rolls everything back.
 */
async function loadVerified(
  pool: pg.Pool,
  manifest: Manifest,
  files: Record<Dataset, string>,
): Promise<Record<Dataset, DatasetLoad>> {
  return withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DATE_LOCK, manifest.date]);
    for (const dataset of DATASETS) {
      await client.query(`CREATE TEMP TABLE etl_in_${dataset} (doc json NOT NULL) ON COMMIT DROP`);
      const copy = client.query(
        copyFrom(
          `COPY etl_in_${dataset} (doc) FROM STDIN WITH (FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01')`,
        ),
      );
      await pipeline(createReadStream(files[dataset]), createGunzip(), copy);
      const column = DATE_COLUMN[dataset];
      const stray = await client.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM etl_in_${dataset}
         WHERE (doc->>'${column}') IS DISTINCT FROM $1`,
        [manifest.date],
      );
      if (stray.rows[0]!.n > 0) {
        throw new ManifestMismatchError(
          `${manifest.datasets[dataset].key}: ${stray.rows[0]!.n} row(s) with ${column} other than ${manifest.date}: nothing loaded`,
        );
      }
    }
    const out = {} as Record<Dataset, DatasetLoad>;
    for (const dataset of DATASETS) {
      // Dates load side by side; customer_analytics rows are shared by every date, so its merge
      // takes turns (lock taken after the date's, always in this order: no deadlock).
      if (dataset === 'customer_analytics') {
        await client.query('SELECT pg_advisory_xact_lock($1, 0)', [CUSTOMER_LOCK]);
      }
      const merged = await client.query<{ written: number; removed: number }>(mergeSql(dataset), [
        manifest.date,
      ]);
      out[dataset] = { rows: manifest.datasets[dataset].rows, ...merged.rows[0]! };
    }
    return out;
  });
}

/** Reads, verifies and loads the date a manifest describes; see handler.ts. */
export async function loadManifest(
  pool: () => Promise<pg.Pool>,
  bucket: string,
  key: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const readStarted = Date.now();
  const manifest = await readManifest(bucket, key, options);
  const dir = await mkdtemp(join(tmpdir(), 'etl-load-'));
  try {
    const files = await downloadVerified(bucket, manifest, dir, options);
    const s3ReadMs = Date.now() - readStarted;
    options.logger?.info('datasets verified', { date: manifest.date, s3ReadMs });
    const loadStarted = Date.now();
    const datasets = await loadVerified(await pool(), manifest, files);
    const loadMs = Date.now() - loadStarted;
    for (const dataset of DATASETS) {
      options.logger?.info('dataset loaded', { date: manifest.date, dataset, ...datasets[dataset] });
    }
    return { status: 'SUCCEEDED', date: manifest.date, manifestKey: key, datasets, s3ReadMs, loadMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
