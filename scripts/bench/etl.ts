import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { assetPath, repositoryRoot } from '../../functions/shared/assets';
import { migrateDatabase } from '../../functions/shared/migrations';
import { createS3Client } from '../../functions/shared/s3';
import { insertSampleData } from '../../functions/etl-db-initializer/sample-data';
import { DATASETS, manifestKey } from '../../functions/etl-extract-transform/contract';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { manifestCreatedEvent } from '../local/pipelines/etl';
import { ensureBucket } from '../local/pipelines/resources';
import { createDatabase, startStack } from '../local/stack';
import { bundleBenchChild, runBenchChild } from './child';

/**
 * `npm run bench -- etl [--orders 1000000] [--small-orders 10000]`
 *
 * One JST day holding --orders orders (≈1.9 lines each), measured in the same run:
 * - end to end: etl-extract-transform (source → S3) + etl-load (S3 → target), each run in its own
 *   Node process from a bundle built as the Lambda build does, so each has its own peak RSS;
 * - the ceiling: the same three aggregations done as INSERT … SELECT into tables defined like the
 *   targets, inside the source database (no transfer, no S3, no verification, no merge);
 * - peak RSS of each function at --orders and at --small-orders (flat: ratio ≤ 1.25).
 * Goals: end to end ≥ 0.5× the ceiling; RSS < 200 MB and flat.
 */
const DATE = '2026-11-30';

export const command = {
  usage: 'npm run bench -- etl',
  summary:
    'End to end (extract + load) for one day against the same aggregations as INSERT … SELECT; peak RSS.',
  options: {
    orders: { type: 'integer', min: 1000, default: 1_000_000, description: 'orders on the measured JST day' },
    'small-orders': {
      type: 'integer',
      min: 100,
      default: 10_000,
      description: 'orders of the small day (RSS flatness)',
    },
    'node-options': {
      type: 'string',
      value: 'flags',
      // What infrastructure/terraform/modules/etl/functions.tf sets (NODE_OPTIONS of both functions).
      default: '--max-semi-space-size=2',
      description: 'NODE_OPTIONS of the function processes ("" for Node’s defaults)',
    },
  },
} satisfies CommandSpec;

interface FunctionRun {
  ms: number;
  rssMb: number;
  result: unknown;
}

/** Bundles a handler as the build does, with a prologue that reports time and peak RSS (VmHWM). */
async function bundleRunner(dir: string, fn: string): Promise<string> {
  const root = repositoryRoot();
  return bundleBenchChild(join(dir, `${fn}.mjs`), {
    stdin: {
      contents: `
        import { readFileSync } from 'node:fs';
        import { handler } from './functions/${fn}/handler';
        const rss = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
        const started = performance.now();
        const result = await handler(JSON.parse(process.argv[2]));
        process.stdout.write('\\n' + JSON.stringify({ ms: performance.now() - started, rssMb: rss(), result }) + '\\n');
        process.exit(0);`,
      resolveDir: root,
      loader: 'ts',
    },
  });
}

async function runFunction(
  file: string,
  event: unknown,
  env: Record<string, string>,
  nodeOptions: string,
): Promise<FunctionRun> {
  return runBenchChild<FunctionRun>(file, [JSON.stringify(event)], { env, nodeOptions });
}

/** The three dataset queries as INSERT … SELECT into tables like the targets, in one database. */
async function ceiling(sourceUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: sourceUrl });
  await client.connect();
  try {
    await client.query(`
      DROP TABLE IF EXISTS c_daily_sales_summary, c_product_sales_summary, c_customer_analytics;
      CREATE TABLE c_daily_sales_summary (sales_date date, region text, order_count integer, customer_count integer,
        item_quantity integer, total_amount numeric(14,2), avg_order_amount numeric(14,2), PRIMARY KEY (sales_date, region));
      CREATE TABLE c_product_sales_summary (sales_date date, product_id bigint, product_name text, category text,
        quantity integer, order_count integer, total_amount numeric(14,2), PRIMARY KEY (sales_date, product_id));
      CREATE TABLE c_customer_analytics (customer_id bigint PRIMARY KEY, customer_name text, region text,
        first_order_date date, last_order_date date, total_orders integer, total_quantity integer,
        total_amount numeric(14,2), avg_order_amount numeric(14,2), as_of_date date);`);
    const started = performance.now();
    await client.query('BEGIN');
    for (const dataset of DATASETS) {
      const sql = readFileSync(assetPath(`etl-extract-transform/sql/${dataset}.sql`), 'utf8');
      await client.query(`INSERT INTO c_${dataset} ${sql}`, [DATE]);
    }
    await client.query('COMMIT');
    return performance.now() - started;
  } finally {
    await client.end();
  }
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommand(command, args);
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const stack = await startStack({ fast: true });
  const work = await mkdtemp(join(tmpdir(), 'bench-etl-'));
  const suffix = randomBytes(3).toString('hex');
  try {
    const env: Record<string, string> = { ...stack.env };
    // The S3 client here reads its endpoint and credentials from process.env, as the functions do.
    Object.assign(process.env, env);
    const bucket = `etl-bench-${suffix}`;
    await ensureBucket(createS3Client(), { name: bucket });
    const runners = {
      extract: await bundleRunner(work, 'etl-extract-transform'),
      load: await bundleRunner(work, 'etl-load'),
    };

    const measure = async (orders: number, label: string) => {
      const sourceUrl = await createDatabase(stack.databaseUrl, `etl_bench_src_${label}_${suffix}`);
      const targetUrl = await createDatabase(stack.databaseUrl, `etl_bench_tgt_${label}_${suffix}`);
      for (const [url, set] of [
        [sourceUrl, 'etl-db-initializer/source'],
        [targetUrl, 'etl-db-initializer/target'],
      ] as const) {
        const pool = new pg.Pool({ connectionString: url, max: 1 });
        await migrateDatabase(pool, set).finally(() => pool.end());
      }
      log(`${label}: generating ${orders.toLocaleString('en-US')} orders on ${DATE} (JST)…`);
      const client = new pg.Client({ connectionString: sourceUrl });
      await client.connect();
      const sample = await insertSampleData(client, { orders, days: 1, endDate: DATE, seed: 1 });
      await client.query('ANALYZE');
      await client.end();
      const fnEnv = {
        ...env,
        SOURCE_DATABASE_URL: sourceUrl,
        TARGET_DATABASE_URL: targetUrl,
        ETL_BUCKET: bucket,
      };
      log(`${label}: extract…`);
      const extract = await runFunction(runners.extract, { date: DATE }, fnEnv, values['node-options']);
      log(`${label}: load…`);
      const load = await runFunction(
        runners.load,
        manifestCreatedEvent(bucket, manifestKey(DATE)),
        fnEnv,
        values['node-options'],
      );
      log(`${label}: ceiling (INSERT … SELECT in one database)…`);
      const ceilingMs = await ceiling(sourceUrl);
      return { sample, extract, load, ceilingMs };
    };

    const small = await measure(values['small-orders'], 'small');
    const big = await measure(values.orders, 'big');
    const e2e = big.extract.ms + big.load.ms;
    const rows = (r: FunctionRun) =>
      Object.values(
        (r.result as { dates: { datasets: Record<string, { rows: number }> }[] }).dates[0]!.datasets,
      )
        .map((d) => d.rows)
        .join(' / ');
    const mb = (n: number) => `${n.toFixed(0)} MB`;
    process.stdout.write(
      [
        `etl: one JST day of ${big.sample.orders.toLocaleString('en-US')} orders (${big.sample.orderItems.toLocaleString('en-US')} lines, ${big.sample.customers.toLocaleString('en-US')} customers); rows ${rows(big.extract)} (daily / product / customer)`,
        formatTable(
          ['measure', 'ms', 'peak RSS', `RSS at ${values['small-orders'].toLocaleString('en-US')} orders`],
          [
            [
              'etl-extract-transform',
              big.extract.ms.toFixed(0),
              mb(big.extract.rssMb),
              mb(small.extract.rssMb),
            ],
            ['etl-load', big.load.ms.toFixed(0), mb(big.load.rssMb), mb(small.load.rssMb)],
            ['end to end', e2e.toFixed(0), '', ''],
            ['ceiling: INSERT … SELECT', big.ceilingMs.toFixed(0), '', ''],
          ],
        ),
        `functions ran with NODE_OPTIONS=${JSON.stringify(values['node-options'])}`,
        'goals: end to end ≥ 0.50× the ceiling; RSS < 200 MB and within 1.25× of the small day',
        `  end to end ${(big.ceilingMs / e2e).toFixed(2)}× the ceiling; RSS extract ${mb(big.extract.rssMb)} (${(big.extract.rssMb / small.extract.rssMb).toFixed(2)}× small), load ${mb(big.load.rssMb)} (${(big.load.rssMb / small.load.rssMb).toFixed(2)}× small)`,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await stack.stop();
  }
}
