import pg from 'pg';
import { resetPool } from '../shared/db';
import { useFreshDatabase } from '../../scripts/testing/stack';
import { handler } from './handler';

describe('etl-db-initializer', () => {
  let source: pg.Pool;
  let target: pg.Pool;
  beforeAll(async () => {
    const sourceUrl = await useFreshDatabase('etl_init_source');
    const targetUrl = await useFreshDatabase('etl_init_target');
    delete process.env.DATABASE_URL;
    Object.assign(process.env, { SOURCE_DATABASE_URL: sourceUrl, TARGET_DATABASE_URL: targetUrl });
    source = new pg.Pool({ connectionString: sourceUrl, max: 1 });
    target = new pg.Pool({ connectionString: targetUrl, max: 1 });
  });
  afterAll(async () => {
    await resetPool();
    await source.end();
    await target.end();
    delete process.env.SOURCE_DATABASE_URL;
    delete process.env.TARGET_DATABASE_URL;
  });

  const names = async (pool: pg.Pool, kind: 'BASE TABLE' | 'VIEW') =>
    (
      await pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = $1 AND table_name <> 'schema_migrations'
         ORDER BY table_name`,
        [kind],
      )
    ).rows.map((r) => r.table_name);

  it('creates both schemas and the views, idempotently, and no data by default', async () => {
    const first = await handler({});
    expect(first.source.applied).toEqual(['001_initial.sql']);
    expect(first.target.applied).toEqual(['001_initial.sql']);
    expect(first.sampleData).toEqual({ skipped: 'not requested' });
    expect(await names(source, 'BASE TABLE')).toEqual(['customers', 'order_items', 'orders', 'products']);
    expect(await names(target, 'BASE TABLE')).toEqual([
      'customer_analytics',
      'daily_sales_summary',
      'product_sales_summary',
    ]);
    expect(await names(target, 'VIEW')).toEqual([
      'category_performance',
      'regional_sales_trend',
      'top_customers',
      'weekly_sales_summary',
    ]);
    const again = await handler({});
    expect([again.source.applied, again.target.applied]).toEqual([[], []]);
    expect((await source.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(0);
  });

  it('inserts deterministic Japanese sample data over 30 JST days, never into a source that has orders', async () => {
    const result = await handler({ sampleData: true, sampleOrders: 400, seed: 7 });
    expect(result.sampleData).toMatchObject({ customers: 50, products: 29, orders: 400 });
    const stats = (
      await source.query(`
        SELECT count(DISTINCT c.region)::int AS regions,
               count(DISTINCT p.category)::int AS categories,
               count(*) FILTER (WHERE o.status = 'cancelled')::int > 0 AS some_cancelled,
               count(DISTINCT (o.ordered_at AT TIME ZONE 'Asia/Tokyo')::date)::int AS days,
               count(DISTINCT extract(hour FROM o.ordered_at AT TIME ZONE 'Asia/Tokyo'))::int AS hours,
               bool_or(i.line_no > 1) AS multi_line,
               bool_or(i.unit_price <> p.price) AS price_moved
        FROM orders o JOIN customers c USING (customer_id) JOIN order_items i USING (order_id)
        JOIN products p USING (product_id)`)
    ).rows[0];
    expect(stats).toEqual({
      regions: 10,
      categories: 7,
      some_cancelled: true,
      days: 30,
      hours: 24,
      multi_line: true,
      price_moved: true,
    });
    const regions = await source.query(
      `SELECT DISTINCT region FROM customers WHERE region IN ('東京', '大阪', '名古屋', '福岡', '札幌')`,
    );
    expect(regions.rowCount).toBe(5);
    const digest = async () =>
      (
        await source.query(
          `SELECT md5(string_agg(concat_ws(',', o.order_id, o.customer_id, o.status, i.line_no, i.product_id, i.quantity, i.unit_price), ';' ORDER BY o.order_id, i.line_no)) AS h FROM orders o JOIN order_items i USING (order_id)`,
        )
      ).rows[0].h as string;
    const first = await digest();

    const refused = await handler({ sampleData: true, sampleOrders: 10 });
    expect(refused.sampleData).toEqual({
      skipped: 'the source already has 400 orders; sample data goes only into an empty source',
    });
    expect((await source.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(400);

    // Same seed, same rows (timestamps aside, which follow the run's JST date).
    await source.query('TRUNCATE order_items, orders, customers, products');
    await handler({ sampleData: true, sampleOrders: 400, seed: 7 });
    expect(await digest()).toBe(first);
  });

  it('refuses a malformed event without touching anything', async () => {
    await expect(handler({ sampleData: 'yes' })).rejects.toThrow(/unexpected event: check sampleData/);
    await expect(handler({ sampleData: true, sampleOrders: 0 })).rejects.toMatchObject({
      name: 'InputValidationError',
    });
  });
});
