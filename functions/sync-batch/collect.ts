import { join } from 'node:path';
import { CsvFileWriter } from '../shared/csv';
import {
  CHANNEL_COLUMNS,
  channelRow,
  RowRejected,
  unavailableVideoRow,
  VIDEO_COLUMNS,
  VIDEO_STATS_COLUMNS,
  videoRow,
  videoStatsRow,
  type ChannelRow,
  type RejectedRow,
  type VideoRow,
  type VideoStatsRow,
} from './rows';
import { MAX_PER_REQUEST, type YouTubeApi } from './youtube-api';

/**
 * Walks the API for a list of channels and streams what it finds into three CSV
 * files (channels, videos, video statistics): channels.list 50 ids at a time, every
 * page of each uploads playlist, and videos.list with ids pooled across pages and
 * channels so every call but the last carries a full 50. Nothing touches the
 * database here, so a failure part-way (quota) leaves it exactly as it was.
 */
export interface CatalogueFiles {
  channels: string;
  videos: string;
  stats: string;
}

export interface CollectOptions {
  dir: string;
  /** JST calendar date of the statistics snapshot. */
  snapshotDate: string;
  syncedAt: string;
  /** Uploads playlists walked at the same time. */
  concurrency?: number;
  /** Upper bound on rejected rows kept for the report (all are counted). */
  maxRejectedReported?: number;
}

export interface CollectResult {
  files: CatalogueFiles;
  channelsRequested: number;
  channelsFound: number;
  missingChannels: string[];
  /** Channels whose uploads playlist does not exist (never uploaded): zero videos. */
  emptyChannels: string[];
  uploads: number;
  videos: number;
  unavailableVideos: number;
  rejectedCount: number;
  rejected: RejectedRow[];
  rows: { channels: number; videos: number; stats: number };
}

interface PlaylistEntry {
  videoId: string;
  channelId: string;
  privacyStatus?: string | null;
  title?: string | null;
}

export async function collectCatalogue(
  api: YouTubeApi,
  requestedIds: string[],
  options: CollectOptions,
): Promise<CollectResult> {
  const channelIds = [...new Set(requestedIds)];
  const files: CatalogueFiles = {
    channels: join(options.dir, 'channels.csv'),
    videos: join(options.dir, 'videos.csv'),
    stats: join(options.dir, 'video_stats.csv'),
  };
  const channelCsv = new CsvFileWriter<ChannelRow>(files.channels, CHANNEL_COLUMNS);
  const videoCsv = new CsvFileWriter<VideoRow>(files.videos, VIDEO_COLUMNS);
  const statsCsv = new CsvFileWriter<VideoStatsRow>(files.stats, VIDEO_STATS_COLUMNS);
  const rejected: RejectedRow[] = [];
  let rejectedCount = 0;
  const reject = (error: unknown) => {
    if (!(error instanceof RowRejected)) throw error;
    rejectedCount++;
    if (rejected.length < (options.maxRejectedReported ?? 100)) rejected.push(error.rejection);
  };

  let uploads = 0;
  const emptyChannels: string[] = [];
  let available = 0;
  let unavailable = 0;
  const seenVideos = new Set<string>();
  const pending: PlaylistEntry[] = [];

  const lookUpVideos = async (batch: PlaylistEntry[]) => {
    const found = new Map((await api.listVideos(batch.map((e) => e.videoId))).map((v) => [v.id, v]));
    for (const entry of batch) {
      const video = found.get(entry.videoId);
      if (!video) {
        // Private and deleted uploads stay in the playlist but videos.list omits them.
        unavailable++;
        await videoCsv.write(unavailableVideoRow(entry, options.syncedAt));
        continue;
      }
      try {
        const row = videoRow(video, entry.channelId, options.syncedAt);
        const stats = videoStatsRow(video, options.snapshotDate, options.syncedAt);
        await videoCsv.write(row);
        await statsCsv.write(stats);
        available++;
      } catch (error) {
        reject(error);
      }
    }
  };

  const queueVideos = async (entries: PlaylistEntry[]) => {
    for (const entry of entries) {
      if (seenVideos.has(entry.videoId)) continue;
      seenVideos.add(entry.videoId);
      pending.push(entry);
    }
    // splice is synchronous, so concurrent playlist walkers never take the same ids.
    while (pending.length >= MAX_PER_REQUEST) await lookUpVideos(pending.splice(0, MAX_PER_REQUEST));
  };

  const walkUploads = async (channelId: string, playlistId: string) => {
    let pageToken: string | undefined;
    do {
      const page = await api.listPlaylistPage(playlistId, pageToken);
      // A channel that never uploaded has no uploads playlist (404 playlistNotFound):
      // it has zero videos, which must not fail every other channel's sync. Past the
      // first page it means the uploads went away meanwhile; what was read stands.
      if (page.playlistNotFound && pageToken === undefined) emptyChannels.push(channelId);
      const entries: PlaylistEntry[] = [];
      for (const item of page.items) {
        const videoId = item.contentDetails?.videoId ?? item.snippet?.resourceId?.videoId;
        if (!videoId) continue;
        uploads++;
        entries.push({
          videoId,
          channelId,
          privacyStatus: item.status?.privacyStatus,
          title: item.snippet?.title,
        });
      }
      await queueVideos(entries);
      pageToken = page.nextPageToken;
    } while (pageToken);
  };

  const playlists: Array<{ channelId: string; playlistId: string }> = [];
  const found = new Set<string>();
  try {
    for (let i = 0; i < channelIds.length; i += MAX_PER_REQUEST) {
      for (const channel of await api.listChannels(channelIds.slice(i, i + MAX_PER_REQUEST))) {
        try {
          const row = channelRow(channel, options.syncedAt);
          await channelCsv.write(row);
          found.add(row.channel_id);
          if (row.uploads_playlist_id)
            playlists.push({ channelId: row.channel_id, playlistId: row.uploads_playlist_id });
        } catch (error) {
          reject(error);
        }
      }
    }

    await runWithConcurrency(playlists, options.concurrency ?? 4, (p) =>
      walkUploads(p.channelId, p.playlistId),
    );
    while (pending.length > 0) await lookUpVideos(pending.splice(0, MAX_PER_REQUEST));
  } finally {
    await Promise.all([channelCsv.close(), videoCsv.close(), statsCsv.close()]);
  }

  return {
    files,
    channelsRequested: channelIds.length,
    channelsFound: found.size,
    missingChannels: channelIds.filter((id) => !found.has(id)),
    emptyChannels,
    uploads,
    videos: available,
    unavailableVideos: unavailable,
    rejectedCount,
    rejected,
    rows: { channels: channelCsv.rows, videos: videoCsv.rows, stats: statsCsv.rows },
  };
}

/**
 * Runs `work` over `items` with at most `limit` in flight. The first failure stops
 * new work from starting and is rethrown once the in-flight calls have settled, so
 * no request is still running (and counting quota) after this returns.
 */
export async function runWithConcurrency<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
