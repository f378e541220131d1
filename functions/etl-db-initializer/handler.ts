import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { InputValidationError } from '../shared/errors';
import { createObservability } from '../shared/observability';
import { openDatabase } from '../etl-extract-transform/database';
import { initialize, type InitializeResult } from './initialize';

/**
 * etl-db-initializer, run by hand (`make etl-init ENV=dev`, or
 * `aws lambda invoke --function-name etl-db-initializer-<env> out.json`). Applies the source and
 * target migration sets; `{"sampleData": true}` (optionally `"sampleOrders": N`, default 5000)
 * also inserts deterministic sample data into an empty source.
 */
const { logger, metrics } = createObservability({ serviceName: 'etl-db-initializer', namespace: 'etl' });

const InitEvent = z.looseObject({
  sampleData: z.optional(z.boolean()),
  sampleOrders: z.optional(z.number().check(z.int(), z.gte(1), z.lte(5_000_000))),
  seed: z.optional(z.number().check(z.int(), z.gte(0))),
});

export const handler = async (rawEvent: unknown, context?: Partial<Context>): Promise<InitializeResult> => {
  if (context?.awsRequestId) logger.addContext(context as Context);
  const parsed = z.safeParse(InitEvent, rawEvent ?? {});
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new InputValidationError(
      `unexpected event: check ${fields} (sampleData: boolean, sampleOrders: 1..5000000)`,
    );
  }
  const event = parsed.data;
  try {
    // Schema changes and a large sample take longer than a query should.
    const options = {
      statementTimeoutMs: 600_000,
      connectTimeoutMs: 30_000,
      applicationName: 'etl-db-initializer',
    };
    const source = await openDatabase('SOURCE_', metrics, options);
    const target = await openDatabase('TARGET_', metrics, options);
    const result = await initialize(source, target, {
      logger,
      sample: event.sampleData ? { orders: event.sampleOrders ?? 5000, seed: event.seed } : undefined,
    });
    logger.info('databases initialized', { ...result });
    return result;
  } catch (error) {
    logger.error('initialization failed', { error: error as Error });
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
