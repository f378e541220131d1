import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { InputValidationError } from '../shared/errors';
import { createObservability } from '../shared/observability';
import { withDirectRunEnd } from '../shared/run-outcomes';
import { recordRunStart } from '../shared/runs-ledger';
import { DATASETS } from '../etl-extract-transform/contract';
import { openDatabase } from '../etl-extract-transform/database';
import { loadManifest, type LoadResult } from './load';

/**
 * etl-load. Trigger: the EventBridge rule matching S3 `Object Created` of
 * `etl-data/YYYY-MM-DD/manifest.json` in the ETL bucket, so only a complete set loads (the
 * manifest is written last). Direct invocation with `{"bucket", "key"}` does the same (with
 * `"source":"make"`, a synchronous one that records its own end in the run ledger). The datasets
 * are verified against the manifest before the database is touched, then loaded in one
 * transaction; running it again for the same manifest changes nothing.
 */
const { logger, metrics } = createObservability({ serviceName: 'etl-load', namespace: 'etl' });

export const LoadConfig = z.object({
  /** Per-statement cap on the target; an auto-paused Aurora needs a few seconds to resume. */
  DB_STATEMENT_TIMEOUT_MS: env.int(300_000, { min: 1000 }),
  DB_CONNECT_TIMEOUT_MS: env.int(30_000, { min: 1000 }),
  S3_READ_ATTEMPTS: env.int(6, { min: 1, max: 20 }),
  S3_RETRY_BASE_MS: env.int(200, { min: 0 }),
});

const LoadEvent = z.union([
  z.looseObject({
    detail: z.looseObject({
      bucket: z.looseObject({ name: z.string() }),
      object: z.looseObject({ key: z.string() }),
    }),
  }),
  z.looseObject({ bucket: z.string(), key: z.string() }),
]);

/** The manifest an event points at: an EventBridge S3 event, or `{bucket, key}`. */
export function manifestLocation(rawEvent: unknown): { bucket: string; key: string } {
  const parsed = z.safeParse(LoadEvent, rawEvent ?? {});
  if (!parsed.success) {
    throw new InputValidationError(
      'expected an S3 Object Created event (detail.bucket.name, detail.object.key) or {"bucket", "key"}',
    );
  }
  const event = parsed.data as
    { detail: { bucket: { name: string }; object: { key: string } } } | { bucket: string; key: string };
  return 'detail' in event
    ? { bucket: event.detail.bucket.name, key: event.detail.object.key }
    : { bucket: event.bucket, key: event.key };
}

let config: z.infer<typeof LoadConfig> | undefined;

export const handler = async (rawEvent: unknown, context?: Partial<Context>): Promise<LoadResult> => {
  const settings = (config ??= loadConfig(LoadConfig));
  if (context?.awsRequestId) logger.addContext(context as Context);
  await recordRunStart('etl-load', rawEvent, context, logger);
  // A synchronous invoke by hand (`{"source":"make", …}`) has no destination to report its end.
  return withDirectRunEnd('etl-load', rawEvent, context, logger, () => load(rawEvent, settings));
};

async function load(rawEvent: unknown, settings: z.infer<typeof LoadConfig>): Promise<LoadResult> {
  const { bucket, key } = manifestLocation(rawEvent);
  const targetDate = /etl-data\/([^/]+)\//.exec(key)?.[1];
  logger.appendKeys({ targetDate, manifestKey: key });
  try {
    const result = await loadManifest(
      () =>
        openDatabase('TARGET_', metrics, {
          statementTimeoutMs: settings.DB_STATEMENT_TIMEOUT_MS,
          connectTimeoutMs: settings.DB_CONNECT_TIMEOUT_MS,
          applicationName: 'etl-load',
        }),
      bucket,
      key,
      { logger, retry: { attempts: settings.S3_READ_ATTEMPTS, baseMs: settings.S3_RETRY_BASE_MS } },
    );
    metrics.addMetric('S3ReadTime', MetricUnit.Milliseconds, result.s3ReadMs);
    metrics.addMetric('DataLoadTime', MetricUnit.Milliseconds, result.loadMs);
    for (const dataset of DATASETS) {
      metrics.addMetric(`RecordsLoaded_${dataset}`, MetricUnit.Count, result.datasets[dataset].written);
    }
    logger.info('load finished', { datasets: result.datasets });
    return result;
  } catch (error) {
    logger.error('load failed', { error: error as Error });
    throw error;
  } finally {
    logger.removeKeys(['targetDate', 'manifestKey']);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
