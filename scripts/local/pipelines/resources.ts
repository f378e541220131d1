import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/**
 * Buckets and tables a pipeline needs, declared once. The local runners, `npm run
 * invoke` and the tests create them from the same declaration, and a test compares
 * each declaration with the Terraform module that creates the real ones (names,
 * keys, TTL attribute, GSIs), so the local stack cannot drift from AWS unnoticed.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

export interface IndexSpec {
  name: string;
  hashKey: KeyAttribute;
  rangeKey?: KeyAttribute;
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableSpec {
  name: string;
  hashKey: KeyAttribute;
  rangeKey?: KeyAttribute;
  /** The attribute DynamoDB expires items by (dynalite keeps them: expiry is AWS-only). */
  ttlAttribute?: string;
  indexes?: IndexSpec[];
  /** Local secondary indexes: the table's hash key with another range key. */
  localIndexes?: IndexSpec[];
}

export interface BucketSpec {
  name: string;
}

export interface ResourceSpec {
  buckets: BucketSpec[];
  tables: TableSpec[];
}

/** The CreateTable request for a spec: on-demand, every key attribute declared once. */
export function createTableInput(spec: TableSpec): CreateTableCommandInput {
  const attributes = new Map<string, KeyAttribute>();
  const keys = [
    spec.hashKey,
    spec.rangeKey,
    ...[...(spec.indexes ?? []), ...(spec.localIndexes ?? [])].flatMap((i) => [i.hashKey, i.rangeKey]),
  ];
  for (const key of keys) if (key) attributes.set(key.name, key);
  const schema = (hash: KeyAttribute, range?: KeyAttribute) => [
    { AttributeName: hash.name, KeyType: 'HASH' as const },
    ...(range ? [{ AttributeName: range.name, KeyType: 'RANGE' as const }] : []),
  ];
  const index = (i: IndexSpec) => ({
    IndexName: i.name,
    KeySchema: schema(i.hashKey, i.rangeKey),
    Projection: { ProjectionType: i.projection },
  });
  return {
    TableName: spec.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()].map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    KeySchema: schema(spec.hashKey, spec.rangeKey),
    ...(spec.indexes?.length ? { GlobalSecondaryIndexes: spec.indexes.map(index) } : {}),
    ...(spec.localIndexes?.length ? { LocalSecondaryIndexes: spec.localIndexes.map(index) } : {}),
  };
}

const named = (error: unknown, ...names: string[]) => names.includes((error as { name?: string }).name ?? '');

export async function ensureBucket(s3: S3Client, spec: BucketSpec): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: spec.name })).catch((error: unknown) => {
    if (!named(error, 'BucketAlreadyOwnedByYou', 'BucketAlreadyExists')) throw error;
  });
}

export async function ensureTable(ddb: DynamoDBClient, spec: TableSpec): Promise<void> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: spec.name }));
    return;
  } catch (error) {
    if (!named(error, 'ResourceNotFoundException')) throw error;
  }
  await ddb.send(new CreateTableCommand(createTableInput(spec))).catch((error: unknown) => {
    // Two runners sharing one `up` stack may race to create it.
    if (!named(error, 'ResourceInUseException')) throw error;
  });
  if (spec.ttlAttribute) {
    await ddb
      .send(
        new UpdateTimeToLiveCommand({
          TableName: spec.name,
          TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
        }),
      )
      .catch((error: unknown) => {
        // dynalite has no TTL; an external DynamoDB (AWS_ENDPOINT_URL_DYNAMODB) gets it.
        if (!named(error, 'UnknownOperationException')) throw error;
      });
  }
}

/** Creates every bucket and table of `spec` that does not exist yet. */
export async function ensureResources(
  spec: ResourceSpec,
  clients: { s3: S3Client; ddb: DynamoDBClient },
): Promise<void> {
  for (const bucket of spec.buckets) await ensureBucket(clients.s3, bucket);
  for (const table of spec.tables) await ensureTable(clients.ddb, table);
}

/**
 * salesforce-extract's watermarks, one item per object (infrastructure/terraform/modules/
 * salesforce-extract names the table the same way for each environment).
 */
export const salesforceWatermarkTable = (environment: string): TableSpec => ({
  name: `salesforce-extract-watermarks-${environment}`,
  hashKey: { name: 'object', type: 'S' },
});
