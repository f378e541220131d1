import { startFakeYouTube, type FakeYouTubeServer } from '../../scripts/fakes/youtube/server';
import {
  YouTubeAccessNotConfiguredError,
  YouTubeApi,
  YouTubeKeyInvalidError,
  YouTubeQuotaExceededError,
  YouTubeRequestError,
  YouTubeUnavailableError,
} from './youtube-api';

describe('YouTubeApi against the fake API', () => {
  let fake: FakeYouTubeServer;
  const sleeps: number[] = [];
  const client = (apiKey = 'key', maxAttempts = 4) =>
    new YouTubeApi({
      apiKey,
      rootUrl: fake.rootUrl,
      maxAttempts,
      baseDelayMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  beforeAll(async () => {
    fake = await startFakeYouTube({
      channels: 3,
      videosPerChannel: 30,
      apiKeys: ['key'],
      disabledKeys: ['disabled'],
    });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.clearFailures();
    fake.resetQuota();
    fake.requests.length = 0;
    sleeps.length = 0;
  });

  it('goes through the real client library to the root URL and counts one unit per call', async () => {
    const api = client();
    const channels = await api.listChannels(fake.catalogue.channelIds);
    expect(channels.map((c) => c.id)).toEqual(fake.catalogue.channelIds);
    expect(channels[0]!.statistics?.viewCount).toEqual(expect.any(String));
    const page = await api.listPlaylistPage(channels[0]!.contentDetails!.relatedPlaylists!.uploads!);
    expect(page.items).toHaveLength(30);
    expect(page.nextPageToken).toBeUndefined();
    expect(api.quotaUnits).toBe(2);
    expect(api.quotaUnits).toBe(fake.quotaUsedBy('key'));
    expect(fake.requests[0]!.params).toMatchObject({ part: 'snippet,statistics,contentDetails', key: 'key' });
  });

  it('retries 5xx and dropped connections with growing backoff, counting every attempt', async () => {
    fake.inject({ method: 'videos', status: 503, times: 2 });
    fake.inject({ method: 'videos', status: 'network', times: 1 });
    const api = client();
    const videos = await api.listVideos([fake.catalogue.channels[0]!.videos[0]!.id]);
    expect(videos).toHaveLength(1);
    expect(api.quotaUnits).toBe(4);
    expect(api.requests.videos).toBe(4);
    expect(sleeps).toHaveLength(3);
    // Jittered between half and all of 100, 200, 400 ms.
    expect(sleeps[0]).toBeGreaterThanOrEqual(50);
    expect(sleeps[2]).toBeGreaterThanOrEqual(200);
  });

  it('gives up with a transient error once the attempts run out', async () => {
    fake.inject({ method: 'channels', status: 500, times: 10 });
    const api = client('key', 3);
    const failure = api.listChannels(['UCx']);
    await expect(failure).rejects.toBeInstanceOf(YouTubeUnavailableError);
    await expect(failure).rejects.toMatchObject({
      name: 'YouTubeUnavailableError',
      details: { method: 'channels', status: 500 },
    });
    expect(api.quotaUnits).toBe(3);
  });

  it('stops at once on quotaExceeded, keyInvalid and accessNotConfigured', async () => {
    fake.setQuotaLimit('key', 0);
    const quota = client();
    await expect(quota.listChannels(['UCx'])).rejects.toMatchObject({
      name: 'YouTubeQuotaExceededError',
      details: { reason: 'quotaExceeded', status: 403 },
    });
    expect(quota.quotaUnits).toBe(1);
    fake.setQuotaLimit('key', 10_000);

    await expect(client('not-a-key').listChannels(['UCx'])).rejects.toBeInstanceOf(YouTubeKeyInvalidError);
    await expect(client('disabled').listChannels(['UCx'])).rejects.toBeInstanceOf(
      YouTubeAccessNotConfiguredError,
    );
    expect(sleeps).toHaveLength(0);
    expect(new YouTubeQuotaExceededError('x', { method: 'videos', quotaUnits: 1 })).toBeInstanceOf(Error);
  });

  it('reads 404 playlistNotFound as an empty playlist, still counting its unit', async () => {
    const api = client();
    await expect(api.listPlaylistPage('UUdoes-not-exist')).resolves.toEqual({
      items: [],
      nextPageToken: undefined,
      playlistNotFound: true,
    });
    expect(api.quotaUnits).toBe(1);
    expect(fake.quotaUsedBy('key')).toBe(1);
    expect(sleeps).toHaveLength(0);
  });

  it('does not retry other client errors', async () => {
    const api = client();
    const uploads = fake.catalogue.channels[0]!.uploadsPlaylistId;
    await expect(api.listPlaylistPage(uploads, 'not-a-page-token')).rejects.toMatchObject({
      name: 'YouTubeRequestError',
      details: { status: 400, reason: 'invalidPageToken' },
    });
    expect(api.quotaUnits).toBe(1);
    await expect(api.listVideos(Array.from({ length: 51 }, (_, i) => `v${i}`))).rejects.toThrow(RangeError);
    expect(YouTubeRequestError.name).toBe('YouTubeRequestError');
  });
});
