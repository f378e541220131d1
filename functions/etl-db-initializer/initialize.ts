import type pg from 'pg';
import { migrateDatabase, type MigrateResult } from '../shared/migrations';
import { withTransaction } from '../shared/db';
import { insertSampleData, type SampleOptions, type SampleSummary } from './sample-data';

export interface InitializeResult {
  source: MigrateResult;
  target: MigrateResult;
  /** What sample data was inserted, or why none was. */
  sampleData: SampleSummary | { skipped: string };
}

export interface InitializeOptions {
  /** Insert sample orders (never by default). */
  sample?: SampleOptions;
  logger?: { info(message: string, attributes: Record<string, unknown>): void };
}

/**
 * Creates (idempotently, through the one migration mechanism) the source schema and the target
 * schema with its views, then, only when asked, sample data — never into a source that already
 * has orders: the check and the insert share one transaction, behind a lock, so two runs cannot
 * both insert.
 */
export async function initialize(
  source: pg.Pool,
  target: pg.Pool,
  options: InitializeOptions = {},
): Promise<InitializeResult> {
  const sourceResult = await migrateDatabase(source, 'etl-db-initializer/source', { logger: options.logger });
  const targetResult = await migrateDatabase(target, 'etl-db-initializer/target', { logger: options.logger });
  const sample = options.sample;
  let sampleData: InitializeResult['sampleData'] = { skipped: 'not requested' };
  if (sample) {
    sampleData = await withTransaction(source, async (client) => {
      await client.query('LOCK TABLE orders IN EXCLUSIVE MODE');
      const existing = await client.query<{ n: string }>('SELECT count(*) AS n FROM orders');
      const n = Number(existing.rows[0]!.n);
      if (n > 0)
        return { skipped: `the source already has ${n} orders; sample data goes only into an empty source` };
      const customers = await client.query('SELECT 1 FROM customers LIMIT 1');
      const products = await client.query('SELECT 1 FROM products LIMIT 1');
      if (customers.rowCount || products.rowCount) {
        return {
          skipped: 'the source already has customers or products; sample data goes only into an empty source',
        };
      }
      return insertSampleData(client, sample);
    });
  }
  return { source: sourceResult, target: targetResult, sampleData };
}
