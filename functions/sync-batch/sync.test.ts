import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import type pg from 'pg';
import { createBucket, uniqueName, useFreshDatabase } from '../../scripts/testing/stack';
import { startFakeYouTube, type FakeYouTubeServer } from '../../scripts/fakes/youtube/server';
import { getPool, resetPool } from '../shared/db';
import { migrateDatabase } from '../shared/migrations';
import { createS3Client, readObjectText } from '../shared/s3';
import { runSync, type SyncDependencies } from './sync';
import { YouTubeApi } from './youtube-api';

// 2025-08-01T15:30Z is 2025-08-02 00:30 JST: the snapshot date must be the JST one.
const DAY_ONE = new Date('2025-08-01T15:30:00Z');
const DAY_TWO = new Date('2025-08-02T15:30:00Z');
const KEY = 'sync-test-key';

describe('runSync end to end (fake API → CSV → COPY → merge)', () => {
  let fake: FakeYouTubeServer;
  let pool: pg.Pool;
  let runs = 0;

  const sync = (overrides: Partial<SyncDependencies> & { at?: Date } = {}) =>
    runSync({
      api: new YouTubeApi({ apiKey: KEY, rootUrl: fake.rootUrl, baseDelayMs: 1 }),
      pool,
      configuredChannelIds: fake.catalogue.channelIds,
      runId: `run-${++runs}`,
      trigger: 'test',
      now: () => overrides.at ?? DAY_ONE,
      ...overrides,
    });

  const count = async (table: string, where = 'true') =>
    Number((await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`)).rows[0].n);

  beforeAll(async () => {
    // 3 channels × 130 uploads: 3 pages each, and 390 ids do not divide into 50s per channel.
    fake = await startFakeYouTube({ channels: 3, videosPerChannel: 130, apiKeys: [KEY] });
    await useFreshDatabase('sync_batch');
    pool = await getPool();
    await migrateDatabase(pool, 'sync-batch-migrate');
  });
  afterAll(async () => {
    await fake.stop();
    await resetPool();
  });
  beforeEach(() => {
    fake.clearFailures();
    fake.resetQuota();
    fake.requests.length = 0;
    fake.day = 0;
  });

  it('syncs every upload with the fewest possible quota units, 50 ids per videos call', async () => {
    const result = await sync();
    const uploads = fake.catalogue.totalUploads;
    const publicVideos = fake.catalogue.publicVideos().length;

    expect(result).toMatchObject({
      status: 'success',
      snapshotDate: '2025-08-02',
      channels: 3,
      videos: publicVideos,
      unavailableVideos: uploads - publicVideos,
      rows: { channels: 3, videos: uploads, stats: publicVideos },
    });
    expect(result.quotaUnits).toBe(fake.catalogue.minimumQuota());
    expect(result.quotaUnits).toBe(fake.quotaUsedBy(KEY));
    // A first sync only inserts: private and deleted uploads are new rows too.
    expect(result.changes).toEqual({
      videosInserted: uploads,
      videosUpdated: 0,
      statsInserted: publicVideos,
      statsUpdated: 0,
    });

    // Paging: every page requested with maxResults=50, following nextPageToken.
    const pages = fake.requestsFor('playlistItems');
    expect(pages).toHaveLength(9);
    expect(pages.every((r) => r.params.maxResults === '50')).toBe(true);
    expect(pages.filter((r) => r.params.pageToken)).toHaveLength(6);

    // Batching: ids pooled across pages and channels, full batches of 50 but the last.
    const batches = fake.requestsFor('videos').map((r) => r.params.id!.split(',').length);
    expect(batches).toHaveLength(Math.ceil(uploads / 50));
    expect(batches.slice(0, -1).every((n) => n === 50)).toBe(true);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(uploads);
    expect(fake.requests.some((r) => r.method === 'search')).toBe(false);

    expect(await count('youtube_channels')).toBe(3);
    expect(await count('youtube_videos')).toBe(uploads);
    expect(await count('youtube_video_stats', "snapshot_date = '2025-08-02'")).toBe(publicVideos);
    const run = (await pool.query('SELECT * FROM youtube_sync_runs WHERE run_id = $1', [result.runId]))
      .rows[0];
    expect(run).toMatchObject({
      status: 'success',
      quota_units: result.quotaUnits,
      rows_stats: publicVideos,
    });
  });

  it('stores Japanese titles, ISO durations, hidden likes and private/deleted uploads faithfully', async () => {
    await sync();
    const video = fake.catalogue.channels[0]!.videos.find(
      (v) => v.availability === 'public' && v.likesHidden,
    )!;
    const row = (
      await pool.query(
        `SELECT v.title, v.duration, v.duration_seconds, v.availability, s.view_count, s.like_count
           FROM youtube_videos v JOIN youtube_video_stats s USING (video_id)
          WHERE video_id = $1 AND s.snapshot_date = '2025-08-02'`,
        [video.id],
      )
    ).rows[0];
    expect(row).toMatchObject({
      title: video.title,
      duration_seconds: video.durationSeconds,
      availability: 'public',
      view_count: fake.catalogue.statistics(video, 0).viewCount,
      like_count: null,
    });
    expect(row.title).toMatch(/【.+】/);
    expect(row.duration).toMatch(/^PT/);

    const gone = await pool.query<{ availability: string; title: string | null; unavailable_since: string }>(
      `SELECT availability, title, to_char(unavailable_since, 'YYYY-MM-DD') AS unavailable_since
         FROM youtube_videos WHERE availability <> 'public'`,
    );
    const expected = fake.catalogue.channels
      .flatMap((c) => c.videos)
      .filter((v) => v.availability !== 'public');
    expect(gone.rows).toHaveLength(expected.length);
    expect(new Set(gone.rows.map((r) => r.availability))).toEqual(new Set(['private', 'deleted']));
    expect(gone.rows.every((r) => r.unavailable_since === '2025-08-02' && r.title === null)).toBe(true);
    expect(
      await count(
        'youtube_video_stats vs JOIN youtube_videos v USING (video_id)',
        "v.availability <> 'public'",
      ),
    ).toBe(0);
  });

  it('re-running the same JST day updates that day’s snapshot instead of adding one', async () => {
    await sync();
    const before = await count('youtube_video_stats');
    fake.day = 1; // numbers moved on since the first run
    const video = fake.catalogue.publicVideos()[0]!;
    const result = await sync({ at: new Date('2025-08-02T09:00:00Z') }); // 18:00 JST, same day
    expect(result.snapshotDate).toBe('2025-08-02');
    expect(await count('youtube_video_stats')).toBe(before);
    expect(result.changes).toEqual({
      videosInserted: 0,
      videosUpdated: 0,
      statsInserted: 0,
      statsUpdated: fake.catalogue.publicVideos().length,
    });
    // Nothing moved since: the merge applies every row and writes none.
    const again = await sync({ at: new Date('2025-08-02T09:30:00Z') });
    expect(again.rows.stats).toBe(fake.catalogue.publicVideos().length);
    expect(again.changes).toEqual({ videosInserted: 0, videosUpdated: 0, statsInserted: 0, statsUpdated: 0 });
    const views = await pool.query(
      `SELECT view_count FROM youtube_video_stats WHERE video_id = $1 AND snapshot_date = '2025-08-02'`,
      [video.id],
    );
    expect(views.rows[0].view_count).toBe(fake.catalogue.statistics(video, 1).viewCount);
  });

  it('a new JST day adds one snapshot per public video, keeping the earlier day for trends', async () => {
    await sync();
    fake.day = 2;
    const result = await sync({ at: DAY_TWO });
    expect(result.snapshotDate).toBe('2025-08-03');
    const publicVideos = fake.catalogue.publicVideos();
    expect(await count('youtube_video_stats', "snapshot_date = '2025-08-03'")).toBe(publicVideos.length);
    const trend = await pool.query(
      `SELECT to_char(snapshot_date, 'YYYY-MM-DD') AS day, view_count FROM youtube_video_stats WHERE video_id = $1 ORDER BY snapshot_date`,
      [publicVideos[0]!.id],
    );
    expect(trend.rows.map((r) => r.day)).toEqual(['2025-08-02', '2025-08-03']);
    expect(Number(trend.rows[1].view_count)).toBeGreaterThanOrEqual(Number(trend.rows[0].view_count));
  });

  it('a quota error stops the run with nothing half-merged and the failure recorded', async () => {
    await sync();
    const snapshot = async () =>
      (
        await pool.query(
          `SELECT md5(string_agg(video_id || view_count || snapshot_date, ',' ORDER BY video_id, snapshot_date)) AS h, count(*) FROM youtube_video_stats`,
        )
      ).rows[0];
    const before = await snapshot();
    const channelsBefore = (await pool.query('SELECT max(last_synced_at) AS t FROM youtube_channels')).rows[0]
      .t;

    fake.day = 5;
    fake.resetQuota();
    fake.requests.length = 0;
    // Enough units for channels and some pages, then quotaExceeded half-way through the videos.
    fake.setQuotaLimit(KEY, 8);
    const failing = sync({ at: DAY_TWO, runId: 'quota-run' });
    await expect(failing).rejects.toMatchObject({ name: 'YouTubeQuotaExceededError' });
    await expect(failing).rejects.toThrow(/quota exceeded/);
    fake.setQuotaLimit(KEY, 10_000);

    expect(await snapshot()).toEqual(before);
    expect((await pool.query('SELECT max(last_synced_at) AS t FROM youtube_channels')).rows[0].t).toEqual(
      channelsBefore,
    );
    const run = (
      await pool.query(`SELECT status, quota_units, error FROM youtube_sync_runs WHERE run_id = 'quota-run'`)
    ).rows[0];
    expect(run.status).toBe('failed');
    // Every request of the run is counted, the refused ones included.
    expect(run.quota_units).toBe(fake.requests.length);
    expect(run.quota_units).toBeGreaterThan(8);
    expect(fake.requests.filter((r) => r.status === 403).length).toBeGreaterThan(0);
    expect(run.error).toMatch(/^YouTubeQuotaExceededError: /);
  });

  it('survives 5xx answers mid-run by retrying, and counts the retried units', async () => {
    fake.inject({ method: 'playlistItems', status: 500, times: 2, after: 1 });
    const result = await sync();
    expect(result.status).toBe('success');
    expect(result.quotaUnits).toBe(fake.catalogue.minimumQuota() + 2);
  });

  it('reports channels the API does not know and takes channels from youtube_channels_config', async () => {
    const [first, second] = fake.catalogue.channelIds;
    await pool.query(
      'INSERT INTO youtube_channels_config (channel_id) VALUES ($1), ($2) ON CONFLICT DO NOTHING',
      [second, 'UCdoesnotexist000000000'],
    );
    try {
      const result = await sync({ configuredChannelIds: [first!] });
      expect(result.status).toBe('partial');
      expect(result.channels).toBe(2);
      expect(result.missingChannels).toEqual(['UCdoesnotexist000000000']);
      const override = await sync({ configuredChannelIds: [first!], channelIdsOverride: [second!] });
      expect(override).toMatchObject({ status: 'success', channels: 1 });
    } finally {
      await pool.query('DELETE FROM youtube_channels_config');
    }
  });

  it('keeps the last public metadata of a video that goes private, and restores it when public again', async () => {
    await sync();
    const video = fake.catalogue.publicVideos()[3]!;
    video.availability = 'private';
    try {
      const wentPrivate = await sync({ at: new Date('2025-08-09T15:30:00Z') });
      expect(wentPrivate.changes).toMatchObject({ videosInserted: 0, videosUpdated: 1 });
      const row = (
        await pool.query(
          `SELECT availability, title, to_char(unavailable_since, 'YYYY-MM-DD') AS since FROM youtube_videos WHERE video_id = $1`,
          [video.id],
        )
      ).rows[0];
      expect(row).toEqual({ availability: 'private', title: video.title, since: '2025-08-10' });
      expect(
        await count('youtube_video_stats', `video_id = '${video.id}' AND snapshot_date = '2025-08-10'`),
      ).toBe(0);
    } finally {
      video.availability = 'public';
    }
    await sync({ at: new Date('2025-08-10T15:30:00Z') });
    const back = (
      await pool.query('SELECT availability, unavailable_since FROM youtube_videos WHERE video_id = $1', [
        video.id,
      ])
    ).rows[0];
    expect(back).toEqual({ availability: 'public', unavailable_since: null });
  });

  it('counts a channel that never uploaded (404 playlistNotFound) as zero videos, and the run succeeds', async () => {
    const withEmpty = await startFakeYouTube({
      channels: 2,
      videosPerChannel: 60,
      emptyChannels: 1,
      seed: 99,
      apiKeys: [KEY],
    });
    try {
      const empty = withEmpty.catalogue.channels[2]!;
      const result = await sync({
        api: new YouTubeApi({ apiKey: KEY, rootUrl: withEmpty.rootUrl, baseDelayMs: 1 }),
        configuredChannelIds: withEmpty.catalogue.channelIds,
        runId: 'empty-channel-run',
      });
      expect(result).toMatchObject({
        status: 'success',
        channels: 3,
        missingChannels: [],
        rows: { channels: 3, videos: 120 },
      });
      // The refused playlistItems call is charged, and counted, like any other.
      expect(result.quotaUnits).toBe(withEmpty.catalogue.minimumQuota());
      expect(result.quotaUnits).toBe(withEmpty.quotaUsedBy(KEY));
      expect(
        withEmpty
          .requestsFor('playlistItems')
          .filter((r) => r.status === 404)
          .map((r) => r.params.playlistId),
      ).toEqual([empty.uploadsPlaylistId]);
      const stored = await pool.query('SELECT video_count FROM youtube_channels WHERE channel_id = $1', [
        empty.id,
      ]);
      expect(stored.rows).toEqual([{ video_count: '0' }]);
      expect(await count('youtube_videos', `channel_id = '${empty.id}'`)).toBe(0);
      const run = await pool.query(`SELECT status FROM youtube_sync_runs WHERE run_id = 'empty-channel-run'`);
      expect(run.rows).toEqual([{ status: 'success' }]);
    } finally {
      await withEmpty.stop();
    }
  });

  it('refuses to run with no channels configured', async () => {
    await expect(sync({ configuredChannelIds: [] })).rejects.toMatchObject({
      name: 'NoChannelsConfiguredError',
    });
  });

  it('archives the run’s CSV under youtube/YYYY/MM/DD/ in JST', async () => {
    const bucket = await createBucket(uniqueName('sync-archive'));
    const s3 = createS3Client();
    const result = await sync({ archiveBucket: bucket, s3 });
    expect(result.archive).toMatchObject({ bucket });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'youtube/2025/08/02/' }));
    expect(listed.Contents?.map((o) => o.Key).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/_channels\.csv$/),
        expect.stringMatching(/_videos\.csv$/),
        expect.stringMatching(/_video_stats\.csv$/),
      ]),
    );
    const channelsKey = (result.archive as { keys: string[] }).keys[0]!;
    const parsed = Papa.parse<Record<string, string>>(await readObjectText(bucket, channelsKey, s3), {
      header: true,
      skipEmptyLines: true,
    });
    expect(parsed.data.map((r) => r.channel_id).sort()).toEqual([...fake.catalogue.channelIds].sort());
    expect(parsed.data[0]!.title).toMatch(/\p{Script=Han}|\p{Script=Hiragana}|\p{Script=Katakana}/u);
  });
});
