import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';

/** Environment of sync-batch (set by infrastructure/terraform/modules/batch-scheduler). */
export const SyncBatchConfig = z.object({
  /** Secrets Manager id/ARN of `{"apiKey": "..."}`; the value is set out of band. */
  YOUTUBE_API_KEY_SECRET_ID: env.string(),
  /** Root URL of the API; unset means Google's. Points runs at a fake or a proxy. */
  YOUTUBE_API_ROOT_URL: z.optional(z.url()),
  CHANNEL_IDS: env.list(),
  ARCHIVE_BUCKET: z.optional(z.string()),
  CHANNEL_CONCURRENCY: env.int(4, { min: 1, max: 16 }),
  YOUTUBE_MAX_ATTEMPTS: env.int(5, { min: 1, max: 10 }),
  YOUTUBE_RETRY_BASE_MS: env.int(1000, { min: 0 }),
  YOUTUBE_TIMEOUT_MS: env.int(30_000, { min: 1000 }),
  /** Database name when connecting through DB_SECRET_ARN + DB_HOST. */
  DB_NAME: z._default(env.string(), 'shirogane'),
  /** Per-statement cap for the merge of a large catalogue. */
  DB_STATEMENT_TIMEOUT_MS: env.int(300_000, { min: 1000 }),
});
export type SyncBatchConfig = z.infer<typeof SyncBatchConfig>;

export function loadSyncBatchConfig(
  environment: Record<string, string | undefined> = process.env,
): SyncBatchConfig {
  return loadConfig(SyncBatchConfig, environment);
}

export const ApiKeySecret = z.object({ apiKey: z.string().check(z.minLength(1)) });
