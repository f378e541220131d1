import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { assetPath } from '../shared/assets';
import { withTransaction } from '../shared/db';

/**
 * Applies the csv-processor schema (functions/csv-processor/sql/schema.sql, the one
 * file tests and the local runner also use). The statements are idempotent; an
 * advisory lock keeps two concurrent applies (two `terraform apply` runs, a retry)
 * from interleaving DDL.
 */
export const SCHEMA_FILE = 'csv-processor/sql/schema.sql';
/** Any constant shared by every migrator of this schema (pg advisory locks are keyed by bigint). */
const LOCK_KEY = 404_2001;

export function schemaSql(): string {
  return readFileSync(assetPath(SCHEMA_FILE), 'utf8');
}

export function schemaHash(sql = schemaSql()): string {
  return createHash('sha256').update(sql).digest('hex');
}

export async function migrate(pool: pg.Pool): Promise<{ schemaHash: string; tables: string[] }> {
  const sql = schemaSql();
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(sql);
  });
  const tables = await pool.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_name IN ('users', 'user_statistics')
     ORDER BY table_name`,
  );
  return { schemaHash: schemaHash(sql), tables: tables.rows.map((r) => r.table_name) };
}
