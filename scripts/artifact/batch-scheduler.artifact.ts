import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createS3Client } from '../../functions/shared/s3';
import { startFakeYouTube, type FakeYouTubeServer } from '../fakes/youtube/server';
import { writeLocalSecret } from '../local/secrets-file';
import { createBucket, uniqueName, useFreshDatabase } from '../testing/stack';
import { exampleEvent, invokeZip, stackEnv } from './support';

/**
 * batch-scheduler's zips from empty directories: sync-batch-migrate creates the schema, then
 * sync-batch syncs the fake YouTube API into it and archives its CSVs.
 */
describe('batch-scheduler pipeline from dist/', () => {
  const KEY = 'artifact-key';
  const SECRET_ID = 'artifact/youtube-api-key';
  let fake: FakeYouTubeServer;
  let databaseUrl: string;
  let db: pg.Client;
  let secretsDir: string;
  const archive = uniqueName('artifact-archive');

  beforeAll(async () => {
    fake = await startFakeYouTube({ channels: 2, videosPerChannel: 30, apiKeys: [KEY] });
    databaseUrl = await useFreshDatabase('artifact_shirogane');
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await createBucket(archive);
    secretsDir = mkdtempSync(join(tmpdir(), 'artifact-secrets-'));
    await writeLocalSecret(join(secretsDir, 'secrets.json'), SECRET_ID, { apiKey: KEY });
  });
  afterAll(async () => {
    await fake.stop();
    await db.end();
    rmSync(secretsDir, { recursive: true, force: true });
  });

  it('sync-batch-migrate creates the schema, and a second apply is a no-op', async () => {
    const event = exampleEvent('sync-batch-migrate', 'apply.json');
    const first = await invokeZip('sync-batch-migrate', event, { DATABASE_URL: databaseUrl });
    expect(first).toEqual({
      database: new URL(databaseUrl).pathname.slice(1),
      applied: ['001_initial.sql'],
      current: '001_initial.sql',
    });
    const tables = await db.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    expect(tables.rows.map((r) => r.tablename)).toEqual([
      'schema_migrations',
      'youtube_channels',
      'youtube_channels_config',
      'youtube_sync_runs',
      'youtube_video_stats',
      'youtube_videos',
    ]);
    const second = await invokeZip('sync-batch-migrate', event, { DATABASE_URL: databaseUrl });
    expect(second).toEqual({ ...(first as object), applied: [] });
  });

  it('sync-batch syncs the fake YouTube API into the database and archives the CSVs', async () => {
    const result = await invokeZip('sync-batch', exampleEvent('sync-batch', 'scheduled.json'), {
      ...stackEnv(),
      DATABASE_URL: databaseUrl,
      LOCAL_SECRETS_FILE: join(secretsDir, 'secrets.json'),
      YOUTUBE_API_KEY_SECRET_ID: SECRET_ID,
      YOUTUBE_API_ROOT_URL: fake.rootUrl,
      YOUTUBE_RETRY_BASE_MS: '1',
      CHANNEL_IDS: fake.catalogue.channelIds.join(','),
      ARCHIVE_BUCKET: archive,
    });
    expect(result).toMatchObject({ status: 'success', channels: 2, rows: { channels: 2, videos: 60 } });
    const videos = await db.query('SELECT count(*)::int AS n FROM youtube_videos');
    expect(videos.rows[0].n).toBe(60);
    const runs = await db.query(`SELECT status, trigger FROM youtube_sync_runs`);
    expect(runs.rows).toEqual([{ status: 'success', trigger: 'schedule' }]);
    const archived = await createS3Client().send(new ListObjectsV2Command({ Bucket: archive }));
    expect(archived.KeyCount).toBeGreaterThanOrEqual(3);
  });
});
