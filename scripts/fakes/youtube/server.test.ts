import { FakeCatalogue, isoDuration } from './catalogue';
import { startFakeYouTube, type FakeYouTubeServer } from './server';

// Response bodies are untyped JSON; the tests read them like any API client would.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function get(fake: FakeYouTubeServer, path: string) {
  const response = await fetch(new URL(path, fake.rootUrl));
  return { status: response.status, body: (await response.json()) as Json };
}

describe('FakeCatalogue', () => {
  it('is deterministic for a seed and contains every awkward case', () => {
    const a = new FakeCatalogue({ channels: 2, videosPerChannel: 60, seed: 7 });
    const b = new FakeCatalogue({ channels: 2, videosPerChannel: 60, seed: 7 });
    expect(a.channelIds).toEqual(b.channelIds);
    expect(a.channels[0]!.videos.map((v) => v.title)).toEqual(b.channels[0]!.videos.map((v) => v.title));
    const videos = a.channels[0]!.videos;
    expect(videos.some((v) => v.availability === 'private')).toBe(true);
    expect(videos.some((v) => v.availability === 'deleted')).toBe(true);
    expect(videos.some((v) => v.likesHidden)).toBe(true);
    expect(a.channelIds[0]).toMatch(/^UC[A-Za-z0-9_-]{22}$/);
    expect(videos[0]!.id).toMatch(/^[A-Za-z0-9_-]{11}$/);
  });

  it('writes durations the way the API does', () => {
    expect(isoDuration(253)).toBe('PT4M13S');
    expect(isoDuration(3600)).toBe('PT1H');
    expect(isoDuration(3725)).toBe('PT1H2M5S');
    expect(isoDuration(0)).toBe('P0D');
  });

  it('computes the minimum quota of a complete sync', () => {
    const catalogue = new FakeCatalogue({ channels: 3, videosPerChannel: 120 });
    // 1 channels call + 3 × ceil(120/50) pages + ceil(360/50) videos calls
    expect(catalogue.minimumQuota()).toBe(1 + 9 + 8);
  });
});

describe('fake YouTube Data API v3', () => {
  let fake: FakeYouTubeServer;
  beforeAll(async () => {
    fake = await startFakeYouTube({
      channels: 2,
      videosPerChannel: 120,
      apiKeys: ['k'],
      disabledKeys: ['off'],
    });
  });
  afterAll(() => fake.stop());

  it('answers channels.list with the real envelope and only the requested parts', async () => {
    const [id] = fake.catalogue.channelIds;
    const { status, body } = await get(
      fake,
      `youtube/v3/channels?part=snippet,contentDetails&id=${id}&key=k`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: 'youtube#channelListResponse', pageInfo: { totalResults: 1 } });
    expect(body.etag).toEqual(expect.any(String));
    expect(body.items[0]).toMatchObject({ kind: 'youtube#channel', id });
    expect(body.items[0].contentDetails.relatedPlaylists.uploads).toBe(`UU${id!.slice(2)}`);
    expect(body.items[0].statistics).toBeUndefined();
  });

  it('leaves items out when no channel matched', async () => {
    const { body } = await get(fake, 'youtube/v3/channels?part=id&id=UCnope&key=k');
    expect(body.items).toBeUndefined();
    expect(body.pageInfo.totalResults).toBe(0);
  });

  it('pages an uploads playlist with opaque tokens and rejects a forged one', async () => {
    const playlistId = fake.catalogue.channels[0]!.uploadsPlaylistId;
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const { body } = await get(
        fake,
        `youtube/v3/playlistItems?part=contentDetails&playlistId=${playlistId}&maxResults=50&key=k${token ? `&pageToken=${token}` : ''}`,
      );
      seen.push(...body.items.map((i: Json) => i.contentDetails.videoId));
      token = body.nextPageToken;
    } while (token);
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    const forged = await get(
      fake,
      `youtube/v3/playlistItems?part=id&playlistId=${playlistId}&pageToken=abc&key=k`,
    );
    expect(forged.status).toBe(400);
    expect(forged.body.error.errors[0].reason).toBe('invalidPageToken');
  });

  it('answers 404 playlistNotFound, charging 1 unit, for the uploads of a channel that never uploaded', async () => {
    const empty = await startFakeYouTube({
      channels: 1,
      videosPerChannel: 3,
      emptyChannels: 1,
      apiKeys: ['k'],
    });
    try {
      const [full, none] = empty.catalogue.channels;
      expect(full!.videos).toHaveLength(3);
      expect(none!.videos).toHaveLength(0);
      // The channel itself exists, with its uploads playlist id, as on the real API.
      const channel = await get(
        empty,
        `youtube/v3/channels?part=contentDetails,statistics&id=${none!.id}&key=k`,
      );
      expect(channel.body.items[0].contentDetails.relatedPlaylists.uploads).toBe(none!.uploadsPlaylistId);
      expect(channel.body.items[0].statistics.videoCount).toBe('0');
      const page = await get(
        empty,
        `youtube/v3/playlistItems?part=contentDetails&playlistId=${none!.uploadsPlaylistId}&maxResults=50&key=k`,
      );
      expect(page.status).toBe(404);
      expect(page.body.error.errors[0]).toMatchObject({
        reason: 'playlistNotFound',
        domain: 'youtube.playlistItem',
      });
      expect(empty.quotaUsedBy('k')).toBe(2);
      expect(empty.catalogue.minimumQuota()).toBe(1 + 1 + 1 + 1);
    } finally {
      await empty.stop();
    }
  });

  it('can answer an empty page instead for a channel with no uploads', async () => {
    const empty = await startFakeYouTube({
      channels: 0,
      videosPerChannel: 0,
      emptyChannels: 1,
      emptyUploads: 'empty',
      apiKeys: ['k'],
    });
    try {
      const playlistId = empty.catalogue.channels[0]!.uploadsPlaylistId;
      const page = await get(empty, `youtube/v3/playlistItems?part=id&playlistId=${playlistId}&key=k`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ items: [], pageInfo: { totalResults: 0 } });
    } finally {
      await empty.stop();
    }
  });

  it('returns statistics as strings, hides likes and omits private/deleted videos', async () => {
    const videos = fake.catalogue.channels[0]!.videos.slice(0, 50);
    const { body } = await get(
      fake,
      `youtube/v3/videos?part=statistics,contentDetails&id=${videos.map((v) => v.id).join(',')}&key=k`,
    );
    const publicCount = videos.filter((v) => v.availability === 'public').length;
    expect(body.items).toHaveLength(publicCount);
    expect(publicCount).toBeLessThan(50);
    expect(body.items[0].statistics.viewCount).toEqual(expect.any(String));
    expect(body.items[0].contentDetails.duration).toMatch(/^PT/);
    const hidden = videos.find((v) => v.likesHidden && v.availability === 'public')!;
    expect(body.items.find((i: Json) => i.id === hidden.id).statistics.likeCount).toBeUndefined();
  });

  it('refuses more than 50 ids', async () => {
    const ids = fake.catalogue.channels[0]!.videos.slice(0, 51).map((v) => v.id);
    const { status } = await get(fake, `youtube/v3/videos?part=id&id=${ids.join(',')}&key=k`);
    expect(status).toBe(400);
  });

  it('authenticates keys, counts quota per key and enforces the daily limit', async () => {
    const invalid = await get(fake, 'youtube/v3/videos?part=id&id=x&key=wrong');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.errors[0].reason).toBe('keyInvalid');
    expect(invalid.body.error.details[0].reason).toBe('API_KEY_INVALID');
    const disabled = await get(fake, 'youtube/v3/videos?part=id&id=x&key=off');
    expect(disabled.status).toBe(403);
    expect(disabled.body.error.errors[0].reason).toBe('accessNotConfigured');

    const before = fake.quotaUsedBy('k');
    fake.setQuotaLimit('k', before + 1);
    expect((await get(fake, 'youtube/v3/videos?part=id&id=x&key=k')).status).toBe(200);
    const exceeded = await get(fake, 'youtube/v3/videos?part=id&id=x&key=k');
    expect(exceeded.status).toBe(403);
    expect(exceeded.body.error.errors[0]).toMatchObject({ reason: 'quotaExceeded', domain: 'youtube.quota' });
    expect(fake.quotaUsedBy('k')).toBe(before + 1);
    fake.setQuotaLimit('k', 10_000);
  });

  it('injects server errors for a method', async () => {
    fake.inject({ method: 'videos', status: 503, times: 1 });
    expect((await get(fake, 'youtube/v3/videos?part=id&id=x&key=k')).status).toBe(503);
    expect((await get(fake, 'youtube/v3/videos?part=id&id=x&key=k')).status).toBe(200);
    fake.clearFailures();
  });
});
