import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { createS3Client } from '../../../functions/shared/s3';
import { startFakeYouTube, type FakeYouTubeServer } from '../../fakes/youtube/server';
import type { SyncResult } from '../../../functions/sync-batch/sync';
import { ensureDatabase } from '../database';
import { writeLocalSecret } from '../secrets-file';
import { loadHandler } from './handlers';
import { ensureBucket } from './resources';
import { definePipeline } from './runner';
import { withDestinations } from './runs-ledger';

/**
 * `npm run local -- sync-batch [--channels N] [--videos-per-channel M] [--channel-ids A,B] [--json]`
 *
 * Runs the deployed handler in-process on the local stack. The YouTube API is the
 * built-in fake unless YOUTUBE_API_ROOT_URL or YOUTUBE_API_KEY is set, in which case
 * those are used as they are (YOUTUBE_API_ROOT_URL alone → Google's API needs a key;
 * a key alone → Google's API). DATABASE_URL points the run at an existing
 * PostgreSQL, whose schema is created if missing; otherwise a `shirogane` database on
 * the stack's server (created when missing).
 */
const SECRET_ID = 'sync-batch-local/youtube-api-key';
const FAKE_KEY = 'local-fake-api-key';
const ARCHIVE_BUCKET = 'sync-batch-local-archive';

export interface SyncBatchLocalOptions {
  channels: number;
  videosPerChannel: number;
  channelIds?: string[];
  seed?: number;
}

export interface PreparedSyncBatch {
  /** Environment the sync-batch function needs on this stack. */
  env: Record<string, string>;
  api: 'fake' | 'external';
  fake?: FakeYouTubeServer;
  channelIds: string[];
  cleanup(): Promise<void>;
}

/**
 * Creates what sync-batch needs on a running stack (archive bucket, API key secret,
 * fake API unless an external one is configured) and returns the environment its
 * handler reads. `env` must carry the stack's endpoints, local credentials,
 * LOCAL_SECRETS_FILE and the DATABASE_URL to write to, which it migrates as
 * sync-batch-migrate does on deploy.
 */
export async function setUpSyncBatch(
  options: SyncBatchLocalOptions,
  env: NodeJS.ProcessEnv,
): Promise<PreparedSyncBatch> {
  const secretsFile = env.LOCAL_SECRETS_FILE;
  if (!secretsFile || !env.DATABASE_URL)
    throw new Error('sync-batch needs LOCAL_SECRETS_FILE and DATABASE_URL from the local stack');
  const migratePool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
  await migrateDatabase(migratePool, 'sync-batch-migrate').finally(() => migratePool.end());
  const external = Boolean(env.YOUTUBE_API_ROOT_URL || env.YOUTUBE_API_KEY);
  let fake: FakeYouTubeServer | undefined;
  let apiKey: string;
  let rootUrl: string | undefined;
  if (external) {
    if (!env.YOUTUBE_API_KEY) throw new Error('YOUTUBE_API_ROOT_URL is set: set YOUTUBE_API_KEY as well');
    apiKey = env.YOUTUBE_API_KEY;
    rootUrl = env.YOUTUBE_API_ROOT_URL || undefined;
  } else {
    fake = await startFakeYouTube({
      channels: options.channels,
      videosPerChannel: options.videosPerChannel,
      seed: options.seed,
      apiKeys: [FAKE_KEY],
    });
    apiKey = FAKE_KEY;
    rootUrl = fake.rootUrl;
  }
  const channelIds = options.channelIds ?? fake?.catalogue.channelIds ?? [];

  await writeLocalSecret(secretsFile, SECRET_ID, { apiKey });
  const s3 = createS3Client(env);
  await ensureBucket(s3, { name: ARCHIVE_BUCKET });

  return {
    env: {
      YOUTUBE_API_KEY_SECRET_ID: SECRET_ID,
      ...(rootUrl ? { YOUTUBE_API_ROOT_URL: rootUrl } : {}),
      CHANNEL_IDS: channelIds.join(','),
      ARCHIVE_BUCKET,
      POWERTOOLS_SERVICE_NAME: 'sync-batch',
      POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL || 'INFO',
      // Locally the fake answers in milliseconds; keep retries quick.
      ...(external ? {} : { YOUTUBE_RETRY_BASE_MS: '50' }),
    },
    api: external ? 'external' : 'fake',
    fake,
    channelIds,
    async cleanup() {
      await fake?.stop();
    },
  };
}

const options = {
  channels: { type: 'integer', min: 0, default: 3, description: 'channels in the fake catalogue' },
  'videos-per-channel': { type: 'integer', min: 0, default: 120, description: 'uploads per fake channel' },
  'channel-ids': { type: 'list', value: 'A,B', description: 'sync only these channel ids' },
  seed: { type: 'integer', min: 0, description: 'seed of the fake catalogue' },
} as const;

function formatText(result: SyncResult, prepared: PreparedSyncBatch, tookMs: number): string {
  const minimum = prepared.fake?.catalogue.minimumQuota(prepared.channelIds);
  const archive =
    result.archive && 'keys' in result.archive
      ? `s3://${result.archive.bucket}/${result.archive.keys[0]?.replace(/_channels\.csv$/, '_*.csv')}`
      : JSON.stringify(result.archive);
  return [
    `sync-batch ${result.status}: ${result.channels} channel(s), ${result.videos} video(s), ${result.unavailableVideos} private/deleted`,
    ...(result.missingChannels?.length ? [`  not found     ${result.missingChannels.join(', ')}`] : []),
    `  quota units   ${result.quotaUnits}${minimum === undefined ? '' : ` (minimum possible ${minimum})`}`,
    `  rows merged   channels ${result.rows.channels}, videos ${result.rows.videos}, stats ${result.rows.stats} (snapshot ${result.snapshotDate} JST)`,
    `  archive       ${archive}`,
    `  api           ${prepared.api}${prepared.api === 'fake' ? ` (${prepared.env.YOUTUBE_API_ROOT_URL})` : ''}`,
    `  took          ${tookMs} ms`,
  ].join('\n');
}

export const syncBatchPipeline = definePipeline({
  name: 'sync-batch',
  summary: 'YouTube Data API → CSV → PostgreSQL sync (fake API unless YOUTUBE_API_ROOT_URL/YOUTUBE_API_KEY)',
  options,
  notes: ['The database is `shirogane` on the local stack unless --database-url or DATABASE_URL names one.'],
  functions: ['sync-batch', 'sync-batch-migrate'],
  environment: {
    YOUTUBE_API_KEY_SECRET_ID: SECRET_ID,
    ARCHIVE_BUCKET,
    CHANNEL_IDS: '',
    POWERTOOLS_SERVICE_NAME: 'sync-batch',
  },
  demo: { args: ['--channels', '3', '--videos-per-channel', '120'] },
  async prepare(ctx, values) {
    const databaseUrl = ctx.databaseGiven
      ? process.env.DATABASE_URL!
      : await ensureDatabase(process.env.DATABASE_URL!, 'shirogane');
    const prepared = await setUpSyncBatch(
      {
        channels: values?.channels ?? 3,
        videosPerChannel: values?.['videos-per-channel'] ?? 120,
        channelIds: values?.['channel-ids'].length ? values['channel-ids'] : undefined,
        seed: values?.seed,
      },
      { ...process.env, DATABASE_URL: databaseUrl },
    );
    // `npm run invoke` returns once the handler does: the fake must not keep the process alive.
    if (!values) prepared.fake?.unref();
    return {
      ...prepared,
      env: { ...prepared.env, DATABASE_URL: databaseUrl },
      cleanup: () => prepared.cleanup(),
    };
  },
  async execute(_values, ctx, prepared) {
    const dist = ctx.fromDist
      ? await loadHandler('sync-batch', { fromDist: true, env: { ...ctx.env, ...prepared.env } })
      : undefined;
    const handler = dist
      ? (dist.handler as (event: unknown, context: { awsRequestId: string }) => Promise<SyncResult>)
      : withDestinations('sync-batch', (await import('../../../functions/sync-batch/handler')).handler);
    const started = Date.now();
    try {
      const result = await handler({ source: 'local' }, { awsRequestId: `local-${randomUUID()}` });
      return {
        text: formatText(result, prepared, Date.now() - started),
        json: result as unknown as Record<string, unknown>,
      };
    } catch (error) {
      // The pipeline ran and the API or data said no: a verdict, reported as JSON.
      const e = error as Error & { details?: { quotaUnits?: number } };
      const json = {
        status: 'failed',
        error: { name: e.name, message: e.message },
        quotaUnits: e.details?.quotaUnits ?? null,
      };
      return { text: `sync-batch failed: ${e.name}: ${e.message}`, json };
    } finally {
      await dist?.close();
    }
  },
});
