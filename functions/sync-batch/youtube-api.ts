import { youtube, type youtube_v3 } from '@googleapis/youtube';
import { PermanentError, TransientError } from '../shared/errors';

/**
 * The three YouTube Data API v3 list calls a sync needs, with quota accounting and
 * retries. Every HTTP request is counted, failed ones included: the API charges
 * every call (1 unit for each of these list methods), so the count matches the
 * Google Cloud console. search.list (100 units) is deliberately absent.
 *
 * The client library's own retry is switched off so that each attempt passes
 * through here and is counted; 5xx, 429, rate limits and network failures are
 * retried with exponential backoff and jitter, everything else fails at once.
 */
export type YouTubeMethod = 'channels' | 'playlistItems' | 'videos';

/** Units per call of each method (https://developers.google.com/youtube/v3/determine_quota_cost). */
export const QUOTA_COST: Record<YouTubeMethod, number> = { channels: 1, playlistItems: 1, videos: 1 };

/** The most ids channels.list / videos.list accept, and the largest playlistItems page. */
export const MAX_PER_REQUEST = 50;

export interface YouTubeErrorDetails {
  method: YouTubeMethod;
  status?: number;
  reason?: string;
  quotaUnits: number;
}

/** The daily quota of the key's project is spent; retrying before midnight Pacific is pointless. */
export class YouTubeQuotaExceededError extends PermanentError {
  override name = 'YouTubeQuotaExceededError';
  constructor(
    message: string,
    readonly details: YouTubeErrorDetails,
  ) {
    super(message);
  }
}

/** The API key is wrong, deleted or restricted to other APIs/referrers. */
export class YouTubeKeyInvalidError extends PermanentError {
  override name = 'YouTubeKeyInvalidError';
  constructor(
    message: string,
    readonly details: YouTubeErrorDetails,
  ) {
    super(message);
  }
}

/** YouTube Data API v3 is not enabled in the key's Google Cloud project. */
export class YouTubeAccessNotConfiguredError extends PermanentError {
  override name = 'YouTubeAccessNotConfiguredError';
  constructor(
    message: string,
    readonly details: YouTubeErrorDetails,
  ) {
    super(message);
  }
}

/** Any other 4xx: the request itself is wrong (bad parameter, invalid page token). */
export class YouTubeRequestError extends PermanentError {
  override name = 'YouTubeRequestError';
  constructor(
    message: string,
    readonly details: YouTubeErrorDetails,
  ) {
    super(message);
  }
}

/** 5xx, rate limiting or network failures that outlasted every retry. */
export class YouTubeUnavailableError extends TransientError {
  override name = 'YouTubeUnavailableError';
  constructor(
    message: string,
    readonly details: YouTubeErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface YouTubeApiOptions {
  apiKey: string;
  /** Root URL of the API (the client's `rootUrl` option), e.g. a local fake. */
  rootUrl?: string;
  maxAttempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  /** Injected by tests to skip the backoff waits. */
  sleep?: (ms: number) => Promise<void>;
  onAttempt?: (attempt: {
    method: YouTubeMethod;
    attempt: number;
    status?: number;
    reason?: string;
    ms: number;
  }) => void;
}

/**
 * Per-request options. Node's own fetch is passed explicitly: otherwise gaxios
 * dynamic-imports node-fetch, which fails under jest's CommonJS runtime and adds a
 * dependency to the bundle for nothing.
 */
interface RequestOptions {
  retry: false;
  timeout: number;
  fetchImplementation: typeof fetch;
}

interface ApiFailure {
  status?: number;
  reason?: string;
  errorInfo?: string;
  message: string;
  network: boolean;
}

const RETRYABLE_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'backendError',
  'internalError',
]);

/** Reads the Google error envelope out of a gaxios error (or any thrown value). */
function describeFailure(error: unknown): ApiFailure {
  const e = error as {
    message?: string;
    status?: number;
    response?: {
      status?: number;
      data?: {
        error?: {
          message?: string;
          errors?: Array<{ reason?: string; message?: string }>;
          details?: Array<{ '@type'?: string; reason?: string }>;
        };
      };
    };
  };
  const status = e?.response?.status ?? e?.status;
  const body = e?.response?.data?.error;
  const errorInfo = body?.details?.find((d) => d['@type']?.endsWith('google.rpc.ErrorInfo'))?.reason;
  return {
    status,
    reason: body?.errors?.[0]?.reason,
    errorInfo,
    message: body?.message ?? e?.message ?? String(error),
    network: status === undefined,
  };
}

export class YouTubeApi {
  private readonly client: youtube_v3.Youtube;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private units = 0;
  readonly requests: Record<YouTubeMethod, number> = { channels: 0, playlistItems: 0, videos: 0 };

  constructor(private readonly options: YouTubeApiOptions) {
    this.client = youtube({
      version: 'v3',
      auth: options.apiKey,
      ...(options.rootUrl
        ? { rootUrl: options.rootUrl.endsWith('/') ? options.rootUrl : `${options.rootUrl}/` }
        : {}),
    });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Quota units spent by this client so far. */
  get quotaUnits(): number {
    return this.units;
  }

  async listChannels(ids: string[]): Promise<youtube_v3.Schema$Channel[]> {
    if (ids.length === 0) return [];
    if (ids.length > MAX_PER_REQUEST)
      throw new RangeError(`channels.list takes at most ${MAX_PER_REQUEST} ids`);
    const data = await this.call('channels', (requestOptions) =>
      this.client.channels.list(
        { part: ['snippet', 'statistics', 'contentDetails'], id: ids, maxResults: MAX_PER_REQUEST },
        requestOptions,
      ),
    );
    // The API leaves `items` out entirely when no id matched.
    return data.items ?? [];
  }

  /**
   * One page of a playlist. `playlistNotFound` is true when the API answers 404
   * playlistNotFound: that is how it reports the uploads playlist of a channel that has
   * never uploaded (or has removed every upload), so the caller sees an empty playlist
   * rather than a failure. The refused call still costs its unit and is counted.
   */
  async listPlaylistPage(
    playlistId: string,
    pageToken?: string,
  ): Promise<{ items: youtube_v3.Schema$PlaylistItem[]; nextPageToken?: string; playlistNotFound: boolean }> {
    try {
      const data = await this.call('playlistItems', (requestOptions) =>
        this.client.playlistItems.list(
          {
            part: ['snippet', 'contentDetails', 'status'],
            playlistId,
            maxResults: MAX_PER_REQUEST,
            ...(pageToken ? { pageToken } : {}),
          },
          requestOptions,
        ),
      );
      return {
        items: data.items ?? [],
        nextPageToken: data.nextPageToken ?? undefined,
        playlistNotFound: false,
      };
    } catch (error) {
      if (
        error instanceof YouTubeRequestError &&
        error.details.status === 404 &&
        error.details.reason === 'playlistNotFound'
      ) {
        return { items: [], nextPageToken: undefined, playlistNotFound: true };
      }
      throw error;
    }
  }

  async listVideos(ids: string[]): Promise<youtube_v3.Schema$Video[]> {
    if (ids.length === 0) return [];
    if (ids.length > MAX_PER_REQUEST)
      throw new RangeError(`videos.list takes at most ${MAX_PER_REQUEST} ids`);
    const data = await this.call('videos', (requestOptions) =>
      this.client.videos.list(
        { part: ['snippet', 'contentDetails', 'statistics', 'status'], id: ids, maxResults: MAX_PER_REQUEST },
        requestOptions,
      ),
    );
    return data.items ?? [];
  }

  private async call<T>(
    method: YouTubeMethod,
    request: (options: RequestOptions) => Promise<{ data: T }>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.units += QUOTA_COST[method];
      this.requests[method]++;
      const started = Date.now();
      try {
        const response = await request({ retry: false, timeout: this.timeoutMs, fetchImplementation: fetch });
        this.options.onAttempt?.({ method, attempt, status: 200, ms: Date.now() - started });
        return response.data;
      } catch (error) {
        const failure = describeFailure(error);
        this.options.onAttempt?.({
          method,
          attempt,
          status: failure.status,
          reason: failure.reason,
          ms: Date.now() - started,
        });
        const details: YouTubeErrorDetails = {
          method,
          status: failure.status,
          reason: failure.reason ?? failure.errorInfo,
          quotaUnits: this.units,
        };
        const permanent = this.permanentError(method, failure, details);
        if (permanent) throw permanent;
        if (attempt >= this.maxAttempts) {
          throw new YouTubeUnavailableError(
            `YouTube ${method}.list still failing after ${attempt} attempts: ${failure.status ?? 'network error'} ${failure.message}`,
            details,
            { cause: error },
          );
        }
        const delay = this.baseDelayMs * 2 ** (attempt - 1);
        await this.sleep(delay / 2 + Math.random() * (delay / 2));
      }
    }
  }

  private permanentError(
    method: YouTubeMethod,
    failure: ApiFailure,
    details: YouTubeErrorDetails,
  ): Error | undefined {
    const { status, reason, errorInfo } = failure;
    if (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded') {
      return new YouTubeQuotaExceededError(
        `YouTube API quota exceeded during ${method}.list after ${details.quotaUnits} unit(s) this run; the daily quota resets at midnight Pacific Time`,
        details,
      );
    }
    if (reason === 'keyInvalid' || errorInfo === 'API_KEY_INVALID') {
      return new YouTubeKeyInvalidError(
        `YouTube API key rejected (keyInvalid) on ${method}.list: check the API key secret`,
        { ...details, reason: 'keyInvalid' },
      );
    }
    if (reason === 'accessNotConfigured' || errorInfo === 'SERVICE_DISABLED') {
      return new YouTubeAccessNotConfiguredError(
        `YouTube Data API v3 is not enabled for the API key's project (accessNotConfigured) on ${method}.list`,
        { ...details, reason: 'accessNotConfigured' },
      );
    }
    if (failure.network || status === undefined) return undefined;
    if (status >= 500 || status === 429 || (reason && RETRYABLE_REASONS.has(reason))) return undefined;
    return new YouTubeRequestError(
      `YouTube ${method}.list failed with ${status}${reason ? ` ${reason}` : ''}: ${failure.message}`,
      details,
    );
  }
}
