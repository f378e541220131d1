import type pg from 'pg';
import { putLocalSecret, uniqueName, useFreshDatabase } from '../../scripts/testing/stack';
import { startFakeYouTube, type FakeYouTubeServer } from '../../scripts/fakes/youtube/server';
import { getPool, resetPool } from '../shared/db';
import { migrateDatabase } from '../shared/migrations';
import { thrownErrorPayload } from '../shared/run-outcomes';
import { newRunsLedgerTable, recorderEnd } from '../shared/run-outcomes.testing';
import { createRunsLedger, type RunsLedger } from '../shared/runs-ledger';
import scheduled from './events/scheduled.json';
import manualWithChannels from './events/manual-trigger-channels.json';
import { describeTrigger, handler } from './handler';

const SECRET_ID = 'sync-batch-test/youtube-api-key';

describe('sync-batch handler', () => {
  let fake: FakeYouTubeServer;
  let pool: pg.Pool;
  let ledger: RunsLedger;
  const savedTable = process.env.RUNS_TABLE;

  beforeAll(async () => {
    const table = await newRunsLedgerTable();
    process.env.RUNS_TABLE = table;
    ledger = createRunsLedger({ table });
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
    if (savedTable === undefined) delete process.env.RUNS_TABLE;
    else process.env.RUNS_TABLE = savedTable;
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
    // Invoked asynchronously: its destination reports the end, the run does not.
    expect(await ledger.getRun('batch-scheduler', 'req-scheduled')).toMatchObject({
      status: 'RUNNING',
      trigger: 'schedule',
    });
  });

  it('records the end of a synchronous `make sync` itself, as the recorder would from its result', async () => {
    const result = await handler(
      { source: 'make', channelIds: [fake.catalogue.channelIds[0]!] },
      { awsRequestId: 'req-make' },
    );
    const run = await ledger.getRun('batch-scheduler', 'req-make');
    const expected = recorderEnd('sync-batch', 'req-make', { source: 'make' }, result);
    expect(expected.counts).toMatchObject({
      applied: result.rows.channels + result.rows.videos + result.rows.stats,
      apiCalls: result.quotaUnits,
    });
    expect(run).toMatchObject({
      status: expected.status,
      trigger: 'manual',
      counts: expected.counts,
      links: { requestId: 'req-make', ...(expected.s3Keys ? { s3Keys: expected.s3Keys } : {}) },
    });
    expect(run).not.toHaveProperty('error');
    expect(Date.parse(run!.endedAt!)).toBeGreaterThanOrEqual(Date.parse(run!.startedAt));
  });

  it('a ledger that cannot be written never fails the sync', async () => {
    process.env.RUNS_TABLE = uniqueName('no-such-table');
    try {
      await expect(handler({ source: 'make' }, { awsRequestId: 'req-no-ledger' })).resolves.toMatchObject({
        status: 'success',
      });
    } finally {
      process.env.RUNS_TABLE = ledger.table;
    }
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
      // The sync was synchronous (`make sync`): its FAILED end is in the ledger, as the
      // recorder would have written it from Lambda's error payload.
      const thrown = await handler({ source: 'make' }, { awsRequestId: 'req-bad-key-2' }).catch(
        (e: unknown) => e,
      );
      for (const requestId of ['req-bad-key', 'req-bad-key-2']) {
        const expected = recorderEnd(
          'sync-batch',
          requestId,
          { source: 'make' },
          thrownErrorPayload(thrown),
          true,
        );
        expect(await ledger.getRun('batch-scheduler', requestId)).toMatchObject({
          status: 'FAILED',
          error: expected.error,
          counts: { apiCalls: 1 },
        });
      }
      expect(
        recorderEnd('sync-batch', 'x', { source: 'make' }, thrownErrorPayload(thrown), true).error,
      ).toMatchObject({
        name: 'YouTubeKeyInvalidError',
      });
    } finally {
      await putLocalSecret(SECRET_ID, { apiKey: 'handler-key' });
    }
  });
});
