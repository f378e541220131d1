import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { useFreshDatabase } from '../../scripts/testing/stack';
import { resetPool } from './db';
import {
  checksumOf,
  MigrationConflictError,
  MigrationFailedError,
  migrateDatabase,
  migrationsDirectory,
  pendingMigrations,
  readMigrations,
} from './migrations';

describe('migrateDatabase', () => {
  const pools: pg.Pool[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    await resetPool();
  });

  async function freshPool(prefix: string, max = 1): Promise<{ pool: pg.Pool; url: string }> {
    const url = await useFreshDatabase(prefix);
    const pool = new pg.Pool({ connectionString: url, max });
    pools.push(pool);
    return { pool, url };
  }
  function migrationsDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    dirs.push(dir);
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
    return dir;
  }
  const tableNames = async (pool: pg.Pool) =>
    (
      await pool.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
      )
    ).rows.map((r) => r.tablename);
  const recorded = async (pool: pg.Pool) =>
    (
      await pool.query<{ migration_set: string; name: string; checksum: string }>(
        'SELECT migration_set, name, checksum FROM schema_migrations ORDER BY name',
      )
    ).rows;

  it('applies each file once, in order, recording its checksum; a second run is a no-op', async () => {
    const { pool, url } = await freshPool('mig_once');
    const dir = migrationsDir({
      '002_b.sql': 'CREATE TABLE b (id int REFERENCES a (id));',
      '001_a.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
    });
    const first = await migrateDatabase(pool, 'csv-migrate', { directory: dir });
    expect(first).toEqual({
      database: new URL(url).pathname.slice(1),
      applied: ['001_a.sql', '002_b.sql'],
      current: '002_b.sql',
    });
    expect(await tableNames(pool)).toEqual(['a', 'b', 'schema_migrations']);
    expect(await recorded(pool)).toEqual([
      {
        migration_set: 'csv-migrate',
        name: '001_a.sql',
        checksum: checksumOf('CREATE TABLE a (id int PRIMARY KEY);'),
      },
      {
        migration_set: 'csv-migrate',
        name: '002_b.sql',
        checksum: checksumOf('CREATE TABLE b (id int REFERENCES a (id));'),
      },
    ]);

    const second = await migrateDatabase(pool, 'csv-migrate', { directory: dir });
    expect(second).toEqual({ ...first, applied: [] });
    expect(await recorded(pool)).toHaveLength(2);
  });

  it('applies 002 alone when 001 is already applied', async () => {
    const { pool } = await freshPool('mig_order');
    const files = { '001_a.sql': 'CREATE TABLE a (id int PRIMARY KEY);' };
    await migrateDatabase(pool, 'csv-migrate', { directory: migrationsDir(files) });
    await pool.query('INSERT INTO a VALUES (1)');
    const later = migrationsDir({ ...files, '002_col.sql': 'ALTER TABLE a ADD COLUMN note text;' });
    const result = await migrateDatabase(pool, 'csv-migrate', { directory: later });
    expect(result.applied).toEqual(['002_col.sql']);
    expect(result.current).toBe('002_col.sql');
    expect((await pool.query('SELECT id, note FROM a')).rows).toEqual([{ id: 1, note: null }]);
  });

  it('lets concurrent runs take turns under the advisory lock: every file runs exactly once', async () => {
    const { url } = await freshPool('mig_concurrent');
    const dir = migrationsDir({
      // Slow enough that the runs overlap; a second CREATE TABLE would fail with 42P07.
      '001_slow.sql': 'SELECT pg_sleep(0.3); CREATE TABLE once (id int);',
      '002_counter.sql': 'CREATE TABLE counter (n int); INSERT INTO counter VALUES (1);',
    });
    const runners = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: url, max: 1 }));
    pools.push(...runners);
    const results = await Promise.all(
      runners.map((p) => migrateDatabase(p, 'csv-migrate', { directory: dir })),
    );
    expect(results.flatMap((r) => r.applied).sort()).toEqual(['001_slow.sql', '002_counter.sql']);
    expect(results.map((r) => r.current)).toEqual(Array(4).fill('002_counter.sql'));
    expect((await runners[0]!.query('SELECT count(*)::int AS n FROM counter')).rows[0].n).toBe(1);
    // The lock is released: nothing is left holding it once the runs return.
    const locks = await runners[0]!.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`,
    );
    expect(locks.rows[0].n).toBe(0);
  });

  it('rolls back only the failing file and stops there; the fixed file and the rest apply next time', async () => {
    const { pool } = await freshPool('mig_failure');
    const ok = { '001_a.sql': 'CREATE TABLE a (id int);' };
    const broken = migrationsDir({
      ...ok,
      '002_half.sql': 'CREATE TABLE half (id int); SELECT 1 / 0;',
      '003_c.sql': 'CREATE TABLE c (id int);',
    });
    const error = await migrateDatabase(pool, 'csv-migrate', { directory: broken }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as Error).message).toMatch(
      /^Migration 002_half\.sql failed and was rolled back .*001_a\.sql.*division by zero/,
    );
    expect(await tableNames(pool)).toEqual(['a', 'schema_migrations']);
    expect((await recorded(pool)).map((r) => r.name)).toEqual(['001_a.sql']);

    // 002 never applied, so fixing it in place is allowed.
    const fixed = migrationsDir({
      ...ok,
      '002_half.sql': 'CREATE TABLE half (id int);',
      '003_c.sql': 'CREATE TABLE c (id int);',
    });
    const result = await migrateDatabase(pool, 'csv-migrate', { directory: fixed });
    expect(result.applied).toEqual(['002_half.sql', '003_c.sql']);
    expect(await tableNames(pool)).toEqual(['a', 'c', 'half', 'schema_migrations']);
  });

  it('refuses, before applying anything, when an applied file was edited', async () => {
    const { pool } = await freshPool('mig_edited');
    const dir = migrationsDir({ '001_a.sql': 'CREATE TABLE a (id int);' });
    await migrateDatabase(pool, 'csv-migrate', { directory: dir });
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (id bigint);');
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (id int);');
    await expect(migrateDatabase(pool, 'csv-migrate', { directory: dir })).rejects.toThrow(
      new MigrationConflictError(
        `Migration 001_a.sql was edited after it was applied (checksum ${checksumOf('CREATE TABLE a (id int);').slice(0, 12)} ` +
          `recorded, ${checksumOf('CREATE TABLE a (id bigint);').slice(0, 12)} now): restore the file and put the change in a new migration`,
      ),
    );
    expect(await tableNames(pool)).toEqual(['a', 'schema_migrations']);
    // A checkout with Windows line endings is not an edit.
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (id int);'.replace(/;$/, ';\r\n'));
    expect(checksumOf('x;\r\n')).toBe(checksumOf('x;\n'));
  });

  it('refuses an applied file missing from the package, and a new file that sorts before an applied one', async () => {
    const { pool } = await freshPool('mig_conflicts');
    await migrateDatabase(pool, 'csv-migrate', {
      directory: migrationsDir({ '001_a.sql': 'SELECT 1;', '003_c.sql': 'SELECT 3;' }),
    });
    await expect(
      migrateDatabase(pool, 'csv-migrate', { directory: migrationsDir({ '001_a.sql': 'SELECT 1;' }) }),
    ).rejects.toThrow(/Migration 003_c\.sql is applied to the database but missing from this package/);
    await expect(
      migrateDatabase(pool, 'csv-migrate', {
        directory: migrationsDir({
          '001_a.sql': 'SELECT 1;',
          '002_b.sql': 'SELECT 2;',
          '003_c.sql': 'SELECT 3;',
        }),
      }),
    ).rejects.toThrow(/Migration 002_b\.sql sorts before 003_c\.sql, which is already applied/);
    // Another set in the same database keeps its own history.
    const other = await migrateDatabase(pool, 'sync-batch-migrate', {
      directory: migrationsDir({ '001_a.sql': 'SELECT 10;' }),
    });
    expect(other.applied).toEqual(['001_a.sql']);
  });

  it('refuses malformed names and duplicate versions', () => {
    expect(() => readMigrations(migrationsDir({ '1_a.sql': '' }))).toThrow(
      /1_a\.sql .* is not named NNN_lower_snake\.sql/,
    );
    expect(() => readMigrations(migrationsDir({ '001_a.sql': '', '001_b.sql': '' }))).toThrow(
      'Migrations 001_a.sql and 001_b.sql share version 001',
    );
    expect(pendingMigrations([], [])).toEqual([]);
  });

  it.each(['csv-migrate', 'sync-batch-migrate'] as const)(
    '%s 001 records a database that the old schema.sql already created, without failing',
    async (set) => {
      const { pool } = await freshPool(`mig_legacy_${set.replace(/-/g, '_')}`);
      const [initial] = readMigrations(migrationsDirectory(set));
      // The old idempotent schema.sql held the same statements: apply them as it did.
      await pool.query(readFileSync(join(migrationsDirectory(set), initial!.name), 'utf8'));
      const before = await tableNames(pool);
      const result = await migrateDatabase(pool, set);
      expect(result.applied).toEqual([initial!.name]);
      expect(await tableNames(pool)).toEqual([...before, 'schema_migrations'].sort());
    },
  );
});
