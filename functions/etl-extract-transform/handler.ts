import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { createObservability } from '../shared/observability';
import { withDirectRunEnd } from '../shared/run-outcomes';
import { recordRunStart } from '../shared/runs-ledger';
import type { Dataset, DatasetEntry } from './contract';
import { openDatabase } from './database';
import { targetDates, type DateRequest } from './dates';
import { extractDate } from './extract';

/**
 * etl-extract-transform. Triggers: the EventBridge Scheduler schedule (02:00 Asia/Tokyo: yesterday
 * in JST), the manual rule (`Source=etl, DetailType=manual-trigger`, detail `{"environment", "date"}`
 * or `{"environment", "from", "to"}`) and direct invocation (`{"date"}` / `{"from", "to"}`; with
 * `"source":"make"` a synchronous one that records its own end in the run ledger).
 * Each date is extracted from its own REPEATABLE READ snapshot; its manifest is written last.
 */
const { logger, metrics } = createObservability({ serviceName: 'etl-extract-transform', namespace: 'etl' });

export const ExtractConfig = z.object({
  ETL_BUCKET: env.string(),
  /** Per-statement cap on the source; a day's aggregation of millions of orders takes a while. */
  DB_STATEMENT_TIMEOUT_MS: env.int(600_000, { min: 1000 }),
});

const ExtractEvent = z.looseObject({
  date: z.optional(z.unknown()),
  from: z.optional(z.unknown()),
  to: z.optional(z.unknown()),
  detail: z.optional(
    z.looseObject({
      date: z.optional(z.unknown()),
      from: z.optional(z.unknown()),
      to: z.optional(z.unknown()),
    }),
  ),
});

export interface ExtractResult {
  status: 'SUCCEEDED';
  dates: {
    date: string;
    manifestKey: string;
    datasets: Record<Dataset, Pick<DatasetEntry, 'rows' | 'bytes' | 'queryMs'>>;
  }[];
}

/** The date request of an event: its own fields, else those of an EventBridge event's detail. */
export function dateRequest(rawEvent: unknown): DateRequest {
  const parsed = z.safeParse(ExtractEvent, rawEvent ?? {});
  if (!parsed.success) return {};
  const { date, from, to, detail } = parsed.data;
  if (date !== undefined || from !== undefined || to !== undefined) return { date, from, to };
  return { date: detail?.date, from: detail?.from, to: detail?.to };
}

let config: z.infer<typeof ExtractConfig> | undefined;

export const handler = async (rawEvent: unknown, context?: Partial<Context>): Promise<ExtractResult> => {
  const settings = (config ??= loadConfig(ExtractConfig));
  if (context?.awsRequestId) logger.addContext(context as Context);
  await recordRunStart('etl', rawEvent, context, logger);
  // A synchronous invoke by hand (`{"source":"make", …}`) has no destination to report its end.
  return withDirectRunEnd('etl', rawEvent, context, logger, () => extract(rawEvent, settings));
};

async function extract(rawEvent: unknown, settings: z.infer<typeof ExtractConfig>): Promise<ExtractResult> {
  const dates = targetDates(dateRequest(rawEvent));
  logger.info('extract started', { dates });
  try {
    const pool = await openDatabase('SOURCE_', metrics, {
      statementTimeoutMs: settings.DB_STATEMENT_TIMEOUT_MS,
      applicationName: 'etl-extract-transform',
    });
    const result: ExtractResult = { status: 'SUCCEEDED', dates: [] };
    for (const date of dates) {
      logger.appendKeys({ targetDate: date });
      const started = Date.now();
      const { manifestKey, manifest } = await extractDate(pool, date, {
        bucket: settings.ETL_BUCKET,
        logger,
      });
      const rows = Object.values(manifest.datasets).reduce((n, d) => n + d.rows, 0);
      metrics.addMetric('ExtractionTime', MetricUnit.Milliseconds, Date.now() - started);
      metrics.addMetric('RecordsExtracted', MetricUnit.Count, rows);
      metrics.publishStoredMetrics();
      result.dates.push({
        date,
        manifestKey,
        datasets: Object.fromEntries(
          Object.entries(manifest.datasets).map(([name, d]) => [
            name,
            { rows: d.rows, bytes: d.bytes, queryMs: d.queryMs },
          ]),
        ) as ExtractResult['dates'][number]['datasets'],
      });
    }
    logger.removeKeys(['targetDate']);
    logger.info('extract finished', { dates });
    return result;
  } catch (error) {
    logger.error('extract failed', { error: error as Error });
    throw error;
  } finally {
    logger.removeKeys(['targetDate']);
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}
