/**
 * A deterministic YouTube catalogue for the fake API: the same seed, channel count
 * and videos per channel always give the same ids, titles and statistics, so tests,
 * the local runner and the benchmark can state exactly what a sync must produce.
 *
 * Some uploads are deliberately awkward, as on the real service: private and deleted
 * videos still appear in the uploads playlist but videos.list does not return them,
 * some videos hide their like count, some have comments disabled (no commentCount).
 */

import { mulberry32 } from '../../../functions/shared/prng';

export type Availability = 'public' | 'private' | 'deleted';

export interface FakeVideo {
  id: string;
  channelId: string;
  title: string;
  description: string;
  publishedAt: string;
  durationSeconds: number;
  tags: string[];
  categoryId: string;
  definition: 'hd' | 'sd';
  caption: boolean;
  availability: Availability;
  baseViews: number;
  dailyViews: number;
  likeRatio: number;
  likesHidden: boolean;
  commentsDisabled: boolean;
}

export interface FakeChannel {
  id: string;
  title: string;
  description: string;
  customUrl: string;
  publishedAt: string;
  uploadsPlaylistId: string;
  hiddenSubscriberCount: boolean;
  baseSubscribers: number;
  /** Newest first, the order of a real uploads playlist. */
  videos: FakeVideo[];
}

export interface CatalogueOptions {
  channels: number;
  videosPerChannel: number;
  /** Channels that never uploaded, added after the others (their ids do not move). */
  emptyChannels?: number;
  seed?: number;
}

export interface FakeVideoStatistics {
  viewCount: string;
  likeCount?: string;
  favoriteCount: string;
  commentCount?: string;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const PLACES = ['東京', '大阪', '京都', '札幌', '福岡', '名古屋', '横浜', '神戸', '仙台', '那覇'];
const TOPICS = ['ラーメン', '桜', '温泉', '新幹線', '寿司', '紅葉', '花火', '祭り', '富士山', '商店街'];
const FORMATS = ['散歩', '食べ歩き', 'ライブ配信', 'Vlog', '完全ガイド', 'ショート', '旅行記', 'レビュー'];
const CHANNEL_KINDS = ['チャンネル', '公式', 'TV', 'ちゃんねる', 'Studio'];
const CATEGORIES = ['19', '22', '24', '26', '10'];

function pick<T>(next: () => number, list: readonly T[]): T {
  return list[Math.floor(next() * list.length)] as T;
}

function randomId(next: () => number, length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ID_ALPHABET[Math.floor(next() * 64)];
  return id;
}

/** API timestamps carry whole seconds and a Z suffix. */
export function apiTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ISO-8601 duration as the API writes it: PT#H#M#S with zero parts left out. */
export function isoDuration(totalSeconds: number): string {
  if (totalSeconds === 0) return 'P0D';
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
}

// Index patterns rather than random draws, so even a small catalogue (M ≥ 12)
// always contains each awkward case.
export function availabilityOf(index: number): Availability {
  if (index % 41 === 7) return 'private';
  if (index % 53 === 11) return 'deleted';
  return 'public';
}

export class FakeCatalogue {
  readonly channels: FakeChannel[];
  private readonly channelById = new Map<string, FakeChannel>();
  private readonly channelByPlaylist = new Map<string, FakeChannel>();
  private readonly videoById = new Map<string, FakeVideo>();

  constructor(readonly options: CatalogueOptions) {
    const next = mulberry32(options.seed ?? 20250802);
    const epoch = Date.UTC(2015, 0, 1);
    this.channels = [];
    for (let c = 0; c < options.channels + (options.emptyChannels ?? 0); c++) {
      const uploadCount = c < options.channels ? options.videosPerChannel : 0;
      const suffix = randomId(next, 22);
      const place = pick(next, PLACES);
      const channel: FakeChannel = {
        id: `UC${suffix}`,
        title: `${place}${pick(next, TOPICS)}${pick(next, CHANNEL_KINDS)}`,
        description: `${place}から毎週お届けします。チャンネル登録よろしくお願いします！`,
        customUrl: `@fake${c}${suffix
          .slice(0, 6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, 'x')}`,
        publishedAt: apiTimestamp(new Date(epoch + Math.floor(next() * 3 * 365) * 86_400_000)),
        uploadsPlaylistId: `UU${suffix}`,
        hiddenSubscriberCount: c % 7 === 3,
        baseSubscribers: Math.floor(next() * 2_000_000),
        videos: [],
      };
      for (let v = 0; v < uploadCount; v++) {
        const uploadedDaysAgo = v * 2 + Math.floor(next() * 2);
        const topic = pick(next, TOPICS);
        const video: FakeVideo = {
          id: randomId(next, 11),
          channelId: channel.id,
          title: `【${pick(next, PLACES)}】${topic}${pick(next, FORMATS)} #${uploadCount - v}`,
          description: `今回は${topic}を紹介します。\n感想はコメント欄へ, "高評価"もお願いします。`,
          publishedAt: apiTimestamp(
            new Date(
              Date.UTC(2025, 6, 31, 9, 0, 0) -
                uploadedDaysAgo * 86_400_000 -
                Math.floor(next() * 36_000) * 1000,
            ),
          ),
          durationSeconds: v % 19 === 0 ? 3600 + Math.floor(next() * 7200) : 15 + Math.floor(next() * 1500),
          tags: v % 5 === 0 ? [] : [topic, '日本', 'travel'],
          categoryId: pick(next, CATEGORIES),
          definition: next() < 0.85 ? 'hd' : 'sd',
          caption: next() < 0.3,
          availability: availabilityOf(v),
          baseViews: Math.floor(next() * 500_000),
          dailyViews: Math.floor(next() * 5_000),
          likeRatio: 0.01 + next() * 0.05,
          likesHidden: v % 9 === 4,
          commentsDisabled: v % 17 === 5,
        };
        channel.videos.push(video);
        this.videoById.set(video.id, video);
      }
      this.channels.push(channel);
      this.channelById.set(channel.id, channel);
      this.channelByPlaylist.set(channel.uploadsPlaylistId, channel);
    }
  }

  channel(id: string): FakeChannel | undefined {
    return this.channelById.get(id);
  }

  channelByUploads(playlistId: string): FakeChannel | undefined {
    return this.channelByPlaylist.get(playlistId);
  }

  video(id: string): FakeVideo | undefined {
    return this.videoById.get(id);
  }

  get channelIds(): string[] {
    return this.channels.map((c) => c.id);
  }

  get totalUploads(): number {
    return this.channels.reduce((sum, c) => sum + c.videos.length, 0);
  }

  publicVideos(): FakeVideo[] {
    return this.channels.flatMap((c) => c.videos.filter((v) => v.availability === 'public'));
  }

  /** Statistics grow by day so a sync on another day records a different snapshot. */
  statistics(video: FakeVideo, day: number): FakeVideoStatistics {
    const views = video.baseViews + video.dailyViews * day;
    return {
      viewCount: String(views),
      ...(video.likesHidden ? {} : { likeCount: String(Math.floor(views * video.likeRatio)) }),
      favoriteCount: '0',
      ...(video.commentsDisabled ? {} : { commentCount: String(Math.floor(views * video.likeRatio * 0.1)) }),
    };
  }

  channelStatistics(channel: FakeChannel, day: number) {
    const views = channel.videos.reduce((sum, v) => sum + v.baseViews + v.dailyViews * day, 0);
    return {
      viewCount: String(views),
      ...(channel.hiddenSubscriberCount
        ? {}
        : { subscriberCount: String(channel.baseSubscribers + day * 10) }),
      hiddenSubscriberCount: channel.hiddenSubscriberCount,
      videoCount: String(channel.videos.filter((v) => v.availability === 'public').length),
    };
  }

  /**
   * The fewest quota units a complete sync of `channelIds` can spend: one channels
   * call per 50 channels, one playlistItems call per 50 uploads of each channel
   * (pages never span playlists; a channel with no uploads still costs the one
   * refused call, 404 playlistNotFound) and one videos call per 50 uploads overall.
   */
  minimumQuota(channelIds: string[] = this.channelIds): number {
    const found = channelIds.map((id) => this.channel(id)).filter((c): c is FakeChannel => Boolean(c));
    const uploads = found.reduce((sum, c) => sum + c.videos.length, 0);
    const pages = found.reduce((sum, c) => sum + Math.max(1, Math.ceil(c.videos.length / 50)), 0);
    return Math.ceil(channelIds.length / 50) + pages + Math.ceil(uploads / 50);
  }
}
