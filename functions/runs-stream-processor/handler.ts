import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { createObservability } from '../shared/observability';
import { createRunsLedger } from '../shared/runs-ledger';
import { processRecord, type StreamDependencies } from './processor';
import { environmentOf, snsPublish } from './publish';

/**
 * runs-stream-processor: the ledger's DynamoDB stream (NEW_AND_OLD_IMAGES) → a notice on the
 * alarm topic for a run that ends FAILED, PARTIAL or TIMED_OUT, a recovery notice for a
 * success after a failure, and per-pipeline metrics. Partial batch responses: a record that
 * fails is reported alone in batchItemFailures (with bisect on error, Lambda retries from it
 * and the on-failure destination keeps what keeps failing).
 */
const { logger, metrics } = createObservability({ serviceName: 'runs-stream-processor', namespace: 'runs' });

export const StreamProcessorConfig = z.object({
  RUNS_TABLE: env.string(),
  ALARM_TOPIC_ARN: env.string(),
  /** dev | prd; defaults to the suffix of RUNS_TABLE (pipeline-runs-<env>). */
  ENVIRONMENT: z.optional(z.string().check(z.minLength(1))),
  AWS_REGION: z._default(z.string(), 'ap-northeast-1'),
});

/** The Lambda handler over `deps` (AWS: SNS and the table from the environment; locally: stderr). */
export function createStreamHandler(deps: () => StreamDependencies) {
  return async (event: DynamoDBStreamEvent, context?: Partial<Context>) => {
    if (context?.awsRequestId) logger.addContext(context as Context);
    const resolved = deps();
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    // Lambda resumes a shard from the first failed record, redelivering every record after
    // it: those are held back unprocessed (and listed as failures) so no notice goes twice.
    let failed: string | undefined;
    const one = async (record: DynamoDBRecord) => {
      const sequenceNumber = record.dynamodb?.SequenceNumber;
      if (failed) throw new HeldBackError(`held back behind failed record ${failed}`);
      try {
        const outcome = await processRecord(record, resolved);
        if (outcome.notice) logger.info('notice sent', { ...outcome });
        return outcome;
      } catch (error) {
        failed = sequenceNumber ?? record.eventID ?? 'unknown';
        logger.error('stream record not processed', {
          error: error as Error,
          eventID: record.eventID,
          sequenceNumber,
          keys: record.dynamodb?.Keys,
        });
        throw error;
      }
    };
    // In order, one at a time (the hold-back above needs it). A batch where every record
    // fails still answers with its failures rather than throwing: the mapping retries from
    // the first one either way (bisecting), and the log says why.
    return processPartialResponse(event, one, processor, {
      context: context as Context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  };
}

/** A record after a failed one in the same batch: not processed, so Lambda redelivers it. */
export class HeldBackError extends Error {
  override name = 'HeldBackError';
}

let cached: { key: string; deps: StreamDependencies } | undefined;

function fromEnvironment(): StreamDependencies {
  const config = loadConfig(StreamProcessorConfig);
  const key = `${config.RUNS_TABLE}|${config.ALARM_TOPIC_ARN}`;
  if (cached?.key !== key) {
    cached = {
      key,
      deps: {
        ledger: createRunsLedger({ table: config.RUNS_TABLE }),
        notify: snsPublish(config.ALARM_TOPIC_ARN),
        metrics,
        context: { environment: environmentOf(config), region: config.AWS_REGION },
      },
    };
  }
  return cached.deps;
}

export const handler = createStreamHandler(fromEnvironment);
