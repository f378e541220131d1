import { getPool } from '../shared/db';
import { migrateDatabase, type MigrateResult } from '../shared/migrations';
import { createObservability } from '../shared/observability';

const { logger } = createObservability({ serviceName: 'csv-migrate', namespace: 'csv-processor' });

/**
 * Applies functions/csv-migrate/migrations/*.sql to csv-processor's Aurora database. Invoked by
 * Terraform (aws_lambda_invocation) on apply and by operators by hand; the event is ignored. A
 * failure throws, which fails the apply.
 */
export async function handler(): Promise<MigrateResult> {
  // DDL on a large table can take minutes; the default 60 s cap would fail the apply instead.
  const pool = await getPool({ statementTimeoutMs: 120_000 });
  const result = await migrateDatabase(pool, 'csv-migrate', { logger });
  logger.info('database migrated', { ...result });
  return result;
}
