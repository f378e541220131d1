import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import pg from 'pg';
import { clientSettings } from '../../functions/shared/aws';
import { createDocumentClient } from '../../functions/shared/dynamo';
import { createS3Client } from '../../functions/shared/s3';
import { createBucket, uniqueName, useFreshDatabase } from '../testing/stack';
import { exampleEvent, invokeZip, stackEnv } from './support';

/**
 * csv-processor's three zips, each unpacked into an empty directory and run in its own Node 24
 * process against the embedded stack: the migration creates the schema, the validator reads
 * and claims an uploaded file, the processor applies a batch to the database.
 */
describe('csv-processor pipeline from dist/', () => {
  let databaseUrl: string;
  let db: pg.Client;
  const names = {
    input: uniqueName('artifact-input'),
    output: uniqueName('artifact-output'),
    claims: uniqueName('artifact-claims'),
    audit: uniqueName('artifact-audit'),
  };
  beforeAll(async () => {
    databaseUrl = await useFreshDatabase('artifact_csv');
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await createBucket(names.input, true);
    await createBucket(names.output);
    const ddb = new DynamoDBClient(clientSettings('DYNAMODB'));
    await ddb.send(
      new CreateTableCommand({
        TableName: names.claims,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'fileId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'fileId', KeyType: 'HASH' }],
      }),
    );
    await ddb.send(
      new CreateTableCommand({
        TableName: names.audit,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'executionName', AttributeType: 'S' },
          { AttributeName: 'timestamp', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'executionName', KeyType: 'HASH' },
          { AttributeName: 'timestamp', KeyType: 'RANGE' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await db.end();
  });

  const tables = async () =>
    (
      await db.query<{ tablename: string }>(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      )
    ).rows.map((r) => r.tablename);

  it('csv-migrate creates the schema, and a second apply is a no-op', async () => {
    const event = exampleEvent('csv-migrate', 'apply.json');
    expect(await tables()).toEqual([]);
    const first = await invokeZip('csv-migrate', event, { DATABASE_URL: databaseUrl });
    expect(first).toEqual({
      database: new URL(databaseUrl).pathname.slice(1),
      applied: ['001_initial.sql'],
      current: '001_initial.sql',
    });
    expect(await tables()).toEqual(['schema_migrations', 'user_statistics', 'users']);
    const second = await invokeZip('csv-migrate', event, { DATABASE_URL: databaseUrl });
    expect(second).toEqual({ ...(first as object), applied: [] });
  });

  it('csv-validator validates and claims an uploaded file', async () => {
    const key = 'incoming/user-log-artifact.csv';
    await createS3Client().send(
      new PutObjectCommand({
        Bucket: names.input,
        Key: key,
        Body: 'ユーザーID,ログイン回数,投稿回数\nU00001,12,3\nU00002,0,0\nU99999,5,1\n',
      }),
    );
    const example = exampleEvent('csv-validator', 'object-created.json') as {
      event: { detail: { bucket: { name: string }; object: Record<string, unknown> } };
    };
    const event = structuredClone(example);
    event.event.detail.bucket.name = names.input;
    // The uploaded object's own key and no version pin (the example's version id is AWS's).
    event.event.detail.object = { key };
    const result = await invokeZip(
      'csv-validator',
      event,
      // The variables Terraform sets for csv-validator, pointed at the stack.
      { ...stackEnv(), OUTPUT_BUCKET: names.output, FILE_CLAIMS_TABLE: names.claims, CLAIM_TTL_DAYS: '30' },
    );
    expect(result).toMatchObject({
      status: 'VALID',
      isValid: true,
      rowCount: 3,
      bucket: names.input,
      sourceKey: key,
    });
    const claims = await createDocumentClient().send(new ScanCommand({ TableName: names.claims }));
    expect(claims.Items).toHaveLength(1);
  });

  it('csv-processor applies a batch to the database and audits it', async () => {
    await db.query(
      `INSERT INTO users (user_id, username, email) VALUES ('U00001', 'one', 'one@example.com'), ('U00002', 'two', 'two@example.com')`,
    );
    const event = exampleEvent('csv-processor', 'apply-batch.json');
    const outcome = await invokeZip(
      'csv-processor',
      event,
      // The variables Terraform sets for csv-processor; DATABASE_URL stands for DB_SECRET_ARN + DB_HOST.
      { ...stackEnv(), DATABASE_URL: databaseUrl, AUDIT_TABLE: names.audit, AUDIT_SUCCESS: 'true' },
    );
    expect(outcome).toMatchObject({ failures: [{ userId: 'U99999', reason: 'USER_NOT_FOUND' }] });
    const stats = await db.query(
      'SELECT user_id, login_count, post_count FROM user_statistics ORDER BY user_id',
    );
    expect(stats.rows).toEqual([
      { user_id: 'U00001', login_count: 12, post_count: 3 },
      { user_id: 'U00002', login_count: 0, post_count: 0 },
    ]);
    const audit = await createDocumentClient().send(new ScanCommand({ TableName: names.audit }));
    expect(audit.Items?.length).toBeGreaterThanOrEqual(2);
  });
});
