import pg from 'pg';
import { jstDayRange } from '../../functions/shared/jst';
import { createBucket, uniqueName, useFreshDatabase } from '../testing/stack';
import { exampleEvent, invokeZip, stackEnv } from './support';

/**
 * etl's zips from empty directories: etl-db-initializer creates both schemas and sample data,
 * etl-extract-transform writes a date's datasets and manifest, etl-load loads them, and the
 * views answer. The date is one of the example events' (2026-11-30 JST).
 */
describe('etl pipeline from dist/', () => {
  const DATE = '2026-11-30';
  let sourceUrl: string;
  let targetUrl: string;
  let env: Record<string, string | undefined>;
  const bucket = uniqueName('artifact-etl');

  beforeAll(async () => {
    sourceUrl = await useFreshDatabase('artifact_etl_source');
    targetUrl = await useFreshDatabase('artifact_etl_target');
    await createBucket(bucket);
    env = {
      ...stackEnv(),
      SOURCE_DATABASE_URL: sourceUrl,
      TARGET_DATABASE_URL: targetUrl,
      ETL_BUCKET: bucket,
    };
  });

  async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  it('etl-db-initializer creates the schemas (the SQL ships in the zip), then sample data', async () => {
    const first = (await invokeZip(
      'etl-db-initializer',
      exampleEvent('etl-db-initializer', 'schema.json'),
      env,
    )) as {
      source: { applied: string[] };
      target: { applied: string[] };
    };
    expect([first.source.applied, first.target.applied]).toEqual([['001_initial.sql'], ['001_initial.sql']]);
    const sample = (await invokeZip(
      'etl-db-initializer',
      exampleEvent('etl-db-initializer', 'sample-data.json'),
      env,
    )) as {
      sampleData: { orders: number };
    };
    expect(sample.sampleData.orders).toBe(500);
  });

  it('etl-extract-transform and etl-load move a date into the analytics views', async () => {
    // The sample spreads over the 30 JST days before today; put a known order on DATE as well.
    const { start } = jstDayRange(DATE);
    await query(
      sourceUrl,
      `INSERT INTO orders (order_id, customer_id, ordered_at, status) VALUES (900001, 1, $1, 'completed')`,
      [new Date(start.getTime() + 3_600_000)],
    );
    await query(
      sourceUrl,
      'INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price) VALUES (900001, 1, 1, 2, 1234.50)',
    );

    const extracted = (await invokeZip(
      'etl-extract-transform',
      exampleEvent('etl-extract-transform', 'manual-trigger-date.json'),
      env,
    )) as { dates: { date: string; manifestKey: string; datasets: Record<string, { rows: number }> }[] };
    expect(extracted.dates.map((d) => d.date)).toEqual([DATE]);
    const expected = await query<{ n: number }>(
      sourceUrl,
      `SELECT count(DISTINCT c.region)::int AS n FROM orders o JOIN customers c USING (customer_id)
       WHERE o.status = 'completed' AND (o.ordered_at AT TIME ZONE 'Asia/Tokyo')::date = $1`,
      [DATE],
    );
    expect(extracted.dates[0]!.datasets.daily_sales_summary!.rows).toBe(expected[0]!.n);

    const event = exampleEvent('etl-load', 'manifest-created.json') as {
      detail: { bucket: { name: string } };
    };
    event.detail.bucket.name = bucket;
    const loaded = (await invokeZip('etl-load', event, env)) as {
      datasets: Record<string, { written: number }>;
    };
    expect(loaded.datasets.daily_sales_summary!.written).toBe(expected[0]!.n);
    const again = (await invokeZip('etl-load', event, env)) as {
      datasets: Record<string, { written: number }>;
    };
    expect(Object.values(again.datasets).map((d) => d.written)).toEqual([0, 0, 0]);

    const top = await query<{ customer_id: string }>(
      targetUrl,
      'SELECT customer_id FROM top_customers WHERE customer_id = 1',
    );
    expect(top).toEqual([{ customer_id: '1' }]);
  });
});
