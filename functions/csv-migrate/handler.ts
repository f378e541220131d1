import { getPool } from '../shared/db';
import { createObservability } from '../shared/observability';
import { migrate } from './migrate';

const { logger } = createObservability({ serviceName: 'csv-migrate', namespace: 'csv-processor' });

/**
 * Invoked by Terraform (aws_lambda_invocation) whenever schema.sql changes, and by
 * operators by hand; the event is ignored. A failure fails the apply.
 */
export async function handler(): Promise<{ schemaHash: string; tables: string[] }> {
  const result = await migrate(await getPool({ statementTimeoutMs: 120_000 }));
  logger.info('schema applied', result);
  return result;
}
