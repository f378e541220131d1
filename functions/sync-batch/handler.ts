import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { getPool } from '../shared/db';
import { createObservability } from '../shared/observability';
import { withDirectRunEnd } from '../shared/run-outcomes';
import { addRunCounts, recordRunStart } from '../shared/runs-ledger';
import { getSecretJson } from '../shared/secrets';
import { ApiKeySecret, loadSyncBatchConfig, type SyncBatchConfig } from './config';
import { runSync, type SyncResult } from './sync';
import { YouTubeApi } from './youtube-api';

/**
 * Lambda entry point. Triggers: the EventBridge schedule rule (Scheduled Event),
 * the manual rule (a `manual-trigger` event from `batch-scheduler` whose detail names the
 * environment: `make trigger SOURCE=batch-scheduler ENV=prd`) and direct invocation
 * (`make sync-prd`: `{"source":"make"}`, synchronous, so the run records its own end in the
 * ledger; see shared/run-outcomes). Any of them may name channels to sync instead of
 * the configured ones: `{"channelIds": [...]}` directly or in the event's `detail`.
 */

// No Tracer: sync-batch wraps no SDK client, and loading the X-Ray SDK was most of its
// start-up beyond the drivers it needs. Lambda still records the function's own segments.
const { logger, metrics } = createObservability({ serviceName: 'sync-batch', namespace: 'batch-scheduler' });

const ChannelIds = z.optional(z.array(z.string().check(z.minLength(1))));
const SyncEvent = z.looseObject({
  source: z.optional(z.string()),
  'detail-type': z.optional(z.string()),
  channelIds: ChannelIds,
  detail: z.optional(z.looseObject({ channelIds: ChannelIds })),
});

export function describeTrigger(event: z.infer<typeof SyncEvent>): string {
  if (event['detail-type'] === 'Scheduled Event') return 'schedule';
  if (event.source === 'batch-scheduler') return event['detail-type'] ?? 'event';
  return event.source ?? 'invoke';
}

let config: SyncBatchConfig | undefined;

export const handler = async (rawEvent: unknown, context?: Partial<Context>): Promise<SyncResult> => {
  const settings = (config ??= loadSyncBatchConfig());
  if (context?.awsRequestId) logger.addContext(context as Context);
  await recordRunStart('batch-scheduler', rawEvent, context, logger);
  // `make sync-prd` waits for the result: no destination reports its end, so the run does.
  return withDirectRunEnd('batch-scheduler', rawEvent, context, logger, () =>
    sync(rawEvent, context, settings),
  );
};

async function sync(
  rawEvent: unknown,
  context: Partial<Context> | undefined,
  settings: SyncBatchConfig,
): Promise<SyncResult> {
  const parsed = z.safeParse(SyncEvent, rawEvent ?? {});
  const event = parsed.success ? parsed.data : {};
  if (!parsed.success)
    logger.warn('Ignoring an event of unexpected shape', { issues: parsed.error.issues.length });

  const { apiKey } = await getSecretJson(settings.YOUTUBE_API_KEY_SECRET_ID, ApiKeySecret);
  const api = new YouTubeApi({
    apiKey,
    rootUrl: settings.YOUTUBE_API_ROOT_URL,
    maxAttempts: settings.YOUTUBE_MAX_ATTEMPTS,
    baseDelayMs: settings.YOUTUBE_RETRY_BASE_MS,
    timeoutMs: settings.YOUTUBE_TIMEOUT_MS,
    onAttempt: (a) => {
      if (a.status !== 200) logger.warn('YouTube API call failed', a);
    },
  });
  try {
    const result = await runSync({
      api,
      pool: await getPool({
        statementTimeoutMs: settings.DB_STATEMENT_TIMEOUT_MS,
        applicationName: 'sync-batch',
        database: settings.DB_NAME,
      }),
      logger,
      configuredChannelIds: settings.CHANNEL_IDS,
      channelIdsOverride: event.channelIds ?? event.detail?.channelIds,
      archiveBucket: settings.ARCHIVE_BUCKET || undefined,
      runId: context?.awsRequestId ?? randomUUID(),
      trigger: describeTrigger(event),
      concurrency: settings.CHANNEL_CONCURRENCY,
    });
    metrics.addMetric('ChannelsSynced', MetricUnit.Count, result.channels);
    metrics.addMetric('VideosSynced', MetricUnit.Count, result.videos);
    metrics.addMetric('UnavailableVideos', MetricUnit.Count, result.unavailableVideos);
    metrics.addMetric('RejectedRows', MetricUnit.Count, result.rejectedRows);
    metrics.addMetric('MissingChannels', MetricUnit.Count, result.missingChannels.length);
    return result;
  } catch (error) {
    metrics.addMetric('SyncFailed', MetricUnit.Count, 1);
    await addRunCounts('batch-scheduler', context?.awsRequestId, { apiCalls: api.quotaUnits }, logger);
    logger.error('Sync failed', { error: error as Error, quotaUnits: api.quotaUnits });
    throw error;
  } finally {
    // Quota is spent whether or not the run succeeded; emit it either way.
    logger.info('YouTube quota used', { quotaUnits: api.quotaUnits, requests: api.requests });
    metrics.addMetric('QuotaUnitsUsed', MetricUnit.Count, api.quotaUnits);
    metrics.publishStoredMetrics();
  }
}
