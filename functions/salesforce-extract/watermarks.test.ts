import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientSettings } from '../shared/aws';
import { createDocumentClient } from '../shared/dynamo';
import { uniqueName } from '../../scripts/testing/stack';
import { ensureTable, salesforceWatermarkTable } from '../../scripts/local/pipelines/resources';
import { advanceWatermark, readWatermark, WatermarkConflictError } from './watermarks';

/** Against the embedded DynamoDB (dynalite): the conditional advance is what keeps two runs honest. */
const ddb = createDocumentClient();
let table: string;

beforeAll(async () => {
  table = uniqueName('sf-watermarks');
  // The table as Terraform and the local runner define it, under a name of this test's own.
  await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
    ...salesforceWatermarkTable('test'),
    name: table,
  });
});

const advance = (object: string, expected: string | null, watermark: string | null, runId = 'run') => ({
  object,
  expected,
  watermark,
  schemaHash: 'h1',
  fields: ['Id', 'Name'],
  lastKey: `raw/${object}/x.csv`,
  runId,
  updatedAt: '2026-12-01T00:00:00.000Z',
});

describe('watermarks', () => {
  it('sets the first watermark only when none is stored, then advances from the one read', async () => {
    expect(await readWatermark(ddb, table, 'Account')).toBeUndefined();
    await advanceWatermark(ddb, table, advance('Account', null, '2026-12-01T00:00:00.000Z', 'run-1'));
    await expect(
      advanceWatermark(ddb, table, advance('Account', null, '2026-12-02T00:00:00.000Z', 'run-2')),
    ).rejects.toThrow(WatermarkConflictError);
    await advanceWatermark(
      ddb,
      table,
      advance('Account', '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z', 'run-3'),
    );
    expect(await readWatermark(ddb, table, 'Account')).toEqual({
      object: 'Account',
      watermark: '2026-12-02T00:00:00.000Z',
      schemaHash: 'h1',
      fields: ['Id', 'Name'],
      lastKey: 'raw/Account/x.csv',
      runId: 'run-3',
      updatedAt: '2026-12-01T00:00:00.000Z',
    });
  });

  it('lets the same run store the same watermark again (a retried commit)', async () => {
    await advanceWatermark(ddb, table, advance('Lead', null, '2026-12-01T00:00:00.000Z', 'run-a'));
    await advanceWatermark(ddb, table, advance('Lead', null, '2026-12-01T00:00:00.000Z', 'run-a'));
    await expect(
      advanceWatermark(ddb, table, advance('Lead', null, '2026-12-01T00:00:00.000Z', 'run-b')),
    ).rejects.toThrow(WatermarkConflictError);
  });

  it('refuses to advance when another run moved it since this run planned', async () => {
    await advanceWatermark(ddb, table, advance('Contact', null, '2026-12-01T00:00:00.000Z'));
    await advanceWatermark(
      ddb,
      table,
      advance('Contact', '2026-12-01T00:00:00.000Z', '2026-12-03T00:00:00.000Z'),
    );
    const error = await advanceWatermark(
      ddb,
      table,
      advance('Contact', '2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'),
    ).catch((e: Error) => e);
    expect(error).toBeInstanceOf(WatermarkConflictError);
    expect((error as Error).message).toMatch(/no longer 2026-12-01T00:00:00.000Z/);
    expect((await readWatermark(ddb, table, 'Contact'))?.watermark).toBe('2026-12-03T00:00:00.000Z');
  });

  it('records schema and key without a watermark for a non-incremental object', async () => {
    await advanceWatermark(ddb, table, advance('Product2', null, null));
    await advanceWatermark(ddb, table, advance('Product2', null, null));
    const item = await readWatermark(ddb, table, 'Product2');
    expect(item?.watermark).toBeUndefined();
    expect(item?.schemaHash).toBe('h1');
  });
});
