import type { youtube_v3 } from '@googleapis/youtube';

/**
 * Rows as they are written to CSV and copied into the staging tables. Column
 * names are the table columns (sql/schema.sql); the CSV headers are these keys.
 */
export interface ChannelRow {
  channel_id: string;
  title: string;
  description: string | null;
  custom_url: string | null;
  country: string | null;
  published_at: string | null;
  uploads_playlist_id: string | null;
  view_count: string | null;
  /** null when the channel hides its subscriber count. */
  subscriber_count: string | null;
  hidden_subscriber_count: boolean;
  video_count: string | null;
  last_synced_at: string;
}

export type Availability = 'public' | 'unlisted' | 'private' | 'deleted' | 'unavailable';

export interface VideoRow {
  video_id: string;
  channel_id: string;
  availability: Availability;
  title: string | null;
  description: string | null;
  published_at: string | null;
  duration: string | null;
  duration_seconds: number | null;
  definition: string | null;
  caption: boolean | null;
  category_id: string | null;
  tags: string | null;
  live_broadcast_content: string | null;
  default_audio_language: string | null;
  updated_at: string;
}

export interface VideoStatsRow {
  video_id: string;
  snapshot_date: string;
  view_count: string;
  /** null when the owner hides likes. */
  like_count: string | null;
  /** null when comments are disabled. */
  comment_count: string | null;
  favorite_count: string | null;
  captured_at: string;
}

export const CHANNEL_COLUMNS = [
  'channel_id',
  'title',
  'description',
  'custom_url',
  'country',
  'published_at',
  'uploads_playlist_id',
  'view_count',
  'subscriber_count',
  'hidden_subscriber_count',
  'video_count',
  'last_synced_at',
] as const satisfies readonly (keyof ChannelRow)[];

export const VIDEO_COLUMNS = [
  'video_id',
  'channel_id',
  'availability',
  'title',
  'description',
  'published_at',
  'duration',
  'duration_seconds',
  'definition',
  'caption',
  'category_id',
  'tags',
  'live_broadcast_content',
  'default_audio_language',
  'updated_at',
] as const satisfies readonly (keyof VideoRow)[];

export const VIDEO_STATS_COLUMNS = [
  'video_id',
  'snapshot_date',
  'view_count',
  'like_count',
  'comment_count',
  'favorite_count',
  'captured_at',
] as const satisfies readonly (keyof VideoStatsRow)[];

/** A value the API sent that cannot be stored; the row is left out and reported. */
export interface RejectedRow {
  kind: 'channel' | 'video';
  id: string;
  field: string;
  reason: string;
}

export class RowRejected extends Error {
  constructor(readonly rejection: RejectedRow) {
    super(`${rejection.kind} ${rejection.id}: ${rejection.field} ${rejection.reason}`);
  }
}

const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds in an API duration ("PT1H2M3S", "P1DT2H", "P0D"); null when not ISO-8601. */
export function durationSeconds(iso: string): number | null {
  const m = ISO_DURATION.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return null;
  const [, w, d, h, min, s] = m;
  return (
    Number(w ?? 0) * 604_800 +
    Number(d ?? 0) * 86_400 +
    Number(h ?? 0) * 3600 +
    Number(min ?? 0) * 60 +
    Math.round(Number(s ?? 0))
  );
}

/** The API sends counts as decimal strings (64-bit); keep them as strings for bigint columns. */
function count(
  kind: RejectedRow['kind'],
  id: string,
  field: string,
  value: string | null | undefined,
): string | null {
  if (value === null || value === undefined) return null;
  if (!/^\d{1,19}$/.test(value)) {
    throw new RowRejected({
      kind,
      id,
      field,
      reason: `is not a non-negative integer: "${value.slice(0, 40)}"`,
    });
  }
  return value;
}

function timestamp(
  kind: RejectedRow['kind'],
  id: string,
  field: string,
  value: string | null | undefined,
): string | null {
  if (!value) return null;
  if (Number.isNaN(Date.parse(value))) {
    throw new RowRejected({
      kind,
      id,
      field,
      reason: `is not an RFC 3339 timestamp: "${value.slice(0, 40)}"`,
    });
  }
  return value;
}

export function channelRow(channel: youtube_v3.Schema$Channel, syncedAt: string): ChannelRow {
  const id = channel.id ?? '';
  if (!id) throw new RowRejected({ kind: 'channel', id: '(none)', field: 'id', reason: 'is missing' });
  const stats = channel.statistics ?? {};
  const hidden = stats.hiddenSubscriberCount === true;
  return {
    channel_id: id,
    title: channel.snippet?.title ?? '',
    description: channel.snippet?.description ?? null,
    custom_url: channel.snippet?.customUrl ?? null,
    country: channel.snippet?.country ?? null,
    published_at: timestamp('channel', id, 'snippet.publishedAt', channel.snippet?.publishedAt),
    uploads_playlist_id: channel.contentDetails?.relatedPlaylists?.uploads ?? null,
    view_count: count('channel', id, 'statistics.viewCount', stats.viewCount),
    subscriber_count: hidden
      ? null
      : count('channel', id, 'statistics.subscriberCount', stats.subscriberCount),
    hidden_subscriber_count: hidden,
    video_count: count('channel', id, 'statistics.videoCount', stats.videoCount),
    last_synced_at: syncedAt,
  };
}

export function videoRow(video: youtube_v3.Schema$Video, channelId: string, syncedAt: string): VideoRow {
  const id = video.id ?? '';
  if (!id) throw new RowRejected({ kind: 'video', id: '(none)', field: 'id', reason: 'is missing' });
  const snippet = video.snippet ?? {};
  const duration = video.contentDetails?.duration ?? null;
  const seconds = duration === null ? null : durationSeconds(duration);
  if (duration !== null && seconds === null) {
    throw new RowRejected({
      kind: 'video',
      id,
      field: 'contentDetails.duration',
      reason: `is not an ISO-8601 duration: "${duration}"`,
    });
  }
  const privacy = video.status?.privacyStatus;
  return {
    video_id: id,
    channel_id: snippet.channelId ?? channelId,
    availability: privacy === 'unlisted' ? 'unlisted' : 'public',
    title: snippet.title ?? null,
    description: snippet.description ?? null,
    published_at: timestamp('video', id, 'snippet.publishedAt', snippet.publishedAt),
    duration,
    duration_seconds: seconds,
    definition: video.contentDetails?.definition ?? null,
    caption:
      video.contentDetails?.caption === undefined || video.contentDetails?.caption === null
        ? null
        : video.contentDetails.caption === 'true',
    category_id: snippet.categoryId ?? null,
    tags: JSON.stringify(snippet.tags ?? []),
    live_broadcast_content: snippet.liveBroadcastContent ?? null,
    default_audio_language: snippet.defaultAudioLanguage ?? null,
    updated_at: syncedAt,
  };
}

export function videoStatsRow(
  video: youtube_v3.Schema$Video,
  snapshotDate: string,
  capturedAt: string,
): VideoStatsRow {
  const id = video.id ?? '';
  const stats = video.statistics ?? {};
  const views = count('video', id, 'statistics.viewCount', stats.viewCount);
  if (views === null) {
    throw new RowRejected({ kind: 'video', id, field: 'statistics.viewCount', reason: 'is missing' });
  }
  return {
    video_id: id,
    snapshot_date: snapshotDate,
    view_count: views,
    like_count: count('video', id, 'statistics.likeCount', stats.likeCount),
    comment_count: count('video', id, 'statistics.commentCount', stats.commentCount),
    favorite_count: count('video', id, 'statistics.favoriteCount', stats.favoriteCount),
    captured_at: capturedAt,
  };
}

/** Why an upload in the playlist was not returned by videos.list. */
export function unavailableReason(item: {
  privacyStatus?: string | null;
  title?: string | null;
}): Availability {
  if (item.privacyStatus === 'private') return 'private';
  if (item.title === 'Deleted video') return 'deleted';
  return 'unavailable';
}

export function unavailableVideoRow(
  entry: { videoId: string; channelId: string; privacyStatus?: string | null; title?: string | null },
  syncedAt: string,
): VideoRow {
  return {
    video_id: entry.videoId,
    channel_id: entry.channelId,
    availability: unavailableReason(entry),
    title: null,
    description: null,
    published_at: null,
    duration: null,
    duration_seconds: null,
    definition: null,
    caption: null,
    category_id: null,
    tags: null,
    live_broadcast_content: null,
    default_audio_language: null,
    updated_at: syncedAt,
  };
}
