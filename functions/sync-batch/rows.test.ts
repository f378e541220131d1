import { channelRow, durationSeconds, RowRejected, unavailableReason, videoRow, videoStatsRow } from './rows';
import { runWithConcurrency } from './collect';

const SYNCED = '2025-08-01T15:30:00.000Z';

describe('durationSeconds', () => {
  it.each([
    ['PT4M13S', 253],
    ['PT1H', 3600],
    ['PT1H2M5S', 3725],
    ['P1DT2H', 93_600],
    ['P0D', 0],
    ['PT45S', 45],
  ])('%s is %i seconds', (iso, seconds) => {
    expect(durationSeconds(iso)).toBe(seconds);
  });

  it.each(['', 'P', 'PT', '4:13', 'PT4M13'])('rejects %p', (iso) => {
    expect(durationSeconds(iso)).toBeNull();
  });
});

describe('API item → row', () => {
  it('keeps counts as exact strings and maps a hidden subscriber count to NULL', () => {
    const row = channelRow(
      {
        id: 'UCa',
        snippet: { title: '東京ラーメンチャンネル', publishedAt: '2016-04-01T00:00:00Z' },
        contentDetails: { relatedPlaylists: { uploads: 'UUa' } },
        statistics: {
          viewCount: '9007199254740993',
          hiddenSubscriberCount: true,
          subscriberCount: '0',
          videoCount: '12',
        },
      },
      SYNCED,
    );
    expect(row).toMatchObject({
      view_count: '9007199254740993',
      subscriber_count: null,
      hidden_subscriber_count: true,
      uploads_playlist_id: 'UUa',
    });
  });

  it('reads likes and comments as NULL when hidden or disabled', () => {
    const stats = videoStatsRow(
      { id: 'v1', statistics: { viewCount: '100', favoriteCount: '0' } },
      '2025-08-02',
      SYNCED,
    );
    expect(stats).toEqual({
      video_id: 'v1',
      snapshot_date: '2025-08-02',
      view_count: '100',
      like_count: null,
      comment_count: null,
      favorite_count: '0',
      captured_at: SYNCED,
    });
  });

  it('names the video and field of a value it cannot store', () => {
    const attempt = () =>
      videoStatsRow({ id: 'v2', statistics: { viewCount: '12abc' } }, '2025-08-02', SYNCED);
    expect(attempt).toThrow(RowRejected);
    expect(attempt).toThrow('video v2: statistics.viewCount is not a non-negative integer: "12abc"');
    expect(() => videoRow({ id: 'v3', contentDetails: { duration: '4 minutes' } }, 'UCa', SYNCED)).toThrow(
      /contentDetails\.duration is not an ISO-8601 duration/,
    );
  });

  it('takes the playlist’s channel when videos.list omits it and records unlisted uploads', () => {
    const row = videoRow(
      {
        id: 'v4',
        status: { privacyStatus: 'unlisted' },
        snippet: { tags: ['桜'] },
        contentDetails: { caption: 'true' },
      },
      'UCa',
      SYNCED,
    );
    expect(row).toMatchObject({ channel_id: 'UCa', availability: 'unlisted', tags: '["桜"]', caption: true });
  });

  it('tells private from deleted uploads', () => {
    expect(unavailableReason({ privacyStatus: 'private', title: 'Private video' })).toBe('private');
    expect(unavailableReason({ privacyStatus: 'privacyStatusUnspecified', title: 'Deleted video' })).toBe(
      'deleted',
    );
    expect(unavailableReason({ privacyStatus: 'public', title: 'x' })).toBe('unavailable');
  });
});

describe('runWithConcurrency', () => {
  it('keeps at most `limit` in flight and stops starting work after a failure', async () => {
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (n === 3) throw new Error('boom at 3');
    };
    await expect(runWithConcurrency([1, 2, 3, 4, 5, 6, 7, 8], 2, work)).rejects.toThrow('boom at 3');
    expect(peak).toBe(2);
    expect(inFlight).toBe(0);
    expect(started).not.toContain(8);
  });
});
