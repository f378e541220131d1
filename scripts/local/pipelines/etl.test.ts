import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { repositoryRoot } from '../../../functions/shared/assets';
import { jstYesterday } from '../../../functions/shared/jst';
import { uniqueName, useFreshDatabase } from '../../testing/stack';

/**
 * `npm run local -- etl` as a person runs it: under tsx in a child process (the stack modules are
 * ESM-only), against the test stack's PostgreSQL (two fresh databases named by
 * SOURCE_DATABASE_URL / TARGET_DATABASE_URL) and S3 (a bucket of its own, created by the run).
 */
const run = promisify(execFile);
const root = repositoryRoot();

let env: Record<string, string>;

beforeAll(async () => {
  const sourceUrl = await useFreshDatabase('etl_local_source');
  const targetUrl = await useFreshDatabase('etl_local_target');
  env = {
    SOURCE_DATABASE_URL: sourceUrl,
    TARGET_DATABASE_URL: targetUrl,
    ETL_BUCKET: uniqueName('etl-local'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
});

async function cli(args: string[]) {
  return run(join(root, 'node_modules/.bin/tsx'), ['scripts/local/cli.ts', 'etl', ...args], {
    cwd: root,
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`, ...env },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('npm run local -- etl', () => {
  const date = jstYesterday();

  it('--init --sample-orders N --json: one JSON object with exactly the documented shape', async () => {
    const { code, stdout } = await cli(['--init', '--sample-orders', '600', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      status: string;
      dates: string[];
      datasets: Record<string, { extracted: number; loaded: number }>;
      manifestKeys: string[];
    };
    expect(Object.keys(json)).toEqual(['status', 'dates', 'datasets', 'manifestKeys']);
    expect(json.status).toBe('SUCCEEDED');
    expect(json.dates).toEqual([date]);
    expect(json.manifestKeys).toEqual([`etl-data/${date}/manifest.json`]);
    expect(Object.keys(json.datasets)).toEqual([
      'daily_sales_summary',
      'product_sales_summary',
      'customer_analytics',
    ]);

    // The figures agree with the source, counted here independently.
    const [completed] = await query<{ orders: number; regions: number; customers: number }>(
      env.SOURCE_DATABASE_URL!,
      `SELECT count(*)::int AS orders, count(DISTINCT c.region)::int AS regions,
              count(DISTINCT o.customer_id)::int AS customers
       FROM orders o JOIN customers c USING (customer_id)
       WHERE o.status = 'completed' AND (o.ordered_at AT TIME ZONE 'Asia/Tokyo')::date = $1`,
      [date],
    );
    const [touched] = await query<{ customers: number }>(
      env.SOURCE_DATABASE_URL!,
      `SELECT count(DISTINCT customer_id)::int AS customers FROM orders
       WHERE (ordered_at AT TIME ZONE 'Asia/Tokyo')::date = $1`,
      [date],
    );
    expect(completed!.orders).toBeGreaterThan(0);
    expect(json.datasets.daily_sales_summary).toEqual({
      extracted: completed!.regions,
      loaded: completed!.regions,
    });
    expect(json.datasets.customer_analytics!.extracted).toBe(touched!.customers);
    const [loaded] = await query<{ orders: number }>(
      env.TARGET_DATABASE_URL!,
      'SELECT sum(order_count)::int AS orders FROM daily_sales_summary WHERE sales_date = $1',
      [date],
    );
    expect(loaded!.orders).toBe(completed!.orders);
  });

  it('a second run of the same date extracts the same rows and applies none; the text names the top customers', async () => {
    const again = await cli(['--json']);
    const json = JSON.parse(again.stdout) as {
      datasets: Record<string, { extracted: number; loaded: number }>;
    };
    expect(Object.values(json.datasets).map((d) => d.loaded)).toEqual([0, 0, 0]);
    const text = await cli(['--date', date]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`etl SUCCEEDED: ${date} JST`);
    expect(text.stdout).toMatch(
      /top_customers\n\s+1\. \S+ \S+ \((東京|大阪|名古屋|福岡|札幌|仙台|広島|京都|神戸|横浜)\)/,
    );
  });

  it('bad input exits 2 with one line naming the problem, before anything runs', async () => {
    for (const [args, message] of [
      [['--date', '2026-02-30'], 'error: --date: date 2026-02-30 is not a calendar date'],
      [
        ['--from', '2026-03-02', '--to', '2026-03-01'],
        'error: --from: from 2026-03-02 is after to 2026-03-01',
      ],
      [
        ['--from', '2026-01-01', '--to', '2026-02-01'],
        'error: --to: 2026-01-01..2026-02-01 covers more than 31 dates; split the backfill into calls of at most 31',
      ],
    ] as const) {
      const result = await cli([...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(`${message}\n`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('an unreachable database URL exits 2 in one line, without its password', async () => {
    const saved = env;
    env = { ...env, SOURCE_DATABASE_URL: 'postgresql://etl:hunter2@127.0.0.1:1/nowhere' };
    try {
      const result = await cli(['--json']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        'error: SOURCE_DATABASE_URL 127.0.0.1:1/nowhere is unreachable: ECONNREFUSED',
      );
      expect(result.stderr).not.toContain('hunter2');
    } finally {
      env = saved;
    }
  });
});
