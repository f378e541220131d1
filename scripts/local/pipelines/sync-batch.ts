import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { createS3Client } from '../../../functions/shared/s3';
import { resetPool } from '../../../functions/shared/db';
import { resetSecretsCache } from '../../../functions/shared/secrets';
import { startFakeYouTube, type FakeYouTubeServer } from '../../fakes/youtube/server';
import type { LocalPipeline, PipelineResult } from '../pipelines';
import { writeLocalSecret } from '../secrets-file';
import { createDatabase, startStack } from '../stack';

/**
 * `npm run local -- sync-batch [--channels N] [--videos-per-channel M] [--channel-ids A,B] [--json]`
 *
 * Runs the deployed handler in-process on the embedded stack. The YouTube API is the
 * built-in fake unless YOUTUBE_API_ROOT_URL or YOUTUBE_API_KEY is set, in which case
 * those are used as they are (YOUTUBE_API_ROOT_URL alone → Google's API needs a key;
 * a key alone → Google's API). DATABASE_URL points the run at an existing
 * PostgreSQL, whose schema is created if missing; otherwise a `shirogane` database is
 * created on the embedded server.
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

function parseOptions(args: string[]): SyncBatchLocalOptions {
  const { values } = parseArgs({
    args,
    options: {
      channels: { type: 'string', default: '3' },
      'videos-per-channel': { type: 'string', default: '120' },
      'channel-ids': { type: 'string' },
      seed: { type: 'string' },
    },
    strict: true,
  });
  const positive = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`--${name} must be a non-negative integer, got "${value}"`);
    return n;
  };
  return {
    channels: positive('channels', values.channels),
    videosPerChannel: positive('videos-per-channel', values['videos-per-channel']),
    channelIds: values['channel-ids']
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    seed: values.seed === undefined ? undefined : positive('seed', values.seed),
  };
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
  await s3.send(new CreateBucketCommand({ Bucket: ARCHIVE_BUCKET })).catch((error: { name?: string }) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });

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

/**
 * The LocalPipeline `prepare` hook (`npm run invoke -- sync-batch`): the default
 * fake catalogue, whose server does not keep the process alive once the handler returns.
 */
async function prepare(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const prepared = await setUpSyncBatch({ channels: 3, videosPerChannel: 120 }, env);
  prepared.fake?.unref();
  return prepared.env;
}

export async function runSyncBatchLocally(args: string[]): Promise<PipelineResult> {
  const options = parseOptions(args);
  const stack = await startStack();
  const saved = { ...process.env };
  let prepared: PreparedSyncBatch | undefined;
  try {
    Object.assign(process.env, stack.env);
    // An existing DATABASE_URL is used as it is; a fresh embedded server gets "shirogane".
    if (!saved.DATABASE_URL) process.env.DATABASE_URL = await createDatabase(stack.databaseUrl, 'shirogane');
    prepared = await setUpSyncBatch(options, process.env);
    Object.assign(process.env, prepared.env);
    resetSecretsCache();
    await resetPool();
    // Imported after the environment is in place: the handler reads it on first call.
    const { handler } = await import('../../../functions/sync-batch/handler');
    const started = Date.now();
    try {
      const result = await handler({ source: 'local' }, { awsRequestId: `local-${randomUUID()}` });
      const minimum = prepared.fake?.catalogue.minimumQuota(prepared.channelIds);
      const text = [
        `sync-batch ${result.status}: ${result.channels} channel(s), ${result.videos} video(s), ${result.unavailableVideos} private/deleted`,
        `  quota units   ${result.quotaUnits}${minimum === undefined ? '' : ` (minimum possible ${minimum})`}`,
        `  rows merged   channels ${result.rows.channels}, videos ${result.rows.videos}, stats ${result.rows.stats} (snapshot ${result.snapshotDate} JST)`,
        `  archive       ${result.archive && 'keys' in result.archive ? `s3://${result.archive.bucket}/${result.archive.keys[0]?.replace(/_channels\.csv$/, '_*.csv')}` : JSON.stringify(result.archive)}`,
        `  api           ${prepared.api}${prepared.api === 'fake' ? ` (${prepared.env.YOUTUBE_API_ROOT_URL})` : ''}`,
        `  took          ${Date.now() - started} ms`,
        '',
        JSON.stringify(result, null, 2),
      ].join('\n');
      return { text, json: result as unknown as Record<string, unknown> };
    } catch (error) {
      // The pipeline ran and the API or data said no: a verdict, reported as JSON.
      const e = error as Error & { details?: { quotaUnits?: number } };
      const json = {
        status: 'failed',
        error: { name: e.name, message: e.message },
        quotaUnits: e.details?.quotaUnits ?? null,
      };
      return { text: `sync-batch failed: ${e.name}: ${e.message}\n${JSON.stringify(json, null, 2)}`, json };
    }
  } finally {
    await resetPool();
    await prepared?.cleanup();
    await stack.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

export const syncBatchPipeline: LocalPipeline = {
  summary: 'YouTube Data API → CSV → PostgreSQL sync (fake API unless YOUTUBE_API_ROOT_URL/YOUTUBE_API_KEY)',
  functions: ['sync-batch'],
  prepare,
  demoArgs: ['--channels', '3', '--videos-per-channel', '120'],
  run: runSyncBatchLocally,
};
