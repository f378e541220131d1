import pg from 'pg';
import { getPool, resetPool } from '../shared/db';
import { useFreshDatabase } from '../../scripts/testing/stack';
import { migrate, schemaHash } from './migrate';

describe('csv-migrate', () => {
  let url: string;
  beforeAll(async () => {
    url = await useFreshDatabase('csv_migrate');
  });
  afterAll(() => resetPool());

  it('creates the tables and indexes, and is a no-op when applied again (even concurrently)', async () => {
    const pool = await getPool();
    const first = await migrate(pool);
    expect(first.tables).toEqual(['user_statistics', 'users']);
    expect(first.schemaHash).toBe(schemaHash());

    await pool.query(`INSERT INTO users (user_id, username, email) VALUES ('U00001', 'a', 'a@example.com')`);
    const other = new pg.Pool({ connectionString: url, max: 1 });
    try {
      await Promise.all([migrate(pool), migrate(other)]);
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
