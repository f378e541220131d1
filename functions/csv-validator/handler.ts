import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { documentClient } from '../shared/dynamo';
import { createObservability, type Observability } from '../shared/observability';
import { createTracing } from '../shared/tracing';
import { s3Client } from '../shared/s3';
import type { ValidationResult } from '../csv-processor/contract';
import { validateUpload } from './validator';

const ValidatorConfig = z.object({
  OUTPUT_BUCKET: z.string().check(z.minLength(1)),
  FILE_CLAIMS_TABLE: z.string().check(z.minLength(1)),
  CLAIM_TTL_DAYS: env.int(30),
  MAX_FILE_BYTES: env.int(256 * 1024 * 1024),
  MAX_ROWS: env.int(2_000_000),
});
/**
 * Configuration, logger and metrics, made on the first invocation rather than at import (etl-load
 * reads its configuration the same way), like the Tracer (../shared/tracing): the import itself then
 * runs little beyond defining the code (`npm run bench -- cold-start`).
 */
let setup: ({ config: z.infer<typeof ValidatorConfig> } & Observability) | undefined;
// X-Ray subsegments for every S3 and DynamoDB call (a no-op outside Lambda), set up on the first invocation.
const traced = createTracing('csv-validator', () => ({ s3: s3Client(), ddb: documentClient() }));

/** Step Functions task: validate one uploaded CSV (see validator.ts). */
export async function handler(event: unknown): Promise<ValidationResult> {
  const { config, logger, metrics } = (setup ??= {
    config: loadConfig(ValidatorConfig),
    ...createObservability({ serviceName: 'csv-validator', namespace: 'csv-processor' }),
  });
  return traced(async ({ clients, annotate }) => {
    try {
      const result = await validateUpload(event, {
        s3: clients.s3,
        ddb: clients.ddb,
        outputBucket: config.OUTPUT_BUCKET,
        fileClaimsTable: config.FILE_CLAIMS_TABLE,
        claimTtlDays: config.CLAIM_TTL_DAYS,
        limits: { maxBytes: config.MAX_FILE_BYTES, maxRows: config.MAX_ROWS },
      });
      annotate('status', result.status);
      logger.info('validated', {
        status: result.status,
        key: result.sourceKey,
        rowCount: result.rowCount,
        errorCount: result.errorCount,
        encoding: result.encoding,
      });
      if (result.status === 'INVALID') metrics.addMetric('FilesRejected', MetricUnit.Count, 1);
      if (result.status === 'DUPLICATE') metrics.addMetric('DuplicateDeliveries', MetricUnit.Count, 1);
      return result;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  });
}
