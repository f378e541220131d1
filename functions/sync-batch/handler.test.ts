import type pg from 'pg';
import { putLocalSecret, useFreshDatabase } from '../../scripts/testing/stack';
import { startFakeYouTube, type FakeYouTubeServer } from '../../scripts/fakes/youtube/server';
import { getPool, resetPool } from '../shared/db';
import { migrateDatabase } from '../shared/migrations';
import scheduled from './events/scheduled.json';
import manualWithChannels from './events/manual-trigger-channels.json';
import { describeTrigger, handler } from './handler';

const SECRET_ID = 'sync-batch-test/youtube-api-key';

describe('sync-batch handler', () => {
  let fake: FakeYouTubeServer;
  let pool: pg.Pool;

  beforeAll(async () => {
    fake = await startFakeYouTube({ channels: 2, videosPerChannel: 20, apiKeys: ['handler-key'] });
    await useFreshDatabase('sync_handler');
    await putLocalSecret(SECRET_ID, { apiKey: 'handler-key' });
    Object.assign(process.env, {
      YOUTUBE_API_KEY_SECRET_ID: SECRET_ID,
      YOUTUBE_API_ROOT_URL: fake.rootUrl,
      CHANNEL_IDS: fake.catalogue.channelIds.join(','),
      YOUTUBE_RETRY_BASE_MS: '1',
    });
    pool = await getPool();
    await migrateDatabase(pool, 'sync-batch-migrate');
  });
  afterAll(async () => {
    await fake.stop();
    await resetPool();
  });

  it('runs a scheduled sync and returns the result JSON', async () => {
    const result = await handler(scheduled, { awsRequestId: 'req-scheduled' });
    expect(result).toMatchObject({
      status: 'success',
      runId: 'req-scheduled',
      channels: 2,
      videos: fake.catalogue.publicVideos().length,
      quotaUnits: fake.catalogue.minimumQuota(),
      rows: { channels: 2, videos: 40, stats: fake.catalogue.publicVideos().length },
    });
    const run = await pool.query(`SELECT trigger FROM youtube_sync_runs WHERE run_id = 'req-scheduled'`);
    expect(run.rows[0].trigger).toBe('schedule');
  });

  it('syncs only the channels a manual trigger names', async () => {
    const event = { ...manualWithChannels, detail: { channelIds: [fake.catalogue.channelIds[1]!] } };
    const result = await handler(event, { awsRequestId: 'req-manual' });
    expect(result).toMatchObject({ status: 'success', channels: 1, rows: { channels: 1, videos: 20 } });
    expect(describeTrigger(event)).toBe('manual-trigger');
    expect(describeTrigger({ source: 'make' })).toBe('make');
  });

  it('fails with the named error when the key is rejected, without retrying', async () => {
    await putLocalSecret(SECRET_ID, { apiKey: 'revoked-key' });
    try {
      await expect(handler({ source: 'make' }, { awsRequestId: 'req-bad-key' })).rejects.toMatchObject({
        name: 'YouTubeKeyInvalidError',
      });
      expect(fake.requests.filter((r) => r.key === 'revoked-key')).toHaveLength(1);
      const run = await pool.query(
        `SELECT status, error FROM youtube_sync_runs WHERE run_id = 'req-bad-key'`,
      );
      expect(run.rows[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/keyInvalid/) });
    } finally {
      await putLocalSecret(SECRET_ID, { apiKey: 'handler-key' });
    }
  });
});
