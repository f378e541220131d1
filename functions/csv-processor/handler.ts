import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { getPool } from '../shared/db';
import { documentClient } from '../shared/dynamo';
import { InputValidationError } from '../shared/errors';
import { createObservability, type Observability } from '../shared/observability';
import { createTracing } from '../shared/tracing';
import { s3Client } from '../shared/s3';
import { applyBatch, recordBatchFailure } from './apply-batch';
import { summarize } from './summarize';

const ProcessorConfig = z.object({
  AUDIT_TABLE: z.string().check(z.minLength(1)),
  AUDIT_SUCCESS: env.bool(true),
  DB_STATEMENT_TIMEOUT_MS: env.int(30_000),
});
/**
 * Configuration, logger and metrics, made on the first invocation rather than at import (etl-load
 * reads its configuration the same way), like the Tracer (../shared/tracing): the import itself then
 * runs little beyond defining the code (`npm run bench -- cold-start`).
 */
let setup: ({ config: z.infer<typeof ProcessorConfig> } & Observability) | undefined;
// X-Ray subsegments for every S3 and DynamoDB call (a no-op outside Lambda), set up on the first invocation.
const traced = createTracing('csv-processor', () => ({ s3: s3Client(), ddb: documentClient() }));

/**
 * Step Functions tasks of the csv-user-log-processor state machine, selected by
 * `action`: applyBatch (map child), recordBatchFailure (its Catch), summarize (after the map).
 */
export async function handler(event: { action?: string }): Promise<unknown> {
  const { config, logger, metrics } = (setup ??= {
    config: loadConfig(ProcessorConfig),
    ...createObservability({ serviceName: 'csv-processor', namespace: 'csv-processor' }),
  });
  return traced(async ({ clients, annotate }) => {
    try {
      switch (event.action) {
        case 'applyBatch': {
          const pool = await getPool({ statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS });
          const outcome = await applyBatch(event, {
            pool,
            auditTable: config.AUDIT_TABLE,
            auditSuccess: config.AUDIT_SUCCESS,
            ddb: clients.ddb,
          });
          logger.info('batch applied', { ...outcome, failures: outcome.failures.length });
          return outcome;
        }
        case 'recordBatchFailure': {
          const outcome = await recordBatchFailure(event, {
            auditTable: config.AUDIT_TABLE,
            ddb: clients.ddb,
          });
          logger.warn('batch recorded as failed', { firstLine: outcome.firstLine, rows: outcome.rows });
          return outcome;
        }
        case 'summarize': {
          const summary = await summarize(event, {
            s3: clients.s3,
            auditTable: config.AUDIT_TABLE,
            ddb: clients.ddb,
          });
          metrics.addMetric('RowsProcessed', MetricUnit.Count, summary.rows.succeeded);
          metrics.addMetric('RowsFailed', MetricUnit.Count, summary.rows.failed);
          annotate('status', summary.status);
          logger.info('file summarized', { status: summary.status, rows: summary.rows });
          return summary;
        }
        default:
          throw new InputValidationError(`Unknown action "${String(event.action)}"`, { field: 'action' });
      }
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  });
}
