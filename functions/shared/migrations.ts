import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { assetPath } from './assets';
import { classifyDatabaseError, isTransientDatabaseError, PermanentError, TransientError } from './errors';

/**
 * The one migration mechanism for every database: versioned SQL files
 * (`functions/<set>/migrations/NNN_name.sql`), a `schema_migrations` table that records each
 * applied file with its checksum, a session advisory lock so concurrent runs (two applies, a
 * retry, the local runner beside a test) take turns, and each file applied once in its own
 * transaction. The migrate functions call it on `terraform apply`; local runners and tests call
 * it directly. Our own ~170 lines on pg instead of a library: docs/architecture.md#migrations has
 * the measured comparison.
 */

/**
 * Migration sets, named after the function that applies them in AWS; a set's files are in
 * `functions/<set>/migrations/`. etl-db-initializer applies two sets, one per database: the
 * source (`etl-db-initializer/source`) and the analytics target (`etl-db-initializer/target`).
 */
export type MigrationSet =
  'csv-migrate' | 'sync-batch-migrate' | 'etl-db-initializer/source' | 'etl-db-initializer/target';

export interface MigrateResult {
  /** current_database() of the connection, so an operator sees where the files went. */
  database: string;
  /** Files applied by this run, in order; empty when the database was already current. */
  applied: string[];
  /** The latest applied file after this run ('' when the set has no files). */
  current: string;
}

export interface MigrationFile {
  /** The file name, e.g. `001_initial.sql`; also the key recorded in schema_migrations. */
  name: string;
  version: number;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  /** Where the files are; defaults to the packaged `functions/<set>/migrations`. */
  directory?: string;
  logger?: { info(message: string, attributes: Record<string, unknown>): void };
}

/** A migration file failed; its transaction was rolled back and no later file ran. */
export class MigrationFailedError extends PermanentError {
  override name = 'MigrationFailedError';
}

/**
 * The files and the database disagree (an applied file was edited or removed, a new file sorts
 * before one already applied, a file name is malformed). Nothing was applied.
 */
export class MigrationConflictError extends PermanentError {
  override name = 'MigrationConflictError';
}

const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;
/** Any constant shared by every migrator; advisory locks are scoped to the current database. */
const LOCK_KEY = 7_310_2026;

export function checksumOf(sql: string): string {
  // Line endings normalised: a Windows checkout must not look like an edit.
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

export function migrationsDirectory(set: MigrationSet): string {
  return assetPath(`${set}/migrations`);
}

/** Reads and orders the migration files of a directory; refuses malformed or duplicate versions. */
export function readMigrations(directory: string): MigrationFile[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  const seen = new Map<number, string>();
  return files.map((name) => {
    const match = FILE_NAME.exec(name);
    if (!match) {
      throw new MigrationConflictError(
        `Migration file ${name} in ${directory} is not named NNN_lower_snake.sql (e.g. 002_add_index.sql)`,
      );
    }
    const version = Number(match[1]);
    const other = seen.get(version);
    if (other) throw new MigrationConflictError(`Migrations ${other} and ${name} share version ${match[1]}`);
    seen.set(version, name);
    const sql = readFileSync(join(directory, name), 'utf8');
    return { name, version, sql, checksum: checksumOf(sql) };
  });
}

interface AppliedRow {
  name: string;
  checksum: string;
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  migration_set text        NOT NULL,
  name          text        NOT NULL,
  checksum      text        NOT NULL,
  applied_at    timestamptz NOT NULL DEFAULT now(),
  duration_ms   integer     NOT NULL,
  PRIMARY KEY (migration_set, name)
)`;

/**
 * Works out which files to apply, or refuses. Pure, so every refusal is tested without a database.
 * Files sort by name, and NNN_ makes that the version order.
 */
export function pendingMigrations(files: MigrationFile[], applied: AppliedRow[]): MigrationFile[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const row of applied) {
    const file = byName.get(row.name);
    if (!file) {
      throw new MigrationConflictError(
        `Migration ${row.name} is applied to the database but missing from this package: ` +
          'the package is older than the schema; deploy a package that contains it',
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationConflictError(
        `Migration ${row.name} was edited after it was applied (checksum ${row.checksum.slice(0, 12)} ` +
          `recorded, ${file.checksum.slice(0, 12)} now): restore the file and put the change in a new migration`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.name));
  const latest = applied
    .map((r) => r.name)
    .sort()
    .at(-1);
  const pending = files.filter((f) => !done.has(f.name));
  const early = latest ? pending.find((f) => f.name < latest) : undefined;
  if (early) {
    throw new MigrationConflictError(
      `Migration ${early.name} sorts before ${latest}, which is already applied: renumber it after ${latest}`,
    );
  }
  return pending;
}

/**
 * Applies the pending files of a migration set to the pool's database and returns what it did.
 * Throws MigrationConflictError before touching the schema when files and database disagree, and
 * MigrationFailedError (after rolling that file back) when a file fails.
 */
export async function migrateDatabase(
  pool: pg.Pool,
  set: MigrationSet,
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const files = readMigrations(options.directory ?? migrationsDirectory(set));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw classifyDatabaseError(error);
  }
  let broken: unknown;
  try {
    // Session lock, held across the per-file transactions: a second migrator waits here, then
    // finds every file applied.
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const recorded = await client.query<AppliedRow & { database: string }>(
        `SELECT current_database() AS database, name, checksum FROM schema_migrations
         WHERE migration_set = $1 ORDER BY name`,
        [set],
      );
      const database =
        recorded.rows[0]?.database ??
        (await client.query<{ database: string }>('SELECT current_database() AS database')).rows[0]!.database;
      const pending = pendingMigrations(files, recorded.rows);
      const applied: string[] = [];
      for (const file of pending) {
        const started = Date.now();
        try {
          await client.query('BEGIN');
          await client.query(file.sql);
          await client.query(
            'INSERT INTO schema_migrations (migration_set, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)',
            [set, file.name, file.checksum, Date.now() - started],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => {
            broken = rollbackError;
          });
          if (isTransientDatabaseError(error)) {
            broken = error;
            throw classifyDatabaseError(error);
          }
          const reason = error instanceof Error ? error.message : String(error);
          throw new MigrationFailedError(
            `Migration ${file.name} failed and was rolled back (${applied.length} applied before it` +
              `${applied.length ? `: ${applied.join(', ')}` : ''}): ${reason}`,
            { cause: error },
          );
        }
        applied.push(file.name);
        options.logger?.info('migration applied', { set, file: file.name, ms: Date.now() - started });
      }
      const names = [...recorded.rows.map((r) => r.name), ...applied].sort();
      return { database, applied, current: names.at(-1) ?? '' };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch((unlockError: unknown) => {
        broken ??= unlockError;
      });
    }
  } catch (error) {
    if (error instanceof PermanentError || error instanceof TransientError) throw error;
    broken ??= error;
    throw classifyDatabaseError(error);
  } finally {
    // A client whose state is unknown (failed rollback or unlock) is destroyed, not pooled:
    // it could still hold the lock.
    client.release(broken instanceof Error ? broken : undefined);
  }
}
