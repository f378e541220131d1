import pg from 'pg';
import { getPool, resetPool } from '../shared/db';
import { migrateDatabase } from '../shared/migrations';
import { useFreshDatabase } from '../../scripts/testing/stack';
import { handler } from './handler';

describe('csv-migrate', () => {
  let url: string;
  beforeAll(async () => {
    url = await useFreshDatabase('csv_migrate');
  });
  afterAll(() => resetPool());

  it('creates the tables and indexes, and is a no-op when applied again (even concurrently)', async () => {
    const first = await handler();
    expect(first).toEqual({
      database: new URL(url).pathname.slice(1),
      applied: ['001_initial.sql'],
      current: '001_initial.sql',
    });
    const pool = await getPool();
    const tables = await pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_name IN ('users', 'user_statistics')
       ORDER BY table_name`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['user_statistics', 'users']);

    await pool.query(`INSERT INTO users (user_id, username, email) VALUES ('U00001', 'a', 'a@example.com')`);
    const other = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const again = await Promise.all([handler(), migrateDatabase(other, 'csv-migrate')]);
      expect(again.map((r) => r.applied)).toEqual([[], []]);
    } finally {
      await other.end();
    }
    const users = await pool.query('SELECT count(*)::int AS n FROM users');
    expect(users.rows[0].n).toBe(1);
    const indexes = await pool.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename IN ('users', 'user_statistics') ORDER BY indexname`,
    );
    expect(indexes.rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining(['user_statistics_last_updated_idx', 'users_created_at_idx', 'users_email_key']),
    );
  });

  it('enforces the contract: statistics need a known user and non-negative counts', async () => {
    const pool = await getPool();
    await expect(pool.query(`INSERT INTO user_statistics (user_id) VALUES ('NOPE')`)).rejects.toMatchObject({
      code: '23503',
    });
    await expect(
      pool.query(`INSERT INTO user_statistics (user_id, login_count) VALUES ('U00001', -1)`),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
