import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type pg from 'pg';
import { getPool, type PoolOptions } from '../shared/db';

/** The two etl databases, named by their variables' prefix (shared/db.ts). */
export type EtlDatabase = 'SOURCE_' | 'TARGET_';

/**
 * getPool for an etl function, counting why a connection could not be made: the secret could not
 * be read (SecretRetrievalError) or the database could not be reached (DBConnectionError). The
 * error goes on unchanged; a secret's value never reaches a log or a metric.
 */
export async function openDatabase(
  prefix: EtlDatabase,
  metrics: Metrics,
  options: Omit<PoolOptions, 'prefix'> = {},
): Promise<pg.Pool> {
  try {
    return await getPool({ ...options, prefix });
  } catch (error) {
    const secret = /secret/i.test((error as Error).message ?? '');
    metrics.addMetric(secret ? 'SecretRetrievalError' : 'DBConnectionError', MetricUnit.Count, 1);
    throw error;
  }
}
