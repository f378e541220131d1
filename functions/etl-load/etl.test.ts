/**
 * etl end to end on the embedded PostgreSQL (two databases) and s3rver, through the handlers:
 * extract (source → S3) then load (S3 → target). The fixture is small and fixed; every expected
 * figure below was worked out by hand from it.
 *
 * Fixture (JST dates; D = 2026-11-30, a Monday):
 *   customers 1 佐藤 太郎 東京, 2 鈴木 花子 大阪, 3 田中 健太 東京
 *   products  1 電気ケトル 家電 3000.00 (sold at 2500.00), 2 緑茶 食品 800.00, 3 日本の歴史 書籍 1500.00,
 *             4 浴衣 衣料品 2000.00
 *   orders    101 c1 2026-11-29 10:00          completed  p1 1×2500
 *             102 c1 2026-11-30 00:00:00.000   completed  p2 2×800, p3 1×1500   (3100, 3 items)
 *             103 c2 2026-11-30 23:59:59.999   completed  p1 1×2500
 *             104 c3 2026-11-30 12:00          cancelled  p4 3×2000
 *             105 c2 2026-12-01 00:00:00.000   completed  p2 1×800
 *             106 c1 2026-11-30 18:30          completed  p2 1×750 (price at order time)
 * The source database runs in America/New_York, so a comparison in the server's zone would
 * put 102, 103 and 105 on other days.
 */
import pg from 'pg';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, readObjectText } from '../shared/s3';
import { resetPool } from '../shared/db';
import { migrateDatabase } from '../shared/migrations';
import { createBucket, putLocalSecret, uniqueName, useFreshDatabase } from '../../scripts/testing/stack';
import { handler as extract } from '../etl-extract-transform/handler';
import { manifestKey, type Manifest } from '../etl-extract-transform/contract';
import { handler as load } from './handler';
import { loadManifest } from './load';
import { thrownErrorPayload } from '../shared/run-outcomes';
import { newRunsLedgerTable, recorderEnd } from '../shared/run-outcomes.testing';
import { createRunsLedger } from '../shared/runs-ledger';
import type * as HandlerModule from './handler';
import type * as DbModule from '../shared/db';

const D = '2026-11-30';
const NEXT = '2026-12-01';

let sourceUrl: string;
let targetUrl: string;
let bucket: string;
let source: pg.Pool;
let target: pg.Pool;

function objectCreated(key: string) {
  return {
    version: '0',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    detail: { bucket: { name: bucket }, object: { key } },
  };
}

async function run(date: string) {
  const extracted = await extract({ date });
  const loaded = await load(objectCreated(manifestKey(date)));
  return { extracted, loaded };
}

/** Every target row, loaded_at included, as text: "byte-identical" is compared on this. */
async function targetSnapshot(): Promise<string> {
  const r = await target.query<{ s: string }>(`
    SELECT concat_ws(E'\\n',
      (SELECT json_agg(t ORDER BY sales_date, region)::text FROM daily_sales_summary t),
      (SELECT json_agg(t ORDER BY sales_date, product_id)::text FROM product_sales_summary t),
      (SELECT json_agg(t ORDER BY customer_id)::text FROM customer_analytics t)) AS s`);
  return r.rows[0]!.s;
}

async function rows(sql: string) {
  return (await target.query(sql)).rows;
}

beforeAll(async () => {
  sourceUrl = await useFreshDatabase('etl_source');
  targetUrl = await useFreshDatabase('etl_target');
  delete process.env.DATABASE_URL;
  const admin = new pg.Client({ connectionString: sourceUrl });
  await admin.connect();
  await admin.query(
    `ALTER DATABASE ${new URL(sourceUrl).pathname.slice(1)} SET timezone = 'America/New_York'`,
  );
  await admin.end();
  source = new pg.Pool({ connectionString: sourceUrl, max: 2 });
  target = new pg.Pool({ connectionString: targetUrl, max: 2 });
  await migrateDatabase(source, 'etl-db-initializer/source');
  await migrateDatabase(target, 'etl-db-initializer/target');
  await source.query(`
    INSERT INTO customers (customer_id, name, email, region) VALUES
      (1, '佐藤 太郎', 'sato@example.jp', '東京'), (2, '鈴木 花子', NULL, '大阪'), (3, '田中 健太', 'tanaka@example.jp', '東京');
    INSERT INTO products (product_id, name, category, price) VALUES
      (1, '電気ケトル', '家電', 3000), (2, '緑茶', '食品', 800), (3, '日本の歴史', '書籍', 1500), (4, '浴衣', '衣料品', 2000);
    INSERT INTO orders (order_id, customer_id, ordered_at, status) VALUES
      (101, 1, '2026-11-29 10:00:00+09', 'completed'),
      (102, 1, '2026-11-30 00:00:00.000+09', 'completed'),
      (103, 2, '2026-11-30 23:59:59.999+09', 'completed'),
      (104, 3, '2026-11-30 12:00:00+09', 'cancelled'),
      (105, 2, '2026-12-01 00:00:00.000+09', 'completed'),
      (106, 1, '2026-11-30 18:30:00+09', 'completed');
    INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES
      (101, 1, 1, 1, 2500), (102, 1, 2, 2, 800), (102, 2, 3, 1, 1500), (103, 1, 1, 1, 2500),
      (104, 1, 4, 3, 2000), (105, 1, 2, 1, 800), (106, 1, 2, 1, 750);`);
  bucket = await createBucket(uniqueName('etl-test'));
  Object.assign(process.env, {
    SOURCE_DATABASE_URL: sourceUrl,
    TARGET_DATABASE_URL: targetUrl,
    ETL_BUCKET: bucket,
  });
});

afterAll(async () => {
  await resetPool();
  await source.end();
  await target.end();
  for (const k of ['SOURCE_DATABASE_URL', 'TARGET_DATABASE_URL', 'ETL_BUCKET']) delete process.env[k];
});

describe('etl: extract → S3 → load', () => {
  it('aggregates one JST day in the source (cancelled orders out, price at order time) and loads it', async () => {
    const { extracted, loaded } = await run(D);
    expect(extracted.dates).toEqual([
      {
        date: D,
        manifestKey: `etl-data/${D}/manifest.json`,
        datasets: {
          daily_sales_summary: expect.objectContaining({ rows: 2 }),
          product_sales_summary: expect.objectContaining({ rows: 3 }),
          customer_analytics: expect.objectContaining({ rows: 3 }),
        },
      },
    ]);
    expect(loaded.datasets).toEqual({
      daily_sales_summary: { rows: 2, written: 2, removed: 0 },
      product_sales_summary: { rows: 3, written: 3, removed: 0 },
      // customer 3 only has a cancelled order: extracted (to clear a row), never loaded.
      customer_analytics: { rows: 3, written: 2, removed: 0 },
    });

    const manifest = JSON.parse(await readObjectText(bucket, manifestKey(D))) as Manifest;
    expect(manifest.datasets.daily_sales_summary).toMatchObject({
      key: `etl-data/${D}/daily_sales_summary.jsonl.gz`,
      rows: 2,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });

    expect(
      await rows(`SELECT sales_date::text, region, order_count, customer_count, item_quantity,
                         total_amount::text, avg_order_amount::text
                  FROM daily_sales_summary ORDER BY region COLLATE "C"`),
    ).toEqual([
      {
        sales_date: D,
        region: '大阪',
        order_count: 1,
        customer_count: 1,
        item_quantity: 1,
        total_amount: '2500.00',
        avg_order_amount: '2500.00',
      },
      {
        sales_date: D,
        region: '東京',
        order_count: 2,
        customer_count: 1,
        item_quantity: 4,
        total_amount: '3850.00',
        avg_order_amount: '1925.00',
      },
    ]);
    expect(
      await rows(`SELECT product_id::int, product_name, category, quantity, order_count, total_amount::text
                  FROM product_sales_summary ORDER BY product_id`),
    ).toEqual([
      {
        product_id: 1,
        product_name: '電気ケトル',
        category: '家電',
        quantity: 1,
        order_count: 1,
        total_amount: '2500.00',
      },
      {
        product_id: 2,
        product_name: '緑茶',
        category: '食品',
        quantity: 3,
        order_count: 2,
        total_amount: '2350.00',
      },
      {
        product_id: 3,
        product_name: '日本の歴史',
        category: '書籍',
        quantity: 1,
        order_count: 1,
        total_amount: '1500.00',
      },
    ]);
    expect(
      await rows(`SELECT customer_id::int, customer_name, region, first_order_date::text, last_order_date::text,
                         total_orders, total_quantity, total_amount::text, avg_order_amount::text, as_of_date::text
                  FROM customer_analytics ORDER BY customer_id`),
    ).toEqual([
      {
        customer_id: 1,
        customer_name: '佐藤 太郎',
        region: '東京',
        first_order_date: '2026-11-29',
        last_order_date: D,
        total_orders: 3,
        total_quantity: 5,
        total_amount: '6350.00',
        avg_order_amount: '2116.67',
        as_of_date: D,
      },
      {
        customer_id: 2,
        customer_name: '鈴木 花子',
        region: '大阪',
        first_order_date: D,
        last_order_date: D,
        total_orders: 1,
        total_quantity: 1,
        total_amount: '2500.00',
        avg_order_amount: '2500.00',
        as_of_date: D,
      },
    ]);
  });

  it('exposes the views the analytics team queries', async () => {
    expect(
      await rows(
        `SELECT rank::int, customer_id::int, customer_name, region, total_orders, total_amount::text, last_order_date::text FROM top_customers ORDER BY rank`,
      ),
    ).toEqual([
      {
        rank: 1,
        customer_id: 1,
        customer_name: '佐藤 太郎',
        region: '東京',
        total_orders: 3,
        total_amount: '6350.00',
        last_order_date: D,
      },
      {
        rank: 2,
        customer_id: 2,
        customer_name: '鈴木 花子',
        region: '大阪',
        total_orders: 1,
        total_amount: '2500.00',
        last_order_date: D,
      },
    ]);
    expect(
      await rows(
        `SELECT category, quantity::int, order_count::int, total_amount::text, share_pct::text FROM category_performance ORDER BY total_amount DESC`,
      ),
    ).toEqual([
      { category: '家電', quantity: 1, order_count: 1, total_amount: '2500.00', share_pct: '39.4' },
      { category: '食品', quantity: 3, order_count: 2, total_amount: '2350.00', share_pct: '37.0' },
      { category: '書籍', quantity: 1, order_count: 1, total_amount: '1500.00', share_pct: '23.6' },
    ]);
    expect(
      await rows(
        `SELECT region, sales_date::text, order_count, total_amount::text, amount_7d_avg::text FROM regional_sales_trend ORDER BY region COLLATE "C"`,
      ),
    ).toEqual([
      { region: '大阪', sales_date: D, order_count: 1, total_amount: '2500.00', amount_7d_avg: '357.14' },
      { region: '東京', sales_date: D, order_count: 2, total_amount: '3850.00', amount_7d_avg: '550.00' },
    ]);
    expect(
      await rows(
        `SELECT week_start::text, order_count::int, total_amount::text, avg_order_amount::text FROM weekly_sales_summary`,
      ),
    ).toEqual([{ week_start: D, order_count: 3, total_amount: '6350.00', avg_order_amount: '2116.67' }]);
  });

  it('re-running the date, or the same S3 event delivered twice, leaves the target byte-identical', async () => {
    const before = await targetSnapshot();
    const again = await run(D);
    expect(again.loaded.datasets).toEqual({
      daily_sales_summary: { rows: 2, written: 0, removed: 0 },
      product_sales_summary: { rows: 3, written: 0, removed: 0 },
      customer_analytics: { rows: 3, written: 0, removed: 0 },
    });
    await load(objectCreated(manifestKey(D)));
    expect(await targetSnapshot()).toBe(before);
  });

  it('lands 00:00:00.000 JST of the next day on that day, and a backfill of an older date never overwrites a newer one', async () => {
    const { loaded } = await run(NEXT);
    expect(loaded.datasets.daily_sales_summary).toEqual({ rows: 1, written: 1, removed: 0 });
    expect(
      await rows(
        `SELECT region, order_count, total_amount::text FROM daily_sales_summary WHERE sales_date = '${NEXT}'`,
      ),
    ).toEqual([{ region: '大阪', order_count: 1, total_amount: '800.00' }]);
    const customer2 = `SELECT first_order_date::text, last_order_date::text, total_orders, total_quantity, total_amount::text, avg_order_amount::text, as_of_date::text FROM customer_analytics WHERE customer_id = 2`;
    const newer = {
      first_order_date: D,
      last_order_date: NEXT,
      total_orders: 2,
      total_quantity: 2,
      total_amount: '3300.00',
      avg_order_amount: '1650.00',
      as_of_date: NEXT,
    };
    expect(await rows(customer2)).toEqual([newer]);
    // 7-day average in 大阪 on NEXT: (2500 + 800) / 7.
    expect(
      await rows(
        `SELECT amount_7d_avg::text FROM regional_sales_trend WHERE region = '大阪' AND sales_date = '${NEXT}'`,
      ),
    ).toEqual([{ amount_7d_avg: '471.43' }]);

    const before = await targetSnapshot();
    await run(D);
    expect(await rows(customer2)).toEqual([newer]);
    expect(await targetSnapshot()).toBe(before);
  });

  it('an order cancelled since: a re-run removes its rows, and a customer left with no completed order loses the row', async () => {
    await source.query(`UPDATE orders SET status = 'cancelled' WHERE order_id IN (103, 105)`);
    try {
      const { loaded } = await run(NEXT);
      // NEXT: 大阪 had only 105; customer 2 is touched on NEXT and has no completed order up to it.
      expect(loaded.datasets).toEqual({
        daily_sales_summary: { rows: 0, written: 0, removed: 1 },
        product_sales_summary: { rows: 0, written: 0, removed: 1 },
        customer_analytics: { rows: 1, written: 0, removed: 1 },
      });
      const again = await run(D);
      expect(again.loaded.datasets).toEqual({
        daily_sales_summary: { rows: 1, written: 0, removed: 1 },
        product_sales_summary: { rows: 2, written: 0, removed: 1 },
        customer_analytics: { rows: 3, written: 0, removed: 0 },
      });
      expect(
        await rows(`SELECT sales_date::text, region FROM daily_sales_summary ORDER BY sales_date, region`),
      ).toEqual([{ sales_date: D, region: '東京' }]);
      expect(await rows(`SELECT product_id::int FROM product_sales_summary ORDER BY product_id`)).toEqual([
        { product_id: 2 },
        { product_id: 3 },
      ]);
      expect(await rows(`SELECT customer_id::int FROM customer_analytics ORDER BY customer_id`)).toEqual([
        { customer_id: 1 },
      ]);
    } finally {
      await source.query(`UPDATE orders SET status = 'completed' WHERE order_id IN (103, 105)`);
    }
    // Back to the source as it was: the target converges again.
    await run(D);
    await run(NEXT);
    expect(
      await rows(
        `SELECT customer_id::int, total_orders, as_of_date::text FROM customer_analytics ORDER BY customer_id`,
      ),
    ).toEqual([
      { customer_id: 1, total_orders: 3, as_of_date: D },
      { customer_id: 2, total_orders: 2, as_of_date: NEXT },
    ]);
  });

  it('a date with no orders succeeds with empty datasets and a zero-row load', async () => {
    const before = await targetSnapshot();
    const { extracted, loaded } = await run('2026-11-20');
    expect(Object.values(extracted.dates[0]!.datasets).map((d) => d.rows)).toEqual([0, 0, 0]);
    expect(loaded.status).toBe('SUCCEEDED');
    expect(Object.values(loaded.datasets)).toEqual([
      { rows: 0, written: 0, removed: 0 },
      { rows: 0, written: 0, removed: 0 },
      { rows: 0, written: 0, removed: 0 },
    ]);
    expect(await targetSnapshot()).toBe(before);
  });

  it('a synchronous invoke by hand ("source":"make") records its own end, as the recorder would', async () => {
    const saved = process.env.RUNS_TABLE;
    process.env.RUNS_TABLE = await newRunsLedgerTable();
    const ledger = createRunsLedger({ table: process.env.RUNS_TABLE });
    try {
      const date = '2026-11-21';
      const extractRequest = { source: 'make', date };
      const extracted = await extract(extractRequest, { awsRequestId: 'sync-extract' });
      const loadRequest = { source: 'make', bucket, key: manifestKey(date) };
      const loaded = await load(loadRequest, { awsRequestId: 'sync-load' });
      const badRequest = { source: 'make', bucket };
      const thrown = await load(badRequest, { awsRequestId: 'sync-load-bad' }).catch((e: unknown) => e);
      expect(thrown).toMatchObject({ name: 'InputValidationError' });

      for (const [pipeline, resource, runId, request, response, failed] of [
        ['etl', 'etl-extract-transform', 'sync-extract', extractRequest, extracted, false],
        ['etl-load', 'etl-load', 'sync-load', loadRequest, loaded, false],
        ['etl-load', 'etl-load', 'sync-load-bad', badRequest, thrownErrorPayload(thrown), true],
      ] as const) {
        const expected = recorderEnd(resource, runId, request, response, failed);
        const run = await ledger.getRun(pipeline, runId);
        expect(run).toMatchObject({
          status: expected.status,
          trigger: 'manual',
          ...(expected.counts ? { counts: expected.counts } : {}),
          ...(expected.error ? { error: expected.error } : {}),
          links: { requestId: runId, ...(expected.s3Keys ? { s3Keys: expected.s3Keys } : {}) },
        });
        expect(run!.endedAt).toBeDefined();
      }
      expect(await ledger.getRun('etl', 'sync-extract')).toMatchObject({
        status: 'SUCCEEDED',
        links: { s3Keys: [manifestKey(date)] },
      });
      expect(await ledger.getRun('etl-load', 'sync-load-bad')).toMatchObject({ status: 'FAILED' });
    } finally {
      if (saved === undefined) delete process.env.RUNS_TABLE;
      else process.env.RUNS_TABLE = saved;
    }
  });

  it('verifies count and sha256 before touching the database, and a load failing midway changes nothing', async () => {
    const s3 = createS3Client();
    const date = '2026-11-28';
    const put = async (key: string, body: Buffer | string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const dataset = async (name: string, lines: string[]) => {
      const body = gzipSync(lines.map((l) => `${l}\n`).join(''));
      const key = `etl-data/${date}/${name}.jsonl.gz`;
      await put(key, body);
      return {
        key,
        rows: lines.length,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        queryMs: 1,
      };
    };
    const manifest = {
      version: 1,
      date,
      extractedAt: new Date().toISOString(),
      datasets: {
        daily_sales_summary: await dataset('daily_sales_summary', [
          `{"sales_date":"${date}","region":"福岡","order_count":1,"customer_count":1,"item_quantity":1,"total_amount":100.00,"avg_order_amount":100.00}`,
        ]),
        product_sales_summary: await dataset('product_sales_summary', [
          `{"sales_date":"${date}","product_id":9,"product_name":"x","category":"y","quantity":1,"order_count":1,"total_amount":100.00}`,
        ]),
        // The third merge fails on a figure that is not a number, after the first two ran.
        customer_analytics: await dataset('customer_analytics', [
          `{"customer_id":1,"customer_name":"佐藤 太郎","region":"東京","first_order_date":"2026-11-28","last_order_date":"2026-11-28","total_orders":1,"total_quantity":"many","total_amount":100.00,"avg_order_amount":100.00,"as_of_date":"${date}"}`,
        ]),
      },
    };
    const key = manifestKey(date);
    const before = await targetSnapshot();

    await put(
      key,
      JSON.stringify({
        ...manifest,
        datasets: {
          ...manifest.datasets,
          daily_sales_summary: { ...manifest.datasets.daily_sales_summary, rows: 2 },
        },
      }),
    );
    await expect(load(objectCreated(key))).rejects.toThrow(
      /holds 1 rows; the manifest says 2: nothing loaded/,
    );
    await put(
      key,
      JSON.stringify({
        ...manifest,
        datasets: {
          ...manifest.datasets,
          product_sales_summary: { ...manifest.datasets.product_sales_summary, sha256: '0'.repeat(64) },
        },
      }),
    );
    await expect(load(objectCreated(key))).rejects.toMatchObject({ name: 'ManifestMismatchError' });

    await put(key, JSON.stringify(manifest));
    await expect(load(objectCreated(key))).rejects.toThrow(/invalid input syntax for type integer: "many"/);
    expect(await targetSnapshot()).toBe(before);
  });

  it('retries a manifest that is not visible yet, with backoff', async () => {
    const key = manifestKey('2026-11-27');
    const delays: number[] = [];
    const pending = loadManifest(async () => target, bucket, key, {
      retry: {
        attempts: 5,
        baseMs: 100,
        maxMs: 1000,
        sleep: async (ms) => {
          delays.push(ms);
          await new Promise((r) => setTimeout(r, 150));
        },
      },
    });
    await extract({ date: '2026-11-27' });
    const result = await pending;
    expect(result.datasets.daily_sales_summary.rows).toBe(0);
    expect(delays.length).toBeGreaterThan(0);
    delays.forEach((ms, i) => expect(ms).toBeLessThan(100 * 2 ** i));
  });

  it('loads two dates at the same time without deadlock or lost rows', async () => {
    await extract({ from: '2026-11-29', to: NEXT });
    for (const date of ['2026-11-29', D, NEXT]) await load(objectCreated(manifestKey(date)));
    const expected = await targetSnapshot();
    await target.query('TRUNCATE daily_sales_summary, product_sales_summary, customer_analytics');
    const pools = [
      new pg.Pool({ connectionString: targetUrl, max: 1 }),
      new pg.Pool({ connectionString: targetUrl, max: 1 }),
    ];
    try {
      for (let round = 0; round < 3; round += 1) {
        const dates = ['2026-11-29', D, NEXT];
        await Promise.all(
          dates.map((date, i) => loadManifest(async () => pools[i % 2]!, bucket, manifestKey(date))),
        );
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const after = await rows(
      `SELECT customer_id::int, total_orders, as_of_date::text FROM customer_analytics ORDER BY customer_id`,
    );
    expect(after).toEqual([
      { customer_id: 1, total_orders: 3, as_of_date: D },
      { customer_id: 2, total_orders: 2, as_of_date: NEXT },
    ]);
    const strip = (s: string) => s.replace(/"loaded_at":"[^"]*"/g, '');
    expect(strip(await targetSnapshot())).toBe(strip(expected));
  });

  it('logs carry the target date and dataset, metrics use the etl names, and the secret never reaches a log', async () => {
    const password = `pw-${uniqueName('etl')}`;
    const role = `etl_log_${Date.now()}`;
    await target.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`);
    const parsed = new URL(targetUrl);
    await putLocalSecret('rds!etl-target', { username: role, password });
    const saved = process.env.TARGET_DATABASE_URL;
    delete process.env.TARGET_DATABASE_URL;
    Object.assign(process.env, {
      TARGET_DB_SECRET_ARN: 'rds!etl-target',
      TARGET_DB_HOST: parsed.hostname,
      TARGET_DB_PORT: parsed.port,
      TARGET_DB_NAME: parsed.pathname.slice(1),
      DB_SSL: 'disable',
    });
    await resetPool();
    const out: string[] = [];
    const savedLevels = {
      log: process.env.POWERTOOLS_LOG_LEVEL,
      metrics: process.env.POWERTOOLS_METRICS_DISABLED,
    };
    // The suite silences Powertools; this test needs what Lambda would print, from a fresh module.
    process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const spies = [process.stdout, process.stderr].map((stream) =>
      jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      }),
    );
    try {
      await jest.isolateModulesAsync(async () => {
        const fresh: typeof HandlerModule = await import('./handler');
        const freshDb: typeof DbModule = await import('../shared/db');
        try {
          await fresh.handler(objectCreated(manifestKey(D)));
        } finally {
          await freshDb.resetPool();
        }
      });
    } finally {
      spies.forEach((s) => s.mockRestore());
      process.env.POWERTOOLS_LOG_LEVEL = savedLevels.log;
      process.env.POWERTOOLS_METRICS_DISABLED = savedLevels.metrics;
      await resetPool();
      process.env.TARGET_DATABASE_URL = saved;
      for (const k of [
        'TARGET_DB_SECRET_ARN',
        'TARGET_DB_HOST',
        'TARGET_DB_PORT',
        'TARGET_DB_NAME',
        'DB_SSL',
      ])
        delete process.env[k];
    }
    const text = out.join('');
    expect(text).not.toContain(password);
    const records = text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          message: 'dataset loaded',
          targetDate: D,
          date: D,
          dataset: 'customer_analytics',
        }),
        expect.objectContaining({
          _aws: expect.objectContaining({
            CloudWatchMetrics: [expect.objectContaining({ Namespace: 'etl' })],
          }),
          DataLoadTime: expect.any(Number),
          S3ReadTime: expect.any(Number),
          RecordsLoaded_daily_sales_summary: 0,
        }),
      ]),
    );
  });

  it('carries any text through JSON Lines unchanged: quotes, backslashes, control characters, emoji', async () => {
    const name = 'O"Brien \\ back\\slash\nnew line\ttab \u0001\u0002 😀 髙橋';
    const product = 'Tシャツ "L", 100% \\綿\r\n';
    await source.query(`INSERT INTO customers (customer_id, name, region) VALUES (4, $1, $2)`, [
      name,
      '福岡',
    ]);
    await source.query(
      `INSERT INTO products (product_id, name, category, price) VALUES (5, $1, 'a,b;c', 990)`,
      [product],
    );
    await source.query(
      `INSERT INTO orders (order_id, customer_id, ordered_at) VALUES (107, 4, '2026-11-25 09:00+09')`,
    );
    await source.query(
      `INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES (107, 1, 5, 2, 990)`,
    );
    const { loaded } = await run('2026-11-25');
    expect(loaded.datasets.customer_analytics).toEqual({ rows: 1, written: 1, removed: 0 });
    expect(
      await rows(
        `SELECT customer_name, region, total_amount::text FROM customer_analytics WHERE customer_id = 4`,
      ),
    ).toEqual([{ customer_name: name, region: '福岡', total_amount: '1980.00' }]);
    expect(
      await rows(`SELECT product_name, category FROM product_sales_summary WHERE sales_date = '2026-11-25'`),
    ).toEqual([{ product_name: product, category: 'a,b;c' }]);
  });
});
