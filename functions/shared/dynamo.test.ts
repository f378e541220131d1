import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { clientSettings } from './aws';
import { batchPutAll, createDocumentClient } from './dynamo';
import { uniqueName } from '../../scripts/testing/stack';

describe('batchPutAll', () => {
  it('writes every item through dynalite, 25 per request', async () => {
    const table = uniqueName('batch');
    await new DynamoDBClient(clientSettings('DYNAMODB')).send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const items = Array.from({ length: 60 }, (_, i) => ({
      pk: 'run-1',
      sk: String(i).padStart(3, '0'),
      n: i,
    }));
    const client = createDocumentClient();
    const result = await batchPutAll(table, items, { client });
    expect(result).toEqual({ written: 60, requests: 3 });
    const scanned = await client.send(new ScanCommand({ TableName: table }));
    expect(scanned.Items?.map((i) => i.n).sort((a, b) => a - b)).toEqual(items.map((i) => i.n));
  });

  /** A client edge stub: DynamoDB hands back part of each request as UnprocessedItems. */
  function throttlingClient(unprocessedRounds: number) {
    const sentSizes: number[] = [];
    let round = 0;
    const send = jest.fn(async (command: BatchWriteCommand) => {
      const requests = Object.values(command.input.RequestItems ?? {})[0] ?? [];
      sentSizes.push(requests.length);
      round += 1;
      const table = Object.keys(command.input.RequestItems ?? {})[0]!;
      return round <= unprocessedRounds
        ? { UnprocessedItems: { [table]: requests.slice(Math.ceil(requests.length / 2)) } }
        : { UnprocessedItems: {} };
    });
    return { client: { send } as unknown as DynamoDBDocumentClient, sentSizes };
  }

  it('re-sends UnprocessedItems until they are written', async () => {
    const { client, sentSizes } = throttlingClient(2);
    const items = Array.from({ length: 25 }, (_, i) => ({ pk: 'x', sk: String(i) }));
    const result = await batchPutAll('t', items, { client, baseDelayMs: 1 });
    expect(result.written).toBe(25);
    expect(sentSizes).toEqual([25, 12, 6]);
  });

  it('gives up with a retryable error naming what is left', async () => {
    const { client } = throttlingClient(100);
    const items = Array.from({ length: 10 }, (_, i) => ({ pk: 'x', sk: String(i) }));
    await expect(batchPutAll('t', items, { client, maxAttempts: 3, baseDelayMs: 1 })).rejects.toMatchObject({
      name: 'TransientError',
      message: expect.stringMatching(/still unprocessed by t after 3 attempts/),
    });
  });
});
