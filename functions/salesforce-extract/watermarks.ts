import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PermanentError } from '../shared/errors';

/**
 * One item per object in `salesforce-extract-watermarks-<env>` (hash key `object`):
 * watermark (ISO UTC, the exclusive upper bound of the last committed window), schemaHash
 * and fields of the last committed file, lastKey, updatedAt, runId.
 *
 * The watermark moves only in advanceWatermark, which the commit step calls after the file
 * and its manifest are in S3, and only if the stored watermark is still the one the run
 * planned from: a failed, aborted, partial or mismatched run never gets there, and two runs
 * of one object cannot both advance it.
 */
export interface WatermarkItem {
  object: string;
  watermark?: string;
  schemaHash?: string;
  fields?: string[];
  lastKey?: string;
  updatedAt?: string;
  runId?: string;
}

/** Another run advanced the watermark since this run planned. */
export class WatermarkConflictError extends PermanentError {
  override name = 'WatermarkConflictError';
}

export async function readWatermark(
  ddb: DynamoDBDocumentClient,
  table: string,
  object: string,
): Promise<WatermarkItem | undefined> {
  const out = await ddb.send(new GetCommand({ TableName: table, Key: { object }, ConsistentRead: true }));
  return out.Item as WatermarkItem | undefined;
}

export interface Advance {
  object: string;
  /** The watermark read at plan time (null: none was stored). */
  expected: string | null;
  /** The new watermark; null leaves it untouched (a non-incremental object). */
  watermark: string | null;
  schemaHash: string;
  fields: string[];
  lastKey: string;
  runId: string;
  updatedAt: string;
}

export async function advanceWatermark(
  ddb: DynamoDBDocumentClient,
  table: string,
  advance: Advance,
): Promise<void> {
  const names: Record<string, string> = {
    '#schemaHash': 'schemaHash',
    '#fields': 'fields',
    '#lastKey': 'lastKey',
    '#runId': 'runId',
    '#updatedAt': 'updatedAt',
  };
  const values: Record<string, unknown> = {
    ':schemaHash': advance.schemaHash,
    ':fields': advance.fields,
    ':lastKey': advance.lastKey,
    ':runId': advance.runId,
    ':updatedAt': advance.updatedAt,
  };
  const sets = [
    '#schemaHash = :schemaHash',
    '#fields = :fields',
    '#lastKey = :lastKey',
    '#runId = :runId',
    '#updatedAt = :updatedAt',
  ];
  let condition: string | undefined;
  if (advance.watermark !== null) {
    names['#watermark'] = 'watermark';
    values[':watermark'] = advance.watermark;
    sets.push('#watermark = :watermark');
    // Or this run already stored it: a commit retried after a lost answer is not a conflict.
    const again = '(#watermark = :watermark AND #runId = :runId)';
    if (advance.expected === null) condition = `attribute_not_exists(#watermark) OR ${again}`;
    else {
      condition = `#watermark = :expected OR ${again}`;
      values[':expected'] = advance.expected;
    }
  }
  try {
    await ddb.send(
      new UpdateCommand({
        TableName: table,
        Key: { object: advance.object },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new WatermarkConflictError(
        `${advance.object}: the stored watermark is no longer ${advance.expected ?? '(none)'}; another run advanced it, this run's watermark ${advance.watermark} is not stored`,
      );
    }
    throw error;
  }
}
