import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FakeCatalogue,
  isoDuration,
  type CatalogueOptions,
  type FakeChannel,
  type FakeVideo,
} from './catalogue';
import { closeServer } from '../../lib/close-server';

/**
 * A fake of the three YouTube Data API v3 list methods a sync uses (channels,
 * playlistItems, videos) on node:http, speaking the real protocol: the same paths
 * under /youtube/v3/, `part` selection, `key` authentication, opaque page tokens,
 * the real response envelopes (kind, etag, pageInfo, nextPageToken) and the real
 * error envelope `{error: {code, message, errors: [{domain, reason, message}], status}}`.
 * Point @googleapis/youtube at it with `rootUrl: fake.rootUrl`.
 *
 * Quota is counted per API key (1 unit per list call, as on the real service) and a
 * key's daily limit can be set; failures can be injected per method.
 */
export type ApiMethod = 'channels' | 'playlistItems' | 'videos';

export interface InjectedFailure {
  method?: ApiMethod;
  /** HTTP status to answer with, or 'network' to drop the connection. */
  status: number | 'network';
  reason?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  after?: number;
}

export interface RecordedRequest {
  method: ApiMethod | string;
  key?: string;
  params: Record<string, string>;
  status: number | 'network';
}

export interface FakeYouTubeOptions extends CatalogueOptions {
  /** Keys the fake accepts. */
  apiKeys?: string[];
  /** Keys of a project where the API is not enabled (accessNotConfigured). */
  disabledKeys?: string[];
  /** Daily quota per key (default 10,000 units, the real default). */
  dailyQuota?: number;
  /**
   * The uploads playlist of a channel with no uploads: `'notFound'` (default) answers
   * 404 playlistNotFound, as the real API does for a channel that never uploaded or
   * removed every upload; `'empty'` answers 200 with no items.
   */
  emptyUploads?: 'notFound' | 'empty';
  port?: number;
}

const MAX_RESULTS = 50;
const MAX_IDS = 50;

interface ErrorBody {
  code: number;
  message: string;
  reason: string;
  domain: string;
  status: string;
  /** google.rpc.ErrorInfo reason, sent by the current API for key and service errors. */
  errorInfo?: string;
}

class ApiError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

function etag(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 27);
}

function thumbnails(base: string) {
  return {
    default: { url: `${base}/default.jpg`, width: 120, height: 90 },
    medium: { url: `${base}/mqdefault.jpg`, width: 320, height: 180 },
    high: { url: `${base}/hqdefault.jpg`, width: 480, height: 360 },
  };
}

function encodePageToken(playlistId: string, offset: number): string {
  return Buffer.from(`${playlistId}:${offset}`).toString('base64url');
}

function decodePageToken(token: string, playlistId: string): number {
  const [forPlaylist, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const value = Number(offset);
  if (forPlaylist !== playlistId || !Number.isInteger(value) || value < 0) {
    throw new ApiError({
      code: 400,
      message: 'The request specifies an invalid page token.',
      reason: 'invalidPageToken',
      domain: 'youtube.parameter',
      status: 'INVALID_ARGUMENT',
    });
  }
  return value;
}

function badParameter(message: string): ApiError {
  return new ApiError({
    code: 400,
    message,
    reason: 'invalidParameter',
    domain: 'youtube.parameter',
    status: 'INVALID_ARGUMENT',
  });
}

export class FakeYouTubeServer {
  readonly catalogue: FakeCatalogue;
  readonly requests: RecordedRequest[] = [];
  /** Day number used for statistics; advance it to simulate the next day's numbers. */
  day = 0;
  private readonly quotaUsed = new Map<string, number>();
  private readonly quotaLimits = new Map<string, number>();
  private readonly apiKeys: Set<string>;
  private readonly disabledKeys: Set<string>;
  private failures: Array<InjectedFailure & { seen: number; failed: number }> = [];
  private server?: Server;
  private baseUrl?: string;

  constructor(private readonly options: FakeYouTubeOptions) {
    this.catalogue = new FakeCatalogue(options);
    this.apiKeys = new Set(options.apiKeys ?? ['fake-api-key']);
    this.disabledKeys = new Set(options.disabledKeys ?? []);
  }

  /** Root URL for the client's `rootUrl` option (with trailing slash). */
  get rootUrl(): string {
    if (!this.baseUrl) throw new Error('The fake YouTube server is not started');
    return this.baseUrl;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await closeServer(server);
  }

  /** Lets the process exit while the server is still listening (one-shot local invokes). */
  unref(): void {
    this.server?.unref();
  }

  quotaUsedBy(key: string): number {
    return this.quotaUsed.get(key) ?? 0;
  }

  setQuotaLimit(key: string, units: number): void {
    this.quotaLimits.set(key, units);
  }

  resetQuota(): void {
    this.quotaUsed.clear();
  }

  inject(failure: InjectedFailure): void {
    this.failures.push({ ...failure, seen: 0, failed: 0 });
  }

  clearFailures(): void {
    this.failures = [];
  }

  requestsFor(method: ApiMethod): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    // The client library sends repeated parameters (`id=a&id=b`), hand-written calls
    // a comma list (`id=a,b`); Google accepts both, so the fake folds them together.
    const params: Record<string, string> = {};
    for (const name of new Set(url.searchParams.keys()))
      params[name] = url.searchParams.getAll(name).join(',');
    const match = /^\/youtube\/v3\/(channels|playlistItems|videos)$/.exec(url.pathname);
    const method = (match?.[1] ?? url.pathname) as ApiMethod;
    const record: RecordedRequest = { method, key: params.key, params, status: 200 };
    this.requests.push(record);

    const failure = this.failures.find(
      (f) => (!f.method || f.method === method) && f.seen++ >= (f.after ?? 0) && f.failed < (f.times ?? 1),
    );
    if (failure) {
      failure.failed++;
      // Quota is spent on failed requests too: the real API charges every call.
      if (params.key && this.apiKeys.has(params.key)) this.charge(params.key);
      record.status = failure.status;
      if (failure.status === 'network') {
        req.socket.destroy();
        return;
      }
      const code = failure.status;
      const reason = failure.reason ?? (code >= 500 ? 'backendError' : 'badRequest');
      this.sendError(res, {
        code,
        message: code >= 500 ? 'Backend Error' : `Injected ${reason}`,
        reason,
        domain: reason === 'quotaExceeded' ? 'youtube.quota' : 'global',
        status: code >= 500 ? 'UNAVAILABLE' : code === 403 ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT',
      });
      return;
    }

    try {
      if (req.method !== 'GET') {
        throw new ApiError({
          code: 405,
          message: 'Method not allowed',
          reason: 'methodNotAllowed',
          domain: 'global',
          status: 'UNIMPLEMENTED',
        });
      }
      if (!match) {
        throw new ApiError({
          code: 404,
          message: 'Not Found',
          reason: 'notFound',
          domain: 'global',
          status: 'NOT_FOUND',
        });
      }
      this.authenticate(params.key);
      this.charge(params.key!);
      const parts = new Set(
        (params.part ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      );
      if (parts.size === 0) {
        throw new ApiError({
          code: 400,
          message: "No filter selected. Expected one of: 'part'",
          reason: 'missingRequiredParameter',
          domain: 'youtube.parameter',
          status: 'INVALID_ARGUMENT',
        });
      }
      const body =
        method === 'channels'
          ? this.channels(params, parts)
          : method === 'playlistItems'
            ? this.playlistItems(params, parts)
            : this.videos(params, parts);
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      record.status = error.body.code;
      this.sendError(res, error.body);
    }
  }

  private authenticate(key: string | undefined): void {
    if (!key) {
      throw new ApiError({
        code: 403,
        message: 'The request is missing a valid API key.',
        reason: 'forbidden',
        domain: 'global',
        status: 'PERMISSION_DENIED',
      });
    }
    if (this.disabledKeys.has(key)) {
      throw new ApiError({
        code: 403,
        message:
          'YouTube Data API v3 has not been used in project 000000000000 before or it is disabled. Enable it by visiting the Google Cloud console, then retry.',
        reason: 'accessNotConfigured',
        domain: 'usageLimits',
        status: 'PERMISSION_DENIED',
        errorInfo: 'SERVICE_DISABLED',
      });
    }
    if (!this.apiKeys.has(key)) {
      throw new ApiError({
        code: 400,
        message: 'API key not valid. Please pass a valid API key.',
        reason: 'keyInvalid',
        domain: 'usageLimits',
        status: 'INVALID_ARGUMENT',
        errorInfo: 'API_KEY_INVALID',
      });
    }
    const limit = this.quotaLimits.get(key) ?? this.options.dailyQuota ?? 10_000;
    if (this.quotaUsedBy(key) >= limit) {
      throw new ApiError({
        code: 403,
        message:
          'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.',
        reason: 'quotaExceeded',
        domain: 'youtube.quota',
        status: 'PERMISSION_DENIED',
      });
    }
  }

  private charge(key: string): void {
    this.quotaUsed.set(key, this.quotaUsedBy(key) + 1);
  }

  private sendError(res: ServerResponse, body: ErrorBody): void {
    const error = {
      error: {
        code: body.code,
        message: body.message,
        errors: [{ message: body.message, domain: body.domain, reason: body.reason }],
        status: body.status,
        ...(body.errorInfo
          ? {
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason: body.errorInfo,
                  domain: 'googleapis.com',
                  metadata: { service: 'youtube.googleapis.com' },
                },
              ],
            }
          : {}),
      },
    };
    res.writeHead(body.code, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(error));
  }

  private ids(params: Record<string, string>): string[] {
    const ids = (params.id ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // The documented limit; enforcing it makes a batching bug fail loudly here too.
    if (ids.length > MAX_IDS)
      throw badParameter(`The id parameter accepts at most ${MAX_IDS} ids; got ${ids.length}.`);
    return ids;
  }

  private channels(params: Record<string, string>, parts: Set<string>) {
    const items = this.ids(params)
      .map((id) => this.catalogue.channel(id))
      .filter((c): c is FakeChannel => Boolean(c))
      .map((channel) => {
        const item: Record<string, unknown> = {
          kind: 'youtube#channel',
          etag: etag([channel.id, this.day]),
          id: channel.id,
        };
        if (parts.has('snippet')) {
          item.snippet = {
            title: channel.title,
            description: channel.description,
            customUrl: channel.customUrl,
            publishedAt: channel.publishedAt,
            thumbnails: thumbnails(`https://yt3.ggpht.example/${channel.id}`),
            localized: { title: channel.title, description: channel.description },
            country: 'JP',
          };
        }
        if (parts.has('contentDetails')) {
          item.contentDetails = { relatedPlaylists: { likes: '', uploads: channel.uploadsPlaylistId } };
        }
        if (parts.has('statistics')) item.statistics = this.catalogue.channelStatistics(channel, this.day);
        return item;
      });
    const body: Record<string, unknown> = {
      kind: 'youtube#channelListResponse',
      etag: '',
      pageInfo: { totalResults: items.length, resultsPerPage: 5 },
    };
    // The real API leaves `items` out when no channel matched.
    if (items.length > 0) body.items = items;
    body.etag = etag(body);
    return body;
  }

  private playlistItems(params: Record<string, string>, parts: Set<string>) {
    const playlistId = params.playlistId;
    if (!playlistId) throw badParameter('playlistId is required.');
    const channel = this.catalogue.channelByUploads(playlistId);
    if (
      !channel ||
      (channel.videos.length === 0 && (this.options.emptyUploads ?? 'notFound') === 'notFound')
    ) {
      throw new ApiError({
        code: 404,
        message:
          "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.",
        reason: 'playlistNotFound',
        domain: 'youtube.playlistItem',
        status: 'NOT_FOUND',
      });
    }
    const maxResults = params.maxResults === undefined ? 5 : Number(params.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_RESULTS) {
      throw badParameter(
        `Invalid value '${params.maxResults}'. Values must be within the range: [0, ${MAX_RESULTS}]`,
      );
    }
    const offset = params.pageToken ? decodePageToken(params.pageToken, playlistId) : 0;
    const page = channel.videos.slice(offset, offset + maxResults);
    const items = page.map((video, i) => this.playlistItem(channel, video, offset + i, parts));
    const body: Record<string, unknown> = {
      kind: 'youtube#playlistItemListResponse',
      etag: '',
      ...(offset + maxResults < channel.videos.length
        ? { nextPageToken: encodePageToken(playlistId, offset + maxResults) }
        : {}),
      ...(offset > 0 ? { prevPageToken: encodePageToken(playlistId, Math.max(0, offset - maxResults)) } : {}),
      items,
      pageInfo: { totalResults: channel.videos.length, resultsPerPage: maxResults },
    };
    body.etag = etag(body);
    return body;
  }

  private playlistItem(channel: FakeChannel, video: FakeVideo, position: number, parts: Set<string>) {
    const hidden = video.availability !== 'public';
    const item: Record<string, unknown> = {
      kind: 'youtube#playlistItem',
      etag: etag([video.id, position]),
      id: Buffer.from(`${channel.uploadsPlaylistId}.${video.id}`).toString('base64url'),
    };
    if (parts.has('snippet')) {
      item.snippet = {
        publishedAt: video.publishedAt,
        channelId: channel.id,
        title:
          video.availability === 'private'
            ? 'Private video'
            : video.availability === 'deleted'
              ? 'Deleted video'
              : video.title,
        description:
          video.availability === 'private'
            ? 'This video is private.'
            : video.availability === 'deleted'
              ? 'This video is unavailable.'
              : video.description,
        thumbnails: hidden ? {} : thumbnails(`https://i.ytimg.example/vi/${video.id}`),
        channelTitle: channel.title,
        playlistId: channel.uploadsPlaylistId,
        position,
        resourceId: { kind: 'youtube#video', videoId: video.id },
        ...(hidden ? {} : { videoOwnerChannelTitle: channel.title, videoOwnerChannelId: channel.id }),
      };
    }
    if (parts.has('contentDetails')) {
      item.contentDetails = { videoId: video.id, ...(hidden ? {} : { videoPublishedAt: video.publishedAt }) };
    }
    if (parts.has('status')) {
      item.status = {
        privacyStatus:
          video.availability === 'public'
            ? 'public'
            : video.availability === 'private'
              ? 'private'
              : 'privacyStatusUnspecified',
      };
    }
    return item;
  }

  private videos(params: Record<string, string>, parts: Set<string>) {
    const items = this.ids(params)
      .map((id) => this.catalogue.video(id))
      .filter((v): v is FakeVideo => Boolean(v) && v!.availability === 'public')
      .map((video) => {
        const channel = this.catalogue.channel(video.channelId)!;
        const item: Record<string, unknown> = {
          kind: 'youtube#video',
          etag: etag([video.id, this.day]),
          id: video.id,
        };
        if (parts.has('snippet')) {
          item.snippet = {
            publishedAt: video.publishedAt,
            channelId: channel.id,
            title: video.title,
            description: video.description,
            thumbnails: thumbnails(`https://i.ytimg.example/vi/${video.id}`),
            channelTitle: channel.title,
            ...(video.tags.length ? { tags: video.tags } : {}),
            categoryId: video.categoryId,
            liveBroadcastContent: 'none',
            defaultAudioLanguage: 'ja',
            localized: { title: video.title, description: video.description },
          };
        }
        if (parts.has('contentDetails')) {
          item.contentDetails = {
            duration: isoDuration(video.durationSeconds),
            dimension: '2d',
            definition: video.definition,
            caption: String(video.caption),
            licensedContent: true,
            contentRating: {},
            projection: 'rectangular',
          };
        }
        if (parts.has('statistics')) item.statistics = this.catalogue.statistics(video, this.day);
        if (parts.has('status')) {
          item.status = {
            uploadStatus: 'processed',
            privacyStatus: 'public',
            license: 'youtube',
            embeddable: true,
            publicStatsViewable: true,
            madeForKids: false,
          };
        }
        return item;
      });
    const body: Record<string, unknown> = {
      kind: 'youtube#videoListResponse',
      etag: '',
      items,
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
    };
    body.etag = etag(body);
    return body;
  }
}

export async function startFakeYouTube(options: FakeYouTubeOptions): Promise<FakeYouTubeServer> {
  return new FakeYouTubeServer(options).start();
}
