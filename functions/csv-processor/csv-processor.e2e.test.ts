import { GetObjectCommand } from '@aws-sdk/client-s3';
import { resetPool } from '../shared/db';
import { createS3Client } from '../shared/s3';
import { useFreshDatabase, uniqueName } from '../../scripts/testing/stack';
import { countsFor, csvFile, csvText, encodeCsv, userId } from '../../scripts/local/fixtures/csv-user-log';
import {
  executeStateMachine,
  functionEnv,
  localLambdas,
  localNames,
  prepareCsvProcessor,
  seedUsers,
  uploadInput,
  type CsvProcessorNames,
} from '../../scripts/local/pipelines/csv-processor';
import type { LocalLambda } from '../../scripts/local/stepfunctions/local-execution';
import { Reason } from './contract';
import { auditItems, statistics } from './test-support';

/**
 * The whole flow on the embedded stack: upload → S3 event → the deployed ASL
 * (validator, distributed map of processor batches, summary) → PostgreSQL and the
 * DynamoDB audit, checked row by row.
 */
const USERS = 1200;
const unknown = (n: number) => n % 100 === 0; // 12 users are not in `users`
const settings = { batchSize: 100, maxConcurrency: 5, toleratedFailurePercentage: 5 };

let names: CsvProcessorNames;
let databaseUrl: string;
let lambdas: Record<string, LocalLambda>;
const s3 = createS3Client();

beforeAll(async () => {
  databaseUrl = await useFreshDatabase('csv_e2e');
  names = localNames(uniqueName('e2e'));
  await prepareCsvProcessor(names);
  Object.assign(process.env, functionEnv(names), { POWERTOOLS_METRICS_DISABLED: 'true' });
  lambdas = await localLambdas(names);
  await seedUsers(databaseUrl, USERS, unknown);
});
afterAll(() => resetPool());

function rowsOf(generation: number, count = USERS): Array<[string, number, number]> {
  return Array.from({ length: count }, (_, i) => [userId(i + 1), ...countsFor(i + 1, generation)]);
}

async function run(fileName: string, body: Buffer, event?: unknown) {
  const delivered = event ?? (await uploadInput(s3, names, fileName, body));
  const report = await executeStateMachine({
    names,
    event: delivered,
    lambdas,
    s3,
    settings,
    retryIntervalMs: 5,
  });
  return { report, event: delivered };
}

describe('csv-processor end to end', () => {
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    first = await run('users-gen0.csv', csvFile(rowsOf(0)));
  });

  it('applies every known user and reports unknown ones, with counts that add up', async () => {
    const { report } = first;
    expect(report.status).toBe('PARTIAL');
    expect(report.rows).toEqual({ total: USERS, succeeded: USERS - 12, failed: 12 });
    expect(report.errors).toHaveLength(12);
    expect(report.errors[0]).toEqual({ line: 101, userId: 'U00100', reason: Reason.USER_NOT_FOUND });

    const stats = await statistics(databaseUrl);
    expect(stats.size).toBe(USERS - 12);
    for (let n = 1; n <= USERS; n++) {
      const row = stats.get(userId(n));
      if (unknown(n)) expect(row).toBeUndefined();
      else expect([row?.login_count, row?.post_count]).toEqual(countsFor(n, 0));
    }
  });

  it('audits exactly one item per data row', async () => {
    const items = await auditItems(names.auditTable, first.report.executionName);
    expect(items).toHaveLength(USERS);
    items.forEach((item, i) => {
      const n = i + 1;
      expect(item.line).toBe(n + 1);
      expect(item.userId).toBe(userId(n));
      expect(item.ttl).toBeGreaterThan(Date.now() / 1000 + 170 * 86_400);
      if (unknown(n)) {
        expect(item).toMatchObject({ status: 'failed', errorMessage: Reason.USER_NOT_FOUND });
      } else {
        const [loginCount, postCount] = countsFor(n, 0);
        expect(item).toMatchObject({
          status: 'success',
          processingType: 'statistics_insert',
          newValue: { loginCount, postCount },
        });
        expect(item.oldValue).toBeUndefined();
      }
    });
    const summary = await s3.send(
      new GetObjectCommand({ Bucket: names.outputBucket, Key: first.report.outputKeys.at(-1)! }),
    );
    const body = JSON.parse(await summary.Body!.transformToString()) as { errors: unknown[] };
    expect(body.errors).toHaveLength(12);
  });

  it('lets a redelivered event take effect once', async () => {
    const before = await statistics(databaseUrl);
    const { report } = await run('ignored', Buffer.alloc(0), first.event);
    expect(report.status).toBe('DUPLICATE');
    expect(report.rows).toEqual({ total: 0, succeeded: 0, failed: 0 });
    expect(await statistics(databaseUrl)).toEqual(before);
    expect(await auditItems(names.auditTable, report.executionName)).toHaveLength(0);
  });

  it('changes nothing when the same content is applied again', async () => {
    const before = await statistics(databaseUrl);
    const { report } = await run('users-gen0-again.csv', csvFile(rowsOf(0)));
    expect(report.rows).toEqual({ total: USERS, succeeded: USERS - 12, failed: 12 });
    expect(await statistics(databaseUrl)).toEqual(before); // last_updated included
    const items = await auditItems(names.auditTable, report.executionName);
    const unchanged = items.filter((i) => i.status === 'success');
    expect(unchanged.every((i) => i.processingType === 'statistics_unchanged')).toBe(true);
    expect(unchanged.every((i) => JSON.stringify(i.oldValue) === JSON.stringify(i.newValue))).toBe(true);
  });

  it('records old and new values of both counts when totals change', async () => {
    const { report } = await run(
      'users-gen1.csv',
      csvFile(rowsOf(1), { encoding: 'shift_jis', lineEnd: '\r\n' }),
    );
    expect(report.status).toBe('PARTIAL');
    const items = await auditItems(names.auditTable, report.executionName);
    expect(items).toHaveLength(USERS);
    const sample = items[0]!;
    const [oldLogin, oldPosts] = countsFor(1, 0);
    const [newLogin, newPosts] = countsFor(1, 1);
    expect(sample).toMatchObject({
      userId: 'U00001',
      processingType: 'statistics_update',
      oldValue: { loginCount: oldLogin, postCount: oldPosts },
      newValue: { loginCount: newLogin, postCount: newPosts },
    });
    const stats = await statistics(databaseUrl);
    expect([stats.get('U00001')?.login_count, stats.get('U00001')?.post_count]).toEqual([newLogin, newPosts]);
  });

  it('rejects an invalid file without writing to the database, with a full error report', async () => {
    const before = await statistics(databaseUrl);
    const rows: Array<[string, string | number, string | number]> = rowsOf(2, 10);
    rows[3] = ['=SUM(A1)', 1, 1];
    rows[6] = ['U00007', '1.5', 2];
    const { report } = await run('bad.csv', encodeCsv(csvText(rows)));
    expect(report.status).toBe('VALIDATION_FAILED');
    expect(report.rows).toEqual({ total: 10, succeeded: 0, failed: 10 });
    expect(report.errors).toEqual([
      { line: 5, userId: '=SUM(A1)', reason: `${Reason.USER_ID_FORMULA} (ユーザーID)` },
      { line: 8, userId: 'U00007', reason: `${Reason.COUNT_NOT_INTEGER} (ログイン回数)` },
    ]);
    expect(report.outputKeys).toEqual(['errors/incoming/bad.csv.json']);
    const out = await s3.send(
      new GetObjectCommand({ Bucket: names.outputBucket, Key: 'errors/incoming/bad.csv.json' }),
    );
    const errorReport = JSON.parse(await out.Body!.transformToString()) as {
      errors: Array<{ line: number }>;
    };
    expect(errorReport.errors.map((e) => e.line)).toEqual([5, 8]);
    expect(await statistics(databaseUrl)).toEqual(before);
    expect(await auditItems(names.auditTable, report.executionName)).toHaveLength(0);
  });
});
