import { getPool } from '../shared/db';
import { migrateDatabase, type MigrateResult } from '../shared/migrations';
import { createObservability } from '../shared/observability';

const { logger } = createObservability({ serviceName: 'sync-batch-migrate', namespace: 'batch-scheduler' });

/**
 * Applies functions/sync-batch-migrate/migrations/*.sql to batch-scheduler's database
 * (`shirogane`, through the same DB_* variables and secret as sync-batch). Invoked by Terraform
 * (aws_lambda_invocation) on apply and by operators by hand; the event is ignored. A failure
 * throws, which fails the apply.
 */
export async function handler(): Promise<MigrateResult> {
  // DDL on a large table can take minutes; the database defaults as sync-batch's does.
  const pool = await getPool({
    statementTimeoutMs: 120_000,
    applicationName: 'sync-batch-migrate',
    database: process.env.DB_NAME || 'shirogane',
  });
  const result = await migrateDatabase(pool, 'sync-batch-migrate', { logger });
  logger.info('database migrated', { ...result });
  return result;
}
