import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientSettings } from './aws';
import { TransientError } from './errors';

let client: DynamoDBDocumentClient | undefined;

export function createDocumentClient(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientSettings('DYNAMODB', env)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function documentClient(): DynamoDBDocumentClient {
  client ??= createDocumentClient();
  return client;
}

const BATCH_LIMIT = 25;

export interface BatchWriteOptions {
  client?: DynamoDBDocumentClient;
  /** Rounds of re-sending UnprocessedItems before giving up. */
  maxAttempts?: number;
  baseDelayMs?: number;
}

/**
 * Writes items with BatchWriteItem, 25 per request, re-sending UnprocessedItems with
 * exponential backoff and jitter. Throws TransientError naming how many items are
 * still unwritten when the attempts run out, so the caller can record them as failed.
 */
export async function batchPutAll(
  table: string,
  items: Record<string, unknown>[],
  options: BatchWriteOptions = {},
): Promise<{ written: number; requests: number }> {
  const ddb = options.client ?? documentClient();
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.baseDelayMs ?? 50;
  let requests = 0;
  for (let i = 0; i < items.length; i += BATCH_LIMIT) {
    let pending = items.slice(i, i + BATCH_LIMIT).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new TransientError(
          `${pending.length} audit item(s) still unprocessed by ${table} after ${maxAttempts} attempts`,
        );
      }
      if (attempt > 1) {
        const delay = baseDelay * 2 ** (attempt - 2);
        await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
      }
      requests++;
      const out = await ddb.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as typeof pending;
    }
  }
  return { written: items.length, requests };
}
