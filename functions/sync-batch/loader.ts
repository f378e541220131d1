import { createReadStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { assetPath } from '../shared/assets';
import { withTransaction } from '../shared/db';
import type { CatalogueFiles } from './collect';
import { CHANNEL_COLUMNS, VIDEO_COLUMNS, VIDEO_STATS_COLUMNS } from './rows';

/**
 * Database side of a sync (the schema is functions/sync-batch-migrate/migrations, applied on
 * deploy): COPY of the run's CSV files into temporary staging tables and set-based upserts into the
 * real tables, all in one transaction, so a reader sees either the whole run or none of it.
 */
const sqlCache = new Map<string, string>();
export function sql(name: string): string {
  let text = sqlCache.get(name);
  if (text === undefined) {
    text = readFileSync(assetPath(`sync-batch/sql/${name}`), 'utf8');
    sqlCache.set(name, text);
  }
  return text;
}

export async function enabledChannelIds(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ channel_id: string }>(sql('enabled-channels.sql'));
  return result.rows.map((r) => r.channel_id);
}

export async function copyCsv(
  client: pg.PoolClient,
  table: string,
  columns: readonly string[],
  file: string,
): Promise<number> {
  const copy = client.query(
    copyFrom(
      `COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`,
    ),
  );
  await pipeline(createReadStream(file), copy);
  return copy.rowCount ?? 0;
}

export interface RunRecord {
  runId: string;
  trigger: string;
  snapshotDate: string;
  startedAt: Date;
  finishedAt: Date;
  status: 'success' | 'partial' | 'failed';
  channels: number;
  videos: number;
  quotaUnits: number;
  rows: { channels: number; videos: number; stats: number };
  missingChannels: string[];
  rejectedRows: number;
  error?: string;
}

export async function recordRun(db: pg.Pool | pg.PoolClient, run: RunRecord): Promise<void> {
  await db.query(sql('record-run.sql'), [
    run.runId,
    run.trigger,
    run.snapshotDate,
    run.startedAt,
    run.finishedAt,
    run.status,
    run.channels,
    run.videos,
    run.quotaUnits,
    run.rows.channels,
    run.rows.videos,
    run.rows.stats,
    run.missingChannels,
    run.rejectedRows,
    run.error ?? null,
  ]);
}

export interface MergeCounts {
  /** Rows of the run's CSV applied to each table (inserted, updated or already equal). */
  rows: { channels: number; videos: number; stats: number };
  /** What the merge actually wrote. */
  changes: { videosInserted: number; videosUpdated: number; statsInserted: number; statsUpdated: number };
}

/**
 * Loads one run's files and merges them. `beforeCommit` runs inside the same
 * transaction (the run record goes in with the data it describes).
 *
 * UPDATE of changed rows then INSERT of new ones, rather than INSERT … ON CONFLICT:
 * the speculative insertion ON CONFLICT does for every row costs more than the
 * whole COPY, while most rows of a daily sync are unchanged videos (nothing to
 * write) or new snapshots (a plain insert). lock-targets.sql makes the pair safe.
 */
export async function loadAndMerge(
  pool: pg.Pool,
  files: CatalogueFiles,
  snapshotDate: string,
  beforeCommit?: (client: pg.PoolClient, counts: MergeCounts) => Promise<void>,
): Promise<MergeCounts> {
  return withTransaction(pool, async (client) => {
    await client.query(sql('staging.sql'));
    const staged = {
      channels: await copyCsv(client, 'staging_youtube_channels', CHANNEL_COLUMNS, files.channels),
      videos: await copyCsv(client, 'staging_youtube_videos', VIDEO_COLUMNS, files.videos),
      stats: await copyCsv(client, 'staging_youtube_video_stats', VIDEO_STATS_COLUMNS, files.stats),
    };
    await client.query(sql('lock-targets.sql'));
    const written = async (name: string, params?: unknown[]) =>
      (await client.query(sql(name), params)).rowCount ?? 0;
    await written('merge-channels.sql');
    const videosUpdated = await written('merge-videos-update.sql');
    const videosInserted = await written('merge-videos-insert.sql');
    const unavailableUpdated = await written('merge-unavailable-videos-update.sql', [snapshotDate]);
    const unavailableInserted = await written('merge-unavailable-videos-insert.sql', [snapshotDate]);
    const statsUpdated = await written('merge-video-stats-update.sql');
    const statsInserted = await written('merge-video-stats-insert.sql');
    const counts: MergeCounts = {
      rows: staged,
      changes: {
        videosInserted: videosInserted + unavailableInserted,
        videosUpdated: videosUpdated + unavailableUpdated,
        statsInserted,
        statsUpdated,
      },
    };
    await beforeCommit?.(client, counts);
    return counts;
  });
}
