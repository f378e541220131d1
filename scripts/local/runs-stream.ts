import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { clientSettings } from '../../functions/shared/aws';
import { createObservability } from '../../functions/shared/observability';
import { createRunsLedger } from '../../functions/shared/runs-ledger';
import { parseRunEvents } from '../../functions/runs-recorder/parse';
import { createStreamHandler } from '../../functions/runs-stream-processor/handler';
import type { Publish, TopicMessage } from '../../functions/runs-stream-processor/publish';
import { LOCAL_ENVIRONMENT } from './pipelines/runs-ledger';

/**
 * The ledger's DynamoDB stream, locally. dynalite has no Streams, so the stream records
 * are synthesized from the recorder's writes: the items the events touch are read before
 * and after the write, and each item that changed becomes the INSERT or MODIFY record
 * (Keys, OldImage, NewImage in DynamoDB JSON, NEW_AND_OLD_IMAGES) DynamoDB Streams would
 * deliver, handed to the same stream-processor handler. Notices go to stderr instead of SNS.
 */
type Key = { pipeline: string; runId: string };
type Image = Record<string, AttributeValue>;

let sequence = BigInt(Date.now()) * 1000n;

/** A notice as it would arrive from the topic, on stderr (or wherever `write` sends it). */
export function stderrPublish(write: (text: string) => void = (t) => process.stderr.write(t)): Publish {
  return async (message: TopicMessage) => {
    write(
      `\n── runs notice (SNS topic, locally on stderr) ──\nSubject: ${message.subject}\n\n${message.message}\n\n`,
    );
  };
}

/** The stream record DynamoDB Streams delivers for one change of a ledger item. */
export function streamRecord(
  table: string,
  key: Key,
  oldImage: Image | undefined,
  newImage: Image,
): DynamoDBRecord {
  const region = process.env.AWS_REGION || 'ap-northeast-1';
  sequence += 1n;
  return {
    eventID: sequence.toString(16),
    eventName: oldImage ? 'MODIFY' : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall(key) as never,
      ...(oldImage ? { OldImage: oldImage as never } : {}),
      NewImage: newImage as never,
      SequenceNumber: sequence.toString().padStart(21, '0'),
      SizeBytes: JSON.stringify(newImage).length + JSON.stringify(oldImage ?? {}).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: `arn:aws:dynamodb:${region}:000000000000:table/${table}/stream/local`,
  };
}

export interface LocalStreamOptions {
  table: string;
  publish?: Publish;
  client?: DynamoDBClient;
}

/**
 * Runs `write` (the recorder handling `events`) and delivers the stream records of what it
 * changed to the stream processor. A stream failure is reported on stderr, never thrown:
 * in AWS the processor is a separate function, and the run is already recorded.
 */
export async function withLocalStream<T>(
  events: unknown[],
  write: () => Promise<T>,
  options: LocalStreamOptions,
): Promise<T> {
  let keys: Key[];
  try {
    const facts = parseRunEvents({ records: events }, LOCAL_ENVIRONMENT);
    const unique = new Map(facts.map((f) => [`${f.run.pipeline}\u0000${f.run.runId}`, f.run]));
    keys = [...unique.values()].map((run) => ({ pipeline: run.pipeline, runId: run.runId }));
  } catch {
    // The recorder itself reports events it cannot read.
    return write();
  }
  const ddb = options.client ?? new DynamoDBClient(clientSettings('DYNAMODB'));
  const read = (key: Key) =>
    ddb
      .send(new GetItemCommand({ TableName: options.table, Key: marshall(key), ConsistentRead: true }))
      .then((out) => out.Item);
  const before = await Promise.all(keys.map(read)).catch(() => undefined);
  const result = await write();
  if (!before) return result;
  try {
    const after = await Promise.all(keys.map(read));
    const records = keys.flatMap((key, i) => {
      const next = after[i];
      if (!next || JSON.stringify(next) === JSON.stringify(before[i])) return [];
      return [streamRecord(options.table, key, before[i], next)];
    });
    if (records.length) await deliverToStreamProcessor({ Records: records }, options);
  } catch (error) {
    process.stderr.write(
      `runs stream: not delivered (${(error as Error).name}: ${(error as Error).message})\n`,
    );
  }
  return result;
}

/** Hands stream records to the stream-processor handler with local dependencies. */
export async function deliverToStreamProcessor(
  event: DynamoDBStreamEvent,
  options: LocalStreamOptions,
): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const { metrics } = createObservability({ serviceName: 'runs-stream-processor', namespace: 'runs' });
  const handler = createStreamHandler(() => ({
    ledger: createRunsLedger({ table: options.table }),
    notify: options.publish ?? stderrPublish(),
    metrics,
    context: { environment: LOCAL_ENVIRONMENT, region: process.env.AWS_REGION || 'ap-northeast-1' },
  }));
  const response = await handler(event);
  if (response.batchItemFailures.length)
    process.stderr.write(
      `runs stream: ${response.batchItemFailures.length} record(s) not processed (see the log above)\n`,
    );
  return response;
}
