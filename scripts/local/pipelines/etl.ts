import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InputValidationError } from '../../../functions/shared/errors';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { createS3Client } from '../../../functions/shared/s3';
import { DATASETS, type Dataset } from '../../../functions/etl-extract-transform/contract';
import { targetDates } from '../../../functions/etl-extract-transform/dates';
import type { ExtractResult } from '../../../functions/etl-extract-transform/handler';
import type { LoadResult } from '../../../functions/etl-load/load';
import type { InitializeResult } from '../../../functions/etl-db-initializer/initialize';
import { InvalidValueError, UsageError } from '../../lib/args';
import { ensureDatabase } from '../database';
import { loadHandler } from './handlers';
import { ensureBucket } from './resources';
import { definePipeline } from './runner';
import type { RunContext } from './types';

/**
 * `npm run local -- etl [--init] [--sample-orders N] [--date D | --from D --to D] [--json]`
 *
 * Two databases on the stack's PostgreSQL (`etl_source`, `etl_target`, created when missing)
 * unless SOURCE_DATABASE_URL and TARGET_DATABASE_URL name existing ones; the bucket ETL_BUCKET
 * (default etl-local-data) on the stack's S3 or AWS_ENDPOINT_URL, created when missing. Runs the
 * deployed handlers: etl-db-initializer (--init), etl-extract-transform, then etl-load once per
 * manifest, with the Object Created event EventBridge would deliver.
 */
export const ETL_LOCAL_BUCKET = 'etl-local-data';
/** The date the example events in functions/etl-*\/events/ name. */
export const EXAMPLE_DATE = '2026-11-30';

const options = {
  init: {
    type: 'boolean',
    description: 'run etl-db-initializer first (schema; with --sample-orders, sample data)',
  },
  'sample-orders': {
    type: 'integer',
    min: 1,
    max: 5_000_000,
    description: 'with --init: sample orders over the last 30 JST days (only into a source without orders)',
  },
  date: {
    type: 'string',
    value: 'YYYY-MM-DD',
    description: 'the JST date to extract and load (default: yesterday in JST)',
  },
  from: {
    type: 'string',
    value: 'YYYY-MM-DD',
    description: 'first date of a backfill (with --to, at most 31 dates)',
  },
  to: { type: 'string', value: 'YYYY-MM-DD', description: 'last date of a backfill (inclusive)' },
} as const;

interface PreparedEtl {
  env: Record<string, string>;
  sourceUrl: string;
  targetUrl: string;
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** Connects once; an unreachable database is the person's input, named in one line. */
async function reachable(name: string, url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    const e = error as Error & { code?: string };
    throw new UsageError(`${name} ${redacted(url)} is unreachable: ${e.code ?? e.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function databases(): Promise<{ sourceUrl: string; targetUrl: string }> {
  const given = { source: process.env.SOURCE_DATABASE_URL, target: process.env.TARGET_DATABASE_URL };
  if (given.source || given.target) {
    if (!given.source || !given.target) {
      throw new UsageError('set both SOURCE_DATABASE_URL and TARGET_DATABASE_URL, or neither');
    }
    await reachable('SOURCE_DATABASE_URL', given.source);
    await reachable('TARGET_DATABASE_URL', given.target);
    return { sourceUrl: given.source, targetUrl: given.target };
  }
  const server = process.env.DATABASE_URL!;
  await reachable('--database-url', server);
  return {
    sourceUrl: await ensureDatabase(server, 'etl_source'),
    targetUrl: await ensureDatabase(server, 'etl_target'),
  };
}

/** The schema when missing, as etl-db-initializer creates it (the same migration sets). */
async function ensureSchemas(sourceUrl: string, targetUrl: string): Promise<void> {
  for (const [url, set] of [
    [sourceUrl, 'etl-db-initializer/source'],
    [targetUrl, 'etl-db-initializer/target'],
  ] as const) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await migrateDatabase(pool, set).finally(() => pool.end());
  }
}

async function prepareEtl(): Promise<PreparedEtl> {
  const { sourceUrl, targetUrl } = await databases();
  await ensureSchemas(sourceUrl, targetUrl);
  const bucket = process.env.ETL_BUCKET || ETL_LOCAL_BUCKET;
  await ensureBucket(createS3Client(), { name: bucket });
  return {
    sourceUrl,
    targetUrl,
    env: { SOURCE_DATABASE_URL: sourceUrl, TARGET_DATABASE_URL: targetUrl, ETL_BUCKET: bucket },
  };
}

/** The EventBridge event S3 sends for a manifest (what the manifest rule delivers to etl-load). */
export function manifestCreatedEvent(bucket: string, key: string) {
  return {
    version: '0',
    id: `local-${key}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'ap-northeast-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key }, reason: 'PutObject' },
  };
}

function dateRequest(values: { date?: string; from?: string; to?: string }) {
  return values.date
    ? { date: values.date }
    : values.from || values.to
      ? { from: values.from, to: values.to }
      : {};
}

async function run(
  fn: string,
  ctx: RunContext,
  env: Record<string, string>,
  event: unknown,
): Promise<unknown> {
  const loaded = await loadHandler(fn, { fromDist: ctx.fromDist, env: { ...ctx.env, ...env } });
  try {
    return await loaded.handler(event, { awsRequestId: `local-${randomUUID()}` });
  } finally {
    await loaded.close();
  }
}

interface TopCustomer {
  rank: string;
  customer_name: string;
  region: string;
  total_orders: number;
  total_amount: string;
}

async function topCustomers(targetUrl: string): Promise<TopCustomer[]> {
  const client = new pg.Client({ connectionString: targetUrl });
  await client.connect();
  try {
    return (
      await client.query<TopCustomer>(
        'SELECT rank::text, customer_name, region, total_orders, total_amount::text FROM top_customers ORDER BY rank, customer_id LIMIT 5',
      )
    ).rows;
  } finally {
    await client.end();
  }
}

export const etlPipeline = definePipeline({
  name: 'etl',
  summary: 'orders PostgreSQL → S3 gzip JSON Lines (manifest last) → analytics PostgreSQL, per JST date',
  options,
  notes: [
    'Databases: etl_source and etl_target on the stack (or --database-url server), unless SOURCE_DATABASE_URL',
    'and TARGET_DATABASE_URL name existing ones. Bucket: ETL_BUCKET (default etl-local-data), created when missing.',
    'Without --init the schema is still created when missing. Example: npm run local -- etl --init --sample-orders 5000',
  ],
  functions: ['etl-db-initializer', 'etl-extract-transform', 'etl-load'],
  environment: {
    SOURCE_DATABASE_URL: 'postgresql://localhost/etl_source',
    TARGET_DATABASE_URL: 'postgresql://localhost/etl_target',
    ETL_BUCKET: ETL_LOCAL_BUCKET,
  },
  demo: { args: ['--init', '--sample-orders', '2000'] },
  check(values) {
    if (values['sample-orders'] !== undefined && !values.init) {
      throw new UsageError('--sample-orders needs --init');
    }
    if (values.date && (values.from || values.to))
      throw new UsageError('give --date, or --from and --to, not both');
    try {
      targetDates(dateRequest(values));
    } catch (error) {
      if (error instanceof InputValidationError) {
        const field = error.details.field;
        throw new InvalidValueError(field ? `--${field}: ${error.message}` : error.message);
      }
      throw error;
    }
  },
  prepare: () => prepareEtl(),
  async prepareEvents(ctx) {
    // functions/etl-load/events/manifest-created.json names the manifest of EXAMPLE_DATE.
    const prepared = await prepareEtl();
    await run('etl-extract-transform', ctx, prepared.env, { date: EXAMPLE_DATE });
  },
  async execute(values, ctx, prepared) {
    const datasets = Object.fromEntries(DATASETS.map((d) => [d, { extracted: 0, loaded: 0 }])) as Record<
      Dataset,
      { extracted: number; loaded: number }
    >;
    const dates = targetDates(dateRequest(values));
    const manifestKeys: string[] = [];
    const lines: string[] = [];
    try {
      if (values.init) {
        const sample = values['sample-orders'];
        const init = (await run(
          'etl-db-initializer',
          ctx,
          prepared.env,
          sample ? { sampleData: true, sampleOrders: sample } : {},
        )) as InitializeResult;
        const s = init.sampleData;
        lines.push(
          `  init          schema ${init.source.current} (source), ${init.target.current} (target); ` +
            ('skipped' in s
              ? `sample data: ${s.skipped}`
              : `sample: ${s.orders} orders, ${s.customers} customers, ${s.products} products (${s.from}..${s.to} JST)`),
        );
      }
      const extracted = (await run(
        'etl-extract-transform',
        ctx,
        prepared.env,
        dateRequest(values),
      )) as ExtractResult;
      for (const day of extracted.dates) {
        manifestKeys.push(day.manifestKey);
        for (const d of DATASETS) datasets[d].extracted += day.datasets[d].rows;
      }
      for (const key of manifestKeys) {
        const loaded = (await run(
          'etl-load',
          ctx,
          prepared.env,
          manifestCreatedEvent(prepared.env.ETL_BUCKET!, key),
        )) as LoadResult;
        for (const d of DATASETS) datasets[d].loaded += loaded.datasets[d].written;
      }
    } catch (error) {
      const e = error as Error;
      const json = {
        status: 'FAILED',
        dates,
        datasets,
        manifestKeys,
        error: { name: e.name, message: e.message },
      };
      return { text: `etl FAILED: ${e.name}: ${e.message}`, json };
    }
    const top = await topCustomers(prepared.targetUrl);
    const text = [
      `etl SUCCEEDED: ${dates.length === 1 ? dates[0] : `${dates[0]}..${dates.at(-1)} (${dates.length} dates)`} JST`,
      `  manifests     ${manifestKeys.map((k) => `s3://${prepared.env.ETL_BUCKET}/${k}`).join(', ')}`,
      ...lines,
      ...DATASETS.map(
        (d) => `  ${d.padEnd(22)}extracted ${datasets[d].extracted}, loaded ${datasets[d].loaded}`,
      ),
      '  top_customers',
      ...(top.length
        ? top.map(
            (c) =>
              `    ${c.rank.padStart(2)}. ${c.customer_name} (${c.region})  ${c.total_orders} orders  ¥${c.total_amount}`,
          )
        : ['    (none yet)']),
      `  databases     source ${redacted(prepared.sourceUrl)}, target ${redacted(prepared.targetUrl)}`,
    ].join('\n');
    return { text, json: { status: 'SUCCEEDED', dates, datasets, manifestKeys } };
  },
});
