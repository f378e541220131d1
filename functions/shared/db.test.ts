import pg from 'pg';
import { getPool, resetPool, withTransaction } from './db';
import { putLocalSecret, useFreshDatabase } from '../../scripts/testing/stack';

describe('pg pool against the embedded PostgreSQL', () => {
  let url: string;

  beforeAll(async () => {
    url = await useFreshDatabase('db');
  });

  afterAll(async () => {
    await resetPool();
  });

  it('reuses one pool (and one connection) across warm invocations', async () => {
    const first = await getPool();
    const second = await getPool();
    expect(second).toBe(first);
    const pid1 = (await first.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    const pid2 = (await second.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
    expect(pid2).toBe(pid1);
  });

  it('applies the statement timeout server-side', async () => {
    await resetPool();
    const pool = await getPool({ statementTimeoutMs: 200 });
    await expect(pool.query('select pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    await resetPool();
  });

  it('commits on success and rolls back on failure', async () => {
    const pool = await getPool();
    await pool.query('create table t (id int primary key)');
    await withTransaction(pool, (c) => c.query('insert into t values (1)'));
    await expect(
      withTransaction(pool, async (c) => {
        await c.query('insert into t values (2)');
        await c.query('insert into t values (1)'); // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' });
    const { rows } = await pool.query<{ id: number }>('select id from t order by id');
    expect(rows.map((r) => r.id)).toEqual([1]);
  });

  it('turns a connection killed mid-transaction into a retryable error and reconnects', async () => {
    const pool = await getPool();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const attempt = withTransaction(pool, async (c) => {
        const pid = (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
        await admin.query('select pg_terminate_backend($1)', [pid]);
        await c.query('select 1');
      });
      await expect(attempt).rejects.toMatchObject({ name: 'DatabaseTransientError' });
      const again = await getPool();
      expect((await again.query('select 1 as ok')).rows[0]).toEqual({ ok: 1 });
    } finally {
      await admin.end();
    }
  });

  it('connects with credentials from an RDS-style secret', async () => {
    const parsed = new URL(url);
    const saved = process.env.DATABASE_URL;
    await resetPool();
    await putLocalSecret('rds!cluster-test', { username: parsed.username, password: parsed.password });
    Object.assign(process.env, {
      DB_SECRET_ARN: 'rds!cluster-test',
      DB_HOST: parsed.hostname,
      DB_PORT: parsed.port,
      DB_NAME: parsed.pathname.slice(1),
      DB_SSL: 'disable',
    });
    delete process.env.DATABASE_URL;
    try {
      const pool = await getPool();
      expect((await pool.query('select current_database() as db')).rows[0].db).toBe(parsed.pathname.slice(1));
    } finally {
      await resetPool();
      process.env.DATABASE_URL = saved;
      for (const k of ['DB_SECRET_ARN', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_SSL']) delete process.env[k];
    }
  });

  it('fails with a clear message when no database is configured', async () => {
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    await resetPool();
    try {
      await expect(getPool()).rejects.toThrow(/set DATABASE_URL, or DB_SECRET_ARN and DB_HOST/);
    } finally {
      process.env.DATABASE_URL = saved;
    }
  });

  it('keeps one pool per prefix: SOURCE_/TARGET_ name two databases (URL or secret), beside DATABASE_URL', async () => {
    const other = await useFreshDatabase('db_target');
    process.env.DATABASE_URL = url;
    const parsed = new URL(other);
    await putLocalSecret('rds!target-test', { username: parsed.username, password: parsed.password });
    Object.assign(process.env, {
      SOURCE_DATABASE_URL: url,
      TARGET_DB_SECRET_ARN: 'rds!target-test',
      TARGET_DB_HOST: parsed.hostname,
      TARGET_DB_PORT: parsed.port,
      TARGET_DB_NAME: parsed.pathname.slice(1),
      DB_SSL: 'disable',
    });
    const names = ['SOURCE_DATABASE_URL', 'TARGET_DB_SECRET_ARN', 'TARGET_DB_HOST', 'TARGET_DB_PORT'];
    try {
      const source = await getPool({ prefix: 'SOURCE_' });
      const target = await getPool({ prefix: 'TARGET_' });
      expect(target).not.toBe(source);
      expect(await getPool({ prefix: 'TARGET_' })).toBe(target);
      const db = async (pool: pg.Pool) => (await pool.query('select current_database() as db')).rows[0].db;
      expect(await db(source)).toBe(new URL(url).pathname.slice(1));
      expect(await db(target)).toBe(parsed.pathname.slice(1));
      expect(await db(await getPool())).toBe(new URL(url).pathname.slice(1));
      await resetPool('TARGET_');
      expect(await getPool({ prefix: 'SOURCE_' })).toBe(source);
      delete process.env.TARGET_DB_HOST;
      await expect(getPool({ prefix: 'TARGET_' })).rejects.toThrow(
        /set TARGET_DATABASE_URL, or TARGET_DB_SECRET_ARN and TARGET_DB_HOST/,
      );
    } finally {
      await resetPool();
      for (const k of [...names, 'TARGET_DB_NAME', 'DB_SSL']) delete process.env[k];
    }
  });
});
