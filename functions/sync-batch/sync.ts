import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type pg from 'pg';
import type { S3Client } from '@aws-sdk/client-s3';
import { jstDate, jstParts, jstStamp } from '../shared/jst';
import { uploadStream } from '../shared/s3';
import { collectCatalogue, type CatalogueFiles, type CollectResult } from './collect';
import { enabledChannelIds, loadAndMerge, recordRun, type MergeCounts, type RunRecord } from './loader';
import type { RejectedRow } from './rows';
import type { YouTubeApi } from './youtube-api';

/**
 * One sync run: channels from configuration (environment + youtube_channels_config),
 * API → CSV files → one-transaction merge, then the CSVs archived to S3. Plain
 * function: the handler, the local runner, the tests and the benchmark all call it.
 */
export type SyncStatus = 'success' | 'partial';

export interface SyncResult {
  status: SyncStatus;
  runId: string;
  snapshotDate: string;
  channels: number;
  videos: number;
  quotaUnits: number;
  rows: { channels: number; videos: number; stats: number };
  changes: MergeCounts['changes'];
  unavailableVideos: number;
  missingChannels: string[];
  rejectedRows: number;
  rejected: RejectedRow[];
  archive: { bucket: string; keys: string[] } | { error: string } | null;
  durationMs: number;
}

export interface SyncDependencies {
  api: YouTubeApi;
  pool: pg.Pool;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Channel ids from configuration; merged with enabled rows of youtube_channels_config. */
  configuredChannelIds: string[];
  /** Replaces configured channels entirely (manual run for specific channels). */
  channelIdsOverride?: string[];
  archiveBucket?: string;
  s3?: S3Client;
  runId: string;
  trigger: string;
  now?: () => Date;
  concurrency?: number;
  workDir?: string;
}

export class NoChannelsConfiguredError extends Error {
  override name = 'NoChannelsConfiguredError';
}

function archivePrefix(at: Date): string {
  const p = jstParts(at);
  return `youtube/${p.year}/${p.month}/${p.day}`;
}

export async function archiveCsv(
  bucket: string,
  files: CatalogueFiles,
  at: Date,
  runId: string,
  s3?: S3Client,
): Promise<string[]> {
  const base = `${archivePrefix(at)}/sync-batch_${jstStamp(at)}_${runId.replace(/[^A-Za-z0-9-]/g, '')}`;
  const keys: string[] = [];
  for (const [name, path] of [
    ['channels', files.channels],
    ['videos', files.videos],
    ['video_stats', files.stats],
  ] as const) {
    const key = `${base}_${name}.csv`;
    await uploadStream(bucket, key, createReadStream(path), { contentType: 'text/csv; charset=utf-8', s3 });
    keys.push(key);
  }
  return keys;
}

export async function runSync(deps: SyncDependencies): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const snapshotDate = jstDate(startedAt);
  const syncedAt = startedAt.toISOString();
  const log = deps.logger;

  const channelIds = deps.channelIdsOverride?.length
    ? [...new Set(deps.channelIdsOverride)]
    : [...new Set([...deps.configuredChannelIds, ...(await enabledChannelIds(deps.pool))])];
  if (channelIds.length === 0) {
    throw new NoChannelsConfiguredError(
      'No channels to sync: set CHANNEL_IDS or insert rows into youtube_channels_config',
    );
  }
  log?.info('Sync started', {
    runId: deps.runId,
    snapshotDate,
    channels: channelIds.length,
    trigger: deps.trigger,
  });

  const dir = await mkdtemp(join(deps.workDir ?? tmpdir(), 'sync-batch-'));
  let collected: CollectResult | undefined;
  try {
    try {
      collected = await collectCatalogue(deps.api, channelIds, {
        dir,
        snapshotDate,
        syncedAt,
        concurrency: deps.concurrency,
      });
    } catch (error) {
      await recordFailure(deps, snapshotDate, startedAt, now(), channelIds.length, error, log);
      throw error;
    }
    const c = collected;
    const status: SyncStatus = c.missingChannels.length > 0 || c.rejectedCount > 0 ? 'partial' : 'success';
    const counts = await loadAndMerge(deps.pool, c.files, snapshotDate, (client, merged) =>
      recordRun(client, runRecord(deps, snapshotDate, startedAt, now(), status, c, merged.rows)),
    );
    if (c.missingChannels.length > 0) {
      log?.warn('Channels not returned by channels.list (wrong id or terminated)', {
        missingChannels: c.missingChannels,
      });
    }
    if (c.emptyChannels.length > 0) {
      log?.info('Channels with no uploads (uploads playlist not found), synced with zero videos', {
        emptyChannels: c.emptyChannels,
      });
    }
    if (c.rejectedCount > 0)
      log?.warn('Rows rejected', { rejectedRows: c.rejectedCount, rejected: c.rejected });

    let archive: SyncResult['archive'] = null;
    if (deps.archiveBucket) {
      try {
        archive = {
          bucket: deps.archiveBucket,
          keys: await archiveCsv(deps.archiveBucket, c.files, startedAt, deps.runId, deps.s3),
        };
      } catch (error) {
        // The data is merged; a missing archive must not hide that, but it is reported.
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        log?.error('Archiving the CSV to S3 failed', { bucket: deps.archiveBucket, error: message });
        archive = { error: message };
      }
    }
    const result: SyncResult = {
      status: archive && 'error' in archive ? 'partial' : status,
      runId: deps.runId,
      snapshotDate,
      channels: c.channelsFound,
      videos: c.videos,
      quotaUnits: deps.api.quotaUnits,
      rows: counts.rows,
      changes: counts.changes,
      unavailableVideos: c.unavailableVideos,
      missingChannels: c.missingChannels,
      rejectedRows: c.rejectedCount,
      rejected: c.rejected,
      archive,
      durationMs: now().getTime() - startedAt.getTime(),
    };
    log?.info('Sync finished', { ...result, rejected: undefined });
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runRecord(
  deps: SyncDependencies,
  snapshotDate: string,
  startedAt: Date,
  finishedAt: Date,
  status: RunRecord['status'],
  c: CollectResult,
  rows: RunRecord['rows'],
): RunRecord {
  return {
    runId: deps.runId,
    trigger: deps.trigger,
    snapshotDate,
    startedAt,
    finishedAt,
    status,
    channels: c.channelsFound,
    videos: c.videos,
    quotaUnits: deps.api.quotaUnits,
    rows,
    missingChannels: c.missingChannels,
    rejectedRows: c.rejectedCount,
  };
}

async function recordFailure(
  deps: SyncDependencies,
  snapshotDate: string,
  startedAt: Date,
  finishedAt: Date,
  channels: number,
  error: unknown,
  log: SyncDependencies['logger'],
): Promise<void> {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  await recordRun(deps.pool, {
    runId: deps.runId,
    trigger: deps.trigger,
    snapshotDate,
    startedAt,
    finishedAt,
    status: 'failed',
    channels,
    videos: 0,
    quotaUnits: deps.api.quotaUnits,
    rows: { channels: 0, videos: 0, stats: 0 },
    missingChannels: [],
    rejectedRows: 0,
    error: message,
  }).catch((recordError: unknown) => {
    // The original error matters more; the failed record is best effort.
    log?.warn('Could not record the failed run', { error: String(recordError) });
  });
}
