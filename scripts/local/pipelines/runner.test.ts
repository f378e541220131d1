import { createTableInput } from './resources';
import { withEnv } from './runner';

describe('withEnv', () => {
  it('puts variables in place for the work only, restoring set and unset ones even when it throws', async () => {
    process.env.RUNNER_TEST_KEPT = 'before';
    delete process.env.RUNNER_TEST_NEW;
    const seen = await withEnv({ RUNNER_TEST_KEPT: 'during', RUNNER_TEST_NEW: 'x' }, async () => ({
      kept: process.env.RUNNER_TEST_KEPT,
      added: process.env.RUNNER_TEST_NEW,
    }));
    expect(seen).toEqual({ kept: 'during', added: 'x' });
    expect(process.env.RUNNER_TEST_KEPT).toBe('before');
    expect('RUNNER_TEST_NEW' in process.env).toBe(false);

    await expect(
      withEnv({ RUNNER_TEST_KEPT: 'nested', RUNNER_TEST_GONE: undefined }, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(process.env.RUNNER_TEST_KEPT).toBe('before');
  });
});

describe('createTableInput', () => {
  it('declares each key attribute once, on demand, with its GSIs', () => {
    expect(
      createTableInput({
        name: 'T',
        hashKey: { name: 'a', type: 'S' },
        rangeKey: { name: 'b', type: 'N' },
        ttlAttribute: 'ttl',
        indexes: [
          {
            name: 'ByC',
            hashKey: { name: 'c', type: 'S' },
            rangeKey: { name: 'b', type: 'N' },
            projection: 'ALL',
          },
        ],
      }),
    ).toEqual({
      TableName: 'T',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'a', AttributeType: 'S' },
        { AttributeName: 'b', AttributeType: 'N' },
        { AttributeName: 'c', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'a', KeyType: 'HASH' },
        { AttributeName: 'b', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'ByC',
          KeySchema: [
            { AttributeName: 'c', KeyType: 'HASH' },
            { AttributeName: 'b', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });
});
